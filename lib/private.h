/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * lib's private interface: what lib's own files share and no caller
 * outside lib may use (pam_module/ and tool/ include only the public
 * lib/pj_*.h; tests/symbols.sh checks).  lib's white-box tests
 * (tests/unit/, tests/fuzz/, tests/pj-client.c, bench/journal-crash.c)
 * include it too.  The rules of lib/pj_outcome.h on secrets hold here as
 * well; its result convention does not: these helpers keep the results
 * that fit them, as each says:
 *  - 0, or -1 with err set (and errno where stated): pj_url_check_base,
 *    pj_json_parse, pj_kv_parse, pj_journal_parse, pj_journal_read_at,
 *    pj_journal_ensure_dir, pj_http_import_cookies;
 *  - a descriptor or -1: pj_journal_open_dir;
 *  - an index or count, -1 on failure: pj_json_find, pj_token_page_find;
 *  - enum pj_json_get: the JSON getters; bool: the predicates;
 *  - enum pj_outcome: pj_http_request (where the HTTP outcomes come from)
 *    and pj_config_parse_text (like the rest of the configuration).
 */
#ifndef PJ_PRIVATE_H
#define PJ_PRIVATE_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "pj_client.h"
#include "pj_config.h"
#include "pj_deadline.h"
#include "pj_journal.h"
#include "pj_keyring.h"
#include "pj_log.h"
#include "pj_outcome.h"
#include "pj_sanitize.h"
#include "pj_secret.h"
#include "pj_shared.h"
#include "pj_sweep.h"
#include "pj_template.h"
#include "pj_url.h"
#include "pj_util.h"

/* ------------------------------------------------------------- environment */

/* An empty environment around our libcurl/OpenSSL calls (see env.c for
 * every variable they read and why).  Always pair begin and end. */
struct pj_env_scope {
    bool active;
};
void pj_env_scrub_begin(struct pj_env_scope *scope);
void pj_env_scrub_end(struct pj_env_scope *scope);

/* ------------------------------------------------------------------ config */

/* Parse the text of a configuration file (faillock.conf style). */
enum pj_outcome pj_config_parse_text(struct pj_config *cfg, const char *text,
                                     size_t len, const char *path,
                                     const struct pj_logger *log, char *err,
                                     size_t errlen);

/* --------------------------------------------------------------- templates */

bool pj_template_valid(const char *tmpl, char *err, size_t errlen);

/* --------------------------------------------------------------------- url */

/* Base URL checks: scheme http or https, a host, no userinfo, query or
 * fragment; http only to a loopback host unless allow_insecure. */
int pj_url_check_base(const char *url, bool allow_insecure, char *err, size_t errlen);
/* base + "/" + path, exactly one slash between them. */
char *pj_url_join(const char *base, const char *path);
/* application/x-www-form-urlencoded value (secret-safe: wiped on free). */
char *pj_form_encode(const char *value);
bool pj_url_host_is_loopback(const char *url);
/* The URL's host, lower-cased (malloc'd), or NULL. */
char *pj_url_host(const char *url);

/* -------------------------------------------------------------------- json */

struct pj_json {
    const char *text;
    size_t len;
    struct pj_json_token *tokens;
    int count;
};

struct pj_json_token {
    int type; /* jsmntype_t */
    int start;
    int end;
    int size;
};

enum pj_json_get { PJ_JSON_FOUND, PJ_JSON_ABSENT, PJ_JSON_WRONG_TYPE, PJ_JSON_NOMEM };

/* Strict: one complete top-level object, nothing after it but white space,
 * valid literals and numbers, valid escapes. */
int pj_json_parse(struct pj_json *json, const char *text, size_t len, char *err,
                  size_t errlen);
void pj_json_free(struct pj_json *json);
/* Index of the value of key in the object at obj (0 = top level), or -1. */
int pj_json_find(const struct pj_json *json, int obj, const char *key);
/* The unescaped string value of key; out is a secret-safe copy. */
enum pj_json_get pj_json_get_string(const struct pj_json *json, int obj,
                                    const char *key, char **out);
enum pj_json_get pj_json_get_bool(const struct pj_json *json, int obj, const char *key,
                                  bool *out);
/* Unescape a JSON string token's text into a fresh NUL-terminated copy.
 * Fails on \u0000 and invalid escapes. */
char *pj_json_unescape(const char *s, size_t len);

/* -------------------------------------------------------------------- http */

#define PJ_BODY_MAX ((size_t)64 * 1024)

struct pj_response {
    long status;
    char *body; /* NUL-terminated; wiped on clear */
    size_t len;
    char *jenkins_version; /* X-Jenkins, if sent */
    char *location;        /* Location, if sent */
};

struct pj_http *pj_http_new(const struct pj_http_settings *settings);
/* Every later request ends by this pj_now_ms() time (0: no deadline). */
void pj_http_set_deadline(struct pj_http *http, long long deadline);
/* Whether the last request got as far as sending (part of) itself: a
 * refused connection, a failed name lookup or TLS handshake sent nothing. */
bool pj_http_request_sent(const struct pj_http *http);
/* Replies larger than max are refused (default PJ_BODY_MAX). */
void pj_http_set_body_max(struct pj_http *http, size_t max);
/* quiet: a forked copy; make sure no byte goes out on a shared socket. */
void pj_http_free(struct pj_http *http, bool quiet);

