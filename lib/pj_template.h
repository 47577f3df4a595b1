/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Templates for token_name and user (lib/template.c).
 */
#ifndef PJ_TEMPLATE_H
#define PJ_TEMPLATE_H 1

#include <stddef.h>
#include <time.h>

struct pj_template_vars {
    const char *user;
    const char *host;
    const char *service;
    const char *tty;
    const char *rhost;
    long pid;
    time_t now;
};

/* Expand %u %h %s %t %r %p %d %%; NULL with err set on an unknown % or
 * a result over 256 bytes.  The caller free()s the result (not a secret). */
char *pj_template_expand(const char *tmpl, const struct pj_template_vars *vars,
                         char *err, size_t errlen);

#endif /* PJ_TEMPLATE_H */
