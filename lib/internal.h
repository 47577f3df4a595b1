/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Internal interface of libpamjenkins, the convenience library shared by
 * pam_jenkins.so and jenkins-token.  Nothing here is exported from the
 * module: hidden visibility and libtool's -export-symbols-regex keep only
 * pam_sm_* visible.
 *
 * Rules that hold for every function below:
 *  - a password or token is never passed to a logging helper or written
 *    into an error message;
 *  - every buffer that held a secret is wiped with explicit_bzero before it
 *    is freed (pj_secret_free, pj_response_clear, pj_token_clear).
 */
#ifndef PAM_JENKINS_LIB_INTERNAL_H
#define PAM_JENKINS_LIB_INTERNAL_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define PJ_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---------------------------------------------------------------- outcomes */

/* What a request to the controller came to.  Callers map these onto PAM
 * codes (module) or exit codes (tool). */
enum pj_outcome {
    PJ_OK = 0,
    PJ_BAD_CREDENTIALS, /* 401 */
    PJ_FORBIDDEN,       /* 403 */
    PJ_NOT_FOUND,       /* 404 */
    PJ_UNREACHABLE,     /* DNS, refused, reset, dropped */
    PJ_TLS,             /* certificate or handshake */
    PJ_TIMEOUT,
    PJ_SERVER_ERROR, /* 5xx */
    PJ_PROTOCOL,     /* unexpected status, bad JSON, redirect, oversized */
    PJ_NOMEM,
    PJ_CONFIG, /* refused before any request: bad URL, bad option */
};

const char *pj_outcome_name(enum pj_outcome outcome);

/* ----------------------------------------------------------------- logging */

/* Where log lines go: pam_syslog in the module, stderr in the tool.  The
 * helpers take a format and plain values; by rule never a secret. */
struct pj_logger {
    void (*emit)(void *ctx, int priority, const char *line);
    void *ctx;
    bool debug;
};

void pj_log(const struct pj_logger *log, int priority, const char *fmt, ...)
    PJ_PRINTF(3, 4);
void pj_debug(const struct pj_logger *log, const char *fmt, ...) PJ_PRINTF(2, 3);
void pj_logger_stderr(struct pj_logger *log, const char *prefix, bool debug);

/* ---------------------------------------------------------------- sanitize */

/* Outside text made safe for syslog and terminals: C0/C1 controls, DEL,
 * bidi controls and invalid UTF-8 become \xNN.  Returns the length
 * written; out is always NUL-terminated (truncated to fit). */
size_t pj_sanitize(char *out, size_t outlen, const char *in, size_t inlen);
/* The same into a fresh string (NULL when out of memory); free() it. */
char *pj_sanitize_dup(const char *in);

/* ------------------------------------------------------------- environment */

/* An empty environment around our libcurl/OpenSSL calls (see env.c for
 * every variable they read and why).  Always pair begin and end. */
struct pj_env_scope {
    bool active;
};
void pj_env_scrub_begin(struct pj_env_scope *scope);
void pj_env_scrub_end(struct pj_env_scope *scope);

/* ---------------------------------------------------------------- deadline */

/* Milliseconds on CLOCK_MONOTONIC.  A deadline is such a time; 0 = none. */
long long pj_now_ms(void);
/* Milliseconds left before deadline (0 when passed); -1 when none. */
long long pj_ms_left(long long deadline);

/* ------------------------------------------------------------------ secret */

char *pj_secret_strdup(const char *s);
char *pj_secret_memdup(const void *p, size_t len); /* NUL-terminated copy */
void pj_secret_free(char *s);                      /* wipes strlen(s) bytes */
void pj_secret_free_n(void *p, size_t len);
void pj_secret_replace(char **slot, char *fresh); /* wipe-frees the old */

/* ------------------------------------------------------------------ config */

/* keyring = session | user: where the token's keys live. */
enum pj_keyring_mode { PJ_KEYRING_SESSION = 0, PJ_KEYRING_USER = 1 };

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

int pj_config_init(struct pj_config *cfg); /* -1: out of memory */
void pj_config_free(struct pj_config *cfg);

