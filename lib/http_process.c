/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * What every libcurl handle of the process shares: libcurl's global init,
 * a share of TLS sessions, DNS answers and idle connections, and the
 * choice of trust store.
 * A login under sshd is a new process, which pays for all of this once, so
 * this is where a cold login's time goes (bench/run, cold rows).
 */
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_process.h"
#include "private.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_status = CURLE_FAILED_INIT;

/* One share per process: TLS sessions, DNS answers and idle connections
 * outlive the easy handle that got them.
 *
 * Sessions: under sshd the session closes in the process that opened it,
 * hours later, on a new connection (the first is long gone by logout):
 * with the open's session in the share, that handshake is a resumption.
 * libcurl keys a session on host, port and the whole TLS configuration
 * (CA file and path, verification switches), so a handle with other trust
 * never resumes it.
 *
 * Connections (libcurl 7.57 and later): a process that runs one login
 * after another (JupyterHub's PAM authenticator, a display manager, the
 * bench's steady state), or a session that lasts less than the
 * controller's keep-alive, sends the next request on the connection the
 * last one left idle instead of paying for a connection, an OpenSSL
 * context and a handshake.  libcurl reuses a connection only for the same
 * host, port, proxy and TLS configuration, and checks that the controller
 * has not closed it; credentials and cookies stay per request and per
 * handle.  What this costs: an idle connection stays open in the process
 * after the PAM call returns.  Its socket is close-on-exec (http.c), so
 * the shell or command that sshd, login, su or sudo start never holds it
 * (tests/client.sh checks the shell's descriptors); it is closed when the
 * next request finds it closed or too old (CONN_MAX_AGE), or with the
 * process.
 *
 * A forked child gets a share of its own: the parent's idle connections
 * are the parent's, and a byte written on one from the child would break
 * the parent's TLS stream.  The parent's share is left as it is in the
 * child, never used nor cleaned up there (cleaning up would send TLS
 * close_notify on the parent's connections). */
struct process_share {
    CURLSH *sh;
    pid_t pid;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static struct process_share *share;
static pthread_mutex_t share_guard = PTHREAD_MUTEX_INITIALIZER;

/* Seconds an idle connection may wait for its next request.  Jenkins'
 * own keep-alive is 5 s and reverse proxies keep theirs longer; a
 * firewall that forgets an idle flow silently (no FIN, no RST) would make
 * a request on it wait for the whole timeout, and none forgets one this
 * young. */
#define CONN_MAX_AGE 30L

static void share_lock(CURL *c, curl_lock_data data, curl_lock_access access, void *arg)
{
    struct process_share *ps = arg;

    (void)c;
    (void)access;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&ps->locks[data]);
}

static void share_unlock(CURL *c, curl_lock_data data, void *arg)
{
    struct process_share *ps = arg;

    (void)c;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&ps->locks[data]);
}

/* NULL without a share: every handle then keeps its own caches. */
static struct process_share *share_new(void)
{
    struct process_share *ps = calloc(1, sizeof(*ps));
    int i;

    if (ps == NULL)
        return NULL;
    ps->pid = getpid();
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&ps->locks[i], NULL);
    ps->sh = curl_share_init();
    if (ps->sh == NULL ||
        curl_share_setopt(ps->sh, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(ps->sh, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(ps->sh, CURLSHOPT_USERDATA, ps) != CURLSHE_OK ||
        curl_share_setopt(ps->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
            CURLSHE_OK ||
        curl_share_setopt(ps->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
        if (ps->sh != NULL)
            curl_share_cleanup(ps->sh);
        free(ps);
        return NULL;
    }
#if LIBCURL_VERSION_NUM >= 0x073900 /* 7.57.0 */
    /* Refused by an older libcurl at run time: sessions and DNS only. */
    (void)curl_share_setopt(ps->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
#endif
    return ps;
}

/* This process's share, made on first use and again after a fork. */
static CURLSH *process_share(void)
{
    CURLSH *sh = NULL;

    pthread_mutex_lock(&share_guard);
    if (share == NULL || share->pid != getpid())
        share = share_new(); /* the parent's, if any, stays untouched */
    if (share != NULL)
        sh = share->sh;
    pthread_mutex_unlock(&share_guard);
    return sh;
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
    CURLSH *sh;

    *bundle = NULL;
    if (!set_trust(c, settings, bundle))
        return false;
#if LIBCURL_VERSION_NUM >= 0x074100 /* 7.65.0 */
    if (curl_easy_setopt(c, CURLOPT_MAXAGE_CONN, CONN_MAX_AGE) != CURLE_OK)
        return false;
#endif
    sh = process_share();
    return sh == NULL || curl_easy_setopt(c, CURLOPT_SHARE, sh) == CURLE_OK;
}

void pj_http_process_foreign(CURL *c)
{
    /* A handle made before a fork, used in the child: a connection of its
     * own, closed after the request, never one of the parent's. */
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
}
