/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The journal: every minted token is written to journal_dir before the user
 * gets it and removed after it is revoked, so a crash, kill -9, reboot or an
 * unreachable controller at logout never leaves a live token nobody knows
 * about.  `jenkins-token sweep` revokes the entries of dead sessions.
 *
 * Root acts on what the directory holds (it sends each entry's token to the
 * entry's controller), so the writer and the sweep apply the same rules, as
 * sshd's StrictModes does for authorized_keys: a real directory (no
 * symlink) owned by the effective uid with no group or other bits, and
 * entries that are regular files owned by it with no group or other bits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

#define ENTRY_MAX ((size_t)16 * 1024)

/* clang-format off */
#define FIELD(name) { #name, offsetof(struct pj_journal_entry, name) }
static const struct pj_kv_field entry_fields[] = {
    FIELD(url), FIELD(user), FIELD(uuid), FIELD(token), FIELD(token_name),
    FIELD(created), FIELD(pid), FIELD(start_time), FIELD(boot_id),
    FIELD(ca_file), FIELD(ca_path), FIELD(proxy), FIELD(tries),
    FIELD(hard_failures), FIELD(last_try), FIELD(next_try), FIELD(given_up),
    FIELD(last_error), FIELD(intent), FIELD(uid), FIELD(key_name),
    FIELD(holders),
};
/* clang-format on */
#define ENTRY_FIELDS (sizeof(entry_fields) / sizeof(entry_fields[0]))

void pj_journal_entry_free(struct pj_journal_entry *entry)
{
    pj_kv_free(entry, entry_fields, ENTRY_FIELDS, "token");
}

char *pj_journal_format(const struct pj_journal_entry *entry)
{
    return pj_kv_format(entry, entry_fields, ENTRY_FIELDS);
}

static bool uuid_ok(const char *uuid)
{
    size_t n = strlen(uuid);

    return n > 0 && n <= 64 && strspn(uuid, "0123456789abcdefABCDEF-") == n;
}

/* Decimal, no sign, fits a long: the sweep's counters and epoch times. */
static bool number_ok(const char *s)
{
    size_t n;

    if (s == NULL)
        return true;
    n = strlen(s);
    return n > 0 && n <= 18 && strspn(s, "0123456789") == n;
}

long pj_journal_number(const char *value)
{
    return value != NULL && number_ok(value) ? strtol(value, NULL, 10) : 0;
}

int pj_journal_parse(struct pj_journal_entry *entry, const char *text, size_t len,
                     char *err, size_t errlen)
{
    memset(entry, 0, sizeof(*entry));
    if (pj_kv_parse(entry, entry_fields, ENTRY_FIELDS, text, len, err, errlen) < 0)
        goto fail;
    if (entry->url == NULL || entry->user == NULL) {
        pj_set_error(err, errlen, "entry lacks url or user");
        goto fail;
    }
    /* An intent (the generate request went out, no reply yet) has the
     * token's name and no uuid or token; every other entry has both. */
    if (entry->intent != NULL
            ? entry->token_name == NULL || entry->uuid != NULL || entry->token != NULL
            : entry->uuid == NULL || entry->token == NULL) {
        pj_set_error(err, errlen,
                     "entry lacks uuid or token (or, for an intent, the token name)");
        goto fail;
    }
    if (entry->uuid != NULL && !uuid_ok(entry->uuid)) {
        pj_set_error(err, errlen, "entry has a malformed uuid");
        goto fail;
    }
    if (!number_ok(entry->tries) || !number_ok(entry->hard_failures) ||
        !number_ok(entry->last_try) || !number_ok(entry->next_try) ||
        !number_ok(entry->given_up)) {
        pj_set_error(err, errlen, "entry has a malformed retry count or time");
        goto fail;
    }
    /* keyring = user: whose user keyring, which keys, held by whom. */
    if ((entry->uid != NULL || entry->key_name != NULL || entry->holders != NULL) &&
        (entry->intent != NULL || entry->uid == NULL || !number_ok(entry->uid) ||
         entry->key_name == NULL || entry->key_name[0] == '\0' ||
         entry->holders == NULL || !pj_holders_valid(entry->holders))) {
        pj_set_error(err, errlen, "entry has a malformed uid, key_name or holders");
        goto fail;
    }
    return 0;

fail:
    pj_journal_entry_free(entry);
    return -1;
}

