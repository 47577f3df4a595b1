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

#include <ctype.h>
#include <errno.h>
#include <keyutils.h>
#include <security/pam_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define HANDOFF_TIMEOUT 120
/* The possessor nothing, the owner (root) everything: under sudo the key
 * would sit in the calling user's own session keyring. */
#define HANDOFF_PERM 0x003f0000U
#define HANDOFF_MAGIC "pam_jenkins-handoff-1"

static void handoff_destroy(key_serial_t key);

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
    if (!silent && stash->creator == getpid() && stash->handoff_key > 0)
        handoff_destroy(stash->handoff_key);
    pj_stash_free(stash, silent);
}

/* Each module instance (each key_name: one per controller) keeps its own
 * PAM data and handoff variable: with two module lines in one stack, one
 * name would let the second overwrite the first's stash. */
static void instance_name(char *buf, size_t len, const struct pj_context *ctx,
                          const char *base, char separator, bool upper)
{
    size_t i, n;

    if (strcmp(ctx->cfg.key_name, PJ_DEFAULT_KEY_NAME) == 0) {
        snprintf(buf, len, "%s", base);
        return;
    }
    snprintf(buf, len, "%s%c%s", base, separator, ctx->cfg.key_name);
    for (i = strlen(base) + 1, n = strlen(buf); upper && i < n; i++)
        buf[i] =
            isalnum((unsigned char)buf[i]) ? (char)toupper((unsigned char)buf[i]) : '_';
}

static void stash_name(char *buf, size_t len, const struct pj_context *ctx)
{
    instance_name(buf, len, ctx, PJ_STASH_NAME, ':', false);
}

void pj_handoff_env_name(char *buf, size_t len, const struct pj_context *ctx)
{
    instance_name(buf, len, ctx, PJ_HANDOFF_ENV, '_', true);
}

void pj_instance_env_name(char *buf, size_t len, const struct pj_context *ctx,
                          const char *base)
{
    instance_name(buf, len, ctx, base, '_', true);
}

int pj_stash_save(struct pj_context *ctx, struct pj_stash *stash)
{
    char name[200];

    stash_name(name, sizeof(name), ctx);
    return pam_set_data(ctx->pamh, name, stash, stash_destroy);
}

struct pj_stash *pj_stash_get(struct pj_context *ctx)
{
    const void *data = NULL;
    char name[200];

    stash_name(name, sizeof(name), ctx);
    if (pam_get_data(ctx->pamh, name, &data) != PAM_SUCCESS)
        return NULL;
    return (struct pj_stash *)data;
}

/* Fields separated by NUL bytes, none of which may contain one. */
char *pj_handoff_format(const struct pj_stash *stash, size_t *len)
{
    struct pj_client_state state = {0};
    char *out = NULL;
    const char *fields[7];
    size_t total = 0, i, o = 0;

    if (!stash->have_client || pj_client_export(&stash->client, &state) != PJ_OK)
        goto done;
    fields[0] = HANDOFF_MAGIC;
    fields[1] = stash->user;
    fields[2] = stash->jenkins_user;
    fields[3] = stash->password;
    fields[4] = state.crumb_field != NULL ? state.crumb_field : "";
    fields[5] = state.crumb != NULL ? state.crumb : "";
    fields[6] = state.cookies;
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
    pj_client_state_clear(&state);
    return out;
}

void pj_handoff_clear(struct pj_handoff *h)
{
    free(h->user);
    free(h->jenkins_user);
    pj_secret_free(h->password);
    pj_client_state_clear(&h->session);
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
        fields[2][0] == '\0' || fields[3][0] == '\0' ||
        strlen(fields[3]) > PJ_PASSWORD_MAX ||
        (fields[4][0] == '\0') != (fields[5][0] == '\0'))
        return -1;
    h->user = strdup(fields[1]);
    h->jenkins_user = strdup(fields[2]);
    h->password = pj_secret_strdup(fields[3]);
    h->session.crumb_field = fields[4][0] != '\0' ? strdup(fields[4]) : NULL;
    h->session.crumb = fields[5][0] != '\0' ? pj_secret_strdup(fields[5]) : NULL;
    h->session.cookies = pj_secret_strdup(fields[6]);
    if (h->user == NULL || h->jenkins_user == NULL || h->password == NULL ||
        h->session.cookies == NULL ||
        (fields[4][0] != '\0' && h->session.crumb_field == NULL) ||
        (fields[5][0] != '\0' && h->session.crumb == NULL)) {
        pj_handoff_clear(h);
        return -1;
    }
    return 0;
}

