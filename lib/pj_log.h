/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Logging (lib/log.c): where log lines go is the caller's choice, pam_syslog
 * in the module and stderr in the tool.  Every line is sanitized at the one
 * sink; by rule no secret is ever a value of the format.
 */
#ifndef PJ_LOG_H
#define PJ_LOG_H 1

#include <stdbool.h>

#include "pj_outcome.h"

struct pj_logger {
    void (*emit)(void *ctx, int priority, const char *line);
    void *ctx;
    bool debug;
};

void pj_log(const struct pj_logger *log, int priority, const char *fmt, ...)
    PJ_PRINTF(3, 4);
void pj_debug(const struct pj_logger *log, const char *fmt, ...) PJ_PRINTF(2, 3);
/* The tool's logger: "prefix: line" on stderr. */
void pj_logger_stderr(struct pj_logger *log, const char *prefix, bool debug);

#endif /* PJ_LOG_H */
