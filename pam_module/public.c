/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The PAM entry points.  Each one only builds a context and delegates to the
 * file of its phase, as pam-krb5 does; the return-code table lives in those
 * files.  With debug, the context logs one entry and one exit line per call.
 */
#include "config.h"

#include <security/pam_modules.h>
#include <stddef.h>

#include "internal.h"

#define PJ_EXPORT __attribute__((visibility("default")))

PJ_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
                                  const char **argv)
{
    return pj_context_run(pamh, flags, argc, argv, __func__, pj_authenticate);
}

/* Nothing to establish: the token is minted when a session opens, so that
 * sudo and screen lockers, which authenticate and may call setcred without a
 * session, leave nothing behind.  Never PAM_IGNORE: when every module of a
 * stack ignores, libpam reports a failure, and OpenSSH treats a failed
 * setcred as a failed login. */
PJ_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    return PAM_SUCCESS;
}

PJ_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
                                  const char **argv)
{
    return pj_context_run(pamh, flags, argc, argv, __func__, pj_open_session);
}

PJ_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
                                   const char **argv)
{
    return pj_context_run(pamh, flags, argc, argv, __func__, pj_close_session);
}
