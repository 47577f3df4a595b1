#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Secrets in memory.  The tests' PAM application runs a login, pauses after
# pam_end (with its own copy of the password wiped, as sshd and login wipe
# theirs), and root reads every mapping of it (tests/memscan.py, through
# /proc/PID/mem) for the password, its Basic-auth form base64(user:password)
# and the session's token: what the module, libcurl and libpam left behind
# in freed memory is what a core dump, a swap file or the next allocation
# would reveal.  Each hit is named with its mapping.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_double J
U=pjmem
# Fresh each run, so that no copy from an earlier run can be found; with a
# space and a non-ASCII letter, as people's passwords have.
PW="mem pw ü $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
test_users "$J_URL" "$U" "$PW"
STACKS=$WORK/pam.d
write_stack "$STACKS" good "$J_URL"
SHARED=$WORK/shared; mkdir -p "$SHARED"; chmod 1777 "$SHARED"
CANARY="canary-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
hexof() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
# A block freed unwiped loses its first 16 bytes to malloc's free-list
# pointers (glibc's tcache and fastbins), and only those: so each secret is
# also searched from its 17th byte on.
tailof() { printf '%s' "$1" | tail -c +17 | od -An -tx1 -v | tr -d ' \n'; }
b64of() { printf '%s' "$1" | base64 -w0; }

# scan NAME PASSWORD [pam-app options] [-- COMMAND]: one pam-app run, paused
# after pam_end (or where $PAUSE says: --hold-file pauses in the session)
# and searched; the hits go to $WORK/NAME.scan.
scan() {
    local name=$1 pw=$2 hold=$WORK/hold.$1 pid tok
    shift 2
    touch "$hold"
    printf '%s\n' "$pw" | PJ_MEMSCAN_CANARY=$CANARY "$PAM_APP" --confdir "$STACKS" \
        --service good --user "$U" "${PAUSE:---hold-after-end}" "$hold" "$@" >"$WORK/$name.out" 2>&1 &
    pid=$!
    wait_held "$WORK/$name.out"
    {
        echo "canary $(hexof "$CANARY")"
        echo "password $(hexof "$pw")"
        echo "password-tail $(tailof "$pw")"
        echo "basic-password $(hexof "$(b64of "$U:$pw")")"
        echo "basic-password-tail $(tailof "$(b64of "$U:$pw")")"
        for tok in $(cat "$SHARED/token" 2>/dev/null); do
            echo "token $(hexof "$tok")"
            echo "token-tail $(tailof "$tok")"
            echo "basic-token $(hexof "$(b64of "$U:$tok")")"
            echo "basic-token-tail $(tailof "$(b64of "$U:$tok")")"
        done
    } | python3 "$TESTS_DIR/memscan.py" "$pid" >"$WORK/$name.scan" 2>&1
    rm -f "$hold" "$SHARED/token"
    wait "$pid"
    sed -n 's/^hit /# left: /p' "$WORK/$name.scan"
}
# hits SCAN SECRET: how many places hold the secret, whole or from its 17th
# byte on (every whole copy holds its tail too: the tails are counted);
# where: in which mappings.
# pam-app's own copy, in its static buffer (the application's, like sshd's,
# which wipes it after authentication; pam-app at its end) is left out.
APP=$(readlink -f "$PAM_APP")
hits() { grep "^hit $2-tail " "$WORK/$1.scan" | grep -cvF " $APP "; }
where() { sed -n "s/^hit $2-tail \([^ ]*\) .*/\1/p" "$WORK/$1.scan" | grep -vxF "$APP" | sort | uniq -c | tr '\n' ';'; }

