/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The keyring.  The token lives in two "user" keys: <name>:token holds the
 * raw token (so `keyctl pipe %user:jenkins:token` works) and <name>:meta the
 * key=value details the tool needs.
 *
 * keyring = session (the default): in the per-login keyring that
 * pam_keyinit made, owned by the user with possessor-only read, so only
 * processes of this login session can read them.
 *
 * keyring = user: in the user keyring of the user (_uid.<uid>), with user
 * read, so every process of the user reads them, also those that systemd
 * --user starts in a session keyring of their own (systemd issue 1299; fscrypt
 * moved its keys to the user keyring for the same reason).  Root reaches
 * another user's user keyring the way pam_keyinit does: KEY_SPEC_USER_KEYRING
 * names the keyring of the caller's real uid, so the module acts as the user
 * for the moment, on this thread only, and back.
 */
#include "config.h"

#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "private.h"

/* clang-format off */
#define FIELD(name) { #name, offsetof(struct pj_meta, name) }
static const struct pj_kv_field meta_fields[] = {
    FIELD(url), FIELD(user), FIELD(token_name), FIELD(token_uuid),
    FIELD(created), FIELD(expires), FIELD(ca_file), FIELD(ca_path),
    FIELD(proxy),
};
/* clang-format on */
#define META_FIELDS (sizeof(meta_fields) / sizeof(meta_fields[0]))

void pj_meta_free(struct pj_meta *meta)
{
    pj_kv_free(meta, meta_fields, META_FIELDS, NULL);
}

char *pj_meta_format(const struct pj_meta *meta)
{
    return pj_kv_format(meta, meta_fields, META_FIELDS);
}

enum pj_outcome pj_meta_parse(struct pj_meta *meta, const char *text, size_t len,
                              char *err, size_t errlen)
{
    memset(meta, 0, sizeof(*meta));
    if (pj_kv_parse(meta, meta_fields, META_FIELDS, text, len, err, errlen) < 0)
        goto fail;
    if (meta->url == NULL || meta->user == NULL || meta->token_uuid == NULL) {
        pj_set_error(err, errlen, "meta lacks url, user or token_uuid");
        goto fail;
    }
    return PJ_OK;

fail:
    pj_meta_free(meta);
    return PJ_PROTOCOL;
}

enum pj_outcome pj_keyring_check_session(uid_t uid, char *err, size_t errlen)
{
    static const char fix[] = "put \"session optional pam_keyinit.so force revoke\" "
                              "first in the session stack";
    char *desc = NULL, type[16], name[128], shared[64];
    unsigned long owner;
    key_serial_t id;
    enum pj_outcome status = PJ_CONFIG;

    /* Do not create one: a missing session keyring is a stack mistake. */
    id = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0);
    if (id < 0 || keyctl_describe_alloc(id, &desc) < 0) {
        pj_set_error(err, errlen, "no session keyring (%s): %s", strerror(errno), fix);
        goto done;
    }
    /* "keyring;uid;gid;perm;description" */
    if (sscanf(desc, "%15[^;];%lu;%*d;%*x;%127[^\n]", type, &owner, name) != 3 ||
        strcmp(type, "keyring") != 0) {
        pj_set_error(err, errlen, "cannot describe the session keyring: %s", fix);
        goto done;
    }
    snprintf(shared, sizeof(shared), "_uid_ses.%lu", (unsigned long)uid);
    if (strcmp(name, shared) == 0 || strncmp(name, "_uid_ses.", 9) == 0) {
        pj_set_error(err, errlen,
                     "the session keyring is the user-session keyring %s, shared by "
                     "every session of this user: %s",
                     name, fix);
        goto done;
    }
    if (owner != (unsigned long)uid) {
        pj_set_error(
            err, errlen,
            "the session keyring \"%s\" belongs to uid %lu, not to uid %lu: %s", name,
            owner, (unsigned long)uid, fix);
        goto done;
    }
    status = PJ_OK;

done:
    free(desc);
    return status;
}

/* Revokes and unlinks a key that could not be set up, keeping errno. */
static void discard_key(key_serial_t key, key_serial_t ring)
{
    int saved = errno;

    keyctl_revoke(key);
    keyctl_unlink(key, ring);
    errno = saved;
}

/* A key "<key_name>:<suffix>" made in ring, its permissions and timeout set
 * while only we possess it; discarded again when either fails. */
