/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * pj-client: drives lib/'s Jenkins client from the shell tests, one
 * operation per argument, against the Jenkins test double.  The password is
 * read from standard input; the token never leaves the process.
 *
 *   pj-client --url URL --user ID [--ca FILE] [--timeout N]
 *             [--connect-timeout N] OP...
 *   OP: verify | generate:NAME[:DAYS] | whoami-token | whoami-password |
 *       find:NAME |
 *       revoke | forget-cookies | forget-crumb
 *
 * Each operation prints "OP: OUTCOME [details] (N ms)"; the exit status is
 * 0 when every operation came to "ok".
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"url", required_argument, NULL, 'u'},
        {"user", required_argument, NULL, 'i'},
        {"ca", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},
        {"connect-timeout", required_argument, NULL, 'C'},
        {"debug", no_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    struct pj_http_settings settings = {NULL, NULL, NULL, 5, 10, 0};
    struct pj_client client;
    struct pj_token token = {0};
    struct pj_logger log;
    const char *url = NULL, *user = NULL;
    char password[1024] = "";
    int opt, i, failures = 0;
    bool debug = false;
    ssize_t n;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'u':
            url = optarg;
            break;
        case 'i':
            user = optarg;
            break;
        case 'c':
            settings.ca_file = optarg;
            break;
        case 't':
            settings.timeout = atol(optarg);
            break;
        case 'C':
            settings.connect_timeout = atol(optarg);
            break;
        case 'd':
            debug = true;
            break;
        default:
            return 2;
        }
    }
    if (url == NULL || user == NULL) {
        fprintf(stderr, "usage: pj-client --url URL --user ID OP...\n");
        return 2;
    }
    n = read(0, password, sizeof(password) - 1);
    password[n > 0 ? n : 0] = '\0';
    password[strcspn(password, "\n")] = '\0';
    pj_logger_stderr(&log, "pj-client", debug);
    if (pj_client_init(&client, url, user, &settings, &log) != PJ_OK)
        return 3;

    for (i = optind; i < argc; i++) {
        const char *op = argv[i];
        enum pj_outcome outcome;
        char *name = NULL, detail[300] = "";
        long start = now_ms();

        client.message[0] = '\0';
        if (strcmp(op, "verify") == 0) {
            outcome = pj_client_verify(&client, password);
            if (outcome == PJ_OK)
                snprintf(detail, sizeof(detail), "crumb_issuer=%s version=%s",
                         client.no_crumb_issuer ? "absent" : "present",
                         client.version ? client.version : "?");
        } else if (strncmp(op, "generate:", 9) == 0) {
            char *spec = strdup(op + 9), *days = strchr(spec, ':');

            if (days != NULL)
                *days++ = '\0';
            pj_token_clear(&token);
            outcome = pj_client_generate(&client, password, spec, days ? atol(days) : 0,
                                         &token);
            if (outcome == PJ_OK)
                snprintf(detail, sizeof(detail),
                         "uuid=%s name=%s length=%zu expires=%s", token.uuid,
                         token.name ? token.name : "?", strlen(token.value),
                         token.expires ? token.expires : "-");
            free(spec);
        } else if (strcmp(op, "whoami-token") == 0) {
            outcome = pj_client_whoami(&client, token.value ? token.value : "", &name);
        } else if (strcmp(op, "whoami-password") == 0) {
            outcome = pj_client_whoami(&client, password, &name);
        } else if (strncmp(op, "find:", 5) == 0) {
            /* the token page, as the module reads it after a lost answer */
            char *uuid = NULL;

            outcome = pj_client_find_token(&client, password, op + 5, &uuid);
            if (outcome == PJ_OK)
                snprintf(detail, sizeof(detail), "uuid=%s", uuid);
            free(uuid);
        } else if (strcmp(op, "revoke") == 0) {
            outcome = pj_client_revoke(&client, token.value ? token.value : "",
                                       token.uuid ? token.uuid : "");
        } else if (strncmp(op, "post:", 5) == 0) {
            /* a side request on its own connection (the double's restart) */
            struct pj_http *side = pj_http_new(&settings);
            struct pj_response resp;

            outcome = side == NULL
                          ? PJ_NOMEM
                          : pj_http_request(side, op + 5, NULL, NULL, NULL, "{}", &resp,
                                            detail, sizeof(detail));
            if (outcome == PJ_OK)
                pj_response_clear(&resp);
            pj_http_free(side, false);
        } else if (strcmp(op, "forget-cookies") == 0) {
            pj_http_import_cookies(client.http, "ALL");
            outcome = PJ_OK;
        } else if (strcmp(op, "forget-crumb") == 0) {
            pj_secret_replace(&client.crumb, NULL);
            outcome = PJ_OK;
        } else {
            fprintf(stderr, "pj-client: unknown operation %s\n", op);
            return 2;
        }
        if (name != NULL)
            snprintf(detail, sizeof(detail), "name=%s", name);
        printf("%s: %s%s%s%s%s (%ld ms)\n", op, pj_outcome_name(outcome),
               detail[0] ? " " : "", detail, client.message[0] ? " -- " : "",
               client.message, now_ms() - start);
        fflush(stdout);
        free(name);
        if (outcome != PJ_OK)
            failures++;
    }
    pj_token_clear(&token);
    pj_client_free(&client, false);
    explicit_bzero(password, sizeof(password));
    return failures == 0 ? 0 : 1;
}
