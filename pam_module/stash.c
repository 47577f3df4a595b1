/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The stash: what pam_sm_authenticate learned (the password, and the crumb
 * and session cookie on the open connection) kept for pam_sm_open_session,
 * then the minted token kept for pam_sm_close_session.
 *
 * Normally it lives in PAM data.  OpenSSH's KbdInteractiveAuthentication
 * runs pam_authenticate in a forked child and returns only the PAM
 * environment to the parent, so auth also leaves a root-only "user" key
 * (120 s timeout) whose serial travels in PAM_JENKINS_HANDOFF; open_session
 * takes it and deletes the variable before sshd copies the PAM environment
 * into the user's.  The secret itself never enters the environment.
 */
#include "config.h"

#include <errno.h>
#include <keyutils.h>
#include <security/pam_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define HANDOFF_TIMEOUT 120
#define HANDOFF_PERM 0x3f3f0000U /* possessor and owner (root): everything */
#define HANDOFF_MAGIC "pam_jenkins-handoff-1"

struct pj_stash *pj_stash_new(void)
{
    struct pj_stash *stash = calloc(1, sizeof(*stash));

    if (stash != NULL)
        stash->creator = getpid();
    return stash;
}

void pj_stash_free(struct pj_stash *stash, bool quiet)
{
    if (stash == NULL)
        return;
    /* A copy in another process (sshd's session child, sudo's command) must
     * not touch the connection it shares with the process that owns it. */
    if (stash->creator != getpid())
        quiet = true;
    if (stash->have_client)
        pj_client_free(&stash->client, quiet);
    free(stash->user);
    free(stash->jenkins_user);
    pj_secret_free(stash->password);
    pj_token_clear(&stash->token);
    free(stash->journal_path);
    explicit_bzero(stash, sizeof(*stash));
    free(stash);
}

/* libpam calls this at pam_end, or when the data is replaced.  It does no
 * network work: PAM_DATA_SILENT means a forked copy, and a plain pam_end
 * after a session that never closed must not revoke behind the caller's
 * back (the journal and sweep handle that). */
static void stash_destroy(pam_handle_t *pamh, void *data, int error_status)
{
    struct pj_stash *stash = data;
    bool silent = (error_status & PAM_DATA_SILENT) != 0;

    (void)pamh;
    if (stash == NULL)
        return;
    /* An auth that never reached a session (sudo, a screen locker) leaves
     * a handoff key behind: remove it now rather than after its timeout. */
    if (!silent && stash->creator == getpid() && stash->handoff_key > 0) {
        keyctl_revoke(stash->handoff_key);
        keyctl_unlink(stash->handoff_key, KEY_SPEC_SESSION_KEYRING);
    }
    pj_stash_free(stash, silent);
}

int pj_stash_save(struct pj_context *ctx, struct pj_stash *stash)
{
    return pam_set_data(ctx->pamh, PJ_STASH_NAME, stash, stash_destroy);
}

struct pj_stash *pj_stash_get(struct pj_context *ctx)
{
    const void *data = NULL;

    if (pam_get_data(ctx->pamh, PJ_STASH_NAME, &data) != PAM_SUCCESS)
        return NULL;
    return (struct pj_stash *)data;
}

/* Fields separated by NUL bytes, none of which may contain one. */
char *pj_handoff_format(const struct pj_stash *stash, size_t *len)
{
    const struct pj_client *c = &stash->client;
    char *cookies = NULL, *out = NULL;
    const char *fields[7];
    size_t total = 0, i, o = 0;

    if (stash->have_client && c->http != NULL)
        cookies = pj_http_export_cookies(c->http);
    fields[0] = HANDOFF_MAGIC;
    fields[1] = stash->user;
    fields[2] = stash->jenkins_user;
    fields[3] = stash->password;
    fields[4] = c->crumb_field != NULL ? c->crumb_field : "";
    fields[5] = c->crumb != NULL ? c->crumb : "";
    fields[6] = cookies != NULL ? cookies : "";
    for (i = 0; i < 7; i++) {
        if (fields[i] == NULL)
            goto done;
        total += strlen(fields[i]) + 1;
    }
    out = malloc(total);
    if (out == NULL)
        goto done;
    for (i = 0; i < 7; i++) {
        size_t n = strlen(fields[i]) + 1;

        memcpy(out + o, fields[i], n);
        o += n;
    }
    *len = total;

done:
    pj_secret_free(cookies);
    return out;
}

