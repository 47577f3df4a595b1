/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token login: for sessions that got no token at login (public-key
 * ssh).  Prompts for the Jenkins password on the terminal, mints a token
 * through the same crumb flow as the module, stores it the same way, and
 * leaves a small watcher process that revokes it when the session ends:
 * when pam_keyinit revokes the session keyring at logout, or when the
 * session leader (the login shell) is gone.
 *
 * The tool runs as the user, so it cannot write root's journal; the watcher
 * is what stands in for close_session, and token_lifetime (Jenkins >=
 * 2.548) is the backstop if it is killed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <keyutils.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "lib/pj_mint.h"

#define WATCH_INTERVAL_MS 500

static volatile sig_atomic_t told_to_stop;

static void on_stop(int sig)
{
    (void)sig;
    told_to_stop = 1;
}

static char *read_password(const char *user, const char *url)
{
    char buf[1024], *result = NULL;
    struct termios saved, quiet;
    bool restore = false;
    FILE *in = fopen("/dev/tty", "r+");
    FILE *prompt_to = in;

    /* No terminal (a script with the password on stdin): read stdin. */
    if (in == NULL) {
        in = stdin;
        prompt_to = NULL;
    } else if (tcgetattr(fileno(in), &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        restore = tcsetattr(fileno(in), TCSAFLUSH, &quiet) == 0;
    }
    if (prompt_to != NULL) {
        fprintf(prompt_to, "Jenkins password for %s at %s: ", user, url);
        fflush(prompt_to);
    }
    if (fgets(buf, sizeof(buf), in) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        result = pj_secret_strdup(buf);
    }
    explicit_bzero(buf, sizeof(buf));
    if (restore)
        tcsetattr(fileno(in), TCSAFLUSH, &saved);
    if (prompt_to != NULL) {
        /* The newline the quiet read swallowed, by write(2): C allows no
         * output after input on this "r+" stream without a seek, which a
         * terminal cannot do (clang-tidy 19, clang-analyzer-unix.Stream). */
        ssize_t n = write(fileno(prompt_to), "\n", 1);
        (void)n;
        fclose(in);
    }
    return result;
}

static int load_config(struct pj_config *cfg, const char *conf, const char *url)
{
    char err[PJ_CONFIG_ERROR_MAX];
    bool explicit_conf = conf != NULL;

    if (pj_config_init(cfg) != PJ_OK)
        return -1;
    if (pj_config_read_file(cfg, explicit_conf ? conf : PJ_DEFAULT_CONF,
                            !explicit_conf && url != NULL, &tool_log, err,
                            sizeof(err)) != PJ_OK ||
        (url != NULL && pj_config_set(cfg, "url", url, "--url", &tool_log, err,
                                      sizeof(err)) != PJ_OK) ||
        pj_config_finish(cfg, err, sizeof(err)) != PJ_OK) {
        tool_msg("%s", err);
        return -1;
    }
    return 0;
}

static bool session_over(pid_t leader, const char *leader_start)
{
    char *start;
    bool over;

    /* pam_keyinit's "revoke" at logout revokes the keyring we share. */
    if (keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0) < 0 && errno == EKEYREVOKED)
        return true;
    if (leader <= 0 || leader_start == NULL)
        return false;
    start = pj_process_start_time((long)leader);
    over = start == NULL || strcmp(start, leader_start) != 0;
    free(start);
    return over;
}

/* The watcher: detached, silent, holds the token until the session ends. */
static void watch(const struct pj_config *cfg, const char *user,
                  const struct pj_mint *minted, pid_t leader, char *leader_start)
{
    struct pj_http_settings settings;
    struct pj_client client;
    struct timespec pause = {0, WATCH_INTERVAL_MS * 1000L * 1000L};
    struct sigaction stop = {0};
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    char probe[8];

    setsid();
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        close(null);
    }
    if (chdir("/") < 0)
        _exit(1);
    signal(SIGHUP, SIG_IGN);
    /* SIGTERM is how the token's only guardian goes away: logind ending
     * the session's scope (KillUserProcesses=yes), a shutdown, the user's
     * own kill.  Nothing revokes the token after us (no journal), so we
     * revoke it on the way out rather than leave it to token_lifetime. */
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    pj_config_http_settings(cfg, &settings);
    for (;;) {
        nanosleep(&pause, NULL);
        /* Logout first: revoking the session keyring also destroys the
         * keys in it, which must not read as "already revoked". */
        if (told_to_stop || session_over(leader, leader_start)) {
            pj_keyring_revoke(minted->token_key);
            pj_keyring_revoke(minted->meta_key);
            /* A fresh connection: the inherited one is the parent's. */
            if (pj_client_init(&client, cfg->url, user, &settings, &tool_log) == PJ_OK)
                pj_client_revoke(&client, minted->token.value, minted->token.uuid);
            break;
        }
        /* `jenkins-token revoke` got there first: nothing left to do. */
        if (keyctl_read(minted->token_key, probe, sizeof(probe)) < 0 &&
            (errno == EKEYREVOKED || errno == ENOKEY))
            break;
    }
    free(leader_start);
    _exit(0);
}