/* Apply one "name = value" (value NULL for a bare word).  origin names the
 * place for messages ("pam_jenkins.conf:12", "module argument").  Unknown
 * names are reported through log and ignored; a bad value fails. */
int pj_config_set(struct pj_config *cfg, const char *name, const char *value,
                  const char *origin, const struct pj_logger *log, char *err,
                  size_t errlen);

/* Parse the text of a configuration file (faillock.conf style). */
int pj_config_parse_text(struct pj_config *cfg, const char *text, size_t len,
                         const char *path, const struct pj_logger *log, char *err,
                         size_t errlen);

/* Read a file; missing_ok makes an absent file not an error. */
int pj_config_read_file(struct pj_config *cfg, const char *path, bool missing_ok,
                        const struct pj_logger *log, char *err, size_t errlen);

/* Module arguments: conf=PATH is read first, then every argument applied on
 * top of the file.  Then pj_config_finish validates. */
int pj_config_load(struct pj_config *cfg, int argc, const char **argv,
                   const struct pj_logger *log, char *err, size_t errlen);

/* Check what only makes sense as a whole: url present and acceptable. */
int pj_config_finish(struct pj_config *cfg, char *err, size_t errlen);

struct pj_http_settings;
/* The option table's connect_timeout and timeout, no CA, no proxy: for
 * the tool's verbs that read no configuration (the session's meta says the
 * rest), so that their timeouts are the module's. */
void pj_config_default_http_settings(struct pj_http_settings *settings);
/* How to reach the controller, as configured (pointers into cfg). */
void pj_config_http_settings(const struct pj_config *cfg,
                             struct pj_http_settings *settings);

/* --------------------------------------------------------------- templates */

struct pj_template_vars {
    const char *user;
    const char *host;
    const char *service;
    const char *tty;
    const char *rhost;
    long pid;
    time_t now;
};

/* Expand %u %h %s %t %r %p %d %%; NULL with err set on an unknown % or
 * a result over 256 bytes. */
char *pj_template_expand(const char *tmpl, const struct pj_template_vars *vars,
                         char *err, size_t errlen);
bool pj_template_valid(const char *tmpl, char *err, size_t errlen);

/* --------------------------------------------------------------------- url */

/* Base URL checks: scheme http or https, a host, no userinfo, query or
 * fragment; http only to a loopback host unless allow_insecure. */
int pj_url_check_base(const char *url, bool allow_insecure, char *err, size_t errlen);
char *pj_url_normalise_base(const char *url); /* strips trailing '/' */
/* base + "/" + path, exactly one slash between them. */
char *pj_url_join(const char *base, const char *path);
/* One path segment encoded like Jenkins' Util.rawEncode. */
char *pj_url_encode_segment(const char *segment);
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

struct pj_http_settings {
    const char *ca_file;
    const char *ca_path;
    const char *proxy;
    long connect_timeout; /* seconds, per connection attempt */
    long timeout;         /* seconds, per request */
    long long deadline;   /* pj_now_ms() time no request may pass; 0: none */
};

struct pj_response {
    long status;
    char *body; /* NUL-terminated; wiped on clear */
    size_t len;
    char *jenkins_version; /* X-Jenkins, if sent */
    char *location;        /* Location, if sent */
};

struct pj_http;

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
/* base64("user:secret") for an Authorization: Basic header; wipe-free it. */
char *pj_basic_credentials(const char *user, const char *secret);

/* The in-memory cookie jar as Netscape lines, to hand a session over to
 * another process, and back. */
char *pj_http_export_cookies(struct pj_http *http);
int pj_http_import_cookies(struct pj_http *http, const char *lines);

/* ----------------------------------------------------------------- jenkins */

struct pj_token {
    char *value; /* secret */
    char *uuid;
    char *name;
    char *expires; /* as the controller said it, or NULL */
};

void pj_token_clear(struct pj_token *token);

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

int pj_client_init(struct pj_client *client, const char *base, const char *user_id,
                   const struct pj_http_settings *settings,
                   const struct pj_logger *log);
void pj_client_free(struct pj_client *client, bool quiet);
/* Every later request ends by this pj_now_ms() time (0: no deadline). */
void pj_client_set_deadline(struct pj_client *client, long long deadline);