/* One request on the handle's connection.  user/secret give preemptive
 * Basic auth; extra_headers is a NULL-terminated list of "Name: value"
 * lines (each already validated: no CR or LF) or NULL; form is an
 * urlencoded body (POST) or NULL (GET).  On a transport failure err says
 * what happened, without any secret. */
enum pj_outcome pj_http_request(struct pj_http *http, const char *url, const char *user,
                                const char *secret, const char *const *extra_headers,
                                const char *form, struct pj_response *resp, char *err,
                                size_t errlen);
void pj_response_clear(struct pj_response *resp);

/* The in-memory cookie jar as Netscape lines, to hand a session over to
 * another process, and back. */
char *pj_http_export_cookies(struct pj_http *http);
int pj_http_import_cookies(struct pj_http *http, const char *lines);

/* -------------------------------------------------------------- token page */

/* How many tokens named `name` the HTML token page lists (both markups:
 * up to 2.504 and from 2.505, see tokenpage.c); *uuid_out gets the uuid of
 * the last (malloc'd).  -1 when out of memory. */
int pj_token_page_find(const char *html, size_t len, const char *name, char **uuid_out);
/* HTML entities (&amp; &lt; &gt; &quot; &#39; &#NN; &#xHH;) decoded. */
bool pj_html_unescape(const char *in, size_t len, char *out, size_t outlen);

/* ----------------------------------------------------------------- keyring */

/* Possessor view/read/search/link/setattr, user view: another session of
 * the same uid sees the key exists but cannot read it. */
#define PJ_KEY_PERM 0x3b010000U
/* keyring = user: possessor all, user view/read/search: every process of
 * the uid reads the keys without possessing them (a session keyring of its
 * own, as systemd --user gives its services); other users nothing. */
#define PJ_KEY_PERM_USER 0x3f0b0000U

/* ----------------------------------------------------------------- journal */

char *pj_journal_format(const struct pj_journal_entry *entry);
int pj_journal_parse(struct pj_journal_entry *entry, const char *text, size_t len,
                     char *err, size_t errlen);
/* The value of a number field (tries, next_try...), 0 when absent. */
long pj_journal_number(const char *value);
/* Open the directory for the sweep: no symlink, a directory owned by the
 * effective uid without group or other bits, else -1 with err naming the
 * fix (errno ENOENT when it does not exist, EPERM when refused). */
int pj_journal_open_dir(const char *dir, char *err, size_t errlen);
/* Create the directory (root, 0700) if missing, then check it as above. */
int pj_journal_ensure_dir(const char *dir, char *err, size_t errlen);
/* Read the entry name of dirfd: opened O_NOFOLLOW, a regular file owned by
 * the effective uid without group or other bits.  *lock_fd gets the file,
 * flock()ed: close it when done with the entry.  -1 with err set; errno
 * EWOULDBLOCK or ESTALE when another sweep holds it or just replaced it. */
int pj_journal_read_at(int dirfd, const char *name, struct pj_journal_entry *entry,
                       int *lock_fd, char *err, size_t errlen);
time_t pj_boot_time(void); /* 0 if unknown */

/* ------------------------------------------- shared tokens (keyring = user) */

bool pj_holders_valid(const char *list);
/* The holder (len bytes) still runs: same pid, same start time. */
bool pj_holder_alive(const char *holder, size_t len);
bool pj_holders_live(const char *list); /* one of them runs */
/* Is this the name of a shared entry (one to lock)? */
bool pj_journal_shared_entry(const char *name);
/* After its token is revoked: remove its keys from the user keyring, if
 * they are still this token's (a no-op for other entries). */
void pj_shared_drop_keys(const struct pj_journal_entry *entry);

/* ---------------------------------------------------------------------- kv */

/* "name=value" lines, the format of the keyring meta key and of journal
 * entries.  A record is a struct of char * fields named by a table. */
struct pj_kv_field {
    const char *name;
    size_t offset;
};

char *pj_kv_format(const void *record, const struct pj_kv_field *fields, size_t n);
int pj_kv_parse(void *record, const struct pj_kv_field *fields, size_t n,
                const char *text, size_t len, char *err, size_t errlen);
void pj_kv_free(void *record, const struct pj_kv_field *fields, size_t n,
                const char *secret_field);

/* --------------------------------------------------------------- utilities */

void pj_set_error(char *err, size_t errlen, const char *fmt, ...) PJ_PRINTF(3, 4);
/* The rest of fd, NUL-terminated; NULL with errno (EFBIG over max).  What
 * was read is wiped when given up. */
char *pj_read_fd(int fd, size_t max, size_t *len);
/* Read a whole small file; NULL if missing or over max. */
char *pj_read_file(const char *path, size_t max, size_t *len);
/* The same for a file that decides what we do (configuration): it must be a
 * regular file owned by root or by the effective user, and writable by
 * nobody else.  NULL with errno ENOENT when missing, else NULL with err
 * naming the file and the fix. */
char *pj_read_trusted_file(const char *path, size_t max, size_t *len, char *err,
                           size_t errlen);

#endif /* PJ_PRIVATE_H */