static void dir_error(const char *dir, const char *why, char *err, size_t errlen)
{
    if (geteuid() == 0)
        pj_set_error(err, errlen,
                     "journal directory %s %s: it must be a directory owned by root "
                     "with mode 0700 (chown root:root %s && chmod 0700 %s)",
                     dir, why, dir, dir);
    else
        pj_set_error(err, errlen,
                     "journal directory %s %s: it must be a directory owned by uid %lu "
                     "with mode 0700",
                     dir, why, (unsigned long)geteuid());
}

int pj_journal_open_dir(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    int fd, saved;

    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        saved = errno;
        if (saved == ELOOP || saved == ENOTDIR)
            dir_error(dir, "is a symlink or not a directory", err, errlen);
        else
            pj_set_error(err, errlen, "cannot open journal directory %s: %s", dir,
                         strerror(saved));
        errno = saved;
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
        dir_error(dir, "is not a directory", err, errlen);
        goto refuse;
    }
    if (st.st_uid != geteuid()) {
        dir_error(dir, "has the wrong owner", err, errlen);
        goto refuse;
    }
    if ((st.st_mode & 0077) != 0) {
        dir_error(dir, "is open to group or others", err, errlen);
        goto refuse;
    }
    return fd;

refuse:
    close(fd);
    errno = EPERM;
    return -1;
}

