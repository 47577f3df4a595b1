/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * URLs (lib/url.c): what the module and the tool do with them themselves.
 */
#ifndef PJ_URL_H
#define PJ_URL_H 1

/* url without its trailing '/'s, NULL when out of memory; the caller
 * free()s it. */
char *pj_url_normalise_base(const char *url);
/* One path segment encoded like Jenkins' Util.rawEncode, NULL when out of
 * memory; the caller free()s it. */
char *pj_url_encode_segment(const char *segment);

#endif /* PJ_URL_H */
