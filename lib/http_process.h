/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * What every libcurl handle of the process shares (http_process.c); for
 * http.c only.
 */
#ifndef PJ_HTTP_PROCESS_H
#define PJ_HTTP_PROCESS_H

#include <curl/curl.h>
#include <stdbool.h>

struct pj_http_settings;

/* Once per process: libcurl's global init and the share.  false when
 * libcurl cannot be used. */
bool pj_http_process_init(void);

/* A new easy handle's trust store and the process's share.  *bundle is set
 * to libcurl's CA bundle when it was left out in favour of the CA
 * directory (to try once if the directory does not verify the peer), to
 * NULL otherwise.  false when an option was refused. */
bool pj_http_process_setup(CURL *c, const struct pj_http_settings *settings,
                           const char **bundle);

/* A handle made in another process (before a fork) and used in this one:
 * its requests go on a connection of their own, closed afterwards, never
 * on one the other process may still use. */
void pj_http_process_foreign(CURL *c);

#endif
