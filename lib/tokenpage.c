/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Finding a token by name in the controller's HTML token list.
 *
 * Jenkins has no REST listing of API tokens (ApiTokenProperty exports
 * nothing).  After an ambiguous mint (the generate request timed out, or
 * its reply was cut off) the module knows only the name it asked for, and
 * the only list is the user's page: /configure up to 2.467, /security/ from
 * 2.468.  Two markups, both rendered from Jelly with attributes in HashMap
 * order (so attributes are matched by name, never as a fixed string):
 *
 *  up to 2.504  per token a hidden <input name="tokenUuid" value="UUID">
 *               followed by <input name="tokenName" value="NAME">; the
 *               first pair is repeatable.jelly's master copy, with an empty
 *               tokenUuid;
 *  from 2.505   per token <div id="UUID" class="token-card jenkins-card ">
 *               holding <span class="token-name">NAME</span>; a template
 *               card without an id comes first.
 *
 * This is a narrow matcher for exactly those shapes, not an HTML parser:
 * it reads tags and attributes (quoted or not), decodes the entities
 * Jelly's escaping produces, and never trusts a uuid that is not hex and
 * dashes.  tests/unit/tokenpage_test.c holds both markups; a libFuzzer
 * target feeds it anything.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

#define ATTR_MAX 512

/* The value of attribute name in the tag text [tag, end), decoded, into
 * out; false when absent or too long. */
static bool tag_attr(const char *tag, const char *end, const char *name, char *out,
                     size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = tag;

    /* skip the tag name */
    while (p < end && !isspace((unsigned char)*p))
        p++;
    while (p < end) {
        const char *an, *vs, *ve;
        size_t alen;

        while (p < end && (isspace((unsigned char)*p) || *p == '/'))
            p++;
        an = p;
        while (p < end && *p != '=' && !isspace((unsigned char)*p) && *p != '/')
            p++;
        alen = (size_t)(p - an);
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end || *p != '=') {
            if (alen == 0 && p < end)
                p++;
            continue; /* an attribute without a value */
        }
        p++;
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p < end && (*p == '"' || *p == '\'')) {
            char q = *p++;

            vs = p;
            while (p < end && *p != q)
                p++;
            ve = p;
            if (p < end)
                p++;
        } else {
            vs = p;
            while (p < end && !isspace((unsigned char)*p))
                p++;
            ve = p;
        }
        if (alen == nlen && strncasecmp(an, name, nlen) == 0)
            return pj_html_unescape(vs, (size_t)(ve - vs), out, outlen);
    }
    return false;
}

bool pj_html_unescape(const char *in, size_t len, char *out, size_t outlen)
{
    static const struct {
        const char *entity;
        char c;
    } named[] = {{"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
                 {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
    size_t i = 0, o = 0, k;

    while (i < len) {
        char c = in[i];
        size_t step = 1;

        if (c == '&') {
            for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
                size_t el = strlen(named[k].entity);

                if (len - i >= el && strncmp(in + i, named[k].entity, el) == 0) {
                    c = named[k].c;
                    step = el;
                    break;
                }
            }
            /* &#NNN; and &#xHH; for the ASCII range Jelly escapes */
            if (step == 1 && len - i >= 4 && in[i + 1] == '#') {
                char *stop = NULL, num[12];
                size_t n = 0;
                long v;
                bool hex = in[i + 2] == 'x' || in[i + 2] == 'X';

                for (k = i + (hex ? 3 : 2);
                     k < len && n < sizeof(num) - 1 && in[k] != ';'; k++)
                    num[n++] = in[k];
                num[n] = '\0';
                v = strtol(num, &stop, hex ? 16 : 10);
                if (k < len && in[k] == ';' && n > 0 && *stop == '\0' && v > 0 &&
                    v < 128) {
                    c = (char)v;
                    step = k + 1 - i;
                }
            }
        }
        if (o + 1 >= outlen)
            return false;
        out[o++] = c;
        i += step;
    }
    out[o] = '\0';
    return true;
}

static bool uuid_like(const char *s)
{
    size_t n = strlen(s);

    return n >= 8 && n <= 64 && strspn(s, "0123456789abcdefABCDEF-") == n;
}

static bool has_class(const char *tag, const char *end, const char *cls)
{
    char value[ATTR_MAX], *word, *save = NULL;

    if (!tag_attr(tag, end, "class", value, sizeof(value)))
        return false;
    for (word = strtok_r(value, " \t\n\r", &save); word != NULL;
         word = strtok_r(NULL, " \t\n\r", &save))
        if (strcmp(word, cls) == 0)
            return true;
    return false;
}

/* The text of the element starting after the tag that ends at p, up to the
 * next '<', decoded and trimmed. */
static bool element_text(const char *p, const char *end, char *out, size_t outlen)
{
    const char *s = p, *e;

    e = memchr(s, '<', (size_t)(end - s));
    if (e == NULL)
        e = end;
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return pj_html_unescape(s, (size_t)(e - s), out, outlen);
}

int pj_token_page_find(const char *html, size_t len, const char *name, char **uuid_out)
{
    const char *p = html, *end = html + len;
    char pending_uuid[ATTR_MAX] = "", card_uuid[ATTR_MAX] = "", value[ATTR_MAX];
    int found = 0;

    *uuid_out = NULL;
    while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        const char *tag = p + 1, *close = memchr(tag, '>', (size_t)(end - tag));
        size_t tlen;

        if (close == NULL)
            break;
        tlen = (size_t)(close - tag);
        p = close + 1;
        if (tlen >= 5 && strncasecmp(tag, "input", 5) == 0 &&
            tag_attr(tag, close, "name", value, sizeof(value))) {
            /* up to 2.504: tokenUuid, then its tokenName */
            if (strcmp(value, "tokenUuid") == 0) {
                if (!tag_attr(tag, close, "value", pending_uuid, sizeof(pending_uuid)))
                    pending_uuid[0] = '\0';
            } else if (strcmp(value, "tokenName") == 0 && pending_uuid[0] != '\0') {
                if (tag_attr(tag, close, "value", value, sizeof(value)) &&
                    strcmp(value, name) == 0 && uuid_like(pending_uuid)) {
                    found++;
                    free(*uuid_out);
                    *uuid_out = strdup(pending_uuid);
                }
                pending_uuid[0] = '\0';
            }
        } else if (tlen >= 3 && strncasecmp(tag, "div", 3) == 0 &&
                   isspace((unsigned char)tag[3]) &&
                   has_class(tag, close, "token-card")) {
            /* from 2.505: a card with the uuid as id (none: the template) */
            if (!tag_attr(tag, close, "id", card_uuid, sizeof(card_uuid)))
                card_uuid[0] = '\0';
        } else if (tlen >= 4 && strncasecmp(tag, "span", 4) == 0 &&
                   isspace((unsigned char)tag[4]) && card_uuid[0] != '\0' &&
                   has_class(tag, close, "token-name")) {
            if (element_text(p, end, value, sizeof(value)) &&
                strcmp(value, name) == 0 && uuid_like(card_uuid)) {
                found++;
                free(*uuid_out);
                *uuid_out = strdup(card_uuid);
            }
            card_uuid[0] = '\0';
        }
    }
    if (found > 0 && *uuid_out == NULL)
        return -1;
    return found;
}