/* The HTTP session auth opened (crumb and the cookie it is bound to), to
 * hand to another process: sshd's keyboard-interactive auth runs in a
 * forked child.  crumb_field NULL: the controller has no crumb issuer.
 * Every field is a secret-safe copy; pj_client_state_clear wipes them. */
struct pj_client_state {
    char *crumb_field;
    char *crumb;
    char *cookies; /* Netscape cookie-file lines */
};
int pj_client_export(const struct pj_client *client, struct pj_client_state *out);
/* Checks every field by its grammar (header token, visible ASCII crumb,
 * cookie lines for this controller's host only) before taking any: the
 * data crossed a process boundary.  -1 with err on a bad field. */
int pj_client_import(struct pj_client *client, const struct pj_client_state *in,
                     char *err, size_t errlen);
void pj_client_state_clear(struct pj_client_state *state);

/* GET crumbIssuer/api/json with user:password; 404 falls back to whoAmI. */
enum pj_outcome pj_client_verify(struct pj_client *client, const char *password);
/* POST generateNewToken with the crumb and cookie from pj_client_verify;
 * one fresh crumb is fetched if the controller restarted in between. */
enum pj_outcome pj_client_generate(struct pj_client *client, const char *password,
                                   const char *token_name, long lifetime_days,
                                   struct pj_token *out);
/* POST me/.../revoke with user:token (no id in the path); needs no crumb. */
enum pj_outcome pj_client_revoke(struct pj_client *client, const char *token,
                                 const char *uuid);
/* After an ambiguous mint: the uuid of the token named `name` from the
 * user's token page (me/security/, or me/configure before 2.468), read
 * with the password.  PJ_NOT_FOUND when the page lists no such token;
 * *uuid_out is malloc'd. */
enum pj_outcome pj_client_find_token(struct pj_client *client, const char *password,
                                     const char *name, char **uuid_out);
/* POST me/.../revoke with user:password, so with the crumb and cookie of
 * pj_client_verify (password auth is not exempt from CSRF protection). */
enum pj_outcome pj_client_revoke_with_password(struct pj_client *client,
                                               const char *password, const char *uuid);
/* GET whoAmI/api/json with user:secret; name_out gets the name. */
enum pj_outcome pj_client_whoami(struct pj_client *client, const char *secret,
                                 char **name_out);

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

struct pj_meta {
    char *url;
    char *user;
    char *token_name;
    char *token_uuid;
    char *created;
    char *expires;
    char *ca_file;
    char *ca_path;
    char *proxy;
};

void pj_meta_free(struct pj_meta *meta);
char *pj_meta_format(const struct pj_meta *meta);
int pj_meta_parse(struct pj_meta *meta, const char *text, size_t len, char *err,
                  size_t errlen);

/* Is @s a per-login keyring of uid (made by pam_keyinit)? */
int pj_keyring_check_session(uid_t uid, char *err, size_t errlen);
/* Add <name>:token and <name>:meta to @s, owned by uid with PJ_KEY_PERM. */
int pj_keyring_store(const char *key_name, const char *token, const char *meta,
                     uid_t uid, long timeout, int32_t *token_key, int32_t *meta_key,
                     char *err, size_t errlen);
/* Find and read <name>:suffix in the session keyring, else in the user
 * keyring; errno-style result (the session keyring's error if neither). */
int pj_keyring_read(const char *key_name, const char *suffix, char **payload,
                    size_t *len, int32_t *serial);
/* The same in one of them (where: enum pj_keyring_mode), as the caller. */
int pj_keyring_read_in(int where, const char *key_name, const char *suffix,
                       char **payload, size_t *len, int32_t *serial);
void pj_keyring_revoke(int32_t serial);

/* keyring = user, from root (or the user itself), acting as uid and gid
 * (gid (gid_t)-1: leave the group) on this thread only, as pam_keyinit does.
 * Add <name>:token and <name>:meta to uid's user keyring with
 * PJ_KEY_PERM_USER, owned by uid, replacing older keys of those names. */
