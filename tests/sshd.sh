#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# End to end: a real sshd (Debian's openssh-server) on a loopback port with
# its own configuration and host key, real users, sshpass for the password;
# PasswordAuthentication and KbdInteractiveAuthentication, concurrent
# sessions, and a public-key login.  Against the Jenkins test double, or a
# real Jenkins when JENKINS_TEST_URL is set (see README).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root
command -v sshpass >/dev/null && [ -x /usr/sbin/sshd ] || { echo "1..0 # SKIP sshd or sshpass missing (scripts/install-deps)"; trap - EXIT; exit 0; }

start_syslog
start_double J
test_users "$J_URL" pjalice "alice ssh pw" pjbob bob-ssh-pw
TOOLDIR=$(dirname "$TOOL")
SHARED=$WORK/shared; mkdir -p "$SHARED"; chmod 1777 "$SHARED"

# The test stack is a PAM service of its own in the suite's private /etc;
# test_sshd (tests/lib.sh) makes sshd use it, on OpenSSH 8.4 to 10.
SERVICE=pjtest-sshd
ssh-keygen -q -t ed25519 -N '' -f "$WORK/client_key"
mkdir -p "$WORK/authorized_keys"
cp "$WORK/client_key.pub" "$WORK/authorized_keys/pjalice"
chmod 0755 "$WORK/authorized_keys"; chmod 0644 "$WORK/authorized_keys/pjalice"
args="url=$J_URL ca_file=$CA journal_dir=$WORK/journal conf=$WORK/empty.conf export_env"
: >"$WORK/empty.conf"
mkdir -p "$WORK/journal"; chmod 0700 "$WORK/journal"
cat >/etc/pam.d/$SERVICE <<EOS
auth     required $MODULE $args
account  required pam_permit.so
session  optional pam_keyinit.so force revoke
session  required $MODULE $args
EOS

