# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Shared by debian/tests/pam-lifecycle (autopkgtest) and scripts/check-packages
# (sourced, not run): logins through the INSTALLED packages, the way an admin
# sets them up.  The Jenkins test double from the source tree over HTTPS with
# a throwaway CA, a local account whose password Jenkins also knows,
# /etc/security/pam_jenkins.conf pointing at the double, and Debian's own
# sshd with Debian's own /etc/pam.d/sshd on a loopback port of its own.
# Everything is put back on exit: the account, the configuration file, the
# profile's state, the processes.  Run from the top of the source tree.

set -u
PJ_CONF=/etc/security/pam_jenkins.conf
PJ_JOURNAL=/var/lib/pam_jenkins
PJ_SRC=$(pwd)
PJ_TMP=$(mktemp -d "${AUTOPKGTEST_TMP:-/tmp}/pj-pkgtest.XXXXXX")
chmod 0755 "$PJ_TMP"
PJ_USER=pjpkg$$
PJ_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

_pj_count=0
_pj_failed=0
ok() { # ok STATUS DESCRIPTION
    _pj_count=$((_pj_count + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $_pj_count - $2"
    else
        echo "not ok $_pj_count - $2"
        _pj_failed=$((_pj_failed + 1))
    fi
}
is() { # is GOT EXPECTED DESCRIPTION
    [ "$1" = "$2" ]
    ok $? "$3"
    [ "$1" = "$2" ] || printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
}
like() { # like TEXT PATTERN(grep -E) DESCRIPTION
    printf '%s\n' "$1" | grep -Eq -- "$2"
    ok $? "$3"
    printf '%s\n' "$1" | grep -Eq -- "$2" ||
        { printf '%s\n' "$1" | sed 's/^/#   | /' | head -30; printf '#   wanted: %s\n' "$2"; }
}
diag() { printf '# %s\n' "$*"; }
bail() { echo "Bail out! $*"; exit 1; }

_pj_double_pid=""
_pj_sshd_pid=""
_pj_created_user=""
_pj_conf_saved=""
_pj_enabled_profile=""
pj_cleanup() {
    [ -n "$_pj_sshd_pid" ] && kill "$_pj_sshd_pid" 2>/dev/null
    [ -n "$_pj_double_pid" ] && kill "$_pj_double_pid" 2>/dev/null
    # Only what is still there: a test may have purged the package.
    if [ -n "$_pj_enabled_profile" ] && [ -e /usr/share/pam-configs/jenkins ]; then
        DEBIAN_FRONTEND=noninteractive pam-auth-update --disable jenkins
    fi
    if [ -n "$_pj_conf_saved" ] && [ -e "$PJ_CONF" ]; then
        cat "$PJ_TMP/pam_jenkins.conf.saved" >"$PJ_CONF"
    fi
    if [ -n "$_pj_created_user" ]; then
        # userdel refuses while the account has processes (a session's
        # shell outlives a killed sshd for a moment).
        pkill -KILL -u "$_pj_created_user" 2>/dev/null
        pj_wait_for "pgrep -u $_pj_created_user" ""
        userdel -r "$_pj_created_user" 2>/dev/null ||
            echo "# could not remove the account $_pj_created_user"
    fi
    rm -rf "$PJ_TMP"
}
# The EXIT trap: an EXIT trap's own status is not the script's, so exit.
pj_finish() {
    pj_cleanup
    echo "1..$_pj_count"
    [ "$_pj_failed" -eq 0 ] && [ "$_pj_count" -gt 0 ] && exit 0
    exit 1
}

# pj_start_double: the Jenkins test double on 127.0.0.1 over HTTPS, knowing
# PJ_USER with PJ_PASSWORD.  Sets PJ_URL and PJ_CA.
pj_start_double() {
    "$PJ_SRC/tests/mkcerts.sh" "$PJ_TMP/certs" || bail "cannot make the test CA"
    PJ_CA=$PJ_TMP/certs/ca.pem
    python3 "$PJ_SRC/tests/jenkins_double.py" --port-file "$PJ_TMP/double.port" \
        --tls "$PJ_TMP/certs/server.pem" "$PJ_TMP/certs/server.key" \
        --users "$PJ_USER:$PJ_PASSWORD" >"$PJ_TMP/double.log" 2>&1 &
    _pj_double_pid=$!
    local _
    for _ in $(seq 1 100); do [ -s "$PJ_TMP/double.port" ] && break; sleep 0.05; done
    [ -s "$PJ_TMP/double.port" ] || { cat "$PJ_TMP/double.log"; bail "the test double did not start"; }
    PJ_URL=https://127.0.0.1:$(cat "$PJ_TMP/double.port")/
}

# pj_double VERB [JSON]: the double's introspection endpoint.
pj_double() {
    if [ $# -ge 2 ]; then
        curl -sf --cacert "$PJ_CA" -X POST -H 'Content-Type: application/json' \
            --data "$2" "${PJ_URL}__double__/$1"
    else
        curl -sf --cacert "$PJ_CA" "${PJ_URL}__double__/$1"
    fi
}
# pj_tokens: one line per token the double minted: "uuid status revoked_by".
pj_tokens() {
    pj_double state | python3 -c 'import json, sys
for t in json.load(sys.stdin)["tokens"]:
    print(t["uuid"], t["status"], t["revoked_by"])'
}

# pj_account: a local account whose password Jenkins knows too (the profile
# runs pam_jenkins after pam_unix with use_first_pass).
pj_account() {
    id "$PJ_USER" >/dev/null 2>&1 && bail "account $PJ_USER exists already"
    useradd -m -s /bin/sh "$PJ_USER" || bail "cannot create $PJ_USER"
    _pj_created_user=$PJ_USER
    printf '%s:%s\n' "$PJ_USER" "$PJ_PASSWORD" | chpasswd || bail "cannot set the password"
}

# pj_configure: /etc/security/pam_jenkins.conf pointing at the double, as
# an admin would write it; the packaged file comes back on exit.
pj_configure() {
    cp "$PJ_CONF" "$PJ_TMP/pam_jenkins.conf.saved" || bail "no $PJ_CONF"
    _pj_conf_saved=1
    printf 'url = %s\nca_file = %s\nconnect_timeout = 5\ntimeout = 10\n' \
        "$PJ_URL" "$PJ_CA" >"$PJ_CONF"
}

# pj_enable_profile: pam-auth-update --enable jenkins, disabled again on exit
# unless it was enabled before.
pj_enable_profile() {
    grep -q pam_jenkins /etc/pam.d/common-auth || _pj_enabled_profile=1
    DEBIAN_FRONTEND=noninteractive pam-auth-update --enable jenkins ||
        bail "pam-auth-update --enable jenkins failed"
}

# pj_start_sshd: Debian's sshd, PAM service "sshd" (Debian's /etc/pam.d/sshd
# with its pam_keyinit line and @include common-*), passwords only.
pj_start_sshd() {
    PJ_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    ssh-keygen -q -t ed25519 -N '' -f "$PJ_TMP/host_key" || bail "ssh-keygen failed"
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
    cat >"$PJ_TMP/sshd_config" <<EOF
Port $PJ_PORT
ListenAddress 127.0.0.1
HostKey $PJ_TMP/host_key
PidFile $PJ_TMP/sshd.pid
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
PermitRootLogin no
LogLevel VERBOSE
EOF
    /usr/sbin/sshd -f "$PJ_TMP/sshd_config" -E "$PJ_TMP/sshd.log" || bail "sshd did not start"
    local _
    for _ in $(seq 1 100); do [ -s "$PJ_TMP/sshd.pid" ] && break; sleep 0.05; done
    _pj_sshd_pid=$(cat "$PJ_TMP/sshd.pid" 2>/dev/null)
    [ -n "$_pj_sshd_pid" ] || { cat "$PJ_TMP/sshd.log"; bail "sshd did not start"; }
}

# pj_ssh COMMAND: log in as PJ_USER with PJ_PASSWORD and run COMMAND, its
# stderr into its stdout (ssh carries them apart, and they would interleave
# anywhere, even inside a line).
pj_ssh() {
    printf '%s\n' "$PJ_PASSWORD" >"$PJ_TMP/ssh.pw"
    sshpass -f "$PJ_TMP/ssh.pw" ssh -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 \
        -o PubkeyAuthentication=no -o PreferredAuthentications=password \
        -p "$PJ_PORT" "$PJ_USER@127.0.0.1" "exec 2>&1; $1"
}

# pj_wait_for COMMAND EXPECTED: until COMMAND prints EXPECTED (logout is
# asynchronous: sshd closes the session after the client is gone).
pj_wait_for() {
    local _
    for _ in $(seq 1 100); do
        [ "$(eval "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

pj_journal_entries() { find "$PJ_JOURNAL" -mindepth 1 2>/dev/null | wc -l; }
