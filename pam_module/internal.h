/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Internal interface of pam_jenkins.so.  public.c holds the thin pam_sm_*
 * entry points; each phase lives in its own file; stash.c keeps what auth
 * learned until the session needs it.
 */
#ifndef PAM_JENKINS_MODULE_INTERNAL_H
#define PAM_JENKINS_MODULE_INTERNAL_H 1

#include <security/pam_modules.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lib/pj_client.h"
#include "lib/pj_config.h"
#include "lib/pj_deadline.h"
#include "lib/pj_journal.h"
#include "lib/pj_keyring.h"
#include "lib/pj_log.h"
#include "lib/pj_outcome.h"
#include "lib/pj_secret.h"
#include "lib/pj_shared.h"
#include "lib/pj_sweep.h"
#include "lib/pj_template.h"
#include "lib/pj_url.h"
#include "lib/pj_util.h"

/* Everything one call into the module needs. */
struct pj_context {
    pam_handle_t *pamh;
    int flags;
    struct pj_config cfg;
    struct pj_logger log;
    const char *user; /* PAM_USER; owned by libpam */
    uid_t uid;
    gid_t gid;
    char *jenkins_user;   /* cfg.user expanded */
    long long deadline;   /* pj_now_ms() by which this call is done talking */
    long long spent_ms;   /* auth: controller time used by earlier passwords */
    const char *function; /* pam_sm_* being served */
};

/* What auth hands to the session: lives in PAM data under PJ_STASH_NAME. */
struct pj_stash {
    char *user; /* PAM_USER at auth time */
    uid_t uid;
    char *jenkins_user;
    char *password;       /* wiped once the token is minted */
    struct pj_logger log; /* the client's: outlives any one call's context */
    struct pj_client client;
    bool have_client;
    pid_t creator;       /* the process that ran auth */
    int32_t handoff_key; /* for a forked auth (sshd keyboard-interactive) */
    /* after the session opened */
    bool minted;
    bool closed;
    struct pj_token token;
    int32_t token_key;
    int32_t meta_key;
    char *journal_path;
    /* keyring = user: the token is the user's shared one, held by this
     * session as `holder` ("pid:start") in its journal entry. */
    bool shared;
    char holder[48];
};

#define PJ_STASH_NAME "pam_jenkins_stash"
#define PJ_HANDOFF_ENV "PAM_JENKINS_HANDOFF"
#define PJ_PASSWORD_MAX 512

/* context.c */
/* One PAM call: builds the context (options, logging, the call's deadline),
 * runs phase with it, frees it, and returns phase's PAM code (or the one
 * that refused the options).  function names the PAM call for the debug
 * entry and exit lines. */
int pj_context_run(pam_handle_t *pamh, int flags, int argc, const char **argv,
                   const char *function, int (*phase)(struct pj_context *ctx));
void pj_context_free(struct pj_context *ctx);
/* PAM_SUCCESS, PAM_USER_UNKNOWN (no such user) or PAM_IGNORE (skipped). */
int pj_context_resolve_user(struct pj_context *ctx);
void pj_context_http_settings(const struct pj_context *ctx,
                              struct pj_http_settings *settings);

/* One function per phase. */
int pj_authenticate(struct pj_context *ctx);
int pj_open_session(struct pj_context *ctx);
int pj_close_session(struct pj_context *ctx);

/* ledger.c */
/* Lets the sweep at session open settle this user's lost mints. */
void pj_ledger_sweep_options(struct pj_stash *stash, struct pj_sweep *opts);

/* stash.c */
struct pj_stash *pj_stash_new(void);
void pj_stash_free(struct pj_stash *stash, bool quiet);
int pj_stash_save(struct pj_context *ctx, struct pj_stash *stash);
struct pj_stash *pj_stash_get(struct pj_context *ctx);
/* Hand the stash to a parent process through a root-only kernel key whose
 * serial travels in the PAM environment (never the secret itself). */
int pj_handoff_give(struct pj_context *ctx, struct pj_stash *stash);
/* In open_session: the stash a forked auth left, or NULL.  Always removes
 * the key and the environment variable. */
struct pj_stash *pj_handoff_take(struct pj_context *ctx);
void pj_handoff_discard(struct pj_context *ctx, struct pj_stash *stash);
/* PAM_JENKINS_HANDOFF, or PAM_JENKINS_HANDOFF_<KEY_NAME> for an instance
 * with another key_name. */
void pj_handoff_env_name(char *buf, size_t len, const struct pj_context *ctx);
/* BASE for the default key_name, BASE_<KEY_NAME> for any other: the name of
 * an environment variable of this module instance (export_env). */
void pj_instance_env_name(char *buf, size_t len, const struct pj_context *ctx,
                          const char *base);
/* The payload format, exposed for the fuzzer. */
struct pj_handoff {
    char *user;
    char *jenkins_user;
    char *password;
    struct pj_client_state session; /* crumb and cookie, checked on import */
};
char *pj_handoff_format(const struct pj_stash *stash, size_t *len);
int pj_handoff_parse(struct pj_handoff *handoff, const char *payload, size_t len);
void pj_handoff_clear(struct pj_handoff *handoff);

#endif /* PAM_JENKINS_MODULE_INTERNAL_H */
