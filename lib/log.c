/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Logging helpers.  The module sends lines to pam_syslog (LOG_AUTHPRIV), the
 * tool to stderr; the library only formats.  By rule no caller passes a
 * password, token or cookie: the helpers cannot tell, so reviews and the
 * secrets test (tests/secrets.sh) enforce it.  They do sanitize: see
 * sanitize.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "private.h"

/* The format attribute lets clang check the callers' formats and keeps
 * -Wformat-nonliteral quiet here (clang's -Wformat=2 includes it). */
static void emit_v(const struct pj_logger *log, int priority, const char *fmt,
                   va_list ap) __attribute__((format(printf, 3, 0)));

static void emit_v(const struct pj_logger *log, int priority, const char *fmt,
                   va_list ap)
{
    char line[1024], clean[1024];
    int n;

    if (log == NULL || log->emit == NULL)
        return;
    n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n < 0)
        return;
    /* Every line is sanitized here, at the one place all of them pass, so
     * a user name, host or controller reply holding CR, LF or escape
     * sequences cannot forge a syslog line or drive a terminal. */
    pj_sanitize(clean, sizeof(clean), line,
                (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    explicit_bzero(line, sizeof(line));
    log->emit(log->ctx, priority, clean);
}

void pj_log(const struct pj_logger *log, int priority, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit_v(log, priority, fmt, ap);
    va_end(ap);
}

void pj_debug(const struct pj_logger *log, const char *fmt, ...)
{
    va_list ap;

    if (log == NULL || !log->debug)
        return;
    va_start(ap, fmt);
    emit_v(log, LOG_DEBUG, fmt, ap);
    va_end(ap);
}

static void emit_stderr(void *ctx, int priority, const char *line)
{
    const char *prefix = ctx;
    const char *level = "";

    if (priority <= LOG_ERR)
        level = "error: ";
    else if (priority == LOG_WARNING)
        level = "warning: ";
    else if (priority == LOG_DEBUG)
        level = "debug: ";
    fprintf(stderr, "%s: %s%s\n", prefix, level, line);
}

void pj_logger_stderr(struct pj_logger *log, const char *prefix, bool debug)
{
    log->emit = emit_stderr;
    log->ctx = (void *)prefix;
    log->debug = debug;
}
