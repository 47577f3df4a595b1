/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The journal (lib/journal.c): one root-only file per minted token, so that
 * the sweep can revoke the tokens of sessions that ended badly.
 */
#ifndef PJ_JOURNAL_H
#define PJ_JOURNAL_H 1

#include <stddef.h>
#include <time.h>

/* Every field is malloc'd and owned by the entry; pj_journal_entry_free
 * wipes token and frees them all. */
struct pj_journal_entry {
    char *url;
    char *user;
    char *uuid;
    char *token; /* secret */
    char *token_name;
    char *created;
    char *pid;        /* the process that opened the session */
    char *start_time; /* its start time, clock ticks after boot */
    char *boot_id;
    char *ca_file; /* informational: the sweep uses the configured ones */
    char *ca_path;
    char *proxy;
    /* Written by the sweep after a revoke failed (decimal; times in epoch
     * seconds); absent until then. */
    char *tries;         /* failed revokes */
    char *hard_failures; /* of them, failures that waiting cannot heal */
    char *last_try;
    char *next_try; /* not tried again before this */
    char *given_up; /* set: never tried again; revoke by hand */
    char *last_error;
    /* "1": written before the generate request; no uuid or token yet.  It
     * becomes a normal entry when the controller answers, and stays an
     * intent when the answer never came (a token that may be live). */
    char *intent;
    /* keyring = user (lib/shared.c): the token lives in the user keyring of
     * uid as <key_name>:token, shared by the sessions listed in holders
     * ("pid:start,..."), and is dead once none of them lives; then pid and
     * start_time only name the session that minted it. */
    char *uid;
    char *key_name;
    char *holders;
};

void pj_journal_entry_free(struct pj_journal_entry *entry);
/* Create the directory (root, 0700) if needed and write the entry
 * atomically (0600).  *path_out gets the file's path, malloc'd: the caller
 * free()s it.  PJ_IO (or PJ_NOMEM) with err. */
enum pj_outcome pj_journal_write(const char *dir, const struct pj_journal_entry *entry,
                                 char **path_out, char *err, size_t errlen);
/* An intent entry under a fresh random name (intent-<hex>.token), written
 * without fsync: it outlives the process, not a power cut.  *path_out as
 * for pj_journal_write. */
enum pj_outcome pj_journal_write_intent(const char *dir,
                                        const struct pj_journal_entry *entry,
                                        char **path_out, char *err, size_t errlen);
/* Replace the entry dir/name atomically, with the rules of pj_journal_write. */
enum pj_outcome pj_journal_rewrite(const char *dir, const char *name,
                                   const struct pj_journal_entry *entry, char *err,
                                   size_t errlen);
/* Read dir/name: opened O_NOFOLLOW, a regular file owned by the effective
 * uid without group or other bits (no lock kept).  PJ_NOT_FOUND when there
 * is no such entry (or directory), else PJ_IO with err.  On success the caller releases
 * entry with pj_journal_entry_free (token wiped). */
enum pj_outcome pj_journal_read(const char *dir, const char *name,
                                struct pj_journal_entry *entry, char *err,
                                size_t errlen);
/* Gone already counts as removed.  PJ_IO with errno. */
enum pj_outcome pj_journal_remove(const char *path);
/* This boot's id (/proc/sys/kernel/random/boot_id), malloc'd, NULL if
 * unknown; the caller free()s it. */
char *pj_boot_id(void);
/* A process's start time (clock ticks after boot, decimal), malloc'd;
 * NULL if the process is gone or a zombie.  The caller free()s it. */
char *pj_process_start_time(long pid);

#endif /* PJ_JOURNAL_H */
