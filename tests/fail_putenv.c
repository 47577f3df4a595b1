/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * A fault injector for the tests, loaded with LD_PRELOAD into the tests'
 * PAM application: pam_putenv fails with PAM_BUF_ERR for every variable
 * whose "NAME=" starts with $PJ_FAIL_PUTENV, as it would when libpam runs
 * out of memory.  It proves that a token minted just before such a failure
 * is not left live.
 */
#include "config.h"

#include <dlfcn.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

__attribute__((visibility("default"))) int pam_putenv(pam_handle_t *pamh,
                                                      const char *name_value)
{
    int (*real)(pam_handle_t *, const char *);
    const char *fail = getenv("PJ_FAIL_PUTENV");

    if (fail != NULL && *fail != '\0' && strncmp(name_value, fail, strlen(fail)) == 0)
        return PAM_BUF_ERR;
    *(void **)&real = dlsym(RTLD_NEXT, "pam_putenv");
    return real != NULL ? real(pamh, name_value) : PAM_SYSTEM_ERR;
}
