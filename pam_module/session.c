/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * pam_sm_open_session: mint a token named after this session on the
 * connection auth left open, journal it, and put it in the per-login session
 * keyring.  Sessions without a password behind them (public-key ssh, cron,
 * su from root) are ignored: the login goes on without a token.
 *
 * With keyring = user the token goes to the user keyring instead and is the
 * user's on this host: the first session to open mints it, the others join
 * it (no request, no password needed) as holders in its journal entry
 * (lib/shared.c).
 */
#include "config.h"

#include <errno.h>
#include <security/pam_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "lib/pj_mint.h"

static const char *pam_string(struct pj_context *ctx, int item)
{
    const void *value = NULL;

    if (pam_get_item(ctx->pamh, item, &value) != PAM_SUCCESS)
        return NULL;
    return value;
}

static char *token_name(struct pj_context *ctx)
{
    struct pj_template_vars vars;
    char host[256] = "", err[256], *name;

    gethostname(host, sizeof(host) - 1);
    vars.user = ctx->user;
    vars.host = host;
    vars.service = pam_string(ctx, PAM_SERVICE);
    vars.tty = pam_string(ctx, PAM_TTY);
    vars.rhost = pam_string(ctx, PAM_RHOST);
    vars.pid = (long)getpid();
    vars.now = time(NULL);
    name = pj_mint_name(ctx->cfg.token_name, &vars, err, sizeof(err));
    if (name == NULL)
        pj_log(&ctx->log, LOG_ERR, "token_name: %s", err);
    return name;
}

/* JENKINS_URL and JENKINS_USER_ID, the names jenkins-cli reads (and
 * `jenkins-token exec` sets), for the default key_name; with several module
 * instances (one per controller) the others export JENKINS_URL_<KEY_NAME>
 * and JENKINS_USER_ID_<KEY_NAME>, so that a second controller never
 * overwrites the first's (pam_putenv keeps the last value of a name). */
static int export_environment(struct pj_context *ctx, const struct pj_stash *stash)
{
    char url_name[100], user_name[100], *url, *user;
    int status = PAM_BUF_ERR;

    pj_instance_env_name(url_name, sizeof(url_name), ctx, "JENKINS_URL");
    pj_instance_env_name(user_name, sizeof(user_name), ctx, "JENKINS_USER_ID");
    url = pj_strdup_printf("%s=%s/", url_name, ctx->cfg.url);
    user = pj_strdup_printf("%s=%s", user_name, stash->jenkins_user);
    if (url != NULL && user != NULL) {
        status = pam_putenv(ctx->pamh, url);
        if (status == PAM_SUCCESS)
            status = pam_putenv(ctx->pamh, user);
    }
    free(url);
    free(user);
    return status;
}

/* A short sweep after each mint: tokens of sessions that died since the
 * last one (crash, kill -9, a controller that was down at logout) go as soon
 * as somebody logs in again.  At most two entries, each request with half
 * the timeout, so a login is never delayed by more than `timeout`. */
static void sweep_a_little(struct pj_context *ctx, struct pj_stash *stash)
{
    const char *own_path = stash->journal_path;
    struct pj_sweep_result result;
    struct pj_sweep opts = {0};
    long long left = pj_ms_left(ctx->deadline);
    long half;
    const char *slash = own_path != NULL ? strrchr(own_path, '/') : NULL;

    /* Only with what is left of this call's deadline: half of it for the
     * entries to start within, half for the request that starts last. */
    if (left < 0)
        left = (long long)ctx->cfg.timeout * 1000;
    half = (long)(left / 2000);
    if (half < 1)
        return;

    opts.journal_dir = ctx->cfg.journal_dir;
    opts.log = &ctx->log;
    opts.cfg = &ctx->cfg;
    opts.deadline = ctx->deadline;
    opts.timeout = half;
    opts.connect_timeout =
        ctx->cfg.connect_timeout < half ? ctx->cfg.connect_timeout : half;
    opts.max_entries = 2;
    opts.budget_seconds = half;
    opts.skip_name = slash != NULL ? slash + 1 : NULL;
    pj_ledger_sweep_options(stash, &opts);
    if (pj_sweep_run(&opts, &result) == PJ_OK &&
        (result.revoked || result.already_revoked || result.failed || result.given_up))
        pj_debug(&ctx->log,
                 "sweep at session open: %d revoked, %d already revoked or expired, "
                 "%d failed, %d given up, %d waiting, %d deferred",
                 result.revoked, result.already_revoked, result.failed, result.given_up,
                 result.waiting, result.deferred);
}

