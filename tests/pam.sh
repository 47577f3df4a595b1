#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# pam_jenkins.so through real libpam and the real kernel keyring: the tests'
# PAM application (tests/pam-app) drives a stack with pam_keyinit and the
# built module against the Jenkins test double.  What this suite proves is
# what only a real keyring shows (who may read the token, handoff keys,
# key_timeout, journal entries while a session is open); the option x PAM
# code x log line matrix is in tests/scenarios/, run by tests/scenarios.sh.
#
# As under systemd (KeyringMode=private), the whole suite runs in one
# long-lived session keyring, which every login it starts shares: a key
# the module forgets outlives the login that made it, as it would in a
# display manager's or sshd's service keyring.  (Started without one, each
# pam-app would get a private keyring from the kernel that dies with it,
# and take a forgotten key along.)
# (keyctl's "Joined session keyring" goes to /dev/null, the suite's stderr
# comes back as fd 3.)
if [ "${PJ_SERVICE_KEYRING:-}" != 1 ]; then
    PJ_SERVICE_KEYRING=1 exec keyctl session - "$BASH" -c 'exec 2>&3 3>&-; exec "$BASH" "$0" "$@"' \
        "$0" "$@" 3>&2 2>/dev/null
fi
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_double J
ensure_user pjalice
ensure_user pjbob
double "$J_URL" users '{"pjalice": {"password": "alice pw:/;%ü"}, "pjbob": {"password": "bob-pw"}}' >/dev/null
APW='alice pw:/;%ü'
STACKS=$WORK/pam.d
write_stack "$STACKS" good "$J_URL"
login() { # login USER PASSWORD [pam-app options] [-- command]
    local user=$1 pw=$2
    shift 2
    printf '%s\n' "$pw" | $VALGRIND "$PAM_APP" --confdir "$STACKS" --service good --user "$user" "$@"
}
as_user() { setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; }
SHARED=$WORK/shared; mkdir -p "$SHARED"; chmod 1777 "$SHARED"
# ring_handoff_keys USER: handoff keys for USER, not revoked, in the suite's
# session keyring (the service's): only this suite's logins put keys there.
ring_handoff_keys() {
    local k n=0
    for k in $(keyctl rlist @s 2>/dev/null); do
        keyctl rdescribe "$k" 2>/dev/null | grep -q "^user;0;0;[0-9a-f]*;pam_jenkins:handoff:[^:]*:$1:" && n=$((n + 1))
    done
    echo "$n"
}
diag "the suite's session keyring: $(keyctl rdescribe @s 2>&1)"

# --- a good login --------------------------------------------------------------------
double "$J_URL" reset >/dev/null
inside='keyctl rdescribe %user:jenkins:token; echo "token-length=$(keyctl pipe %user:jenkins:token | wc -c)";
curl -sf --cacert '"$CA"' -u "pjalice:$(keyctl pipe %user:jenkins:token)" '"$J_URL"'/whoAmI/api/json; echo;
keyctl pipe %user:jenkins:meta; ls '"$WORK/journal"' 2>&1 | head -1
touch '"$SHARED"'/in-session; while [ -e '"$SHARED"'/hold-good ]; do sleep 0.05; done'
# The session waits for root to look into the journal while it is open.
touch "$SHARED/hold-good"
login pjalice "$APW" -- "$inside" >"$WORK/good.out" 2>&1 &
held=$!
for _ in $(seq 1 600); do [ -e "$SHARED/in-session" ] && break; sleep 0.05; done
journalled=$(ls "$WORK/journal")
rm -f "$SHARED/hold-good"; wait "$held"
out=$(cat "$WORK/good.out")
uid=$(id -u pjalice)
like "$out" "^user;$uid;[0-9-]+;3b010000;jenkins:token" \
    "the token key is owned by the user with permissions 3b010000"
like "$out" "token-length=34" "keyctl pipe %user:jenkins:token gives the 34-character token"
like "$out" '"name":"pjalice"' "the token from the keyring works: whoAmI answers the user"
like "$out" "^token_uuid=[0-9a-f-]{36}" "the meta key carries the token uuid"
like "$out" "^token_name=pam_jenkins pjalice@[^ ]+ good pts/9 [0-9T:-]+Z #[0-9a-f]{8}$" "the token is named after the session, with a suffix of its own"
is "$(double_query "$J_URL" '[(r["method"], r["path"].split("/")[-1]) for r in reqs], reqs[0]["conn"] == reqs[1]["conn"]')" \
   "[('GET', 'json'), ('POST', 'generateNewToken'), ('GET', 'json'), ('POST', 'revoke')] True" \
   "login: 2 requests on 1 connection (then the user's curl); logout: 1 request"
like "$out" "cannot open directory .*journal.: Permission denied" "the user cannot look into the journal"
uuid=$(sed -n 's/^token_uuid=//p' <<<"$out")
is "$journalled" "$uuid.token" "while the session was open the journal held the entry of its token ($uuid)"
is "$(ls "$WORK/journal" | wc -l)" "0" "the journal entry is gone after the revoke"
is "$(ring_handoff_keys pjalice)" 0 "no handoff key is left in the service's session keyring"

