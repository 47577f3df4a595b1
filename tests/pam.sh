#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# pam_jenkins.so through real libpam and the real kernel keyring: the tests'
# PAM application (tests/pam-app) drives a stack with pam_keyinit and the
# built module against the Jenkins test double.
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

start_syslog
start_double J
ensure_user pjalice
ensure_user pjbob
double "$J_URL" users '{"pjalice": {"password": "alice pw:/;%ü"}, "pjbob": {"password": "bob-pw"}}' >/dev/null
APW='alice pw:/;%ü'
STACKS=$WORK/pam.d
write_stack "$STACKS" good "$J_URL" export_env
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
nreqs() { double_query "$J_URL" 'len(reqs)'; }
diag "the suite's session keyring: $(keyctl rdescribe @s 2>&1)"

# --- a good login --------------------------------------------------------------------
double "$J_URL" reset >/dev/null
inside='keyctl rdescribe %user:jenkins:token; echo "token-length=$(keyctl pipe %user:jenkins:token | wc -c)";
curl -sf --cacert '"$CA"' -u "pjalice:$(keyctl pipe %user:jenkins:token)" '"$J_URL"'/whoAmI/api/json; echo;
keyctl pipe %user:jenkins:meta; env | grep -E "^(JENKINS|PAM_JENKINS)" | sort; ls '"$WORK/journal"' 2>&1 | head -1
touch '"$SHARED"'/in-session; while [ -e '"$SHARED"'/hold-good ]; do sleep 0.05; done'
# The session waits for root to look into the journal while it is open.
touch "$SHARED/hold-good"
login pjalice "$APW" -- "$inside" >"$WORK/good.out" 2>&1 &
held=$!
for _ in $(seq 1 600); do [ -e "$SHARED/in-session" ] && break; sleep 0.05; done
journalled=$(ls "$WORK/journal")
rm -f "$SHARED/hold-good"; wait "$held"
out=$(cat "$WORK/good.out")
like "$out" "^authenticate: PAM_SUCCESS" "good password: authenticate succeeds"
like "$out" "^open_session: PAM_SUCCESS" "open_session succeeds"
uid=$(id -u pjalice)
like "$out" "^user;$uid;[0-9-]+;3b010000;jenkins:token" \
    "the token key is owned by the user with permissions 3b010000"
like "$out" "token-length=34" "keyctl pipe %user:jenkins:token gives the 34-character token"
like "$out" '"name":"pjalice"' "the token from the keyring works: whoAmI answers the user"
like "$out" "^token_uuid=[0-9a-f-]{36}" "the meta key carries the token uuid"
like "$out" "^token_name=pam_jenkins pjalice@[^ ]+ good pts/9 [0-9T:-]+Z #[0-9a-f]{8}$" "the token is named after the session, with a suffix of its own"
like "$out" "^JENKINS_URL=$J_URL/" "export_env: JENKINS_URL"
like "$out" "^JENKINS_USER_ID=pjalice" "export_env: JENKINS_USER_ID"
unlike "$out" "^(JENKINS_API_TOKEN|PAM_JENKINS_HANDOFF)=" "neither the token nor the handoff serial is in the environment"
like "$out" "^close_session: PAM_SUCCESS" "close_session succeeds"
is "$(double_query "$J_URL" '[t["status"] for t in toks if t["user"]=="pjalice"]')" "['revoked']" \
   "after close the double lists the token revoked"
is "$(double_query "$J_URL" '[(r["method"], r["path"].split("/")[-1]) for r in reqs], reqs[0]["conn"] == reqs[1]["conn"]')" \
   "[('GET', 'json'), ('POST', 'generateNewToken'), ('GET', 'json'), ('POST', 'revoke')] True" \
   "login: 2 requests on 1 connection (then the user's curl); logout: 1 request"
