#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The module exports only the PAM entry points: nothing of ours, libcurl's
# or jsmn's lands in sshd's symbol space.  And lib's layering holds: the
# module and the tool use only lib's public headers (lib/pj_*.h), which
# show nothing of lib's insides (docs/architecture.md).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
syms=$(nm -D --defined-only "$MODULE" | awk '{print $3}' | sort | tr '\n' ' ')
is "$syms" "pam_sm_authenticate pam_sm_close_session pam_sm_open_session pam_sm_setcred " \
   "nm -D: only pam_sm_* are exported"
like "$(readelf -d "$MODULE")" "BIND_NOW" "linked with -z now"

# lib/private.h and lib/http_process.h are lib's own; outside lib only its
# white-box tests (unit tests, fuzzers, the client driver, the journal crash
# bench) may include private.h.
cd "$top_srcdir" || exit 1
whitebox='^(tests/unit/[^/]*\.c|tests/fuzz/[^/]*\.c|tests/pj-client\.c|bench/journal-crash\.c):'
outside=$(grep -EnH '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(lib/)?(private|http_process|internal)\.h"' \
    pam_module/*.[ch] tool/*.[ch] tests/*.c tests/unit/*.c tests/fuzz/*.c bench/*.c 2>/dev/null |
    grep -Ev "$whitebox" | grep -Ev '^(pam_module|tool)/[^:]*:[0-9]+:#include "internal\.h"$')
is "$outside" "" "nothing outside lib includes lib/private.h (white-box tests aside)"
# A public header includes only system headers and other public headers.
public=$(grep -EnH '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' lib/pj_*.h |
    grep -Ev '#include "pj_[a-z_]+\.h"$')
is "$public" "" "lib's public headers include no private header"
is "$(ls lib/internal.h 2>/dev/null)" "" "lib/internal.h is gone: private.h or a pj_*.h"
# jsmn is lib's business: no header but lib/private.h names it.
jsmn=$(grep -il jsmn lib/*.h pam_module/*.h tool/*.h | grep -v '^lib/private\.h$')
is "$jsmn" "" "no header outside lib/private.h mentions jsmn"
