#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# A 2FA jump box: a real sshd with conf/jumpbox-sshd_config (an ssh key,
# then keyboard-interactive) and conf/jumpbox-sshd.pam verbatim (the Jenkins
# password through pam_jenkins, then a TOTP code through Debian's pam_oath),
# a real ssh client answering both prompts on a terminal, codes from
# oathtool.  A right password and code: a token; a wrong code after a right
# password: nothing minted, nothing left; ssh -N: what it costs, and the
# members of jenkins-hop who skip it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"
need_root
need_etc_conf
have_pexpect || { echo "1..0 # SKIP python3-pexpect missing (scripts/install-deps)"; trap - EXIT; exit 0; }
if ! [ -x /usr/sbin/sshd ] || ! command -v oathtool >/dev/null || ! ls /lib/*/security/pam_oath.so /usr/lib/*/security/pam_oath.so >/dev/null 2>&1; then
    echo "1..0 # SKIP sshd, oathtool or libpam-oath missing (scripts/install-deps)"; trap - EXIT; exit 0
fi

start_syslog
start_double J
test_users "$J_URL" pjdepjump "jump pw" pjdephop "hop pw"
groupadd jenkins-hop
usermod -a -G jenkins-hop pjdephop
module_conf /etc/security/pam_jenkins.conf "$J_URL"
SERVICE=pjdep-jump
install_stack jumpbox-sshd.pam "$SERVICE"

# Each user's TOTP secret (hex), in the users file the stack names.
JUMP_KEY=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
HOP_KEY=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
printf 'HOTP/T30 pjdepjump - %s\nHOTP/T30 pjdephop - %s\n' "$JUMP_KEY" "$HOP_KEY" >/etc/users.oath
chmod 0600 /etc/users.oath
# code SECRET [SECONDS-AHEAD]: the code of the time step that far ahead.  pam_oath
# takes each step once (a replayed code is refused), and up to 3 steps ahead
# (window=3): each login of one user here uses the next step.
code() { oathtool --totp -N "now + ${2:-0} seconds" "$1"; }
secret() { printf '%s\n' "$2" >"$WORK/$1"; chmod 0600 "$WORK/$1"; }
secret jump.pw "jump pw"
secret hop.pw "hop pw"
secret wrong.pw "not the pw"

