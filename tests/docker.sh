#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# docker/: what can be checked without a Docker engine (none runs on the
# machines this is built on): the compose file parses and says what the
# README says, the build host installs with scripts/install-deps like
# scripts/check, and the Jenkins init script sets what the README documents.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
D=$top_srcdir/docker
PY=/usr/bin/python3
out=$($PY - "$D/compose.yml" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
s = c["services"]
print("services", " ".join(sorted(s)))
print("image", s["jenkins"]["image"])
print("ports", s["buildhost"]["ports"][0], s["jenkins"]["ports"][0])
print("dockerfile", s["buildhost"]["build"]["dockerfile"], s["buildhost"]["build"]["context"])
env = s["jenkins"]["environment"]
print("wizard", "runSetupWizard=false" in env["JAVA_OPTS"])
print("alice", env["PJ_ALICE_PASSWORD"])
print("bob", env["PJ_BOB_PASSWORD"])
PY
)
is "$?" 0 "compose.yml parses as YAML"
like "$out" "^services buildhost jenkins$" "two services: jenkins and buildhost"
like "$out" "^image jenkins/jenkins:[0-9]+\.[0-9]+\.[0-9]+-lts" "jenkins is an exact LTS tag"
like "$out" '^ports 2222:22 8080:8080$' "ssh on 2222, Jenkins on 8080"
like "$out" "^dockerfile docker/buildhost/Dockerfile \.\.$" "the build host is built from this repository"
like "$out" "^wizard True$" "the set-up wizard is off"
like "$out" '^alice \$\{PJ_ALICE_PASSWORD:-alice-password\}$' "alice's password comes from the environment, default alice-password"
like "$out" '^bob \$\{PJ_BOB_PASSWORD:-bob-password\}$' "bob's likewise"
like "$(cat "$top_srcdir/README.md")" "alice-password" "the README documents the default password"
df=$(cat "$D/buildhost/Dockerfile")
is "$(grep -cE '^RUN /.*install-deps$' <<<"$df") $(grep -cE '^COPY scripts/install-deps ' <<<"$df")" "2 2" \
   "both Dockerfile stages install with a copy of scripts/install-deps"
like "$(grep -E '^(RUN|COPY)' <<<"$df" | head -2 | tr '\n' ' ')" "COPY scripts/install-deps .* RUN /src/scripts/install-deps" "dependencies come first, from the shared script"
like "$df" "make install DESTDIR=/out" "the image gets what make install installs"
groovy=$(cat "$D/jenkins/init.groovy.d/pam_jenkins.groovy")
like "$groovy" "new HudsonPrivateSecurityRealm\(false\)" "init: Jenkins' own user database, no sign-up"
like "$groovy" "FullControlOnceLoggedInAuthorizationStrategy" "init: logged-in users can do anything"
like "$groovy" 'setAllowAnonymousRead\(false\)' "init: no anonymous read"
unlike "$groovy" "setCrumbIssuer" "init: the default crumb issuer is left alone"
like "$groovy" 'PJ_ALICE_PASSWORD.*alice-password' "init: the same password defaults as compose"
conf=$(cat "$D/buildhost/pam_jenkins.conf")
like "$conf" "^url = http://jenkins:8080/" "the build host talks to the jenkins service"
like "$conf" "^allow_insecure_http" "plain http allowed explicitly for the compose network"
pam=$(grep -v '^#' "$D/buildhost/sshd.pam")
like "$(grep -n pam_keyinit <<<"$pam" | cut -d: -f1) $(grep -n 'session *required *pam_jenkins' <<<"$pam" | cut -d: -f1)" "^[0-9]+ [0-9]+$" "the build host's sshd stack has pam_keyinit and pam_jenkins"
[ "$(grep -n pam_keyinit <<<"$pam" | cut -d: -f1)" -lt "$(grep -n 'session *required *pam_jenkins' <<<"$pam" | cut -d: -f1)" ]
ok $? "pam_keyinit comes before pam_jenkins"
# The build host's configuration passes pam_jenkins' own checks: with the
# jenkins service absent here the login is "unavailable", not "bad config".
if [ "$(id -u)" = 0 ]; then
    ensure_user pjalice
    grep -v '^#' "$D/buildhost/pam_jenkins.conf" >"$WORK/bh.conf"
    printf 'auth required %s conf=%s connect_timeout=2 timeout=2\n' "$MODULE" "$WORK/bh.conf" >"$WORK/bh"
    out=$(echo pw | "$PAM_APP" --confdir "$WORK" --service bh --user pjalice --no-session)
    like "$out" "^authenticate: PAM_AUTHINFO_UNAVAIL" "the build host's pam_jenkins.conf is accepted (http only because allowed)"
    sed '/allow_insecure_http/d' "$WORK/bh.conf" >"$WORK/bh2.conf"
    sed "s|$WORK/bh.conf|$WORK/bh2.conf|" "$WORK/bh" >"$WORK/bh2"
    out=$(echo pw | "$PAM_APP" --confdir "$WORK" --service bh2 --user pjalice --no-session)
    like "$out" "^authenticate: PAM_SERVICE_ERR" "without allow_insecure_http the same url is refused"
fi
