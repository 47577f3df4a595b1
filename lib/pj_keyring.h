/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The kernel keyring (lib/keyring.c): <key_name>:token and <key_name>:meta
 * in the per-login session keyring (keyring = session) or the user keyring
 * (keyring = user), and the meta key's format.
 */
#ifndef PJ_KEYRING_H
#define PJ_KEYRING_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The meta key: what the reading verbs need besides the token.  Every
 * field is malloc'd and owned by the struct (none is a secret). */
struct pj_meta {
    char *url;
    char *user;
    char *token_name;
    char *token_uuid;
    char *created;
    char *expires;
    char *ca_file;
    char *ca_path;
    char *proxy;
};

void pj_meta_free(struct pj_meta *meta);
/* "name=value" lines, NULL when out of memory; the caller free()s them. */
char *pj_meta_format(const struct pj_meta *meta);
/* On success the caller releases meta with pj_meta_free; PJ_PROTOCOL (err
 * set) when a line or a needed field is missing, and meta holds nothing. */
enum pj_outcome pj_meta_parse(struct pj_meta *meta, const char *text, size_t len,
                              char *err, size_t errlen);

/* Is @s a per-login keyring of uid (made by pam_keyinit)?  PJ_CONFIG with
 * err naming the fix when not. */
enum pj_outcome pj_keyring_check_session(uid_t uid, char *err, size_t errlen);
/* Add <name>:token and <name>:meta to @s, owned by uid, readable by their
 * possessor only (PJ_KEY_PERM).  PJ_IO with err (no key left behind). */
enum pj_outcome pj_keyring_store(const char *key_name, const char *token,
                                 const char *meta, uid_t uid, long timeout,
                                 int32_t *token_key, int32_t *meta_key, char *err,
                                 size_t errlen);
/* Find and read <name>:suffix in the session keyring, else in the user
 * keyring (the session keyring's result if neither): PJ_NOT_FOUND (no such
 * key), PJ_EXPIRED, PJ_REVOKED, PJ_NOMEM, or PJ_IO (errno set).
 * *payload is a NUL-terminated copy: free with pj_secret_free (wiped),
 * whatever the suffix. */
enum pj_outcome pj_keyring_read(const char *key_name, const char *suffix,
                                char **payload, size_t *len, int32_t *serial);
/* The same in one of them (where: enum pj_keyring_mode), as the caller. */
enum pj_outcome pj_keyring_read_in(int where, const char *key_name, const char *suffix,
                                   char **payload, size_t *len, int32_t *serial);
void pj_keyring_revoke(int32_t serial);

/* keyring = user, from root (or the user itself), acting as uid and gid
 * (gid (gid_t)-1: leave the group) on this thread only, as pam_keyinit does.
 * Add <name>:token and <name>:meta to uid's user keyring with
 * every process of uid may read them (PJ_KEY_PERM_USER), owned by uid,
 * replacing older keys of those names.  PJ_IO with err. */
enum pj_outcome pj_keyring_store_user(const char *key_name, const char *token,
                                      const char *meta, uid_t uid, gid_t gid,
                                      long timeout, int32_t *token_key,
                                      int32_t *meta_key, char *err, size_t errlen);
/* Read both from uid's user keyring with the user's own rights; results as
 * pj_keyring_read's.
 * *token is secret (free with pj_secret_free: wiped), *meta plain (free()). */
enum pj_outcome pj_keyring_read_user(uid_t uid, gid_t gid, const char *key_name,
                                     char **token, size_t *token_len, char **meta,
                                     size_t *meta_len);
/* Remove both from uid's user keyring if the meta key names the token uuid
 * (uuid NULL: whatever they hold); else PJ_STALE (another token's),
 * PJ_NOT_FOUND (no meta key) or PJ_IO (errno EINVAL: a meta key we cannot
 * read; else the failed call's). */
enum pj_outcome pj_keyring_drop_user(uid_t uid, gid_t gid, const char *key_name,
                                     const char *uuid);

#endif /* PJ_KEYRING_H */
