/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * pam_sm_authenticate: get the password, check it with the controller's
 * crumb request (which also gives the crumb and session cookie that minting
 * needs), and stash everything for the session.  Nothing is minted here:
 * sudo and screen lockers authenticate without opening a session.
 */
#include "config.h"

#include <security/pam_ext.h>
#include <security/pam_modutil.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

static int prompt_password(struct pj_context *ctx, char **out)
{
    char *answer = NULL;
    int status;

    status = pam_prompt(ctx->pamh, PAM_PROMPT_ECHO_OFF, &answer, "Password: ");
    if (status != PAM_SUCCESS || answer == NULL) {
        pj_secret_free(answer);
        return status == PAM_SUCCESS ? PAM_CONV_ERR : status;
    }
    /* Offer it to the modules after us (use_first_pass), as pam_unix does. */
    pam_set_item(ctx->pamh, PAM_AUTHTOK, answer);
    *out = answer;
    return PAM_SUCCESS;
}

static int stored_password(struct pj_context *ctx, char **out)
{
    const void *item = NULL;

    *out = NULL;
    if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == NULL)
        return PAM_AUTHTOK_ERR;
    *out = pj_secret_strdup(item);
    return *out == NULL ? PAM_BUF_ERR : PAM_SUCCESS;
}

static const char *item_or_empty(struct pj_context *ctx, int item)
{
    const void *value = NULL;

    if (pam_get_item(ctx->pamh, item, &value) != PAM_SUCCESS || value == NULL)
        return "";
    return value;
}

/* A refused password in pam_unix's words, the line fail2ban's pam-generic
 * filter and logwatch read (with __pam_auth = pam_jenkins), then why.  A
 * controller that cannot be asked is logged otherwise (see verify): a
 * fleet must not ban its users because Jenkins was down. */
static void log_auth_failure(struct pj_context *ctx, const char *why)
{
    const char *logname = pam_modutil_getlogin(ctx->pamh);

    pj_log(&ctx->log, LOG_NOTICE,
           "authentication failure; logname=%s uid=%lu euid=%lu tty=%s ruser=%s "
           "rhost=%s  user=%s",
           logname != NULL ? logname : "", (unsigned long)getuid(),
           (unsigned long)geteuid(), item_or_empty(ctx, PAM_TTY),
           item_or_empty(ctx, PAM_RUSER), item_or_empty(ctx, PAM_RHOST), ctx->user);
    pj_log(&ctx->log, LOG_INFO, "password of %s refused: %s", ctx->user, why);
}

static int map_outcome(enum pj_outcome outcome)
{
    switch (outcome) {
    case PJ_OK:
        return PAM_SUCCESS;
    case PJ_BAD_CREDENTIALS:
    case PJ_FORBIDDEN:
        return PAM_AUTH_ERR;
    case PJ_NOMEM:
        return PAM_BUF_ERR;
    case PJ_CONFIG:
        return PAM_SERVICE_ERR;
    default:
        return PAM_AUTHINFO_UNAVAIL;
    }
}

/* One verification attempt with one password. */
static int verify(struct pj_context *ctx, struct pj_stash *stash, const char *password)
{
    struct pj_http_settings settings;
    enum pj_outcome outcome;
    size_t len = strlen(password);
    long long started;

    if (len == 0 || len > PJ_PASSWORD_MAX) {
        log_auth_failure(ctx, len == 0 ? "empty password, not sent"
                                       : "oversized password, not sent");
        return PAM_AUTH_ERR;
    }
    /* The deadline runs while the controller is asked, not while a person
     * types at our own prompt; with try_first_pass the second password gets
     * what the first left of `timeout`. */
    started = pj_now_ms();
    if (ctx->cfg.timeout > 0)
        ctx->deadline = started + (long long)ctx->cfg.timeout * 1000 - ctx->spent_ms;
    if (stash->have_client)
        pj_client_set_deadline(&stash->client, ctx->deadline);
    if (!stash->have_client) {
        pj_context_http_settings(ctx, &settings);
        stash->log = ctx->log;
        if (pj_client_init(&stash->client, ctx->cfg.url, ctx->jenkins_user, &settings,
                           &stash->log) != PJ_OK)
            return PAM_BUF_ERR;
        stash->have_client = true;
    }
    outcome = pj_client_verify(&stash->client, password);
    ctx->spent_ms += pj_now_ms() - started;
    if (outcome == PJ_OK) {
        pj_debug(&ctx->log, "%s verified as Jenkins user %s on %s", ctx->user,
                 ctx->jenkins_user, ctx->cfg.url);
        return PAM_SUCCESS;
    }
    if (outcome == PJ_BAD_CREDENTIALS || outcome == PJ_FORBIDDEN)
        log_auth_failure(ctx, pj_client_message(&stash->client));
    else
        pj_log(&ctx->log, LOG_ERR,
               "cannot check the password of %s, the controller did not answer "
               "usefully: %s",
               ctx->user, pj_client_message(&stash->client));
    return map_outcome(outcome);
}

