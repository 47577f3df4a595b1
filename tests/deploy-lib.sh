# shellcheck shell=bash disable=SC2154  # top_srcdir, MODULE, CA, WORK: tests/lib.sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Helpers for the suites that prove the stacks in conf/ (sourced after
# tests/lib.sh, in the private host): each stack is installed verbatim as
# a PAM service of the private /etc, with only the module's name replaced
# by the path of the module under test, and the module's configuration in
# the private /etc/security, where the stack looks for it.

# install_stack CONF SERVICE: conf/CONF as /etc/pam.d/SERVICE.
install_stack() {
    [ "${PJ_PRIVATE_HOST:-}" = 1 ] || { echo "Bail out! no private /etc for the PAM services"; exit 1; }
    sed "s#\\bpam_jenkins\\.so\\b#$MODULE#" "$top_srcdir/conf/$1" >"/etc/pam.d/$2"
    # Nothing else may differ: the file is the one the README shows.
    if [ "$(diff "$top_srcdir/conf/$1" "/etc/pam.d/$2" | grep -c '^>')" != \
         "$(grep -c '\bpam_jenkins\.so\b' "$top_srcdir/conf/$1")" ]; then
        echo "Bail out! conf/$1 was changed beyond the module path"; exit 1
    fi
}

# need_etc_conf: the stacks in conf/ name no conf=, so the module reads the
# file configure gave it (config.h).  The suites write it only where that is
# /etc/security/pam_jenkins.conf, in the private /etc: a build configured
# elsewhere (make distcheck's scratch prefix, an explicit --sysconfdir) would
# have them write beside the host's own files.  Before any service starts.
need_etc_conf() {
    local conf
    conf=$(sed -n 's/^#define PJ_DEFAULT_CONF "\(.*\)"$/\1/p' "$top_builddir/config.h")
    if [ "$conf" != /etc/security/pam_jenkins.conf ]; then
        echo "1..0 # SKIP the module reads ${conf:-?}, outside the private /etc (configure)"
        trap - EXIT
        rm -rf "$WORK"
        exit 0
    fi
}

# account NAME PASSWORD: a test account whose local password (pam_unix in
# common-auth) is its Jenkins password, as on a host where both agree.
account() {
    ensure_user "$1"
    printf '%s:%s\n' "$1" "$2" | chpasswd
}

# accounts URL USER PASSWORD [USER PASSWORD...]: test accounts, each with
# the same password locally and on the controller at URL.
accounts() {
    local url=$1
    shift
    double_users "$url" "$@"
    while [ $# -ge 2 ]; do
        account "$1" "$2"
        shift 2
    done
}

as_user() { setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; }

generates() { double_query "$1" "len([r for r in reqs if r['path'].endswith('/generateNewToken')])"; }
crumbs() { # crumbs URL USER: crumb requests made with USER's password
    double_query "$1" "len([r for r in reqs if r['path'].endswith('crumbIssuer/api/json') and r.get('auth') == '$2'])"
}
journal_entries() { find "$WORK/journal" -maxdepth 1 -name '*.token' 2>/dev/null | wc -l; }
# user_keys USER: live pam_jenkins keys (<key_name>:token, :meta) that USER
# can see: they are the user's, not root's to view.  A revoked key lingers
# in /proc/keys until collected.
user_keys() {
    as_user "$1" cat /proc/keys |
        awk '$2 !~ /R/ && $8 == "user" && $9 ~ /^[A-Za-z0-9_]+:(token|meta):$/ { n++ } END { print n + 0 }'
}
# wait_live URL USER N: until USER has N live tokens at URL (logout is
# asynchronous for sshd and login: the session closes after the shell).
wait_live() {
    for _ in $(seq 1 100); do
        [ "$(live_tokens "$1" "$2")" = "$3" ] && return 0
        sleep 0.1
    done
    return 1
}

# A person at a terminal, for login(1), su, sudo and ssh (tests/tty_dialog.py),
# with Debian's python3 and python3-pexpect (scripts/install-deps), whatever
# other python3 comes first in PATH.
# shellcheck disable=SC2034  # used by the suites that source this
DIALOG="/usr/bin/python3 $TESTS_DIR/tty_dialog.py"
have_pexpect() { /usr/bin/python3 -c 'import pexpect' 2>/dev/null; }
