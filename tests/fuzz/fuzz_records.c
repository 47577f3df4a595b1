/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* libFuzzer: the keyring meta payload and journal entries (FUZZ_JOURNAL). */
#include "config.h"

#include <stdlib.h>

#include "private.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char err[128], *again;
#ifdef FUZZ_JOURNAL
    struct pj_journal_entry entry;

    if (pj_journal_parse(&entry, (const char *)data, size, err, sizeof(err)) == 0) {
        again = pj_journal_format(&entry);
        free(again);
        pj_journal_entry_free(&entry);
    }
#else
    struct pj_meta meta;

    if (pj_meta_parse(&meta, (const char *)data, size, err, sizeof(err)) == PJ_OK) {
        again = pj_meta_format(&meta);
        free(again);
        pj_meta_free(&meta);
    }
#endif
    return 0;
}
