#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The log line fail2ban reads: the module's real authentication failures,
# from a wrong password through real libpam (tests/pam-app) and through a
# real sshd, collected by the suite's own syslog, are fed to Debian's real
# fail2ban-regex with its shipped pam-generic filter and __pam_auth set to
# pam_jenkins, which must find each failure with the right host and user,
# and must not find a controller that could not be asked (an outage must
# not get a fleet's users banned).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"
need_root
command -v fail2ban-regex >/dev/null || { echo "1..0 # SKIP fail2ban-regex missing (scripts/install-deps)"; trap - EXIT; exit 0; }
command -v sshpass >/dev/null && [ -x /usr/sbin/sshd ] || { echo "1..0 # SKIP sshd or sshpass missing (scripts/install-deps)"; trap - EXIT; exit 0; }

start_syslog
[ -n "$SYSLOG" ] || { echo "Bail out! no private syslog to read the lines from"; exit 1; }
start_double J
test_users "$J_URL" pjdeplog "log pw"
STACKS=$WORK/pam.d
write_stack "$STACKS" pjdep-logs "$J_URL"
# A controller nobody answers for: a port nobody listens on.
write_stack "$STACKS" pjdep-down "https://127.0.0.1:$(free_port)"

# --- failures through libpam -------------------------------------------------------------------
out=$(printf 'not the pw\n' | "$PAM_APP" --confdir "$STACKS" --service pjdep-logs --user pjdeplog \
      --rhost 198.51.100.23 --tty pts/4)
like "$out" "^authenticate: PAM_AUTH_ERR" "pam-app: a wrong password is refused"
out=$(printf 'log pw\n' | "$PAM_APP" --confdir "$STACKS" --service pjdep-logs --user pjdeplog \
      --rhost 198.51.100.24 -- true)
like "$out" "^close_session: PAM_SUCCESS" "pam-app: the right password logs in (no failure to log)"
out=$(printf 'log pw\n' | "$PAM_APP" --confdir "$STACKS" --service pjdep-down --user pjdeplog \
      --rhost 203.0.113.9)
like "$out" "^authenticate: PAM_AUTHINFO_UNAVAIL" "pam-app: an unreachable controller is PAM_AUTHINFO_UNAVAIL"

# --- a failure through a real sshd -------------------------------------------------------------
SERVICE=pjdep-logs-sshd
cp "$STACKS/pjdep-logs" "/etc/pam.d/$SERVICE"
sshd_config_for "$WORK/sshd_config" "PasswordAuthentication yes" \
    "KbdInteractiveAuthentication no" "PubkeyAuthentication no"
run_sshd "$SERVICE" "$WORK/sshd_config"
printf 'not the pw\n' >"$WORK/pw"
sshpass -f "$WORK/pw" ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o ConnectTimeout=10 -o PreferredAuthentications=password \
    -o NumberOfPasswordPrompts=1 -p "$PORT" pjdeplog@127.0.0.1 true >/dev/null 2>&1
ok $((! $?)) "sshd: a wrong password is refused"
sleep 0.3

# --- the lines, as a syslog daemon writes them to /var/log/auth.log --------------------------------
# The suite's sink (tests/syslog_sink.py) keeps what glibc's syslog() sends
# to /dev/log: "<PRI>Mmm dd hh:mm:ss tag[pid]: message", without the host
# name a syslog daemon adds (and, from sshd -E and pam-app, which do not
# call openlog(), a tag without the pid: the program's name).  auth.log has "Mmm dd hh:mm:ss host tag[pid]:
# message": drop the priority, put a host name after the time.
AUTHLOG=$WORK/auth.log
sed -E -n 's/^<[0-9]+>([A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}) /\1 buildhost /p' \
    "$SYSLOG" >"$AUTHLOG"
ours=$(grep -c 'pam_jenkins(' "$AUTHLOG")
[ "$ours" -ge 4 ]; ok $? "the module's lines are in auth.log form ($ours lines)"
like "$(grep 'pam_jenkins(pjdep-logs-sshd:auth)' "$AUTHLOG")" \
    "^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} buildhost [^ ]+: pam_jenkins\(pjdep-logs-sshd:auth\): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=127\.0\.0\.1  user=pjdeplog$" \
    "sshd's line is pam_unix's, word for word"
failures=$(grep -c 'pam_jenkins([^)]*): authentication failure;' "$AUTHLOG")
is "$failures" 2 "two authentication failures were logged (pam-app, sshd)"
outage=$(grep -c 'cannot check the password of pjdeplog' "$AUTHLOG")
is "$outage" 1 "the unreachable controller was logged once, in other words"

# --- fail2ban --------------------------------------------------------------------------------------
FILTER='pam-generic[__pam_auth="pam_jenkins"]'
report=$(fail2ban-regex "$AUTHLOG" "$FILTER" 2>&1)
like "$report" "^Lines: [0-9]+ lines, 0 ignored, 2 matched" "fail2ban-regex $FILTER: 2 lines matched"
found=$(fail2ban-regex -o '<ip> <F-USER>' "$AUTHLOG" "$FILTER" 2>&1)
is "$found" "198.51.100.23 pjdeplog
127.0.0.1 pjdeplog" "the failures, each with its host and user: pam-app's 198.51.100.23, sshd's 127.0.0.1"
unlike "$found" "203\.0\.113\.9" "the unreachable controller (rhost 203.0.113.9) is not a failure to ban"
grep 'cannot check the password' "$AUTHLOG" >"$WORK/outage.log"
like "$(fail2ban-regex "$WORK/outage.log" "$FILTER" 2>&1)" "^Lines: 1 lines, 0 ignored, 0 matched, 1 missed" \
    "fed alone, the outage line is missed"
unlike "$(fail2ban-regex -o '<ip>' "$AUTHLOG" "$FILTER" 2>&1)" "198\.51\.100\.24" \
    "the successful login is not matched either"
# The stock filter watches pam_unix: without __pam_auth our lines are not its.
like "$(fail2ban-regex "$AUTHLOG" pam-generic 2>&1)" "^Lines: [0-9]+ lines, 0 ignored, 0 matched" \
    "the filter without __pam_auth=pam_jenkins matches none (it must be set)"
[ "$_tap_failed" -eq 0 ] || sed 's/^/# auth.log: /' "$AUTHLOG" | head -40
