/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * What every libcurl handle of the process shares: libcurl's global init,
 * a share of TLS sessions and DNS answers, and the choice of trust store.
 * A login under sshd is a new process, which pays for all of this once, so
 * this is where a cold login's time goes (bench/run, cold rows).
 */
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http_process.h"
#include "private.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_status = CURLE_FAILED_INIT;

/* One share for the process: TLS sessions and DNS answers outlive the easy
 * handle that got them.  Under sshd the session closes in the process that
 * opened it, on a new handle and a new connection (the first is long gone
 * by logout): with the session of the open in the share, that handshake is
 * a resumption.  libcurl keys a session on host, port and the whole TLS
 * configuration (CA file and path, verification switches), so a handle
 * with other trust never resumes it.  Connections are not shared: a forked
 * child must never write on its parent's socket (pj_http_free). */
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *c, curl_lock_data data, curl_lock_access access, void *arg)
{
    (void)c;
    (void)access;
    (void)arg;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&share_locks[data]);
}

static void share_unlock(CURL *c, curl_lock_data data, void *arg)
{
    (void)c;
    (void)arg;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&share_locks[data]);
}

/* Without a share every handle simply keeps its own caches. */
static void share_init(void)
{
    CURLSH *sh = curl_share_init();
    int i;

    if (sh == NULL)
        return;
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&share_locks[i], NULL);
    if (curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
            CURLSHE_OK ||
        curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
        curl_share_cleanup(sh);
        return;
    }
    share = sh;
}

/* libcurl copies what it sends and receives into buffers of its own (the
 * request with its Authorization header, the upload and download buffers)
 * and frees them without wiping them: tests/memory.sh found base64(user:
 * password) and the token in the freed heap of a process after pam_end.
 * So libcurl's frees wipe the whole block first, and a realloc that moves
 * a block wipes the old one.  Only libcurl's own allocations: OpenSSL's
 * record buffers are its own (docs/architecture.md, "Secrets in memory"). */
static void wiping_free(void *p)
{
    if (p != NULL)
        explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

static void *wiping_realloc(void *p, size_t size)
{
    size_t old;
    void *fresh;

    if (p == NULL)
        return malloc(size);
    if (size == 0) {
        wiping_free(p);
        return NULL;
    }
    old = malloc_usable_size(p);
    fresh = malloc(size);
    if (fresh != NULL) {
        memcpy(fresh, p, old < size ? old : size);
        wiping_free(p);
    }
    return fresh;
}

/* Once per process, never cleaned up: sshd may load and unload the module
 * many times, and a global curl clean-up would pull OpenSSL out from under any
 * other library in the process that uses it.  The share lives as long: the
 * module is linked -z nodelete, so nothing ever unmaps it, nor the
 * allocator functions above that libcurl keeps calling. */
static void global_init(void)
{
    struct pj_env_scope scope;

    /* libcurl opens $SSLKEYLOGFILE here, and OpenSSL reads its own
     * variables: in setuid su or sudo those are the calling user's (env.c).
     * A process that initialised libcurl before us (another module of the
     * stack) keeps its allocator: libcurl takes the first one only. */
    pj_env_scrub_begin(&scope);
    global_status = curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wiping_free,
                                         wiping_realloc, strdup, calloc);
    pj_env_scrub_end(&scope);
    if (global_status == CURLE_OK)
        share_init();
}

/* The trust store.  With ca_file unset libcurl parses its whole CA bundle
 * (Debian: about 150 certificates) for every connection before the
 * handshake, which made a cold sshd login with the system store cost five
 * times the cold floor (bench/run).  libcurl's CA directory holds the same
 * certificates hashed by subject (Debian's update-ca-certificates writes
 * both), and OpenSSL reads from it only the issuers a chain needs.  So the
 * directory alone, and the bundle once more if the directory did not
 * verify the peer (a certificate appended to the bundle by hand is in no
 * directory): the trust stays libcurl's default, bundle and directory,
 * only read lazily.  Verification itself is untouched. */
static bool set_trust(CURL *c, const struct pj_http_settings *settings,
                      const char **bundle)
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    const char *dir = settings->ca_path;
    struct stat st;

    if (settings->ca_file != NULL)
        return curl_easy_setopt(c, CURLOPT_CAINFO, settings->ca_file) == CURLE_OK &&
               (dir == NULL || curl_easy_setopt(c, CURLOPT_CAPATH, dir) == CURLE_OK);
    if (dir != NULL && curl_easy_setopt(c, CURLOPT_CAPATH, dir) != CURLE_OK)
        return false;
    if (info->age < CURLVERSION_SEVENTH || info->cainfo == NULL)
        return true; /* no bundle to leave out */
    if (dir == NULL) {
        /* Only libcurl's own directory: /etc/ssl/certs elsewhere (Fedora)
         * is not hashed, and would verify nothing. */
        dir = info->capath;
        if (dir == NULL || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
            curl_easy_setopt(c, CURLOPT_CAPATH, dir) != CURLE_OK)
            return true; /* the bundle, as libcurl would */
    }
    if (curl_easy_setopt(c, CURLOPT_CAINFO, NULL) != CURLE_OK)
        return true;
    *bundle = info->cainfo;
    return true;
}

bool pj_http_process_init(void)
{
    pthread_once(&global_once, global_init);
    return global_status == CURLE_OK;
}

bool pj_http_process_setup(CURL *c, const struct pj_http_settings *settings,
                           const char **bundle)
{
    *bundle = NULL;
    if (!set_trust(c, settings, bundle))
        return false;
    return share == NULL || curl_easy_setopt(c, CURLOPT_SHARE, share) == CURLE_OK;
}
