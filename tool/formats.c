/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The -f formats of `jenkins-token get`, one per client the token is for:
 * jenkins-cli (-auth @file), curl (-K -, --netrc-file), shells (env), and
 * programs (json, header).  Every value is quoted for its format so that no
 * user id can break out of a shell line or a curl config.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void print_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* POSIX shell single quotes: ' becomes '\'' */
static void print_shell(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s != '\0'; s++) {
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    }
    fputc('\'', out);
}

/* curl config double quotes, as curl's config reader unquotes them: \" and
 * \\, and \t \n \r \v for what a config line cannot hold raw (a token
 * with a newline would end the line); b may be NULL */
static void print_curl_quoted(FILE *out, const char *a, const char *b)
{
    const char *parts[2] = {a, b};
    int i;

    fputc('"', out);
    for (i = 0; i < 2 && parts[i] != NULL; i++) {
        const char *s;

        if (i == 1)
            fputc(':', out);
        for (s = parts[i]; *s != '\0'; s++) {
            switch (*s) {
            case '"':
            case '\\':
                fputc('\\', out);
                fputc(*s, out);
                break;
            case '\t':
                fputs("\\t", out);
                break;
            case '\n':
                fputs("\\n", out);
                break;
            case '\r':
                fputs("\\r", out);
                break;
            case '\v':
                fputs("\\v", out);
                break;
            default:
                fputc(*s, out);
                break;
            }
        }
    }
    fputc('"', out);
}

/* One netrc word: netrc readers (curl, ftp, Python's netrc) split at white
 * space, take a leading '#' for a comment, and only some (curl 7.84 and
 * later) a '"' for a quoted string.  Anything else is taken as it is,
 * in ASCII. */
static bool netrc_word(const char *s)
{
    const unsigned char *p;

    if (s[0] == '\0' || s[0] == '#' || strpbrk(s, " \t\n\r\v\f\"") != NULL)
        return false;
    /* curl 8.14 (Debian 13) stops an unquoted word at the first byte
     * above 0x7f: "aü" as a login is a syntax error and no credentials
     * are sent, "pü" as a password is sent as "p". */
    for (p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p > 0x7f)
            return false;
    return true;
}

static char *url_host(const char *url)
{
    CURLU *h = curl_url();
    char *host = NULL, *copy = NULL;

    if (h != NULL && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        copy = strdup(host);
    curl_free(host);
    curl_url_cleanup(h);
    return copy;
}

static int print_env(FILE *out, const struct session_token *st, const char *prefix)
{
    fprintf(out, "%sJENKINS_URL=", prefix);
    print_shell(out, st->meta.url);
    fprintf(out, "\n%sJENKINS_USER_ID=", prefix);
    print_shell(out, st->meta.user);
    fprintf(out, "\n%sJENKINS_API_TOKEN=", prefix);
    print_shell(out, st->token);
    fputc('\n', out);
    return EXIT_OK;
}

static int print_json(FILE *out, const struct session_token *st)
{
    const char *names[] = {"url",        "user",       "token",
                           "token_name", "token_uuid", "expires"};
    const char *values[] = {st->meta.url,        st->meta.user,       st->token,
                            st->meta.token_name, st->meta.token_uuid, st->meta.expires};
    size_t i;

    fputc('{', out);
    for (i = 0; i < 6; i++) {
        fprintf(out, "%s\"%s\":", i ? "," : "", names[i]);
        if (values[i] == NULL)
            fputs("null", out);
        else
            print_json_string(out, values[i]);
    }
    fputs("}\n", out);
    return EXIT_OK;
}

static int print_header(FILE *out, const struct session_token *st)
{
    char *encoded = pj_basic_credentials(st->meta.user, st->token);

    if (encoded == NULL)
        return EXIT_UNREADABLE;
    fprintf(out, "Authorization: Basic %s\n", encoded);
    pj_secret_free(encoded);
    return EXIT_OK;
}

int format_token(FILE *out, const char *format, const struct session_token *st,
                 bool newline)
{
    char *host;

    if (strcmp(format, "token") == 0) {
        fprintf(out, "%s%s", st->token, newline ? "\n" : "");
        return EXIT_OK;
    }
    if (strcmp(format, "auth") == 0) {
        fprintf(out, "%s:%s%s", st->meta.user, st->token, newline ? "\n" : "");
        return EXIT_OK;
    }
    if (strcmp(format, "curl") == 0) {
        /* What the module used to reach the controller, so that the
         * recipe works with a private CA or behind a proxy too. */
        const char *names[] = {"cacert", "capath", "proxy"};
        const char *values[] = {st->meta.ca_file, st->meta.ca_path, st->meta.proxy};
        size_t i;

        fputs("user = ", out);
        print_curl_quoted(out, st->meta.user, st->token);
        fputc('\n', out);
        for (i = 0; i < 3; i++) {
            if (values[i] == NULL)
                continue;
            fprintf(out, "%s = ", names[i]);
            print_curl_quoted(out, values[i], NULL);
            fputc('\n', out);
        }
        return EXIT_OK;
    }
    if (strcmp(format, "netrc") == 0) {
        host = url_host(st->meta.url);
        if (host == NULL || !netrc_word(st->meta.user) || !netrc_word(st->token)) {
            tool_msg("this user id, token or url cannot be written as "
                     "netrc; use -f curl");
            free(host);
            return EXIT_UNREADABLE;
        }
        fprintf(out, "machine %s login %s password %s\n", host, st->meta.user,
                st->token);
        free(host);
        return EXIT_OK;
    }
    if (strcmp(format, "env") == 0)
        return print_env(out, st, "export ");
    if (strcmp(format, "env-no-export") == 0)
        return print_env(out, st, "");
    if (strcmp(format, "json") == 0)
        return print_json(out, st);
    if (strcmp(format, "header") == 0)
        return print_header(out, st);
    tool_msg("unknown format \"%s\" (token, auth, curl, netrc, env, "
             "env-no-export, json, header)",
             format);
    return EXIT_USAGE;
}