SSHD_PID=""
start_sshd() { # start_sshd password|kbdint
    stop_sshd
    sshd_config_for "$WORK/sshd_config" \
        "PasswordAuthentication $([ "$1" = password ] && echo yes || echo no)" \
        "KbdInteractiveAuthentication $([ "$1" = kbdint ] && echo yes || echo no)" \
        "PubkeyAuthentication yes" "AuthorizedKeysFile $WORK/authorized_keys/%u" \
        "StrictModes no" "LogLevel VERBOSE"
    test_sshd "$SERVICE" "$WORK/sshd_config"
    # As systemd starts it (KeyringMode=private): sshd and every process it
    # forks share one session keyring for as long as the service runs, so a
    # handoff key the module forgets outlives the login in it.
    keyctl session - "$SSHD" -f "$WORK/sshd_config" -E "$WORK/sshd.log" 2>"$WORK/ring.msg"
    RING=$(sed -n 's/^Joined session keyring: //p' "$WORK/ring.msg")
    for _ in $(seq 1 100); do [ -s "$WORK/sshd.pid" ] && break; sleep 0.05; done
    SSHD_PID=$(cat "$WORK/sshd.pid")
}
# ring_handoff USER: "LIVE REVOKED": the handoff keys for USER linked in
# sshd's session keyring (a revoked key stays listed until the kernel
# collects it, minutes later: it shows that there was one).
ring_handoff() {
    local k line live=0 revoked=0
    for k in $(keyctl rlist "$RING" 2>/dev/null); do
        line=$(awk -v k="$(printf '%08x' "$k")" '$1 == k' /proc/keys)
        case $line in *" pam_jenkins:handoff:"*":$1:"*) ;; *) continue ;; esac
        if [ "$(awk '{ print $2 }' <<<"$line" | tr -cd R)" = R ]; then
            revoked=$((revoked + 1))
        else
            live=$((live + 1))
        fi
    done
    echo "$live $revoked"
}
stop_sshd() {
    [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
    rm -f "$WORK/sshd.pid"
    SSHD_PID=""
}
at_exit 'stop_sshd'

SSH_OPTS="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10"
ssh_pw() { # ssh_pw USER PASSWORD METHOD COMMAND
    printf '%s\n' "$2" >"$WORK/pw"
    sshpass -f "$WORK/pw" ssh $SSH_OPTS -o PubkeyAuthentication=no \
        -o PreferredAuthentications="$3" -p "$PORT" "$1@127.0.0.1" "$4"
}
wait_revoked() { # wait until no live token of USER remains
    for _ in $(seq 1 100); do
        [ "$(live_tokens "$J_URL" "$1")" = 0 ] && return 0
        sleep 0.1
    done
    return 1
}
INSIDE="export PATH=$TOOLDIR:/usr/bin:/bin
jenkins-token status
echo whoami: \$(curl -sf --cacert $CA -u \"\$JENKINS_USER_ID:\$(jenkins-token)\" \${JENKINS_URL}whoAmI/api/json)
echo keyring: \$(keyctl rdescribe @s)
env | grep -c -E 'JENKINS_API_TOKEN|PAM_JENKINS' | sed 's/^/leaked-env: /'"

for method in password kbdint; do
    start_sshd "$method"
    pref=$([ "$method" = password ] && echo password || echo keyboard-interactive)
    double "$J_URL" reset >/dev/null
    out=$(ssh_pw pjalice "alice ssh pw" "$pref" "$INSIDE" 2>&1)
    like "$out" "^controller:  $J_URL" "$method: the ssh session holds a token"
    like "$out" 'whoami: .*"name":"pjalice"' "$method: curl with the token answers as the user"
    like "$out" "^keyring: keyring;$(id -u pjalice);" "$method: in a per-login keyring owned by the user"
    like "$out" "^leaked-env: 0" "$method: neither the token nor the handoff serial reached the environment"
    like "$(ring_handoff pjalice)" "^0 [1-9]" "$method: the login's handoff key, made in sshd's session keyring, is revoked"
    wait_revoked pjalice; ok $? "$method: after logout the token is revoked"
    if [ "$method" = password ]; then
        is "$(double_query "$J_URL" '[r["path"].split("/")[-1] for r in reqs if r["auth"] == "pjalice" and r["via"] == "password"], len(set(r["conn"] for r in reqs if r.get("via") == "password"))')" \
           "['json', 'generateNewToken'] 1" "password: the login cost 2 requests on 1 connection"
    else
        is "$(double_query "$J_URL" '[r["path"].split("/")[-1] for r in reqs if r.get("via") == "password"]')" \
           "['json', 'generateNewToken']" "kbdint: the forked auth handed its crumb to the session (2 requests)"
    fi
    is "$(double_query "$J_URL" '[r["path"].split("/")[-1] for r in reqs if r.get("via") == "token" and r["method"] == "POST"]')" \
       "['revoke']" "$method: the logout cost 1 request"
    out=$(ssh_pw pjalice "wrong" "$pref" true 2>&1); rc=$?
    [ "$rc" -ne 0 ]; ok $? "$method: a wrong password is refused"
done
is "$(live_handoff_keys pjalice)" 0 "no handoff key is left in root's keyring"

# --- two concurrent sessions of one user ---------------------------------------------------
start_sshd password
ssh_pw pjalice "alice ssh pw" password "keyctl search @s user jenkins:token >$SHARED/a.serial; $TOOLDIR/jenkins-token -f json >$SHARED/a.json; sleep 3" &
a=$!
for _ in $(seq 1 100); do [ -s "$SHARED/a.json" ] && break; sleep 0.05; done
out=$(ssh_pw pjalice "alice ssh pw" password "$TOOLDIR/jenkins-token -f json >$SHARED/b.json; keyctl print \$(cat $SHARED/a.serial) 2>&1" 2>&1)
like "$out" "Permission denied" "a second session of the same user cannot read the first one's key"
wait "$a"
ua=$(python3 -c "import json; print(json.load(open('$SHARED/a.json'))['token_uuid'])")
ub=$(python3 -c "import json; print(json.load(open('$SHARED/b.json'))['token_uuid'])")
[ -n "$ua" ] && [ -n "$ub" ] && [ "$ua" != "$ub" ]; ok $? "two concurrent sessions hold two different tokens"
wait_revoked pjalice; ok $? "both revoked after logout"

# --- a public-key login ---------------------------------------------------------------------------
before=$(double_query "$J_URL" 'len(toks)')
out=$(ssh $SSH_OPTS -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -i "$WORK/client_key" \
      -p "$PORT" pjalice@127.0.0.1 "echo logged-in; $TOOLDIR/jenkins-token; echo rc=\$?" 2>&1)
like "$out" "^logged-in" "a public-key login still works"
like "$out" "^rc=1" "and gets no token (jenkins-token exits 1)"
is "$(double_query "$J_URL" 'len(toks)')" "$before" "nothing was minted for it"
stop_sshd
# What sshd said, where the TAP log keeps it, when something failed.
[ "$_tap_failed" -eq 0 ] || tail -40 "$WORK/sshd.log" | sed 's/^/# sshd: /'
