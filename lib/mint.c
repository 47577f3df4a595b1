/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Mint and store, for the module's open_session and `jenkins-token login`
 * (pj_mint.h).  With a journal, no token the controller mints may be one
 * the host cannot account for:
 *
 *  1. Before the generate request, an intent entry records the token's
 *     name (unique per session), the controller, the Jenkins id and the
 *     session's pid, start time and boot.
 *  2. When the controller answers with the token, its entry is written,
 *     durably, under its uuid, with its value: the sweep can revoke it; then
 *     the intent goes.
 *  3. When it refuses, the intent is dropped: nothing was minted.
 *  4. When the answer is lost (a timeout, a reset, a reply cut off at 64
 *     KiB: the controller may have minted after all), the caller, still
 *     holding the password, looks the name up on the user's token page and
 *     revokes what it finds.  If that cannot finish, the intent stays, and
 *     `jenkins-token sweep` reports it as a token that may be live, with
 *     the page where an admin revokes it.
 *
 * Without a journal (`jenkins-token login`) steps 1 to 3 are skipped;
 * step 4 is not: the lookup needs only the password.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "pj_deadline.h"
#include "pj_journal.h"
#include "pj_keyring.h"
#include "pj_mint.h"
#include "pj_util.h"

char *pj_mint_name(const char *tmpl, const struct pj_template_vars *vars, char *err,
                   size_t errlen)
{
    unsigned char nonce[4];
    char *name, *unique;

    name = pj_template_expand(tmpl, vars, err, errlen);
    if (name == NULL)
        return NULL;
    if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
        snprintf(err, errlen, "no random bytes: %s", strerror(errno));
        free(name);
        return NULL;
    }
    unique = pj_strdup_printf("%s #%02x%02x%02x%02x", name, nonce[0], nonce[1],
                              nonce[2], nonce[3]);
    if (unique == NULL)
        snprintf(err, errlen, "out of memory");
    free(name);
    return unique;
}

static void fill_entry(const struct pj_mint *mint, const struct pj_client *client,
                       const char *name, const char *created, char *pid, size_t pidlen,
                       struct pj_journal_entry *entry)
{
    memset(entry, 0, sizeof(*entry));
    snprintf(pid, pidlen, "%ld", (long)getpid());
    entry->url = mint->cfg->url;
    entry->user = client->user_id;
    entry->token_name = (char *)name;
    entry->created = (char *)created;
    entry->pid = pid;
    entry->start_time = pj_process_start_time((long)getpid());
    entry->boot_id = pj_boot_id();
    entry->ca_file = mint->cfg->ca_file;
    entry->ca_path = mint->cfg->ca_path;
    entry->proxy = mint->cfg->proxy;
}

static enum pj_outcome write_intent(struct pj_mint *mint,
                                    const struct pj_client *client, const char *name,
                                    const char *created)
{
    struct pj_journal_entry entry;
    char err[512], pid[32];
    enum pj_outcome status;

    fill_entry(mint, client, name, created, pid, sizeof(pid), &entry);
    entry.intent = (char *)"1";
    status = pj_journal_write_intent(mint->journal_dir, &entry, &mint->journal_path,
                                     err, sizeof(err));
    if (status != PJ_OK)
        pj_log(mint->log, LOG_ERR, "no token for %s: %s", mint->user, err);
    free(entry.start_time);
    free(entry.boot_id);
    return status;
}

static void drop_entry(struct pj_mint *mint)
{
    if (mint->journal_path != NULL)
        pj_journal_remove(mint->journal_path);
    free(mint->journal_path);
    mint->journal_path = NULL;
}

static enum pj_outcome write_minted(struct pj_mint *mint,
                                    const struct pj_client *client, const char *created)
{
    struct pj_journal_entry entry;
    char err[512], pid[32], uid[32], *path = NULL;
    enum pj_outcome status;

    fill_entry(mint, client, mint->token.name, created, pid, sizeof(pid), &entry);
    entry.uuid = mint->token.uuid;
    entry.token = mint->token.value;
    /* keyring = user: the entry of the user's shared token (lib/shared.c). */
    if (mint->user_keyring) {
        snprintf(uid, sizeof(uid), "%lu", (unsigned long)mint->uid);
        entry.uid = uid;
        entry.key_name = mint->cfg->key_name;
        entry.holders = (char *)mint->holder;
    }
    /* The entry under the token's uuid, durably, then the intent goes: an
     * admin finds the token's file by its uuid. */
    status = pj_journal_write(mint->journal_dir, &entry, &path, err, sizeof(err));
    if (status != PJ_OK) {
        pj_log(mint->log, LOG_ERR, "no token for %s: %s", mint->user, err);
    } else {
        drop_entry(mint);
        mint->journal_path = path;
    }
    free(entry.start_time);
    free(entry.boot_id);
    return status;
}

/* After a generate whose answer was lost (why): find the token by name
 * and revoke it with the password. */
