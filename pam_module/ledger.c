/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The module's side of the journal: no token the controller mints for a
 * session may be one the host cannot account for.
 *
 *  1. Before the generate request, an intent entry records the token's
 *     name (unique per session), the controller, the Jenkins id and the
 *     session's pid, start time and boot.
 *  2. When the controller answers with the token, its entry is written,
 *     durably, under its uuid, with its value: the sweep can revoke it; then
 *     the intent goes.
 *  3. When it refuses, the intent is dropped: nothing was minted.
 *  4. When the answer is lost (a timeout, a reset, a reply cut off at 64
 *     KiB: the controller may have minted after all), the module, still
 *     holding the password and within the call's deadline, looks the name
 *     up on the user's token page and revokes what it finds.  If that cannot
 *     finish, the intent stays, and `jenkins-token sweep` reports it as a
 *     token that may be live, with the page where an admin revokes it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

static void fill_entry(const struct pj_context *ctx, const struct pj_stash *stash,
                       const char *name, const char *created, char *pid, size_t pidlen,
                       struct pj_journal_entry *entry)
{
    memset(entry, 0, sizeof(*entry));
    snprintf(pid, pidlen, "%ld", (long)getpid());
    entry->url = ctx->cfg.url;
    entry->user = stash->jenkins_user;
    entry->token_name = (char *)name;
    entry->created = (char *)created;
    entry->pid = pid;
    entry->start_time = pj_process_start_time((long)getpid());
    entry->boot_id = pj_boot_id();
    entry->ca_file = ctx->cfg.ca_file;
    entry->ca_path = ctx->cfg.ca_path;
    entry->proxy = ctx->cfg.proxy;
}

enum pj_outcome pj_ledger_intent(struct pj_context *ctx, struct pj_stash *stash,
                                 const char *name, const char *created)
{
    struct pj_journal_entry entry;
    char err[512], pid[32];
    enum pj_outcome status;

    fill_entry(ctx, stash, name, created, pid, sizeof(pid), &entry);
    entry.intent = (char *)"1";
    status = pj_journal_write_intent(ctx->cfg.journal_dir, &entry, &stash->journal_path,
                                     err, sizeof(err));
    if (status != PJ_OK)
        pj_log(&ctx->log, LOG_ERR, "no token for %s: %s", ctx->user, err);
    free(entry.start_time);
    free(entry.boot_id);
    return status;
}

enum pj_outcome pj_ledger_minted(struct pj_context *ctx, struct pj_stash *stash,
                                 const char *created)
{
    struct pj_journal_entry entry;
    char err[512], pid[32], uid[32], *path = NULL;
    enum pj_outcome status;

    fill_entry(ctx, stash, stash->token.name, created, pid, sizeof(pid), &entry);
    entry.uuid = stash->token.uuid;
    entry.token = stash->token.value;
    /* keyring = user: the entry of the user's shared token (lib/shared.c). */
    if (stash->shared) {
        snprintf(uid, sizeof(uid), "%lu", (unsigned long)stash->uid);
        entry.uid = uid;
        entry.key_name = ctx->cfg.key_name;
        entry.holders = stash->holder;
    }
    /* The entry under the token's uuid, durably, then the intent goes: an
     * admin finds the token's file by its uuid. */
    status = pj_journal_write(ctx->cfg.journal_dir, &entry, &path, err, sizeof(err));
    if (status != PJ_OK) {
        pj_log(&ctx->log, LOG_ERR, "no token for %s: %s", ctx->user, err);
    } else {
        pj_ledger_drop(stash);
        stash->journal_path = path;
    }
    free(entry.start_time);
    free(entry.boot_id);
    return status;
}

void pj_ledger_drop(struct pj_stash *stash)
{
    if (stash->journal_path != NULL)
        pj_journal_remove(stash->journal_path);
    free(stash->journal_path);
    stash->journal_path = NULL;
}

void pj_ledger_recover(struct pj_context *ctx, struct pj_stash *stash, const char *name,
                       enum pj_outcome why)
{
    struct pj_client *client = &stash->client;
    enum pj_outcome outcome;
    char *uuid = NULL;

    pj_client_set_deadline(client, ctx->deadline);
    outcome = pj_client_find_token(client, stash->password, name, &uuid);
    if (outcome == PJ_OK)
        outcome = pj_client_revoke_with_password(client, stash->password, uuid);
    if (outcome == PJ_OK) {
        pj_log(
            &ctx->log, LOG_NOTICE,
            "the controller %s minted token \"%s\" (%s) for %s after all; revoked it",
            ctx->cfg.url, name, uuid, stash->jenkins_user);
        pj_ledger_drop(stash);
    } else if (outcome == PJ_NOT_FOUND && why == PJ_PROTOCOL) {
        /* The controller answered (a reply cut off or garbled) and lists no
         * such token.  After a timeout, a reset or a gateway's 502/504 it
         * may still be minting: the intent stays. */
        pj_debug(&ctx->log, "token \"%s\" was not minted after all", name);
        pj_ledger_drop(stash);
    } else {
        /* A slow controller may still be minting: the intent stays. */
        pj_log(&ctx->log, LOG_ERR,
               "token \"%s\" of %s may be live on %s (%s); it stays in the journal "
               "for jenkins-token sweep, which will report it",
               name, stash->jenkins_user, ctx->cfg.url, client->message);
    }
    free(uuid);
}

/* The sweep at session open hands us intent entries of dead sessions: the
 * ones of this user on this controller we can settle now, with the
 * password auth checked and the crumb session it opened. */
static bool owns_intent(void *arg, const struct pj_journal_entry *entry)
{
    struct pj_stash *stash = arg;
    char *normal = pj_url_normalise_base(entry->url);
    bool mine = normal != NULL && stash->password != NULL &&
                strcmp(normal, stash->client.base) == 0 &&
                strcmp(entry->user, stash->jenkins_user) == 0;

    free(normal);
    return mine;
}

static enum pj_outcome resolve_intent(void *arg, const struct pj_journal_entry *entry)
{
    struct pj_stash *stash = arg;
    struct pj_client *client = &stash->client;
    enum pj_outcome outcome;
    char *uuid = NULL;

    if (!owns_intent(arg, entry))
        return PJ_CONFIG;
    outcome = pj_client_find_token(client, stash->password, entry->token_name, &uuid);
    if (outcome == PJ_OK)
        outcome = pj_client_revoke_with_password(client, stash->password, uuid);
    free(uuid);
    return outcome;
}

void pj_ledger_sweep_options(struct pj_stash *stash, struct pj_sweep *opts)
{
    opts->resolve_intent = resolve_intent;
    opts->owns_intent = owns_intent;
    opts->resolve_ctx = stash;
}
