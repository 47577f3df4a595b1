/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The Jenkins client: every request pam_jenkins makes.  Facts about how
 * Jenkins answers, with their sources, are in docs/protocol.md; the ones
 * that shape this file:
 *  - the crumb is bound to the HTTP session cookie that the crumb GET
 *    creates, so the POST must carry that cookie (same easy handle);
 *  - 401 means wrong credentials everywhere, checked before the crumb;
 *  - generateNewToken answers errors as HTTP 200 {"status":"error"};
 *  - API-token Basic auth needs no crumb, so revoke is one request.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "private.h"

#define TOKEN_ACTIONS "descriptorByName/jenkins.security.ApiTokenProperty/"
/* Jenkins 2.548+ writes expirationDate as a short date in the request's
 * locale (Accept-Language, else the JVM's: 9/5/26, 05/09/2026, 05.09.26).
 * We ask for the one we parse. */
#define LOCALE_HEADER "Accept-Language: en-US"

void pj_token_clear(struct pj_token *token)
{
    pj_secret_free(token->value);
    free(token->uuid);
    free(token->name);
    free(token->expires);
    memset(token, 0, sizeof(*token));
}

enum pj_outcome pj_client_init(struct pj_client *client, const char *base,
                               const char *user_id,
                               const struct pj_http_settings *settings,
                               const struct pj_logger *log)
{
    memset(client, 0, sizeof(*client));
    client->log = log;
    client->base = pj_url_normalise_base(base);
    client->user_id = strdup(user_id);
    client->http = pj_http_new(settings);
    if (client->base == NULL || client->user_id == NULL || client->http == NULL) {
        pj_client_free(client, false);
        return PJ_NOMEM;
    }
    return PJ_OK;
}

void pj_client_free(struct pj_client *client, bool quiet)
{
    pj_http_free(client->http, quiet);
    free(client->base);
    free(client->user_id);
    free(client->crumb_field);
    pj_secret_free(client->crumb);
    free(client->version);
    memset(client, 0, sizeof(*client));
}

void pj_client_set_deadline(struct pj_client *client, long long deadline)
{
    if (client->http != NULL)
        pj_http_set_deadline(client->http, deadline);
}

const char *pj_client_message(const struct pj_client *client)
{
    return client->message;
}

const char *pj_client_base(const struct pj_client *client)
{
    return client->base;
}

const char *pj_client_user(const struct pj_client *client)
{
    return client->user_id;
}

static bool header_token_char(char c);
static bool crumb_char(char c);
static bool all_chars(const char *s, bool (*ok)(char), size_t max);

void pj_client_state_clear(struct pj_client_state *state)
{
    free(state->crumb_field);
    pj_secret_free(state->crumb);
    pj_secret_free(state->cookies);
    memset(state, 0, sizeof(*state));
}

enum pj_outcome pj_client_export(const struct pj_client *client,
                                 struct pj_client_state *out)
{
    memset(out, 0, sizeof(*out));
    if (!client->no_crumb_issuer && client->crumb_field != NULL &&
        client->crumb != NULL) {
        out->crumb_field = strdup(client->crumb_field);
        out->crumb = pj_secret_strdup(client->crumb);
    }
    out->cookies = client->http != NULL ? pj_http_export_cookies(client->http) : NULL;
    if (out->cookies == NULL)
        out->cookies = pj_secret_strdup("");
    if (out->cookies == NULL || (out->crumb_field == NULL) != (out->crumb == NULL)) {
        pj_client_state_clear(out);
        return PJ_NOMEM;
    }
    return PJ_OK;
}

