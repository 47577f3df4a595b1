#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# make install into a scratch root: exactly the files a Debian admin
# expects, the sample configuration never overwriting an admin's, and
# make uninstall removing exactly that.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
D=$WORK/root
# A configure of our own so that the paths are the Debian ones, from the
# distributed sources as a packager has them: the source tree itself may be
# configured in place (the README's ./configure), and then a second,
# out-of-tree configure of it stops ("source directory already configured").
make -s -C "$top_builddir" distdir distdir="$WORK/src" top_distdir="$WORK/src" >/dev/null 2>&1
[ -x "$WORK/src/configure" ] || { echo "Bail out! make distdir did not give a source tree"; exit 1; }
mkdir -p "$WORK/b"
(cd "$WORK/b" && "$WORK/src/configure" -q --prefix=/usr --sysconfdir=/etc \
    --with-pam-dir=/usr/lib/x86_64-linux-gnu/security --with-pam-conf-dir=/etc/security \
    --with-systemdsystemunitdir=/usr/lib/systemd/system >/dev/null && make -s -j2 >/dev/null 2>&1)
make -s -C "$WORK/b" install DESTDIR="$D" >/dev/null 2>&1
is "$?" 0 "make install DESTDIR=... succeeds"
got=$(cd "$D" && find . -type f -o -type l | sort | tr '\n' ' ')
is "$got" "./etc/security/pam_jenkins.conf ./usr/bin/jenkins-token ./usr/lib/systemd/system/pam_jenkins-sweep.service ./usr/lib/systemd/system/pam_jenkins-sweep.timer ./usr/lib/x86_64-linux-gnu/security/pam_jenkins.so ./usr/share/man/man1/jenkins-token.1 ./usr/share/man/man5/pam_jenkins.conf.5 ./usr/share/man/man8/pam_jenkins.8 ./usr/share/pam-configs/jenkins " \
   "exactly the module, the tool, the man pages, the sample config, the pam-auth-update profile and the timer"
like "$(cat "$D/usr/lib/systemd/system/pam_jenkins-sweep.service")" "^ExecStart=/usr/bin/jenkins-token sweep" "the service runs the installed tool"
like "$(man -l "$D/usr/share/man/man8/pam_jenkins.8" 2>/dev/null | head -5)" "pam_jenkins - a Jenkins API token for each login session" "pam_jenkins(8) renders"
like "$(grep "^\.TH" "$D/usr/share/man/man1/jenkins-token.1")" '"pam_jenkins [0-9]+\.[0-9]+\.[0-9]+"' "the man pages carry the version"
echo "url = https://admin.example.com/" >"$D/etc/security/pam_jenkins.conf"
make -s -C "$WORK/b" install DESTDIR="$D" >/dev/null 2>&1
is "$(cat "$D/etc/security/pam_jenkins.conf")" "url = https://admin.example.com/" "a second install never overwrites the admin's configuration"
make -s -C "$WORK/b" uninstall DESTDIR="$D" >/dev/null 2>&1
is "$(cd "$D" && find . -type f -o -type l | sort | tr '\n' ' ')" "./etc/security/pam_jenkins.conf " \
   "make uninstall removes everything but the admin's edited configuration"
make -s -C "$WORK/b" install DESTDIR="$WORK/root2" >/dev/null 2>&1
make -s -C "$WORK/b" uninstall DESTDIR="$WORK/root2" >/dev/null 2>&1
is "$(cd "$WORK/root2" && find . -type f -o -type l | wc -l)" 0 "an unchanged sample configuration is removed too"

# Without --with-pam-dir, the module goes where this system's own modules
# are: /usr/lib/<multiarch>/security first (Debian 13 keeps them only there).
ma=$(${CC:-cc} -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
want=""
for d in /usr/lib/$ma/security /lib/$ma/security; do
    [ -z "$want" ] && [ -f "$d/pam_unix.so" ] && want=$d
done
mkdir -p "$WORK/b2"
(cd "$WORK/b2" && "$WORK/src/configure" -q >/dev/null 2>&1)
is "$(sed -n 's/^pamdir = //p' "$WORK/b2/Makefile")" "$want" "configure's default module directory is this system's ($want)"
