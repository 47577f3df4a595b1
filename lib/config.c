/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Configuration: pam_jenkins.conf (PJ_DEFAULT_CONF: configure's, usually
 * /etc/security/pam_jenkins.conf) in the style of faillock.conf ("name =
 * value", '#' comments, a bare word is a boolean yes) and the same names as
 * module arguments, which win over the file.
 *
 * Every option lives in one typed table, as in pam-krb5, so the file, the
 * module arguments and the defaults cannot drift apart.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "private.h"

enum option_type { OPT_STRING, OPT_NUMBER, OPT_BOOL, OPT_CHOICE };

struct option {
    const char *name;
    enum option_type type;
    size_t offset;
    const char *default_string;
    long default_number;
    long min;
    long max;
    const char *const *choices; /* OPT_CHOICE: the words, in enum order */
};

/* The option table, one line an option: clang-format would split the
 * macros' braces and the stringizing '#' onto lines of their own, as
 * pam-krb5 found, so the table is fenced off from it. */
/* clang-format off */
#define S(field, def)         { #field, OPT_STRING, offsetof(struct pj_config, field), def, 0, 0, 0, NULL }
#define N(field, def, lo, hi) { #field, OPT_NUMBER, offsetof(struct pj_config, field), NULL, def, lo, hi, NULL }
#define B(field)              { #field, OPT_BOOL, offsetof(struct pj_config, field), NULL, 0, 0, 1, NULL }
/* One word of a fixed list, stored as its index (an enum in pj_config). */
#define C(field, def, words)  { #field, OPT_CHOICE, offsetof(struct pj_config, field), NULL, def, 0, 0, words }
/* clang-format on */

/* keyring: enum pj_keyring_mode */
static const char *const keyring_words[] = {"session", "user", NULL};

/* uid_t is 32 bits; the table stores longs, which are 32 bits too on i386
 * and armhf, where UINT_MAX would become -1 and refuse every value. */
#define UID_OPTION_MAX                                                                 \
    ((long)((unsigned long)UINT_MAX > (unsigned long)LONG_MAX ? LONG_MAX : UINT_MAX))
_Static_assert(UID_OPTION_MAX > 0, "minimum_uid's range must be positive");

/* clang-format off */
static const struct option options[] = {
    S(url, NULL),
    S(user, "%u"),
    S(token_name, "pam_jenkins %u@%h %s %t %d"),
    S(key_name, PJ_DEFAULT_KEY_NAME),
    N(key_timeout, 0, 0, 10L * 366 * 24 * 3600),
    N(token_lifetime, 0, 0, 3650),
    S(ca_file, NULL),
    S(ca_path, NULL),
    N(connect_timeout, 5, 1, 300),
    N(timeout, 10, 1, 600),
    S(proxy, NULL),
    N(minimum_uid, 1000, 0, UID_OPTION_MAX),
    B(ignore_root),
    S(journal_dir, PJ_DEFAULT_JOURNAL_DIR),
    B(retain_after_close),
    C(keyring, PJ_KEYRING_SESSION, keyring_words),
    B(export_env),
    B(use_first_pass),
    B(try_first_pass),
    B(force_first_pass),
    B(debug),
    B(allow_insecure_http),
};
/* clang-format on */

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

static char **string_slot(struct pj_config *cfg, const struct option *opt)
{
    return (char **)((char *)cfg + opt->offset);
}

static long *number_slot(struct pj_config *cfg, const struct option *opt)
{
    return (long *)((char *)cfg + opt->offset);
}

static bool *bool_slot(struct pj_config *cfg, const struct option *opt)
{
    return (bool *)((char *)cfg + opt->offset);
}

static int *choice_slot(struct pj_config *cfg, const struct option *opt)
{
    return (int *)((char *)cfg + opt->offset);
}

enum pj_outcome pj_config_init(struct pj_config *cfg)
{
    size_t i;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < OPTION_COUNT; i++) {
        const struct option *opt = &options[i];

        if (opt->type == OPT_NUMBER)
            *number_slot(cfg, opt) = opt->default_number;
        if (opt->type == OPT_CHOICE)
            *choice_slot(cfg, opt) = (int)opt->default_number;
        if (opt->type == OPT_STRING && opt->default_string != NULL) {
            *string_slot(cfg, opt) = strdup(opt->default_string);
            if (*string_slot(cfg, opt) == NULL) {
                pj_config_free(cfg);
                return PJ_NOMEM;
            }
        }
    }
    return PJ_OK;
}

void pj_config_free(struct pj_config *cfg)
{
    size_t i;

    for (i = 0; i < OPTION_COUNT; i++)
        if (options[i].type == OPT_STRING)
            free(*string_slot(cfg, &options[i]));
    free(cfg->conf);
    memset(cfg, 0, sizeof(*cfg));
}

