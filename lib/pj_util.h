/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Small helpers the module and the tool share with lib (lib/util.c).
 */
#ifndef PJ_UTIL_H
#define PJ_UTIL_H 1

#include <time.h>

#include "pj_outcome.h"

/* A fresh formatted string, NULL when out of memory; the caller free()s it
 * (or pj_secret_free when a value in it was a secret). */
char *pj_strdup_printf(const char *fmt, ...) PJ_PRINTF(1, 2);
/* 2026-11-27T20:44:43Z, NULL when out of memory; the caller free()s it. */
char *pj_iso_time(time_t when);

#endif /* PJ_UTIL_H */