static key_serial_t add_set_up(key_serial_t ring, const char *key_name,
                               const char *suffix, const char *payload, key_perm_t perm,
                               long timeout)
{
    char desc[160];
    key_serial_t key;

    snprintf(desc, sizeof(desc), "%s:%s", key_name, suffix);
    key = add_key("user", desc, payload, strlen(payload), ring);
    if (key < 0)
        return -1;
    if (keyctl_setperm(key, perm) < 0 ||
        (timeout > 0 && keyctl_set_timeout(key, (unsigned)timeout) < 0)) {
        discard_key(key, ring);
        return -1;
    }
    return key;
}

static key_serial_t add_one(const char *key_name, const char *suffix,
                            const char *payload, uid_t uid, long timeout)
{
    /* Permissions before owner: once the user owns it, only the possessor
     * bits let us (root, possessing it through @s) change anything. */
    key_serial_t key = add_set_up(KEY_SPEC_SESSION_KEYRING, key_name, suffix, payload,
                                  PJ_KEY_PERM, timeout);

    if (key >= 0 && keyctl_chown(key, uid, (gid_t)-1) < 0) {
        discard_key(key, KEY_SPEC_SESSION_KEYRING);
        return -1;
    }
    return key;
}

enum pj_outcome pj_keyring_store(const char *key_name, const char *token,
                                 const char *meta, uid_t uid, long timeout,
                                 int32_t *token_key, int32_t *meta_key, char *err,
                                 size_t errlen)
{
    key_serial_t t, m;

    t = add_one(key_name, "token", token, uid, timeout);
    if (t < 0) {
        pj_set_error(err, errlen, "cannot add %s:token to the session keyring: %s",
                     key_name, strerror(errno));
        return PJ_IO;
    }
    m = add_one(key_name, "meta", meta, uid, timeout);
    if (m < 0) {
        pj_set_error(err, errlen, "cannot add %s:meta to the session keyring: %s",
                     key_name, strerror(errno));
        keyctl_revoke(t);
        keyctl_unlink(t, KEY_SPEC_SESSION_KEYRING);
        return PJ_IO;
    }
    *token_key = t;
    *meta_key = m;
    return PJ_OK;
}

/* The keyutils calls answer with errno; the API with enum pj_outcome, errno
 * left set to the error for the caller's message. */
static enum pj_outcome key_outcome(int err)
{
    if (err == 0)
        return PJ_OK;
    errno = err;
    switch (err) {
    case ENOKEY:
        return PJ_NOT_FOUND;
    case EKEYEXPIRED:
        return PJ_EXPIRED;
    case EKEYREVOKED:
        return PJ_REVOKED;
    case ESTALE:
        return PJ_STALE;
    case ENOMEM:
        return PJ_NOMEM;
    default:
        return PJ_IO;
    }
}

static int read_in(int where, const char *key_name, const char *suffix, char **payload,
                   size_t *len, int32_t *serial)
{
    key_serial_t ring =
        where == PJ_KEYRING_USER ? KEY_SPEC_USER_KEYRING : KEY_SPEC_SESSION_KEYRING;
    char desc[160];
    void *raw = NULL;
    key_serial_t key;
    long n;

    *payload = NULL;
    snprintf(desc, sizeof(desc), "%s:%s", key_name, suffix);
    key = (key_serial_t)keyctl_search(ring, "user", desc, 0);
    if (key < 0)
        return errno;
    if (serial != NULL)
        *serial = key;
    n = keyctl_read_alloc(key, &raw);
    if (n < 0)
        return errno;
    *payload = pj_secret_memdup(raw, (size_t)n);
    pj_secret_free_n(raw, (size_t)n);
    if (*payload == NULL)
        return ENOMEM;
    if (len != NULL)
        *len = (size_t)n;
    return 0;
}

enum pj_outcome pj_keyring_read_in(int where, const char *key_name, const char *suffix,
                                   char **payload, size_t *len, int32_t *serial)
{
    return key_outcome(read_in(where, key_name, suffix, payload, len, serial));
}

enum pj_outcome pj_keyring_read(const char *key_name, const char *suffix,
                                char **payload, size_t *len, int32_t *serial)
{
    int rc = read_in(PJ_KEYRING_SESSION, key_name, suffix, payload, len, serial);

    if (rc != 0 &&
        read_in(PJ_KEYRING_USER, key_name, suffix, payload, len, serial) == 0)
        rc = 0;
    return key_outcome(rc);
}

void pj_keyring_revoke(int32_t serial)
{
    if (serial > 0)
        keyctl_revoke(serial);
}

/* ------------------------------------------------------- the user keyring */

