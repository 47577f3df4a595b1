/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* Unit tests: strict JSON over jsmn, and value extraction. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "private.h"

static int parses(const char *text)
{
    struct pj_json json;
    char err[128];
    int rc = pj_json_parse(&json, text, strlen(text), err, sizeof(err));

    if (rc == 0)
        pj_json_free(&json);
    return rc == 0;
}

static void test_accepts(void **state)
{
    (void)state;
    assert_true(parses("{}"));
    assert_true(parses(" \n{\"a\":1}\n"));
    assert_true(parses("{\"a\":[1,-2.5e3,true,false,null,\"x\",{\"b\":[]}]}"));
    assert_true(parses("{\"_class\":\"hudson.security.csrf.DefaultCrumbIssuer\","
                       "\"crumb\":\"abc\",\"crumbRequestField\":\"Jenkins-Crumb\"}"));
}

static void test_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "\"s\"",
        "{}{}",
        "{} x",
        "{\"a\":}",
        "{\"a\" \"b\"}",
        "{\"a\":tru}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{a:1}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":1",
        "{\"crumb\":\"abc",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (parses(bad[i]))
            fail_msg("accepted: %s", bad[i]);
}

static void test_depth_limit(void **state)
{
    char text[200];
    int i, n = 0;

    (void)state;
    n += sprintf(text + n, "{\"a\":");
    for (i = 0; i < 40; i++)
        text[n++] = '[';
    for (i = 0; i < 40; i++)
        text[n++] = ']';
    text[n++] = '}';
    text[n] = '\0';
    assert_false(parses(text));
}

static void test_get_values(void **state)
{
    const char *text =
        "{\"status\":\"ok\",\"data\":{\"tokenName\":\"n\\u00fc \\\"q\\\"\","
        "\"tokenUuid\":\"u-1\",\"tokenValue\":\"11ab\",\"flag\":true,"
        "\"nested\":{\"tokenValue\":\"wrong\"}},\"tokenValue\":\"top\","
        "\"emoji\":\"\\ud83d\\ude00\"}";
    struct pj_json json;
    char err[128], *s = NULL;
    bool b = false;
    int data;

    (void)state;
    assert_int_equal(pj_json_parse(&json, text, strlen(text), err, sizeof(err)), 0);
    data = pj_json_find(&json, 0, "data");
    assert_true(data > 0);
    assert_int_equal(pj_json_get_string(&json, data, "tokenName", &s), PJ_JSON_FOUND);
    assert_string_equal(s, "n\xc3\xbc \"q\"");
    free(s);
    assert_int_equal(pj_json_get_string(&json, data, "tokenValue", &s), PJ_JSON_FOUND);
    assert_string_equal(s, "11ab");
    free(s);
    assert_int_equal(pj_json_get_string(&json, 0, "tokenValue", &s), PJ_JSON_FOUND);
    assert_string_equal(s, "top");
    free(s);
    assert_int_equal(pj_json_get_string(&json, 0, "emoji", &s), PJ_JSON_FOUND);
    assert_string_equal(s, "\xf0\x9f\x98\x80");
    free(s);
    assert_int_equal(pj_json_get_bool(&json, data, "flag", &b), PJ_JSON_FOUND);
    assert_true(b);
    assert_int_equal(pj_json_get_string(&json, data, "flag", &s), PJ_JSON_WRONG_TYPE);
    assert_int_equal(pj_json_get_string(&json, 0, "missing", &s), PJ_JSON_ABSENT);
    assert_int_equal(pj_json_get_string(&json, -1, "data", &s), PJ_JSON_ABSENT);
    pj_json_free(&json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_get_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
