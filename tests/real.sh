#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The PAM lifecycle and jenkins-token against a real Jenkins controller,
# when JENKINS_TEST_URL, JENKINS_TEST_USER and JENKINS_TEST_PASSWORD are set
# (JENKINS_TEST_CA optional), e.g. the one in docker/compose.yml:
#   JENKINS_TEST_URL=http://localhost:8080/ JENKINS_TEST_USER=alice \
#   JENKINS_TEST_PASSWORD=alice-password scripts/check
# The double-only fault modes are not tried here.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
if [ -z "${JENKINS_TEST_URL:-}" ] || [ -z "${JENKINS_TEST_USER:-}" ] || [ -z "${JENKINS_TEST_PASSWORD:-}" ]; then
    echo "1..0 # SKIP no real controller: set JENKINS_TEST_URL, JENKINS_TEST_USER and JENKINS_TEST_PASSWORD"
    trap - EXIT
    rm -rf "$WORK"
    exit 0
fi
need_root
URL=${JENKINS_TEST_URL%/}
USER_ID=$JENKINS_TEST_USER
CAOPT=${JENKINS_TEST_CA:+--cacert $JENKINS_TEST_CA}
ensure_user "$USER_ID"
version=$(curl -s $CAOPT -o /dev/null -D - "$URL/login" | tr -d '\r' | sed -n 's/^X-Jenkins: //Ip')
diag "controller $URL is Jenkins ${version:-(no X-Jenkins header)}"
[ -n "$version" ]; ok $? "the controller answers as Jenkins $version"
mkdir -p "$WORK/pam.d" "$WORK/journal" "$WORK/shared"
chmod 0700 "$WORK/journal"; chmod 1777 "$WORK/shared"
: >"$WORK/empty.conf"
args="url=$URL/ journal_dir=$WORK/journal conf=$WORK/empty.conf${JENKINS_TEST_CA:+ ca_file=$JENKINS_TEST_CA}"
case $URL in http://*) args="$args allow_insecure_http" ;; esac
printf 'auth required %s %s\naccount required pam_permit.so\nsession optional pam_keyinit.so force revoke\nsession required %s %s\n' \
    "$MODULE" "$args" "$MODULE" "$args" >"$WORK/pam.d/real"
TOOLDIR=$(dirname "$TOOL")
out=$(printf '%s\n' "$JENKINS_TEST_PASSWORD" | "$PAM_APP" --confdir "$WORK/pam.d" --service real --user "$USER_ID" -- "
export PATH=$TOOLDIR:/usr/bin:/bin
jenkins-token status --check
echo whoami: \$(jenkins-token -f curl | curl -s $CAOPT -K - $URL/whoAmI/api/json)
echo python-jenkins: \$(REQUESTS_CA_BUNDLE=${JENKINS_TEST_CA:-} jenkins-token exec -- /usr/bin/python3 -c 'import jenkins,os; print(jenkins.Jenkins(os.environ[\"JENKINS_URL\"], os.environ[\"JENKINS_USER_ID\"], os.environ[\"JENKINS_API_TOKEN\"]).get_whoami()[\"id\"])' 2>&1 | tail -1)
jenkins-token -f auth >$WORK/shared/auth")
like "$out" "^open_session: PAM_SUCCESS" "real Jenkins: the session opens with a token"
like "$out" "^controller says: accepted" "real Jenkins: jenkins-token status --check: accepted"
like "$out" "whoami: .*\"name\":\"$USER_ID\"" "real Jenkins: curl with the token is $USER_ID"
like "$out" "python-jenkins: $USER_ID" "real Jenkins: python-jenkins get_whoami()"
like "$out" "^close_session: PAM_SUCCESS" "real Jenkins: logout"
code=$(curl -s $CAOPT -o /dev/null -w '%{http_code}' -u "$(cat "$WORK/shared/auth")" "$URL/whoAmI/api/json")
is "$code" 401 "real Jenkins: after logout the token is refused (revoked)"
rm -f "$WORK/shared/auth"
is "$(ls "$WORK/journal" | wc -l)" 0 "real Jenkins: the journal is empty"
out=$(printf 'wrong-%s\n' "$JENKINS_TEST_PASSWORD" | "$PAM_APP" --confdir "$WORK/pam.d" --service real --user "$USER_ID" --no-session)
like "$out" "^authenticate: PAM_AUTH_ERR" "real Jenkins: a wrong password is PAM_AUTH_ERR"