/* glibc's setresuid changes every thread of the process (POSIX wants it so,
 * and glibc signals each thread to do it).  The module is a guest in someone
 * else's process, possibly a threaded one (a display manager): its other
 * threads must not run as the user even for a moment.  The system call
 * changes only this thread, as pam_keyinit does. */
static int thread_setresuid(uid_t r, uid_t e, uid_t s)
{
#if defined(SYS_setresuid32)
    return (int)syscall(SYS_setresuid32, r, e, s);
#else
    return (int)syscall(SYS_setresuid, r, e, s);
#endif
}

static int thread_setresgid(gid_t r, gid_t e, gid_t s)
{
#if defined(SYS_setresgid32)
    return (int)syscall(SYS_setresgid32, r, e, s);
#else
    return (int)syscall(SYS_setresgid, r, e, s);
#endif
}

struct identity {
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    bool switched;
};

/* Act as uid (and gid, unless (gid_t)-1): the real uid picks the user keyring
 * KEY_SPEC_USER_KEYRING names, the effective one (fsuid) owns the keys we
 * add and gets the user's permissions on them.  The saved uid stays 0, so
 * that as_self can come back.  Nothing to do when we are the user. */
static int as_user(struct identity *saved, uid_t uid, gid_t gid)
{
    memset(saved, 0, sizeof(*saved));
    if (getuid() == uid && geteuid() == uid)
        return 0;
    if (geteuid() != 0) {
        errno = EPERM;
        return -1;
    }
    if (getresuid(&saved->ruid, &saved->euid, &saved->suid) < 0 ||
        getresgid(&saved->rgid, &saved->egid, &saved->sgid) < 0)
        return -1;
    if (gid != (gid_t)-1 && thread_setresgid(gid, gid, (gid_t)-1) < 0)
        return -1;
    if (thread_setresuid(uid, uid, 0) < 0) {
        int saved_errno = errno;

        if (gid != (gid_t)-1)
            thread_setresgid(saved->rgid, saved->egid, saved->sgid);
        errno = saved_errno;
        return -1;
    }
    saved->switched = true;
    return 0;
}

/* Back to who we were: the effective uid 0 first (allowed: the saved uid is
 * 0), which restores the capabilities to set the rest. */
static int as_self(const struct identity *saved)
{
    int status = 0;

    if (!saved->switched)
        return 0;
    if (thread_setresuid((uid_t)-1, 0, (uid_t)-1) < 0 ||
        thread_setresuid(saved->ruid, saved->euid, saved->suid) < 0)
        status = -1;
    if (thread_setresgid(saved->rgid, saved->egid, saved->sgid) < 0)
        status = -1;
    return status;
}

static key_serial_t search_user(const char *key_name, const char *suffix)
{
    char desc[160];

    snprintf(desc, sizeof(desc), "%s:%s", key_name, suffix);
    return (key_serial_t)keyctl_search(KEY_SPEC_USER_KEYRING, "user", desc, 0);
}

/* A new key may only be changed (permissions, timeout) by a possessor, and
 * a key is possessed only through the thread, process or session keyring,
 * never through the user keyring: so each key is made in this thread's own
 * keyring (made by root before acting as the user, private to the thread,
 * not inherited by children), set up there, then linked into the user
 * keyring, where it replaces an older key of the same description, and
 * unlinked from the thread's. */
static key_serial_t add_user_key(key_serial_t staging, const char *key_name,
                                 const char *suffix, const char *payload, long timeout)
{
    key_serial_t key =
        add_set_up(staging, key_name, suffix, payload, PJ_KEY_PERM_USER, timeout);

    if (key < 0)
        return -1;
    if (keyctl_link(key, KEY_SPEC_USER_KEYRING) < 0) {
        discard_key(key, staging);
        return -1;
    }
    keyctl_unlink(key, staging);
    return key;
}

