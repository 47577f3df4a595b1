/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The session keyring.  The token lives in two "user" keys of the per-login
 * keyring that pam_keyinit made: <name>:token holds the raw token (so
 * `keyctl pipe %user:jenkins:token` works) and <name>:meta the key=value
 * details the tool needs.  Both are owned by the user with possessor-only
 * read, so only processes of this login session can read them.
 */
#include "config.h"

#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define FIELD(name)                                                                    \
    {                                                                                  \
#name, offsetof(struct pj_meta, name)                                          \
    }
static const struct pj_kv_field meta_fields[] = {
    FIELD(url),        FIELD(user),    FIELD(token_name),
    FIELD(token_uuid), FIELD(created), FIELD(expires),
    FIELD(ca_file),    FIELD(ca_path), FIELD(proxy),
};
#define META_FIELDS (sizeof(meta_fields) / sizeof(meta_fields[0]))

void pj_meta_free(struct pj_meta *meta)
{
    pj_kv_free(meta, meta_fields, META_FIELDS, NULL);
}

char *pj_meta_format(const struct pj_meta *meta)
{
    return pj_kv_format(meta, meta_fields, META_FIELDS);
}

int pj_meta_parse(struct pj_meta *meta, const char *text, size_t len, char *err,
                  size_t errlen)
{
    memset(meta, 0, sizeof(*meta));
    if (pj_kv_parse(meta, meta_fields, META_FIELDS, text, len, err, errlen) < 0)
        goto fail;
    if (meta->url == NULL || meta->user == NULL || meta->token_uuid == NULL) {
        pj_set_error(err, errlen, "meta lacks url, user or token_uuid");
        goto fail;
    }
    return 0;

fail:
    pj_meta_free(meta);
    return -1;
}

int pj_keyring_check_session(uid_t uid, char *err, size_t errlen)
{
    static const char fix[] = "put \"session optional pam_keyinit.so force revoke\" "
                              "first in the session stack";
    char *desc = NULL, type[16], name[128], shared[64];
    unsigned long owner;
    key_serial_t id;
    int status = -1;

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
    status = 0;

done:
    free(desc);
    return status;
}

static key_serial_t add_one(const char *key_name, const char *suffix,
                            const char *payload, uid_t uid, long timeout)
{
    char desc[160];
    key_serial_t key;

    snprintf(desc, sizeof(desc), "%s:%s", key_name, suffix);
    key = add_key("user", desc, payload, strlen(payload), KEY_SPEC_SESSION_KEYRING);
    if (key < 0)
        return -1;
    /* Permissions before owner: once the user owns it, only the possessor
     * bits let us (root, possessing it through @s) change anything. */
    if (keyctl_setperm(key, PJ_KEY_PERM) < 0 ||
        (timeout > 0 && keyctl_set_timeout(key, (unsigned)timeout) < 0) ||
        keyctl_chown(key, uid, (gid_t)-1) < 0) {
        int saved = errno;

        keyctl_revoke(key);
        keyctl_unlink(key, KEY_SPEC_SESSION_KEYRING);
        errno = saved;
        return -1;
    }
    return key;
}

int pj_keyring_store(const char *key_name, const char *token, const char *meta,
                     uid_t uid, long timeout, int32_t *token_key, int32_t *meta_key,
                     char *err, size_t errlen)
{
    key_serial_t t, m;

    t = add_one(key_name, "token", token, uid, timeout);
    if (t < 0) {
        pj_set_error(err, errlen, "cannot add %s:token to the session keyring: %s",
                     key_name, strerror(errno));
        return -1;
    }
    m = add_one(key_name, "meta", meta, uid, timeout);
    if (m < 0) {
        pj_set_error(err, errlen, "cannot add %s:meta to the session keyring: %s",
                     key_name, strerror(errno));
        keyctl_revoke(t);
        keyctl_unlink(t, KEY_SPEC_SESSION_KEYRING);
        return -1;
    }
    *token_key = t;
    *meta_key = m;
    return 0;
}

int pj_keyring_read(const char *key_name, const char *suffix, char **payload,
                    size_t *len, int32_t *serial)
{
    char desc[160];
    void *raw = NULL;
    key_serial_t key;
    long n;

    *payload = NULL;
    snprintf(desc, sizeof(desc), "%s:%s", key_name, suffix);
    key = (key_serial_t)keyctl_search(KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
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

void pj_keyring_revoke(int32_t serial)
{
    if (serial > 0)
        keyctl_revoke(serial);
}