/* "pam_jenkins:handoff:<key_name>:<user>:" is what open_session checks;
 * the pid, a counter and the time after it make every login's key its own.
 * A shared description would be fatal: add_key() on an existing
 * description in the same keyring updates that key, so two concurrent
 * logins of one user (a jump box) would overwrite each other's handoff. */
static void handoff_prefix(char *buf, size_t len, const struct pj_context *ctx,
                           const char *user)
{
    snprintf(buf, len, "pam_jenkins:handoff:%s:%s:", ctx->cfg.key_name, user);
}

static void handoff_description(char *buf, size_t len, const struct pj_context *ctx,
                                const char *user)
{
    static unsigned long counter;
    struct timespec now;
    size_t n;

    clock_gettime(CLOCK_MONOTONIC, &now);
    handoff_prefix(buf, len, ctx, user);
    n = strlen(buf);
    snprintf(buf + n, len - n, "%ld.%lu.%ld", (long)getpid(), ++counter,
             (long)now.tv_nsec);
}

/* Revoke and unlink a handoff key that passed the checks (or that we made
 * ourselves): never a key we only found named somewhere. */
static void handoff_destroy(key_serial_t key)
{
    keyctl_revoke(key);
    keyctl_unlink(key, KEY_SPEC_SESSION_KEYRING);
}