static int mint(struct pj_context *ctx, struct pj_stash *stash)
{
    struct pj_mint minted = {0};
    enum pj_outcome outcome;
    char *name = NULL;
    int status = PAM_SERVICE_ERR;

    minted.cfg = &ctx->cfg;
    minted.log = &ctx->log;
    minted.user = ctx->user;
    minted.uid = stash->uid;
    minted.gid = ctx->gid;
    minted.user_keyring = stash->shared;
    minted.holder = stash->holder;
    minted.journal_dir = ctx->cfg.journal_dir;
    minted.deadline = ctx->deadline;
    name = token_name(ctx);
    if (name == NULL)
        goto done;
    outcome = pj_mint_and_store(&minted, &stash->client, stash->password, name);
    if (outcome != PJ_OK) {
        status = outcome == PJ_NOMEM ? PAM_BUF_ERR : PAM_SESSION_ERR;
        goto done;
    }
    /* A token the session cannot be told about is revoked now: an
     * application whose open_session failed does not call close. */
    if (ctx->cfg.export_env &&
        (status = export_environment(ctx, stash)) != PAM_SUCCESS) {
        pj_log(&ctx->log, LOG_ERR, "no token for %s: cannot set the environment",
               ctx->user);
        pj_mint_undo(&minted, &stash->client);
        goto done;
    }
    pj_log(&ctx->log, LOG_INFO, "token \"%s\" (%s) minted for %s on %s",
           minted.token.name, minted.token.uuid, stash->jenkins_user, ctx->cfg.url);
    /* close_session revokes from the stash: the keys may be gone by then. */
    stash->token = minted.token;
    memset(&minted.token, 0, sizeof(minted.token));
    stash->token_key = minted.token_key;
    stash->meta_key = minted.meta_key;
    free(stash->journal_path);
    stash->journal_path = minted.journal_path;
    minted.journal_path = NULL;
    stash->minted = true;
    status = PAM_SUCCESS;
    sweep_a_little(ctx, stash);

done:
    /* The password's work is done either way. */
    pj_secret_replace(&stash->password, NULL);
    pj_client_free(&stash->client, false);
    stash->have_client = false;
    pj_mint_clear(&minted);
    free(name);
    return status;
}

/* Not minting after all: auth's client (its cookie jar and crumb) goes
 * now.  Its idle connection returns to the process's cache, close-on-exec,
 * so the command sudo runs never inherits it (docs/decisions.md). */
static void drop_client(struct pj_stash *stash)
{
    if (stash->have_client) {
        pj_client_free(&stash->client, stash->creator != getpid());
        stash->have_client = false;
    }
}

/* ------------------------------------------------------------ keyring = user */

/* May this session take the token the shared entry names as it is?  Only
 * while its keys are still in the user keyring (not revoked by hand, not
 * timed out, not replaced), in this boot, for this controller and user. */
static bool usable(struct pj_context *ctx, const struct pj_journal_entry *entry)
{
    struct pj_meta meta;
    char err[128], *token = NULL, *text = NULL, *boot = NULL, *base = NULL;
    size_t token_len = 0, text_len = 0;
    bool ok = false;

    if (entry->intent != NULL || entry->given_up != NULL || entry->uuid == NULL ||
        entry->token == NULL || entry->boot_id == NULL)
        return false;
    boot = pj_boot_id();
    base = pj_url_normalise_base(entry->url);
    if (boot == NULL || strcmp(boot, entry->boot_id) != 0 || base == NULL ||
        strcmp(base, ctx->cfg.url) != 0 || strcmp(entry->user, ctx->jenkins_user) != 0)
        goto done;
    if (pj_keyring_read_user(ctx->uid, ctx->gid, ctx->cfg.key_name, &token, &token_len,
                             &text, &text_len) != PJ_OK)
        goto done;
    if (pj_meta_parse(&meta, text, text_len, err, sizeof(err)) == PJ_OK) {
        ok = strcmp(meta.token_uuid, entry->uuid) == 0 &&
             strcmp(token, entry->token) == 0;
        pj_meta_free(&meta);
    }

done:
    pj_secret_free(token);
    free(text);
    free(boot);
    free(base);
    return ok;
}

/* A session with no password behind it joins with a stash of its own, for
 * close_session to find. */
static struct pj_stash *joining_stash(struct pj_context *ctx)
{
    struct pj_stash *stash = pj_stash_new();

