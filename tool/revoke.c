/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token revoke: revoke the session's token on the controller now
 * and remove its keys.  pam_jenkins's logout then finds it gone (the
 * controller answers 401 to the dead token) and only clears its journal.
 */
#include "config.h"

#include <getopt.h>
#include <keyutils.h>
#include <stdio.h>

#include "internal.h"

int cmd_revoke(int argc, char **argv)
{
    struct pj_http_settings settings;
    const char *key_name = PJ_DEFAULT_KEY_NAME;
    struct session_token st;
    struct pj_client client;
    enum pj_outcome outcome;
    int opt, rc;

    optind = 1;
    while ((opt = getopt(argc, argv, "k:")) != -1) {
        if (opt != 'k')
            return EXIT_USAGE;
        key_name = optarg;
    }
    rc = session_token_load(key_name, &st);
    if (rc != EXIT_OK)
        return rc;
    session_http_settings(&st, &settings);
    if (pj_client_init(&client, st.meta.url, st.meta.user, &settings, &tool_log) !=
        PJ_OK) {
        session_token_free(&st);
        return EXIT_UNREADABLE;
    }
    outcome = pj_client_revoke(&client, st.token, st.meta.token_uuid);
    if (outcome == PJ_OK || outcome == PJ_BAD_CREDENTIALS) {
        keyctl_revoke(st.token_key);
        keyctl_revoke(st.meta_key);
        keyctl_unlink(st.token_key, KEY_SPEC_SESSION_KEYRING);
        keyctl_unlink(st.meta_key, KEY_SPEC_SESSION_KEYRING);
        /* keyring = user: the user's other processes read them too. */
        keyctl_unlink(st.token_key, KEY_SPEC_USER_KEYRING);
        keyctl_unlink(st.meta_key, KEY_SPEC_USER_KEYRING);
        tool_msg("token %s revoked on %s", st.meta.token_uuid, st.meta.url);
        rc = EXIT_OK;
    } else {
        tool_msg("%s", pj_client_message(&client));
        tool_hint("The token is still live; try again.");
        rc = EXIT_CONTROLLER;
    }
    pj_client_free(&client, false);
    session_token_free(&st);
    return rc;
}
