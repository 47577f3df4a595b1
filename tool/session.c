/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Reading this session's token: <key_name>:token and <key_name>:meta from
 * the session keyring, or else from the user keyring (keyring = user, where
 * a desktop's terminals, started by systemd --user in a session keyring of
 * their own, find it).  No configuration file is needed: the meta key says
 * how to reach the controller.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* outcome: pj_keyring_read_in's; err: its errno. */
static int explain(enum pj_outcome outcome, int err, const char *key_name)
{
    switch (outcome) {
    case PJ_NOT_FOUND:
        fprintf(
            stderr,
            "jenkins-token: no Jenkins token in this session (%s:token is missing).\n"
            "  Log in with your password, or run `jenkins-token login`.\n",
            key_name);
        return EXIT_NO_TOKEN;
    case PJ_EXPIRED:
        tool_msg("the session's Jenkins token has expired.");
        tool_hint("Run `jenkins-token login` for a new one.");
        return EXIT_NO_TOKEN;
    case PJ_REVOKED:
        tool_msg("the session's Jenkins token was revoked.");
        tool_hint("Run `jenkins-token login` for a new one.");
        return EXIT_NO_TOKEN;
    default:
        tool_msg("the session's Jenkins token cannot be read: %s", strerror(err));
        tool_hint("(is this the session that logged in? see `keyctl show @s`)");
        return EXIT_UNREADABLE;
    }
}

int session_token_load(const char *key_name, struct session_token *st)
{
    char err[256], *meta = NULL;
    size_t token_len = 0, meta_len = 0;
    int where = PJ_KEYRING_SESSION, saved;
    enum pj_outcome rc;

    memset(st, 0, sizeof(*st));
    rc = pj_keyring_read_in(where, key_name, "token", &st->token, &token_len,
                            &st->token_key);
    saved = errno; /* the session keyring's error is the one to tell */
    /* The meta comes from where the token was found, never the other. */
    if (rc != PJ_OK &&
        pj_keyring_read_in(PJ_KEYRING_USER, key_name, "token", &st->token, &token_len,
                           &st->token_key) == PJ_OK) {
        where = PJ_KEYRING_USER;
        rc = PJ_OK;
    }
    if (rc != PJ_OK)
        return explain(rc, saved, key_name);
    rc = pj_keyring_read_in(where, key_name, "meta", &meta, &meta_len, &st->meta_key);
    if (rc != PJ_OK) {
        saved = errno;
        session_token_free(st);
        return explain(rc, saved, key_name);
    }
    rc = pj_meta_parse(&st->meta, meta, meta_len, err, sizeof(err));
    free(meta);
    if (rc != PJ_OK || token_len == 0 || strlen(st->token) != token_len) {
        tool_msg("%s:meta or %s:token is malformed: %s", key_name, key_name,
                 rc != PJ_OK ? err : "bad token");
        session_token_free(st);
        return EXIT_UNREADABLE;
    }
    return EXIT_OK;
}

void session_token_free(struct session_token *st)
{
    pj_secret_free(st->token);
    pj_meta_free(&st->meta);
    memset(st, 0, sizeof(*st));
}

void session_http_settings(const struct session_token *st,
                           struct pj_http_settings *settings)
{
    pj_config_default_http_settings(settings);
    settings->ca_file = st->meta.ca_file;
    settings->ca_path = st->meta.ca_path;
    settings->proxy = st->meta.proxy;
}