# --- a whole login: auth, session, a command, logout --------------------------------------
scan login "$PW" -- "keyctl pipe %user:jenkins:token >$SHARED/token; echo >>$SHARED/token"
like "$(cat "$WORK/login.out")" "^close_session: PAM_SUCCESS" "login: the session opened and closed"
[ -s "$WORK/login.scan" ] && grep -q '^scanned [1-9][0-9]* mappings' "$WORK/login.scan"
ok $? "login: root read the paused process's memory ($(tail -1 "$WORK/login.scan"))"
like "$(grep '^hit canary ' "$WORK/login.scan")" "\[stack\]" "login: the scan finds a canary in the process's environment"
is "$(hits login password)" 0 "login: the password is nowhere in the process after pam_end $(where login password)"
is "$(hits login basic-password)" 0 "login: nor its Basic-auth form, base64(user:password) $(where login basic-password)"
is "$(hits login basic-token)" 0 "login: nor the token's Basic-auth form (the revoke at logout) $(where login basic-token)"
# The one copy the module cannot reach: OpenSSL keeps the last decrypted
# record of a connection (here the generateNewToken reply) in its read
# buffer and frees it unwiped (SSL_free; SSL_OP_CLEANSE_PLAINTEXT would wipe
# it, and libcurl has no option for that).  The token is revoked by then.
[ "$(hits login token)" -le 1 ]
ok $? "login: of the revoked token at most OpenSSL's last TLS record is left $(where login token)"

# --- during the session: the password's work ended with the mint ----------------------------
# An sshd session's monitor process lives as long as the session: whatever
# it keeps is in every core dump of it for hours.
PAUSE=--hold-file scan session "$PW" -- true
like "$(cat "$WORK/session.out")" "^open_session: PAM_SUCCESS" "in the session: it opened"
is "$(hits session password)" 0 "in the session: the password is nowhere in the process $(where session password)"
is "$(hits session basic-password)" 0 "in the session: nor its Basic-auth form $(where session basic-password)"

# --- authentication without a session: sudo, a screen locker ------------------------------
scan authonly "$PW" --no-session
like "$(cat "$WORK/authonly.out")" "^authenticate: PAM_SUCCESS" "auth only: authenticated"
is "$(hits authonly password)" 0 "auth only: the password is nowhere after pam_end $(where authonly password)"
is "$(hits authonly basic-password)" 0 "auth only: nor its Basic-auth form $(where authonly basic-password)"

# --- a mistyped password is a password too ------------------------------------------------
WRONG="${PW}x"
scan wrong "$WRONG"
like "$(cat "$WORK/wrong.out")" "^authenticate: PAM_AUTH_ERR" "wrong password: refused"
is "$(hits wrong password)" 0 "wrong password: nowhere after pam_end $(where wrong password)"
is "$(hits wrong basic-password)" 0 "wrong password: nor its Basic-auth form $(where wrong basic-password)"

# --- after pam_unix, with use_first_pass: libpam's PAM_AUTHTOK ------------------------------
write_stack "$STACKS" firstpass "$J_URL"
sed -i -e '1i auth     optional pam_unix.so' -e 's/^auth     required .*/& use_first_pass/' "$STACKS/firstpass"
scan firstpass "$PW" --service firstpass -- true
like "$(cat "$WORK/firstpass.out")" "^open_session: PAM_SUCCESS" "pam_unix then use_first_pass: the session opened"
is "$(hits firstpass password)" 0 "pam_unix then use_first_pass: the password is nowhere after pam_end $(where firstpass password)"
is "$(hits firstpass basic-password)" 0 "pam_unix then use_first_pass: nor its Basic-auth form $(where firstpass basic-password)"

# --- a long passphrase ------------------------------------------------------------------------
# A short password's buffers sit in malloc's busiest size classes, where
# the next allocations (libcurl's) soon overwrite a block freed unwiped: a
# 300-byte passphrase's land in classes nothing else uses, and stay.
LONG="long pass phrase $(od -An -N150 -tx1 /dev/urandom | tr -d ' \n')"
double "$J_URL" users "{\"$U\": {\"password\": \"$LONG\"}}" >/dev/null
scan long "$LONG" -- true
like "$(cat "$WORK/long.out")" "^close_session: PAM_SUCCESS" "a 317-byte passphrase: the session opened and closed"
is "$(hits long password)" 0 "a 317-byte passphrase: nowhere after pam_end $(where long password)"
is "$(hits long basic-password)" 0 "a 317-byte passphrase: nor its Basic-auth form $(where long basic-password)"
