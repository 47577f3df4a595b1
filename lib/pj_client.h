/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The Jenkins client (lib/jenkins.c, over lib/http.c): crumb, generate,
 * revoke, token lookup, and the handoff of its HTTP session.
 */
#ifndef PJ_CLIENT_H
#define PJ_CLIENT_H 1

#include <stdbool.h>
#include <stddef.h>

#include "pj_log.h"
#include "pj_outcome.h"

/* How to reach the controller (pj_config_http_settings fills it from the
 * configuration; the strings are borrowed, not copied). */
struct pj_http_settings {
    const char *ca_file;
    const char *ca_path;
    const char *proxy;
    long connect_timeout; /* seconds, per connection attempt */
    long timeout;         /* seconds, per request */
    long long deadline;   /* pj_now_ms() time no request may pass; 0: none */
};

/* A minted token.  Every field is malloc'd; pj_token_clear wipes value and
 * frees them all (the struct is left zeroed, ready for reuse). */
struct pj_token {
    char *value; /* secret */
    char *uuid;
    char *name;
    char *expires; /* as the controller said it, or NULL */
};

void pj_token_clear(struct pj_token *token);

struct pj_http;

/* Owned by pj_client_init, released by pj_client_free (crumb wiped). */
struct pj_client {
    struct pj_http *http;
    const struct pj_logger *log; /* must outlive the client */
    char *base;                  /* no trailing slash */
    char *user_id;               /* Jenkins user id */
    char *crumb_field;
    char *crumb; /* bound to the session cookie in http */
    bool no_crumb_issuer;
    char *version; /* X-Jenkins of the last reply that had one */
    /* After a failed pj_client_generate: the request went out and no clear
     * refusal came back (timeout, reset, 5xx, a reply cut off or garbled),
     * so the controller may have minted a token we never saw. */
    bool maybe_minted;
    char message[512];
};

enum pj_outcome pj_client_init(struct pj_client *client, const char *base,
                               const char *user_id,
                               const struct pj_http_settings *settings,
                               const struct pj_logger *log);
/* quiet: a forked copy; make sure no byte goes out on a shared socket. */
void pj_client_free(struct pj_client *client, bool quiet);
/* Every later request ends by this pj_now_ms() time (0: no deadline). */
void pj_client_set_deadline(struct pj_client *client, long long deadline);

/* What the client's callers may read of it, borrowed until the next
 * request or pj_client_free: the last failure's message (never a secret,
 * sanitized for logs and terminals), the controller's base URL, the
 * Jenkins user id. */
const char *pj_client_message(const struct pj_client *client);
const char *pj_client_base(const struct pj_client *client);
const char *pj_client_user(const struct pj_client *client);

/* The HTTP session auth opened (crumb and the cookie it is bound to), to
 * hand to another process: sshd's keyboard-interactive auth runs in a
 * forked child.  crumb_field NULL: the controller has no crumb issuer.
 * Every field is a secret-safe copy, owned by the struct: release it with
 * pj_client_state_clear (wiped).  pj_client_export: PJ_NOMEM. */
struct pj_client_state {
    char *crumb_field;
    char *crumb;
    char *cookies; /* Netscape cookie-file lines */
};
enum pj_outcome pj_client_export(const struct pj_client *client,
                                 struct pj_client_state *out);
/* Checks every field by its grammar (header token, visible ASCII crumb,
 * cookie lines for this controller's host only) before taking any: the
 * data crossed a process boundary.  PJ_PROTOCOL with err on a bad field. */
enum pj_outcome pj_client_import(struct pj_client *client,
                                 const struct pj_client_state *in, char *err,
                                 size_t errlen);
void pj_client_state_clear(struct pj_client_state *state);

/* GET crumbIssuer/api/json with user:password; 404 falls back to whoAmI. */
enum pj_outcome pj_client_verify(struct pj_client *client, const char *password);
/* POST generateNewToken with the crumb and cookie from pj_client_verify;
 * one fresh crumb is fetched if the controller restarted in between.  On
 * PJ_OK *out holds the token: the caller releases it with pj_token_clear
 * (wiped). */
enum pj_outcome pj_client_generate(struct pj_client *client, const char *password,
                                   const char *token_name, long lifetime_days,
                                   struct pj_token *out);
/* POST me/.../revoke with user:token (no id in the path); needs no crumb. */
enum pj_outcome pj_client_revoke(struct pj_client *client, const char *token,
                                 const char *uuid);
/* After an ambiguous mint: the uuid of the token named `name` from the
 * user's token page (me/security/, or me/configure before 2.468), read
 * with the password.  PJ_NOT_FOUND when the page lists no such token;
 * *uuid_out is malloc'd: the caller free()s it. */
enum pj_outcome pj_client_find_token(struct pj_client *client, const char *password,
                                     const char *name, char **uuid_out);
/* POST me/.../revoke with user:password, so with the crumb and cookie of
 * pj_client_verify (password auth is not exempt from CSRF protection). */
enum pj_outcome pj_client_revoke_with_password(struct pj_client *client,
                                               const char *password, const char *uuid);
/* GET whoAmI/api/json with user:secret; *name_out gets the name, malloc'd:
 * the caller free()s it. */
enum pj_outcome pj_client_whoami(struct pj_client *client, const char *secret,
                                 char **name_out);

/* base64("user:secret") for an Authorization: Basic header, NULL when out
 * of memory.  It carries the secret: free with pj_secret_free (wiped). */
char *pj_basic_credentials(const char *user, const char *secret);

#endif /* PJ_CLIENT_H */
