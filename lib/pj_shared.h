/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Shared tokens, keyring = user (lib/shared.c): one token in uid's user
 * keyring, held by every session of the user, journalled under one entry
 * that lists its holders.
 */
#ifndef PJ_SHARED_H
#define PJ_SHARED_H 1

#include <stddef.h>
#include <sys/types.h>

#include "pj_journal.h"

/* The entry of uid's shared token for key_name: "user-<uid>-<key_name>.token"
 * (bytes of key_name outside [A-Za-z0-9._-] as %XX); malloc'd, NULL when out
 * of memory: the caller free()s it.  pj_journal_write names an entry with
 * key_name so, and never replaces one. */
char *pj_journal_shared_name(uid_t uid, const char *key_name);
/* Lock the shared entry dir/name: flock on "<name without .token>.lock" (made
 * 0600 if needed, under the journal directory's rules), retried until
 * deadline (pj_now_ms() time; 0: one try).  PJ_OK: *fd is the lock, the
 * caller close()s it; else *fd is -1 and err says why: PJ_BUSY (held by
 * someone else), PJ_NOMEM or PJ_IO. */
enum pj_outcome pj_journal_lock_shared(const char *dir, const char *name,
                                       long long deadline, int *fd, char *err,
                                       size_t errlen);
/* Move the shared entry dir/name to <uuid>.token, held by nobody, so that
 * the sweep revokes it and the name is free for a new token.  PJ_IO (or
 * PJ_NOMEM) with err. */
enum pj_outcome pj_journal_set_aside(const char *dir, const char *name,
                                     struct pj_journal_entry *entry, char *err,
                                     size_t errlen);
/* Holders: "pid:start" of a session's process, comma separated. */
/* This process as a holder, malloc'd; NULL when out of memory.  The caller
 * free()s it. */
char *pj_holder_self(void);
/* list without its dead holders and without one occurrence of drop, with
 * add appended (drop, add may be NULL); *count the holders left.  A fresh
 * string, NULL when out of memory: the caller free()s it. */
char *pj_holders_update(const char *list, const char *add, const char *drop,
                        int *count);

#endif /* PJ_SHARED_H */
