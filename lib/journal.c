/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The journal: every minted token is written to journal_dir before the user
 * gets it and removed after it is revoked, so a crash, kill -9, reboot or an
 * unreachable controller at logout never leaves a live token nobody knows
 * about.  `jenkins-token sweep` revokes the entries of dead sessions.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define FIELD(name)                                                                    \
    {                                                                                  \
#name, offsetof(struct pj_journal_entry, name)                                 \
    }
static const struct pj_kv_field entry_fields[] = {
    FIELD(url),        FIELD(user),    FIELD(uuid),    FIELD(token),
    FIELD(token_name), FIELD(created), FIELD(pid),     FIELD(start_time),
    FIELD(boot_id),    FIELD(ca_file), FIELD(ca_path), FIELD(proxy),
};
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

int pj_journal_parse(struct pj_journal_entry *entry, const char *text, size_t len,
                     char *err, size_t errlen)
{
    memset(entry, 0, sizeof(*entry));
    if (pj_kv_parse(entry, entry_fields, ENTRY_FIELDS, text, len, err, errlen) < 0)
        goto fail;
    if (entry->url == NULL || entry->user == NULL || entry->uuid == NULL ||
        entry->token == NULL) {
        pj_set_error(err, errlen, "entry lacks url, user, uuid or token");
        goto fail;
    }
    if (!uuid_ok(entry->uuid)) {
        pj_set_error(err, errlen, "entry has a malformed uuid");
        goto fail;
    }
    return 0;

fail:
    pj_journal_entry_free(entry);
    return -1;
}

/* The directory holds live tokens: it must be root's and private. */
static int ensure_dir(const char *dir, char *err, size_t errlen)
{
    struct stat st;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        pj_set_error(err, errlen, "cannot create journal directory %s: %s", dir,
                     strerror(errno));
        return -1;
    }
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        pj_set_error(err, errlen, "journal directory %s is not a directory", dir);
        return -1;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 0077) != 0) {
        pj_set_error(err, errlen,
                     "journal directory %s must be owned by uid %lu with mode 0700",
                     dir, (unsigned long)geteuid());
        return -1;
    }
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

int pj_journal_write(const char *dir, const struct pj_journal_entry *entry,
                     char **path_out, char *err, size_t errlen)
{
    char *text = NULL, *tmp = NULL, *path = NULL;
    int fd = -1, dirfd = -1, status = -1;

    *path_out = NULL;
    if (!uuid_ok(entry->uuid)) {
        pj_set_error(err, errlen, "refusing to journal a malformed uuid");
        goto done;
    }
    if (ensure_dir(dir, err, errlen) < 0)
        goto done;
    text = pj_journal_format(entry);
    tmp = pj_strdup_printf("%s/.tmp-XXXXXX", dir);
    path = pj_strdup_printf("%s/%s.token", dir, entry->uuid);
    if (text == NULL || tmp == NULL || path == NULL) {
        pj_set_error(err, errlen, "out of memory");
        goto done;
    }
    fd = mkstemp(tmp); /* 0600 */
    if (fd < 0 || write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
        pj_set_error(err, errlen, "cannot write journal entry in %s: %s", dir,
                     strerror(errno));
        goto done;
    }
    if (rename(tmp, path) < 0) {
        pj_set_error(err, errlen, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd >= 0)
        fsync(dirfd);
    *path_out = path;
    path = NULL;
    status = 0;

done:
    if (fd >= 0) {
        close(fd);
        if (status != 0)
            unlink(tmp);
    }
    if (dirfd >= 0)
        close(dirfd);
    pj_secret_free(text);
    free(tmp);
    free(path);
    return status;
}

int pj_journal_read(const char *path, struct pj_journal_entry *entry, char *err,
                    size_t errlen)
{
    size_t len;
    char *text = pj_read_file(path, (size_t)16 * 1024, &len);
    int status;

    if (text == NULL) {
        pj_set_error(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    status = pj_journal_parse(entry, text, len, err, errlen);
    pj_secret_free_n(text, len);
    return status;
}

int pj_journal_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return -1;
    return 0;
}

char *pj_boot_id(void)
{
    char *id = pj_read_file("/proc/sys/kernel/random/boot_id", 128, NULL);

    if (id != NULL)
        id[strcspn(id, "\n")] = '\0';
    return id;
}

char *pj_process_start_time(long pid)
{
    char path[64], *stat_text, *p, *result = NULL;
    int field;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    stat_text = pj_read_file(path, 4096, NULL);
    if (stat_text == NULL)
        return NULL;
    /* The command name may hold spaces and ')': skip to the last ')'. */
    p = strrchr(stat_text, ')');
    /* Field 3 (state) follows ") "; start time is field 22. */
    for (field = 2; p != NULL && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p != NULL)
        result = strndup(p + 1, strcspn(p + 1, " "));
    free(stat_text);
    return result;
}