    if (stash == NULL)
        return NULL;
    stash->user = strdup(ctx->user);
    stash->jenkins_user = strdup(ctx->jenkins_user);
    stash->uid = ctx->uid;
    if (stash->user == NULL || stash->jenkins_user == NULL) {
        pj_stash_free(stash, false);
        return NULL;
    }
    return stash;
}

/* Add this session to the entry's holders: no request to the controller. */
static int join(struct pj_context *ctx, struct pj_stash *stash, const char *name,
                struct pj_journal_entry *entry)
{
    char err[512], *holders, *path;
    int count = 0;

    holders = pj_holders_update(entry->holders, stash->holder, NULL, &count);
    path = pj_strdup_printf("%s/%s", ctx->cfg.journal_dir, name);
    stash->token.uuid = strdup(entry->uuid);
    if (holders == NULL || path == NULL || stash->token.uuid == NULL) {
        free(holders);
        free(path);
        return PAM_BUF_ERR;
    }
    free(entry->holders);
    entry->holders = holders;
    if (pj_journal_rewrite(ctx->cfg.journal_dir, name, entry, err, sizeof(err)) !=
        PJ_OK) {
        pj_log(&ctx->log, LOG_ERR, "no token for %s: %s", ctx->user, err);
        free(path);
        return PAM_SESSION_ERR;
    }
    free(stash->journal_path);
    stash->journal_path = path;
    stash->minted = true;
    pj_log(&ctx->log, LOG_INFO,
           "token %s of %s on %s (user keyring) shared with this session; %d "
           "sessions hold it",
           entry->uuid, entry->user, ctx->cfg.url, count);
    return PAM_SUCCESS;
}

/* After a mint that replaced a token gone from the keyring: the sessions
 * that held the old one live on and read the new one from the same keyring,
 * so they hold it too. */
static void adopt(struct pj_context *ctx, struct pj_stash *stash, const char *name,
                  const char *carried)
{
    struct pj_journal_entry entry;
    char err[512], *holders = NULL;

    if (pj_journal_read(ctx->cfg.journal_dir, name, &entry, err, sizeof(err)) !=
        PJ_OK) {
        pj_log(&ctx->log, LOG_WARNING, "cannot read %s back: %s", name, err);
        return;
    }
    holders = pj_strdup_printf("%s,%s", stash->holder, carried);
    if (holders != NULL) {
        free(entry.holders);
        entry.holders = holders;
        if (pj_journal_rewrite(ctx->cfg.journal_dir, name, &entry, err, sizeof(err)) !=
            PJ_OK)
            pj_log(&ctx->log, LOG_WARNING, "%s", err);
    }
    pj_journal_entry_free(&entry);
}

/* keyring = user: join the user's token, or mint it when there is none (or
 * its keys are gone), all under the entry's lock, so that two sessions that
 * open at once get one token.  stash may be NULL: no password from this
 * login, which can join but not mint. */
