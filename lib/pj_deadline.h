/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Deadlines (lib/util.c): milliseconds on CLOCK_MONOTONIC.  A deadline is
 * such a time; 0 = none.
 */
#ifndef PJ_DEADLINE_H
#define PJ_DEADLINE_H 1

long long pj_now_ms(void);
/* Milliseconds left before deadline (0 when passed); -1 when none. */
long long pj_ms_left(long long deadline);

#endif /* PJ_DEADLINE_H */
