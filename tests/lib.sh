# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Shared helpers for the shell test suites (sourced, not run).  They speak
# TAP, start the services a test needs and stop them again on exit.
#
# Environment from make check: top_srcdir, top_builddir (see Makefile.am).
# PJ_VALGRIND=1 runs pam-app and pj-client under valgrind.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

# A suite that runs as root runs in a private host (tests/private-host):
# its accounts, PAM services, /dev/log and login records live in a mount
# namespace of its own and are gone when it ends.  Where no mount namespace
# can be made (a container without CAP_SYS_ADMIN), need_root skips.
if [ "$(id -u)" = 0 ] && [ -z "${PJ_PRIVATE_HOST:-}" ]; then
    if unshare --mount true 2>/dev/null; then
        exec "$BASH" "$top_srcdir/tests/private-host" "$BASH" "$0" "$@"
    fi
    PJ_PRIVATE_HOST=unavailable
fi

TESTS_DIR=$top_srcdir/tests
PAM_APP=$top_builddir/tests/pam-app
PJ_CLIENT=$top_builddir/tests/pj-client
MODULE=$top_builddir/pam_module/.libs/pam_jenkins.so
TOOL=$top_builddir/tool/jenkins-token

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pj-test.XXXXXX")
chmod 0755 "$WORK"
CERTS=${PJ_CERTS:-$top_builddir/tests/certs}
"$TESTS_DIR/mkcerts.sh" "$CERTS"
CA=$CERTS/ca.pem
# The test accounts run the tool and read the CA inside their sessions; a
# build tree they cannot reach (a clone in /root, mode 0700, as root is
# told to run the suites) would fail them, so they get copies in $WORK.
mkdir -p "$WORK/bin"
if [ -x "$TOOL" ]; then
    cp "$TOOL" "$WORK/bin/"
    TOOL=$WORK/bin/jenkins-token
fi
cp "$CA" "$WORK/ca.pem"
CA=$WORK/ca.pem

_tap_count=0
_tap_failed=0
_cleanups=""

