/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token [get] [-f FORMAT] [-n] [-k KEYNAME]: print the token.
 * stdout carries only the token in the asked format.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "internal.h"

int cmd_get(int argc, char **argv)
{
    const char *format = "token", *key_name = PJ_DEFAULT_KEY_NAME;
    struct session_token st;
    bool newline = true;
    int opt, rc;

    optind = 1;
    while ((opt = getopt(argc, argv, "f:nk:")) != -1) {
        switch (opt) {
        case 'f':
            format = optarg;
            break;
        case 'n':
            newline = false;
            break;
        case 'k':
            key_name = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        tool_msg("get takes no arguments");
        return EXIT_USAGE;
    }
    rc = session_token_load(key_name, &st);
    if (rc != EXIT_OK)
        return rc;
    rc = format_token(stdout, format, &st, newline);
    session_token_free(&st);
    if (fflush(stdout) != 0)
        return EXIT_UNREADABLE;
    return rc;
}