static void recover(struct pj_mint *mint, struct pj_client *client,
                    const char *password, const char *name, enum pj_outcome why)
{
    enum pj_outcome outcome;
    char *uuid = NULL;

    if (mint->deadline > 0)
        pj_client_set_deadline(client, mint->deadline);
    outcome = pj_client_find_token(client, password, name, &uuid);
    if (outcome == PJ_OK)
        outcome = pj_client_revoke_with_password(client, password, uuid);
    if (outcome == PJ_OK) {
        pj_log(
            mint->log, LOG_NOTICE,
            "the controller %s minted token \"%s\" (%s) for %s after all; revoked it",
            mint->cfg->url, name, uuid, client->user_id);
        drop_entry(mint);
    } else if (outcome == PJ_NOT_FOUND && why == PJ_PROTOCOL) {
        /* The controller answered (a reply cut off or garbled) and lists no
         * such token.  After a timeout, a reset or a gateway's 502/504 it
         * may still be minting: the intent stays. */
        pj_debug(mint->log, "token \"%s\" was not minted after all", name);
        drop_entry(mint);
    } else if (mint->journal_dir != NULL) {
        /* A slow controller may still be minting: the intent stays. */
        pj_log(mint->log, LOG_ERR,
               "token \"%s\" of %s may be live on %s (%s); it stays in the journal "
               "for jenkins-token sweep, which will report it",
               name, client->user_id, mint->cfg->url, client->message);
    } else {
        pj_log(mint->log, LOG_ERR,
               "token \"%s\" of %s may be live on %s (%s); no journal holds it: "
               "revoke it on %s/me/security/ if it is listed there",
               name, client->user_id, mint->cfg->url, client->message, mint->cfg->url);
    }
    free(uuid);
}

static enum pj_outcome store(struct pj_mint *mint, const struct pj_client *client,
                             const char *created)
{
    struct pj_meta meta = {0};
    const struct pj_config *cfg = mint->cfg;
    char err[512], *text;
    enum pj_outcome status;

    meta.url = cfg->url;
    meta.user = client->user_id;
    meta.token_name = mint->token.name;
    meta.token_uuid = mint->token.uuid;
    meta.created = (char *)created;
    meta.expires = mint->token.expires;
    meta.ca_file = cfg->ca_file;
    meta.ca_path = cfg->ca_path;
    meta.proxy = cfg->proxy;
    text = pj_meta_format(&meta);
    if (text == NULL) {
        pj_log(mint->log, LOG_ERR, "no token for %s: out of memory", mint->user);
        return PJ_NOMEM;
    }
    if (mint->user_keyring)
        status = pj_keyring_store_user(
            cfg->key_name, mint->token.value, text, mint->uid, mint->gid,
            cfg->key_timeout, &mint->token_key, &mint->meta_key, err, sizeof(err));
    else
        status = pj_keyring_store(cfg->key_name, mint->token.value, text, mint->uid,
                                  cfg->key_timeout, &mint->token_key, &mint->meta_key,
                                  err, sizeof(err));
    if (status != PJ_OK)
        pj_log(mint->log, LOG_ERR, "no token for %s: %s", mint->user, err);
    free(text);
    return status;
}

enum pj_outcome pj_mint_and_store(struct pj_mint *mint, struct pj_client *client,
                                  const char *password, const char *name)
{
    enum pj_outcome outcome = PJ_CONFIG;
    long long left;
    char err[512], *created = NULL;

    if (mint->deadline > 0)
        pj_client_set_deadline(client, mint->deadline);
    /* Refuse before minting: a shared keyring would give the token to every
     * session of the user, or to root's processes (keyring = user shares it
     * on purpose, and only with the user). */
    if (!mint->user_keyring &&
        pj_keyring_check_session(mint->uid, err, sizeof(err)) != PJ_OK) {
        pj_log(mint->log, LOG_ERR, "no token for %s: %s", mint->user, err);
        goto done;
    }
    created = pj_iso_time(time(NULL));
    if (created == NULL) {
        outcome = PJ_NOMEM;
        goto done;
    }
    /* The intent first: a request the controller finishes after we gave up
     * must still be found. */
    if (mint->journal_dir != NULL && write_intent(mint, client, name, created) != PJ_OK)
        goto done;
    left = mint->deadline > 0 ? pj_ms_left(mint->deadline) : 0;
    if (left > 0)
        /* Keep a third of the call for finding and revoking a token whose
         * answer was lost. */
        pj_client_set_deadline(client, pj_now_ms() + left * 2 / 3);
    outcome = pj_client_generate(client, password, name, mint->cfg->token_lifetime,
                                 &mint->token);
    if (outcome != PJ_OK) {
        pj_log(mint->log, LOG_ERR, "no token for %s: %s", mint->user, client->message);
        if (client->maybe_minted)
            recover(mint, client, password, name, outcome);
        else
            drop_entry(mint);
        goto done;
    }
    if (mint->deadline > 0)
        pj_client_set_deadline(client, mint->deadline);
    if ((mint->journal_dir != NULL && write_minted(mint, client, created) != PJ_OK) ||
        store(mint, client, created) != PJ_OK) {
        pj_mint_undo(mint, client);
        outcome = PJ_CONFIG;
        goto done;
    }

done:
    free(created);
    return outcome;
}

void pj_mint_undo(struct pj_mint *mint, struct pj_client *client)
{
    if (mint->user_keyring && mint->token.uuid != NULL)
        pj_keyring_drop_user(mint->uid, mint->gid, mint->cfg->key_name,
                             mint->token.uuid);
    pj_keyring_revoke(mint->token_key);
    pj_keyring_revoke(mint->meta_key);
    mint->token_key = mint->meta_key = 0;
    if (pj_client_revoke(client, mint->token.value, mint->token.uuid) != PJ_OK)
        pj_log(mint->log, LOG_ERR, "could not revoke unused token %s: %s",
               mint->token.uuid, client->message);
    else if (mint->journal_path != NULL)
        pj_journal_remove(mint->journal_path);
    pj_token_clear(&mint->token);
}

void pj_mint_clear(struct pj_mint *mint)
{
    pj_token_clear(&mint->token);
    free(mint->journal_path);
    mint->journal_path = NULL;
}
