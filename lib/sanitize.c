/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The one function that makes outside text safe for syslog and terminals.
 *
 * Strings from the controller (token names, versions, messages, Location
 * headers), from the client (PAM_USER, PAM_RHOST: sshd passes what the
 * remote side typed) and from the user's environment reach log lines and
 * the terminal of whoever reads them.  A CR or LF forges a second syslog
 * line (and a fail2ban match); an ESC sequence rewrites an admin's
 * terminal; a bidi override reorders what they read.  Every log line goes
 * through pj_sanitize in lib/log.c, and the tool passes controller strings
 * through it before printing them for a person.
 *
 * Kept: printable ASCII and valid UTF-8 above U+009F (ids like "jürgen").
 * Escaped as \xNN, byte by byte: C0 controls, DEL, C1 controls (U+0080 to
 * U+009F, which some terminals obey as escapes), invalid or overlong UTF-8,
 * the bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069),
 * zero-width characters (U+200B-U+200D, U+FEFF) and the line and paragraph
 * separators U+2028 and U+2029.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

/* Length of the valid, printable UTF-8 sequence at s, or 0. */
static size_t utf8_printable(const unsigned char *s, size_t avail)
{
    unsigned long cp;
    size_t n, i;

    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (avail < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f || cp == 0x061c ||
        (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff)
        return 0;
    return n;
}

size_t pj_sanitize(char *out, size_t outlen, const char *in, size_t inlen)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, o = 0, n;

    if (outlen == 0)
        return 0;
    while (i < inlen) {
        if (s[i] >= 0x20 && s[i] < 0x7f) {
            if (o + 1 >= outlen)
                break;
            out[o++] = (char)s[i++];
        } else if ((n = utf8_printable(s + i, inlen - i)) > 0) {
            if (o + n >= outlen)
                break;
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        } else {
            if (o + 4 >= outlen)
                break;
            snprintf(out + o, 5, "\\x%02x", s[i++]);
            o += 4;
        }
    }
    out[o] = '\0';
    return o;
}

char *pj_sanitize_dup(const char *in)
{
    size_t len = strlen(in), cap = 4 * len + 1;
    char *out = malloc(cap);

    if (out != NULL)
        pj_sanitize(out, cap, in, len);
    return out;
}
