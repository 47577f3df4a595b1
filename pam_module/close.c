/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * pam_sm_close_session: revoke the token at logout.  Works from PAM data
 * alone: pam_keyinit's "revoke" has already revoked the session keyring by
 * the time we run, so the token cannot be read back from it.
 *
 * With keyring = user the session leaves the holders of the user's shared
 * token, and only the last one out revokes it and removes its keys from
 * the user keyring (lib/shared.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

/* Revoke on the controller.  true when the token is dead (revoked now, or
 * before: a 401 with the token itself means revoked by hand or expired). */
static bool revoke_token(struct pj_context *ctx, const char *user, const char *token,
                         const char *uuid, int *status)
{
    struct pj_http_settings settings;
    enum pj_outcome outcome;
    struct pj_client client;

    pj_context_http_settings(ctx, &settings);
    if (pj_client_init(&client, ctx->cfg.url, user, &settings, &ctx->log) != PJ_OK) {
        *status = PAM_BUF_ERR;
        return false;
    }
    outcome = pj_client_revoke(&client, token, uuid);
    if (outcome == PJ_OK)
        pj_log(&ctx->log, LOG_INFO, "token %s of %s revoked on %s", uuid, user,
               ctx->cfg.url);
    else if (outcome == PJ_BAD_CREDENTIALS)
        pj_log(&ctx->log, LOG_INFO,
               "token %s of %s was already revoked or expired on %s", uuid, user,
               ctx->cfg.url);
    else
        /* Logout must not fail or hang on the controller: the journal keeps
         * the token and jenkins-token sweep revokes it later. */
        pj_log(&ctx->log, LOG_WARNING,
               "could not revoke token %s of %s, left for jenkins-token sweep: %s",
               uuid, user, pj_client_message(&client));
    pj_client_free(&client, false);
    return outcome == PJ_OK || outcome == PJ_BAD_CREDENTIALS;
}

static bool holds(const char *list, const char *holder)
{
    size_t n = strlen(holder);

    for (; list != NULL && *list != '\0'; list += strcspn(list, ",")) {
        if (*list == ',')
            list++;
        if (strncmp(list, holder, n) == 0 && (list[n] == ',' || list[n] == '\0'))
            return true;
    }
    return false;
}

/* keyring = user: leave the shared token; revoke it when no session is left. */
static int close_shared(struct pj_context *ctx, struct pj_stash *stash)
{
    struct pj_journal_entry entry;
    const char *dir = ctx->cfg.journal_dir;
    char err[512], *name = NULL, *left = NULL, *path = NULL;
    int lock = -1, count = 0, status = PAM_SUCCESS;

    memset(&entry, 0, sizeof(entry));
    name = pj_journal_shared_name(stash->uid, ctx->cfg.key_name);
    path = name != NULL ? pj_strdup_printf("%s/%s", dir, name) : NULL;
    if (path == NULL) {
        status = PAM_BUF_ERR;
        goto done;
    }
    if (pj_journal_lock_shared(dir, name, ctx->deadline, &lock, err, sizeof(err)) !=
        PJ_OK) {
        /* Our holder stays listed; once this process is gone, the sweep
         * counts it out. */
        pj_log(&ctx->log, LOG_WARNING, "token of %s left for jenkins-token sweep: %s",
               stash->jenkins_user, err);
        goto done;
    }
    if (pj_journal_read(dir, name, &entry, err, sizeof(err)) != PJ_OK ||
        !holds(entry.holders, stash->holder)) {
        pj_debug(&ctx->log, "this session no longer holds a token of %s in %s: %s",
                 stash->jenkins_user, path,
                 entry.holders == NULL ? err : "not among its holders");
        goto done;
    }
    left = pj_holders_update(entry.holders, NULL, stash->holder, &count);
    if (left == NULL) {
        status = PAM_BUF_ERR;
        goto done;
    }
    free(entry.holders);
    entry.holders = left;
    if (count > 0) {
        if (pj_journal_rewrite(dir, name, &entry, err, sizeof(err)) != PJ_OK)
            pj_log(&ctx->log, LOG_WARNING, "%s", err);
        else
            pj_log(
                &ctx->log, LOG_INFO,
                "token %s of %s stays in the user keyring: %d other sessions hold it",
                entry.uuid, entry.user, count);
        goto done;
    }
    /* The last one out: the keys go whatever the controller says. */
    pj_keyring_drop_user(stash->uid, ctx->gid, ctx->cfg.key_name, entry.uuid);
    if (ctx->cfg.retain_after_close) {
        pj_log(&ctx->log, LOG_INFO,
               "token %s of %s kept after logout (retain_after_close)", entry.uuid,
               entry.user);
        pj_journal_remove(path);
    } else if (revoke_token(ctx, entry.user, entry.token, entry.uuid, &status)) {
        pj_journal_remove(path);
    } else if (pj_journal_set_aside(dir, name, &entry, err, sizeof(err)) != PJ_OK) {
        pj_log(&ctx->log, LOG_ERR, "%s", err);
    }

done:
    if (lock >= 0)
        close(lock);
    pj_journal_entry_free(&entry);
    free(name);
    free(path);
    pj_token_clear(&stash->token);
    return status;
}

int pj_close_session(struct pj_context *ctx)
{
    struct pj_stash *stash;
    int status = PAM_SUCCESS;

    stash = pj_stash_get(ctx);
    if (stash == NULL || !stash->minted)
        return PAM_IGNORE;
    if (stash->closed)
        return PAM_SUCCESS;
    stash->closed = true;
    if (stash->shared)
        return close_shared(ctx, stash);
    /* Usually already gone: pam_keyinit's revoke, which runs before us,
     * empties the session keyring and so destroys the keys.  Other stacks
     * (no revoke argument) leave them to us. */
    pj_keyring_revoke(stash->token_key);
    pj_keyring_revoke(stash->meta_key);
    if (ctx->cfg.retain_after_close) {
        pj_log(&ctx->log, LOG_INFO,
               "token %s of %s kept after logout (retain_after_close)",
               stash->token.uuid, stash->jenkins_user);
        if (stash->journal_path != NULL)
            pj_journal_remove(stash->journal_path);
        goto done;
    }
    if (revoke_token(ctx, stash->jenkins_user, stash->token.value, stash->token.uuid,
                     &status) &&
        stash->journal_path != NULL)
        pj_journal_remove(stash->journal_path);

done:
    pj_token_clear(&stash->token);
    return status;
}
