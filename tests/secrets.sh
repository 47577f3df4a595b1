#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# A full sshd login and logout with debug on, then a search of everything
# observable for the password and the token: log lines, the session's
# environment, the argv of every process alive during the login, and every
# file written meanwhile outside the journal.  Expected hits: zero.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root
command -v sshpass >/dev/null && [ -x /usr/sbin/sshd ] || { echo "1..0 # SKIP sshd or sshpass missing"; trap - EXIT; exit 0; }

start_syslog
start_double J --verbose
PASSWORD="s3cret-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
test_users "$J_URL" pjalice "$PASSWORD"
TOOLDIR=$(dirname "$TOOL")
PRIV=$WORK/private; mkdir -p "$PRIV"; chmod 0700 "$PRIV"   # the test's own copies
SHARED=$WORK/shared; mkdir -p "$SHARED"; chmod 1777 "$SHARED"
SERVICE=pjtest-sshd   # in the suite's private /etc (tests/private-host)
mkdir -p "$WORK/journal"; chmod 0700 "$WORK/journal"
: >"$WORK/empty.conf"
args="url=$J_URL ca_file=$CA journal_dir=$WORK/journal conf=$WORK/empty.conf debug export_env"
printf 'auth required %s %s\naccount required pam_permit.so\nsession optional pam_keyinit.so force revoke\nsession required %s %s\n' \
    "$MODULE" "$args" "$MODULE" "$args" >/etc/pam.d/$SERVICE
sshd_config_for "$WORK/sshd_config" "PasswordAuthentication yes" \
    "KbdInteractiveAuthentication yes" "LogLevel DEBUG3"
touch "$WORK/marker"; sleep 1
run_sshd "$SERVICE" "$WORK/sshd_config"
printf '%s\n' "$PASSWORD" >"$PRIV/pw"

# Root watches every process's argv and environment while the logins run.
touch "$PRIV/scanning"
( while [ -e "$PRIV/scanning" ]; do
      for p in /proc/[0-9]*; do cat "$p/cmdline" "$p/environ" 2>/dev/null; echo; done | tr '\0' '\n' | sort -u
      sleep 0.02
  done >"$PRIV/scan" ) &
scanner=$!
for method in password keyboard-interactive; do
    sshpass -f "$PRIV/pw" ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o PubkeyAuthentication=no -o PreferredAuthentications=$method \
        -p "$PORT" pjalice@127.0.0.1 "
        $TOOLDIR/jenkins-token >>$SHARED/tokens
        cat /proc/self/environ /proc/\$PPID/environ 2>/dev/null | tr '\0' '\n' >$SHARED/environ.$method
        ps -eo args >$SHARED/ps.$method
        ps -eo pid= | while read p; do cat /proc/\$p/environ 2>/dev/null | tr '\0' '\n'; done >$SHARED/all-environ.$method" 2>&1
done
sleep 1
rm -f "$PRIV/scanning"; wait "$scanner"
ps -eo args >"$PRIV/ps-after"
mv "$SHARED/tokens" "$PRIV/tokens"
is "$(wc -l <"$PRIV/tokens")" 2 "two logins, two tokens seen inside the sessions"
is "$(double_query "$J_URL" 'len([t for t in toks if t["status"]=="revoked"])')" 2 "both revoked at logout"

secrets=$(printf '%s\n' "$PASSWORD"; cat "$PRIV/tokens")
hits() { # hits FILE... : lines holding a secret
    grep -F -f <(printf '%s\n' "$secrets") "$@" 2>/dev/null
}
# The search below must have something to search: the module's debug lines.
like "$(cat "$SYSLOG")" "pam_jenkins\(.*\): POST .*generateNewToken" "debug was on (the module logged its requests)"
is "$(hits "$SYSLOG")" "" "no syslog line holds the password or a token"
like "$(cat "$WORK/sshd.log")" "Accepted keyboard-interactive/pam for pjalice" "(sshd's DEBUG3 log has the logins in it)"
is "$(hits "$WORK/sshd.log")" "" "sshd's DEBUG3 log holds neither"
is "$(hits "$SHARED"/environ.*)" "" "the session's environment holds neither"
is "$(hits "$SHARED"/all-environ.*)" "" "no readable process environment holds either"
is "$(hits "$SHARED"/ps.* "$PRIV/ps-after")" "" "no process argv holds either"
[ "$(wc -l <"$PRIV/scan")" -gt 100 ]; ok $? "root sampled every process's argv and environment during the logins ($(wc -l <"$PRIV/scan") lines)"
is "$(hits "$PRIV/scan" | cut -c1-100)" "" "none of them ever held the password or a token"
# The double (--verbose) logs the request line and the body of each request
# the module sent: a secret in a URL or a form field would be there (the
# revoke names the token by its uuid, never by its value).
like "$(cat "$WORK/J.err")" "^double: POST [^ ]*/generateNewToken HTTP/1.1 body: newTokenName=" \
    "(the double logged the module's requests)"
like "$(cat "$WORK/J.err")" "^double: POST [^ ]*/revoke HTTP/1.1 body: tokenUuid=" "(the revokes too)"
is "$(hits "$WORK/J.err" "$WORK/J.out")" "" "no request line or body the module sent holds the password or a token"
files=$(find / -xdev \( -path /proc -o -path /sys -o -path "$WORK/journal" -o -path "$PRIV" \) -prune \
    -o -type f -newer "$WORK/marker" -size -2M -print 2>/dev/null)
is "$(hits $files | cut -c1-200)" "" "no file written during the logins, outside the journal, holds either ($(wc -w <<<"$files") files searched)"