like "$out" "cannot open directory .*journal.: Permission denied" "the user cannot look into the journal"
uuid=$(sed -n 's/^token_uuid=//p' <<<"$out")
is "$journalled" "$uuid.token" "while the session was open the journal held the entry of its token ($uuid)"
is "$(ls "$WORK/journal" | wc -l)" "0" "the journal entry is gone after the revoke"
like "$out" "^prompts: 1$" "the password was asked once"
is "$(ring_handoff_keys pjalice)" 0 "no handoff key is left in the service's session keyring"
logged "pam_jenkins\(good:session\): token \"pam_jenkins pjalice@.*\" \([0-9a-f-]+\) minted for pjalice" "minting is logged with name and uuid"
logged "pam_jenkins\(good:session\): token [0-9a-f-]+ of pjalice revoked" "the revoke is logged"

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

# --- failures that must not mint --------------------------------------------------------------
before=$(double_query "$J_URL" 'len(toks)')
out=$(login pjalice wrong-password -- true)
like "$out" "^authenticate: PAM_AUTH_ERR" "wrong password: PAM_AUTH_ERR"
logged "pam_jenkins\(good:auth\): authentication failure; logname=[^ ]* uid=0 euid=0 tty=pts/9 ruser= rhost=192.0.2.7  user=pjalice$" \
    "wrong password: logged in pam_unix's format, the line fail2ban reads"
logged "password of pjalice refused: controller $J_URL: crumb: wrong user name or password for pjalice \(HTTP 401\)" \
    "wrong password: the log names the user and the controller"
not_logged "wrong-password|alice pw" "no log line holds a password"

out=$(login daemon whatever -- true)
like "$out" "^authenticate: PAM_USER_UNKNOWN" "uid below minimum_uid: PAM_USER_UNKNOWN"

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

out=$(login pjalice "" --no-auth -- 'keyctl pipe %user:jenkins:token >/dev/null 2>&1 && echo has-token || echo no-token')
like "$out" "^open_session: PAM_SUCCESS" "session without auth (cron, key-only ssh): the session opens"
like "$out" "^no-token" "and holds no token"

out=$(login pjalice "$APW" --session-user pjbob -- 'keyctl pipe %user:jenkins:token >/dev/null 2>&1 && echo has-token || echo no-token')
like "$out" "^no-token" "sudo-style user change between auth and session: no token installed"
logged "authenticated as pjalice but the session is for pjbob: no token installed" "the user change is logged"
is "$(double_query "$J_URL" 'len(toks)')" "$before" "none of these minted a token"

out=$(login pjalice "$APW" --open-twice -- true)
is "$(grep -c '^open_session: PAM_SUCCESS' <<<"$out")" 2 "opening twice in one handle succeeds twice"
is "$(double_query "$J_URL" 'len(toks)')" "$((before + 1))" "and mints once"
is "$(live_tokens "$J_URL")" 0 "no live token is left behind"

double "$J_URL" reset >/dev/null
out=$(login pjalice "$APW" --close-twice -- true)
is "$(grep -c '^close_session: PAM_SUCCESS' <<<"$out")" 2 "closing twice succeeds twice"
is "$(double_query "$J_URL" '[r["path"].split("/")[-1] for r in reqs if r["method"] == "POST"]')" \
   "['generateNewToken', 'revoke']" "and revokes once"

n=$(nreqs)
out=$(login pjalice "")
like "$out" "^authenticate: PAM_AUTH_ERR" "an empty password: PAM_AUTH_ERR"
out=$(login pjalice "$(head -c 600 /dev/zero | tr '\0' x)")
like "$out" "^authenticate: PAM_AUTH_ERR" "a 600-byte password: PAM_AUTH_ERR"
is "$(nreqs)" "$n" "neither was sent to the controller"
logged "password of pjalice refused: oversized password, not sent" "oversized passwords are refused before any request"

write_stack "$STACKS" retain "$J_URL" retain_after_close
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service retain --user pjalice -- true)
like "$out" "^close_session: PAM_SUCCESS" "retain_after_close: logout succeeds"
is "$(live_tokens "$J_URL")" 1 "retain_after_close: the token stays live on the controller"
is "$(ls "$WORK/journal" | wc -l)" 0 "retain_after_close: and leaves the journal"
logged "kept after logout \(retain_after_close\)" "retain_after_close: logged"
double "$J_URL" config '{"crumb_issuer": false}' >/dev/null
uuid=$(double_query "$J_URL" "[t['uuid'] for t in toks if t['status']=='live'][0]")
curl -sf --cacert "$CA" -u admin:admin-password -d "tokenUuid=$uuid" \
    "$J_URL/user/pjalice/descriptorByName/jenkins.security.ApiTokenProperty/revoke"
