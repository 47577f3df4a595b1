/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token status: what token this session holds, never the token
 * itself unless --show-token; --check asks whoAmI whether the controller
 * still accepts it.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *or_dash(const char *s)
{
    return s != NULL ? s : "-";
}

static int check(const struct session_token *st, const char **verdict)
{
    struct pj_http_settings settings;
    struct pj_client client;
    enum pj_outcome outcome;
    char *name = NULL;
    int rc;

    session_http_settings(st, &settings);
    if (pj_client_init(&client, st->meta.url, st->meta.user, &settings, &tool_log) !=
        PJ_OK) {
        *verdict = "out of memory";
        return EXIT_CONTROLLER;
    }
    outcome = pj_client_whoami(&client, st->token, &name);
    if (outcome == PJ_OK) {
        *verdict = "accepted";
        rc = EXIT_OK;
    } else if (outcome == PJ_BAD_CREDENTIALS) {
        *verdict = "rejected (revoked or expired)";
        rc = EXIT_NO_TOKEN;
    } else {
        tool_msg("%s", pj_client_message(&client));
        *verdict = "unknown (controller not reachable)";
        rc = EXIT_CONTROLLER;
    }
    free(name);
    pj_client_free(&client, false);
    return rc;
}

static void print_json(const struct session_token *st, bool show_token,
                       const char *verdict)
{
    const char *names[] = {"url",     "user",    "token_name", "token_uuid",
                           "created", "expires", "check",      "token"};
    const char *values[] = {st->meta.url,
                            st->meta.user,
                            st->meta.token_name,
                            st->meta.token_uuid,
                            st->meta.created,
                            st->meta.expires,
                            verdict,
                            show_token ? st->token : NULL};
    size_t i;

    printf("{\"key\":%ld", (long)st->token_key);
    for (i = 0; i < 8; i++) {
        printf(",\"%s\":", names[i]);
        if (values[i] == NULL)
            fputs("null", stdout);
        else
            print_json_string(stdout, values[i]);
    }
    fputs("}\n", stdout);
}

int cmd_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"show-token", no_argument, NULL, 't'},
        {"check", no_argument, NULL, 'c'},
        {"silent", no_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    bool json = false, show_token = false, do_check = false, silent = false;
    const char *key_name = PJ_DEFAULT_KEY_NAME, *verdict = NULL;
    struct session_token st;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "sk:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            json = true;
            break;
        case 't':
            show_token = true;
            break;
        case 'c':
            do_check = true;
            break;
        case 's':
            silent = true;
            break;
        case 'k':
            key_name = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (silent) /* answer by exit code only */
        (void)!freopen("/dev/null", "w", stderr);
    rc = session_token_load(key_name, &st);
    if (rc != EXIT_OK)
        return rc;
    if (do_check)
        rc = check(&st, &verdict);
    if (silent) {
        /* nothing on stdout either */
    } else if (json) {
        print_json(&st, show_token, verdict);
    } else {
        printf("controller:  %s\n", st.meta.url);
        printf("user:        %s\n", st.meta.user);
        printf("token name:  %s\n", or_dash(st.meta.token_name));
        printf("token uuid:  %s\n", st.meta.token_uuid);
        printf("key:         %ld (%s:token)\n", (long)st.token_key, key_name);
        printf("created:     %s\n", or_dash(st.meta.created));
        printf("expires:     %s\n", st.meta.expires ? st.meta.expires : "never");
        if (verdict != NULL)
            printf("controller says: %s\n", verdict);
        if (show_token)
            printf("token:       %s\n", st.token);
    }
    session_token_free(&st);
    return rc;
}
