/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The configuration (lib/config.c): one typed option table, read from
 * pam_jenkins.conf (faillock.conf style) with module arguments on top.
 */
#ifndef PJ_CONFIG_H
#define PJ_CONFIG_H 1

#include <stdbool.h>
#include <stddef.h>

#include "pj_log.h"

/* keyring = session | user: where the token's keys live. */
enum pj_keyring_mode { PJ_KEYRING_SESSION = 0, PJ_KEYRING_USER = 1 };

/* Every string is malloc'd and owned by the struct; pj_config_free frees
 * them (none is a secret). */
struct pj_config {
    char *url; /* normalised: no trailing slash */
    char *user;
    char *token_name;
    char *key_name;
    long key_timeout;
    long token_lifetime;
    char *ca_file;
    char *ca_path;
    long connect_timeout;
    long timeout;
    char *proxy;
    long minimum_uid;
    bool ignore_root;
    char *journal_dir;
    bool retain_after_close;
    int keyring; /* enum pj_keyring_mode */
    bool export_env;
    bool use_first_pass;
    bool try_first_pass;
    bool force_first_pass;
    bool debug;
    bool allow_insecure_http;
    char *conf; /* the file that was read */
};

/* PJ_DEFAULT_CONF and PJ_DEFAULT_JOURNAL_DIR come from configure (config.h). */
#define PJ_DEFAULT_KEY_NAME "jenkins"
#define PJ_CONFIG_ERROR_MAX 512

/* The defaults.  PJ_NOMEM; on failure cfg holds nothing to free. */
enum pj_outcome pj_config_init(struct pj_config *cfg);
void pj_config_free(struct pj_config *cfg);

/* Apply one "name = value" (value NULL for a bare word).  origin names the
 * place for messages ("pam_jenkins.conf:12", "module argument").  Unknown
 * names are reported through log and ignored; a bad value: PJ_CONFIG. */
enum pj_outcome pj_config_set(struct pj_config *cfg, const char *name,
                              const char *value, const char *origin,
                              const struct pj_logger *log, char *err, size_t errlen);

/* Read a file (owned by root or the effective user, writable by nobody
 * else); missing_ok makes an absent file not an error. */
enum pj_outcome pj_config_read_file(struct pj_config *cfg, const char *path,
                                    bool missing_ok, const struct pj_logger *log,
                                    char *err, size_t errlen);

/* Module arguments: conf=PATH is read first, then every argument applied on
 * top of the file.  Then pj_config_finish validates. */
enum pj_outcome pj_config_load(struct pj_config *cfg, int argc, const char **argv,
                               const struct pj_logger *log, char *err, size_t errlen);

/* Check what only makes sense as a whole: url present and acceptable. */
enum pj_outcome pj_config_finish(struct pj_config *cfg, char *err, size_t errlen);

struct pj_http_settings;
/* The option table's connect_timeout and timeout, no CA, no proxy: for
 * the tool's verbs that read no configuration (the session's meta says the
 * rest), so that their timeouts are the module's. */
void pj_config_default_http_settings(struct pj_http_settings *settings);
/* How to reach the controller, as configured (pointers into cfg). */
void pj_config_http_settings(const struct pj_config *cfg,
                             struct pj_http_settings *settings);

#endif /* PJ_CONFIG_H */
