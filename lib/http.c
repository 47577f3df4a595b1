/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * HTTP over libcurl, by the rules docs/decisions.md explains: one easy handle per
 * client so the crumb GET and the token POST share a connection and a cookie; every
 * request with preemptive Basic credentials (Jenkins answers 403, not 401,
 * to a request without them, so curl's challenge-driven auth never fires);
 * no redirects; TLS verification always on; bodies capped at 64 KiB.
 *
 * The Authorization header is built here rather than with CURLOPT_USERPWD:
 * libcurl frees its copy of a password without wiping it, while our own
 * header list is wiped before it is freed.
 */
#include "config.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http_process.h"
#include "private.h"

struct pj_http {
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
    /* the response being received */
    char *body;
    size_t len;
    size_t cap;
    bool too_big;
    char *jenkins_version;
    char *location;
    long connect_timeout; /* seconds */
    long timeout;         /* seconds */
    long long deadline;   /* pj_now_ms() time; 0: none */
    size_t body_max;
    bool request_sent; /* the last request's bytes (some) went out */
    /* libcurl's CA bundle, left out in favour of its CA directory: tried
     * once when the directory did not verify the peer (http_process.c). */
    const char *bundle;
    pid_t pid; /* the process that made the handle (http_process.c) */
};

/* The descriptors open now; NULL when they cannot be listed. */
static int *open_fds(size_t *count)
{
    DIR *dir = opendir("/proc/self/fd");
    size_t n = 0, cap = 64;
    int *fds = NULL, *grown;
    struct dirent *de;

    *count = 0;
    if (dir == NULL)
        return NULL;
    fds = malloc(cap * sizeof(*fds));
    if (fds == NULL)
        goto done;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
            atoi(de->d_name) == dirfd(dir))
            continue;
        if (n == cap) {
            grown = realloc(fds, 2 * cap * sizeof(*fds));
            if (grown == NULL) {
                free(fds);
                fds = NULL;
                n = 0;
                goto done;
            }
            fds = grown;
            cap *= 2;
        }
        fds[n++] = atoi(de->d_name);
    }

done:
    closedir(dir);
    *count = n;
    return fds;
}

static bool fd_listed(const int *fds, size_t count, int fd)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (fds[i] == fd)
            return true;
    return false;
}

/* libcurl before 8.x makes its internal socketpairs (the wake-up pair of
 * the multi handle behind curl_easy_perform, the threaded resolver's)
 * without SOCK_CLOEXEC.  Every descriptor that appeared during our call is
 * ours: mark it close-on-exec too. */
static void cloexec_new_fds(const int *before, size_t count)
{
    size_t n, i;
    int *now = open_fds(&n), flags;

    if (now == NULL || before == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        if (fd_listed(before, count, now[i]))
            continue;
        flags = fcntl(now[i], F_GETFD);
        if (flags >= 0 && (flags & FD_CLOEXEC) == 0)
            fcntl(now[i], F_SETFD, flags | FD_CLOEXEC);
    }

done:
    free(now);
}

/* Sockets close-on-exec: sudo runs the user's command, sshd and login the
 * user's shell, with whatever descriptors the PAM stack left open, and su
 * closes none.  The connection auth leaves open for the session, and the
 * idle ones the process keeps for its next login (http_process.c), must
 * not be inherited by them. */
static curl_socket_t open_socket(void *arg, curlsocktype purpose,
                                 struct curl_sockaddr *address)
{
    (void)arg;
    (void)purpose;
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct pj_http *http = arg;
    size_t n = size * nmemb;
    char *grown;

