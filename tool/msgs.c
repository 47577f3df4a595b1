/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The one way jenkins-token talks to the person at the terminal, as curl's
 * src/tool_msgs.c is for curl: every message goes to stderr (stdout carries
 * only what was asked for), prefixed with the program's name, and
 * sanitized, because most of them carry text from the controller, the
 * journal or the keyring (token names, libcurl's errors quoting a peer
 * certificate) that must not drive the terminal.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

void tool_msg(const char *fmt, ...)
{
    char line[1024], clean[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    pj_sanitize(clean, sizeof(clean), line,
                (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    fprintf(stderr, "jenkins-token: %s\n", clean);
}

void tool_hint(const char *hint)
{
    fprintf(stderr, "  %s\n", hint);
}
