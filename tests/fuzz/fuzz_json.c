/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* libFuzzer: the controller's JSON replies (crumb, whoAmI, generateNewToken). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "private.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const char *const keys[] = {
        "crumb", "crumbRequestField", "status",   "message",
        "name",  "tokenValue",        "tokenUuid"};
    struct pj_json json;
    char err[128], *s;
    bool b;
    size_t i;
    int data_obj;

    if (pj_json_parse(&json, (const char *)data, size, err, sizeof(err)) < 0)
        return 0;
    data_obj = pj_json_find(&json, 0, "data");
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (pj_json_get_string(&json, 0, keys[i], &s) == PJ_JSON_FOUND)
            free(s);
        if (pj_json_get_string(&json, data_obj, keys[i], &s) == PJ_JSON_FOUND)
            free(s);
    }
    pj_json_get_bool(&json, 0, "anonymous", &b);
    pj_json_free(&json);
    return 0;
}