void pj_handoff_clear(struct pj_handoff *h)
{
    free(h->user);
    free(h->jenkins_user);
    pj_secret_free(h->password);
    free(h->crumb_field);
    pj_secret_free(h->crumb);
    pj_secret_free(h->cookies);
    memset(h, 0, sizeof(*h));
}

int pj_handoff_parse(struct pj_handoff *h, const char *payload, size_t len)
{
    const char *fields[7];
    size_t pos = 0, i;

    memset(h, 0, sizeof(*h));
    for (i = 0; i < 7; i++) {
        const char *nul;

        if (pos >= len || (nul = memchr(payload + pos, '\0', len - pos)) == NULL)
            return -1;
        fields[i] = payload + pos;
        pos = (size_t)(nul - payload) + 1;
    }
    if (pos != len || strcmp(fields[0], HANDOFF_MAGIC) != 0 || fields[1][0] == '\0' ||
        fields[2][0] == '\0' || fields[3][0] == '\0')
        return -1;
    h->user = strdup(fields[1]);
    h->jenkins_user = strdup(fields[2]);
    h->password = pj_secret_strdup(fields[3]);
    h->crumb_field = fields[4][0] != '\0' ? strdup(fields[4]) : NULL;
    h->crumb = fields[5][0] != '\0' ? pj_secret_strdup(fields[5]) : NULL;
    h->cookies = pj_secret_strdup(fields[6]);
    if (h->user == NULL || h->jenkins_user == NULL || h->password == NULL ||
        h->cookies == NULL || (fields[4][0] != '\0' && h->crumb_field == NULL) ||
        (fields[5][0] != '\0' && h->crumb == NULL)) {
        pj_handoff_clear(h);
        return -1;
    }
    return 0;
}

/* "pam_jenkins:handoff:<user>:" is what open_session checks; the pid and
 * a counter after it make every login's key its own.  A shared description
 * would be fatal: add_key() on an existing description in the same keyring
 * updates that key, so two concurrent logins of one user (a jump box) would
 * overwrite and revoke each other's handoff. */
static void handoff_prefix(char *buf, size_t len, const char *user)
{
    snprintf(buf, len, "pam_jenkins:handoff:%s:", user);
}

static void handoff_description(char *buf, size_t len, const char *user)
{
    static unsigned long counter;
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    snprintf(buf, len, "pam_jenkins:handoff:%s:%ld.%lu.%ld", user, (long)getpid(),
             ++counter, (long)now.tv_nsec);
}

int pj_handoff_give(struct pj_context *ctx, struct pj_stash *stash)
{
    char desc[300], env[64], *payload = NULL;
    key_serial_t key = -1;
    size_t len = 0;
    int status = PAM_SUCCESS;

    payload = pj_handoff_format(stash, &len);
    if (payload == NULL) {
        status = PAM_BUF_ERR;
        goto done;
    }
    handoff_description(desc, sizeof(desc), stash->user);
    /* Our own session keyring (shared with sshd's monitor, which forked
     * us): the one keyring this process is sure to possess, so the
     * permissions and the timeout can be set.  Root's user keyring is
     * possessed only when the session keyring happens to link it.  Once
     * pam_keyinit has given the monitor a new session keyring, it reads the
     * key as its owner (root), which HANDOFF_PERM allows. */
    key = add_key("user", desc, payload, len, KEY_SPEC_SESSION_KEYRING);
    if (key < 0 || keyctl_setperm(key, HANDOFF_PERM) < 0 ||
        keyctl_set_timeout(key, HANDOFF_TIMEOUT) < 0) {
        /* Not fatal: only a forked auth needs it.  Say so, for the admin
         * whose keyboard-interactive logins then get no token. */
        pj_log(&ctx->log, LOG_WARNING,
               "cannot leave the session handoff key (%s): keyboard-interactive "
               "logins will get no token",
               strerror(errno));
        if (key >= 0) {
            keyctl_revoke(key);
            keyctl_unlink(key, KEY_SPEC_SESSION_KEYRING);
        }
        goto done;
    }
    snprintf(env, sizeof(env), "%s=%ld", PJ_HANDOFF_ENV, (long)key);
    if (pam_putenv(ctx->pamh, env) != PAM_SUCCESS) {
        keyctl_revoke(key);
        keyctl_unlink(key, KEY_SPEC_SESSION_KEYRING);
        goto done;
    }
    stash->handoff_key = key;

done:
    if (payload != NULL)
        pj_secret_free_n(payload, len);
    return status;
}