int pj_keyring_store_user(const char *key_name, const char *token, const char *meta,
                          uid_t uid, gid_t gid, long timeout, int32_t *token_key,
                          int32_t *meta_key, char *err, size_t errlen);
/* Read both from uid's user keyring with the user's own rights; errno-style.
 * *token is secret (pj_secret_free), *meta plain. */
int pj_keyring_read_user(uid_t uid, gid_t gid, const char *key_name, char **token,
                         size_t *token_len, char **meta, size_t *meta_len);
/* Remove both from uid's user keyring if the meta key names the token uuid
 * (uuid NULL: whatever they hold); else ESTALE (another token), ENOKEY (no
 * meta key) or EINVAL (a meta key we cannot read). */
int pj_keyring_drop_user(uid_t uid, gid_t gid, const char *key_name, const char *uuid);

/* ----------------------------------------------------------------- journal */

struct pj_journal_entry {
    char *url;
    char *user;
    char *uuid;
    char *token; /* secret */
    char *token_name;
    char *created;
    char *pid;        /* the process that opened the session */
    char *start_time; /* its start time, clock ticks after boot */
    char *boot_id;
    char *ca_file; /* informational: the sweep uses the configured ones */
    char *ca_path;
    char *proxy;
    /* Written by the sweep after a revoke failed (decimal; times in epoch
     * seconds); absent until then. */
    char *tries;         /* failed revokes */
    char *hard_failures; /* of them, failures that waiting cannot heal */
    char *last_try;
    char *next_try; /* not tried again before this */
    char *given_up; /* set: never tried again; revoke by hand */
    char *last_error;
    /* "1": written before the generate request; no uuid or token yet.  It
     * becomes a normal entry when the controller answers, and stays an
     * intent when the answer never came (a token that may be live). */
    char *intent;
    /* keyring = user (lib/shared.c): the token lives in the user keyring of
     * uid as <key_name>:token, shared by the sessions listed in holders
     * ("pid:start,..."), and is dead once none of them lives; then pid and
     * start_time only name the session that minted it. */
    char *uid;
    char *key_name;
    char *holders;
};

void pj_journal_entry_free(struct pj_journal_entry *entry);
char *pj_journal_format(const struct pj_journal_entry *entry);
int pj_journal_parse(struct pj_journal_entry *entry, const char *text, size_t len,
                     char *err, size_t errlen);
/* The value of a number field (tries, next_try...), 0 when absent. */
long pj_journal_number(const char *value);
/* Create the directory (root, 0700) if needed and write the entry
 * atomically (0600).  path_out gets the file's path. */
int pj_journal_write(const char *dir, const struct pj_journal_entry *entry,
                     char **path_out, char *err, size_t errlen);
/* An intent entry under a fresh random name (intent-<hex>.token), written
 * without fsync: it outlives the process, not a power cut. */
int pj_journal_write_intent(const char *dir, const struct pj_journal_entry *entry,
                            char **path_out, char *err, size_t errlen);
/* Replace the entry dir/name atomically, with the rules of pj_journal_write. */
int pj_journal_rewrite(const char *dir, const char *name,
                       const struct pj_journal_entry *entry, char *err, size_t errlen);
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
/* Read dir/name with the checks of pj_journal_read_at (no lock kept); -1
 * with errno ENOENT when there is no such entry. */
int pj_journal_read(const char *dir, const char *name, struct pj_journal_entry *entry,
                    char *err, size_t errlen);
int pj_journal_remove(const char *path);
/* This boot's id and start, and a process's start time, for the sweep. */
char *pj_boot_id(void);
time_t pj_boot_time(void);             /* 0 if unknown */
char *pj_process_start_time(long pid); /* NULL if the process is gone or a zombie */

/* ------------------------------------------- shared tokens (keyring = user) */

/* The entry of uid's shared token for key_name: "user-<uid>-<key_name>.token"
 * (bytes of key_name outside [A-Za-z0-9._-] as %XX); malloc'd.
 * pj_journal_write names an entry with key_name so, and never replaces one. */
char *pj_journal_shared_name(uid_t uid, const char *key_name);
/* Lock the shared entry dir/name: flock on "<name without .token>.lock" (made
 * 0600 if needed, under the journal directory's rules), retried until
 * deadline (pj_now_ms() time; 0: one try).  The fd to close, or -1 with err
 * (errno EWOULDBLOCK: held by someone else). */
