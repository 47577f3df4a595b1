/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * "name=value" records: the meta key in the session keyring (read by the
 * tool) and journal entries (read by the sweep).  One line per field, no
 * quoting; a value with a newline or NUL cannot be written, unknown names
 * are skipped so newer writers stay readable, duplicates are refused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "private.h"

static char **slot(void *record, const struct pj_kv_field *field)
{
    return (char **)((char *)record + field->offset);
}

char *pj_kv_format(const void *record, const struct pj_kv_field *fields, size_t n)
{
    size_t i, total = 1, o = 0;
    char *out;

    for (i = 0; i < n; i++) {
        const char *v = *slot((void *)record, &fields[i]);

        if (v == NULL)
            continue;
        if (strchr(v, '\n') != NULL)
            return NULL;
        total += strlen(fields[i].name) + 1 + strlen(v) + 1;
    }
    out = malloc(total);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        const char *v = *slot((void *)record, &fields[i]);
        size_t nl, vl;

        if (v == NULL)
            continue;
        nl = strlen(fields[i].name);
        vl = strlen(v);
        memcpy(out + o, fields[i].name, nl);
        out[o + nl] = '=';
        memcpy(out + o + nl + 1, v, vl);
        out[o + nl + 1 + vl] = '\n';
        o += nl + vl + 2;
    }
    out[o] = '\0';
    return out;
}

int pj_kv_parse(void *record, const struct pj_kv_field *fields, size_t n,
                const char *text, size_t len, char *err, size_t errlen)
{
    size_t pos = 0, i;
    int lineno = 0;

    if (memchr(text, '\0', len) != NULL) {
        pj_set_error(err, errlen, "contains a NUL byte");
        return -1;
    }
    while (pos < len) {
        const char *line = text + pos, *nl, *eq;
        size_t line_len;

        lineno++;
        nl = memchr(line, '\n', len - pos);
        line_len = nl != NULL ? (size_t)(nl - line) : len - pos;
        pos += line_len + (nl != NULL ? 1 : 0);
        if (line_len == 0)
            continue;
        eq = memchr(line, '=', line_len);
        if (eq == NULL || eq == line) {
            pj_set_error(err, errlen, "line %d is not name=value", lineno);
            return -1;
        }
        for (i = 0; i < n; i++) {
            size_t nlen = strlen(fields[i].name);
            char **s = slot(record, &fields[i]);

            if ((size_t)(eq - line) != nlen || memcmp(line, fields[i].name, nlen) != 0)
                continue;
            if (*s != NULL) {
                pj_set_error(err, errlen, "line %d repeats %s", lineno, fields[i].name);
                return -1;
            }
            *s = pj_secret_memdup(eq + 1, line_len - nlen - 1);
            if (*s == NULL) {
                pj_set_error(err, errlen, "out of memory");
                return -1;
            }
            break;
        }
    }
    return 0;
}

void pj_kv_free(void *record, const struct pj_kv_field *fields, size_t n,
                const char *secret_field)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char **s = slot(record, &fields[i]);

        if (secret_field != NULL && strcmp(fields[i].name, secret_field) == 0)
            pj_secret_free(*s);
        else
            free(*s);
        *s = NULL;
    }
}