static int mint_and_store(const struct pj_config *cfg, struct pj_client *client,
                          const char *user, const char *password)
{
    struct pj_template_vars vars = {0};
    struct pj_mint minted = {0};
    struct passwd *pw = getpwuid(getuid());
    char host[256] = "", err[512], *name = NULL;
    const char *tty = ttyname(0);
    int rc = EXIT_CONTROLLER;
    pid_t leader, watcher;

    gethostname(host, sizeof(host) - 1);
    vars.user = user;
    vars.host = host;
    vars.service = "jenkins-token";
    vars.tty = tty != NULL && strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;
    vars.pid = (long)getpid();
    vars.now = time(NULL);
    name = pj_mint_name(cfg->token_name, &vars, err, sizeof(err));
    if (name == NULL) {
        tool_msg("%s", err);
        goto done;
    }
    /* The same keys and meta as the module's, in this session's keyring.
     * No journal: it is root's and this runs as the user; the watcher
     * below stands in for close_session, token_lifetime for the sweep. */
    minted.cfg = cfg;
    minted.log = &tool_log;
    minted.user = pw != NULL ? pw->pw_name : user;
    minted.uid = getuid();
    minted.gid = getgid();
    if (pj_mint_and_store(&minted, client, password, name) != PJ_OK)
        goto done;
    leader = getsid(0);
    fflush(NULL);
    /* The watcher holds the token for the whole session: another process
     * of the same user (another login, a compromised build step) must not
     * read it from /proc/<pid>/mem or attach to it.  Set before fork so
     * that the watcher is never dumpable, not even for a moment. */
    watcher = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? fork() : -1;
    if (watcher == 0)
        watch(cfg, pj_client_user(client), &minted, leader,
              pj_process_start_time((long)leader));
    if (watcher < 0) {
        tool_msg("cannot start the watcher that revokes the token "
                 "at logout; revoking it now");
        pj_mint_undo(&minted, client);
        goto done;
    }
    tool_msg("token \"%s\" stored in this session (%s:token); it is "
             "revoked when the session ends",
             minted.token.name, cfg->key_name);
    rc = EXIT_OK;

done:
    pj_mint_clear(&minted);
    free(name);
    return rc;
}

int cmd_login(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"conf", required_argument, NULL, 'c'},
        {"url", required_argument, NULL, 'u'},
        {"user", required_argument, NULL, 'U'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = NULL, *url = NULL, *user = NULL;
    struct pj_http_settings settings;
    struct pj_template_vars vars = {0};
    struct pj_client client = {0};
    struct pj_config cfg;
    struct passwd *pw;
    char err[512], *jenkins_user = NULL, *password = NULL, *existing = NULL;
    int opt, rc = EXIT_USAGE;
    bool have_client = false;

    /* Not dumpable from the start: the password is read and held here, and
     * with Debian's ptrace_scope 0 another process of the same uid (another
     * session) could read it from /proc/<pid>/mem. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        tool_msg("cannot protect this process's memory: %s", strerror(errno));
        return EXIT_UNREADABLE;
    }
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            conf = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 'U':
            user = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (load_config(&cfg, conf, url) < 0)
        goto done;
    pw = getpwuid(getuid());
    vars.user = pw != NULL ? pw->pw_name : "";
    jenkins_user = user != NULL ? strdup(user)
                                : pj_template_expand(cfg.user, &vars, err, sizeof(err));
    if (jenkins_user == NULL || *jenkins_user == '\0') {
        tool_msg("no Jenkins user id; use --user");
        goto done;
    }
    rc = EXIT_CONTROLLER;
    if (pj_keyring_read(cfg.key_name, "token", &existing, NULL, NULL) == PJ_OK) {
        tool_msg("this session already holds a token "
                 "(jenkins-token status); revoke it first");
        goto done;
    }
    if (pj_keyring_check_session(getuid(), err, sizeof(err)) != PJ_OK) {
        tool_msg("%s", err);
        goto done;
    }
    password = read_password(jenkins_user, cfg.url);
    if (password == NULL || *password == '\0') {
        tool_msg("no password given");
        rc = EXIT_USAGE;
        goto done;
    }
    pj_config_http_settings(&cfg, &settings);
    if (pj_client_init(&client, cfg.url, jenkins_user, &settings, &tool_log) != PJ_OK)
        goto done;
    have_client = true;
    if (pj_client_verify(&client, password) != PJ_OK) {
        tool_msg("%s", pj_client_message(&client));
        rc = EXIT_NO_TOKEN;
        goto done;
    }
    rc = mint_and_store(&cfg, &client, jenkins_user, password);

done:
    if (have_client)
        pj_client_free(&client, false);
    pj_secret_free(password);
    pj_secret_free(existing);
    free(jenkins_user);
    pj_config_free(&cfg);
    return rc;
}