void pj_handoff_discard(struct pj_context *ctx, struct pj_stash *stash)
{
    const char *serial = pam_getenv(ctx->pamh, PJ_HANDOFF_ENV);

    if (serial != NULL)
        pam_putenv(ctx->pamh, PJ_HANDOFF_ENV); /* no '=': deletes it */
    if (stash != NULL && stash->handoff_key > 0) {
        keyctl_revoke(stash->handoff_key);
        keyctl_unlink(stash->handoff_key, KEY_SPEC_SESSION_KEYRING);
        stash->handoff_key = 0;
    }
}

/* A stash rebuilt from a handoff: a fresh connection, the same session
 * cookie and crumb, so minting costs one request. */
static struct pj_stash *stash_from_handoff(struct pj_context *ctx, struct pj_handoff *h)
{
    struct pj_http_settings settings;
    struct pj_stash *stash = pj_stash_new();

    if (stash == NULL)
        return NULL;
    pj_context_http_settings(ctx, &settings);
    stash->log = ctx->log;
    if (pj_client_init(&stash->client, ctx->cfg.url, h->jenkins_user, &settings,
                       &stash->log) < 0) {
        pj_stash_free(stash, false);
        return NULL;
    }
    stash->have_client = true;
    stash->uid = ctx->uid; /* resolved from PAM_USER, which matched h->user */
    stash->user = h->user;
    stash->jenkins_user = h->jenkins_user;
    stash->password = h->password;
    stash->client.crumb_field = h->crumb_field;
    stash->client.crumb = h->crumb;
    stash->client.no_crumb_issuer = h->crumb_field == NULL;
    h->user = h->jenkins_user = h->password = h->crumb_field = h->crumb = NULL;
    if (h->cookies[0] != '\0')
        pj_http_import_cookies(stash->client.http, h->cookies);
    return stash;
}

struct pj_stash *pj_handoff_take(struct pj_context *ctx)
{
    const char *value = pam_getenv(ctx->pamh, PJ_HANDOFF_ENV);
    char expected[300], *desc = NULL, *end, *name;
    struct pj_stash *stash = NULL;
    struct pj_handoff handoff = {0};
    void *payload = NULL;
    unsigned long owner;
    key_serial_t key = 0;
    long n = -1, serial;

    if (value == NULL)
        return NULL;
    serial = strtol(value, &end, 10);
    pam_putenv(ctx->pamh, PJ_HANDOFF_ENV); /* no '=': deletes it */
    if (*end != '\0' || serial <= 0 || serial > INT32_MAX)
        goto done;
    key = (key_serial_t)serial;
    /* Only a key root made for this user: the variable is plain text that
     * another module could have set. */
    handoff_prefix(expected, sizeof(expected), ctx->user);
    if (keyctl_describe_alloc(key, &desc) < 0 ||
        sscanf(desc, "user;%lu;", &owner) != 1 || owner != 0 ||
        (name = strrchr(desc, ';')) == NULL ||
        strncmp(name + 1, expected, strlen(expected)) != 0)
        goto done;
    n = keyctl_read_alloc(key, &payload);
    if (n < 0 || pj_handoff_parse(&handoff, payload, (size_t)n) < 0) {
        pj_log(&ctx->log, LOG_WARNING, "ignoring a malformed session handoff key");
        goto done;
    }
    if (strcmp(handoff.user, ctx->user) == 0)
        stash = stash_from_handoff(ctx, &handoff);

done:
    if (key > 0 && desc != NULL) {
        keyctl_revoke(key);
        keyctl_unlink(key, KEY_SPEC_SESSION_KEYRING);
    }
    if (payload != NULL)
        pj_secret_free_n(payload, (size_t)n);
    pj_handoff_clear(&handoff);
    free(desc);
    return stash;
}
