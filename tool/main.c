/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token: hands this login session's Jenkins API token to the tools
 * that need it.  The token lives in the session keyring, put there by
 * pam_jenkins.so at login (or by `jenkins-token login`).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"

struct pj_logger tool_log;

static void usage(FILE *out)
{
    fputs("usage: jenkins-token [get] [-f FORMAT] [-n] [-k KEYNAME]\n"
          "       jenkins-token status [-s] [--json] [--show-token] [--check] [-k "
          "KEYNAME]\n"
          "       jenkins-token exec [--jjb] [-k KEYNAME] [--] [CMD [ARG...]]\n"
          "       jenkins-token login [--conf PATH] [--url URL] [--user USER]\n"
          "       jenkins-token revoke [-k KEYNAME]\n"
          "       jenkins-token sweep [--conf PATH]      (root)\n"
          "FORMAT: token auth curl netrc env env-no-export json header\n"
          "PATH: " PJ_DEFAULT_CONF " unless --conf is given.\n"
          "Exit: 0 ok, 1 no token in this session, 2 usage, 3 token unreadable.\n"
          "See jenkins-token(1).\n",
          out);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } verbs[] = {
        {"get", cmd_get},       {"status", cmd_status}, {"exec", cmd_exec},
        {"revoke", cmd_revoke}, {"login", cmd_login},   {"sweep", cmd_sweep},
    };
    size_t i;

    pj_logger_stderr(&tool_log, "jenkins-token", false);
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("jenkins-token (pam_jenkins) %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    if (argc > 1 && argv[1][0] != '-') {
        for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
            if (strcmp(argv[1], verbs[i].name) == 0)
                return verbs[i].run(argc - 1, argv + 1);
        tool_msg("unknown command \"%s\"", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
    }
    /* no verb: get */
    return cmd_get(argc, argv);
}