double "$J_URL" config '{"crumb_issuer": true}' >/dev/null

# --- use_first_pass after another module ------------------------------------------------------
cat >"$STACKS/firstpass" <<EOS
auth     optional pam_unix.so
auth     required $MODULE url=$J_URL ca_file=$CA journal_dir=$WORK/journal conf=$WORK/empty.conf use_first_pass
account  required pam_permit.so
session  optional pam_keyinit.so force revoke
session  required $MODULE url=$J_URL ca_file=$CA journal_dir=$WORK/journal conf=$WORK/empty.conf
EOS
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service firstpass --user pjalice -- 'keyctl pipe %user:jenkins:token | wc -c')
like "$out" "^authenticate: PAM_SUCCESS" "use_first_pass: the password pam_unix asked for is used"
like "$out" "^prompts: 1$" "use_first_pass: one prompt for both modules"
like "$out" "^34" "use_first_pass: the session holds the token"

# --- try_first_pass and force_first_pass -----------------------------------------------------------
# pam_unix fails for these users (no local password) but leaves what it
# asked for in PAM_AUTHTOK.
for mode in try_first_pass force_first_pass; do
    sed "s/use_first_pass/$mode/" "$STACKS/firstpass" >"$STACKS/$mode"
done
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service try_first_pass --user pjalice)
like "$out" "^authenticate: PAM_SUCCESS" "try_first_pass: the stored password is used"
like "$out" "^prompts: 1$" "try_first_pass: no second prompt when it is right"
sed -e 's/^auth     optional pam_unix.so$//' "$STACKS/force_first_pass" >"$STACKS/force_nothing"
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service force_nothing --user pjalice)
like "$out" "^authenticate: PAM_AUTH_ERR" "force_first_pass with no earlier password: PAM_AUTH_ERR"
like "$out" "^prompts: 0$" "force_first_pass: never prompts"

# --- key_timeout: the token leaves the keyring by itself -----------------------------------------
write_stack "$STACKS" shortkey "$J_URL" key_timeout=2
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service shortkey --user pjalice -- \
    'keyctl pipe %user:jenkins:token >/dev/null && echo readable; sleep 3
keyctl pipe %user:jenkins:token >/dev/null 2>&1 && echo still-readable || echo expired')
like "$out" "^readable$" "key_timeout = 2: the session reads its token at first"
like "$out" "^expired$" "and no more 3 s later"

# --- token names with form syntax ----------------------------------------------------------------
# '&', '+', '%' and '=' in the name (token_name is an admin's template) must
# reach the controller as they are, not cut the form apart.
printf 'token_name = a&b+c%%%%20d=e %%u\n' >"$WORK/formname.conf"
sed "s|conf=$WORK/empty.conf|conf=$WORK/formname.conf|" "$STACKS/good" >"$STACKS/formname"
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service formname --user pjalice -- true)
like "$out" "^open_session: PAM_SUCCESS" "a token name holding & + %20 =: the session gets its token"
like "$(double_query "$J_URL" '[t["name"] for t in toks][-1]')" '^a&b\+c%20d=e pjalice #[0-9a-f]{8}$' \
    "the controller lists the token under exactly that name"

# --- a stack without pam_keyinit ---------------------------------------------------------------
sed '/pam_keyinit/d' "$STACKS/good" >"$STACKS/nokeyinit"
before=$(double_query "$J_URL" 'len(toks)')
out=$(keyctl session - sh -c "printf '%s\n' '$APW' | '$PAM_APP' --confdir '$STACKS' --service nokeyinit --user pjalice -- true")
like "$out" "^open_session: PAM_SESSION_ERR" "no per-login keyring: PAM_SESSION_ERR"
logged "no token for pjalice: the session keyring .*pam_keyinit.so force revoke" "the log names the fix"
is "$(double_query "$J_URL" 'len(toks)')" "$before" "and nothing was minted"

