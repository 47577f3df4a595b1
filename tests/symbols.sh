#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The module exports only the PAM entry points: nothing of ours, libcurl's
# or jsmn's lands in sshd's symbol space.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
syms=$(nm -D --defined-only "$MODULE" | awk '{print $3}' | sort | tr '\n' ' ')
is "$syms" "pam_sm_authenticate pam_sm_close_session pam_sm_open_session pam_sm_setcred " \
   "nm -D: only pam_sm_* are exported"
like "$(readelf -d "$MODULE")" "BIND_NOW" "linked with -z now"
