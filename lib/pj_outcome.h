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
 *
 * Results (the one convention of the public API):
 *  - a function that can fail returns enum pj_outcome: PJ_OK (0) on
 *    success, else the value that says what went wrong.  Test it with
 *    `!= PJ_OK`, never `< 0`.
 *  - when the caller has something to log, it passes `char *err, size_t
 *    errlen`: on failure err holds one line without any secret; on success
 *    it is left alone.
 *  - a function whose only failure is running out of memory, or that
 *    cannot fail, returns its value instead: a constructor the string or
 *    object (NULL: out of memory, or the failure its comment names), a
 *    predicate a bool, a computation its number (pj_now_ms, pj_sanitize),
 *    a free or clear nothing.
 *  - what a function hands back besides its result goes through an out
 *    pointer (pj_journal_lock_shared's fd, pj_client_generate's token).
 * lib's private helpers keep their own results, stated in lib/private.h.
 */
#ifndef PJ_OUTCOME_H
#define PJ_OUTCOME_H 1

#define PJ_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* What an operation came to.  Callers map these onto PAM codes (module) or
 * exit codes (tool).  Where a system call failed (PJ_IO and the keyring's
 * values), errno is left set to its error for the caller's message. */
enum pj_outcome {
    PJ_OK = 0,
    PJ_BAD_CREDENTIALS, /* 401 */
    PJ_FORBIDDEN,       /* 403 */
    PJ_NOT_FOUND,       /* 404; no such key, journal entry or directory */
    PJ_UNREACHABLE,     /* DNS, refused, reset, dropped */
    PJ_TLS,             /* certificate or handshake */
    PJ_TIMEOUT,
    PJ_SERVER_ERROR, /* 5xx */
    PJ_PROTOCOL,     /* unexpected status, bad JSON, redirect, oversized;
                      * a meta key or handoff that does not parse */
    PJ_NOMEM,
    PJ_CONFIG,  /* refused before any request: bad URL, bad option; a setup
                 * to fix (no per-login keyring, a journal directory refused) */
    PJ_IO,      /* a file, directory, keyring or system call failed */
    PJ_EXPIRED, /* a key timed out (key_timeout) */
    PJ_REVOKED, /* a key was revoked */
    PJ_STALE,   /* the key or entry is another token's now */
    PJ_BUSY,    /* held by someone else (a lock) */
};

/* A short constant name ("ok", "bad credentials"...); never NULL. */
const char *pj_outcome_name(enum pj_outcome outcome);

#endif /* PJ_OUTCOME_H */