    if (http->len + n > http->body_max) {
        http->too_big = true;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (http->len + n + 1 > http->cap) {
        size_t cap = http->cap == 0 ? 1024 : http->cap;

        while (cap < http->len + n + 1)
            cap *= 2;
        grown = malloc(cap);
        if (grown == NULL)
            return 0;
        if (http->body != NULL) {
            memcpy(grown, http->body, http->len);
            pj_secret_free_n(http->body, http->cap);
        }
        http->body = grown;
        http->cap = cap;
    }
    memcpy(http->body + http->len, data, n);
    http->len += n;
    http->body[http->len] = '\0';
    return n;
}

static char *header_value(const char *line, size_t n, const char *name)
{
    size_t name_len = strlen(name);
    const char *v, *end = line + n;

    if (n <= name_len || strncasecmp(line, name, name_len) != 0 ||
        line[name_len] != ':')
        return NULL;
    v = line + name_len + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    return strndup(v, (size_t)(end - v));
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
    struct pj_http *http = arg;
    size_t n = size * nmemb;
    char *v;

    /* A new status line starts a new response (100 Continue): forget the
     * headers of the previous one. */
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        free(http->jenkins_version);
        free(http->location);
        http->jenkins_version = http->location = NULL;
    }
    if ((v = header_value(line, n, "X-Jenkins")) != NULL) {
        free(http->jenkins_version);
        http->jenkins_version = v;
    } else if ((v = header_value(line, n, "Location")) != NULL) {
        free(http->location);
        http->location = v;
    }
    return n;
}

struct pj_http *pj_http_new(const struct pj_http_settings *settings)
{
    struct pj_http *http = NULL;
    CURL *c;
    bool ok = true;

    if (!pj_http_process_init())
        return NULL;
    http = calloc(1, sizeof(*http));
    if (http == NULL)
        return NULL;
    http->curl = c = curl_easy_init();
    if (c == NULL) {
        free(http);
        return NULL;
    }
    http->body_max = PJ_BODY_MAX;
    http->pid = getpid();
    http->connect_timeout = settings->connect_timeout;
    http->timeout = settings->timeout;
    http->deadline = settings->deadline;
    /* sshd and sudo install their own signal handlers; curl must not. */
    ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075700 /* 7.87.0 */
    /* A resolver that never answers must not hold the PAM call past its
     * deadline: libcurl otherwise joins its getaddrinfo thread, up to the
     * resolver's own timeout (5 s x attempts x nameservers).  Before 7.87
     * (Debian 11) there is no such option: pam_jenkins(8) says so. */
    ok &= curl_easy_setopt(c, CURLOPT_QUICK_EXIT, 1L) == CURLE_OK;
#endif
#if HAVE_DECL_CURLOPT_PROTOCOLS_STR
    ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK;
#else /* libcurl < 7.85 (Debian 11: 7.74) */
    ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS,
                           (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
                           (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) == CURLE_OK;
#endif
    ok &= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_COOKIEFILE, "") == CURLE_OK; /* in memory */
    ok &= curl_easy_setopt(c, CURLOPT_USERAGENT, "pam_jenkins/" PACKAGE_VERSION) ==
          CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, http) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HEADERDATA, http) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, http->errbuf) == CURLE_OK;
    ok &= pj_http_process_setup(c, settings, &http->bundle);
    /* An empty proxy turns off http_proxy from the environment: the module
     * (no user environment) and the tool (the user's) must reach the
     * controller the same way, and only an explicit setting changes that. */
    ok &= curl_easy_setopt(c, CURLOPT_PROXY,
                           settings->proxy != NULL ? settings->proxy : "") == CURLE_OK;
    /* And an empty no-proxy list keeps libcurl from reading no_proxy. */
    ok &= curl_easy_setopt(c, CURLOPT_NOPROXY, "") == CURLE_OK;
    if (!ok) {
        pj_http_free(http, false);
        return NULL;
    }
    return http;
}

void pj_http_set_deadline(struct pj_http *http, long long deadline)
{
    http->deadline = deadline;
}

bool pj_http_request_sent(const struct pj_http *http)
{
    return http->request_sent;
}

void pj_http_set_body_max(struct pj_http *http, size_t max)
{
    http->body_max = max;
}

/* Per request: the configured timeouts, cut to what is left before the
 * deadline of the PAM call, so that fallbacks, retries and the sweep at
 * session open together never pass it.  Returns false when no time is
 * left. */