ok() { # ok CONDITION-STATUS DESCRIPTION
    _tap_count=$((_tap_count + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $_tap_count - $2"
    else
        echo "not ok $_tap_count - $2"
        _tap_failed=$((_tap_failed + 1))
    fi
}

is() { # is GOT EXPECTED DESCRIPTION
    if [ "$1" = "$2" ]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
    fi
}

like() { # like TEXT PATTERN(grep -E) DESCRIPTION
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        ok 0 "$3"
    else
        ok 1 "$3"
        printf '%s\n' "$1" | sed 's/^/#   | /' | head -40
        printf '#   wanted: %s\n' "$2"
    fi
}

unlike() { # unlike TEXT PATTERN DESCRIPTION
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        ok 1 "$3"
        printf '%s\n' "$1" | grep -E -- "$2" | sed 's/^/#   | /' | head -10
    else
        ok 0 "$3"
    fi
}

diag() { printf '# %s\n' "$*"; }

at_exit() { _cleanups="$*; $_cleanups"; }

_finish() {
    eval "$_cleanups" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    echo "1..$_tap_count"
    [ "$_tap_failed" -eq 0 ]
}
trap '_finish' EXIT
trap 'exit 1' INT TERM

need_root() {
    local why=""
    if [ "$(id -u)" != 0 ]; then
        why="needs root (test users, keyrings, sshd)"
    elif [ "${PJ_PRIVATE_HOST:-}" != 1 ]; then
        why="no private mount namespace (unshare -m needs CAP_SYS_ADMIN)"
    fi
    if [ -n "$why" ]; then
        echo "1..0 # SKIP $why"
        trap - EXIT
        rm -rf "$WORK"
        exit 0
    fi
}

# --- the Jenkins test double ---------------------------------------------

# start_double NAME [args...]: starts it, sets <NAME>_URL and <NAME>_PID.
start_double() {
    local name=$1 scheme=https portfile
    shift
    portfile=$WORK/$name.port
    case " $* " in *" --plain "*) scheme=http ;; esac
    set -- $(printf '%s\n' "$@" | grep -v '^--plain$')
    if [ "$scheme" = https ]; then
        set -- --tls "$CERTS/server.pem" "$CERTS/server.key" "$@"
    fi
    python3 "$TESTS_DIR/jenkins_double.py" --port-file "$portfile" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    eval "${name}_PID=$!"
    at_exit "kill $! 2>/dev/null"
    local i
    for i in $(seq 1 100); do
        [ -s "$portfile" ] && break
        sleep 0.05
    done
    [ -s "$portfile" ] || { echo "Bail out! the Jenkins test double did not start"; cat "$WORK/$name.err"; exit 1; }
    eval "${name}_URL=$scheme://127.0.0.1:$(cat "$portfile")"
}

# double URL VERB [JSON]: talk to the introspection endpoint.
double() {
    local url=$1 what=$2
    if [ $# -ge 3 ]; then
        # On stdin, not argv: the JSON may hold a test password.
        printf '%s' "$3" | curl -sf --cacert "$CA" -X POST -H 'Content-Type: application/json' \
            --data-binary @- "$url/__double__/$what"
    elif [ "$what" = state ]; then
        curl -sf --cacert "$CA" "$url/__double__/state"
    else
        curl -sf --cacert "$CA" -X POST "$url/__double__/$what"
    fi
}

# double_users URL USER PASSWORD [USER PASSWORD...]: the controller's
# accounts, replacing any it had.  The passwords go through pipes, never argv.
double_users() {
    local url=$1
    shift
    double "$url" users "$(printf '%s\n' "$@" | python3 -c 'import json, sys
w = sys.stdin.read().split("\n")[:-1]
print(json.dumps({w[i]: {"password": w[i + 1]} for i in range(0, len(w), 2)}))')" >/dev/null
}

# test_users URL USER PASSWORD [USER PASSWORD...]: local test accounts
# (ensure_user) that the controller at URL knows with these passwords.
test_users() {
    local url=$1
    shift
    double_users "$url" "$@"
    while [ $# -ge 2 ]; do
        ensure_user "$1"
        shift 2
    done
}

# jq-like queries without jq: double_query URL 'python expression on d'
double_query() {
    double "$1" state | python3 -c "import json,sys
d=json.load(sys.stdin)
toks=d['tokens']; reqs=d['requests']
print($2)"
}

# --- valgrind ----------------------------------------------------------------

# The suppressions (leaks of the libraries under us, named in the file), in
# $WORK: the tool runs as the test accounts, who may not reach the sources.
VALGRIND_SUPP=$WORK/valgrind.supp
cp "$TESTS_DIR/valgrind.supp" "$VALGRIND_SUPP"
VALGRIND=""
if [ "${PJ_VALGRIND:-0}" = 1 ]; then
    # Writable by the test users too: the tool runs as them.
    mkdir -p "$WORK/valgrind"
    chmod 1777 "$WORK/valgrind"
    VALGRIND="valgrind -q --suppressions=$VALGRIND_SUPP --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$WORK/valgrind/%p.log"
fi

# The ASan build (scripts/check, PJ_SANITIZED=1): LeakSanitizer gets the
# suppressions for leaks of the libraries we test against, nothing of ours.
# A copy in $WORK: the tool runs as the test accounts, too.  Full stacks at
# every allocation: Debian's libraries (libpam) have no frame pointers, so
# the fast unwinder stops inside them, before the call a suppression names
# (measured on Debian 11: the ASan suites take about 13% longer).
if [ "${PJ_SANITIZED:-0}" = 1 ]; then
    cp "$TESTS_DIR/lsan.supp" "$WORK/lsan.supp"
    export LSAN_OPTIONS="suppressions=$WORK/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
fi

valgrind_clean() { # asserts no valgrind report was written
    [ -n "$VALGRIND" ] || return 0
    local reports
    reports=$(cat "$WORK"/valgrind/*.log 2>/dev/null)
    is "$reports" "" "valgrind: no errors and no leaks"
}

# --- users and PAM stacks ---------------------------------------------------

# ensure_user NAME: a local account for the tests, made in this suite's
# private /etc and /home (tests/private-host), so that it leaves nothing on
# the host and never meets another run's account of the same name.  One the
# host already has is replaced here: its home is not in this /home, and its
# uid is not from this run's range.
ensure_user() {
    [ "${PJ_PRIVATE_HOST:-}" = 1 ] || { echo "Bail out! no private /etc: test accounts are never made on the host"; exit 1; }
    if id "$1" >/dev/null 2>&1; then
        userdel "$1" >/dev/null 2>&1
    fi
    useradd -m -s /bin/bash "$1" >/dev/null 2>&1
    id "$1" >/dev/null 2>&1 || { echo "Bail out! cannot create user $1"; exit 1; }
}

# write_stack DIR SERVICE URL [extra module args...]: a PAM stack in DIR
# with pam_keyinit first in the session stack, as the README tells admins.
write_stack() {
    local dir=$1 service=$2 url=$3
    shift 3
    mkdir -p "$dir" "$WORK/journal"
    chmod 0700 "$WORK/journal"
    local args="url=$url ca_file=$CA journal_dir=$WORK/journal conf=$WORK/empty.conf connect_timeout=2 timeout=4 $*"
    : >"$WORK/empty.conf"
    cat >"$dir/$service" <<EOF
auth     required $MODULE $args
account  required pam_permit.so
session  optional pam_keyinit.so force revoke
session  required $MODULE $args
EOF
}

# test_sshd SERVICE CONFIG: sets SSHD to the sshd to start with -f CONFIG
# so that it authenticates through the PAM service SERVICE, the suite's own
# /etc/pam.d/SERVICE (in the private /etc), and never the system's sshd
# stack.  OpenSSH 10 takes the service from PAMServiceName (default sshd);
# older ones from the program's name, so there SSHD is a link of that name.
# The private copy of the system's "sshd" service refuses everyone, so a
# login through the wrong stack fails loudly instead of passing unseen.
test_sshd() {
    local service=$1 config=$2
    [ "${PJ_PRIVATE_HOST:-}" = 1 ] || { echo "Bail out! no private /etc for the sshd PAM services"; exit 1; }
    printf '%s requisite pam_deny.so\n' auth account session password >/etc/pam.d/sshd
    { cat "$config"; echo "PAMServiceName $service"; } >"$WORK/sshd_probe"
    if /usr/sbin/sshd -t -f "$WORK/sshd_probe" >/dev/null 2>&1; then
        echo "PAMServiceName $service" >>"$config"
        SSHD=/usr/sbin/sshd
    else
        mkdir -p "$WORK/sbin"
        ln -sf /usr/sbin/sshd "$WORK/sbin/$service"
        SSHD=$WORK/sbin/$service
    fi
}

# sshd_config_for FILE [LINE...]: an sshd configuration in FILE for a test
# sshd on a free loopback port (sets PORT) with the suite's own host key,
# PAM on and root refused, then LINEs.  sshd takes the first value it reads
# of a keyword, so a LINE cannot override these.
sshd_config_for() {
    local file=$1
    shift
    [ -s "$WORK/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_key"
    PORT=$(free_port)
    printf '%s\n' "Port $PORT" "ListenAddress 127.0.0.1" "HostKey $WORK/host_key" \
        "PidFile $WORK/sshd.pid" "UsePAM yes" "PermitRootLogin no" "$@" >"$file"
}

# run_sshd SERVICE CONFIG: starts the test sshd (see test_sshd) with its log
# in $WORK/sshd.log, waits for it to listen, and stops it at exit.
run_sshd() {
    test_sshd "$1" "$2"
    "$SSHD" -f "$2" -E "$WORK/sshd.log"
    for _ in $(seq 1 100); do [ -s "$WORK/sshd.pid" ] && break; sleep 0.05; done
    at_exit "kill $(cat "$WORK/sshd.pid" 2>/dev/null || echo 0)"
}

# module_conf FILE URL [LINE...]: a pam_jenkins.conf for the double, with
# the journal in $WORK (never the host's /var/lib): $WORK/journal, or
# $JOURNAL_DIR when set.
module_conf() {
    local file=$1 url=$2 journal=${JOURNAL_DIR:-$WORK/journal}
    shift 2
    mkdir -p "$journal"
    chmod 0700 "$journal"
    {
        echo "url = $url"
        echo "ca_file = $CA"
        echo "journal_dir = $journal"
        echo "connect_timeout = 2"
        echo "timeout = 4"
        printf '%s\n' "$@"
    } >"$file"
    chmod 0644 "$file"
}

# wait_held OUT: waits (60 s at most: a loaded machine is slow) until the
# pam-app writing OUT holds its session open (--hold-file) or has ended;
# says so when it never did, so that the checks after it are understood.
wait_held() {
    for _ in $(seq 1 1200); do
        grep -qE '^(holding|end:)' "$1" && return 0
        sleep 0.05
    done
    diag "no session held after 60 s; pam-app wrote: $(tr '\n' '|' <"$1")"
    return 1
}

now_ms() { date +%s%3N; }

# free_port: a TCP port on 127.0.0.1 nobody listens on.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# live_tokens URL [USER]: how many tokens the double holds live.
live_tokens() {
    double_query "$1" "len([t for t in toks if t['status']=='live' and '${2:-}' in ('', t['user'])])"
}

# live_handoff_keys USER: USER's handoff keys ("pam_jenkins:handoff:
# <key_name>:<user>:...", root's) not yet revoked (a revoked key, payload
# already discarded, lingers in /proc/keys until collected).  The kernel's
# key list is the whole machine's: another run of the suites on it may hold
# a login of the same user between auth and session for a moment.  So a
# count above 0 is looked at again for up to 5 s: a key this run forgot
# lives on (for its 2 minutes, or for good), another run's goes.
live_handoff_keys() {
    local n
    for _ in $(seq 1 50); do
        n=$(awk -v u="$1" '$2 !~ /R/ && $8 == "user" && index($9, "pam_jenkins:handoff:") == 1 {
            split($9, f, ":"); if (f[4] == u) n++ } END { print n + 0 }' /proc/keys)
        [ "$n" = 0 ] && break
        sleep 0.1
    done
    echo "$n"
}

# --- syslog ------------------------------------------------------------------

# start_syslog: collect what the module (and sshd) log into $SYSLOG, from
# a sink of our own on /dev/log, which in the private host is this suite's
# (tests/private-host): the host's /dev/log and whoever owns it are never
# touched.
SYSLOG=""
start_syslog() {
    if [ "${PJ_PRIVATE_HOST:-}" != 1 ]; then
        diag "no private /dev/log: log lines are not checked here"
        return 0
    fi
    SYSLOG=$WORK/syslog
    : >"$SYSLOG"
    python3 "$TESTS_DIR/syslog_sink.py" /dev/log "$SYSLOG" &
    at_exit "kill $!"
    local i
    for i in $(seq 1 100); do [ -S /dev/log ] && break; sleep 0.05; done
    [ -S /dev/log ] || { echo "Bail out! the syslog sink did not start"; exit 1; }
}

# logged PATTERN DESCRIPTION: the module logged a matching line.
logged() {
    if [ -z "$SYSLOG" ]; then
        ok 0 "$2 # SKIP no private syslog"
        return
    fi
    sleep 0.1
    like "$(cat "$SYSLOG")" "$1" "$2"
}

# not_logged PATTERN DESCRIPTION: no line matches, in a sink that received
# lines: an empty log (no sink, a sink that lost /dev/log) proves nothing.
not_logged() {
    if [ -z "$SYSLOG" ]; then
        ok 0 "$2 # SKIP no private syslog"
        return
    fi
    sleep 0.1
    if [ ! -s "$SYSLOG" ]; then
        ok 1 "$2 (the syslog sink received no line at all)"
        return
    fi
    unlike "$(cat "$SYSLOG")" "$1" "$2 (in $(wc -l <"$SYSLOG") lines)"
}