static const struct option *find_option(const char *name)
{
    size_t i;

    for (i = 0; i < OPTION_COUNT; i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

static int parse_bool(const char *value, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    size_t i;

    if (value == NULL) {
        *out = true;
        return 0;
    }
    for (i = 0; i < 4; i++) {
        if (strcasecmp(value, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(value, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* The index of value in words, or -1. */
static int parse_choice(const char *value, const char *const *words)
{
    int i;

    for (i = 0; value != NULL && words[i] != NULL; i++)
        if (strcmp(value, words[i]) == 0)
            return i;
    return -1;
}

static void list_words(char *buf, size_t len, const char *const *words)
{
    size_t used = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; words[i] != NULL && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i > 0 ? " or " : "",
                                 words[i]);
}

static int parse_number(const char *value, long *out)
{
    char *end;
    long n;

    if (value == NULL || *value == '\0')
        return -1;
    errno = 0;
    n = strtol(value, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = n;
    return 0;
}

enum pj_outcome pj_config_set(struct pj_config *cfg, const char *name,
                              const char *value, const char *origin,
                              const struct pj_logger *log, char *err, size_t errlen)
{
    const struct option *opt = find_option(name);
    char *copy, words[128];
    long n;
    bool b;
    int c;

    if (strcmp(name, "conf") == 0)
        return PJ_OK; /* handled by pj_config_load before anything else */
    if (opt == NULL) {
        /* Unknown keys are not fatal: a newer configuration file must not
         * lock everybody out of a host running an older module. */
        pj_log(log, LOG_WARNING, "%s: unknown option \"%s\" ignored", origin, name);
        return PJ_OK;
    }
    switch (opt->type) {
    case OPT_BOOL:
        if (parse_bool(value, &b) < 0) {
            pj_set_error(err, errlen, "%s: option %s: \"%s\" is not yes or no", origin,
                         name, value);
            return PJ_CONFIG;
        }
        *bool_slot(cfg, opt) = b;
        return PJ_OK;
    case OPT_NUMBER:
        if (parse_number(value, &n) < 0) {
            pj_set_error(err, errlen, "%s: option %s: \"%s\" is not a whole number",
                         origin, name, value == NULL ? "" : value);
            return PJ_CONFIG;
        }
        if (n < opt->min || n > opt->max) {
            pj_set_error(err, errlen, "%s: option %s: %ld is outside %ld..%ld", origin,
                         name, n, opt->min, opt->max);
            return PJ_CONFIG;
        }
        *number_slot(cfg, opt) = n;
        return PJ_OK;
    case OPT_CHOICE:
        c = parse_choice(value, opt->choices);
        if (c < 0) {
            list_words(words, sizeof(words), opt->choices);
            pj_set_error(err, errlen, "%s: option %s: \"%s\" is not %s", origin, name,
                         value == NULL ? "" : value, words);
            return PJ_CONFIG;
        }
        *choice_slot(cfg, opt) = c;
        return PJ_OK;
    case OPT_STRING:
        if (value == NULL || *value == '\0') {
            pj_set_error(err, errlen, "%s: option %s needs a value", origin, name);
            return PJ_CONFIG;
        }
        copy = strdup(value);
        if (copy == NULL) {
            pj_set_error(err, errlen, "out of memory");
            return PJ_NOMEM;
        }
        free(*string_slot(cfg, opt));
        *string_slot(cfg, opt) = copy;
        return PJ_OK;
    }
    return PJ_CONFIG;
}

static char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

enum pj_outcome pj_config_parse_text(struct pj_config *cfg, const char *text,
                                     size_t len, const char *path,
                                     const struct pj_logger *log, char *err,
                                     size_t errlen)
{
    char *copy = NULL, *line, *next, *eq, *name, *value;
    char origin[300];
    int lineno = 0;
    enum pj_outcome status = PJ_CONFIG;

    if (memchr(text, '\0', len) != NULL) {
        pj_set_error(err, errlen, "%s: contains a NUL byte", path);
        goto done;
    }
    copy = pj_secret_memdup(text, len);
    if (copy == NULL) {
        pj_set_error(err, errlen, "out of memory");
        status = PJ_NOMEM;
        goto done;
    }
    for (line = copy; line != NULL; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (strchr(line, '#') != NULL)
            *strchr(line, '#') = '\0';
        line = trim(line);
        if (*line == '\0')
            continue;
        snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
        eq = strchr(line, '=');
        if (eq != NULL) {
            *eq = '\0';
            name = trim(line);
            value = trim(eq + 1);
        } else {
            name = line;
            value = NULL;
        }
        if (*name == '\0' || strpbrk(name, " \t") != NULL) {
            pj_set_error(err, errlen, "%s: expected \"name = value\"", origin);
            status = PJ_CONFIG;
            goto done;
        }
        status = pj_config_set(cfg, name, value, origin, log, err, errlen);
        if (status != PJ_OK)
            goto done;
    }
    status = PJ_OK;

done:
    if (copy != NULL)
        pj_secret_free_n(copy, len);
    return status;
}

enum pj_outcome pj_config_read_file(struct pj_config *cfg, const char *path,
                                    bool missing_ok, const struct pj_logger *log,
                                    char *err, size_t errlen)
{
    size_t len;
    char *text;
    enum pj_outcome status;

    text = pj_read_trusted_file(path, (size_t)64 * 1024, &len, err, errlen);
    if (text == NULL) {
        if (errno == ENOENT && missing_ok) {
            if (err != NULL && errlen > 0)
                err[0] = '\0';
            return PJ_OK;
        }
        return PJ_CONFIG;
    }
    status = pj_config_parse_text(cfg, text, len, path, log, err, errlen);
    free(text);
    if (status == PJ_OK) {
        free(cfg->conf);
        cfg->conf = strdup(path);
    }
    return status;
}

enum pj_outcome pj_config_load(struct pj_config *cfg, int argc, const char **argv,
                               const struct pj_logger *log, char *err, size_t errlen)
{
    const char *conf = PJ_DEFAULT_CONF;
    bool explicit_conf = false;
    char *name = NULL;
    int i;
    enum pj_outcome status = PJ_CONFIG;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "conf=", 5) == 0) {
            conf = argv[i] + 5;
            explicit_conf = true;
        }
    }
    /* The default file may be absent when everything is given as module
     * arguments; a file named with conf= must exist. */
    status = pj_config_read_file(cfg, conf, !explicit_conf, log, err, errlen);
    if (status != PJ_OK)
        goto done;
    for (i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');

        free(name);
        name = eq == NULL ? strdup(argv[i]) : strndup(argv[i], (size_t)(eq - argv[i]));
        if (name == NULL) {
            pj_set_error(err, errlen, "out of memory");
            status = PJ_NOMEM;
            goto done;
        }
        status = pj_config_set(cfg, name, eq == NULL ? NULL : eq + 1, "module argument",
                               log, err, errlen);
        if (status != PJ_OK)
            goto done;
    }
    status = pj_config_finish(cfg, err, errlen);

done:
    free(name);
    return status;
}

enum pj_outcome pj_config_finish(struct pj_config *cfg, char *err, size_t errlen)
{
    const char *where = cfg->conf != NULL ? cfg->conf : "configuration";
    char *normal;

    if (cfg->url == NULL) {
        pj_set_error(err, errlen, "%s: no url set (url = https://jenkins.example.com/)",
                     where);
        return PJ_CONFIG;
    }
    if (pj_url_check_base(cfg->url, cfg->allow_insecure_http, err, errlen) < 0)
        return PJ_CONFIG;
    normal = pj_url_normalise_base(cfg->url);
    if (normal == NULL) {
        pj_set_error(err, errlen, "out of memory");
        return PJ_NOMEM;
    }
    free(cfg->url);
    cfg->url = normal;
    if (!pj_template_valid(cfg->token_name, err, errlen) ||
        !pj_template_valid(cfg->user, err, errlen))
        return PJ_CONFIG;
    /* It names keys, PAM data and the handoff variable of the instance:
     * letters, digits and '_' only, so that no two instances' names meet
     * (a-b and a.b would share PAM_JENKINS_HANDOFF_A_B). */
    if (cfg->key_name[0] == '\0' || strlen(cfg->key_name) > 64 ||
        strspn(cfg->key_name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                              "0123456789_") != strlen(cfg->key_name)) {
        pj_set_error(err, errlen,
                     "key_name \"%s\" must be 1 to 64 letters, digits or '_'",
                     cfg->key_name);
        return PJ_CONFIG;
    }
    if (cfg->journal_dir[0] != '/') {
        pj_set_error(err, errlen, "journal_dir must be an absolute path");
        return PJ_CONFIG;
    }
    return PJ_OK;
}

void pj_config_default_http_settings(struct pj_http_settings *settings)
{
    memset(settings, 0, sizeof(*settings));
    settings->connect_timeout = find_option("connect_timeout")->default_number;
    settings->timeout = find_option("timeout")->default_number;
}

void pj_config_http_settings(const struct pj_config *cfg,
                             struct pj_http_settings *settings)
{
    settings->ca_file = cfg->ca_file;
    settings->ca_path = cfg->ca_path;
    settings->proxy = cfg->proxy;
    settings->connect_timeout = cfg->connect_timeout;
    settings->timeout = cfg->timeout;
    settings->deadline = 0;
}