int pj_journal_lock_shared(const char *dir, const char *name, long long deadline,
                           char *err, size_t errlen);
/* Move the shared entry dir/name to <uuid>.token, held by nobody, so that
 * the sweep revokes it and the name is free for a new token. */
int pj_journal_set_aside(const char *dir, const char *name,
                         struct pj_journal_entry *entry, char *err, size_t errlen);
/* Holders: "pid:start" of a session's process, comma separated. */
bool pj_holders_valid(const char *list);
char *pj_holder_self(void); /* this process; NULL when out of memory */
/* The holder (len bytes) still runs: same pid, same start time. */
bool pj_holder_alive(const char *holder, size_t len);
/* list without its dead holders and without one occurrence of drop, with
 * add appended (drop, add may be NULL); *count the holders left.  A fresh
 * string, NULL when out of memory. */
char *pj_holders_update(const char *list, const char *add, const char *drop,
                        int *count);
bool pj_holders_live(const char *list); /* one of them runs */
/* Is this the name of a shared entry (one to lock)? */
bool pj_journal_shared_entry(const char *name);
/* After its token is revoked: remove its keys from the user keyring, if
 * they are still this token's (a no-op for other entries). */
void pj_shared_drop_keys(const struct pj_journal_entry *entry);

/* ------------------------------------------------------------------- sweep */

struct pj_sweep {
    const char *journal_dir;
    const struct pj_logger *log;
    /* The configuration (after pj_config_finish): only entries for its url
     * are revoked, with its ca_file, ca_path and proxy, never the entry's;
     * an entry's url must also pass its allow_insecure_http policy.  NULL:
     * the sweep refuses to run. */
    const struct pj_config *cfg;
    long connect_timeout;
    long timeout;
    int max_entries;     /* revokes tried; 0: all */
    long budget_seconds; /* 0: no limit; entries past it wait for next time */
    long long deadline;  /* pj_now_ms() time no request passes (0: none) */
    const char *skip_name;
    /* Optional: told about every given-up entry (jenkins-token sweep lists
     * them for the admin). */
    void (*given_up)(void *ctx, const char *path, const struct pj_journal_entry *entry);
    void *given_up_ctx; /* Optional, at session open while the user's password is at
                         * hand: the intent entries of dead sessions (tokens that may be
                         * live, uuid unknown) are handed here.  PJ_OK: found and
                         * revoked; PJ_NOT_FOUND: the controller lists no such token;
                         * PJ_CONFIG: not this user's (left alone); anything else: not
                         * resolved (reported, kept). */
    enum pj_outcome (*resolve_intent)(void *ctx, const struct pj_journal_entry *entry);
    /* Whether resolve_intent can settle this intent (costs requests); the
     * others are counted as waiting and use none of max_entries. */
    bool (*owns_intent)(void *ctx, const struct pj_journal_entry *entry);
    void *resolve_ctx;
};

struct pj_sweep_result {
    int revoked;
    int already_revoked; /* 401: revoked or expired before; entry dropped */
    int alive;
    int failed;   /* tried now, failed; tried again later */
    int waiting;  /* failed before; its next try is not due */
    int given_up; /* kept on disk, never tried again */
    int skipped;  /* unreadable or foreign entries */
    int deferred; /* over max_entries or the budget, or held by another sweep */
};

/* -1 when it does not run: no configured url, the journal directory
 * refused (logged, naming the fix) or absent (errno ENOENT, not logged),
 * or no /proc to tell live sessions from dead ones (logged). */
int pj_sweep_run(const struct pj_sweep *opts, struct pj_sweep_result *result);

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

char *pj_strdup_printf(const char *fmt, ...) PJ_PRINTF(1, 2);
void pj_set_error(char *err, size_t errlen, const char *fmt, ...) PJ_PRINTF(3, 4);
char *pj_iso_time(time_t when); /* 2026-11-27T20:44:43Z */
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

#endif /* PAM_JENKINS_LIB_INTERNAL_H */