# --- the keys are private to the session -------------------------------------------------
hold=$WORK/hold; touch "$hold"
login pjalice "$APW" --hold-file "$hold" -- 'keyctl search @s user jenkins:token; keyctl pipe %user:jenkins:token >/dev/null && echo readable' >"$WORK/held.out" &
held=$!
for _ in $(seq 1 600); do grep -q holding "$WORK/held.out" 2>/dev/null && break; sleep 0.05; done
serial=$(sed -n '/^[0-9][0-9]*$/p' "$WORK/held.out" | head -1)
like "$(cat "$WORK/held.out")" "^readable" "inside its session the user reads the token"
out=$(as_user pjalice keyctl print "$serial" 2>&1)
like "$out" "Permission denied" "another process of the same user, outside the session: permission denied"
out=$(as_user pjbob keyctl print "$serial" 2>&1)
like "$out" "Permission denied" "another user: permission denied"
j=$(ls "$WORK/journal")
like "$j" "^[0-9a-f-]{36}\.token$" "while the session is open the journal holds its entry"
is "$(stat -c %a "$WORK/journal/$j")" 600 "the journal entry is mode 0600"
rm -f "$hold"; wait "$held"
out=""; for _ in $(seq 1 40); do out=$(as_user pjalice keyctl describe "$serial" 2>&1) || break; sleep 0.05; done
like "$out" "Required key not available|Key has been revoked" "after logout the key is gone"

# --- the handoff key between auth and session ----------------------------------------------
# (the PAM codes and log lines of refused logins: tests/scenarios/auth)
# Between auth and session the handoff key waits in the service's keyring
# (sshd's keyboard-interactive child hands it over so).
touch "$WORK/hold-auth"
login pjalice "$APW" --no-session --hold-after-auth "$WORK/hold-auth" >"$WORK/auth.out" 2>&1 &
held=$!
for _ in $(seq 1 600); do grep -q '^holding' "$WORK/auth.out" && break; sleep 0.05; done
is "$(ring_handoff_keys pjalice)" 1 "after auth the handoff key is in the service's session keyring"
rm -f "$WORK/hold-auth"; wait "$held"
like "$(cat "$WORK/auth.out")" "^authenticate: PAM_SUCCESS" "auth without a session (sudo, screen locker): authenticated"
is "$(ring_handoff_keys pjalice)" 0 "and the handoff key is gone from the service's keyring at pam_end"
is "$(live_handoff_keys pjalice)" 0 "and from every keyring"
# A login that dies between auth and session (kill -9, sshd's LoginGraceTime)
# never reaches pam_end: its key, password inside, must go by itself.
touch "$WORK/hold-killed"
"$PAM_APP" --confdir "$STACKS" --service good --user pjalice --no-session \
    --hold-after-auth "$WORK/hold-killed" <<<"$APW" >"$WORK/killed.out" 2>&1 &
held=$! # pam-app itself
for _ in $(seq 1 600); do grep -q '^holding' "$WORK/killed.out" && break; sleep 0.05; done
kill -9 "$held"; wait "$held" 2>/dev/null
rm -f "$WORK/hold-killed"
left=""
for k in $(keyctl rlist @s 2>/dev/null); do
    keyctl rdescribe "$k" 2>/dev/null | grep -q ";pam_jenkins:handoff:[^:]*:pjalice:" && left=$k
done
expiry=$(awk -v k="$(printf '%08x' "${left:-0}")" '$1 == k { print $4 }' /proc/keys)
# /proc/keys gives what is left as Ns, Nm, Nh... or "perm": never.
secs=$(sed -E 's/^([0-9]+)s$/\1/; s/^([0-9]+)m$/\1*60/' <<<"$expiry")
[ -n "$left" ] && [[ $expiry =~ ^[0-9]+[sm]$ ]] && [ $((secs)) -le 120 ]
ok $? "a login killed after auth leaves its handoff key to expire within 2 minutes (expires in: ${expiry:-no key})"
[ -n "$left" ] && keyctl revoke "$left"

# --- key_timeout: the token leaves the keyring by itself -----------------------------------------
write_stack "$STACKS" shortkey "$J_URL" key_timeout=2
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service shortkey --user pjalice -- \
    'keyctl pipe %user:jenkins:token >/dev/null && echo readable; sleep 3
keyctl pipe %user:jenkins:token >/dev/null 2>&1 && echo still-readable || echo expired')
like "$out" "^readable$" "key_timeout = 2: the session reads its token at first"
like "$out" "^expired$" "and no more 3 s later"

# --- the same lifecycle under valgrind ----------------------------------------------------------
if command -v valgrind >/dev/null && [ "${PJ_SANITIZED:-0}" != 1 ]; then
    vlog=$WORK/vg.log
    # valgrind slows the TLS handshake many times over: a loaded machine
    # needs more than the suite's 4 s (this checks memory, not deadlines).
    write_stack "$STACKS" vgood "$J_URL" connect_timeout=30 timeout=60
    out=$(printf '%s\n' "$APW" | valgrind -q --suppressions="$VALGRIND_SUPP" --leak-check=full --errors-for-leak-kinds=definite,indirect \
          --show-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$vlog" \
          "$PAM_APP" --confdir "$STACKS" --service vgood --user pjalice -- 'keyctl pipe %user:jenkins:token >/dev/null && echo ok-inside')
    is "$?" 0 "valgrind: the lifecycle exits 0"
    like "$out" "^ok-inside" "valgrind: the token was usable inside the session"
    is "$(cat "$vlog")" "" "valgrind: no errors, no leaks"
fi
is "$(live_tokens "$J_URL")" 0 "at the end no live token is left on the controller"
valgrind_clean
