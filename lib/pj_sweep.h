/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The sweep (lib/sweep.c): revokes the journalled tokens of dead sessions,
 * with backoff, giving up, and intent entries.  jenkins-token sweep runs it
 * in full; the module runs a bounded one at session open.
 */
#ifndef PJ_SWEEP_H
#define PJ_SWEEP_H 1

#include <stdbool.h>

#include "pj_config.h"
#include "pj_journal.h"
#include "pj_log.h"
#include "pj_outcome.h"

struct pj_sweep {
    const char *journal_dir;
    const struct pj_logger *log;
    /* The configuration (after pj_config_finish): only entries for its url
     * are revoked, with its ca_file, ca_path and proxy, never the entry's;
     * an entry's url must also pass its allow_insecure_http policy.  NULL:
     * the sweep refuses to run. */
    const struct pj_config *cfg;
    long connect_timeout;
    long timeout;
    int max_entries;     /* revokes tried; 0: all */
    long budget_seconds; /* 0: no limit; entries past it wait for next time */
    long long deadline;  /* pj_now_ms() time no request passes (0: none) */
    const char *skip_name;
    /* Optional: told about every given-up entry (jenkins-token sweep lists
     * them for the admin). */
    void (*given_up)(void *ctx, const char *path, const struct pj_journal_entry *entry);
    void *given_up_ctx; /* Optional, at session open while the user's password is at
                         * hand: the intent entries of dead sessions (tokens that may be
                         * live, uuid unknown) are handed here.  PJ_OK: found and
                         * revoked; PJ_NOT_FOUND: the controller lists no such token;
                         * PJ_CONFIG: not this user's (left alone); anything else: not
                         * resolved (reported, kept). */
    enum pj_outcome (*resolve_intent)(void *ctx, const struct pj_journal_entry *entry);
    /* Whether resolve_intent can settle this intent (costs requests); the
     * others are counted as waiting and use none of max_entries. */
    bool (*owns_intent)(void *ctx, const struct pj_journal_entry *entry);
    void *resolve_ctx;
};

struct pj_sweep_result {
    int revoked;
    int already_revoked; /* 401: revoked or expired before; entry dropped */
    int alive;
    int failed;   /* tried now, failed; tried again later */
    int waiting;  /* failed before; its next try is not due */
    int given_up; /* kept on disk, never tried again */
    int skipped;  /* unreadable or foreign entries */
    int deferred; /* over max_entries or the budget, or held by another sweep */
};

/* When it does not run: PJ_CONFIG (no configured url, or the journal
 * directory refused; logged, naming the fix), PJ_NOT_FOUND (no journal
 * directory; not logged) or PJ_IO (no /proc to tell live sessions from dead
 * ones, or the directory unreadable; logged). */
enum pj_outcome pj_sweep_run(const struct pj_sweep *opts,
                             struct pj_sweep_result *result);

#endif /* PJ_SWEEP_H */
