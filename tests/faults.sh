#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Faults through real libpam that need more than one controller or more
# than one login: a redirect to another origin, TLS failures (servers with
# their own certificates), answers later than the deadline that the sweep
# and the next login settle, a controller gone between auth and session,
# another session's token of the same name.  The one-login matrix (fault x
# PAM code x log line) is in tests/scenarios/faults, run by tests/scenarios.sh.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_syslog
start_double J
start_double OTHER
ensure_user pjalice
double "$J_URL" users '{"pjalice": {"password": "alice-pw"}}' >/dev/null
STACKS=$WORK/pam.d
# connect_timeout 2 + timeout 4: no login may take longer than ~6 s
write_stack "$STACKS" good "$J_URL"
attempt() { # attempt SERVICE [pam-app args] -> output, sets ELAPSED (ms)
    local service=$1 t0
    shift
    t0=$(now_ms)
    OUT=$(printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service "$service" --user pjalice "$@" -- true)
    ELAPSED=$(($(now_ms) - t0))
}
fault() { double "$J_URL" config "{\"faults\": $1}" >/dev/null; }

# --- at authentication: PAM_AUTHINFO_UNAVAIL, bounded, logged -------------------------------
check_auth_fault() { # name faults-json log-pattern
    fault "$2"
    : >"${SYSLOG:-/dev/null}"
    attempt good
    fault '[]'
    like "$OUT" "^authenticate: PAM_AUTHINFO_UNAVAIL" "$1: PAM_AUTHINFO_UNAVAIL"
    [ "$ELAPSED" -lt 4800 ]; ok $? "$1: the login returned within timeout, 4 s ($ELAPSED ms)"
    logged "cannot check the password of pjalice, the controller did not answer usefully: controller $J_URL: crumb: $3" "$1: logged"
    not_logged "authentication failure;" "$1: not logged as a wrong password (fail2ban would ban the user)"
}
# (slow, HTTP 500, dropped, malformed JSON, huge body: tests/scenarios/faults;
# a redirect needs a second origin to show it never got the credentials)
double "$OTHER_URL" reset >/dev/null
check_auth_fault "redirect to another origin" "[{\"mode\": \"redirect\", \"location\": \"$OTHER_URL/steal\"}]" \
    "redirected to $OTHER_URL/steal \(HTTP 302\), not followed"
is "$(double_query "$OTHER_URL" 'len(reqs)')" 0 "redirect: the other origin never received the credentials"

# --- TLS ------------------------------------------------------------------------------------------
d=$WORK/expired; mkdir -p "$d/db"; : >"$d/db/index.txt"; echo 01 >"$d/db/serial"
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/db/index.txt\nnew_certs_dir=%s/db\nserial=%s/db/serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n' \
    "$d" "$d" "$d" >"$d/ca.cnf"
openssl req -newkey rsa:2048 -nodes -keyout "$d/key" -out "$d/csr" -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
openssl ca -batch -config "$d/ca.cnf" -cert "$CERTS/ca.pem" -keyfile "$CERTS/ca.key" -in "$d/csr" \
    -out "$d/cert" -startdate 20200101000000Z -enddate 20200102000000Z >/dev/null 2>&1
start_double EXPIRED --tls "$d/cert" "$d/key"
start_double WRONGHOST --tls "$CERTS/wronghost.pem" "$CERTS/wronghost.key"
tls_case() { # name url ca log-pattern
    sed -e "s|url=$J_URL|url=$2|" -e "s|ca_file=$CA|ca_file=$3|" "$STACKS/good" >"$STACKS/tls"
    : >"${SYSLOG:-/dev/null}"
    attempt tls
    like "$OUT" "^authenticate: PAM_AUTHINFO_UNAVAIL" "$1: PAM_AUTHINFO_UNAVAIL"
    logged "$4" "$1: logged"
}
tls_case "expired certificate" "$EXPIRED_URL" "$CA" "certificate has expired|certificate.*expired"
tls_case "certificate for another host" "$WRONGHOST_URL" "$CA" "(does not match|no alternative certificate subject name matches)"
tls_case "certificate from another CA" "$J_URL" "$CERTS/other-ca.pem" "(unable to get local issuer|self.signed|verify failed)"

