/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * URLs: checking the configured base, joining paths onto it, and encoding a
 * user id the way Jenkins' own Util.rawEncode does, so that ids with '/',
 * ';' or spaces reach the right /user/<id>/ (Jenkins answers 400 to any ';'
 * in a path).
 */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

static bool host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
        strcmp(host, "::1") == 0)
        return true;
    return strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") == strlen(host);
}

bool pj_url_host_is_loopback(const char *url)
{
    CURLU *h = curl_url();
    char *host = NULL;
    bool loopback = false;

    if (h == NULL)
        return false;
    if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        loopback = host_is_loopback(host);
    curl_free(host);
    curl_url_cleanup(h);
    return loopback;
}

int pj_url_check_base(const char *url, bool allow_insecure, char *err, size_t errlen)
{
    CURLU *h = curl_url();
    char *scheme = NULL, *host = NULL, *part = NULL;
    int status = -1;

    if (h == NULL) {
        pj_set_error(err, errlen, "out of memory");
        return -1;
    }
    /* libcurl's own parser, so that what we check is what it will use. */
    if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        pj_set_error(err, errlen, "url \"%s\" is not a valid URL", url);
        goto done;
    }
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
        pj_set_error(err, errlen, "url \"%s\": only http and https are supported", url);
        goto done;
    }
    if (curl_url_get(h, CURLUPART_USER, &part, 0) == CURLUE_OK) {
        pj_set_error(err, errlen, "url must not contain a user name or password");
        goto done;
    }
    if (curl_url_get(h, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
        curl_url_get(h, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
        pj_set_error(err, errlen, "url \"%s\" must not have a query or fragment", url);
        goto done;
    }
    /* The password travels in the first request: refuse cleartext unless it
     * never leaves the machine or the admin said so explicitly. */
    if (strcmp(scheme, "http") == 0 && !allow_insecure && !host_is_loopback(host)) {
        pj_set_error(err, errlen,
                     "url \"%s\" is plain http to another host: the password would "
                     "travel in clear text; use https or set allow_insecure_http",
                     url);
        goto done;
    }
    if (strchr(url, ';') != NULL) {
        pj_set_error(err, errlen, "url \"%s\": Jenkins rejects ';' in paths", url);
        goto done;
    }
    status = 0;

done:
    curl_free(part);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(h);
    return status;
}

char *pj_url_normalise_base(const char *url)
{
    size_t len = strlen(url);

    while (len > 0 && url[len - 1] == '/')
        len--;
    return strndup(url, len);
}

char *pj_url_join(const char *base, const char *path)
{
    size_t len = strlen(base);

    while (len > 0 && base[len - 1] == '/')
        len--;
    while (*path == '/')
        path++;
    return pj_strdup_printf("%.*s/%s", (int)len, base, path);
}

/* Util.rawEncode escapes everything but ASCII letters, digits and "-._";
 * "." and ".." alone are escaped too so they never walk up the path. */
char *pj_url_encode_segment(const char *segment)
{
    static const char hex[] = "0123456789ABCDEF";
    bool dots = strcmp(segment, ".") == 0 || strcmp(segment, "..") == 0;
    size_t len = strlen(segment);
    char *out = malloc(len * 3 + 1), *o = out;
    const unsigned char *p;

    if (out == NULL)
        return NULL;
    for (p = (const unsigned char *)segment; *p != '\0'; p++) {
        bool safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
                    (*p == '.' && !dots);

        if (safe) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

char *pj_form_encode(const char *value)
{
    char *escaped = curl_easy_escape(NULL, value, 0);
    char *copy;

    if (escaped == NULL)
        return NULL;
    copy = pj_secret_strdup(escaped);
    explicit_bzero(escaped, strlen(escaped));
    curl_free(escaped);
    return copy;
}

char *pj_url_host(const char *url)
{
    CURLU *h = curl_url();
    char *host = NULL, *copy = NULL;
    size_t i;

    if (h != NULL && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        /* [::1] as libcurl writes the host of a cookie: without brackets */
        size_t n = strlen(host);

        copy = host[0] == '[' && n > 2 && host[n - 1] == ']' ? strndup(host + 1, n - 2)
                                                             : strdup(host);
        for (i = 0; copy != NULL && copy[i] != '\0'; i++)
            copy[i] = (char)tolower((unsigned char)copy[i]);
    }
    curl_free(host);
    curl_url_cleanup(h);
    return copy;
}