ssh-keygen -q -t ed25519 -N '' -f "$WORK/client_key"
mkdir -p "$WORK/authorized_keys"
for u in pjdepjump pjdephop; do cp "$WORK/client_key.pub" "$WORK/authorized_keys/$u"; done
chmod 0755 "$WORK/authorized_keys"; chmod 0644 "$WORK/authorized_keys"/*
sshd_config_for "$WORK/sshd_config" "AuthorizedKeysFile $WORK/authorized_keys/%u" \
    "StrictModes no" "LogLevel VERBOSE"
cat "$top_srcdir/conf/jumpbox-sshd_config" >>"$WORK/sshd_config"
run_sshd "$SERVICE" "$WORK/sshd_config"

SSH="ssh -tt -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
     -o ConnectTimeout=10 -o NumberOfPasswordPrompts=1 -o IdentitiesOnly=yes -p $PORT"
INSIDE="$TOOL status; $TOOL -f curl | curl -s --cacert $CA -K - $J_URL/whoAmI/api/json; echo; echo END-\$((40+2))"
# What the module asked the controller (not the session's own whoAmI).
requests() { double_query "$J_URL" "[r['path'].split('/')[-1] for r in reqs if 'whoAmI' not in r['path']]"; }

# --- key, password, code: a token ------------------------------------------------------------------
double "$J_URL" reset >/dev/null
secret jump.otp "$(code "$JUMP_KEY")"
# shellcheck disable=SC2086
out=$($DIALOG 'expect:Password: ' "sendfile:$WORK/jump.pw" 'expect:One-time password \(OATH\)' \
      "sendfile:$WORK/jump.otp" expect:END-42 -- $SSH -i "$WORK/client_key" pjdepjump@127.0.0.1 "$INSIDE" 2>&1)
like "$out" "END-42" "key, Jenkins password and TOTP code: logged in"
like "$out" "^controller: +$J_URL" "the session holds a token (jenkins-token status)"
like "$out" '"name":"pjdepjump"' "which works at the controller"
wait_live "$J_URL" pjdepjump 0; ok $? "logout: the token is revoked"
is "$(requests)" "['json', 'generateNewToken', 'revoke']" \
   "the login cost the crumb and the mint (handed from sshd's auth child), the logout the revoke"
is "$(journal_entries):$(live_handoff_keys pjdepjump)" "0:0" "no journal entry, no handoff key left"

# --- a right password, a wrong code -------------------------------------------------------------------
double "$J_URL" reset >/dev/null
bad=$(code "$JUMP_KEY" 30)
secret bad.otp "$(printf '%06d' $(( (10#$bad + 1) % 1000000 )))"
# shellcheck disable=SC2086
out=$($DIALOG 'expect:Password: ' "sendfile:$WORK/jump.pw" 'expect:One-time password \(OATH\)' \
      "sendfile:$WORK/bad.otp" -- $SSH -i "$WORK/client_key" pjdepjump@127.0.0.1 "echo END-\$((40+2))" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && ! grep -q END-42 <<<"$out"; ok $? "a wrong code after the right password: refused"
is "$(requests)" "['json']" "the password was checked, nothing was minted"
is "$(generates "$J_URL"):$(live_tokens "$J_URL"):$(journal_entries)" "0:0:0" "no token, no journal entry"
is "$(live_handoff_keys pjdepjump)" 0 "no handoff key left (the password is in none)"

# --- a wrong password: the code is never asked for ---------------------------------------------------
double "$J_URL" reset >/dev/null
# shellcheck disable=SC2086
out=$($DIALOG 'expect:Password: ' "sendfile:$WORK/wrong.pw" -- $SSH -i "$WORK/client_key" pjdepjump@127.0.0.1 true 2>&1)
unlike "$out" "One-time password" "a wrong password: refused before the code prompt (requisite)"
is "$(generates "$J_URL"):$(live_handoff_keys pjdepjump)" "0:0" "nothing minted, nothing left"

# --- no key: nothing reaches the controller --------------------------------------------------------
double "$J_URL" reset >/dev/null
# shellcheck disable=SC2086
out=$($DIALOG -- $SSH -o PubkeyAuthentication=no pjdepjump@127.0.0.1 true 2>&1)
like "$out" "Permission denied" "without the ssh key: refused"
is "$(requests)" "[]" "and the controller was never asked"

# --- ssh -N (a hop, as ProxyJump makes): a mint and a revoke per connection -------------------------
double "$J_URL" reset >/dev/null
secret jump.otp "$(code "$JUMP_KEY" 30)"
# shellcheck disable=SC2086
$DIALOG 'expect:Password: ' "sendfile:$WORK/jump.pw" 'expect:One-time password \(OATH\)' \
    "sendfile:$WORK/jump.otp" sleep:3 hangup -- $SSH -N -i "$WORK/client_key" pjdepjump@127.0.0.1 >"$WORK/n.out" 2>&1 &
dialog=$!
for _ in $(seq 1 100); do [ "$(generates "$J_URL")" = 1 ] && break; sleep 0.1; done
is "$(live_tokens "$J_URL" pjdepjump)" 1 "ssh -N, no shell: the connection still holds a token"
wait "$dialog"
wait_live "$J_URL" pjdepjump 0; ok $? "revoked when the connection closes"
is "$(requests)" "['json', 'generateNewToken', 'revoke']" "it cost the controller 3 requests: crumb, mint, revoke"
double "$J_URL" reset >/dev/null
secret hop.otp "$(code "$HOP_KEY")"
# shellcheck disable=SC2086
$DIALOG 'expect:Password: ' "sendfile:$WORK/hop.pw" 'expect:One-time password \(OATH\)' \
    "sendfile:$WORK/hop.otp" sleep:3 hangup -- $SSH -N -i "$WORK/client_key" pjdephop@127.0.0.1 >"$WORK/hop.out" 2>&1
like "$(grep -c 'Accepted keyboard-interactive/pam for pjdephop' "$WORK/sshd.log")" "^1$" \
    "a member of jenkins-hop hops on with key, password and code"
is "$(requests)" "['json']" "the stack's pam_succeed_if skips the token: 1 request, the password check"
[ "$_tap_failed" -eq 0 ] || tail -30 "$WORK/sshd.log" | sed 's/^/# sshd: /'
