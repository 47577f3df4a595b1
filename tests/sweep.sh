#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The journal and the sweep: no live token outlives its session, whatever
# happens to the session (kill -9, another boot) or to the controller at
# logout.  Real PAM sessions (tests/pam-app) against the Jenkins test double.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_syslog
start_double J
ensure_user pjalice
double "$J_URL" users '{"pjalice": {"password": "alice-pw"}}' >/dev/null
STACKS=$WORK/pam.d
write_stack "$STACKS" good "$J_URL"
J=$WORK/journal
printf 'journal_dir = %s\nconnect_timeout = 2\ntimeout = 4\n' "$J" >"$WORK/sweep.conf"
sweep() { $VALGRIND "$TOOL" sweep --conf "$WORK/sweep.conf"; }
held=""
hold_session() { # open a session that stays open until $WORK/hold goes
    touch "$WORK/hold"
    printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjalice \
        --hold-file "$WORK/hold" >"$WORK/held.out" 2>&1 &
    held=$!
    for i in $(seq 1 100); do grep -q holding "$WORK/held.out" && break; sleep 0.05; done
}

# --- kill -9 ----------------------------------------------------------------------------------
hold_session
is "$(live_tokens "$J_URL")" 1 "a session holds a live token"
out=$(sweep)
like "$out" "0 revoked, 1 sessions still open" "the sweep leaves a live session's token alone"
kill -9 "$held"; wait "$held" 2>/dev/null
is "$(live_tokens "$J_URL")" 1 "kill -9: the token is still live on the controller"
is "$(ls "$J" | wc -l)" 1 "and journalled"
out=$(sweep 2>&1)
like "$out" "1 revoked" "the sweep revokes the token of the killed session"
is "$(live_tokens "$J_URL")" 0 "nothing live is left"
is "$(ls "$J" | wc -l)" 0 "the journal is empty"

# --- the sweep at session open ----------------------------------------------------------------
hold_session
kill -9 "$held"; wait "$held" 2>/dev/null
printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjalice -- true >/dev/null
is "$(live_tokens "$J_URL")" 0 "the next login's session open swept the killed session's token"

# --- controller unreachable at logout -----------------------------------------------------------
double "$J_URL" config '{"faults": [{"mode": "drop", "path": "/revoke"}]}' >/dev/null
t0=$(now_ms)
out=$(printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjalice -- true)
t1=$(now_ms)
like "$out" "^close_session: PAM_SUCCESS" "controller gone at logout: logout succeeds"
[ $((t1 - t0)) -lt 8000 ]; ok $? "within the timeouts ($((t1 - t0)) ms)"
is "$(live_tokens "$J_URL"):$(ls "$J" | wc -l)" "1:1" "the token is live and journalled"
out=$(sweep 2>&1); rc=$?
is "$rc" 4 "the sweep says so while the controller still fails (exit 4)"
is "$(ls "$J" | wc -l)" 1 "and keeps the entry"
double "$J_URL" config '{"faults": []}' >/dev/null
out=$(sweep 2>&1)
like "$out" "1 revoked" "controller back: the sweep revokes it"
is "$(live_tokens "$J_URL")" 0 "nothing live is left"

# --- another boot -------------------------------------------------------------------------------
hold_session
entry=$(ls "$J"/*.token)
sed -i 's/^boot_id=.*/boot_id=00000000-0000-0000-0000-000000000000/' "$entry"
out=$(sweep 2>&1)
like "$out" "1 revoked" "an entry from another boot is swept even though its pid is alive"
rm -f "$WORK/hold"; wait "$held"
is "$(live_tokens "$J_URL")" 0 "and the logout after it is harmless"

# --- corrupt and foreign entries ------------------------------------------------------------------
printf 'this is not an entry\n' >"$J/garbage.token"
printf 'url=x\nuser=y\nuuid=../../etc/passwd\ntoken=t\n' >"$J/evil.token"
printf 'ignored\n' >"$J/README"
out=$(sweep 2>&1); rc=$?
is "$rc" 0 "corrupt entries do not fail the sweep"
like "$out" "skipping $J/garbage.token: line 1 is not name=value" "a corrupt entry is reported"
like "$out" "skipping $J/evil.token: entry has a malformed uuid" "a malformed uuid is reported"
like "$out" "2 unreadable entries skipped" "and counted"
rm -f "$J/garbage.token" "$J/evil.token" "$J/README"

# --- the journal directory must be private -------------------------------------------------------
chmod 0755 "$J"
out=$(printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjalice -- true)
like "$out" "^open_session: PAM_SESSION_ERR" "a journal directory others can read: no session token"
logged "journal directory .* must be owned by uid 0 with mode 0700" "the log says why"
is "$(live_tokens "$J_URL")" 0 "and the token minted before the check was revoked at once"
chmod 0700 "$J"

out=$(setpriv --reuid=pjalice --regid=pjalice --init-groups "$TOOL" sweep --conf "$WORK/sweep.conf" 2>&1); rc=$?
is "$rc" 2 "sweep as a user: refused"
valgrind_clean
