/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * pam-app: a small PAM application for the tests, shaped like login or su:
 * authenticate, acct_mgmt, setcred, open_session, run a command as the user
 * inside the session, close_session, setcred DELETE, end.  It reads the
 * password from a file descriptor (never argv) and prints one line per PAM
 * call ("open_session: PAM_SUCCESS") for the tests to check.
 *
 * The stack comes from a private directory with pam_start_confdir, so the
 * tests never touch /etc/pam.d.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char password[1024];
static int prompts;
static long prompt_delay_ms; /* a person taking their time to type */
static int show_prompts;     /* --show-prompts: tests/scenarios.sh checks them */
static volatile sig_atomic_t stop_holding;

static const char *code_name(int code)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {PAM_SUCCESS, "PAM_SUCCESS"},
        {PAM_IGNORE, "PAM_IGNORE"},
        {PAM_AUTH_ERR, "PAM_AUTH_ERR"},
        {PAM_AUTHINFO_UNAVAIL, "PAM_AUTHINFO_UNAVAIL"},
        {PAM_USER_UNKNOWN, "PAM_USER_UNKNOWN"},
        {PAM_SERVICE_ERR, "PAM_SERVICE_ERR"},
        {PAM_SESSION_ERR, "PAM_SESSION_ERR"},
        {PAM_BUF_ERR, "PAM_BUF_ERR"},
        {PAM_PERM_DENIED, "PAM_PERM_DENIED"},
        {PAM_CRED_ERR, "PAM_CRED_ERR"},
        {PAM_CONV_ERR, "PAM_CONV_ERR"},
        {PAM_SYSTEM_ERR, "PAM_SYSTEM_ERR"},
        {PAM_ABORT, "PAM_ABORT"},
        {PAM_MODULE_UNKNOWN, "PAM_MODULE_UNKNOWN"},
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == code)
            return names[i].name;
    return "PAM_OTHER";
}

static int converse(int n, const struct pam_message **msg, struct pam_response **resp,
                    void *data)
{
    struct pam_response *out = calloc((size_t)n, sizeof(*out));
    int i;

    (void)data;
    if (out == NULL)
        return PAM_BUF_ERR;
    for (i = 0; i < n; i++) {
        if (show_prompts) {
            static const char *const styles[] = {"", "echo_off", "echo_on", "error_msg",
                                                 "info"};
            int style = msg[i]->msg_style;

            printf("prompt: %s: %s\n",
                   style >= 1 && style <= 4 ? styles[style] : "other", msg[i]->msg);
        }
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
            prompts++;
            if (prompt_delay_ms > 0) {
                struct timespec pause = {prompt_delay_ms / 1000,
                                         (prompt_delay_ms % 1000) * 1000000L};

                nanosleep(&pause, NULL);
            }
            out[i].resp = strdup(password);
            break;
        case PAM_PROMPT_ECHO_ON:
            out[i].resp = strdup("");
            break;
        default:
            fprintf(stderr, "pam-app: message: %s\n", msg[i]->msg);
            break;
        }
    }
    *resp = out;
    return PAM_SUCCESS;
}

static void on_term(int sig)
{
    (void)sig;
    stop_holding = 1;
}

static long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int quiet_steps;
static int step_times;
static struct timespec step_start;

static void step_begin(void)
{
    clock_gettime(CLOCK_MONOTONIC, &step_start);
}

static int step(const char *name, int code)
{
    struct timespec now;

    if (quiet_steps && code == PAM_SUCCESS)
        return code;
    printf("%s: %s\n", name, code_name(code));
    /* --step-times: how long the call took, for the deadline tests */
    if (step_times) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        printf("%s_ms: %ld\n", name,
               (long)((now.tv_sec - step_start.tv_sec) * 1000L +
                      (now.tv_nsec - step_start.tv_nsec) / 1000000L));
    }
    fflush(stdout);
    step_begin();
    return code;
}

