#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Paths come from configure, and the options are documented where an admin
# looks.  A second build with its own --sysconfdir and --localstatedir must
# name its paths, and never Debian's, in the tool, the module, the man pages,
# the sample configuration and the sweep unit; a plain configure keeps
# /etc/security and /var/lib (README, "From source").  Every option of
# lib/config.c's table must have an entry in pam_jenkins.conf(5) and a line
# in the sample configuration, with the table's default, and the module and
# the tool must not write any default again.  Runs unprivileged.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# --- every option documented, with its default -----------------------------

# NAME<tab>DEFAULT for each line of the option table ("-" where none).
table=$(sed -n '/^static const struct option options\[\] = {/,/^};/p' "$top_srcdir/lib/config.c" |
    sed -n 's/^ *\([SNBC]\)(\([a-z_]*\)\(, *\([^,)]*\)\)\{0,1\}.*/\1 \2 \4/p')
names=$(echo "$table" | awk '{print $2}')
count=$(echo "$names" | grep -c .)
ok "$([ "$count" -ge 20 ]; echo $?)" "the option table parses ($count options)"

man5=$top_srcdir/man/pam_jenkins.conf.5.in
sample=$top_srcdir/conf/pam_jenkins.conf.in
# The item heads of pam_jenkins.conf(5): the line after each .TP.
heads=$(awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' "$man5")
# The settings of the sample: "name = value" or a bare name, maybe commented.
settings=$(sed -n 's/^#\{0,1\}\([a-z_]*\)\( = .*\)\{0,1\}$/\1/p' "$sample")
missing_man="" missing_sample=""
for n in $names; do
    printf '%s\n' "$heads" | grep -Eq "(^|[ \"])$n([ \",]|$)" || missing_man="$missing_man $n"
    printf '%s\n' "$settings" | grep -qx "$n" || missing_sample="$missing_sample $n"
done
is "$missing_man" "" "every option has an entry in pam_jenkins.conf(5)"
is "$missing_sample" "" "every option has a line in conf/pam_jenkins.conf.in"
unknown=""
for n in $settings; do
    printf '%s\n' "$names" | grep -qx "$n" || unknown="$unknown $n"
done
is "$unknown" "" "the sample configuration names no option the table lacks"

# Defaults: the table's numbers and strings are the ones both documents
# give (the man page in its item head, the sample as "#name = default").
wrong=""
while read -r type name def; do
    case $type:$def in
    N:*) ;; # a choice's default is an enum (keyring: the man page says it)
    S:\"*) def=${def#\"} def=${def%\"} ;;
    *) continue ;;
    esac
    case $def in PJ_DEFAULT_KEY_NAME)
        def=$(cat "$top_srcdir"/lib/*.h | sed -n 's/^#define PJ_DEFAULT_KEY_NAME "\(.*\)"/\1/p') ;;
    esac
    case $def in PJ_DEFAULT_*) continue ;; esac # from configure: checked below
    printf '%s\n' "$heads" | grep -Fq "$name\" ($def)" ||
        printf '%s\n' "$heads" | grep -Fq "$name \" ($def)" || wrong="$wrong man:$name=$def"
    grep -Fqx "#$name = $def" "$sample" || wrong="$wrong sample:$name=$def"
done <<EOF
$table
EOF
is "$wrong" "" "pam_jenkins.conf(5) and the sample give the table's defaults"

# The module and the tool take their defaults from the table (and the
# paths from configure): none is written again in their sources.
nums=$(echo "$table" | awk '$1 == "N" { print $2 }' | paste -sd'|')
key=$(cat "$top_srcdir"/lib/*.h | sed -n 's/^#define PJ_DEFAULT_KEY_NAME "\(.*\)"/\1/p')
copies=$(cd "$top_srcdir" && grep -nE "\\b($nums) = [0-9]|\"$key\"|\"/(etc|var)/" tool/*.c pam_module/*.c)
is "$copies" "" "the module and the tool repeat no default of the table, and no path"

# --- a build with other paths ----------------------------------------------

# From the distributed sources, as tests/install.sh does: a source tree
# configured in place refuses a second, out-of-tree configure.
make -s -C "${top_builddir:?}" distdir distdir="$WORK/src" top_distdir="$WORK/src" >/dev/null 2>&1
[ -x "$WORK/src/configure" ] || { echo "Bail out! make distdir did not give a source tree"; exit 1; }
# Neither path contains Debian's, so that finding Debian's means a fixed string.
P=/opt/pjx
conf=$P/config/security/pam_jenkins.conf journal=$P/state/lib/pam_jenkins
mkdir -p "$WORK/b"
if ! (cd "$WORK/b" && "$WORK/src/configure" -q --prefix=$P/usr --sysconfdir=$P/config \
    --localstatedir=$P/state >"$WORK/configure.out" 2>&1 &&
    make -s -j2 tool/jenkins-token pam_module/pam_jenkins.la man/pam_jenkins.8 \
        man/pam_jenkins.conf.5 man/jenkins-token.1 conf/pam_jenkins.conf \
        conf/pam_jenkins-sweep.service >"$WORK/make.out" 2>&1); then
    sed 's/^/# /' "$WORK/configure.out" "$WORK/make.out" | tail -20
    echo "Bail out! the build with --sysconfdir=$P/config --localstatedir=$P/state failed"
    exit 1
fi
B=$WORK/b

like "$("$B/tool/jenkins-token" --help)" "^PATH: $conf unless --conf" "jenkins-token --help names $conf"
like "$("$B/tool/jenkins-token" login </dev/null 2>&1)" "$conf" "jenkins-token login reads $conf"
# Where no message names them: the strings compiled in.
has() { LC_ALL=C grep -aFq "$2" "$1"; echo $?; }
ok "$(has "$B/pam_module/.libs/pam_jenkins.so" "$conf")" "the module reads $conf"
ok "$(has "$B/pam_module/.libs/pam_jenkins.so" "$journal")" "the module journals in $journal"
ok "$(has "$B/tool/jenkins-token" "$journal")" "jenkins-token sweep reads $journal"
for f in pam_module/.libs/pam_jenkins.so tool/jenkins-token; do
    ok "$((1 - $(has "$B/$f" /etc/security)))" "$f names no /etc/security"
done

for page in pam_jenkins.8 pam_jenkins.conf.5 jenkins-token.1; do
    like "$(cat "$B/man/$page")" "$conf" "$page names $conf"
    unlike "$(cat "$B/man/$page")" "/etc/security|/var/lib/pam_jenkins|@[A-Za-z_]+@" \
        "$page names neither Debian's paths nor an unsubstituted @VAR@"
done
for page in pam_jenkins.8 pam_jenkins.conf.5; do
    like "$(cat "$B/man/$page")" "$journal" "$page names $journal"
done
like "$(cat "$B/conf/pam_jenkins.conf")" "^# $conf -- " "the sample configuration says where it lives"
like "$(cat "$B/conf/pam_jenkins.conf")" "^#journal_dir = $journal\$" "the sample configuration gives the journal's default"
unlike "$(cat "$B/conf/pam_jenkins.conf")" "/etc/security|/var/lib|@[A-Za-z_]+@" "the sample names no other path"
like "$(cat "$B/conf/pam_jenkins-sweep.service")" "^ExecStart=$P/usr/bin/jenkins-token sweep\$" \
    "the sweep service runs the tool from --prefix"

# --- configure's defaults --------------------------------------------------

# config.h is what the code compiles in (PJ_DEFAULT_CONF, _JOURNAL_DIR).
paths() { # paths CONFIGURE-ARGS...: "CONF JOURNAL" of such a configure
    rm -rf "$WORK/c" && mkdir -p "$WORK/c"
    (cd "$WORK/c" && "$WORK/src/configure" -q "$@" >/dev/null 2>&1)
    sed -n 's/^#define PJ_DEFAULT_\(CONF\|JOURNAL_DIR\) "\(.*\)"$/\2/p' "$WORK/c/config.h" | tr '\n' ' '
}
is "$(paths)" "/etc/security/pam_jenkins.conf /var/lib/pam_jenkins " \
    "a plain configure (prefix /usr/local) keeps /etc/security and /var/lib"
is "$(paths --prefix=/usr --sysconfdir=/etc --localstatedir=/var)" \
    "/etc/security/pam_jenkins.conf /var/lib/pam_jenkins " "Debian's configure gives /etc/security and /var/lib"
# shellcheck disable=SC2016 # configure expands it, as distcheck's flags
is "$(paths --prefix=/opt/q --with-pam-conf-dir='${prefix}/cfg' --localstatedir='${prefix}/state')" \
    "/opt/q/cfg/pam_jenkins.conf /opt/q/state/lib/pam_jenkins " \
    "--with-pam-conf-dir wins, and \${prefix} is expanded"