static int open_shared(struct pj_context *ctx, struct pj_stash *stash)
{
    struct pj_journal_entry entry;
    struct pj_stash *fresh = NULL;
    const char *dir = ctx->cfg.journal_dir;
    char err[512], *name = NULL, *self = NULL, *carried = NULL;
    int lock = -1, status = PAM_BUF_ERR, carried_count = 0;
    enum pj_outcome found;
    bool have_entry = false;

    memset(&entry, 0, sizeof(entry));
    name = pj_journal_shared_name(ctx->uid, ctx->cfg.key_name);
    self = pj_holder_self();
    if (name == NULL || self == NULL || strlen(self) >= sizeof(fresh->holder))
        goto done;
    status = PAM_SESSION_ERR;
    if (pj_journal_lock_shared(dir, name, ctx->deadline, &lock, err, sizeof(err)) !=
        PJ_OK) {
        pj_log(&ctx->log, LOG_ERR, "no token for %s: %s", ctx->user, err);
        goto done;
    }
    found = pj_journal_read(dir, name, &entry, err, sizeof(err));
    if (found == PJ_OK) {
        have_entry = true;
    } else if (found != PJ_NOT_FOUND) {
        pj_log(&ctx->log, LOG_ERR, "no token for %s: journal entry %s/%s: %s",
               ctx->user, dir, name, err);
        goto done;
    }
    if (have_entry && usable(ctx, &entry)) {
        if (stash == NULL && (stash = fresh = joining_stash(ctx)) == NULL) {
            status = PAM_BUF_ERR;
            goto done;
        }
        /* Nothing to mint: the password and connection go now. */
        pj_secret_replace(&stash->password, NULL);
        drop_client(stash);
        stash->shared = true;
        snprintf(stash->holder, sizeof(stash->holder), "%s", self);
        if (ctx->cfg.export_env &&
            (status = export_environment(ctx, stash)) != PAM_SUCCESS)
            goto done;
        status = join(ctx, stash, name, &entry);
        if (status == PAM_SUCCESS && fresh != NULL) {
            status = pj_stash_save(ctx, fresh);
            if (status == PAM_SUCCESS)
                fresh = NULL;
        }
        goto done;
    }
    if (stash == NULL || stash->password == NULL) {
        pj_debug(&ctx->log,
                 "no token of %s in the user keyring to share and no password from "
                 "this login to mint one: no token",
                 ctx->user);
        if (stash != NULL)
            drop_client(stash);
        status = PAM_IGNORE;
        goto done;
    }
    if (have_entry) {
        /* Its keys are gone: revoked by hand, timed out, another boot.  The
         * sweep revokes it; its holders move to the new token. */
        carried = pj_holders_update(entry.holders, NULL, NULL, &carried_count);
        if (carried == NULL) {
            status = PAM_BUF_ERR;
            goto done;
        }
        if (pj_journal_set_aside(dir, name, &entry, err, sizeof(err)) != PJ_OK) {
            pj_log(&ctx->log, LOG_ERR, "no token for %s: %s", ctx->user, err);
            goto done;
        }
        pj_log(&ctx->log, LOG_NOTICE,
               "token %s of %s is no longer in the user keyring; minting a new one",
               entry.uuid != NULL ? entry.uuid : "?", entry.user);
    }
    stash->shared = true;
    snprintf(stash->holder, sizeof(stash->holder), "%s", self);
    status = mint(ctx, stash);
    if (status == PAM_SUCCESS && carried_count > 0)
        adopt(ctx, stash, name, carried);

done:
    if (lock >= 0)
        close(lock);
    pj_stash_free(fresh, false);
    pj_journal_entry_free(&entry);
    free(name);
    free(self);
    free(carried);
    return status;
}

int pj_open_session(struct pj_context *ctx)
{
    struct pj_stash *stash, *handed = NULL;
    int status;

    stash = pj_stash_get(ctx);
    status = pj_context_resolve_user(ctx);
    if (status != PAM_SUCCESS) {
        /* sudo -u root, su to a system account: no token, and no reason to
         * keep auth's connection (or password) for the rest of the handle. */
        pj_handoff_discard(ctx, NULL);
        if (stash != NULL && !stash->minted) {
            pj_secret_replace(&stash->password, NULL);
            drop_client(stash);
        }
        return status == PAM_SERVICE_ERR ? status : PAM_IGNORE;
    }
    if (stash != NULL) {
        pj_handoff_discard(ctx, stash);
    } else {
        stash = handed = pj_handoff_take(ctx);
        if (stash == NULL && ctx->cfg.keyring == PJ_KEYRING_USER)
            return open_shared(ctx, NULL);
        if (stash == NULL) {
            pj_debug(&ctx->log,
                     "no password from this login for %s (public key, cron, su from "
                     "root): no token; `jenkins-token login` can get one",
                     ctx->user);
            return PAM_IGNORE;
        }
    }
    if (stash->minted)
        return PAM_SUCCESS; /* opened twice in one handle: mint once */
    if (stash->password == NULL) {
        drop_client(stash);
        return PAM_IGNORE;
    }
    /* sudo -u and su change PAM_USER between auth and session: a token is
     * only for the person whose password was checked. */
    if (strcmp(stash->user, ctx->user) != 0) {
        pj_log(&ctx->log, LOG_NOTICE,
               "authenticated as %s but the session is for %s: no token installed",
               stash->user, ctx->user);
        pj_secret_replace(&stash->password, NULL);
        drop_client(stash);
        status = PAM_IGNORE;
        goto done;
    }
    status = ctx->cfg.keyring == PJ_KEYRING_USER ? open_shared(ctx, stash)
                                                 : mint(ctx, stash);

done:
    if (handed != NULL) {
        if (pj_stash_save(ctx, handed) != PAM_SUCCESS) {
            pj_stash_free(handed, false);
            return PAM_BUF_ERR;
        }
    }
    return status;
}
