#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Several controllers: conf/two-controllers.pam verbatim (two module
# instances, each with its own configuration file and key_name), two
# Jenkins test doubles, one password, through real libpam (tests/pam-app).
# Two tokens, each working at its own controller, both revoked at logout,
# each instance's environment under its own names; with the optional
# controller down the login goes on with the other's token; with the
# requisite one down it is refused and the other never sees the password.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"
need_root
need_etc_conf

start_syslog
start_double J
start_double R
ensure_user pjdeptwo
for url in "$J_URL" "$R_URL"; do
    double "$url" users '{"pjdeptwo": {"password": "two pw"}}' >/dev/null
done
module_conf /etc/security/pam_jenkins.conf "$J_URL" export_env
JOURNAL_DIR=$WORK/journal-release module_conf /etc/security/pam_jenkins-release.conf "$R_URL" \
    export_env "key_name = release"
install_stack two-controllers.pam pjdep-two
login() { # login PASSWORD [COMMAND]: a whole session through the stack
    printf '%s\n' "$1" | "$PAM_APP" --service pjdep-two --user pjdeptwo ${2:+-- "$2"} 2>&1
}
at() { # at URL [-k KEY]: the controller's answer to whoAmI with the session's token
    local url=$1
    shift
    echo "$TOOL $* -f curl | curl -s -o /dev/null -w '%{http_code} ' --cacert $CA -K - $url/whoAmI/api/json"
}
INSIDE="env | grep '^JENKINS' | sort; $(at "$J_URL") ; $(at "$R_URL" -k release); echo;
$(at "$R_URL"); $(at "$J_URL" -k release); echo"
revokes() { double_query "$1" "len([r for r in reqs if r['path'].endswith('/revoke')])"; }

# --- both up: two tokens ---------------------------------------------------------------------------
out=$(login "two pw" "$INSIDE")
like "$out" "^open_session: PAM_SUCCESS" "two controllers, one password: the session opens"
is "$(generates "$J_URL"):$(generates "$R_URL")" "1:1" "one token minted at each controller"
like "$out" "^200 200 $" "each token works at its own controller (jenkins-token, jenkins-token -k release)"
like "$out" "^401 401 $" "and neither at the other"
is "$(grep '^JENKINS' <<<"$out" | tr '\n' ' ')" \
   "JENKINS_URL=$J_URL/ JENKINS_URL_RELEASE=$R_URL/ JENKINS_USER_ID=pjdeptwo JENKINS_USER_ID_RELEASE=pjdeptwo " \
   "export_env: JENKINS_URL for the default key_name, JENKINS_URL_RELEASE for key_name = release"
is "$(live_tokens "$J_URL"):$(live_tokens "$R_URL")" "0:0" "logout: both revoked"
is "$(revokes "$J_URL"):$(revokes "$R_URL"):$(journal_entries):$(ls "$WORK/journal-release" | wc -l)" "1:1:0:0" \
   "with one request each; both journals are empty"

# --- a session killed: each controller's sweep revokes its own token --------------------------------
double "$J_URL" reset >/dev/null; double "$R_URL" reset >/dev/null
touch "$WORK/hold"
printf 'two pw\n' | "$PAM_APP" --service pjdep-two --user pjdeptwo --hold-file "$WORK/hold" >"$WORK/held.out" 2>&1 &
held=$!
wait_held "$WORK/held.out"
is "$(journal_entries):$(ls "$WORK/journal-release" | wc -l)" "1:1" "a session holds two tokens, each in its controller's journal"
kill -9 "$held"; wait "$held" 2>/dev/null
out=$("$TOOL" sweep 2>&1)
like "$out" "1 revoked" "killed: jenkins-token sweep (the default configuration) revokes the first controller's"
out=$("$TOOL" sweep --conf /etc/security/pam_jenkins-release.conf 2>&1)
like "$out" "1 revoked" "and jenkins-token sweep --conf pam_jenkins-release.conf the second's"
unlike "$out" " [1-9][0-9]* (failed|given up)" "neither meets the other's entries"
is "$(live_tokens "$J_URL"):$(live_tokens "$R_URL")" "0:0" "nothing live is left at either controller"

# --- a wrong password never reaches the second controller ------------------------------------------
double "$J_URL" reset >/dev/null; double "$R_URL" reset >/dev/null
out=$(login "not the pw")
like "$out" "^authenticate: PAM_AUTH_ERR" "a wrong password is refused by the first controller"
is "$(crumbs "$R_URL" pjdeptwo)" 0 "and never sent to the second (requisite)"

# --- the optional controller down ------------------------------------------------------------------
double "$J_URL" reset >/dev/null
kill "$R_PID"; wait "$R_PID" 2>/dev/null
out=$(login "two pw" "$INSIDE; $TOOL -k release >/dev/null 2>&1; echo release-rc=\$?")
like "$out" "^open_session: PAM_SUCCESS" "the release controller down: the login still succeeds"
like "$out" "^200 " "with a working token for the first controller"
like "$out" "^release-rc=1" "and none for the one that is down (jenkins-token -k release exits 1)"
unlike "$out" "^JENKINS_URL_RELEASE=" "nor its variables"
is "$(generates "$J_URL"):$(live_tokens "$J_URL"):$(journal_entries)" "1:0:0" "logout revokes the one token; nothing journalled"

# --- the requisite controller down -----------------------------------------------------------------
start_double R2
double "$R2_URL" users '{"pjdeptwo": {"password": "two pw"}}' >/dev/null
JOURNAL_DIR=$WORK/journal-release module_conf /etc/security/pam_jenkins-release.conf "$R2_URL" \
    export_env "key_name = release"
kill "$J_PID"; wait "$J_PID" 2>/dev/null
out=$(login "two pw")
like "$out" "^authenticate: PAM_AUTHINFO_UNAVAIL" "the first controller down: the login is refused (it decides)"
is "$(double_query "$R2_URL" 'len(reqs)')" 0 "and the second never saw the password"