/* The directory holds live tokens: it must be root's and private. */
int pj_journal_ensure_dir(const char *dir, char *err, size_t errlen)
{
    int fd;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        pj_set_error(err, errlen, "cannot create journal directory %s: %s", dir,
                     strerror(errno));
        return -1;
    }
    fd = pj_journal_open_dir(dir, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* mkstemp (0600), rename over dir/name, then one fsync of the entry: after
 * a crash the entry is either the old one or the new one, whole, and once
 * this returns, the new one.  The rename comes before the fsync so that one
 * journal commit carries the data, the inode and the new name: a rename
 * (or a link) changes the inode too (its ctime), so ext4, XFS and btrfs
 * commit it with the fsync of the file (fstests generic/322 and 376 hold
 * them to it; bench/journal-crash replays it on each).  The directory fsync
 * of the old order was a second commit and cache flush per login.  Readers
 * (the sweep) never see a half-written entry: it gets its name whole.
 * Not durable: no fsync, so the entry survives the process (kill -9,
 * sshd's LoginGraceTime) but not a power cut.  Not replace: link instead
 * of rename, which fails when dir/name exists. */
static int write_entry(const char *dir, const char *name,
                       const struct pj_journal_entry *entry, bool durable, bool replace,
                       char **path_out, char *err, size_t errlen)
{
    char *text = NULL, *tmp = NULL, *path = NULL;
    int fd = -1, status = -1;
    bool named = false;

    if (pj_journal_ensure_dir(dir, err, errlen) < 0)
        goto done;
    text = pj_journal_format(entry);
    tmp = pj_strdup_printf("%s/.tmp-XXXXXX", dir);
    path = pj_strdup_printf("%s/%s", dir, name);
    if (text == NULL || tmp == NULL || path == NULL) {
        pj_set_error(err, errlen, "out of memory");
        goto done;
    }
    fd = mkstemp(tmp); /* 0600 */
    if (fd < 0 || write_all(fd, text, strlen(text)) < 0) {
        pj_set_error(err, errlen, "cannot write journal entry in %s: %s", dir,
                     strerror(errno));
        goto done;
    }
    if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0) {
        pj_set_error(err, errlen, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    named = true;
    if (!replace)
        unlink(tmp);
    if (durable && fsync(fd) < 0) {
        /* the entry is in place; the caller's undo removes it */
        pj_set_error(err, errlen, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    if (path_out != NULL) {
        *path_out = path;
        path = NULL;
    }
    status = 0;

done:
    if (fd >= 0) {
        close(fd);
        if (status != 0 && !named)
            unlink(tmp);
    }
    pj_secret_free(text);
    free(tmp);
    free(path);
    return status;
}

enum pj_outcome pj_journal_write(const char *dir, const struct pj_journal_entry *entry,
                                 char **path_out, char *err, size_t errlen)
{
    char *name = NULL;
    enum pj_outcome status = PJ_IO;

    *path_out = NULL;
    if (!uuid_ok(entry->uuid)) {
        pj_set_error(err, errlen, "refusing to journal a malformed uuid");
        goto done;
    }
    /* A token shared by a user's sessions (keyring = user) is found by its
     * user and key name; two of them must never share the name. */
    if (entry->key_name != NULL)
        name = entry->uid != NULL && number_ok(entry->uid)
                   ? pj_journal_shared_name((uid_t)strtoul(entry->uid, NULL, 10),
                                            entry->key_name)
                   : NULL;
    else
        name = pj_strdup_printf("%s.token", entry->uuid);
    if (name == NULL) {
        pj_set_error(err, errlen, "out of memory or a malformed uid");
        goto done;
    }
    if (write_entry(dir, name, entry, true, entry->key_name == NULL, path_out, err,
                    errlen) == 0)
        status = PJ_OK;

done:
    free(name);
    return status;
}

enum pj_outcome pj_journal_write_intent(const char *dir,
                                        const struct pj_journal_entry *entry,
                                        char **path_out, char *err, size_t errlen)
{
    unsigned char id[16];
    char name[64];
    size_t i;

    *path_out = NULL;
    if (entry->intent == NULL || entry->token_name == NULL || entry->uuid != NULL) {
        pj_set_error(err, errlen, "refusing to journal a malformed intent");
        return PJ_IO;
    }
    if (getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id)) {
        pj_set_error(err, errlen, "cannot name a journal entry: %s", strerror(errno));
        return PJ_IO;
    }
    strcpy(name, "intent-");
    for (i = 0; i < sizeof(id); i++)
        snprintf(name + 7 + 2 * i, 3, "%02x", id[i]);
    strcat(name, ".token");
    /* Not durable: the controller has not been asked yet, and the entry is
     * rewritten, durably, as soon as it answers.  It only has to outlive
     * this process if the answer never comes. */
    return write_entry(dir, name, entry, false, true, path_out, err, errlen) == 0
               ? PJ_OK
               : PJ_IO;
}

enum pj_outcome pj_journal_rewrite(const char *dir, const char *name,
                                   const struct pj_journal_entry *entry, char *err,
                                   size_t errlen)
{
    if (strchr(name, '/') != NULL || name[0] == '.') {
        pj_set_error(err, errlen, "refusing to write journal entry \"%s\"", name);
        return PJ_IO;
    }
    return write_entry(dir, name, entry, true, true, NULL, err, errlen) == 0 ? PJ_OK
                                                                             : PJ_IO;
}

int pj_journal_read_at(int dirfd, const char *name, struct pj_journal_entry *entry,
                       int *lock_fd, char *err, size_t errlen)
{
    struct stat st, now;
    char *text = NULL;
    size_t len = 0;
    int fd, status = -1, saved = 0;

    memset(entry, 0, sizeof(*entry));
    *lock_fd = -1;
    /* O_NONBLOCK: a FIFO must not stall the sweep before fstat refuses it. */
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        saved = errno;
        pj_set_error(err, errlen, "%s",
                     saved == ELOOP ? "a symlink, not an entry" : strerror(saved));
        goto done;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        saved = EPERM;
        pj_set_error(err, errlen, "not a regular file");
        goto done;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 0077) != 0) {
        saved = EPERM;
        pj_set_error(err, errlen,
                     "must be owned by uid %lu with mode 0600 (owner %lu, mode %04o)",
                     (unsigned long)geteuid(), (unsigned long)st.st_uid,
                     (unsigned)(st.st_mode & 07777));
        goto done;
    }
    /* Two sweeps at once (the timer and a login, or two logins) must not
     * both spend a timeout on the same entry. */
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        saved = errno == EWOULDBLOCK ? EWOULDBLOCK : errno;
        pj_set_error(err, errlen, "another sweep is working on it");
        goto done;
    }
    /* Replaced (a retry recorded) or removed (revoked) by the sweep that
     * held the lock: this copy is stale. */
    if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
        now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
        saved = ESTALE;
        pj_set_error(err, errlen, "replaced while being read");
        goto done;
    }
    text = pj_read_fd(fd, ENTRY_MAX, &len);
    if (text == NULL) {
        saved = errno;
        pj_set_error(err, errlen, "cannot read: %s", strerror(saved));
        goto done;
    }
    if (pj_journal_parse(entry, text, len, err, errlen) < 0) {
        saved = EINVAL;
        goto done;
    }
    *lock_fd = fd;
    fd = -1;
    status = 0;

done:
    if (fd >= 0)
        close(fd);
    pj_secret_free_n(text, len);
    if (status != 0)
        errno = saved;
    return status;
}

