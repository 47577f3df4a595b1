/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* Unit tests: templates, URLs and user-id encoding, key=value records. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "private.h"

static void test_template(void **state)
{
    struct pj_template_vars vars = {"alice",     "build1", "sshd",    "pts/3",
                                    "192.0.2.1", 4242,     1795812924};
    char err[256], *out;

    (void)state;
    out = pj_template_expand("pam_jenkins %u@%h %s %t %d", &vars, err, sizeof(err));
    assert_string_equal(out,
                        "pam_jenkins alice@build1 sshd pts/3 2026-11-27T20:55:24Z");
    free(out);
    out = pj_template_expand("%r:%p 100%%", &vars, err, sizeof(err));
    assert_string_equal(out, "192.0.2.1:4242 100%");
    free(out);
    vars.tty = NULL;
    out = pj_template_expand("[%t]", &vars, err, sizeof(err));
    assert_string_equal(out, "[-]");
    free(out);
    assert_null(pj_template_expand("%q", &vars, err, sizeof(err)));
    assert_non_null(strstr(err, "unknown %q"));
    assert_null(pj_template_expand("trailing %", &vars, err, sizeof(err)));
}

static void test_template_too_long(void **state)
{
    struct pj_template_vars vars = {0};
    char err[256], big[300];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    vars.user = big;
    assert_null(pj_template_expand("%u", &vars, err, sizeof(err)));
    assert_non_null(strstr(err, "more than 255 bytes"));
}

static void test_url_join(void **state)
{
    char *u;

    (void)state;
    u = pj_url_join("https://j/jenkins/", "/crumbIssuer/api/json");
    assert_string_equal(u, "https://j/jenkins/crumbIssuer/api/json");
    free(u);
    u = pj_url_join("https://j", "whoAmI/api/json");
    assert_string_equal(u, "https://j/whoAmI/api/json");
    free(u);
    u = pj_url_normalise_base("https://j/jenkins///");
    assert_string_equal(u, "https://j/jenkins");
    free(u);
}