static bool apply_timeouts(struct pj_http *http)
{
    long long total = (long long)http->timeout * 1000;
    long long connect = (long long)http->connect_timeout * 1000;
    long long left = pj_ms_left(http->deadline);

    if (left == 0)
        return false;
    if (left > 0 && (total <= 0 || left < total))
        total = left;
    if (left > 0 && (connect <= 0 || left < connect))
        connect = left;
    curl_easy_setopt(http->curl, CURLOPT_TIMEOUT_MS, (long)total);
    curl_easy_setopt(http->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)connect);
    return true;
}

void pj_http_free(struct pj_http *http, bool quiet)
{
    curl_socket_t sock = CURL_SOCKET_BAD;

    if (http == NULL)
        return;
    if (http->curl != NULL) {
        /* A forked copy (PAM_DATA_SILENT) shares the socket with its parent:
         * a TLS close_notify sent from here would break the parent's
         * connection.  Point the descriptor at /dev/null first. */
        if (quiet &&
            curl_easy_getinfo(http->curl, CURLINFO_ACTIVESOCKET, &sock) == CURLE_OK &&
            sock != CURL_SOCKET_BAD) {
            int null = open("/dev/null", O_RDWR | O_CLOEXEC);

            if (null >= 0) {
                dup2(null, sock);
                close(null);
            }
        }
        curl_easy_cleanup(http->curl);
    }
    pj_secret_free_n(http->body, http->cap);
    free(http->jenkins_version);
    free(http->location);
    free(http);
}

void pj_response_clear(struct pj_response *resp)
{
    if (resp->body != NULL)
        pj_secret_free_n(resp->body, resp->len + 1);
    free(resp->jenkins_version);
    free(resp->location);
    memset(resp, 0, sizeof(*resp));
}

char *pj_basic_credentials(const char *a, const char *b)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t la = strlen(a), lb = strlen(b), n = la + 1 + lb, i, o = 0;
    unsigned char *in = malloc(n);
    char *out = malloc(4 * ((n + 2) / 3) + 1);

    if (in == NULL || out == NULL) {
        pj_secret_free_n(in, n);
        free(out);
        return NULL;
    }
    /* a byte buffer for base64, not a string: no terminator wanted */
    memcpy(in, a, la); // NOLINT(bugprone-not-null-terminated-result)
    in[la] = ':';
    memcpy(in + la + 1, b, lb); // NOLINT(bugprone-not-null-terminated-result)
    for (i = 0; i + 2 < n; i += 3) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        out[o++] = alphabet[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
        out[o++] = alphabet[in[i + 2] & 63];
    }
    if (i < n) {
        out[o++] = alphabet[in[i] >> 2];
        if (i + 1 < n) {
            out[o++] = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
            out[o++] = alphabet[(in[i + 1] & 15) << 2];
        } else {
            out[o++] = alphabet[(in[i] & 3) << 4];
            out[o++] = '=';
        }
        out[o++] = '=';
    }
    out[o] = '\0';
    pj_secret_free_n(in, n);
    return out;
}

static void wipe_headers(struct curl_slist *list)
{
    struct curl_slist *item;

    for (item = list; item != NULL; item = item->next)
        explicit_bzero(item->data, strlen(item->data));
    curl_slist_free_all(list);
}

static enum pj_outcome transport_outcome(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return PJ_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return PJ_UNREACHABLE;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
        return PJ_TLS;
    case CURLE_OUT_OF_MEMORY:
        return PJ_NOMEM;
    default:
        return PJ_PROTOCOL;
    }
}

