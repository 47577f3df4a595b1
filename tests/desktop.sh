#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# A desktop: the display manager stacks in conf/ (gdm-password.pam,
# lightdm.pam, keyring = user) installed verbatim and run through real
# libpam (tests/pam-app, as a display manager calls it: authenticate,
# acct_mgmt, setcred, open_session, ..., close_session).  A process of the
# user in a session keyring of its own (what systemd --user gives GNOME
# Terminal) reads a working token; a second, overlapping session (another
# seat, the other display manager) shares it; the last to close revokes it.
# No display manager runs here: what GDM or LightDM add around libpam (the
# greeter, pam_gnome_keyring, systemd --user) is not exercised.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"
need_root
need_etc_conf

start_syslog
start_double J
accounts "$J_URL" pjdepdesk "desk pw" pjdepother "other pw"
module_conf /etc/security/pam_jenkins.conf "$J_URL"
install_stack gdm-password.pam gdm-password
install_stack lightdm.pam lightdm
uid=$(id -u pjdepdesk)
# outside USER SCRIPT: a process of USER in a new session keyring, as
# systemd --user starts a desktop's programs.
outside() { as_user "$1" keyctl session - sh -c "exec 2>&1; $2" 2>/dev/null; }
whoami() { outside "$1" "$TOOL -f curl | curl -s --cacert $CA -K - $J_URL/whoAmI/api/json; echo; $TOOL >/dev/null 2>&1; echo rc=\$?"; }
# shellcheck disable=SC2034  # read through eval in end()
held_gdm_password="" held_lightdm=""
hold() { # hold SERVICE: a session of pjdepdesk through /etc/pam.d/SERVICE until end SERVICE
    touch "$WORK/hold.$1"
    printf 'desk pw\n' | "$PAM_APP" --service "$1" --user pjdepdesk --tty :0 --rhost "" \
        --hold-file "$WORK/hold.$1" >"$WORK/$1.out" 2>&1 &
    eval "held_${1//-/_}=$!"
    at_exit "kill $! 2>/dev/null"
    wait_held "$WORK/$1.out"
}
end() { # end SERVICE: close that session, wait for its pam-app
    local pid
    pid=$(eval echo "\$held_${1//-/_}")
    rm -f "$WORK/hold.$1"
    [ -n "$pid" ] && wait "$pid" 2>/dev/null
}
holders() { sed -n 's/^holders=//p' "$WORK/journal/user-$uid-jenkins.token" 2>/dev/null | tr ',' '\n' | grep -c .; }
uuid_live() { double_query "$J_URL" "[t['uuid'] for t in toks if t['status'] == 'live']"; }

# --- the first session: GDM's stack -----------------------------------------------------------------
hold gdm-password
like "$(cat "$WORK/gdm-password.out")" "^open_session: PAM_SUCCESS" "gdm-password (conf/gdm-password.pam): the session opens"
out=$(whoami pjdepdesk)
like "$out" '"name":"pjdepdesk"' "a process in a new session keyring (a desktop terminal) reads the token, and it works"
like "$out" "rc=0" "jenkins-token there finds it without options"
is "$(generates "$J_URL"):$(holders)" "1:1" "one token minted, one session holds it"
is "$(outside pjdepother "$TOOL >/dev/null 2>&1; echo \$?")" 1 "another user's process finds none"
first=$(uuid_live)

# --- an overlapping second session: LightDM's stack ---------------------------------------------------
hold lightdm
like "$(cat "$WORK/lightdm.out")" "^open_session: PAM_SUCCESS" "lightdm (conf/lightdm.pam): a second session of the user opens"
is "$(generates "$J_URL"):$(holders)" "1:2" "and shares the token: still one minted, two sessions hold it"
is "$(uuid_live)" "$first" "the same token"
end gdm-password
like "$(cat "$WORK/gdm-password.out")" "^close_session: PAM_SUCCESS" "the first session closes"
is "$(uuid_live)" "$first" "its token stays live for the other"
like "$(whoami pjdepdesk)" '"name":"pjdepdesk"' "and still works for the user's processes"
end lightdm
is "$(uuid_live)" "[]" "the last session closed: the token is revoked"
is "$(journal_entries)" 0 "its journal entry is gone"
is "$(outside pjdepdesk "$TOOL >/dev/null 2>&1; echo \$?")" 1 "and so are its keys in the user keyring"
