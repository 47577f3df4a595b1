/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Small helpers shared by every part: formatted allocation, error buffers,
 * time stamps, whole-file reads, outcome names.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

const char *pj_outcome_name(enum pj_outcome outcome)
{
    switch (outcome) {
    case PJ_OK:
        return "ok";
    case PJ_BAD_CREDENTIALS:
        return "bad credentials";
    case PJ_FORBIDDEN:
        return "forbidden";
    case PJ_NOT_FOUND:
        return "not found";
    case PJ_UNREACHABLE:
        return "unreachable";
    case PJ_TLS:
        return "TLS failure";
    case PJ_TIMEOUT:
        return "timeout";
    case PJ_SERVER_ERROR:
        return "server error";
    case PJ_PROTOCOL:
        return "protocol error";
    case PJ_NOMEM:
        return "out of memory";
    case PJ_CONFIG:
        return "configuration error";
    case PJ_IO:
        return "system error";
    case PJ_EXPIRED:
        return "expired";
    case PJ_REVOKED:
        return "revoked";
    case PJ_STALE:
        return "stale";
    case PJ_BUSY:
        return "busy";
    }
    return "unknown";
}

char *pj_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    char *out = NULL;

    va_start(ap, fmt);
    if (vasprintf(&out, fmt, ap) < 0)
        out = NULL;
    va_end(ap);
    return out;
}

void pj_set_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

char *pj_iso_time(time_t when)
{
    struct tm tm;
    char buf[32];

    if (gmtime_r(&when, &tm) == NULL)
        return NULL;
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return strdup(buf);
}

/* The rest of fd, at most max bytes, NUL-terminated; NULL with errno
 * (EFBIG when larger).  The buffer is wiped when given up: it may hold a
 * secret (journal entries hold tokens). */
char *pj_read_fd(int fd, size_t max, size_t *len)
{
    char *buf = malloc(max + 1);
    size_t used = 0;
    ssize_t got;
    int saved;

    if (buf == NULL)
        return NULL;
    for (;;) {
        got = read(fd, buf + used, max + 1 - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto fail;
        if (got == 0)
            break;
        used += (size_t)got;
        if (used > max) {
            errno = EFBIG;
            goto fail;
        }
    }
    buf[used] = '\0';
    if (len != NULL)
        *len = used;
    return buf;

fail:
    saved = errno;
    pj_secret_free_n(buf, max + 1);
    errno = saved;
    return NULL;
}

char *pj_read_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), saved;
    char *buf;

    if (fd < 0)
        return NULL;
    buf = pj_read_fd(fd, max, len);
    saved = errno;
    close(fd);
    errno = saved;
    return buf;
}

long long pj_now_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

long long pj_ms_left(long long deadline)
{
    long long left;

    if (deadline == 0)
        return -1;
    left = deadline - pj_now_ms();
    return left > 0 ? left : 0;
}

/* Like sshd's StrictModes: a configuration that anyone but root (or the
 * user running jenkins-token for themselves) could have written decides
 * where the password goes, so it is refused, not trusted.  The checks run
 * on the opened descriptor, so the file cannot be swapped in between. */
char *pj_read_trusted_file(const char *path, size_t max, size_t *len, char *err,
                           size_t errlen)
{
    struct stat st;
    char *buf;
    int fd, saved;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        saved = errno;
        pj_set_error(err, errlen, "cannot read %s: %s", path, strerror(saved));
        errno = saved;
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        pj_set_error(err, errlen, "%s is not a regular file", path);
        goto fail;
    }
    if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022) != 0) {
        pj_set_error(err, errlen,
                     "%s is not trusted: it must be owned by root and writable by "
                     "nobody else (chown root:root %s && chmod 644 %s)",
                     path, path, path);
        goto fail;
    }
    if (st.st_size > (off_t)max) {
        pj_set_error(err, errlen, "%s is larger than %zu KiB", path, max / 1024);
        goto fail;
    }
    buf = pj_read_fd(fd, max, len);
    if (buf == NULL) {
        pj_set_error(err, errlen, "cannot read %s: %s", path,
                     errno == EFBIG ? "too large" : strerror(errno));
        goto fail;
    }
    close(fd);
    return buf;

fail:
    close(fd);
    errno = EPERM;
    return NULL;
}
