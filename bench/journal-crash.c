/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The writer of bench/journal-crash: writes one journal entry into DIR on a
 * loop device, and the moment the write returns copies the device's backing
 * IMAGE to SNAPSHOT.  What the device holds at that instant is what a crash
 * right then leaves behind: the page cache, and whatever the filesystem had
 * not yet sent to the device, is lost.
 *
 *   journal-crash MODE DIR IMAGE SNAPSHOT  -> prints the entry's file name
 *
 * MODE journal:      pj_journal_write, the module's code
 *      unsynced:     control: the same entry, temporary file and rename, no
 *                    fsync at all (must be lost)
 *      early-fsync:  control: fsync of the temporary file, rename, no fsync
 *                    of the directory (the rename must be lost)
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

static int copy(const char *from, const char *to)
{
    static char buf[1 << 20];
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int status = -1;
    ssize_t n;

    if (in < 0 || out < 0)
        goto done;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            goto done;
    status = n == 0 ? 0 : -1;

done:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0)
        status = -1;
    return status;
}

/* The controls: the same text and names as pj_journal_write. */
static char *control(const char *dir, const struct pj_journal_entry *entry,
                     bool early_fsync)
{
    char *text = pj_journal_format(entry);
    char *tmp = pj_strdup_printf("%s/.tmp-XXXXXX", dir);
    char *path = pj_strdup_printf("%s/%s.token", dir, entry->uuid);
    int fd = tmp != NULL ? mkstemp(tmp) : -1;
    bool ok = text != NULL && path != NULL && fd >= 0 &&
              write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
              (!early_fsync || fsync(fd) == 0) && rename(tmp, path) == 0;

    if (fd >= 0)
        close(fd);
    pj_secret_free(text);
    free(tmp);
    if (!ok) {
        free(path);
        return NULL;
    }
    return path;
}

int main(int argc, char **argv)
{
    struct pj_journal_entry entry = {0};
    char err[512], *path = NULL;

    if (argc != 5) {
        fprintf(stderr, "usage: journal-crash MODE DIR IMAGE SNAPSHOT\n");
        return 2;
    }
    entry.url = "https://jenkins.example.com";
    entry.user = "alice";
    entry.uuid = "6a5b2c9e-1111-4222-8333-944455556666";
    entry.token = "11aabbccddeeff00112233445566778899";
    entry.token_name = "pam_jenkins alice@host sshd pts/0 2026-01-01T00:00:00Z";
    entry.created = "2026-01-01T00:00:00Z";
    entry.pid = "4242";
    entry.start_time = "123456";
    entry.boot_id = "0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b";
    if (strcmp(argv[1], "journal") == 0) {
        if (pj_journal_write(argv[2], &entry, &path, err, sizeof(err)) != PJ_OK) {
            fprintf(stderr, "journal-crash: %s\n", err);
            return 1;
        }
    } else if (strcmp(argv[1], "unsynced") == 0 ||
               strcmp(argv[1], "early-fsync") == 0) {
        path = control(argv[2], &entry, strcmp(argv[1], "early-fsync") == 0);
        if (path == NULL) {
            perror("journal-crash");
            return 1;
        }
    } else {
        return 2;
    }
    if (copy(argv[3], argv[4]) < 0) {
        perror("journal-crash: snapshot");
        return 1;
    }
    printf("%s\n", strrchr(path, '/') + 1);
    free(path);
    return 0;
}