static int run_as_user(pam_handle_t *pamh, const char *user, const char *command)
{
    struct passwd *pw = getpwnam(user);
    int status;
    pid_t pid;

    if (pw == NULL) {
        fprintf(stderr, "pam-app: no user %s\n", user);
        return 127;
    }
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return 127;
    if (pid == 0) {
        char **env = pam_getenvlist(pamh);
        char **e;

        /* A session of its own, as login and sshd give the shell.  Already
         * the user (tests/scenarios.sh without root, like a screen locker):
         * nothing to change, and a user namespace refuses setgroups. */
        setsid();
        if ((getuid() != pw->pw_uid || geteuid() != pw->pw_uid) &&
            (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
             setuid(pw->pw_uid) < 0)) {
            perror("pam-app: cannot become the user");
            _exit(126);
        }
        if (chdir(pw->pw_dir) < 0 && chdir("/") < 0)
            _exit(126);
        clearenv();
        setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
        setenv("HOME", pw->pw_dir, 1);
        setenv("USER", pw->pw_name, 1);
        setenv("LOGNAME", pw->pw_name, 1);
        for (e = env; e != NULL && *e != NULL; e++)
            putenv(*e);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void hold(const char *file)
{
    struct stat st;
    struct timespec pause = {0, 20 * 1000 * 1000};

    printf("holding\n");
    fflush(stdout);
    while (!stop_holding && stat(file, &st) == 0)
        nanosleep(&pause, NULL);
}

/* pam_start_confdir in a frame of its own, never inlined and not the last
 * call, so that the leak suppressions for libpam 1.4 (Debian 11), whose
 * pam_end never frees its copy of confdir, can name this one call
 * (tests/valgrind.supp, tests/lsan.supp): libpam's frames have no names. */
__attribute__((noinline)) static int
start_with_confdir(const char *service, const char *user, const struct pam_conv *conv,
                   const char *confdir, pam_handle_t **pamh)
{
    int rc = pam_start_confdir(service, user, conv, confdir, pamh);

    return step("start", rc);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"confdir", required_argument, NULL, 'c'},
        {"service", required_argument, NULL, 's'},
        {"user", required_argument, NULL, 'u'},
        {"password-fd", required_argument, NULL, 'p'},
        {"no-auth", no_argument, NULL, 'A'},
        {"no-session", no_argument, NULL, 'S'},
        {"session-user", required_argument, NULL, 'U'},
        {"open-twice", no_argument, NULL, 'T'},
        {"close-twice", no_argument, NULL, 'C'},
        {"timing", no_argument, NULL, 'M'},
        {"hold-file", required_argument, NULL, 'h'},
        {"tty", required_argument, NULL, 't'},
        {"rhost", required_argument, NULL, 'r'},
        {"repeat", required_argument, NULL, 'n'},
        {"hold-after-auth", required_argument, NULL, 'H'},
        {"auth-twice", no_argument, NULL, 'a'},
        {"exec-after-auth", required_argument, NULL, 'x'},
        {"step-times", no_argument, NULL, 'm'},
        {"prompt-delay", required_argument, NULL, 'D'},
        {"hold-after-end", required_argument, NULL, 'E'},
        {"show-prompts", no_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    const char *confdir = NULL, *service = "pam_jenkins_test", *user = NULL;
    const char *session_user = NULL, *hold_file = NULL, *tty = "pts/9";
    const char *rhost = "192.0.2.7", *command = NULL;
    const char *hold_after_auth = NULL, *exec_after_auth = NULL, *hold_after_end = NULL;
    int auth_twice = 0;
    int password_fd = 0, do_auth = 1, do_session = 1, open_twice = 0, repeat = 1;
    int close_twice = 0, timing = 0;
    int opt, failed = 0, command_status = 0, i;
    struct pam_conv conv = {converse, NULL};

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            confdir = optarg;
            break;
        case 's':
            service = optarg;
            break;
        case 'u':
            user = optarg;
            break;
        case 'p':
            password_fd = atoi(optarg);
            break;
        case 'A':
            do_auth = 0;
            break;
        case 'S':
            do_session = 0;
            break;
        case 'U':
            session_user = optarg;
            break;
        case 'T':
            open_twice = 1;
            break;
        case 'C':
            close_twice = 1;
            break;
        case 'M':
            timing = 1;
            break;
        case 'h':
            hold_file = optarg;
            break;
        case 't':
            tty = optarg;
            break;
        case 'r':
            rhost = optarg;
            break;
        case 'n':
            repeat = atoi(optarg);
            break;
        case 'H':
            hold_after_auth = optarg;
            break;
        case 'a':
            auth_twice = 1;
            break;
        case 'x':
            exec_after_auth = optarg;
            break;
        case 'm':
            step_times = 1;
            break;
        case 'D':
            prompt_delay_ms = atol(optarg);
            break;
        case 'E':
            hold_after_end = optarg;
            break;
        case 'P':
            show_prompts = 1;
            break;
        default:
            fprintf(stderr, "usage: pam-app --user U [options] [-- COMMAND]\n");
            return 2;
        }
    }
    if (user == NULL) {
        fprintf(stderr, "pam-app: --user is required\n");
        return 2;
    }
    if (optind < argc)
        command = argv[optind];
    quiet_steps = timing;
    if (do_auth) {
        ssize_t n = read(password_fd, password, sizeof(password) - 1);

        if (n < 0)
            n = 0;
        password[n] = '\0';
        password[strcspn(password, "\n")] = '\0';
    }
    signal(SIGTERM, on_term);

    for (i = 0; i < repeat && !failed; i++) {
        pam_handle_t *pamh = NULL;
        int rc, opened = 0;
        struct timespec t0, t1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        step_begin();
        rc = start_with_confdir(service, user, &conv, confdir, &pamh);
        if (rc != PAM_SUCCESS)
            return 1;
        pam_set_item(pamh, PAM_TTY, tty);
        pam_set_item(pamh, PAM_RHOST, rhost);
        if (do_auth) {
            rc = step("authenticate", pam_authenticate(pamh, 0));
            if (rc != PAM_SUCCESS) {
                failed = 1;
                goto end;
            }
            rc = step("acct_mgmt", pam_acct_mgmt(pamh, 0));
            if (rc != PAM_SUCCESS) {
                failed = 1;
                goto end;
            }
            /* sudo without a session stack of ours: the command runs right
             * after authentication, with what auth left open. */
            if (exec_after_auth != NULL) {
                command_status = run_as_user(pamh, user, exec_after_auth);
                printf("command: %d\n", command_status);
            }
            if (hold_after_auth != NULL) {
                hold(hold_after_auth);
                step_begin();
            }
        }
        if (session_user != NULL) {
            pam_set_item(pamh, PAM_USER, session_user);
            user = session_user;
        }
        if (!do_session)
            goto end;
        rc = step("setcred", pam_setcred(pamh, PAM_ESTABLISH_CRED));
        if (rc != PAM_SUCCESS)
            failed = 1;
        rc = step("open_session", pam_open_session(pamh, 0));
        if (rc != PAM_SUCCESS) {
            failed = 1;
            goto end;
        }
        opened = 1;
        if (open_twice)
            step("open_session", pam_open_session(pamh, 0));
        /* a screen locker re-checking the password on the same handle */
        if (auth_twice)
            step("authenticate", pam_authenticate(pamh, 0));
        if (command != NULL) {
            command_status = run_as_user(pamh, user, command);
            printf("command: %d\n", command_status);
        }
        if (hold_file != NULL)
            hold(hold_file);
        step_begin();
    end:
        if (opened) {
            step("close_session", pam_close_session(pamh, 0));
            if (close_twice)
                step("close_session", pam_close_session(pamh, 0));
            step("setcred_delete", pam_setcred(pamh, PAM_DELETE_CRED));
        }
        step("end", pam_end(pamh, rc));
        /* bench/run: the whole lifecycle's time, and memory growth */
        if (timing) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            printf("lifecycle_us: %ld\n", (long)((t1.tv_sec - t0.tv_sec) * 1000000L +
                                                 (t1.tv_nsec - t0.tv_nsec) / 1000));
            if (i == 0 || i == repeat - 1)
                printf("rss_kb: %ld\n", rss_kb());
        }
    }
    explicit_bzero(password, sizeof(password));
    printf("prompts: %d\n", prompts);
    fflush(stdout);
    /* tests/memory.sh: the process as pam_end left it (our own copy of the
     * password just wiped), for root to search its memory. */
    if (hold_after_end != NULL)
        hold(hold_after_end);
    if (failed)
        return 1;
    return command_status;
}
