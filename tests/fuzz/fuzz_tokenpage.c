/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* libFuzzer: the controller's HTML token page (pj_token_page_find). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "private.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *uuid = NULL;

    pj_token_page_find((const char *)data, size, "pam_jenkins alice@h sshd", &uuid);
    free(uuid);
    pj_token_page_find((const char *)data, size, "", &uuid);
    free(uuid);
    return 0;
}
