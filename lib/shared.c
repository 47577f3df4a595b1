/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * keyring = user: one token per user (and key_name) on this host, in the
 * user keyring, shared by all the user's sessions: minted by the first to
 * open, revoked by the last to close.  Its journal entry has a name found
 * from the user and key name (user-<uid>-<key_name>.token) and lists its
 * holders, the pid and start time of each session that holds it, so that a
 * crash, kill -9 or reboot still ends with the sweep revoking it once no
 * holder is left.  Every change of such an entry happens under its lock file
 * (user-<uid>-<key_name>.lock beside it), by the sessions and the sweep
 * alike: two logins at once mint one token, and the sweep never revokes a
 * token a session is joining.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

/* "pid:start,pid:start": decimal pids, start times decimal or empty (no
 * /proc when the session opened); empty: nobody. */
bool pj_holders_valid(const char *s)
{
    if (s == NULL)
        return false;
    while (*s != '\0') {
        size_t pid = strspn(s, "0123456789"), start;

        if (pid == 0 || pid > 10 || s[pid] != ':')
            return false;
        s += pid + 1;
        start = strspn(s, "0123456789");
        if (start > 20 || (s[start] != ',' && s[start] != '\0'))
            return false;
        s += start;
        if (*s == ',') {
            s++;
            if (*s == '\0')
                return false;
        }
    }
    return true;
}

char *pj_journal_shared_name(uid_t uid, const char *key_name)
{
    static const char hex[] = "0123456789abcdef";
    char *name = malloc(32 + 3 * strlen(key_name)), *p;
    const unsigned char *k;

    if (name == NULL)
        return NULL;
    p = name + sprintf(name, "user-%lu-", (unsigned long)uid);
    /* Any byte that could leave the directory or confuse a reader, as %XX. */
    for (k = (const unsigned char *)key_name; *k != '\0'; k++) {
        if ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
            (*k >= '0' && *k <= '9') || *k == '.' || *k == '_' || *k == '-') {
            *p++ = (char)*k;
        } else {
            *p++ = '%';
            *p++ = hex[*k >> 4];
            *p++ = hex[*k & 15];
        }
    }
    strcpy(p, ".token");
    return name;
}

static int lock_shared(const char *dir, const char *name, long long deadline, char *err,
                       size_t errlen)
{
    struct stat st;
    char *path = NULL;
    size_t n = strlen(name);
    int fd = -1, saved = 0;
    struct timespec pause = {0, 10L * 1000 * 1000};

    if (n < 7 || strcmp(name + n - 6, ".token") != 0 || strchr(name, '/') != NULL) {
        pj_set_error(err, errlen, "no lock for journal entry \"%s\"", name);
        errno = EINVAL;
        return -1;
    }
    /* The journal directory's rules (lib/journal.c) hold for the lock too. */
    if (pj_journal_ensure_dir(dir, err, errlen) < 0)
        return -1;
    path = pj_strdup_printf("%s/%.*s.lock", dir, (int)(n - 6), name);
    if (path == NULL) {
        pj_set_error(err, errlen, "out of memory");
        errno = ENOMEM;
        return -1;
    }
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
              0600);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 0077) != 0) {
        saved = fd < 0 ? errno : EPERM;
        pj_set_error(err, errlen, "cannot use lock file %s: %s", path,
                     fd < 0 ? strerror(saved) : "not a private regular file");
        goto fail;
    }
    /* Held for one PAM call at most (its own deadline bounds it). */
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        saved = errno;
        if ((saved != EWOULDBLOCK && saved != EINTR) || deadline == 0 ||
            pj_ms_left(deadline) == 0) {
            pj_set_error(err, errlen, "cannot lock %s: %s", path,
                         saved == EWOULDBLOCK ? "held by another session"
                                              : strerror(saved));
            goto fail;
        }
        nanosleep(&pause, NULL);
    }
    free(path);
    return fd;

fail:
    if (fd >= 0)
        close(fd);
    free(path);
    errno = saved;
    return -1;
}

