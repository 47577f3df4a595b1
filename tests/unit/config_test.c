/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* Unit tests: configuration file, module arguments, the option table. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "private.h"

static char logged[1024];

static void capture(void *ctx, int priority, const char *line)
{
    (void)ctx;
    (void)priority;
    snprintf(logged, sizeof(logged), "%s", line);
}

static struct pj_logger test_log = {capture, NULL, false};

static int parse(struct pj_config *cfg, const char *text, char *err)
{
    assert_int_equal(pj_config_init(cfg), PJ_OK);
    return pj_config_parse_text(cfg, text, strlen(text), "test.conf", &test_log, err,
                                PJ_CONFIG_ERROR_MAX);
}

static void test_defaults(void **state)
{
    struct pj_config cfg;

    (void)state;
    assert_int_equal(pj_config_init(&cfg), PJ_OK);
    assert_null(cfg.url);
    assert_string_equal(cfg.user, "%u");
    assert_string_equal(cfg.token_name, "pam_jenkins %u@%h %s %t %d");
    assert_string_equal(cfg.key_name, "jenkins");
    /* configure's (tests/paths.sh checks what each configure gives) */
    assert_string_equal(cfg.journal_dir, PJ_DEFAULT_JOURNAL_DIR);
    assert_int_equal(cfg.connect_timeout, 5);
    assert_int_equal(cfg.timeout, 10);
    assert_int_equal(cfg.minimum_uid, 1000);
    assert_false(cfg.debug);
    pj_config_free(&cfg);
}

/* The tool's verbs that read no file reach the controller with the
 * table's timeouts, not copies of them. */
static void test_default_http_settings(void **state)
{
    struct pj_http_settings settings;
    struct pj_config cfg;

    (void)state;
    memset(&settings, 0xff, sizeof(settings));
    pj_config_default_http_settings(&settings);
    assert_int_equal(pj_config_init(&cfg), 0);
    assert_int_equal(settings.connect_timeout, cfg.connect_timeout);
    assert_int_equal(settings.timeout, cfg.timeout);
    assert_null(settings.ca_file);
    assert_null(settings.ca_path);
    assert_null(settings.proxy);
    assert_int_equal(settings.deadline, 0);
    pj_config_free(&cfg);
}

static void test_file_format(void **state)
{
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX] = "";

    (void)state;
    assert_int_equal(parse(&cfg,
                           "# comment\n"
                           "url = https://jenkins.example.com/ # trailing comment\n"
                           "  timeout=30\n"
                           "debug\n"
                           "export_env = no\n"
                           "\n"
                           "token_name = login %u on %h\r\n",
                           err),
                     PJ_OK);
    assert_string_equal(cfg.url, "https://jenkins.example.com/");
    assert_int_equal(cfg.timeout, 30);
    assert_true(cfg.debug);
    assert_false(cfg.export_env);
    assert_string_equal(cfg.token_name, "login %u on %h");
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_OK);
    assert_string_equal(cfg.url, "https://jenkins.example.com");
    pj_config_free(&cfg);
}

static void test_errors_name_line_and_key(void **state)
{
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX] = "";

    (void)state;
    assert_int_equal(parse(&cfg, "url = https://x\n\ntimeout = -1\n", err), PJ_CONFIG);
    assert_string_equal(err, "test.conf:3: option timeout: -1 is outside 1..600");
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "connect_timeout = soon\n", err), PJ_CONFIG);
    assert_string_equal(
        err, "test.conf:1: option connect_timeout: \"soon\" is not a whole number");
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "debug = maybe\n", err), PJ_CONFIG);
    assert_string_equal(err, "test.conf:1: option debug: \"maybe\" is not yes or no");
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "ca_file =\n", err), PJ_CONFIG);
    assert_string_equal(err, "test.conf:1: option ca_file needs a value");
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "bad name = 1\n", err), PJ_CONFIG);
    assert_string_equal(err, "test.conf:1: expected \"name = value\"");
    pj_config_free(&cfg);
}

static void test_unknown_key_is_logged_not_fatal(void **state)
{
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX] = "";

    (void)state;
    logged[0] = '\0';
    assert_int_equal(parse(&cfg, "frobnicate = 3\nurl = https://j\n", err), PJ_OK);
    assert_string_equal(logged, "test.conf:1: unknown option \"frobnicate\" ignored");
    assert_string_equal(cfg.url, "https://j");
    pj_config_free(&cfg);
}

