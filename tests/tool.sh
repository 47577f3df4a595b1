#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# jenkins-token inside real PAM sessions against the Jenkins test double:
# every format consumed by the client it is for.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_double J
ensure_user pjalice
ensure_user pjbob
double "$J_URL" users '{"pjalice": {"password": "alice-pw"}, "pjbob": {"password": "bob-pw"}}' >/dev/null
STACKS=$WORK/pam.d
write_stack "$STACKS" good "$J_URL"
chmod 0755 "$WORK"
TOOLDIR=$(dirname "$TOOL")
session() { # session [pam-app options] -- COMMAND ; as pjalice with a token
    printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjalice "$@"
}
as_user() { setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; }
WHO="$J_URL/whoAmI/api/json"
JT="$VALGRIND $TOOL"

# --- every format, used by its client ------------------------------------------------
out=$(session -- "
export PATH=$TOOLDIR:/usr/bin:/bin
echo curl-K: \$($JT -f curl | curl -sf --cacert $CA -K - $WHO)
$JT -f netrc > \$HOME/netrc; chmod 600 \$HOME/netrc
echo netrc: \$(curl -sf --cacert $CA --netrc-file \$HOME/netrc $WHO); rm -f \$HOME/netrc
eval \"\$($JT -f env)\"
echo env: \$(curl -sf --cacert $CA -u \"\$JENKINS_USER_ID:\$JENKINS_API_TOKEN\" $WHO)
unset JENKINS_API_TOKEN
eval \"\$($JT -f env-no-export)\"
echo env-no-export: \$(sh -c 'echo \${JENKINS_API_TOKEN:-unset}')
echo auth: \$(curl -sf --cacert $CA -u \"\$($JT -f auth)\" $WHO)
echo header: \$(curl -sf --cacert $CA -H \"\$($JT -f header)\" $WHO)
echo json: \$($JT -f json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"user\"], len(d[\"token\"]), d[\"url\"])')
echo token-n: \$($JT -n | wc -c) \$($JT | wc -c)
echo python-jenkins: \$(REQUESTS_CA_BUNDLE=$CA SSL_CERT_FILE=$CA $JT exec -- /usr/bin/python3 -c 'import jenkins,os; j=jenkins.Jenkins(os.environ[\"JENKINS_URL\"], os.environ[\"JENKINS_USER_ID\"], os.environ[\"JENKINS_API_TOKEN\"]); print(j.get_whoami()[\"id\"])')
echo jjb: \$($JT exec --jjb -- sh -c 'echo \$JJB_USER \${#JJB_PASSWORD}')
echo exec-url: \$($JT exec -- sh -c 'echo \$JENKINS_URL')
$JT exec -- no-such-command-here 2>/dev/null; echo exec-missing: \$?
unset JENKINS_API_TOKEN JENKINS_URL JENKINS_USER_ID
echo after-exec: \${JENKINS_API_TOKEN:-not-in-the-session}
")
like "$out" 'curl-K: .*"name":"pjalice"' "-f curl: curl -K - authenticates"
like "$out" 'netrc: .*"name":"pjalice"' "-f netrc: curl --netrc-file authenticates"
like "$out" 'env: .*"name":"pjalice"' "-f env: eval then curl authenticates"
like "$out" 'env-no-export: unset' "-f env-no-export: not exported to children"
like "$out" 'auth: .*"name":"pjalice"' "-f auth: curl -u user:token authenticates"
like "$out" 'header: .*"name":"pjalice"' "-f header: an Authorization header that authenticates"
like "$out" "json: pjalice 34 $J_URL" "-f json: parsed by python's json module"
like "$out" "token-n: 34 35" "-n leaves out the newline"
# The test CA: python-jenkins 1.x (requests) reads REQUESTS_CA_BUNDLE, 0.4
# (Debian 11; urllib) only OpenSSL's SSL_CERT_FILE.
like "$out" "python-jenkins: pjalice" "exec: python-jenkins get_whoami() returns the user"
like "$out" "jjb: pjalice 34" "exec --jjb: JJB_USER and JJB_PASSWORD"
like "$out" "exec-url: $J_URL/" "exec: JENKINS_URL with its trailing slash"
like "$out" "exec-missing: 127" "exec: a missing command exits 127, as env(1)"
like "$out" "after-exec: not-in-the-session" "the token enters only the command's environment"
valgrind_clean

# --- status -------------------------------------------------------------------------
out=$(session -- "$TOOL status; $TOOL status --json; $TOOL status -s; echo silent=\$?; $TOOL status --check")
like "$out" "^controller:  $J_URL" "status: the controller"
like "$out" "^token uuid:  [0-9a-f-]{36}" "status: the uuid"
unlike "$(grep -v '^{' <<<"$out")" "[0-9a-f]{34}" "status: the token is not shown"
like "$out" '^\{"key":[0-9]+,"url":"https://127.0.0.1:[0-9]+","user":"pjalice"' "status --json"
like "$out" "^silent=0" "status -s: exit 0, nothing printed"
like "$out" "^controller says: accepted" "status --check: the controller accepts it"
out=$(session -- "curl -sf --cacert $CA -u pjalice:\$($TOOL) -d tokenUuid=\$($TOOL -f json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token_uuid\"])') $J_URL/user/pjalice/descriptorByName/jenkins.security.ApiTokenProperty/revoke; $TOOL status --check; echo rc=\$?")
like "$out" "controller says: rejected \(revoked or expired\)" "status --check: a token revoked behind its back is reported"
like "$out" "rc=1" "status --check: exit 1 for a rejected token"

# --- no token -------------------------------------------------------------------------
out=$(as_user pjalice keyctl session - "$TOOL" 2>&1 >/dev/null); rc=$?
is "$rc" 1 "outside a session with a token: exit 1"
like "$out" "no Jenkins token in this session.*" "with the reason"
like "$out" "jenkins-token login" "and the hint"
out=$(as_user pjalice keyctl session - "$TOOL" bogus 2>&1); rc=$?
is "$rc" 2 "an unknown command: exit 2"
out=$(session --no-auth -- "$TOOL; echo rc=\$?" 2>&1)
like "$out" "rc=1" "a session without a password (public key): exit 1"

# --- revoke -----------------------------------------------------------------------------
out=$(session -- "$TOOL revoke; echo revoke=\$?; $TOOL; echo after=\$?" 2>&1)
like "$out" "revoke=0" "revoke: exit 0"
like "$out" "after=1" "after revoke the session has no token"
like "$out" "close_session: PAM_SUCCESS" "and logout still succeeds"
is "$(live_tokens "$J_URL")" 0 "no live token"

# --- login for a session without a token ----------------------------------------------------
printf 'url = %s\nca_file = %s\n' "$J_URL" "$CA" >"$WORK/tool.conf"
chmod 0644 "$WORK/tool.conf"
before=$(double_query "$J_URL" 'len(toks)')
out=$(session --no-auth -- "echo alice-pw | $TOOL login --conf $WORK/tool.conf; echo login=\$?; $TOOL status --check; $TOOL login --conf $WORK/tool.conf </dev/null; echo again=\$?" 2>&1)
like "$out" "login=0" "login: exit 0"
like "$out" "controller says: accepted" "login: the new token works"
like "$out" "already holds a token" "login twice: refused"
is "$(double_query "$J_URL" "len(toks) - $before")" 1 "login minted one token"
for _ in $(seq 1 60); do
    [ "$(live_tokens "$J_URL")" = 0 ] && break
    sleep 0.1
done
is "$(double_query "$J_URL" '[t["status"] for t in toks][-1]')" "revoked" "after logout the login token is revoked"
out=$(session --no-auth -- "echo wrong | $TOOL login --conf $WORK/tool.conf; echo login=\$?" 2>&1)
like "$out" "wrong user name or password" "login with a wrong password: says so"
like "$out" "login=1" "login with a wrong password: exit 1"

# --- login stores what a PAM login stores ----------------------------------------------------
# One mint-and-store (lib/mint.c) for both: the meta key field by field, and
# what status reads from it, are the same; only what names one token
# differs.  token_lifetime on both, and a controller that honours it
# (2.548+), so that expires is compared too.
double "$J_URL" config '{"version": "2.555.1"}' >/dev/null
write_stack "$STACKS" lifetime "$J_URL" token_lifetime=7
printf 'url = %s\nca_file = %s\ntoken_lifetime = 7\n' "$J_URL" "$CA" >"$WORK/tool-lifetime.conf"
chmod 0644 "$WORK/tool-lifetime.conf"
show_keys="echo '<<'; keyctl pipe %user:jenkins:meta; $TOOL status; echo '>>'"
between() { sed -n '/^<<$/,/^>>$/p' | sed '1d;$d'; }
per_token() { # what differs from token to token, masked
    sed -E 's/^(token_uuid|created)=.*/\1=X/; s/^(token uuid|created|key): .*/\1: X/
            s/^token_name=.* #[0-9a-f]{8}$/token_name=N/; s/^token name: .* #[0-9a-f]{8}$/token name: N/'
}
pam_keys=$(printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service lifetime --user pjalice -- "$show_keys" 2>&1 | between)
login_keys=$(session --no-auth -- "echo alice-pw | $TOOL login --conf $WORK/tool-lifetime.conf >/dev/null 2>&1; $show_keys" 2>&1 | between)
like "$pam_keys" "^expires=[0-9]{4}-[0-9]{2}-[0-9]{2}$" "PAM login: the meta key has the expiry"
like "$login_keys" "^created=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$" "jenkins-token login: created in ISO 8601"
like "$login_keys" "^token_name=.* #[0-9a-f]{8}$" "jenkins-token login: a token name unique by its suffix, as the module's"
like "$login_keys" "^token_name=pam_jenkins pjalice@.* jenkins-token " "jenkins-token login: the service in the name is jenkins-token"
is "$(per_token <<<"$login_keys")" "$(per_token <<<"$pam_keys")" "jenkins-token login stores the same meta and status as a PAM login"
for _ in $(seq 1 60); do
    [ "$(live_tokens "$J_URL")" = 0 ] && break
    sleep 0.1
done
is "$(live_tokens "$J_URL")" 0 "both tokens revoked at logout"
double "$J_URL" config '{"version": "2.479.3"}' >/dev/null

# --- login settles a lost answer as open_session does ----------------------------------------
# The controller mints but the reply is cut off: login looks the name up on
# the token page with the password and revokes it (it used to leave it live).
before=$(live_tokens "$J_URL" pjalice)
double "$J_URL" config '{"faults": [{"mode": "huge_after_generate", "path": "generateNewToken"}]}' >/dev/null
out=$(session --no-auth -- "echo alice-pw | $TOOL login --conf $WORK/tool.conf; echo login=\$?; $TOOL status -s; echo status=\$?" 2>&1)
double "$J_URL" config '{"faults": []}' >/dev/null
like "$out" "login=4" "login, reply cut off after the mint: exit 4"
like "$out" "minted token \"pam_jenkins pjalice@[^\"]* jenkins-token [^\"]*\" \([0-9a-f-]+\) for pjalice after all; revoked it" \
    "login, reply cut off: says the token was found and revoked"
like "$out" "status=1" "login, reply cut off: no token in the session"
is "$(live_tokens "$J_URL" pjalice)" "$before" "login, reply cut off: no token left live"

# --- the watcher revokes the token when it is stopped ---------------------------------------
# No journal holds a login token (the tool runs as the user; the journal is
# root's): a SIGTERM to its watcher (logind's KillUserProcesses, a
# shutdown, a kill) revokes it at once, while the session still lasts.
cp "$WORK/tool.conf" "$WORK/tool-term.conf"
out=$(session --no-auth -- "echo alice-pw | $TOOL login --conf $WORK/tool-term.conf 2>/dev/null; tok=\$($TOOL)
echo before=\$(curl -s -o /dev/null -w '%{http_code}' --cacert $CA -u pjalice:\$tok $WHO)
kill -TERM \$(pgrep -u pjalice -f -- '^$TOOL login --conf $WORK/tool-term.conf\$')
for _ in \$(seq 1 50); do
    code=\$(curl -s -o /dev/null -w '%{http_code}' --cacert $CA -u pjalice:\$tok $WHO)
    [ \"\$code\" = 401 ] && break
    sleep 0.1
done
echo after=\$code; $TOOL status -s; echo status=\$?" 2>&1)
like "$out" "before=200" "login token: accepted while its watcher runs"
like "$out" "after=401" "SIGTERM to the watcher: the token is revoked on the controller"
like "$out" "status=1" "and its keys are gone from the session"

out=$("$TOOL" --version)
like "$out" "^jenkins-token \(pam_jenkins\) [0-9.]+" "--version"
like "$("$TOOL" --help)" "^usage: jenkins-token" "--help"

# --- the recipes of the README and jenkins-token(1), verbatim -------------------------------
# In a session without export_env, against a controller with a private CA
# (the stack's ca_file): each line runs as written, in order; a line whose
# program is not installed here (java for jenkins-cli, jenkins-jobs) is a
# counted skip.  The double serves no jenkins-cli.jar: those recipes run
# against a real controller only.
recipes() { # FILE: the sh block after "Using the token", or the EXAMPLES of the man page
    case $1 in
    *README.md) sed -n '/^## Using the token/,/^Formats/p' "$1" | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' ;;
    *) sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$1" | sed -n '/^\.nf$/,/^\.fi$/p' | sed '1d;$d' ;;
    esac
}
mkdir -p "$WORK/recipes"; chmod 1777 "$WORK/recipes"
for doc in "$top_srcdir/README.md" "$top_srcdir/man/jenkins-token.1.in"; do
    n=0
    while IFS= read -r line; do
        n=$((n + 1))
        cmd=${line%%#*}
        case $cmd in
        *jenkins-cli.jar*)
            ok 0 "$(basename "$doc") recipe $n: $cmd # SKIP only a real controller serves jenkins-cli.jar"
            continue ;;
        *jenkins-jobs*)
            command -v jenkins-jobs >/dev/null || { ok 0 "$(basename "$doc") recipe $n: $cmd # SKIP jenkins-jobs is not installed here"; continue; } ;;
        esac
        { echo 'set -e'; recipes "$doc" | head -n "$n" | grep -E '^eval ' || true; echo "$line"; } >"$WORK/recipe.sh"
        chmod 0644 "$WORK/recipe.sh"
        out=$(session -- "PATH=$TOOLDIR:\$PATH bash $WORK/recipe.sh >/dev/null 2>$WORK/recipes/err; echo rc=\$?; sed 's/^/err: /' $WORK/recipes/err" 2>&1)
        like "$out" "^rc=0$" "$(basename "$doc") recipe $n runs as written: ${cmd%"${cmd##*[![:space:]]}"}"
    done < <(recipes "$doc")
done

# --- every format read back by its consumer, with ids and tokens full of syntax ----------
# The keys are made by hand in a session keyring of the user's own (a login
# could only give ids and tokens the controller has; these are what an
# LDAP realm's ids and any future token may hold), and the double knows the
# id with the "token" as its password, so that the controller itself says
# whether a consumer read back exactly what the tool wrote.
nl='
'
ID=$(printf 'a'"'"'b"c$d;e\\f gü')
TOKEN=$(printf 't'"'"'o"k$e;n\\ x\t$(touch pwned)') # then a newline, and more shell
TOKEN="$TOKEN$nl'; touch pwned2; '\\"
ID2=$(printf 'a'"'"'b$c;d\\e')    # nothing netrc cannot carry
TOKEN2=$(printf 't'"'"'o$k;e\\n:x') # a backslash and an n, not a newline
double "$J_URL" users "$(python3 -c 'import json,sys; print(json.dumps({sys.argv[1]: {"password": sys.argv[2]}, sys.argv[3]: {"password": sys.argv[4]}}))' "$ID" "$TOKEN" "$ID2" "$TOKEN2")" >/dev/null
URL="$J_URL/ctx';\$(touch pwned3)"
# fmt_dir NAME ID TOKEN [URL]: a directory with the keys' payloads and the
# script that runs every consumer inside the session.
fmt_dir() {
    local d=$WORK/fmt-$1
    mkdir -p "$d"
    printf '%s' "$3" >"$d/token"
    printf 'url=%s\nuser=%s\ntoken_name=hand made\ntoken_uuid=0000-1111\nca_file=%s\n' "${4:-$URL}" "$2" "$CA" >"$d/meta"
    cat >"$d/run.sh" <<EOF
JT=$TOOL
eval "\$(\$JT -f env)"; echo \$? >env.rc
printf '%s' "\$JENKINS_USER_ID" >env.id; printf '%s' "\$JENKINS_API_TOKEN" >env.token; printf '%s' "\$JENKINS_URL" >env.url
sh -c 'printf %s "\${JENKINS_API_TOKEN-unset}"' >env.child
unset JENKINS_API_TOKEN
eval "\$(\$JT -f env-no-export)"
printf '%s' "\$JENKINS_API_TOKEN" >noexport.token
sh -c 'printf %s "\${JENKINS_API_TOKEN-unset}"' >noexport.child
bash -c 'eval "\$(\$0 -f env)"; printf %s "\$JENKINS_API_TOKEN"' \$JT >bash.token
\$JT -f curl | curl -s --cacert $CA -K - $J_URL/whoAmI/api/json >curl.json
\$JT -f netrc >netrc; echo \$? >netrc.rc
chmod 600 netrc; curl -s --cacert $CA --netrc-file netrc $J_URL/whoAmI/api/json >netrc.json
\$JT -f json >json; echo \$? >json.rc
EOF
    chmod 0755 "$d"; chmod 0644 "$d"/*
    chown pjalice "$d"
    as_user pjalice keyctl session - sh -c 'keyctl padd user jenkins:token @s <"$1/token" >/dev/null &&
        keyctl padd user jenkins:meta @s <"$1/meta" >/dev/null && cd "$1" && sh ./run.sh' sh "$d" 2>/dev/null
}
same() { cmp -s "$1" <(printf '%s' "$2"); }
whoami_name() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$1" 2>/dev/null; }

fmt_dir hostile "$ID" "$TOKEN"
d=$WORK/fmt-hostile
same "$d/env.id" "$ID" && same "$d/env.token" "$TOKEN" && same "$d/env.url" "$URL"
ok $? "-f env: sh's eval gives back the id, the token (newline and all) and the url exactly"
is "$(cat "$d/env.child")" "$TOKEN" "-f env: exported to the commands the shell runs"
same "$d/noexport.token" "$TOKEN" && same "$d/noexport.child" unset
ok $? "-f env-no-export: the same value, not exported"
same "$d/bash.token" "$TOKEN"; ok $? "-f env: bash's eval gives back the token exactly"
[ ! -e "$d/pwned" ] && [ ! -e "$d/pwned2" ] && [ ! -e "$d/pwned3" ]
ok $? "-f env: no \$(...), quote or ; in a value ran anything"
is "$(whoami_name "$d/curl.json")" "$ID" "-f curl: curl -K - sent exactly id:token (the controller accepted it)"
is "$(cat "$d/netrc.rc"):$(wc -c <"$d/netrc")" "3:0" "-f netrc: an id with a space and a quote is refused (exit 3), nothing written"
python3 -c 'import json,sys
d = json.load(open(sys.argv[1] + "/json"))
sys.exit(0 if [d["user"], d["token"], d["url"], d["token_name"]] == sys.argv[2:] else 1)' "$d" "$ID" "$TOKEN" "$URL" "hand made"
ok $? "-f json: Python's json module reads back the id, the token and the url exactly"

# A url curl takes apart (netrc needs its host): the one above it does not.
fmt_dir netrc "$ID2" "$TOKEN2" "$J_URL/"
d=$WORK/fmt-netrc
is "$(cat "$d/netrc.rc")" 0 "-f netrc: an id and token with ', \$, ;, \\ and : are written"
is "$(whoami_name "$d/netrc.json")" "$ID2" "-f netrc: curl --netrc-file sent exactly them (the controller accepted it)"
is "$(whoami_name "$d/curl.json")" "$ID2" "-f curl: and so does curl -K -"
fmt_dir netrc-space "$ID2" "t o" "$J_URL/"
is "$(cat "$WORK/fmt-netrc-space/netrc.rc"):$(wc -c <"$WORK/fmt-netrc-space/netrc")" "3:0" \
    "-f netrc: a token with a space is refused (exit 3), nothing written"
fmt_dir netrc-utf8 "${ID2}ü" "$TOKEN2" "$J_URL/"
is "$(cat "$WORK/fmt-netrc-utf8/netrc.rc"):$(wc -c <"$WORK/fmt-netrc-utf8/netrc")" "3:0" \
    "-f netrc: a non-ASCII id is refused (curl 8.14 would drop it), nothing written"
fmt_dir netrc-hash "#$ID2" "$TOKEN2" "$J_URL/"
is "$(cat "$WORK/fmt-netrc-hash/netrc.rc")" 3 "-f netrc: an id netrc would read as a comment (#...) is refused"
