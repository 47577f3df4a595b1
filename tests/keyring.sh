#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# keyring = user, the desktop: the token lives in the user keyring, where a
# process of the user in a session keyring of its own (what systemd --user
# and D-Bus give a desktop's terminals) reads it; it is shared by the user's
# sessions on the host, minted by the first to open, revoked by the last to
# close, and revoked by the sweep once every session that held it is gone,
# however they ended.  Real libpam (tests/pam-app), real keyrings, the
# Jenkins test double.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_syslog
start_double J
test_users "$J_URL" pjkualice alice-pw pjkubob bob-pw
STACKS=$WORK/pam.d
write_stack "$STACKS" desktop "$J_URL" keyring=user
write_stack "$STACKS" login "$J_URL"
J=$WORK/journal
module_conf "$WORK/sweep.conf" "$J_URL"
uid=$(id -u pjkualice)
WHO="$J_URL/whoAmI/api/json"
JT="$VALGRIND $TOOL"
as_user() { setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; }
# outside USER SCRIPT: a process of USER in a new session keyring of its
# own, as systemd --user (or systemd-run --user) starts a desktop's programs.
# (keyctl's own "Joined session keyring" line is left out.)
outside() { as_user "$1" keyctl session - sh -c "exec 2>&1; $2" 2>/dev/null; }
# whoami USER: the token USER's process reads, used at the double.
whoami() { outside "$1" "$JT -f curl | curl -s --cacert $CA -K - $WHO; echo; $JT >/dev/null 2>&1; echo rc=\$?"; }
# hold NAME SERVICE [pam-app options]: a session of pjkualice that stays
# open until end NAME; its pam-app pid in held_NAME.
held_a="" held_b=""
hold() {
    local name=$1 service=$2
    shift 2
    touch "$WORK/hold.$name"
    : >"$WORK/$name.out" # not the last session's "holding"
    printf 'alice-pw\n' | $VALGRIND "$PAM_APP" --confdir "$STACKS" --service "$service" \
        --user pjkualice --hold-file "$WORK/hold.$name" "$@" >"$WORK/$name.out" 2>&1 &
    eval "held_$name=$!"
    at_exit "kill $! 2>/dev/null"
    wait_held "$WORK/$name.out"
}
end() { # end NAME: close the session, wait for its pam-app
    rm -f "$WORK/hold.$1"
    wait "$(eval echo "\$held_$1")" 2>/dev/null
}
generates() { double_query "$J_URL" "len([r for r in reqs if r['path'].endswith('/generateNewToken')])"; }
revokes() { double_query "$J_URL" "len([r for r in reqs if r['path'].endswith('/revoke')])"; }
entries() { find "$J" -maxdepth 1 -name '*.token' | wc -l; }
shared=$J/user-$uid-jenkins.token
holders() { sed -n 's/^holders=//p' "$shared" 2>/dev/null | tr ',' '\n' | grep -c .; }
sweep() { $VALGRIND "$TOOL" sweep --conf "$WORK/sweep.conf" 2>&1; }

# --- the option -------------------------------------------------------------------------------
write_stack "$STACKS" bogus "$J_URL" keyring=everywhere
out=$(printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service bogus --user pjkualice -- true)
like "$out" "^authenticate: PAM_SERVICE_ERR" "keyring = everywhere: a configuration error"
logged "bad configuration: module argument: option keyring: \"everywhere\" is not session or user" \
    "the log names the key and what it may be"

# --- keyring = session: a process outside the login finds nothing ------------------------------
double "$J_URL" reset >/dev/null
hold s login
like "$(cat "$WORK/s.out")" "^open_session: PAM_SUCCESS" "keyring = session: the session holds a token"
out=$(outside pjkualice "$JT; echo rc=\$?")
like "$out" "rc=1" "keyring = session: a process in a new session keyring finds no token (exit 1)"
end s

# --- keyring = user: the process systemd --user starts reads a working token ------------------------
double "$J_URL" reset >/dev/null
hold a desktop
like "$(cat "$WORK/a.out")" "^open_session: PAM_SUCCESS" "keyring = user: the session opens"
out=$(whoami pjkualice)
like "$out" '"name":"pjkualice"' "a process in a new session keyring reads the token, and it works (whoAmI)"
like "$out" "rc=0" "jenkins-token finds it without options (exit 0)"
out=$(outside pjkualice "keyctl rdescribe \$(keyctl search @u user jenkins:token)")
is "$out" "user;$uid;$(id -g pjkualice);3f0b0000;jenkins:token" \
    "the key is the user's, in the user keyring, possessor all + user view/read/search"
serial=$(outside pjkualice "keyctl search @u user jenkins:token")
mine=$(outside pjkualice "keyctl print $serial | wc -c")
theirs=$(as_user pjkubob keyctl print "$serial" 2>&1 | grep -o "Permission denied")
found=$(outside pjkubob "$JT >/dev/null 2>&1; echo \$?")
seen=$(as_user pjkubob cat /proc/keys | grep -cE " jenkins:(token|meta)")
is "$mine:$theirs:$found:$seen" "35:Permission denied:1:0" \
    "the user reads it by serial without possessing it; another user cannot read it, find it or see it"
