#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The console, su and sudo, through the stacks in conf/ (login.pam, su.pam,
# sudo.pam) installed verbatim, with the real programs on a pseudo-terminal
# and the password typed at their prompts (tests/tty_dialog.py):
#   - login(1): a token for the session, seen and used inside it, revoked
#     at logout;
#   - "su - alice" run by another user who types alice's password: a token
#     for alice for as long as that shell lives; root's su: none;
#   - sudo: the password is checked with the controller, and nothing is
#     left: no token, no key, no journal entry, no handoff key.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"
need_root
need_etc_conf
have_pexpect || { echo "1..0 # SKIP python3-pexpect missing (scripts/install-deps)"; trap - EXIT; exit 0; }
[ -x /bin/login ] && command -v su >/dev/null && command -v sudo >/dev/null ||
    { echo "1..0 # SKIP login, su or sudo missing (scripts/install-deps)"; trap - EXIT; exit 0; }

start_syslog
start_double J
accounts "$J_URL" pjdepalice "alice console pw" pjdepbob "bob console pw"
module_conf /etc/security/pam_jenkins.conf "$J_URL"
install_stack login.pam login
install_stack su.pam su
install_stack sudo.pam sudo
printf 'alice console pw\n' >"$WORK/alice.pw"
chmod 0600 "$WORK/alice.pw"
PROMPT='expect:[$#] $'
# What the user runs in the shell; "END-42" is only in the output once the
# commands ran (the terminal echoes the typed "END-$((40+2))").
INSIDE="$TOOL status; $TOOL -f curl | curl -s --cacert $CA -K - $J_URL/whoAmI/api/json; echo; id -un; echo END-\$((40+2))"
last_name() { double_query "$J_URL" "toks[-1]['name']"; }

# --- login(1) on a console ----------------------------------------------------------------------
double "$J_URL" reset >/dev/null
out=$($DIALOG 'expect:login: ' send:pjdepalice 'expect:Password: ' "sendfile:$WORK/alice.pw" \
      "$PROMPT" "send:$INSIDE" expect:END-42 send:exit -- /bin/login 2>&1)
like "$out" "END-42" "login: the password typed at the prompt opens a shell"
like "$out" "^controller: +$J_URL" "jenkins-token status in the console session shows the token"
like "$out" '"name":"pjdepalice"' "and the token works at the controller (whoAmI)"
like "$(last_name)" "^pam_jenkins pjdepalice@[^ ]+ login /dev/pts/[0-9]+ " "named after the console session (service login, its tty)"
is "$(generates "$J_URL")" 1 "one token minted"
wait_live "$J_URL" pjdepalice 0; ok $? "logout: the token is revoked"
is "$(journal_entries):$(user_keys pjdepalice)" "0:0" "no journal entry, no key left"

# --- su - alice, run by bob ---------------------------------------------------------------------
double "$J_URL" reset >/dev/null
out=$($DIALOG 'expect:Password: ' "sendfile:$WORK/alice.pw" "$PROMPT" "send:$INSIDE" expect:END-42 send:exit \
      -- setpriv --reuid=pjdepbob --regid=pjdepbob --init-groups su - pjdepalice 2>&1)
like "$out" "END-42" "su - pjdepalice, run by pjdepbob who types alice's password: a shell"
like "$out" "^pjdepalice" "the shell is alice's"
like "$out" "^user: +pjdepalice" "holding a token for alice, the user whose password was typed"
like "$out" '"name":"pjdepalice"' "which works at the controller"
like "$(last_name)" "^pam_jenkins pjdepalice@[^ ]+ su-l " "named after the su session (Debian's su-l, which includes su)"
is "$(crumbs "$J_URL" pjdepbob)" 0 "bob's password was never asked for or sent"
wait_live "$J_URL" pjdepalice 0; ok $? "the su shell ended: the token is revoked"
is "$(journal_entries):$(user_keys pjdepalice)" "0:0" "no journal entry, no key left"

# root needs no password to su (pam_rootok): no password, no token.
before=$(generates "$J_URL")
out=$(su - pjdepalice -c "$TOOL >/dev/null 2>&1; echo rc=\$?" 2>&1)
like "$out" "^rc=1" "root's su - pjdepalice: no token in that shell (jenkins-token exits 1)"
is "$(generates "$J_URL")" "$before" "and nothing minted"

# --- sudo ---------------------------------------------------------------------------------------
cat >/etc/sudoers.d/pjdep <<EOF2
pjdepalice ALL=(ALL:ALL) ALL
EOF2
chmod 0440 /etc/sudoers.d/pjdep
double "$J_URL" reset >/dev/null
for target in root pjdepbob; do
    out=$($DIALOG 'expect:password for pjdepalice: ' "sendfile:$WORK/alice.pw" \
          -- setpriv --reuid=pjdepalice --regid=pjdepalice --init-groups sudo -k -u "$target" id -un 2>&1)
    like "$out" "^$target" "sudo -u $target, alice's password typed at sudo's prompt: the command runs"
done
is "$(crumbs "$J_URL" pjdepalice)" 2 "the password was checked with the controller each time"
is "$(generates "$J_URL"):$(live_tokens "$J_URL")" "0:0" "sudo never gets a token"
is "$(journal_entries):$(user_keys pjdepalice):$(live_handoff_keys pjdepalice)" "0:0:0" \
    "nothing is left: no journal entry, no key of alice's, no handoff key"
