/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Mint a token for a session and store it: one way for the module's
 * open_session and for `jenkins-token login`, so that both leave the same
 * keys with the same meta, and a lost answer is settled the same way.
 * What differs between them is in struct pj_mint, not in copies: the
 * keyring (the session's, or the user's with keyring = user), the journal
 * (root's, or none: the tool runs as the user and cannot write it) and
 * the deadline.  The token's name is the caller's (pj_mint_name).
 */
#ifndef PAM_JENKINS_PJ_MINT_H
#define PAM_JENKINS_PJ_MINT_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pj_client.h"
#include "pj_config.h"
#include "pj_log.h"
#include "pj_outcome.h"
#include "pj_template.h"

struct pj_mint {
    /* In, set by the caller; borrowed, must outlive the struct. */
    const struct pj_config *cfg; /* url, token_lifetime, key_name, key_timeout,
                                    ca_file, ca_path, proxy */
    const struct pj_logger *log; /* every failure is logged here */
    const char *user;            /* the local account, for messages */
    uid_t uid;                   /* owner of the keys */
    gid_t gid;                   /* user_keyring: the group to act as */
    /* false: this process's session keyring, which must be a per-login one;
     * true (keyring = user): uid's user keyring, shared by its sessions. */
    bool user_keyring;
    const char *holder; /* user_keyring: this session, "pid:start" */
    /* Root's journal directory, or NULL: no journal entry, and nothing but
     * the caller stands between a crash and a live token. */
    const char *journal_dir;
    long long deadline; /* pj_now_ms() by which minting ends; 0: none */

    /* Out, owned by the struct until pj_mint_clear. */
    struct pj_token token; /* .value is secret */
    int32_t token_key;
    int32_t meta_key;
    char *journal_path; /* the entry (or intent) left in journal_dir */
};

/* The token name: tmpl expanded with vars, plus " #" and 8 random hex
 * digits.  Unique by construction: a lost answer is recovered by this
 * name, and two sessions of one user in the same second (sshd's tty is
 * "ssh" for all of them) must never find each other's token.  malloc'd;
 * NULL with err set. */
char *pj_mint_name(const char *tmpl, const struct pj_template_vars *vars, char *err,
                   size_t errlen);

/* Mint `name` on client (verified with password: crumb and cookie) and
 * store it as <key_name>:token and <key_name>:meta.  With journal_dir: an
 * intent entry before the request, the token's entry after it.  A lost
 * answer (client->maybe_minted) is looked up by name and revoked with the
 * password, with or without a journal.  Anything failing after the mint
 * revokes the token again.  Returns PJ_OK; PJ_NOMEM; the outcome of the
 * generate request; or PJ_CONFIG when this host refused (session keyring
 * not a per-login one, journal or keyring not writable). */
enum pj_outcome pj_mint_and_store(struct pj_mint *mint, struct pj_client *client,
                                  const char *password, const char *name);

/* After PJ_OK, when the caller cannot keep the token after all (the PAM
 * environment, the tool's watcher): remove its keys, revoke it on the
 * controller and, once revoked, its journal entry; the token is wiped. */
void pj_mint_undo(struct pj_mint *mint, struct pj_client *client);

/* Wipe the token, free the journal path. */
void pj_mint_clear(struct pj_mint *mint);

#endif /* PAM_JENKINS_PJ_MINT_H */