uuid=$(double_query "$J_URL" "[t['uuid'] for t in toks if t['status'] == 'live'][0]")
status_of() { double_query "$J_URL" "[t['status'] for t in toks if t['uuid'] == '$1'][0]"; }
logged "pam_jenkins\(desktop:session\): token \"[^\"]*\" \([0-9a-f-]+\) minted for pjkualice" "the first session mints"

# --- two sessions share one token -----------------------------------------------------------------
hold b desktop
like "$(cat "$WORK/b.out")" "^open_session: PAM_SUCCESS" "a second session of the user opens"
is "$(generates)" 1 "and shares the token: the controller minted one"
is "$(live_tokens "$J_URL")" 1 "one live token"
is "$(entries):$(holders)" "1:2" "one journal entry, two holders"
logged "shared with this session; 2 sessions hold it" "the second session joins it (logged)"
hold c desktop --no-auth
like "$(cat "$WORK/c.out")" "^open_session: PAM_SUCCESS" "a session without a password (key-only ssh) opens"
is "$(generates):$(holders)" "1:3" "and joins without minting: three holders"
end a
is "$(status_of "$uuid")" live "the first session closed: its token stays live"
out=$(whoami pjkualice)
like "$out" '"name":"pjkualice"' "and still works for the user's other processes"
is "$(holders)" 2 "two holders left"
logged "stays in the user keyring: 2 other sessions hold it" "logged"
end c
before=$(outside pjkualice "$JT >/dev/null 2>&1; echo \$?")
end b
is "$(status_of "$uuid")" revoked "the last session closed: the token is revoked"
is "$(revokes)" 1 "with one request"
after=$(outside pjkualice "$JT >/dev/null 2>&1; echo \$?")
is "$before:$after" "0:1" "its keys stay in the user keyring until the last session closes"
is "$(entries)" 0 "and its journal entry goes"

# --- two logins at the same moment: one token (the entry's lock) ----------------------------------
double "$J_URL" reset >/dev/null
for name in p q; do
    touch "$WORK/hold.$name"; : >"$WORK/$name.out"
    printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service desktop --user pjkualice \
        --hold-file "$WORK/hold.$name" >"$WORK/$name.out" 2>&1 &
    eval "held_$name=$!"
    at_exit "kill $! 2>/dev/null"
done
for _ in $(seq 1 200); do
    [ "$(cat "$WORK/p.out" "$WORK/q.out" | grep -cE '^(holding|end:)')" = 2 ] && break
    sleep 0.05
done
is "$(grep -h '^open_session' "$WORK/p.out" "$WORK/q.out" | sort -u)" "open_session: PAM_SUCCESS" \
    "two sessions opened at once both succeed"
is "$(generates):$(holders)" "1:2" "and share one token"
end p
end q
is "$(live_tokens "$J_URL"):$(entries)" "0:0" "revoked when both have closed"

# --- a session without a password cannot mint -------------------------------------------------
double "$J_URL" reset >/dev/null
hold n desktop --no-auth
like "$(cat "$WORK/n.out")" "^open_session: PAM_SUCCESS" "no shared token and no password: the session opens"
is "$(generates)" 0 "without a token"
end n

# --- kill -9: the sweep revokes once every holder is gone ---------------------------------------
double "$J_URL" reset >/dev/null
hold a desktop
uuid=$(double_query "$J_URL" "[t['uuid'] for t in toks if t['status'] == 'live'][0]")
hold b desktop
is "$(generates):$(holders)" "1:2" "two sessions, one token"
kill -9 "$held_a"; wait "$held_a" 2>/dev/null
out=$(sweep)
like "$out" "0 revoked, .*1 sessions still open" "the minting session killed: the sweep leaves the token to the other"
is "$(status_of "$uuid")" live "it stays live"
kill -9 "$held_b"; wait "$held_b" 2>/dev/null
before=$(outside pjkualice "$JT >/dev/null 2>&1; echo \$?")
out=$(sweep)
like "$out" "1 revoked" "both killed: the sweep revokes it"
like "$out" "sweep: token $uuid of pjkualice on $J_URL \(user keyring\) revoked \(no session holds it\)" "and says so"
is "$(status_of "$uuid"):$(live_tokens "$J_URL")" "revoked:0" "nothing live is left"
is "$(entries)" 0 "the journal is empty"
after=$(outside pjkualice "$JT >/dev/null 2>&1; echo \$?")
is "$before:$after" "0:1" "the keys outlived the killed sessions until the sweep removed them"

# --- revoked by hand: the next session mints a new one ------------------------------------------
double "$J_URL" reset >/dev/null
hold a desktop
revoked=$(outside pjkualice "$JT revoke >/dev/null 2>&1; echo \$?")
left=$(outside pjkualice "$JT >/dev/null 2>&1; echo \$?")
is "$revoked:$left" "0:1" "jenkins-token revoke in a desktop terminal revokes it and removes its keys"
hold b desktop
is "$(generates)" 2 "the next session mints a new token"
out=$(whoami pjkualice)
like "$out" '"name":"pjkualice"' "which the user's processes read, and which works"
is "$(holders)" 2 "and which both sessions hold"
end a
out=$(whoami pjkualice)
like "$out" '"name":"pjkualice"' "the older session closed: the new token stays"
end b
is "$(live_tokens "$J_URL"):$(entries)" "0:0" "the last closed: nothing live, nothing journalled"

valgrind_clean
