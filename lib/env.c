/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * An empty environment for the duration of our own libcurl and OpenSSL
 * work.
 *
 * pam_jenkins is a guest in someone else's process.  In setuid su, sudo and
 * polkit's helper the environment is the calling user's, and glibc strips
 * only its own dangerous variables (LD_*, HOSTALIASES, RES_OPTIONS, ...) for
 * a setuid program.  The libraries below us read more, with plain getenv:
 *
 *   libcurl (all versions we support, 7.62 to 8.14)
 *     SSLKEYLOGFILE        at curl_global_init (OpenSSL backend, >= 7.58):
 *                          opened for append, as root; the TLS secrets go
 *                          into it.  A user of setuid su could make root
 *                          create /etc/nologin this way.
 *     CURL_SSL_BACKEND     at curl_global_init (MultiSSL builds, >= 7.56)
 *     http_proxy, HTTPS_PROXY, https_proxy, ALL_PROXY, all_proxy,
 *     NO_PROXY, no_proxy   per transfer unless CURLOPT_PROXY and
 *                          CURLOPT_NOPROXY are set (we set both)
 *     CURL_HOME, XDG_CONFIG_HOME, HOME, NETRC
 *                          only with CURLOPT_NETRC (never set)
 *     QLOGDIR              HTTP/3 builds, per QUIC connection (>= 7.73;
 *                          we never ask for HTTP/3)
 *   OpenSSL (1.1.1 on Debian 11, 3.0 on 12, 3.5 on 13)
 *     OPENSSL_CONF, OPENSSL_CONF_INCLUDE (3.0), OPENSSL_MODULES (3.0),
 *     OPENSSL_ENGINES      when libcurl initialises OpenSSL and when a
 *                          provider or engine loads; secure_getenv in
 *                          setuid programs, plain getenv elsewhere
 *     SSL_CERT_FILE, SSL_CERT_DIR
 *                          OpenSSL's default trust paths; libcurl uses them
 *                          only as a fallback (CURL_CA_FALLBACK builds)
 *                          when no CA file or directory is set; Debian's
 *                          libcurl has compiled-in ones
 *     OPENSSL_ALLOW_PROXY_CERTS (1.1.1, during verification)
 *     OPENSSL_TRACE (3.x trace builds), CTLOG_FILE (CT, never enabled)
 *     OPENSSL_ia32cap      read by libcrypto's constructor when the library
 *                          is loaded, before any code of ours runs: it can
 *                          only pick CPU code paths, never a file, host or
 *                          log, so it is left alone
 *   glibc's resolver, inside the transfer
 *     RES_OPTIONS, LOCALDOMAIN, HOSTALIASES (stripped by ld.so for setuid
 *     programs; root's own in sshd)
 *
 * Rather than chase that list library by library (it grows with each
 * release), every call into libcurl that may read the environment runs
 * with `environ` pointing at an empty array, and the caller's pointer is
 * put back afterwards.  The host's environment strings are never touched,
 * so su, sudo and sshd see exactly what they had for their later work.
 * The settings above that matter (proxy, trust store) are also given to
 * libcurl explicitly, so even a read we missed has nothing to change.
 *
 * Other threads of the host calling getenv meanwhile see an empty
 * environment; the applications that load us (sshd, login, su, sudo,
 * screen lockers' helpers) call PAM from one thread.  Concurrent PAM calls
 * share one swap (a depth count), so the environment always comes back.
 *
 * Read at load time, before any code of ours, by libraries libcurl pulls
 * in: GnuTLS (through libldap and librtmp) GNUTLS_SYSTEM_PRIORITY_FILE and
 * GNUTLS_DEBUG_LEVEL, p11-kit P11_KIT_DEBUG, nettle NETTLE_FAT_*: they use
 * secure_getenv or only turn on debug output, and libcurl never asks them
 * for a connection here (protocols http and https over OpenSSL).
 *
 * With CURLOPT_QUICK_EXIT (http.c) a resolver thread may outlive the
 * transfer; glibc reads RES_OPTIONS and LOCALDOMAIN when the lookup starts,
 * inside the swap; HOSTALIASES later, but ld.so strips it for setuid
 * programs.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>

#include "private.h"

extern char **environ;

/* One swap for the whole process: with per-call saves, two threads of a
 * host that calls PAM concurrently (Apache's mod_authnz_pam, FreeRADIUS)
 * would each save the other's empty array, and the last to finish would
 * leave the process without its environment for good. */
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned env_depth;
static char **env_saved;

void pj_env_scrub_begin(struct pj_env_scope *scope)
{
    static char *empty[] = {NULL};

    pthread_mutex_lock(&env_lock);
    if (env_depth++ == 0) {
        env_saved = environ;
        environ = empty;
    }
    pthread_mutex_unlock(&env_lock);
    scope->active = true;
}

void pj_env_scrub_end(struct pj_env_scope *scope)
{
    if (!scope->active)
        return;
    scope->active = false;
    pthread_mutex_lock(&env_lock);
    if (--env_depth == 0) {
        environ = env_saved;
        env_saved = NULL;
    }
    pthread_mutex_unlock(&env_lock);
}