# --- lost answers to generateNewToken: no token the host cannot account for -----------------
# The controller mints, but its answer is cut off (over 64 KiB) or comes after
# the module gave up.  The module looks the name up on the token page (markup
# up to 2.504 and from 2.505; /configure before 2.468) and revokes it; what it
# cannot settle in time stays as an intent, which jenkins-token sweep reports
# and the user's next login settles.
printf 'url = %s\nca_file = %s\njournal_dir = %s\n' "$J_URL" "$CA" "$WORK/journal" >"$WORK/sweep.conf"
intents() { find "$WORK/journal" -name 'intent-*.token' 2>/dev/null | wc -l; }
for v in 2.129 2.222.4 2.479.3 2.555.1; do
    double "$J_URL" config "{\"version\": \"$v\"}" >/dev/null
    # (a reply cut off after the mint: tests/scenarios/faults/reply-cut-off-*)
    before=$(live_tokens "$J_URL" pjalice)
    fault '[{"mode": "slow", "delay": 5, "path": "generateNewToken"}]'
    attempt good
    fault '[]'
    like "$OUT" "^open_session: PAM_SESSION_ERR" "$v, answer later than the deadline: PAM_SESSION_ERR"
    [ "$ELAPSED" -lt 8800 ]; ok $? "$v, answer late: auth and session each within timeout ($ELAPSED ms)"
    is "$(intents)" 1 "$v, answer late: the intent stays in the journal"
    sleep 3 # the double finishes minting what the module gave up on
    is "$(live_tokens "$J_URL" pjalice)" "$((before + 1))" "$v, answer late: the controller did mint it"
    out=$("$TOOL" sweep --conf "$WORK/sweep.conf" 2>&1)
    like "$out" "token \"pam_jenkins pjalice@[^\"]*\" of pjalice may be live on $J_URL.*revoke it by hand on $J_URL/user/pjalice/security/" \
        "$v, answer late: jenkins-token sweep reports a token that may be live, and where to revoke it"
    attempt good
    like "$OUT" "^open_session: PAM_SUCCESS" "$v: the user's next login succeeds"
    is "$(intents)" 0 "$v: and settles the lost mint"
    is "$(live_tokens "$J_URL" pjalice)" "$before" "$v: no token of the user is left live"
done
double "$J_URL" config '{"version": "2.479.3"}' >/dev/null

# A refused connection sends nothing: no intent is left, no false alarm.
start_double GONE
double "$GONE_URL" users '{"pjalice": {"password": "alice-pw"}}' >/dev/null
sed -e "s|url=$J_URL|url=$GONE_URL|" "$STACKS/good" >"$STACKS/gone"
touch "$WORK/hold-gone"
printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service gone --user pjalice \
    --hold-after-auth "$WORK/hold-gone" >"$WORK/gone.out" 2>&1 &
held=$!
for _ in $(seq 1 600); do grep -q holding "$WORK/gone.out" && break; sleep 0.05; done
kill "$GONE_PID"; wait "$GONE_PID" 2>/dev/null
rm -f "$WORK/hold-gone"; wait "$held"
like "$(cat "$WORK/gone.out")" "^open_session: PAM_SESSION_ERR" "controller gone between auth and session: PAM_SESSION_ERR"
is "$(intents)" 0 "a refused connection leaves no intent (nothing was sent)"

# Another session's token with the name the template gives (two logins of one
# user in the same second get the same template name): every minted name
# carries a random suffix, so recovery finds only its own token.
printf 'token_name = dup-%%u\n' >"$WORK/dup.conf"
sed -e "s|conf=$WORK/empty.conf|conf=$WORK/dup.conf|" "$STACKS/good" >"$STACKS/dup"
printf 'alice-pw\n' | "$PJ_CLIENT" --url "$J_URL" --ca "$CA" --user pjalice verify generate:dup-pjalice >/dev/null
fault '[{"mode": "huge_after_generate", "path": "generateNewToken"}]'
attempt dup
fault '[]'
is "$(double_query "$J_URL" "[t['status'] for t in toks if t['name']=='dup-pjalice']")" "['live']" \
    "another session's token of the template's name is left alone"
is "$(double_query "$J_URL" "[t['status'] for t in toks if t['name'].startswith('dup-pjalice #')]")" "['revoked']" \
    "the lost one, named with its own suffix, was found and revoked"
is "$(intents)" 0 "and nothing is left in the journal"
rm -f "$WORK"/journal/intent-*.token
