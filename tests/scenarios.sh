#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The PAM scenarios: every case file under tests/scenarios/ (the format is
# in tests/scenarios/README and at the top of tests/scenario.py) runs
# through real libpam (tests/pam-app, pam_start_confdir on a private stack
# directory) against one Jenkins test double, and its PAM codes, prompts,
# syslog lines and the controller's state afterwards are compared exactly.
#
# Run as root, the suite runs in the private host (tests/private-host) as
# the other root suites do, with an account of its own, as sshd and login
# call the module.  Run as any other user, it needs no privilege: it makes
# a user and mount namespace (unshare -Urm) only to put its own syslog sink
# on /dev/log, then maps itself back to its own uid in a nested user
# namespace and runs the cases as itself, the way a screen locker calls
# the module; cases marked "requires = root" are skipped there.
#
# PJ_SCENARIO=GLOB runs the matching cases only (e.g. "faults/*"),
# PJ_SCENARIO_DIR=DIR the cases in DIR instead, PJ_SCENARIO_VERBOSE=1 shows
# every log line a case got (to write a new case).
set -u
if [ "$(id -u)" != 0 ] && [ -z "${PJ_SCENARIO_NS:-}" ]; then
    if unshare -Urm true 2>/dev/null; then
        PJ_SCENARIO_NS=setup PJ_REAL_UID=$(id -u) PJ_REAL_GID=$(id -g) \
            exec unshare -Urm "$BASH" "$0" "$@"
    fi
    PJ_SCENARIO_NS=unavailable
fi
if [ "${PJ_SCENARIO_NS:-}" = setup ]; then
    # Root of a user namespace, owning a mount namespace: a /dev of our own
    # with the few nodes the cases use and no /dev/log (the sink's), then
    # back to our own uid for the cases.
    dev=$(mktemp -d "${TMPDIR:-/tmp}/pj-dev.XXXXXX")
    mount -t tmpfs -o mode=0755 pj-dev "$dev"
    for node in null zero full random urandom tty; do
        : >"$dev/$node"
        mount --bind "/dev/$node" "$dev/$node"
    done
    ln -s /proc/self/fd "$dev/fd"
    ln -s /proc/self/fd/0 "$dev/stdin"
    ln -s /proc/self/fd/1 "$dev/stdout"
    ln -s /proc/self/fd/2 "$dev/stderr"
    mount --rbind "$dev" /dev
    umount -l "$dev"
    rmdir "$dev"
    PJ_SCENARIO_NS=1 exec unshare -U --map-user="$PJ_REAL_UID" --map-group="$PJ_REAL_GID" \
        "$BASH" "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

SCENARIOS=${PJ_SCENARIO_DIR:-$TESTS_DIR/scenarios}
PJ_OTHER=""
PASSWORD='alice pw:/;%ü'
start_double J
if [ "$(id -u)" = 0 ]; then
    need_root # the private host, or a skip
    start_syslog
    ensure_user pjscenario
    ensure_user pjscenario2
    PJ_USER=pjscenario PJ_OTHER=pjscenario2
elif [ "${PJ_SCENARIO_NS:-}" = 1 ]; then
    SYSLOG=$WORK/syslog
    : >"$SYSLOG"
    python3 "$TESTS_DIR/syslog_sink.py" /dev/log "$SYSLOG" &
    at_exit "kill $!"
    for _ in $(seq 1 100); do [ -S /dev/log ] && break; sleep 0.05; done
    [ -S /dev/log ] || { echo "Bail out! the syslog sink did not start"; exit 1; }
    PJ_USER=$(id -un)
else
    diag "no user namespace (unshare -Urm): log lines are not checked"
    PJ_USER=$(id -un)
fi
PJ_UID=$(id -u "$PJ_USER")
if [ "$PJ_UID" -lt 1000 ]; then
    # The cases expect the module's defaults, minimum_uid = 1000 among them.
    echo "1..0 # SKIP the calling user's uid $PJ_UID is below minimum_uid (1000)"
    trap - EXIT
    eval "$_cleanups" >/dev/null 2>&1
    rm -rf "$WORK"
    exit 0
fi
double "$J_URL" users "{\"$PJ_USER\": {\"password\": \"$PASSWORD\"}}" >/dev/null
diag "cases run as $(id -un) for the PAM user $PJ_USER (uid $PJ_UID)"

export PJ_SCENARIOS=$SCENARIOS J_URL CA MODULE PAM_APP WORK SYSLOG PJ_USER PJ_UID PJ_OTHER
DOWN_URL=https://127.0.0.1:$(free_port)
export PJ_PASSWORD=$PASSWORD DOWN_URL
# PJ_SCENARIO_BREAK=1: instead of the cases, copies that each break one
# expected line (tests/scenario.py --break); every copy must fail.
if [ "${PJ_SCENARIO_BREAK:-0}" = 1 ]; then
    diag "broken copies: $(python3 "$TESTS_DIR/scenario.py" --break "$SCENARIOS" "$WORK/broken")"
    SCENARIOS=$WORK/broken PJ_SCENARIOS=$WORK/broken
fi
cases=$(cd "$SCENARIOS" && find . -mindepth 2 -type f ! -name '*~' | sed 's|^\./||' | sort)
n=0
t0=$(now_ms)
for c in $cases; do
    # shellcheck disable=SC2053 # a glob on purpose
    [[ $c == ${PJ_SCENARIO:-*} ]] || continue
    n=$((n + 1))
    out=$(python3 "$TESTS_DIR/scenario.py" "$SCENARIOS/$c" 2>&1)
    rc=$? failed=0
    if [ "${PJ_SCENARIO_BREAK:-0}" = 1 ]; then
        if grep -q '# SKIP' <<<"$out"; then
            ok 0 "$c # SKIP needs root"
            continue
        fi
        grep -q '^not ok' <<<"$out"
        ok $? "$c: the broken copy fails"
        [ "$rc" != 0 ] || sed 's/^/#   /' <<<"$out"
        continue
    fi
    while IFS= read -r line; do
        case $line in
            "ok - "*) ok 0 "${line#ok - }" ;;
            "not ok - "*) ok 1 "${line#not ok - }"; failed=1 ;;
            "#"*) echo "$line" ;;
            *) echo "# $line" ;;
        esac
    done <<<"$out"
    # A driver that died has said nothing false, but has not checked either.
    [ "$rc" = 0 ] || [ "$failed" = 1 ]
    ok $? "$c: the driver ran it to the end (exit $rc)"
done
[ "$n" -gt 0 ]
ok $? "ran $n cases in $(($(now_ms) - t0)) ms"
is "$(live_tokens "$J_URL")" 0 "no case left a live token on the controller"