enum pj_outcome pj_journal_read(const char *dir, const char *name,
                                struct pj_journal_entry *entry, char *err,
                                size_t errlen)
{
    int dirfd, lock = -1, status, saved;

    memset(entry, 0, sizeof(*entry));
    dirfd = pj_journal_open_dir(dir, err, errlen);
    if (dirfd < 0)
        return errno == ENOENT ? PJ_NOT_FOUND : PJ_IO;
    status = pj_journal_read_at(dirfd, name, entry, &lock, err, errlen);
    saved = errno;
    if (lock >= 0)
        close(lock);
    close(dirfd);
    errno = saved;
    if (status == 0)
        return PJ_OK;
    return saved == ENOENT ? PJ_NOT_FOUND : PJ_IO;
}

enum pj_outcome pj_journal_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return PJ_IO;
    return PJ_OK;
}

char *pj_boot_id(void)
{
    char *id = pj_read_file("/proc/sys/kernel/random/boot_id", 128, NULL);

    if (id != NULL)
        id[strcspn(id, "\n")] = '\0';
    return id;
}

time_t pj_boot_time(void)
{
    char *text = pj_read_file("/proc/stat", (size_t)1024 * 1024, NULL), *line;
    time_t when = 0;

    if (text == NULL)
        return 0;
    for (line = text; line != NULL; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, "btime ", 6) == 0) {
            when = (time_t)strtoll(line + 6, NULL, 10);
            break;
        }
    }
    free(text);
    return when > 0 ? when : 0;
}

char *pj_process_start_time(long pid)
{
    char path[64], *stat_text, *p, *result = NULL;
    int field;

    if (pid <= 0)
        return NULL;
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    stat_text = pj_read_file(path, 4096, NULL);
    if (stat_text == NULL)
        return NULL;
    /* The command name may hold spaces and ')': skip to the last ')'. */
    p = strrchr(stat_text, ')');
    /* Field 3, the state, follows ") ".  A zombie has ended: its session is
     * over even though nobody reaped it (a container whose pid 1 does not
     * wait for orphans keeps them for ever). */
    if (p == NULL || p[1] != ' ' || strchr("ZXx", p[2]) != NULL)
        goto done;
    /* The start time is field 22. */
    for (field = 2; p != NULL && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p != NULL)
        result = strndup(p + 1, strcspn(p + 1, " "));

done:
    free(stat_text);
    return result;
}
