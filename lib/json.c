/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * JSON replies from the controller, parsed with jsmn.  jsmn alone is lenient
 * (it takes several top-level values, bare words, raw control characters),
 * so every reply is checked here to be exactly one well-formed object before
 * any value is read from it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "private.h"

#define JSON_MAX_DEPTH 32

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool valid_number(const char *s, size_t len)
{
    size_t i = 0;

    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0') {
        i++;
    } else {
        if (i >= len || s[i] < '1' || s[i] > '9')
            return false;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || s[i] < '0' || s[i] > '9')
            return false;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || s[i] < '0' || s[i] > '9')
            return false;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i == len;
}

static bool valid_primitive(const char *s, size_t len)
{
    if ((len == 4 && memcmp(s, "true", 4) == 0) ||
        (len == 5 && memcmp(s, "false", 5) == 0) ||
        (len == 4 && memcmp(s, "null", 4) == 0))
        return true;
    return valid_number(s, len);
}

static int hex4(const char *s)
{
    int v = 0, i;

    for (i = 0; i < 4; i++) {
        char c = s[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* Decode a string body into out (at least len + 1 bytes: escapes never
 * grow).  Returns the decoded length or -1. */
static long unescape_into(const char *s, size_t len, char *out)
{
    size_t i = 0, o = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        long cp;

        if (c < 0x20)
            return -1;
        if (c != '\\') {
            if (out != NULL)
                out[o] = (char)c;
            o++;
            i++;
            continue;
        }
        if (i + 1 >= len)
            return -1;
        switch (s[i + 1]) {
        case '"':
        case '\\':
        case '/':
            c = (unsigned char)s[i + 1];
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u':
            if (i + 6 > len || (cp = hex4(s + i + 2)) < 0)
                return -1;
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long low;

                if (i + 6 > len || s[i] != '\\' || s[i + 1] != 'u' ||
                    (low = hex4(s + i + 2)) < 0xDC00 || low > 0xDFFF)
                    return -1;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
            } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
                return -1;
            }
            if (cp < 0x80) {
                if (out != NULL)
                    out[o] = (char)cp;
                o += 1;
            } else if (cp < 0x800) {
                if (out != NULL) {
                    out[o] = (char)(0xC0 | (cp >> 6));
                    out[o + 1] = (char)(0x80 | (cp & 0x3F));
                }
                o += 2;
            } else if (cp < 0x10000) {
                if (out != NULL) {
                    out[o] = (char)(0xE0 | (cp >> 12));
                    out[o + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    out[o + 2] = (char)(0x80 | (cp & 0x3F));
                }
                o += 3;
            } else {
                if (out != NULL) {
                    out[o] = (char)(0xF0 | (cp >> 18));
                    out[o + 1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    out[o + 2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    out[o + 3] = (char)(0x80 | (cp & 0x3F));
                }
                o += 4;
            }
            continue;
        default:
            return -1;
        }
        if (out != NULL)
            out[o] = (char)c;
        o++;
        i += 2;
    }
    return (long)o;
}

char *pj_json_unescape(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    long n;

    if (out == NULL)
        return NULL;
    n = unescape_into(s, len, out);
    if (n < 0) {
        pj_secret_free_n(out, len + 1);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

/* Walk one value; returns the index after it, or -1 if the tree is not what
 * a well-formed JSON document gives. */
static int validate(const struct pj_json *json, int i, int depth)
{
    const struct pj_json_token *t;
    int k, next;

    if (i >= json->count || depth > JSON_MAX_DEPTH)
        return -1;
    t = &json->tokens[i];
    switch (t->type) {
    case JSMN_PRIMITIVE:
        if (!valid_primitive(json->text + t->start, (size_t)(t->end - t->start)))
            return -1;
        return i + 1;
    case JSMN_STRING:
        if (t->size != 0 ||
            unescape_into(json->text + t->start, (size_t)(t->end - t->start), NULL) < 0)
            return -1;
        return i + 1;
    case JSMN_ARRAY:
        next = i + 1;
        for (k = 0; k < t->size; k++)
            if ((next = validate(json, next, depth + 1)) < 0)
                return -1;
        return next;
    case JSMN_OBJECT:
        next = i + 1;
        for (k = 0; k < t->size; k++) {
            const struct pj_json_token *key;

            if (next >= json->count)
                return -1;
            key = &json->tokens[next];
            if (key->type != JSMN_STRING || key->size != 1 ||
                unescape_into(json->text + key->start, (size_t)(key->end - key->start),
                              NULL) < 0)
                return -1;
            if ((next = validate(json, next + 1, depth + 1)) < 0)
                return -1;
        }
        return next;
    default:
        return -1;
    }
}

int pj_json_parse(struct pj_json *json, const char *text, size_t len, char *err,
                  size_t errlen)
{
    jsmn_parser parser;
    jsmntok_t *raw = NULL;
    size_t pos;
    int count, i, status = -1;

    memset(json, 0, sizeof(*json));
    json->text = text;
    json->len = len;
    if (len == 0 || len > PJ_BODY_MAX || memchr(text, '\0', len) != NULL) {
        pj_set_error(err, errlen, len == 0 ? "empty reply" : "reply is not JSON text");
        goto done;
    }
    jsmn_init(&parser);
    count = jsmn_parse(&parser, text, len, NULL, 0);
    if (count <= 0) {
        pj_set_error(err, errlen, "reply is not valid JSON");
        goto done;
    }
    raw = calloc((size_t)count, sizeof(*raw));
    json->tokens = calloc((size_t)count, sizeof(*json->tokens));
    if (raw == NULL || json->tokens == NULL) {
        pj_set_error(err, errlen, "out of memory");
        goto done;
    }
    jsmn_init(&parser);
    if (jsmn_parse(&parser, text, len, raw, (unsigned int)count) != count) {
        pj_set_error(err, errlen, "reply is not valid JSON");
        goto done;
    }
    for (i = 0; i < count; i++) {
        json->tokens[i].type = (int)raw[i].type;
        json->tokens[i].start = raw[i].start;
        json->tokens[i].end = raw[i].end;
        json->tokens[i].size = raw[i].size;
    }
    json->count = count;
    if (json->tokens[0].type != JSMN_OBJECT) {
        pj_set_error(err, errlen, "reply is not a JSON object");
        goto done;
    }
    for (pos = 0; pos < (size_t)json->tokens[0].start; pos++)
        if (!is_space(text[pos]))
            goto invalid;
    for (pos = (size_t)json->tokens[0].end; pos < len; pos++)
        if (!is_space(text[pos]))
            goto invalid;
    if (validate(json, 0, 0) != count)
        goto invalid;
    status = 0;
    goto done;

invalid:
    pj_set_error(err, errlen, "reply is not valid JSON");
done:
    free(raw);
    if (status != 0)
        pj_json_free(json);
    return status;
}

void pj_json_free(struct pj_json *json)
{
    free(json->tokens);
    json->tokens = NULL;
    json->count = 0;
}

/* Index after the subtree at i: every descendant starts before it ends. */
static int skip(const struct pj_json *json, int i)
{
    int end = json->tokens[i].end, j = i + 1;

    while (j < json->count && json->tokens[j].start < end)
        j++;
    return j;
}

int pj_json_find(const struct pj_json *json, int obj, const char *key)
{
    size_t keylen = strlen(key);
    int k, i;

    if (obj < 0 || obj >= json->count || json->tokens[obj].type != JSMN_OBJECT)
        return -1;
    i = obj + 1;
    for (k = 0; k < json->tokens[obj].size && i + 1 < json->count; k++) {
        const struct pj_json_token *t = &json->tokens[i];
        size_t len = (size_t)(t->end - t->start);
        char *name;
        bool match;

        if (memchr(json->text + t->start, '\\', len) == NULL) {
            match = len == keylen && memcmp(json->text + t->start, key, len) == 0;
        } else {
            name = pj_json_unescape(json->text + t->start, len);
            match = name != NULL && strcmp(name, key) == 0;
            free(name);
        }
        if (match)
            return i + 1;
        i = skip(json, i + 1);
    }
    return -1;
}

enum pj_json_get pj_json_get_string(const struct pj_json *json, int obj,
                                    const char *key, char **out)
{
    int i = pj_json_find(json, obj, key);
    const struct pj_json_token *t;

    *out = NULL;
    if (i < 0)
        return PJ_JSON_ABSENT;
    t = &json->tokens[i];
    if (t->type != JSMN_STRING)
        return PJ_JSON_WRONG_TYPE;
    *out = pj_json_unescape(json->text + t->start, (size_t)(t->end - t->start));
    return *out == NULL ? PJ_JSON_NOMEM : PJ_JSON_FOUND;
}

enum pj_json_get pj_json_get_bool(const struct pj_json *json, int obj, const char *key,
                                  bool *out)
{
    int i = pj_json_find(json, obj, key);
    const struct pj_json_token *t;

    if (i < 0)
        return PJ_JSON_ABSENT;
    t = &json->tokens[i];
    if (t->type != JSMN_PRIMITIVE)
        return PJ_JSON_WRONG_TYPE;
    if (json->text[t->start] == 't') {
        *out = true;
        return PJ_JSON_FOUND;
    }
    if (json->text[t->start] == 'f') {
        *out = false;
        return PJ_JSON_FOUND;
    }
    return PJ_JSON_WRONG_TYPE;
}