static void test_arguments_win_over_file(void **state)
{
    char path[] = "/tmp/pj-config-test.XXXXXX", arg[64];
    const char *argv[4];
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX] = "";
    FILE *f;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("url = https://from-file.example\ntimeout = 20\nminimum_uid = 500\n", f);
    fclose(f);
    snprintf(arg, sizeof(arg), "conf=%s", path);
    argv[0] = arg;
    argv[1] = "timeout=3";
    argv[2] = "debug";
    argv[3] = "url=https://from-args.example/jenkins/";
    assert_int_equal(pj_config_init(&cfg), PJ_OK);
    assert_int_equal(pj_config_load(&cfg, 4, argv, &test_log, err, sizeof(err)), PJ_OK);
    assert_string_equal(cfg.url, "https://from-args.example/jenkins");
    assert_int_equal(cfg.timeout, 3);
    assert_int_equal(cfg.minimum_uid, 500);
    assert_true(cfg.debug);
    assert_string_equal(cfg.conf, path);
    pj_config_free(&cfg);
    unlink(path);
    /* a named file must exist */
    argv[0] = "conf=/nonexistent/pam_jenkins.conf";
    assert_int_equal(pj_config_init(&cfg), PJ_OK);
    assert_int_equal(pj_config_load(&cfg, 1, argv, &test_log, err, sizeof(err)),
                     PJ_CONFIG);
    assert_non_null(strstr(err, "cannot read /nonexistent/pam_jenkins.conf"));
    pj_config_free(&cfg);
}

static void test_finish_checks(void **state)
{
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX] = "";

    (void)state;
    assert_int_equal(parse(&cfg, "timeout = 3\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_CONFIG);
    assert_non_null(strstr(err, "no url set"));
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "url = http://jenkins.example.com\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_CONFIG);
    assert_non_null(strstr(err, "clear text"));
    pj_config_free(&cfg);
    assert_int_equal(
        parse(&cfg, "url = http://jenkins.example.com\nallow_insecure_http\n", err),
        PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_OK);
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "url = http://127.0.0.1:8080/\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_OK);
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "url = https://j\ntoken_name = %u %x\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_CONFIG);
    assert_non_null(strstr(err, "unknown %x"));
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "url = https://j\nkey_name = a:b\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_CONFIG);
    pj_config_free(&cfg);
    /* a-b and a.b would both name PAM_JENKINS_HANDOFF_A_B */
    assert_int_equal(parse(&cfg, "url = https://j\nkey_name = a-b\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_CONFIG);
    assert_non_null(strstr(err, "letters, digits or '_'"));
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "url = https://j\nkey_name = ci_2\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_OK);
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "url = ftp://j/\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_CONFIG);
    assert_non_null(strstr(err, "only http and https"));
    pj_config_free(&cfg);
    assert_int_equal(parse(&cfg, "url = https://user:pw@j/\n", err), PJ_OK);
    assert_int_equal(pj_config_finish(&cfg, err, sizeof(err)), PJ_CONFIG);
    assert_null(strstr(err, "pw"));
    pj_config_free(&cfg);
}

/* minimum_uid takes every uid this platform's long can hold: on 32-bit
 * systems its maximum once became -1 and refused every value. */
static void test_minimum_uid_range(void **state)
{
    struct pj_config cfg;
    char err[256];
    const char *top = sizeof(long) > 4 ? "4294967295" : "2147483647";

    (void)state;
    assert_int_equal(pj_config_init(&cfg), PJ_OK);
    assert_int_equal(
        pj_config_set(&cfg, "minimum_uid", "1000", "test", NULL, err, sizeof(err)),
        PJ_OK);
    assert_int_equal(cfg.minimum_uid, 1000);
    assert_int_equal(
        pj_config_set(&cfg, "minimum_uid", top, "test", NULL, err, sizeof(err)), PJ_OK);
    assert_true(cfg.minimum_uid > 0);
    assert_int_equal(
        pj_config_set(&cfg, "minimum_uid", "-1", "test", NULL, err, sizeof(err)),
        PJ_CONFIG);
    pj_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimum_uid_range),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_default_http_settings),
        cmocka_unit_test(test_file_format),
        cmocka_unit_test(test_errors_name_line_and_key),
        cmocka_unit_test(test_unknown_key_is_logged_not_fatal),
        cmocka_unit_test(test_arguments_win_over_file),
        cmocka_unit_test(test_finish_checks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
