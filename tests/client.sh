#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# lib/'s Jenkins client against the Jenkins test double: the crumb flow, the
# connection it uses, and what every fault mode comes to.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

start_double J
start_double OTHER
client() { # client [pj-client options] OPS... ; password on stdin
    $VALGRIND "$PJ_CLIENT" --ca "$CA" --user alice "$@"
}
good() { echo alice-password | client --url "$J_URL" "$@"; }

# --- the crumb flow -----------------------------------------------------------
double "$J_URL" reset >/dev/null
out=$(good verify generate:first)
like "$out" "^verify: ok crumb_issuer=present version=2.479.3" "verify: the crumb request accepts the password"
like "$out" "^generate:first: ok uuid=[0-9a-f-]{36} name=first length=34" "generate: a 34-character token"
is "$(double_query "$J_URL" 'len(reqs), len(set(r["conn"] for r in reqs))')" "2 1" \
   "crumb GET and generate POST: 2 requests on 1 connection"
is "$(double_query "$J_URL" '[r["status"] for r in reqs]')" "[200, 200]" "both answered 200"
is "$(double_query "$J_URL" 'reqs[1]["cookie"], reqs[1]["crumb_header"]')" "True True" \
   "the POST carries the session cookie and the crumb header"
is "$(double_query "$J_URL" 'd["tls_handshakes"]')" "1" "one TLS handshake"

# The same POST without the cookie is what real Jenkins refuses (403).
double "$J_URL" reset >/dev/null
out=$(good verify forget-cookies generate:nocookie)
like "$out" "^generate:nocookie: ok" "a lost cookie costs one fresh crumb, not the login"
is "$(double_query "$J_URL" '[(r["method"], r["status"]) for r in reqs]')" \
   "[('GET', 200), ('POST', 403), ('GET', 200), ('POST', 200)]" \
   "the cookie-less POST got 403, then a fresh crumb worked"
jar=$WORK/jar
crumb=$(curl -s --cacert "$CA" -c "$jar" -u alice:alice-password "$J_URL/crumbIssuer/api/json" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["crumb"])')
code=$(curl -s -o "$WORK/body" -w '%{http_code}' --cacert "$CA" -u alice:alice-password \
       -H "Jenkins-Crumb: $crumb" -d newTokenName=x \
       "$J_URL/me/descriptorByName/jenkins.security.ApiTokenProperty/generateNewToken")
is "$code" 403 "double: the crumb without its cookie is refused (403)"
like "$(cat "$WORK/body")" "No valid crumb was included in the request" "double: with Jetty's message"

# --- revoke needs no crumb ---------------------------------------------------------
double "$J_URL" reset >/dev/null
out=$(good verify generate:rev whoami-token revoke whoami-token)
like "$out" "^whoami-token: ok name=alice" "the new token authenticates as alice"
like "$out" "^revoke: ok" "revoke with the token"
like "$out" "whoami-token: bad credentials.*HTTP 401" "after revoke the token gets 401"
is "$(double_query "$J_URL" '[r for r in reqs if r["path"].endswith("/revoke")][0]["crumb_header"]')" \
   "False" "revoke was sent without a crumb"
is "$(double_query "$J_URL" '[r for r in reqs if r["path"].endswith("/revoke")][0]["path"]')" \
   "/me/descriptorByName/jenkins.security.ApiTokenProperty/revoke" "revoke goes to /me/: no user id in the path"
is "$(double_query "$J_URL" '[t["status"] for t in toks if t["name"]=="rev"]')" "['revoked']" \
   "the double lists the token revoked"

# --- credentials ------------------------------------------------------------------
out=$(echo wrong | client --url "$J_URL" verify)
like "$out" "^verify: bad credentials .*wrong user name or password for alice \(HTTP 401\)" "wrong password: bad credentials"
unlike "$out" "wrong$" "the message does not repeat the password"
out=$(echo x | "$PJ_CLIENT" --ca "$CA" --user nobody --url "$J_URL" verify)
like "$out" "^verify: bad credentials" "unknown user: bad credentials"
out=$(printf '' | client --url "$J_URL" verify)
like "$out" "^verify: bad credentials" "empty password: bad credentials"

# --- versions -----------------------------------------------------------------------
for v in 2.176.1 2.222.4 2.479.3 2.555.1; do
    double "$J_URL" config "{\"version\": \"$v\"}" >/dev/null
    out=$(good verify generate:v$v whoami-token revoke)
    is "$?" 0 "Jenkins $v: verify, generate, use and revoke"
