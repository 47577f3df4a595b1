/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * libpamjenkins, the convenience library linked into pam_jenkins.so and
 * jenkins-token.  Its API is split by area into the lib/pj_*.h headers; the
 * module and the tool include those and nothing else of lib.  lib/private.h
 * holds what only lib itself (and its white-box tests) may use: JSON, kv
 * records, URL and form encoding, the HTTP layer, error buffers.  Nothing
 * of ours is exported from the module: hidden visibility and libtool's
 * -export-symbols-regex keep only pam_sm_* visible.
 *
 * Rules that hold for every function of the API:
 *  - a password or token is never passed to a logging helper or written
 *    into an error message;
 *  - every buffer that held a secret is wiped with explicit_bzero before it
 *    is freed (pj_secret_free, pj_token_clear, pj_client_state_clear,
 *    pj_journal_entry_free); each function that returns memory says who
 *    frees it and whether it must be wiped.
 */
#ifndef PJ_OUTCOME_H
#define PJ_OUTCOME_H 1

#define PJ_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* What an operation came to.  Callers map these onto PAM codes (module) or
 * exit codes (tool). */
enum pj_outcome {
    PJ_OK = 0,
    PJ_BAD_CREDENTIALS, /* 401 */
    PJ_FORBIDDEN,       /* 403 */
    PJ_NOT_FOUND,       /* 404 */
    PJ_UNREACHABLE,     /* DNS, refused, reset, dropped */
    PJ_TLS,             /* certificate or handshake */
    PJ_TIMEOUT,
    PJ_SERVER_ERROR, /* 5xx */
    PJ_PROTOCOL,     /* unexpected status, bad JSON, redirect, oversized */
    PJ_NOMEM,
    PJ_CONFIG, /* refused before any request: bad URL, bad option */
};

/* A short constant name ("ok", "bad credentials"...); never NULL. */
const char *pj_outcome_name(enum pj_outcome outcome);

#endif /* PJ_OUTCOME_H */