enum pj_outcome pj_http_request(struct pj_http *http, const char *url, const char *user,
                                const char *secret, const char *const *extra_headers,
                                const char *form, struct pj_response *resp, char *err,
                                size_t errlen)
{
    struct curl_slist *headers = NULL, *grown;
    char *encoded = NULL, *auth = NULL;
    enum pj_outcome outcome = PJ_NOMEM;
    struct pj_env_scope scope;
    CURL *c = http->curl;
    size_t nbefore = 0;
    int *before;
    CURLcode rc;

    memset(resp, 0, sizeof(*resp));
    http->request_sent = false;
    http->len = 0;
    http->too_big = false;
    http->errbuf[0] = '\0';
    if (!apply_timeouts(http)) {
        pj_set_error(err, errlen, "no time left in this call's deadline");
        outcome = PJ_TIMEOUT;
        goto done;
    }
    if (user != NULL && secret != NULL) {
        encoded = pj_basic_credentials(user, secret);
        auth = encoded == NULL ? NULL
                               : pj_strdup_printf("Authorization: Basic %s", encoded);
        if (auth == NULL)
            goto done;
        if ((grown = curl_slist_append(headers, auth)) == NULL)
            goto done;
        headers = grown;
    }
    for (; extra_headers != NULL && *extra_headers != NULL; extra_headers++) {
        if ((grown = curl_slist_append(headers, *extra_headers)) == NULL)
            goto done;
        headers = grown;
    }
    /* No "Expect: 100-continue" round trip for a POST. */
    if ((grown = curl_slist_append(headers, "Expect:")) == NULL)
        goto done;
    headers = grown;

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (form != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    if (http->pid != getpid())
        pj_http_process_foreign(c);
    /* The transfer resolves, connects and verifies: libcurl, OpenSSL and
     * glibc's resolver read the environment on the way (env.c). */
    before = open_fds(&nbefore);
    pj_env_scrub_begin(&scope);
    rc = curl_easy_perform(c);
    if ((rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) &&
        http->bundle != NULL && apply_timeouts(http)) {
        /* Not verified by the CA directory: the bundle as well.
         * Nothing was sent; the request is whole to send again. */
        curl_easy_setopt(c, CURLOPT_CAINFO, http->bundle);
        http->bundle = NULL;
        http->errbuf[0] = '\0';
        rc = curl_easy_perform(c);
    }
    pj_env_scrub_end(&scope);
    {
        long sent = 0;

        http->request_sent =
            curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK && sent > 0;
    }
    cloexec_new_fds(before, nbefore);
    free(before);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    if (rc != CURLE_OK) {
        if (http->too_big) {
            pj_set_error(err, errlen, "reply is larger than %zu KiB",
                         http->body_max / 1024);
            outcome = PJ_PROTOCOL;
        } else {
            pj_set_error(err, errlen, "%s",
                         http->errbuf[0] != '\0' ? http->errbuf
                                                 : curl_easy_strerror(rc));
            outcome = transport_outcome(rc);
        }
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    resp->body = pj_secret_memdup(http->body == NULL ? "" : http->body, http->len);
    if (resp->body == NULL)
        goto done;
    resp->len = http->len;
    resp->jenkins_version = http->jenkins_version;
    resp->location = http->location;
    http->jenkins_version = http->location = NULL;
    outcome = PJ_OK;

done:
    if (http->body != NULL)
        explicit_bzero(http->body, http->len);
    http->len = 0;
    wipe_headers(headers);
    pj_secret_free(auth);
    pj_secret_free(encoded);
    if (outcome == PJ_NOMEM && err != NULL && err[0] == '\0')
        pj_set_error(err, errlen, "out of memory");
    return outcome;
}

char *pj_http_export_cookies(struct pj_http *http)
{
    struct curl_slist *list = NULL, *item;
    size_t total = 1;
    char *out, *o;

    if (curl_easy_getinfo(http->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        return NULL;
    for (item = list; item != NULL; item = item->next)
        total += strlen(item->data) + 1;
    out = o = malloc(total);
    if (out != NULL) {
        for (item = list; item != NULL; item = item->next) {
            size_t n = strlen(item->data);

            memcpy(o, item->data, n);
            o[n] = '\n';
            o += n + 1;
        }
        *o = '\0';
    }
    wipe_headers(list);
    return out;
}

int pj_http_import_cookies(struct pj_http *http, const char *lines)
{
    char *copy = pj_secret_strdup(lines), *line, *save = NULL;
    int status = 0;

    if (copy == NULL)
        return -1;
    for (line = strtok_r(copy, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save))
        if (curl_easy_setopt(http->curl, CURLOPT_COOKIELIST, line) != CURLE_OK)
            status = -1;
    pj_secret_free_n(copy, strlen(lines));
    return status;
}