done
double "$J_URL" config '{"version": "2.555.1"}' >/dev/null
# The controller writes the date in the request's locale, else its JVM's
# (the double's default is en-GB: 05/09/2026); the client asks for en-US
# and stores ISO 8601.
for locale in en-GB de-DE; do
    double "$J_URL" config "{\"default_locale\": \"$locale\"}" >/dev/null
    out=$(good verify generate:expiring-$locale:30)
    want=$(double_query "$J_URL" "[t['expiration'] for t in toks if t['name']=='expiring-$locale'][0]")
    like "$out" "expires=$want " "JVM locale $locale: the expiry is stored as the ISO date the controller holds ($want)"
done
out=$(good verify generate:forever)
like "$out" "expires=- " "no token_lifetime on 2.555.1: \"never\" is stored as no expiry"
double "$J_URL" config '{"version": "2.107.3"}' >/dev/null
out=$(good verify generate:old)
like "$out" "generate:old: not found .*Jenkins 2.107.3 predates 2.129" "Jenkins before 2.129: a clear not-found"
double "$J_URL" config '{"version": "2.479.3"}' >/dev/null

# --- no crumb issuer ------------------------------------------------------------------
double "$J_URL" config '{"crumb_issuer": false}' >/dev/null
double "$J_URL" reset >/dev/null
out=$(good verify generate:nocrumb)
like "$out" "^verify: ok crumb_issuer=absent" "no crumb issuer: verified through whoAmI"
like "$out" "^generate:nocrumb: ok" "no crumb issuer: generate without a crumb"
is "$(double_query "$J_URL" '[r["path"] for r in reqs]')" \
   "['/crumbIssuer/api/json', '/whoAmI/api/json', '/me/descriptorByName/jenkins.security.ApiTokenProperty/generateNewToken']" \
   "no crumb issuer: 404, whoAmI, generate"
out=$(echo wrong | client --url "$J_URL" verify)
like "$out" "^verify: bad credentials" "no crumb issuer: a wrong password is still refused"
double "$J_URL" config '{"crumb_issuer": true}' >/dev/null

# --- restart between verify and generate ---------------------------------------------------
double "$J_URL" reset >/dev/null
out=$(good verify "post:$J_URL/__double__/restart" generate:after-restart)
like "$out" "^generate:after-restart: ok" "controller restart between verify and generate: still minted"
is "$(double_query "$J_URL" '[(r["method"], r["path"].split("/")[-1], r["status"]) for r in reqs]')" \
   "[('GET', 'json', 200), ('POST', 'generateNewToken', 403), ('GET', 'json', 200), ('POST', 'generateNewToken', 200)]" \
   "the stale crumb cost exactly one fresh crumb request"

# --- context path ------------------------------------------------------------------------------
start_double CTX --context /jenkins
out=$(echo alice-password | client --url "$CTX_URL/jenkins/" verify generate:ctx revoke)
is "$?" 0 "context path /jenkins: verify, generate, revoke"
is "$(double_query "$CTX_URL" '[r["path"] for r in reqs][0]')" "/jenkins/crumbIssuer/api/json" \
   "context path: requests keep the prefix"

# --- faults: each maps to an outcome, within the timeouts ----------------------------------------
fault() { # fault JSON-LIST OPS... -> output of one client run with timeout 2
    double "$J_URL" config "{\"faults\": $1}" >/dev/null
    shift
    echo alice-password | client --url "$J_URL" --timeout 2 --connect-timeout 2 "$@"
    double "$J_URL" config '{"faults": []}' >/dev/null
}
elapsed() { printf '%s\n' "$1" | sed -n 's/.*(\([0-9]*\) ms)$/\1/p' | head -1; }