# --- the controller ----------------------------------------------------------------------------
port=$(free_port)
write_stack "$STACKS" down "https://127.0.0.1:$port"
out=$(printf '%s\n' "$APW" | "$PAM_APP" --confdir "$STACKS" --service down --user pjalice)
like "$out" "^authenticate: PAM_AUTHINFO_UNAVAIL" "controller down: PAM_AUTHINFO_UNAVAIL"
double "$J_URL" config '{"faults": [{"mode": "slow", "delay": 8}]}' >/dev/null
t0=$(now_ms); out=$(login pjalice "$APW"); t1=$(now_ms)
double "$J_URL" config '{"faults": []}' >/dev/null
like "$out" "^authenticate: PAM_AUTHINFO_UNAVAIL" "slow controller: PAM_AUTHINFO_UNAVAIL"
[ $((t1 - t0)) -lt 4800 ]; ok $? "slow controller: the login gave up within timeout, 4 s ($((t1 - t0)) ms)"

double "$J_URL" config '{"faults": [{"mode": "slow", "delay": 8, "path": "/revoke"}]}' >/dev/null
before=$(live_tokens "$J_URL")
t0=$(now_ms); out=$(login pjalice "$APW" -- true); t1=$(now_ms)
double "$J_URL" config '{"faults": []}' >/dev/null
like "$out" "^close_session: PAM_SUCCESS" "controller stuck at logout: close_session still succeeds"
[ $((t1 - t0)) -lt 7000 ]; ok $? "and the logout is bounded by the timeout ($((t1 - t0)) ms)"
is "$(ls "$WORK/journal" | wc -l)" 1 "the journal keeps the unrevoked token for the sweep"
rm -f "$WORK"/journal/*.token
# The stuck revoke still lands on the double once its delay is over.
for _ in $(seq 1 100); do [ "$(live_tokens "$J_URL")" = 0 ] && break; sleep 0.1; done

# --- configuration -------------------------------------------------------------------------------
printf 'auth required %s conf=%s\n' "$MODULE" "$WORK/empty.conf" >"$STACKS/nourl"
out=$(login pjalice "$APW" --service nourl --no-session)
like "$out" "^authenticate: PAM_SERVICE_ERR" "no url configured: PAM_SERVICE_ERR"
logged "bad configuration: .*no url set" "the log says the url is missing"
printf 'auth required %s conf=%s url=http://jenkins.example.com/\n' "$MODULE" "$WORK/empty.conf" >"$STACKS/cleartext"
out=$(login pjalice "$APW" --service cleartext --no-session)
like "$out" "^authenticate: PAM_SERVICE_ERR" "plain http to another host: refused"
logged "password would travel in clear text" "the log says why"
printf 'url = %s\ntimeout = -3\n' "$J_URL" >"$WORK/negative.conf"
printf 'auth required %s conf=%s\n' "$MODULE" "$WORK/negative.conf" >"$STACKS/negative"
out=$(login pjalice "$APW" --service negative --no-session)
like "$out" "^authenticate: PAM_SERVICE_ERR" "a negative timeout: PAM_SERVICE_ERR"
logged "negative.conf:2: option timeout: -3 is outside 1..600" "the log names file, line and key"

# --- the same lifecycle under valgrind ----------------------------------------------------------
if command -v valgrind >/dev/null && [ "${PJ_SANITIZED:-0}" != 1 ]; then
    vlog=$WORK/vg.log
    out=$(printf '%s\n' "$APW" | valgrind -q --suppressions="$VALGRIND_SUPP" --leak-check=full --errors-for-leak-kinds=definite,indirect \
          --show-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$vlog" \
          "$PAM_APP" --confdir "$STACKS" --service good --user pjalice -- 'keyctl pipe %user:jenkins:token >/dev/null && echo ok-inside')
    is "$?" 0 "valgrind: the lifecycle exits 0"
    like "$out" "^ok-inside" "valgrind: the token was usable inside the session"
    is "$(cat "$vlog")" "" "valgrind: no errors, no leaks"
fi
is "$(live_tokens "$J_URL")" 0 "at the end no live token is left on the controller"
valgrind_clean