int pj_handoff_give(struct pj_context *ctx, struct pj_stash *stash)
{
    char desc[400], var[200], env[240], *payload = NULL;
    key_serial_t key = -1;
    size_t len = 0;
    int status = PAM_SUCCESS;

    /* setuid su and sudo, polkit's helper: the caller's session keyring is
     * the only one at hand, and the caller may be an attacker who possesses
     * it.  These programs authenticate and open the session in the same
     * process, so PAM data carries the stash and no key is needed: the user
     * never holds one.  Only a root process can leave a key that
     * open_session will accept (owner root), so a process that is not root
     * (a screen locker checking the user's own password) makes none either. */
    if (getauxval(AT_SECURE) != 0 || geteuid() != 0) {
        pj_debug(&ctx->log, "no handoff key for %s: %s", stash->user,
                 geteuid() != 0 ? "not running as root" : "setuid caller");
        goto done;
    }
    payload = pj_handoff_format(stash, &len);
    if (payload == NULL) {
        status = PAM_BUF_ERR;
        goto done;
    }
    handoff_description(desc, sizeof(desc), ctx, stash->user);
    /* Our own session keyring (shared with sshd's monitor, which forked
     * us): the one keyring this process is sure to possess, so the timeout
     * and permissions can be set.  Then the possessor loses every right:
     * only the owner, root, may view, read or revoke it.  Once pam_keyinit
     * has given the monitor a new session keyring, the monitor reads the
     * key by serial as its owner. */
    key = add_key("user", desc, payload, len, KEY_SPEC_SESSION_KEYRING);
    if (key < 0 || keyctl_set_timeout(key, HANDOFF_TIMEOUT) < 0 ||
        keyctl_setperm(key, HANDOFF_PERM) < 0) {
        /* Not fatal: only a forked auth needs it.  Say so, for the admin
         * whose keyboard-interactive logins then get no token. */
        pj_log(&ctx->log, LOG_WARNING,
               "cannot leave the session handoff key (%s): keyboard-interactive "
               "logins will get no token",
               strerror(errno));
        if (key >= 0)
            handoff_destroy(key);
        goto done;
    }
    pj_handoff_env_name(var, sizeof(var), ctx);
    snprintf(env, sizeof(env), "%s=%ld", var, (long)key);
    if (pam_putenv(ctx->pamh, env) != PAM_SUCCESS) {
        handoff_destroy(key);
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
    char var[200];

    pj_handoff_env_name(var, sizeof(var), ctx);
    if (pam_getenv(ctx->pamh, var) != NULL)
        pam_putenv(ctx->pamh, var); /* no '=': deletes it */
    if (stash != NULL && stash->handoff_key > 0) {
        handoff_destroy(stash->handoff_key);
        stash->handoff_key = 0;
    }
}

/* A stash rebuilt from a handoff: a fresh connection, the same session
 * cookie and crumb, so minting costs one request. */
static struct pj_stash *stash_from_handoff(struct pj_context *ctx, struct pj_handoff *h)
{
    struct pj_http_settings settings;
    struct pj_stash *stash = pj_stash_new();
    char err[128];

    if (stash == NULL)
        return NULL;
    pj_context_http_settings(ctx, &settings);
    stash->log = ctx->log;
    if (pj_client_init(&stash->client, ctx->cfg.url, ctx->jenkins_user, &settings,
                       &stash->log) != PJ_OK)
        goto fail;
    stash->have_client = true;
    if (pj_client_import(&stash->client, &h->session, err, sizeof(err)) != PJ_OK) {
        pj_log(&ctx->log, LOG_WARNING, "ignoring the session handoff key: %s", err);
        goto fail;
    }
    stash->uid = ctx->uid; /* resolved from PAM_USER, which matched h->user */
    stash->user = h->user;
    stash->jenkins_user = h->jenkins_user;
    stash->password = h->password;
    h->user = h->jenkins_user = h->password = NULL;
    return stash;

fail:
    pj_stash_free(stash, false);
    return NULL;
}

/* The key behind the serial, described and checked before anything else:
 * a user key, owned by root, with exactly our permissions (so nobody but
 * root could have written it), named for this instance and this user.
 * The serial came from the PAM environment, which pam_env's user_readenv
 * lets a user write: it is a hint, never a credential. */
static bool handoff_key_ours(struct pj_context *ctx, key_serial_t key)
{
    char expected[400], *desc = NULL, type[16];
    unsigned long uid, gid, perm;
    int consumed = 0;
    bool ours = false;
    const char *name, *tail;

    handoff_prefix(expected, sizeof(expected), ctx, ctx->user);
    if (keyctl_describe_alloc(key, &desc) < 0)
        goto done;
    if (sscanf(desc, "%15[^;];%lu;%lu;%lx;%n", type, &uid, &gid, &perm, &consumed) !=
            4 ||
        consumed == 0)
        goto done;
    name = desc + consumed;
    if (strcmp(type, "user") != 0 || uid != 0 || perm != HANDOFF_PERM ||
        strncmp(name, expected, strlen(expected)) != 0)
        goto done;
    tail = name + strlen(expected);
    ours = tail[0] != '\0' && strspn(tail, "0123456789.") == strlen(tail);

done:
    free(desc);
    return ours;
}

struct pj_stash *pj_handoff_take(struct pj_context *ctx)
{
    const char *value;
    struct pj_stash *stash = NULL;
    struct pj_handoff handoff = {0};
    void *payload = NULL;
    key_serial_t key = 0;
    long n = -1, serial;
    char var[200], *end;
    bool whole;

    pj_handoff_env_name(var, sizeof(var), ctx);
    value = pam_getenv(ctx->pamh, var);
    if (value == NULL)
        return NULL;
    serial = strtol(value, &end, 10);
    whole = *end == '\0';
    /* Deleting the variable frees value (and end with it): judged above. */
    pam_putenv(ctx->pamh, var);
    if (!whole || serial <= 0 || serial > INT32_MAX)
        goto done;
    if (!handoff_key_ours(ctx, (key_serial_t)serial)) {
        pj_log(&ctx->log, LOG_WARNING,
               "ignoring %s: key %ld is not a handoff key of pam_jenkins for %s", var,
               serial, ctx->user);
        goto done;
    }
    key = (key_serial_t)serial;
    n = keyctl_read_alloc(key, &payload);
    if (n < 0 || pj_handoff_parse(&handoff, payload, (size_t)n) < 0) {
        pj_log(&ctx->log, LOG_WARNING, "ignoring a malformed session handoff key");
        goto done;
    }
    /* As strict as data from the network: the login it names must be this
     * session's, under the Jenkins id the configuration gives this user. */
    if (strcmp(handoff.user, ctx->user) != 0 ||
        strcmp(handoff.jenkins_user, ctx->jenkins_user) != 0) {
        pj_log(&ctx->log, LOG_WARNING,
               "ignoring a session handoff key made for another login");
        goto done;
    }
    stash = stash_from_handoff(ctx, &handoff);

done:
    if (key > 0)
        handoff_destroy(key);
    if (payload != NULL)
        pj_secret_free_n(payload, (size_t)n);
    pj_handoff_clear(&handoff);
    return stash;
}