static void test_user_id_encoding(void **state)
{
    static const char *const cases[][2] = {
        {"alice", "alice"},
        {"a.b-c_d", "a.b-c_d"},
        {"DOMAIN\\bob", "DOMAIN%5Cbob"},
        {"a b", "a%20b"},
        {"a/b;c", "a%2Fb%3Bc"},
        {"100%", "100%25"},
        {"ü", "%C3%BC"},
        {"a:b@c?d#e", "a%3Ab%40c%3Fd%23e"},
        {".", "%2E"},
        {"..", "%2E%2E"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *e = pj_url_encode_segment(cases[i][0]);

        assert_string_equal(e, cases[i][1]);
        free(e);
    }
}

static void test_loopback(void **state)
{
    (void)state;
    assert_true(pj_url_host_is_loopback("http://127.0.0.1:8080/"));
    assert_true(pj_url_host_is_loopback("http://localhost/"));
    assert_true(pj_url_host_is_loopback("http://[::1]:8080/"));
    assert_false(pj_url_host_is_loopback("http://127.0.0.1.evil.example/"));
    assert_false(pj_url_host_is_loopback("http://jenkins/"));
}

static void test_meta_round_trip(void **state)
{
    struct pj_meta in = {0}, out;
    char err[128], *text;

    (void)state;
    in.url = "https://j";
    in.user = "alice";
    in.token_name = "pam_jenkins alice@h sshd pts/1 2026-01-01T00:00:00Z";
    in.token_uuid = "0b6a2e6c-1111-2222-3333-444455556666";
    in.ca_file = "/etc/ssl/jenkins.pem";
    text = pj_meta_format(&in);
    assert_non_null(text);
    assert_int_equal(pj_meta_parse(&out, text, strlen(text), err, sizeof(err)), PJ_OK);
    assert_string_equal(out.token_name, in.token_name);
    assert_string_equal(out.ca_file, in.ca_file);
    assert_null(out.proxy);
    pj_meta_free(&out);
    free(text);
    in.user = "evil\nurl=https://attacker";
    assert_null(pj_meta_format(&in));
    assert_int_equal(pj_meta_parse(&out, "url=a\nurl=b\nuser=x\ntoken_uuid=1\n", 32,
                                   err, sizeof(err)),
                     PJ_PROTOCOL);
    assert_non_null(strstr(err, "repeats url"));
    assert_int_equal(pj_meta_parse(&out, "url=a\n", 6, err, sizeof(err)), PJ_PROTOCOL);
    assert_int_equal(pj_meta_parse(&out, "garbage\n", 8, err, sizeof(err)),
                     PJ_PROTOCOL);
}

static void test_journal_entry(void **state)
{
    struct pj_journal_entry e;
    const char *good = "url=https://j\nuser=alice\nuuid=0b6a2e6c-1111\ntoken=11abc\n"
                       "pid=42\nstart_time=1234\nboot_id=b\nfuture_field=x\n";
    char err[128];

    (void)state;
    assert_int_equal(pj_journal_parse(&e, good, strlen(good), err, sizeof(err)), 0);
    assert_string_equal(e.token, "11abc");
    assert_string_equal(e.pid, "42");
    pj_journal_entry_free(&e);
    assert_int_equal(pj_journal_parse(&e, "url=x\nuser=y\nuuid=../../etc\ntoken=t\n",
                                      35, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "entry has a malformed uuid");
}

static void test_url_host(void **state)
{
    char *host;

    (void)state;
    host = pj_url_host("https://Jenkins.Example.COM:8443/ci");
    assert_string_equal(host, "jenkins.example.com");
    free(host);
    /* as libcurl names a cookie's host: no brackets */
    host = pj_url_host("https://[::1]:8443/");
    assert_string_equal(host, "::1");
    free(host);
}

static void test_sanitize(void **state)
{
    char out[128];

    (void)state;
    pj_sanitize(out, sizeof(out), "alice", 5);
    assert_string_equal(out, "alice");
    /* a forged syslog line and a terminal escape */
    pj_sanitize(out, sizeof(out), "a\r\nJan 1 x\x1b[2J", 14);
    assert_string_equal(out, "a\\x0d\\x0aJan 1 x\\x1b[2J");
    /* UTF-8 ids stay readable; C1 controls (U+009B, CSI), bidi overrides
     * (U+202E) and broken sequences do not */
    pj_sanitize(out, sizeof(out), "j\xc3\xbcrgen", 7);
    assert_string_equal(out, "j\xc3\xbcrgen");
    pj_sanitize(out, sizeof(out),
                "\xc2\x9b"
                "1m",
                4);
    assert_string_equal(out, "\\xc2\\x9b1m");
    pj_sanitize(out, sizeof(out),
                "\xe2\x80\xae"
                "gpj",
                6);
    assert_string_equal(out, "\\xe2\\x80\\xaegpj");
    pj_sanitize(out, sizeof(out), "\xc3(\x7f", 3);
    assert_string_equal(out, "\\xc3(\\x7f");
    /* invisible and line-breaking characters: zero width space U+200B,
     * line separator U+2028, byte order mark U+FEFF */
    pj_sanitize(out, sizeof(out),
                "a\xe2\x80\x8b"
                "b\xe2\x80\xa8"
                "c\xef\xbb\xbf",
                12);
    assert_string_equal(out, "a\\xe2\\x80\\x8bb\\xe2\\x80\\xa8c\\xef\\xbb\\xbf");
    /* the bidi isolates U+2066 and U+2069 and the Arabic letter mark
     * U+061C reorder text as much as the overrides do */
    pj_sanitize(out, sizeof(out),
                "\xe2\x81\xa6"
                "a\xe2\x81\xa9"
                "\xd8\x9c",
                9);
    assert_string_equal(out, "\\xe2\\x81\\xa6a\\xe2\\x81\\xa9\\xd8\\x9c");
    /* truncation never splits an escape */
    pj_sanitize(out, 6, "ab\ncd", 5);
    assert_string_equal(out, "ab");
}

/* The environment libcurl and OpenSSL see during our calls is empty, and
 * the caller's is back, untouched, afterwards. */
static void test_env_scrub(void **state)
{
    struct pj_env_scope scope;

    (void)state;
    setenv("SSLKEYLOGFILE", "/etc/nologin", 1);
    pj_env_scrub_begin(&scope);
    assert_null(getenv("SSLKEYLOGFILE"));
    assert_null(getenv("PATH"));
    pj_env_scrub_end(&scope);
    assert_string_equal(getenv("SSLKEYLOGFILE"), "/etc/nologin");
    unsetenv("SSLKEYLOGFILE");
}

/* Two threads inside the scrub at once (a host calling PAM from several
 * threads): the environment comes back whatever the order they leave in. */
static void *scrub_a_while(void *arg)
{
    struct pj_env_scope scope;
    struct timespec pause = {0, 20 * 1000 * 1000};

    (void)arg;
    pj_env_scrub_begin(&scope);
    nanosleep(&pause, NULL);
    pj_env_scrub_end(&scope);
    return NULL;
}

static void test_env_scrub_threads(void **state)
{
    struct pj_env_scope scope;
    pthread_t other;

    (void)state;
    setenv("PJ_PROBE", "kept", 1);
    pj_env_scrub_begin(&scope);
    assert_int_equal(pthread_create(&other, NULL, scrub_a_while, NULL), 0);
    pj_env_scrub_end(&scope); /* the first leaves while the second is inside */
    pthread_join(other, NULL);
    assert_non_null(getenv("PJ_PROBE"));
    assert_string_equal(getenv("PJ_PROBE"), "kept");
    unsetenv("PJ_PROBE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template),
        cmocka_unit_test(test_template_too_long),
        cmocka_unit_test(test_url_join),
        cmocka_unit_test(test_user_id_encoding),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_meta_round_trip),
        cmocka_unit_test(test_journal_entry),
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_env_scrub),
        cmocka_unit_test(test_url_host),
        cmocka_unit_test(test_env_scrub_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
