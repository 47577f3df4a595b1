/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Copies of secrets (passwords, tokens, crumbs) and wipe-on-free
 * (lib/secret.c).  Every copy made here is freed with pj_secret_free (or
 * pj_secret_free_n), which wipes it with explicit_bzero first.
 */
#ifndef PJ_SECRET_H
#define PJ_SECRET_H 1

#include <stddef.h>

/* A copy of s, NULL when out of memory; free with pj_secret_free: wiped. */
char *pj_secret_strdup(const char *s);
/* A NUL-terminated copy of len bytes, NULL when out of memory; free with
 * pj_secret_free_n(copy, len) or pj_secret_free: wiped. */
char *pj_secret_memdup(const void *p, size_t len);
void pj_secret_free(char *s); /* wipes strlen(s) bytes, then frees; NULL ok */
void pj_secret_free_n(void *p, size_t len); /* wipes len bytes, then frees */
/* *slot = fresh (which the slot then owns); the old value is wipe-freed. */
void pj_secret_replace(char **slot, char *fresh);

#endif /* PJ_SECRET_H */
