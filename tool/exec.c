/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token exec [--jjb] [--] [CMD [ARG...]]: run a command with the
 * token in the variables its clients read: JENKINS_URL, JENKINS_USER_ID and
 * JENKINS_API_TOKEN (jenkins-cli), and with --jjb JJB_USER and JJB_PASSWORD
 * (jenkins-job-builder).  Without a command, the user's shell.  Only the
 * command's environment gets the token, never the session's.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *user_shell(void)
{
    const char *shell = getenv("SHELL");
    struct passwd *pw;

    if (shell != NULL && *shell != '\0')
        return shell;
    pw = getpwuid(getuid());
    return pw != NULL && pw->pw_shell[0] != '\0' ? pw->pw_shell : "/bin/sh";
}

int cmd_exec(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"jjb", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *key_name = PJ_DEFAULT_KEY_NAME;
    struct session_token st;
    bool jjb = false;
    char *url = NULL;
    int opt, rc;

    optind = 1;
    /* '+': stop at the command, whose options are its own */
    while ((opt = getopt_long(argc, argv, "+k:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            jjb = true;
            break;
        case 'k':
            key_name = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    rc = session_token_load(key_name, &st);
    if (rc != EXIT_OK)
        return rc == EXIT_NO_TOKEN ? EXIT_NO_TOKEN : EXIT_EXEC_FAILED;
    /* jenkins-cli and python-jenkins join paths onto the URL: give it the
     * trailing slash Jenkins' own root URL has. */
    url = pj_strdup_printf("%s/", st.meta.url);
    if (url == NULL || setenv("JENKINS_URL", url, 1) < 0 ||
        setenv("JENKINS_USER_ID", st.meta.user, 1) < 0 ||
        setenv("JENKINS_API_TOKEN", st.token, 1) < 0 ||
        (jjb && (setenv("JJB_USER", st.meta.user, 1) < 0 ||
                 setenv("JJB_PASSWORD", st.token, 1) < 0))) {
        tool_msg("cannot set the environment");
        free(url);
        session_token_free(&st);
        return EXIT_EXEC_FAILED;
    }
    free(url);
    session_token_free(&st);
    if (optind >= argc) {
        const char *shell = user_shell();

        execl(shell, shell, (char *)NULL);
        tool_msg("cannot run %s: %s", shell, strerror(errno));
    } else {
        execvp(argv[optind], argv + optind);
        tool_msg("cannot run %s: %s", argv[optind], strerror(errno));
    }
    /* as env(1): 127 not found, 126 found but not runnable */
    return errno == ENOENT ? 127 : 126;
}
