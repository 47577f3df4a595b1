/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * pam_sm_close_session: revoke the token at logout.  Works from PAM data
 * alone: pam_keyinit's "revoke" has already revoked the session keyring by
 * the time we run, so the token cannot be read back from it.
 */
#include "config.h"

#include <syslog.h>

#include "internal.h"

int pj_close_session(struct pj_context *ctx)
{
    struct pj_http_settings settings;
    struct pj_stash *stash;
    enum pj_outcome outcome;
    struct pj_client client;

    stash = pj_stash_get(ctx);
    if (stash == NULL || !stash->minted)
        return PAM_IGNORE;
    if (stash->closed)
        return PAM_SUCCESS;
    stash->closed = true;
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
    pj_context_http_settings(ctx, &settings);
    if (pj_client_init(&client, ctx->cfg.url, stash->jenkins_user, &settings,
                       &ctx->log) < 0)
        return PAM_BUF_ERR;
    outcome = pj_client_revoke(&client, stash->token.value, stash->token.uuid);
    if (outcome == PJ_OK || outcome == PJ_BAD_CREDENTIALS) {
        /* 401 with the token itself: it no longer works (revoked by hand,
         * expired), which is what we wanted; but say which happened. */
        if (outcome == PJ_OK)
            pj_log(&ctx->log, LOG_INFO, "token %s of %s revoked on %s",
                   stash->token.uuid, stash->jenkins_user, ctx->cfg.url);
        else
            pj_log(&ctx->log, LOG_INFO,
                   "token %s of %s was already revoked or expired on %s",
                   stash->token.uuid, stash->jenkins_user, ctx->cfg.url);
        if (stash->journal_path != NULL)
            pj_journal_remove(stash->journal_path);
    } else {
        /* Logout must not fail or hang on the controller: the journal keeps
         * the token and jenkins-token sweep revokes it later. */
        pj_log(&ctx->log, LOG_WARNING,
               "could not revoke token %s of %s, left for jenkins-token sweep: %s",
               stash->token.uuid, stash->jenkins_user, client.message);
    }
    pj_client_free(&client, false);

done:
    pj_token_clear(&stash->token);
    return PAM_SUCCESS;
}
