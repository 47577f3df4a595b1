/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Memory that held a password, a token or a session cookie.  Every copy we
 * make is wiped before it is freed, so a core dump or a later heap reuse in
 * sshd does not reveal it.  libcurl and libpam keep copies of their own that
 * we cannot reach; we keep ours short-lived.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "private.h"

char *pj_secret_memdup(const void *p, size_t len)
{
    char *copy = malloc(len + 1);

    if (copy == NULL)
        return NULL;
    memcpy(copy, p, len);
    copy[len] = '\0';
    return copy;
}

char *pj_secret_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    return pj_secret_memdup(s, strlen(s));
}

void pj_secret_free_n(void *p, size_t len)
{
    if (p == NULL)
        return;
    explicit_bzero(p, len);
    free(p);
}

void pj_secret_free(char *s)
{
    if (s == NULL)
        return;
    pj_secret_free_n(s, strlen(s));
}

void pj_secret_replace(char **slot, char *fresh)
{
    pj_secret_free(*slot);
    *slot = fresh;
}
