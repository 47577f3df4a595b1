#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The peer: what an admin would write instead of pam_jenkins, run by
# pam_exec -- the crumb-and-cookie-jar curl recipe of the Jenkins
# documentation.  For bench/run only; not a recommendation (it puts the
# token in a root-only file between auth and session).
#   auth:    pam_exec expose_authtok: password on stdin -> crumb, token
#   session: pam_exec: keyctl padd the token into the session keyring
#   close:   pam_exec: curl revoke
# CA is a CA file, or "system" for curl's default trust store.
set -eu
PEER_URL=${1:?usage: jenkins-token-peer.sh URL CA}
PEER_CA=${2:?usage: jenkins-token-peer.sh URL CA}
pcurl() {
    if [ "$PEER_CA" = system ]; then
        curl "$@"
    else
        curl --cacert "$PEER_CA" "$@"
    fi
}
dir=/run/jenkins-token-peer
mkdir -p "$dir"
chmod 0700 "$dir"
state=$dir/$PAM_USER
case "$PAM_TYPE" in
auth)
    IFS= read -r password || true
    jar=$(mktemp)
    crumb=$(pcurl -sf -c "$jar" -u "$PAM_USER:$password" \
        "$PEER_URL/crumbIssuer/api/json" | sed -n 's/.*"crumb":"\([^"]*\)".*/\1/p')
    pcurl -sf -b "$jar" -u "$PAM_USER:$password" -H "Jenkins-Crumb: $crumb" \
        --data-urlencode "newTokenName=peer $PAM_USER" \
        "$PEER_URL/me/descriptorByName/jenkins.security.ApiTokenProperty/generateNewToken" \
        >"$state.json"
    rm -f "$jar"
    ;;
open_session)
    token=$(sed -n 's/.*"tokenValue": "\([^"]*\)".*/\1/p' "$state.json")
    printf '%s' "$token" | keyctl padd user jenkins:token @s >/dev/null
    ;;
close_session)
    token=$(sed -n 's/.*"tokenValue": "\([^"]*\)".*/\1/p' "$state.json")
    uuid=$(sed -n 's/.*"tokenUuid": "\([^"]*\)".*/\1/p' "$state.json")
    pcurl -sf -u "$PAM_USER:$token" -d "tokenUuid=$uuid" \
        "$PEER_URL/user/$PAM_USER/descriptorByName/jenkins.security.ApiTokenProperty/revoke"
    rm -f "$state.json"
    ;;
esac
exit 0
