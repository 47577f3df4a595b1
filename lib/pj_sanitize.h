/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Outside text made safe for syslog and terminals (lib/sanitize.c): C0/C1
 * controls, DEL, bidi controls and invalid UTF-8 become \xNN.
 */
#ifndef PJ_SANITIZE_H
#define PJ_SANITIZE_H 1

#include <stddef.h>

/* Returns the length written; out is always NUL-terminated (truncated to
 * fit). */
size_t pj_sanitize(char *out, size_t outlen, const char *in, size_t inlen);
/* The same into a fresh string, NULL when out of memory; the caller
 * free()s it (never a secret). */
char *pj_sanitize_dup(const char *in);

#endif /* PJ_SANITIZE_H */