enum pj_outcome pj_keyring_store_user(const char *key_name, const char *token,
                                      const char *meta, uid_t uid, gid_t gid,
                                      long timeout, int32_t *token_key,
                                      int32_t *meta_key, char *err, size_t errlen)
{
    struct identity saved;
    key_serial_t staging, t = -1, m = -1;
    enum pj_outcome status = PJ_IO;
    int saved_errno = 0;
    const char *what = "token";

    staging = keyctl_get_keyring_ID(KEY_SPEC_THREAD_KEYRING, 1);
    if (staging < 0) {
        pj_set_error(err, errlen, "cannot make a thread keyring: %s", strerror(errno));
        return PJ_IO;
    }
    if (as_user(&saved, uid, gid) < 0) {
        pj_set_error(err, errlen, "cannot act as uid %lu for its user keyring: %s",
                     (unsigned long)uid, strerror(errno));
        return PJ_IO;
    }
    t = add_user_key(staging, key_name, "token", token, timeout);
    if (t >= 0) {
        what = "meta";
        m = add_user_key(staging, key_name, "meta", meta, timeout);
    }
    if (t < 0 || m < 0) {
        saved_errno = errno;
        if (t >= 0) {
            keyctl_invalidate(t);
            keyctl_unlink(t, KEY_SPEC_USER_KEYRING);
        }
    } else {
        status = PJ_OK;
    }
    if (as_self(&saved) < 0) {
        pj_set_error(err, errlen, "cannot return from acting as uid %lu: %s",
                     (unsigned long)uid, strerror(errno));
        return PJ_IO;
    }
    if (status != PJ_OK) {
        pj_set_error(err, errlen, "cannot add %s:%s to the user keyring of uid %lu: %s",
                     key_name, what, (unsigned long)uid, strerror(saved_errno));
        return PJ_IO;
    }
    *token_key = t;
    *meta_key = m;
    return PJ_OK;
}

static int read_serial(key_serial_t key, char **payload, size_t *len)
{
    void *raw = NULL;
    long n = keyctl_read_alloc(key, &raw);

    if (n < 0)
        return errno;
    *payload = pj_secret_memdup(raw, (size_t)n);
    pj_secret_free_n(raw, (size_t)n);
    if (*payload == NULL)
        return ENOMEM;
    *len = (size_t)n;
    return 0;
}

static int read_user(uid_t uid, gid_t gid, const char *key_name, char **token,
                     size_t *token_len, char **meta, size_t *meta_len)
{
    struct identity saved;
    key_serial_t t, m;
    int rc;

    *token = *meta = NULL;
    if (as_user(&saved, uid, gid) < 0)
        return errno;
    t = search_user(key_name, "token");
    rc = t < 0 ? errno : read_serial(t, token, token_len);
    if (rc == 0) {
        m = search_user(key_name, "meta");
        rc = m < 0 ? errno : read_serial(m, meta, meta_len);
    }
    if (as_self(&saved) < 0 && rc == 0)
        rc = errno;
    if (rc != 0) {
        pj_secret_free(*token);
        free(*meta);
        *token = *meta = NULL;
    }
    return rc;
}

/* Invalidated, a key is unreadable at once, also to a process that knows its
 * serial, and the kernel unlinks it everywhere; the unlink makes the user
 * keyring look right at once too.  Invalidating needs only search
 * permission, which the user has. */
static void remove_user_key(key_serial_t key)
{
    if (key < 0)
        return;
    keyctl_invalidate(key);
    keyctl_unlink(key, KEY_SPEC_USER_KEYRING);
}

enum pj_outcome pj_keyring_read_user(uid_t uid, gid_t gid, const char *key_name,
                                     char **token, size_t *token_len, char **meta,
                                     size_t *meta_len)
{
    return key_outcome(read_user(uid, gid, key_name, token, token_len, meta, meta_len));
}

static int drop_user(uid_t uid, gid_t gid, const char *key_name, const char *uuid)
{
    struct pj_meta meta;
    struct identity saved;
    key_serial_t m;
    char err[128], *text = NULL;
    size_t len = 0;
    int rc = 0;

    if (as_user(&saved, uid, gid) < 0)
        return errno;
    m = search_user(key_name, "meta");
    /* Only the keys of this token: not those of one minted since, nor a
     * token key whose meta is not linked yet (a session storing them now). */
    if (uuid != NULL) {
        rc = m < 0 ? ENOKEY : read_serial(m, &text, &len);
        if (rc == 0 && pj_meta_parse(&meta, text, len, err, sizeof(err)) == PJ_OK) {
            if (strcmp(meta.token_uuid, uuid) != 0)
                rc = ESTALE;
            pj_meta_free(&meta);
        } else if (rc == 0) {
            rc = EINVAL;
        }
        free(text);
    }
    if (rc == 0) {
        remove_user_key(search_user(key_name, "token"));
        remove_user_key(m);
    }
    if (as_self(&saved) < 0 && rc == 0)
        rc = errno;
    return rc;
}

enum pj_outcome pj_keyring_drop_user(uid_t uid, gid_t gid, const char *key_name,
                                     const char *uuid)
{
    return key_outcome(drop_user(uid, gid, key_name, uuid));
}
