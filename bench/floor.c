/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The protocol floor: a minimal in-process libcurl client doing only the
 * three requests of one token lifecycle (crumb GET, generateNewToken POST,
 * revoke POST) on one connection, nothing else.  bench/run compares
 * pam_jenkins against it.
 *
 * Usage: floor [--keep] URL CA USER PASSWORD-FILE N
 *          -> one "lifecycle_us: N" per lifecycle
 *
 * Each lifecycle is a new handle (its own cookies) and, by default, a new
 * connection with a full handshake.  --keep shares libcurl's connection
 * cache between the handles, as pam_jenkins does (lib/http_process.c): the
 * floor of a process that keeps its idle connection for the next login.
 *
 * It is also the stopwatch of the cold rows, where the process start is
 * the point (sshd runs every login in a new process):
 *
 *        floor --spawn INPUT-FILE COMMAND [ARG...]
 *
 * runs COMMAND once with INPUT-FILE on its standard input and its output
 * thrown away, and prints "lifecycle_us: N", the time from before the
 * spawn to after the wait.  It exits 1 if COMMAND did not exit 0.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

struct buf {
    char data[65536];
    size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t len = size * n;

    if (b->len + len >= sizeof(b->data))
        return 0;
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

/* The value of "key":"value" in a flat JSON text (enough for a floor). */
static int field(const char *json, const char *key, char *out, size_t outlen)
{
    char pattern[64];
    const char *p, *end;

    snprintf(pattern, sizeof(pattern), "\"%s\": \"", key);
    p = strstr(json, pattern);
    if (p == NULL) {
        snprintf(pattern, sizeof(pattern), "\"%s\":\"", key);
        p = strstr(json, pattern);
    }
    if (p == NULL)
        return -1;
    p += strlen(pattern);
    end = strchr(p, '"');
    if (end == NULL || (size_t)(end - p) >= outlen)
        return -1;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 0;
}

static long elapsed_us(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000000L + (b->tv_nsec - a->tv_nsec) / 1000;
}

static int spawn(char **argv)
{
    posix_spawn_file_actions_t actions;
    struct timespec t0, t1;
    int status = 0, rc;
    pid_t pid;

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, argv[0], O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = posix_spawn(&pid, argv[1], &actions, NULL, argv + 1, environ);
    if (rc == 0 && waitpid(pid, &status, 0) == pid) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            printf("lifecycle_us: %ld\n", elapsed_us(&t0, &t1));
        else
            rc = 1;
    } else {
        rc = 1;
    }
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    char password[256] = "", url[512], crumb[256], header[300], token[128], uuid[128];
    char userpwd[512], form[256];
    CURLSH *share = NULL;
    struct buf b;
    FILE *f;
    int i, n;

    if (argc >= 4 && strcmp(argv[1], "--spawn") == 0)
        return spawn(argv + 2);
    if (argc == 7 && strcmp(argv[1], "--keep") == 0) {
        share = curl_share_init();
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        argv++;
        argc--;
    }
    if (argc != 6)
        return 2;
    f = fopen(argv[4], "r");
    if (f == NULL || fgets(password, sizeof(password), f) == NULL)
        return 2;
    fclose(f);
    password[strcspn(password, "\n")] = '\0';
    n = atoi(argv[5]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (i = 0; i < n; i++) {
        struct curl_slist *h = NULL;
        struct timespec t0, t1;
        CURL *c = curl_easy_init();

        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (share != NULL)
            curl_easy_setopt(c, CURLOPT_SHARE, share);
        curl_easy_setopt(c, CURLOPT_CAINFO, argv[2]);
        curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        snprintf(userpwd, sizeof(userpwd), "%s:%s", argv[3], password);
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
        b.len = 0;
        snprintf(url, sizeof(url), "%s/crumbIssuer/api/json", argv[1]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        if (curl_easy_perform(c) != CURLE_OK ||
            field(b.data, "crumb", crumb, sizeof(crumb)))
            return 1;
        snprintf(header, sizeof(header), "Jenkins-Crumb: %s", crumb);
        h = curl_slist_append(h, header);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        snprintf(
            url, sizeof(url),
            "%s/me/descriptorByName/jenkins.security.ApiTokenProperty/generateNewToken",
            argv[1]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "newTokenName=floor");
        b.len = 0;
        if (curl_easy_perform(c) != CURLE_OK ||
            field(b.data, "tokenValue", token, sizeof(token)) ||
            field(b.data, "tokenUuid", uuid, sizeof(uuid)))
            return 1;
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        snprintf(userpwd, sizeof(userpwd), "%s:%s", argv[3], token);
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
        snprintf(url, sizeof(url),
                 "%s/user/%s/descriptorByName/jenkins.security.ApiTokenProperty/revoke",
                 argv[1], argv[3]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        snprintf(form, sizeof(form), "tokenUuid=%s", uuid);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
        b.len = 0;
        if (curl_easy_perform(c) != CURLE_OK)
            return 1;
        curl_easy_cleanup(c);
        curl_slist_free_all(h);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("lifecycle_us: %ld\n", elapsed_us(&t0, &t1));
    }
    return 0;
}