/* RFC 6265 cookie-name (a token) and cookie-value octets. */
static bool cookie_name_char(char c)
{
    return c > ' ' && c < 127 && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static bool cookie_value_char(char c)
{
    return c > ' ' && c < 127 && c != '"' && c != ',' && c != ';' && c != '\\';
}

/* One line as libcurl writes it: [#HttpOnly_]domain, subdomains flag,
 * path, secure flag, expiry, name, value, tab-separated. */
static bool cookie_line_ok(char *line, const char *host)
{
    char *field[7], *save = NULL, *p;
    int n = 0;

    if (strncmp(line, "#HttpOnly_", 10) == 0)
        line += 10;
    for (p = strtok_r(line, "\t", &save); p != NULL && n < 7;
         p = strtok_r(NULL, "\t", &save))
        field[n++] = p;
    if (n != 7 || p != NULL)
        return false;
    return strcasecmp(field[0], host) == 0 &&
           (strcmp(field[1], "TRUE") == 0 || strcmp(field[1], "FALSE") == 0) &&
           field[2][0] == '/' && all_chars(field[2], crumb_char, 256) &&
           (strcmp(field[3], "TRUE") == 0 || strcmp(field[3], "FALSE") == 0) &&
           strspn(field[4], "0123456789") == strlen(field[4]) &&
           strlen(field[4]) <= 20 && all_chars(field[5], cookie_name_char, 256) &&
           (field[6][0] == '\0' || all_chars(field[6], cookie_value_char, 4096));
}

static bool cookies_ok(const char *cookies, const char *host)
{
    size_t len = strlen(cookies);
    char *copy, *line, *save = NULL;
    bool ok = true;
    int lines = 0;

    if (len > 8192)
        return false;
    copy = pj_secret_strdup(cookies);
    if (copy == NULL)
        return false;
    for (line = strtok_r(copy, "\n", &save); ok && line != NULL;
         line = strtok_r(NULL, "\n", &save))
        ok = ++lines <= 8 && cookie_line_ok(line, host);
    pj_secret_free_n(copy, len);
    return ok;
}

enum pj_outcome pj_client_import(struct pj_client *client,
                                 const struct pj_client_state *in, char *err,
                                 size_t errlen)
{
    char *host = pj_url_host(client->base), *field = NULL, *crumb = NULL;
    enum pj_outcome status = PJ_PROTOCOL;

    if (host == NULL) {
        pj_set_error(err, errlen, "out of memory");
        status = PJ_NOMEM;
        goto done;
    }
    if ((in->crumb_field == NULL) != (in->crumb == NULL) ||
        (in->crumb_field != NULL &&
         (!all_chars(in->crumb_field, header_token_char, 128) ||
          !all_chars(in->crumb, crumb_char, 512)))) {
        pj_set_error(err, errlen, "malformed crumb");
        goto done;
    }
    if (in->cookies == NULL || !cookies_ok(in->cookies, host)) {
        pj_set_error(err, errlen, "malformed or foreign cookie");
        goto done;
    }
    if (in->crumb_field != NULL) {
        field = strdup(in->crumb_field);
        crumb = pj_secret_strdup(in->crumb);
        if (field == NULL || crumb == NULL) {
            pj_set_error(err, errlen, "out of memory");
            status = PJ_NOMEM;
            goto done;
        }
    }
    if (in->cookies[0] != '\0' &&
        pj_http_import_cookies(client->http, in->cookies) < 0) {
        pj_set_error(err, errlen, "cannot restore the session cookie");
        goto done;
    }
    free(client->crumb_field);
    client->crumb_field = field;
    pj_secret_replace(&client->crumb, crumb);
    client->no_crumb_issuer = in->crumb_field == NULL;
    field = crumb = NULL;
    status = PJ_OK;

done:
    free(field);
    pj_secret_free(crumb);
    free(host);
    return status;
}

static enum pj_outcome fail(struct pj_client *client, enum pj_outcome outcome,
                            const char *what, const char *fmt, ...) PJ_PRINTF(4, 5);

static enum pj_outcome fail(struct pj_client *client, enum pj_outcome outcome,
                            const char *what, const char *fmt, ...)
{
    char detail[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(client->message, sizeof(client->message), "controller %s: %s: %s",
             client->base, what, detail);
    return outcome;
}

static void note_version(struct pj_client *client, const struct pj_response *resp)
{
    char clean[64];

    if (resp->jenkins_version == NULL)
        return;
    pj_sanitize(clean, sizeof(clean), resp->jenkins_version,
                strlen(resp->jenkins_version));
    free(client->version);
    client->version = strdup(clean);
}

/* The statuses every request shares.  Returns PJ_OK only for 200. */
static enum pj_outcome classify(struct pj_client *client,
                                const struct pj_response *resp, const char *what,
                                const char *secret_kind)
{
    char where[200];

    note_version(client, resp);
    if (resp->status == 200)
        return PJ_OK;
    if (resp->status == 401)
        return fail(client, PJ_BAD_CREDENTIALS, what,
                    "wrong user name or %s for %s (HTTP 401)", secret_kind,
                    client->user_id);
    if (resp->status == 403)
        return fail(client, PJ_FORBIDDEN, what, "access denied for %s (HTTP 403)",
                    client->user_id);
    if (resp->status == 404)
        return fail(client, PJ_NOT_FOUND, what, "not found (HTTP 404)");
    if (resp->status >= 300 && resp->status < 400) {
        pj_sanitize(where, sizeof(where), resp->location ? resp->location : "?",
                    resp->location ? strlen(resp->location) : 1);
        return fail(client, PJ_PROTOCOL, what,
                    "redirected to %s (HTTP %ld), not followed: check the url setting",
                    where, resp->status);
    }
    if (resp->status >= 500)
        return fail(client, PJ_SERVER_ERROR, what, "server error (HTTP %ld)",
                    resp->status);
    return fail(client, PJ_PROTOCOL, what, "unexpected HTTP %ld", resp->status);
}

static enum pj_outcome request(struct pj_client *client, const char *what,
                               const char *path, const char *secret,
                               const char *const *extra_headers, const char *form,
                               struct pj_response *resp)
{
    char err[256];
    enum pj_outcome outcome;
    char *url = pj_url_join(client->base, path);

    err[0] = '\0';
    if (url == NULL)
        return fail(client, PJ_NOMEM, what, "out of memory");
    pj_debug(client->log, "%s %s as %s", form != NULL ? "POST" : "GET", url,
             client->user_id);
    outcome = pj_http_request(client->http, url, client->user_id, secret, extra_headers,
                              form, resp, err, sizeof(err));
    free(url);
    if (outcome != PJ_OK)
        return fail(client, outcome, what, "%s", err);
    return PJ_OK;
}

static bool header_token_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

static bool all_chars(const char *s, bool (*ok)(char), size_t max)
{
    size_t n = 0;

    for (; *s != '\0'; s++, n++)
        if (!ok(*s) || n >= max)
            return false;
    return n > 0;
}

static bool crumb_char(char c)
{
    return c > ' ' && c < 127;
}

static bool token_char(char c)
{
    return isalnum((unsigned char)c) != 0;
}

static bool uuid_char(char c)
{
    return isxdigit((unsigned char)c) || c == '-';
}

static enum pj_outcome read_crumb(struct pj_client *client,
                                  const struct pj_response *resp)
{
    struct pj_json json;
    char err[128] = "", *field = NULL, *crumb = NULL;
    enum pj_outcome outcome;

    if (pj_json_parse(&json, resp->body, resp->len, err, sizeof(err)) < 0)
        return fail(client, PJ_PROTOCOL, "crumb", "%s", err);
    if (pj_json_get_string(&json, 0, "crumb", &crumb) != PJ_JSON_FOUND ||
        pj_json_get_string(&json, 0, "crumbRequestField", &field) != PJ_JSON_FOUND ||
        !all_chars(field, header_token_char, 128) ||
        !all_chars(crumb, crumb_char, 512)) {
        outcome = fail(client, PJ_PROTOCOL, "crumb",
                       "reply lacks a usable crumb and crumbRequestField");
        goto done;
    }
    free(client->crumb_field);
    client->crumb_field = field;
    pj_secret_replace(&client->crumb, crumb);
    field = crumb = NULL;
    outcome = PJ_OK;

done:
    free(field);
    pj_secret_free(crumb);
    pj_json_free(&json);
    return outcome;
}

static enum pj_outcome whoami_with(struct pj_client *client, const char *secret,
                                   const char *secret_kind, char **name_out)
{
    struct pj_response resp = {0};
    struct pj_json json;
    enum pj_outcome outcome;
    char err[128] = "", *name = NULL;
    bool anonymous = true;

    outcome = request(client, "whoAmI", "whoAmI/api/json", secret, NULL, NULL, &resp);
    if (outcome != PJ_OK)
        return outcome;
    outcome = classify(client, &resp, "whoAmI", secret_kind);
    if (outcome != PJ_OK)
        goto done;
    if (pj_json_parse(&json, resp.body, resp.len, err, sizeof(err)) < 0) {
        outcome = fail(client, PJ_PROTOCOL, "whoAmI", "%s", err);
        goto done;
    }
    if (pj_json_get_bool(&json, 0, "anonymous", &anonymous) != PJ_JSON_FOUND ||
        pj_json_get_string(&json, 0, "name", &name) != PJ_JSON_FOUND) {
        outcome = fail(client, PJ_PROTOCOL, "whoAmI", "reply lacks anonymous and name");
    } else if (anonymous) {
        /* Credentials that Jenkins ignored (another auth scheme in front of
         * it): not a verified login. */
        outcome = fail(client, PJ_BAD_CREDENTIALS, "whoAmI",
                       "the controller treated the request as anonymous");
    } else if (name_out != NULL) {
        *name_out = name;
        name = NULL;
    }
    pj_json_free(&json);

done:
    free(name);
    pj_response_clear(&resp);
    return outcome;
}

enum pj_outcome pj_client_whoami(struct pj_client *client, const char *secret,
                                 char **name_out)
{
    return whoami_with(client, secret, "token", name_out);
}

enum pj_outcome pj_client_verify(struct pj_client *client, const char *password)
{
    struct pj_response resp = {0};
    enum pj_outcome outcome;

    outcome =
        request(client, "crumb", "crumbIssuer/api/json", password, NULL, NULL, &resp);
    if (outcome != PJ_OK)
        return outcome;
    outcome = classify(client, &resp, "crumb", "password");
    if (outcome == PJ_OK) {
        client->no_crumb_issuer = false;
        outcome = read_crumb(client, &resp);
    } else if (outcome == PJ_NOT_FOUND) {
        /* CSRF protection turned off (DISABLE_CSRF_PROTECTION, or before
         * 2.222 the checkbox): nothing to fetch, but the password still has
         * to be checked, and whoAmI answers 401 to a wrong one. */
        pj_debug(client->log,
                 "controller %s has no crumb issuer; verifying with whoAmI",
                 client->base);
        client->no_crumb_issuer = true;
        outcome = whoami_with(client, password, "password", NULL);
    } else if (outcome == PJ_FORBIDDEN) {
        fail(client, outcome, "crumb",
             "%s may not read this controller (Overall/Read missing, HTTP 403)",
             client->user_id);
    }
    pj_response_clear(&resp);
    return outcome;
}

static bool date_char(char c)
{
    return (c >= ' ' && c < 127);
}

/* The controller's expirationDate as ISO 8601 (2026-09-05), or NULL for
 * "never".  en-US short dates are M/d/yy; anything else is kept, marked
 * "unparsed:", rather than guessed at.  -1 only when out of memory. */
static int iso_date(char **date)
{
    unsigned month, day, year;
    char rest, *converted;

    if (strcmp(*date, "never") == 0) {
        free(*date);
        *date = NULL;
        return 0;
    }
    if (sscanf(*date, "%2u/%2u/%2u%c", &month, &day, &year, &rest) == 3 && month >= 1 &&
        month <= 12 && day >= 1 && day <= 31)
        converted = pj_strdup_printf("20%02u-%02u-%02u", year, month, day);
    else
        converted = pj_strdup_printf("unparsed:%s", *date);
    if (converted == NULL)
        return -1;
    free(*date);
    *date = converted;
    return 0;
}

/* The reply to generateNewToken.  *unwanted is set when the controller did
 * mint (a usable value and uuid came back) but the reply fails a check:
 * the caller must revoke that token rather than leave it live. */
static enum pj_outcome read_new_token(struct pj_client *client,
                                      const struct pj_response *resp,
                                      const char *sent_name, struct pj_token *out,
                                      bool *unwanted, bool *refused)
{
    struct pj_json json;
    char err[128] = "", *status = NULL, *message = NULL, clean[160];
    enum pj_outcome outcome = PJ_PROTOCOL;
    int data;

    *unwanted = false;
    *refused = false;
    if (pj_json_parse(&json, resp->body, resp->len, err, sizeof(err)) < 0)
        return fail(client, PJ_PROTOCOL, "generateNewToken", "%s", err);
    if (pj_json_get_string(&json, 0, "status", &status) != PJ_JSON_FOUND) {
        fail(client, outcome, "generateNewToken", "reply lacks status");
        goto done;
    }
    if (strcmp(status, "ok") != 0) {
        pj_json_get_string(&json, 0, "message", &message);
        pj_sanitize(clean, sizeof(clean), message ? message : "(no message)",
                    message ? strlen(message) : 12);
        fail(client, outcome, "generateNewToken", "refused: %s", clean);
        *refused = true;
        goto done;
    }
    data = pj_json_find(&json, 0, "data");
    if (pj_json_get_string(&json, data, "tokenValue", &out->value) != PJ_JSON_FOUND ||
        pj_json_get_string(&json, data, "tokenUuid", &out->uuid) != PJ_JSON_FOUND ||
        !all_chars(out->value, token_char, 256) ||
        !all_chars(out->uuid, uuid_char, 64)) {
        fail(client, outcome, "generateNewToken", "reply lacks a usable token");
        goto done;
    }
    /* Jenkins stores the name verbatim and echoes it: anything else is not
     * the token we asked for (a confused proxy or controller), and the name
     * would otherwise reach syslog and the keyring unchecked. */
    if (pj_json_get_string(&json, data, "tokenName", &out->name) == PJ_JSON_FOUND &&
        strcmp(out->name, sent_name) != 0) {
        fail(client, outcome, "generateNewToken",
             "the reply names another token than the one requested");
        *unwanted = true;
        goto done;
    }
    if (out->name == NULL && (out->name = strdup(sent_name)) == NULL) {
        fail(client, PJ_NOMEM, "generateNewToken", "out of memory");
        outcome = PJ_NOMEM;
        *unwanted = true;
        goto done;
    }
    /* 2.548+: "never" or a short date in the locale we asked for. */
    if (pj_json_get_string(&json, data, "expirationDate", &out->expires) ==
            PJ_JSON_FOUND &&
        (!all_chars(out->expires, date_char, 64) || iso_date(&out->expires) < 0)) {
        fail(client, outcome, "generateNewToken",
             "reply has a malformed expirationDate");
        *unwanted = true;
        goto done;
    }
    outcome = PJ_OK;

done:
    if (outcome != PJ_OK && !*unwanted)
        pj_token_clear(out);
    free(status);
    free(message);
    pj_json_free(&json);
    return outcome;
}

static bool crumb_rejected(const struct pj_response *resp)
{
    return resp->status == 403 && resp->body != NULL &&
           strstr(resp->body, "No valid crumb") != NULL;
}

/* A POST with password auth, so with the crumb and the cookie it is bound
 * to (password auth is not exempt from CSRF protection).  A controller
 * restart between auth and session (or an expired HTTP session) invalidates
 * the cookie and so the crumb: one fresh crumb, then one more try, rather
 * than a failed login.  extra is one more header line or NULL.  *sent says
 * whether the POST itself got as far as sending (a crumb fetch may fail
 * before it). */
static enum pj_outcome post_with_crumb(struct pj_client *client, const char *what,
                                       const char *path, const char *password,
                                       const char *extra, const char *form,
                                       struct pj_response *resp, bool *sent)
{
    const char *headers[3] = {NULL, NULL, NULL};
    enum pj_outcome outcome = PJ_OK;
    char *header = NULL;
    int attempt;

    *sent = false;
    for (attempt = 0; attempt < 2; attempt++) {
        if (!client->no_crumb_issuer && client->crumb == NULL) {
            outcome = pj_client_verify(client, password);
            if (outcome != PJ_OK)
                goto done;
        }
        pj_secret_free(header);
        header = client->no_crumb_issuer
                     ? NULL
                     : pj_strdup_printf("%s: %s", client->crumb_field, client->crumb);
        if (!client->no_crumb_issuer && header == NULL) {
            outcome = fail(client, PJ_NOMEM, what, "out of memory");
            goto done;
        }
        headers[0] = header != NULL ? header : extra;
        headers[1] = header != NULL ? extra : NULL;
        pj_response_clear(resp);
        *sent = false;
        outcome = request(client, what, path, password, headers, form, resp);
        *sent = pj_http_request_sent(client->http);
        if (outcome != PJ_OK || attempt > 0 || !crumb_rejected(resp))
            break;
        pj_debug(client->log, "controller %s rejected the crumb; fetching a new one",
                 client->base);
        pj_secret_replace(&client->crumb, NULL);
        client->no_crumb_issuer = false;
    }

done:
    pj_secret_free(header);
    return outcome;
}

enum pj_outcome pj_client_generate(struct pj_client *client, const char *password,
                                   const char *token_name, long lifetime_days,
                                   struct pj_token *out)
{
    struct pj_response resp = {0};
    char *name = NULL, *form = NULL;
    enum pj_outcome outcome = PJ_NOMEM;
    bool sent;

    memset(out, 0, sizeof(*out));
    client->maybe_minted = false;
    name = pj_form_encode(token_name);
    if (name == NULL)
        goto done;
    form = lifetime_days > 0
               ? pj_strdup_printf("newTokenName=%s&expirationDuration=%ld", name,
                                  lifetime_days)
               : pj_strdup_printf("newTokenName=%s", name);
    if (form == NULL)
        goto done;
    outcome = post_with_crumb(client, "generateNewToken",
                              "me/" TOKEN_ACTIONS "generateNewToken", password,
                              LOCALE_HEADER, form, &resp, &sent);
    if (outcome != PJ_OK) {
        /* A TLS failure or a refused connection sent nothing; a timeout, a
         * reset or a reply cut off (over 64 KiB) may come after the
         * controller did the work. */
        client->maybe_minted =
            sent && (outcome == PJ_TIMEOUT || outcome == PJ_UNREACHABLE ||
                     outcome == PJ_PROTOCOL);
        goto done;
    }
    outcome = classify(client, &resp, "generateNewToken", "password");
    if (outcome == PJ_NOT_FOUND)
        fail(client, outcome, "generateNewToken",
             "not found (HTTP 404): Jenkins %s predates 2.129 and has one legacy token "
             "per user, nothing per session",
             client->version != NULL ? client->version : "(version unknown)");
    else if (outcome == PJ_FORBIDDEN && crumb_rejected(&resp))
        fail(client, outcome, "generateNewToken",
             "the controller rejected a fresh crumb (HTTP 403)");
    else if (outcome == PJ_FORBIDDEN)
        fail(client, outcome, "generateNewToken",
             "%s may not create tokens here (HTTP 403)", client->user_id);
    /* A 502 or 504 comes from a proxy in front of a controller that may
     * still be minting; a 500 or 503 is Jenkins' (or Jetty's) own refusal. */
    client->maybe_minted =
        outcome == PJ_SERVER_ERROR && (resp.status == 502 || resp.status == 504);
    if (outcome == PJ_OK) {
        bool unwanted, refused;

        outcome = read_new_token(client, &resp, token_name, out, &unwanted, &refused);
        client->maybe_minted = outcome != PJ_OK && !unwanted && !refused;
        if (unwanted) {
            /* Minted, but not what we asked for: it must not stay live.
             * The message already says why the mint failed. */
            char why[sizeof(client->message)];

            memcpy(why, client->message, sizeof(why));
            if (pj_client_revoke(client, out->value, out->uuid) != PJ_OK)
                pj_log(client->log, LOG_ERR,
                       "could not revoke the unwanted token %s: %s", out->uuid,
                       client->message);
            memcpy(client->message, why, sizeof(why));
            pj_token_clear(out);
        }
    }

done:
    if (outcome == PJ_NOMEM)
        fail(client, outcome, "generateNewToken", "out of memory");
    pj_response_clear(&resp);
    free(form);
    pj_secret_free(name);
    return outcome;
}

enum pj_outcome pj_client_revoke(struct pj_client *client, const char *token,
                                 const char *uuid)
{
    struct pj_response resp = {0};
    char *form = NULL, *encoded_uuid = NULL;
    enum pj_outcome outcome = PJ_NOMEM;

    encoded_uuid = pj_form_encode(uuid);
    form = encoded_uuid == NULL ? NULL : pj_strdup_printf("tokenUuid=%s", encoded_uuid);
    if (form == NULL) {
        fail(client, outcome, "revoke", "out of memory");
        goto done;
    }
    /* me/, not user/<id>/: the token authenticates as its owner, and an id
     * with '/' (LDAP and AD realms allow it) would need %2F in the path,
     * which Apache httpd without AllowEncodedSlashes (404) and plain Jetty
     * 12 (400) refuse: the token would stay live for good. */
    outcome = request(client, "revoke", "me/" TOKEN_ACTIONS "revoke", token, NULL, form,
                      &resp);
    if (outcome == PJ_OK)
        outcome = classify(client, &resp, "revoke", "token");

done:
    pj_response_clear(&resp);
    free(form);
    pj_secret_free(encoded_uuid);
    return outcome;
}

/* The user's token list is an HTML page with Jenkins' whole layout around
 * it: far larger than any API reply, but still bounded. */
#define TOKEN_PAGE_MAX ((size_t)1024 * 1024)

enum pj_outcome pj_client_find_token(struct pj_client *client, const char *password,
                                     const char *name, char **uuid_out)
{
    /* me/, as for revoke: no user id in the path.  /security/ since 2.468,
     * /configure before (404 from 2.468 on). */
    static const char *const pages[] = {"me/security/", "me/configure"};
    struct pj_response resp = {0};
    enum pj_outcome outcome = PJ_NOT_FOUND;
    size_t i;
    int found;

    *uuid_out = NULL;
    pj_http_set_body_max(client->http, TOKEN_PAGE_MAX);
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        pj_response_clear(&resp);
        outcome = request(client, "token page", pages[i], password, NULL, NULL, &resp);
        if (outcome != PJ_OK)
            goto done;
        outcome = classify(client, &resp, "token page", "password");
        if (outcome != PJ_NOT_FOUND)
            break;
    }
    if (outcome != PJ_OK)
        goto done;
    found = pj_token_page_find(resp.body, resp.len, name, uuid_out);
    if (found < 0) {
        outcome = fail(client, PJ_NOMEM, "token page", "out of memory");
    } else if (found == 0) {
        outcome =
            fail(client, PJ_NOT_FOUND, "token page", "no token of that name listed");
    } else if (found > 1) {
        /* Jenkins allows duplicate names: two sessions of one user in the
         * same second on the same tty.  Revoking by name could hit the
         * other session's live token; leave it to the journal and an admin. */
        outcome =
            fail(client, PJ_PROTOCOL, "token page", "%d tokens have that name", found);
        free(*uuid_out);
        *uuid_out = NULL;
    }

done:
    pj_http_set_body_max(client->http, PJ_BODY_MAX);
    pj_response_clear(&resp);
    return outcome;
}

enum pj_outcome pj_client_revoke_with_password(struct pj_client *client,
                                               const char *password, const char *uuid)
{
    struct pj_response resp = {0};
    char *form = NULL, *encoded_uuid = NULL;
    enum pj_outcome outcome;
    bool sent;

    encoded_uuid = pj_form_encode(uuid);
    form = encoded_uuid == NULL ? NULL : pj_strdup_printf("tokenUuid=%s", encoded_uuid);
    if (form == NULL) {
        outcome = fail(client, PJ_NOMEM, "revoke", "out of memory");
        goto done;
    }
    outcome = post_with_crumb(client, "revoke", "me/" TOKEN_ACTIONS "revoke", password,
                              NULL, form, &resp, &sent);
    if (outcome == PJ_OK)
        outcome = classify(client, &resp, "revoke", "password");

done:
    pj_response_clear(&resp);
    free(form);
    pj_secret_free(encoded_uuid);
    return outcome;
}
