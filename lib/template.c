/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Templates for token_name and user: %u user, %h host, %s service, %t tty,
 * %r remote host, %p pid, %d ISO time, %% a percent sign.  The token name is
 * what a Jenkins admin sees on the user's Security page, so it says where and
 * when the session came from.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define TEMPLATE_MAX 256

static const char *const template_letters = "uhstrpd%";

bool pj_template_valid(const char *tmpl, char *err, size_t errlen)
{
    const char *p;

    for (p = tmpl; *p != '\0'; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '\0' || strchr(template_letters, p[1]) == NULL) {
            pj_set_error(err, errlen,
                         "template \"%s\": unknown %%%c (use %%u %%h %%s %%t %%r %%p "
                         "%%d or %%%%)",
                         tmpl, p[1] == '\0' ? ' ' : p[1]);
            return false;
        }
        p++;
    }
    return true;
}

static bool append(char *out, size_t *used, const char *s)
{
    size_t len = strlen(s);

    if (*used + len >= TEMPLATE_MAX)
        return false;
    memcpy(out + *used, s, len);
    *used += len;
    out[*used] = '\0';
    return true;
}

char *pj_template_expand(const char *tmpl, const struct pj_template_vars *vars,
                         char *err, size_t errlen)
{
    char out[TEMPLATE_MAX] = "";
    char number[32];
    char *iso = NULL, *result = NULL;
    const char *piece;
    char literal[2] = {0, 0};
    size_t used = 0;
    const char *p;

    if (!pj_template_valid(tmpl, err, errlen))
        return NULL;
    for (p = tmpl; *p != '\0'; p++) {
        if (*p != '%') {
            literal[0] = *p;
            piece = literal;
        } else {
            p++;
            switch (*p) {
            case 'u':
                piece = vars->user;
                break;
            case 'h':
                piece = vars->host;
                break;
            case 's':
                piece = vars->service;
                break;
            case 't':
                piece = vars->tty;
                break;
            case 'r':
                piece = vars->rhost;
                break;
            case 'p':
                snprintf(number, sizeof(number), "%ld", vars->pid);
                piece = number;
                break;
            case 'd':
                if (iso == NULL)
                    iso = pj_iso_time(vars->now);
                piece = iso;
                break;
            default:
                piece = "%";
                break;
            }
            if (piece == NULL)
                piece = "-";
        }
        if (!append(out, &used, piece)) {
            pj_set_error(err, errlen, "template \"%s\" expands to more than %d bytes",
                         tmpl, TEMPLATE_MAX - 1);
            goto done;
        }
    }
    result = strdup(out);
    if (result == NULL)
        pj_set_error(err, errlen, "out of memory");

done:
    free(iso);
    return result;
}
