/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* libFuzzer: the session handoff key payload (sshd keyboard-interactive). */
#include "config.h"

#include "pam_module/internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct pj_handoff handoff;

    if (pj_handoff_parse(&handoff, (const char *)data, size) == 0)
        pj_handoff_clear(&handoff);
    return 0;
}