static int obtain_and_verify(struct pj_context *ctx, struct pj_stash *stash)
{
    const struct pj_config *cfg = &ctx->cfg;
    bool use_stored =
        cfg->use_first_pass || cfg->try_first_pass || cfg->force_first_pass;
    char *password = NULL;
    int status = PAM_AUTH_ERR;

    if (use_stored && stored_password(ctx, &password) == PAM_SUCCESS) {
        status = verify(ctx, stash, password);
        /* try_first_pass: a wrong stored password earns one prompt. */
        if (status == PAM_AUTH_ERR && cfg->try_first_pass && !cfg->use_first_pass &&
            !cfg->force_first_pass) {
            pj_secret_replace(&password, NULL);
            if ((status = prompt_password(ctx, &password)) == PAM_SUCCESS)
                status = verify(ctx, stash, password);
        }
    } else if (cfg->force_first_pass) {
        pj_log(&ctx->log, LOG_ERR,
               "force_first_pass: no password from an earlier module for %s",
               ctx->user);
        status = PAM_AUTH_ERR;
        goto done;
    } else if ((status = prompt_password(ctx, &password)) == PAM_SUCCESS) {
        status = verify(ctx, stash, password);
    }
    if (status == PAM_SUCCESS) {
        stash->password = password;
        password = NULL;
    }

done:
    pj_secret_free(password);
    return status;
}

/* A second pam_authenticate on a handle whose session holds a token (a
 * screen locker or login re-checking the password): check it, but keep the
 * stash that knows the token, or close_session could never revoke it. */
static int reverify(struct pj_context *ctx)
{
    struct pj_stash *scratch = pj_stash_new();
    int status;

    if (scratch == NULL)
        return PAM_BUF_ERR;
    status = obtain_and_verify(ctx, scratch);
    pj_stash_free(scratch, false);
    return status;
}

int pj_authenticate(struct pj_context *ctx)
{
    struct pj_stash *stash = NULL, *open_session;
    int status;

    status = pj_context_resolve_user(ctx);
    if (status == PAM_IGNORE || status == PAM_USER_UNKNOWN) {
        status = PAM_USER_UNKNOWN;
        goto done;
    }
    if (status != PAM_SUCCESS)
        goto done;
    open_session = pj_stash_get(ctx);
    if (open_session != NULL && open_session->minted && !open_session->closed) {
        status = reverify(ctx);
        goto done;
    }
    stash = pj_stash_new();
    if (stash == NULL) {
        status = PAM_BUF_ERR;
        goto done;
    }
    status = obtain_and_verify(ctx, stash);
    if (status != PAM_SUCCESS)
        goto done;
    stash->uid = ctx->uid;
    stash->user = strdup(ctx->user);
    stash->jenkins_user = strdup(ctx->jenkins_user);
    if (stash->user == NULL || stash->jenkins_user == NULL) {
        status = PAM_BUF_ERR;
        goto done;
    }
    /* The key first, so the stash remembers it for its destructor. */
    status = pj_handoff_give(ctx, stash);
    if (status != PAM_SUCCESS)
        goto done;
    status = pj_stash_save(ctx, stash);
    if (status == PAM_SUCCESS)
        stash = NULL; /* libpam owns it now */

done:
    if (stash != NULL) {
        pj_handoff_discard(ctx, stash);
        pj_stash_free(stash, false);
    }
    return status;
}
