#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Many logins at once: 50 concurrent PAM lifecycles (10 under valgrind) of
# five users against the Jenkins test double.  All succeed, every session
# gets its own token, and none is left live afterwards.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_double J
users=""
for i in 1 2 3 4 5; do
    ensure_user "pjload$i"
    users="$users\"pjload$i\": {\"password\": \"load-pw-$i\"},"
done
double "$J_URL" users "{${users%,}}" >/dev/null
STACKS=$WORK/pam.d
# Generous timeouts: under valgrind on two cores the TLS handshakes queue.
write_stack "$STACKS" good "$J_URL" connect_timeout=30 timeout=60
count=50
[ -n "$VALGRIND" ] && count=10
pids=""
for n in $(seq 1 "$count"); do
    u=$(( (n % 5) + 1 ))
    printf 'load-pw-%s\n' "$u" | $VALGRIND "$PAM_APP" --confdir "$STACKS" --service good \
        --user "pjload$u" -- 'keyctl pipe %user:jenkins:token | wc -c' >"$WORK/login.$n" 2>&1 &
    pids="$pids $!"
done
failures=0
for p in $pids; do wait "$p" || failures=$((failures + 1)); done
is "$failures" 0 "$count concurrent logins: every lifecycle exited 0"
for f in $(grep -L '^close_session: PAM_SUCCESS' "$WORK"/login.*); do diag "$f:"; sed 's/^/#   /' "$f" | head -20; done
is "$(grep -l '^open_session: PAM_SUCCESS' "$WORK"/login.* | wc -l)" "$count" "every session opened"
is "$(grep -lx '34' "$WORK"/login.* | wc -l)" "$count" "every session read its 34-character token"
is "$(double_query "$J_URL" 'len(set(t["uuid"] for t in toks))')" "$count" "$count distinct tokens were minted"
is "$(double_query "$J_URL" 'len([t for t in toks if t["status"] != "revoked"])')" 0 "all of them are revoked: zero live"
is "$(ls "$WORK/journal" | wc -l)" 0 "the journal is empty"
# Concurrent logins of one user must not share (and so overwrite or revoke)
# one another's handoff key, and none may outlive its login.
is "$(live_handoff_keys pjload)" 0 "no handoff key is left behind in root's keyring"
valgrind_clean
