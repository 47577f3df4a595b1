/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* Unit tests: finding a token by name in Jenkins' HTML token list, in both
 * markups (up to 2.504 and from 2.505), as tokenpage.c describes them. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "private.h"

#define U1 "0b6a2e6c-1111-4aaa-8bbb-0123456789ab"
#define U2 "7f00aa11-2222-4ccc-9ddd-ba9876543210"

/* repeatable.jelly's master copy (empty uuid) first; attributes in HashMap
 * order, which differs from row to row. */
static const char old_markup[] =
    "<div class=\"repeated-chunk\"><input name=\"tokenUuid\" type=\"hidden\" "
    "class=\"token-uuid-input\" value=\"\"><input type=\"text\" name=\"tokenName\" "
    "value=\"\"></div>\n"
    "<div class=\"repeated-chunk\"><input class=\"token-uuid-input\" value=\"" U1 "\" "
    "type=\"hidden\" name=\"tokenUuid\"><input value=\"pam_jenkins alice@h sshd "
    "&quot;x&quot; &amp; &lt;y&gt;\" name=\"tokenName\" type=\"text\"></div>\n"
    "<div class=\"repeated-chunk\"><input name='tokenUuid' type='hidden' value='" U2
    "'>"
    "<input name='tokenName' value='other'></div>";

/* A template card without an id first; a legacy card; the name in a span. */
static const char new_markup[] =
    "<div class=\"token-card jenkins-card\"><span class=\"token-name\"></span></div>"
    "<div id=\"" U2 "\" class=\"token-card jenkins-card legacy-token\">"
    "<span class=\"token-name\">Legacy Token</span></div>\n"
    "<div class=\"token-card jenkins-card \" id=\"" U1 "\">\n  <span "
    "class=\"token-name\">\n    pam_jenkins alice@h sshd &#34;x&#34; &amp; &lt;y&gt;\n"
    "  </span><button data-token-uuid=\"" U1 "\">Revoke</button></div>";

static void test_old_markup(void **state)
{
    char *uuid = NULL;

    (void)state;
    assert_int_equal(pj_token_page_find(old_markup, strlen(old_markup),
                                        "pam_jenkins alice@h sshd \"x\" & <y>", &uuid),
                     1);
    assert_string_equal(uuid, U1);
    free(uuid);
    assert_int_equal(pj_token_page_find(old_markup, strlen(old_markup), "other", &uuid),
                     1);
    assert_string_equal(uuid, U2);
    free(uuid);
    /* the master copy's empty pair matches nothing */
    assert_int_equal(pj_token_page_find(old_markup, strlen(old_markup), "", &uuid), 0);
    assert_null(uuid);
}

static void test_new_markup(void **state)
{
    char *uuid = NULL;

    (void)state;
    assert_int_equal(pj_token_page_find(new_markup, strlen(new_markup),
                                        "pam_jenkins alice@h sshd \"x\" & <y>", &uuid),
                     1);
    assert_string_equal(uuid, U1);
    free(uuid);
    assert_int_equal(
        pj_token_page_find(new_markup, strlen(new_markup), "Legacy Token", &uuid), 1);
    assert_string_equal(uuid, U2);
    free(uuid);
    assert_int_equal(
        pj_token_page_find(new_markup, strlen(new_markup), "absent", &uuid), 0);
    assert_null(uuid);
}

static void test_hostile_pages(void **state)
{
    static const char *const pages[] = {
        "<input name=\"tokenUuid\" value=\"../../etc\"><input name=\"tokenName\" "
        "value=\"n\">",
        "<div class=\"token-card\" id=\"x y\"><span "
        "class=\"token-name\">n</span></div>",
        "<input name=\"tokenUuid\" value=\"" U1 "\"",
        "<div class=\"token-card\" id=\"" U1 "\"><span class=\"token-name\">n",
        "<<<>>>&#;&#x;&#99999999999;",
    };
    char *uuid = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        int n = pj_token_page_find(pages[i], strlen(pages[i]), "n", &uuid);

        if (i == 3) {
            /* an unterminated span at the end still names the token */
            assert_int_equal(n, 1);
            assert_string_equal(uuid, U1);
        } else {
            assert_int_equal(n, 0);
            assert_null(uuid);
        }
        free(uuid);
        uuid = NULL;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_markup),
        cmocka_unit_test(test_new_markup),
        cmocka_unit_test(test_hostile_pages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
