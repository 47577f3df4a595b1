/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Internal interface of jenkins-token.  main.c parses the command line and
 * calls one function per verb; session.c reads the token and its meta from
 * the session keyring.
 */
#ifndef PAM_JENKINS_TOOL_INTERNAL_H
#define PAM_JENKINS_TOOL_INTERNAL_H 1

#include <stdint.h>

#include "lib/pj_client.h"
#include "lib/pj_config.h"
#include "lib/pj_journal.h"
#include "lib/pj_keyring.h"
#include "lib/pj_log.h"
#include "lib/pj_outcome.h"
#include "lib/pj_sanitize.h"
#include "lib/pj_secret.h"
#include "lib/pj_sweep.h"
#include "lib/pj_template.h"
#include "lib/pj_url.h"
#include "lib/pj_util.h"

/* Exit codes (see jenkins-token(1)). */
enum {
    EXIT_OK = 0,
    EXIT_NO_TOKEN = 1,
    EXIT_USAGE = 2,
    EXIT_UNREADABLE = 3,
    EXIT_CONTROLLER = 4, /* the controller could not be asked */
    EXIT_EXEC_FAILED = 125,
};

struct session_token {
    char *token; /* secret */
    struct pj_meta meta;
    int32_t token_key;
    int32_t meta_key;
};

extern struct pj_logger tool_log;

/* msgs.c: every message for the person at the terminal (stderr), one line,
 * sanitized; tool_hint adds an indented line of advice (a literal). */
void tool_msg(const char *fmt, ...) PJ_PRINTF(1, 2);
void tool_hint(const char *hint);

/* session.c: EXIT_OK, or an exit code after printing why to stderr. */
int session_token_load(const char *key_name, struct session_token *st);
void session_token_free(struct session_token *st);
void session_http_settings(const struct session_token *st,
                           struct pj_http_settings *settings);

/* One function per verb; each returns the exit code. */
int cmd_get(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* formats.c: write the token in one of the -f formats. */
int format_token(FILE *out, const char *format, const struct session_token *st,
                 bool newline);
void print_json_string(FILE *out, const char *s);

#endif /* PAM_JENKINS_TOOL_INTERNAL_H */