out=$(fault '[{"mode": "slow", "delay": 6}]' verify)
like "$out" "^verify: timeout" "slow controller: timeout"
[ "$(elapsed "$out")" -lt 3500 ]; ok $? "slow controller: gave up within the 2 s timeout ($(elapsed "$out") ms)"
out=$(fault '[{"mode": "http500"}]' verify)
like "$out" "^verify: server error .*HTTP 500" "HTTP 500: server error"
out=$(fault '[{"mode": "drop"}]' verify)
like "$out" "^verify: unreachable" "dropped connection: unreachable"
out=$(fault '[{"mode": "malformed_json"}]' verify)
like "$out" "^verify: protocol error .*not valid JSON" "malformed JSON: protocol error"
out=$(fault '[{"mode": "huge_body", "size": 52428800}]' verify)
like "$out" "^verify: protocol error .*larger than 64 KiB" "50 MB body: capped, protocol error"
# A whole, valid crumb reply, only too large: the JSON parser has a limit of
# its own, so what only the cap can give is that the process never holds it.
maxrss_kb() { # COMMAND...: its peak resident memory
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=sys.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
double "$J_URL" config '{"faults": [{"mode": "huge_body", "size": 52428800, "valid": true}]}' >/dev/null
kb=$(echo alice-password | maxrss_kb "$PJ_CLIENT" --ca "$CA" --user alice --url "$J_URL" verify 2>"$WORK/huge.out")
double "$J_URL" config '{"faults": []}' >/dev/null
like "$(cat "$WORK/huge.out")" "^verify: protocol error" "a valid crumb reply of 50 MB is refused"
[ "${kb:-999999}" -lt 40960 ]; ok $? "and never held in memory: peak ${kb:-?} KiB for a 51200 KiB reply"
double "$OTHER_URL" reset >/dev/null
out=$(fault "[{\"mode\": \"redirect\", \"location\": \"$OTHER_URL/crumbIssuer/api/json\"}]" verify)
like "$out" "^verify: protocol error .*redirected to https://127.0.0.1:[0-9]+/crumbIssuer/api/json \(HTTP 302\), not followed" \
   "redirect to another origin: refused with a clear message"
is "$(double_query "$OTHER_URL" 'len(reqs)')" "0" "the other origin never saw a request (nor the password)"
out=$(fault '[{"mode": "http500", "path": "generateNewToken"}]' verify generate:g500)
like "$out" "generate:g500: server error" "HTTP 500 on generate: server error"

# --- TLS -------------------------------------------------------------------------------------------
out=$(echo alice-password | "$PJ_CLIENT" --ca "$CERTS/other-ca.pem" --user alice --url "$J_URL" verify)
like "$out" "^verify: TLS failure" "certificate from another CA: TLS failure"
start_double WRONGHOST --tls "$CERTS/wronghost.pem" "$CERTS/wronghost.key"
out=$(echo alice-password | client --url "$WRONGHOST_URL" verify)
like "$out" "^verify: TLS failure" "certificate for another host name: TLS failure"
# (The tests' own look at that double: its name is wrong on purpose, so -k.)
is "$(curl -skf "$WRONGHOST_URL/__double__/state" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')" 0 \
   "the host with the wrong name never got a request, nor the password"

# --- nobody listening --------------------------------------------------------------------------------
port=$(free_port)
out=$(echo alice-password | client --url "https://127.0.0.1:$port" verify)
like "$out" "^verify: unreachable" "nothing listening: unreachable"

# --- the system trust store, in a private mount namespace ----------------------------
# Without ca_file the client reads the system's hashed CA directory, and its
# CA bundle only when the directory does not verify the peer.  Each case
# runs in its own mount namespace with a private copy of /etc/ssl/certs
# bind-mounted over it: the host's trust store is never changed.
system_store() { # system_store DIR CASE: hashed | bundle | none
    cp -a /etc/ssl/certs "$1"
    case $2 in
    hashed)
        # The test CA hashed into the directory, and a bundle no TLS
        # library can load: verifying proves the bundle was not read.
        cp "$CA" "$1/pam_jenkins-test-ca.pem"
        openssl rehash "$1" 2>/dev/null || c_rehash "$1" >/dev/null
        rm -f "$1/ca-certificates.crt"
        printf -- '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n' \
            >"$1/ca-certificates.crt"
        ;;
    bundle)
        # Appended to the bundle by hand, in no directory.
        cat "$CA" >>"$1/ca-certificates.crt"
        ;;
    esac
}
in_store() { # in_store DIR COMMAND...: COMMAND with DIR as /etc/ssl/certs
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare -m --propagation private sh -c 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"' \
        sh "$@"
}
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
    for c in hashed bundle none; do system_store "$WORK/store-$c" "$c"; done
    # shellcheck disable=SC2086 # VALGRIND is a command line or nothing
    sys() { echo alice-password | in_store "$1" $VALGRIND "$PJ_CLIENT" --user alice --url "$2" verify; }
    double "$J_URL" reset >/dev/null
    out=$(sys "$WORK/store-hashed" "$J_URL")
    like "$out" "^verify: ok" "no ca_file: the test CA in the system's hashed directory verifies"
    is "$(double_query "$J_URL" 'd["connections"], d["tls_handshakes"]')" "1 1" \
        "on the first handshake, without reading the CA bundle"
    double "$J_URL" reset >/dev/null
    out=$(sys "$WORK/store-bundle" "$J_URL")
    like "$out" "^verify: ok" "no ca_file: a CA only in the system bundle still verifies"
    is "$(double_query "$J_URL" 'd["connections"], d["tls_handshakes"]')" "2 1" \
        "on a second connection, after the directory did not verify the peer"
    out=$(sys "$WORK/store-none" "$J_URL")
    like "$out" "^verify: TLS failure" "no ca_file, a CA the system does not trust: TLS failure"
    out=$(sys "$WORK/store-hashed" "$WRONGHOST_URL")
    like "$out" "^verify: TLS failure" "no ca_file, a trusted CA but another host name: TLS failure"
    out=$(sys "$WORK/store-bundle" "$WRONGHOST_URL")
    like "$out" "^verify: TLS failure" "and still after the bundle was read too"