enum pj_outcome pj_journal_lock_shared(const char *dir, const char *name,
                                       long long deadline, int *fd, char *err,
                                       size_t errlen)
{
    *fd = lock_shared(dir, name, deadline, err, errlen);
    if (*fd >= 0)
        return PJ_OK;
    if (errno == EWOULDBLOCK)
        return PJ_BUSY;
    return errno == ENOMEM ? PJ_NOMEM : PJ_IO;
}

enum pj_outcome pj_journal_set_aside(const char *dir, const char *name,
                                     struct pj_journal_entry *entry, char *err,
                                     size_t errlen)
{
    char *aside = NULL, *path = NULL, *holders = entry->holders;
    enum pj_outcome status = PJ_IO;

    if (entry->uuid == NULL) {
        pj_set_error(err, errlen, "cannot set %s aside: it has no uuid", name);
        return PJ_IO;
    }
    aside = pj_strdup_printf("%s.token", entry->uuid);
    path = pj_strdup_printf("%s/%s", dir, name);
    if (aside == NULL || path == NULL) {
        pj_set_error(err, errlen, "out of memory");
        status = PJ_NOMEM;
        goto done;
    }
    /* Held by nobody: the next sweep revokes it. */
    entry->holders = (char *)"";
    status = pj_journal_rewrite(dir, aside, entry, err, errlen);
    entry->holders = holders;
    if (status == PJ_OK && pj_journal_remove(path) != PJ_OK) {
        pj_set_error(err, errlen, "cannot remove %s: %s", path, strerror(errno));
        status = PJ_IO;
    }

done:
    free(aside);
    free(path);
    return status;
}

char *pj_holder_self(void)
{
    char *start = pj_process_start_time((long)getpid());
    char *holder =
        pj_strdup_printf("%ld:%s", (long)getpid(), start != NULL ? start : "");

    free(start);
    return holder;
}

bool pj_holder_alive(const char *holder, size_t len)
{
    const char *colon = memchr(holder, ':', len);
    char *start;
    long pid;
    bool alive;

    if (colon == NULL)
        return false;
    pid = strtol(holder, NULL, 10);
    start = pj_process_start_time(pid);
    if (start == NULL)
        return false; /* gone, or a zombie nobody reaps */
    /* Without a start time (no /proc at session open) a reused pid cannot
     * be told from the session's: keep the token while the pid lives. */
    alive = colon + 1 == holder + len ||
            (strlen(start) == (size_t)(holder + len - colon - 1) &&
             memcmp(start, colon + 1, strlen(start)) == 0);
    free(start);
    return alive;
}

char *pj_holders_update(const char *list, const char *add, const char *drop, int *count)
{
    size_t cap =
        (list != NULL ? strlen(list) : 0) + (add != NULL ? strlen(add) : 0) + 2;
    char *out = malloc(cap), *o = out;
    const char *p = list != NULL ? list : "";
    bool dropped = drop == NULL;

    *count = 0;
    if (out == NULL)
        return NULL;
    *out = '\0';
    while (*p != '\0') {
        size_t len = strcspn(p, ",");

        /* This session leaves once, even if its process holds it twice
         * (two PAM handles in one process). */
        if (!dropped && strlen(drop) == len && memcmp(p, drop, len) == 0)
            dropped = true;
        else if (pj_holder_alive(p, len)) {
            o += sprintf(o, "%s%.*s", o == out ? "" : ",", (int)len, p);
            (*count)++;
        }
        p += len + (p[len] == ',' ? 1 : 0);
    }
    if (add != NULL) {
        sprintf(o, "%s%s", o == out ? "" : ",", add);
        (*count)++;
    }
    return out;
}

bool pj_holders_live(const char *list)
{
    char *left;
    int count = 0;

    left = pj_holders_update(list, NULL, NULL, &count);
    /* Out of memory: say alive, and leave the token to the next sweep. */
    if (left == NULL)
        return true;
    free(left);
    return count > 0;
}

bool pj_journal_shared_entry(const char *name)
{
    return strncmp(name, "user-", 5) == 0;
}

void pj_shared_drop_keys(const struct pj_journal_entry *entry)
{
    if (entry->key_name == NULL || entry->uid == NULL || entry->uuid == NULL)
        return;
    pj_keyring_drop_user((uid_t)strtoul(entry->uid, NULL, 10), (gid_t)-1,
                         entry->key_name, entry->uuid);
}
