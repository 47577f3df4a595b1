/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* libFuzzer: the configuration file and its validation. */
#include "config.h"

#include "private.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct pj_logger quiet = {0};
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX];

    if (pj_config_init(&cfg) != PJ_OK)
        return 0;
    if (pj_config_parse_text(&cfg, (const char *)data, size, "fuzz", &quiet, err,
                             sizeof(err)) == PJ_OK)
        pj_config_finish(&cfg, err, sizeof(err));
    pj_config_free(&cfg);
    return 0;
}