else
    for c in 1 2 3 4 5 6 7; do ok 0 "system trust store case $c # SKIP needs root and unshare -m"; done
fi

# --- connections kept between PAM calls ------------------------------------------------
# One process keeps its idle connection to the controller for its next
# request (lib/http_process.c): a short session logs out on the login's
# connection.  Under sshd, open and close run in one process hours apart:
# by logout the controller has closed the idle connection, and the close's
# new connection resumes the open's TLS session, but only with the same
# trust.  The connection kept open during the session is close-on-exec:
# the session's shell never holds it.
if [ "$(id -u)" = 0 ]; then
    if ! id pjtls >/dev/null 2>&1; then
        ensure_user pjtls
    fi
    double_users "$J_URL" pjtls tls-pw
    write_stack "$WORK/pam.d" tls "$J_URL"
    sed "s|^\(session  required .*\) ca_file=[^ ]*|\1 ca_file=$CERTS/other-ca.pem|" \
        "$WORK/pam.d/tls" >"$WORK/pam.d/tls-other"
    # shellcheck disable=SC2086 # VALGRIND is a command line or nothing
    login() { # login SERVICE [COMMAND]
        echo tls-pw | $VALGRIND "$PAM_APP" --confdir "$WORK/pam.d" --service "$1" --user pjtls \
            -- "${2:-true}"
    }
    port=${J_URL##*:}
    # The shell's own descriptors, then the process's connections to the
    # controller (ss lists every process's): the first must show no socket
    # while the second shows the connection the session keeps.
    shell_fds="ls -l /proc/\$\$/fd | sed -n 's/.*-> /fd: /p'; ss -Htn state established '( dport = :$port )' | sed 's/^/conn: /'"
    double "$J_URL" reset >/dev/null
    out=$(login tls "$shell_fds")
    like "$out" "^close_session: PAM_SUCCESS" "auth, open and close in one process"
    is "$(double_query "$J_URL" 'd["connections"], d["tls_handshakes"], d["tls_resumed"]')" "1 1 0" \
        "a short session logs out on the login's connection"
    is "$(live_tokens "$J_URL" pjtls)" 0 "and revoked the token on it"
    like "$out" "^conn: " "the process keeps its connection to the controller during the session"
    unlike "$out" "^fd: socket:" "but the session's shell holds no socket"
    double "$J_URL" config '{"idle_timeout": 0.3}' >/dev/null
    double "$J_URL" reset >/dev/null
    out=$(login tls "sleep 1")
    like "$out" "^close_session: PAM_SUCCESS" "the controller closed the idle connection: the session still closes"
    is "$(double_query "$J_URL" 'd["connections"], d["tls_handshakes"], d["tls_resumed"]')" "2 2 1" \
        "on a new connection that resumed the login's TLS session"
    is "$(live_tokens "$J_URL" pjtls)" 0 "and revoked the token on it"
    double "$J_URL" reset >/dev/null
    out=$(login tls-other "sleep 1")
    like "$out" "^close_session: PAM_SUCCESS" "logout with another ca_file: the session still closes"
    is "$(double_query "$J_URL" 'd["connections"], d["tls_handshakes"], d["tls_resumed"]')" "2 1 0" \
        "but nothing resumed the login's TLS session: the handshake failed verification"
    is "$(live_tokens "$J_URL" pjtls)" 1 "the token is left live, for the sweep"
    double "$J_URL" config '{"idle_timeout": null}' >/dev/null
    rm -f "$WORK"/journal/*.token
else
    for c in 1 2 3 4 5 6 7 8 9 10 11; do ok 0 "connections kept between PAM calls case $c # SKIP needs root"; done
fi

valgrind_clean

# --- finding a token by name on the token page (after a lost answer) ----------------------
for v in 2.129 2.479.3 2.555.1; do
    double "$J_URL" config "{\"version\": \"$v\"}" >/dev/null
    out=$(good verify generate:findme-$v "find:findme-$v")
    uuid=$(double_query "$J_URL" "[t['uuid'] for t in toks if t['name']=='findme-$v'][0]")
    like "$out" "^find:findme-$v: ok uuid=$uuid" "Jenkins $v: the token page gives the uuid of the token by that name"
done
out=$(good verify generate:twin generate:twin find:twin)
like "$out" "^find:twin: protocol error.*2 tokens have that name" \
    "two tokens of one name: no uuid, rather than a guess that could hit another session's token"
out=$(good verify find:nobody-has-this-name)
like "$out" "^find:nobody-has-this-name: not found" "no token of that name: not found"
double "$J_URL" config '{"version": "2.479.3"}' >/dev/null
