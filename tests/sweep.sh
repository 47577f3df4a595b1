#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The journal and the sweep: no live token outlives its session, whatever
# happens to the session (kill -9, another boot, a zombie) or to the
# controller at logout; and nothing in the journal steers root: the sweep
# reads only a private root directory, revokes only at the configured
# controller with the configured TLS and proxy settings, backs off after a
# failure and gives up, loudly, on what cannot succeed.  Real PAM sessions
# (tests/pam-app) against the Jenkins test double.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_root

start_syslog
start_double J
start_double X # another controller: retired, or the attacker's
ensure_user pjswmallory # no account on the controller
test_users "$J_URL" pjswalice alice-pw
STACKS=$WORK/pam.d
write_stack "$STACKS" good "$J_URL"
# The sessions the sweep is shown are opened with time to spare: on a loaded
# machine a login can overrun 4 s, and a session that never opened left the
# sweep nothing to judge (no test here is about the login's deadline).
write_stack "$STACKS" held "$J_URL" connect_timeout=10 timeout=30
J=$WORK/journal
module_conf "$WORK/sweep.conf" "$J_URL"
sweep() { $VALGRIND "$TOOL" sweep --conf "$WORK/sweep.conf"; }
held=""
hold_session() { # open a session that stays open until $WORK/hold goes
    touch "$WORK/hold"
    printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service held --user pjswalice \
        --hold-file "$WORK/hold" >"$WORK/held.out" 2>&1 &
    held=$!
    wait_held "$WORK/held.out"
    grep -q '^holding' "$WORK/held.out" ||
        diag "the held session did not open: $(tr '\n' '|' <"$WORK/held.out")"
}
end_session() { rm -f "$WORK/hold"; wait "$held" 2>/dev/null; }
login() { printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjswalice -- true; }
entries() { find "$J" -maxdepth 1 -name '*.token' | wc -l; }
# dead_entry: a session killed with -9; prints its journal entry.
dead_entry() {
    local before
    before=$(ls "$J")
    hold_session
    kill -9 "$held"; wait "$held" 2>/dev/null
    for f in "$J"/*.token; do
        [ -e "$f" ] || continue
        grep -qxF "$(basename "$f")" <<<"$before" || { echo "$f"; return; }
    done
    echo "# dead_entry: the killed session left no journal entry" >&2
}
field() { sed -n "s/^$2=//p" "$1"; }
set_field() { # set_field FILE NAME VALUE (empty VALUE: drop the line)
    sed -i "/^$2=/d" "$1"
    [ -z "$3" ] || printf '%s=%s\n' "$2" "$3" >>"$1"
}
due() { set_field "$1" next_try 0; } # as if the pause after a failure were over
revokes() { double_query "$1" "len([r for r in reqs if r['path'].endswith('/revoke')])"; }
faults() { double "$J_URL" config "{\"faults\": $1}" >/dev/null; }
# section: every part starts from an empty journal, no live token, no fault,
# so that one failing part does not make the next ones fail.
section() {
    local uuid
    faults '[]'
    for uuid in $(double_query "$J_URL" "' '.join(t['uuid'] for t in toks if t['status'] == 'live')"); do
        double "$J_URL" expire "{\"uuid\": \"$uuid\"}" >/dev/null
    done
    rm -f "$J"/*.token
}

# --- kill -9 ----------------------------------------------------------------------------------
hold_session
is "$(live_tokens "$J_URL")" 1 "a session holds a live token"
out=$(sweep)
like "$out" "0 revoked, .*1 sessions still open" "the sweep leaves a live session's token alone"
kill -9 "$held"; wait "$held" 2>/dev/null
is "$(live_tokens "$J_URL")" 1 "kill -9: the token is still live on the controller"
is "$(entries)" 1 "and journalled"
out=$(sweep 2>&1)
like "$out" "1 revoked" "the sweep revokes the token of the killed session"
is "$(live_tokens "$J_URL")" 0 "nothing live is left"
is "$(entries)" 0 "the journal is empty"

# --- the sweep at session open ----------------------------------------------------------------
section
dead_entry >/dev/null
login >/dev/null
is "$(live_tokens "$J_URL")" 0 "the next login's session open swept the killed session's token"

# --- controller unreachable at logout; backoff ------------------------------------------------
section
faults '[{"mode": "drop", "path": "/revoke"}]'
t0=$(now_ms)
out=$(login)
t1=$(now_ms)
like "$out" "^close_session: PAM_SUCCESS" "controller gone at logout: logout succeeds"
[ $((t1 - t0)) -lt 8000 ]; ok $? "within the timeouts ($((t1 - t0)) ms)"
is "$(live_tokens "$J_URL"):$(entries)" "1:1" "the token is live and journalled"
e=$(ls "$J"/*.token)
now=$(date +%s)
out=$(sweep 2>&1); rc=$?
is "$rc" 4 "the sweep says so while the controller still fails (exit 4)"
like "$out" "could not revoke token .*; try 1, next in 1 min" "and when it tries again"
is "$(entries)" 1 "and keeps the entry"
is "$(field "$e" tries):$(field "$e" hard_failures)" "1:0" "the entry counts the try (a transient failure)"
next=$(field "$e" next_try)
[ "$next" -ge $((now + 60)) ] && [ "$next" -le $((now + 70)) ]; ok $? "next_try is a minute later ($((next - now)) s)"
[ "$(stat -c %a:%U "$e")" = 600:root ]; ok $? "the rewritten entry is still 0600 root"
faults '[]'
n=$(revokes "$J_URL")
out=$(sweep 2>&1); rc=$?
like "$out" "0 failed, 1 waiting to be tried again" "before next_try the sweep does not try again"
is "$(revokes "$J_URL")" "$n" "and sends nothing"
is "$rc" 4 "a token still waiting: exit 4"
login >/dev/null
is "$(revokes "$J_URL")" $((n + 1)) "a login's sweep at open spends no request on an entry that failed recently"
is "$(entries)" 1 "and leaves it for later"
due "$e"
out=$(sweep 2>&1)
like "$out" "1 revoked" "its time come, the sweep revokes it"
is "$(live_tokens "$J_URL")" 0 "nothing live is left"

# tries after transient failures never give up
section
e=$(dead_entry)
faults '[{"mode": "status", "status": 503, "path": "/revoke"}]'
set_field "$e" tries 30
out=$(sweep 2>&1)
like "$out" "HTTP 503.*; try 31, next in 1 day$" "a 5xx: tried again in a day, however many tries before"
is "$(field "$e" given_up)" "" "and never given up"
faults '[]'
due "$e"
out=$(sweep 2>&1)
like "$out" "1 revoked" "once the controller answers, it is revoked"

# --- 401: already revoked or expired ----------------------------------------------------------
section
e=$(dead_entry)
double "$J_URL" expire "{\"uuid\": \"$(field "$e" uuid)\"}" >/dev/null
out=$(sweep 2>&1); rc=$?
like "$out" "0 revoked, 1 already revoked or expired" "an expired token: counted apart from the revoked"
like "$out" "token [0-9a-f-]+ of pjswalice on $J_URL was already revoked or expired" "and logged so"
is "$rc:$(entries)" "0:0" "its entry is dropped, exit 0"

# --- failures for good: backoff, then given up ------------------------------------------------
section
e=$(dead_entry)
faults '[{"mode": "status", "status": 403, "path": "/revoke"}]'
out=$(sweep 2>&1)
like "$out" "403.*try 1, next in 1 min \(waiting will not heal this: 1 of 8" "403: a failure for good"
is "$(field "$e" hard_failures)" 1 "counted as one"
faults '[{"mode": "status", "status": 404, "path": "/revoke"}]'
all=""
for _ in 2 3 4 5 6 7 8; do
    due "$e"
    out=$(sweep 2>&1); rc=$?
    all="$all$out"$'\n'
done
is "$(grep -c 'giving up' <<<"$all")" 1 "404s: given up after the 8th, with one log line"
like "$all" "error: sweep: giving up on token [0-9a-f-]+ .* of pjswalice on $J_URL after 8 tries, the last: .*HTTP 404.*it may still be live: revoke it by hand on $J_URL/user/pjswalice/security/ and delete $e" \
    "the line says what to do"
like "$out" "1 given up" "the summary counts it"
like "$out" "given up: see $e; revoke token \".*\" \([0-9a-f-]+\) by hand on $J_URL/user/pjswalice/security/" \
    "and tells the admin where to revoke it"
is "$rc" 4 "exit 4"
[ -f "$e" ] && [ -n "$(field "$e" given_up)" ]; ok $? "the entry is kept, marked given up"
is "$(live_tokens "$J_URL")" 1 "(its token is indeed still live)"
n=$(revokes "$J_URL")
due "$e"
out=$(sweep 2>&1)
is "$(revokes "$J_URL")" "$n" "a given-up entry is never tried again"
unlike "$out" "giving up" "nor logged again"
like "$out" "given up: see $e" "but still listed"
faults '[]'
login >/dev/null
is "$(revokes "$J_URL"):$(entries)" "$((n + 1)):1" "nor by the sweep at open"
# What the admin does: revoke it by hand (here with its own token), delete the file.
printf 'user = "pjswalice:%s"\n' "$(field "$e" token)" |
    curl -sf --cacert "$CA" -K - -d "tokenUuid=$(field "$e" uuid)" \
        "$J_URL/user/pjswalice/descriptorByName/jenkins.security.ApiTokenProperty/revoke"
rm -f "$e"
is "$(live_tokens "$J_URL")" 0 "(revoked by hand)"
double "$J_URL" reset >/dev/null

# --- the configured controller, its URL policy, TLS and proxy ----------------------------------
section
e=$(dead_entry)
set_field "$e" url "$X_URL"
out=$(sweep 2>&1); rc=$?
is "$(revokes "$X_URL")" 0 "an entry naming another controller: nothing is sent there"
like "$out" "$X_URL is not the configured controller $J_URL; try 1, next in 1 min \(waiting will not heal" \
    "a failure for good, with backoff"
is "$rc:$(field "$e" hard_failures)" "4:1" "recorded in the entry (exit 4)"
set_field "$e" url "http://jenkins.example.invalid/"
due "$e"
out=$(sweep 2>&1)
like "$out" "plain http to another host.*try 2" "an entry's url must pass the configuration's URL policy"
# The entry's own trust store and proxy are not used: the configured ones are.
section
e=$(dead_entry)
set_field "$e" ca_file /nonexistent/ca.pem
port=$(free_port)
python3 -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
open(sys.argv[2] + ".ready", "w").close()
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("connection\n"); c.close()' \
    "$port" "$WORK/proxy.log" &
at_exit "kill $!"
for _ in $(seq 1 100); do [ -e "$WORK/proxy.log.ready" ] && break; sleep 0.05; done
set_field "$e" proxy "http://127.0.0.1:$port"
out=$(sweep 2>&1)
like "$out" "1 revoked" "the entry's ca_file and proxy are ignored: revoked with the configured ones"
is "$(cat "$WORK/proxy.log" 2>/dev/null)" "" "nothing went through the entry's proxy"
is "$(live_tokens "$J_URL")" 0 "nothing live is left"

# --- no start time; zombies; no boot id -------------------------------------------------------
section
hold_session
e=$(ls "$J"/*.token)
set_field "$e" start_time ""
out=$(sweep 2>&1)
like "$out" "0 revoked.*1 sessions still open" "no start time (no /proc at open): a live pid keeps its token"
end_session
section
hold_session
e=$(ls "$J"/*.token)
set_field "$e" start_time ""
set_field "$e" boot_id ""
out=$(sweep 2>&1)
like "$out" "0 revoked.*1 sessions still open" "no boot id either: still kept while the pid lives"
set_field "$e" created "2000-01-01T00:00:00Z"
out=$(sweep 2>&1)
like "$out" "1 revoked" "no boot id, created before this boot: another boot's entry, revoked"
end_session
section

e=$(dead_entry)
python3 -c 'import os, signal, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
signal.signal(signal.SIGTERM, lambda *_: (os.waitpid(pid, 0), sys.exit(0)))
print(pid, flush=True)
time.sleep(120)' >"$WORK/zombie.pid" &
parent=$!
at_exit "kill $parent"
for _ in $(seq 1 50); do [ -s "$WORK/zombie.pid" ] && break; sleep 0.05; done
zombie=$(cat "$WORK/zombie.pid")
for _ in $(seq 1 50); do [ "$(awk '{print $3}' "/proc/$zombie/stat")" = Z ] && break; sleep 0.05; done
is "$(awk '{print $3}' "/proc/$zombie/stat")" Z "(a zombie nobody reaps)"
set_field "$e" pid "$zombie"
set_field "$e" start_time "$(sed 's/.*) //' "/proc/$zombie/stat" | awk '{print $20}')"
out=$(sweep 2>&1)
like "$out" "1 revoked" "a zombie session leader is a dead session"
kill "$parent"; wait "$parent" 2>/dev/null

# --- corrupt and foreign entries ------------------------------------------------------------------
section
printf 'this is not an entry\n' >"$J/garbage.token"
printf 'url=x\nuser=y\nuuid=../../etc/passwd\ntoken=t\n' >"$J/evil.token"
printf 'ignored\n' >"$J/README"
chmod 0600 "$J"/*.token
out=$(sweep 2>&1); rc=$?
is "$rc" 0 "corrupt entries do not fail the sweep"
like "$out" "skipping $J/garbage.token: line 1 is not name=value" "a corrupt entry is reported"
like "$out" "skipping $J/evil.token: entry has a malformed uuid" "a malformed uuid is reported"
like "$out" "2 unreadable entries skipped" "and counted"
rm -f "$J/garbage.token" "$J/evil.token" "$J/README"

# --- entries must be root's regular 0600 files ---------------------------------------------------
section
e=$(dead_entry)
n=$(revokes "$J_URL")
chown pjswmallory "$e"
out=$(sweep 2>&1)
like "$out" "skipping $e: must be owned by uid 0 with mode 0600 \(owner [0-9]+, mode 0600\)" \
    "an entry owned by a user is skipped"
chown root "$e"
chmod 0644 "$e"
out=$(sweep 2>&1)
like "$out" "skipping $e: must be owned by uid 0 with mode 0600 \(owner 0, mode 0644\)" \
    "an entry others can read is skipped"
chmod 0600 "$e"
mkdir -m 0700 "$WORK/elsewhere"
mv "$e" "$WORK/elsewhere/"
ln -s "$WORK/elsewhere/$(basename "$e")" "$e"
out=$(sweep 2>&1)
like "$out" "skipping $e: a symlink, not an entry" "a symlink is skipped"
like "$out" "1 unreadable entries skipped" "and counted"
is "$(revokes "$J_URL")" "$n" "none of them was sent anywhere"
rm -f "$e"
mv "$WORK/elsewhere/$(basename "$e")" "$e"
out=$(sweep 2>&1)
like "$out" "1 revoked" "the same entry, root's and private, is revoked"

# --- the journal directory must be private: at the write, and at the sweep -----------------------
section
chmod 0755 "$J"
out=$(login)
like "$out" "^open_session: PAM_SESSION_ERR" "a journal directory others can read: no session token"
logged "journal directory $J is open to group or others: it must be a directory owned by root with mode 0700 \(chown root:root $J && chmod 0700 $J\)" \
    "the log says why and how to fix it"
is "$(live_tokens "$J_URL")" 0 "and the token minted before the check was revoked at once"
chmod 0700 "$J"

# An attacker who owns the journal directory (or can write to it) plants
# an entry: root must not send anyone's token anywhere because of it.
mallory_entry() { # a dead session's entry for the attacker's controller
    printf 'url=%s\nuser=pjswmallory\nuuid=%s\ntoken=11%s\npid=999999\nboot_id=x\nproxy=\n' \
        "$X_URL" "$1" "$(printf '%032d' 7)" >"$2/$1.token"
    chmod 0600 "$2/$1.token"
}
mallory_entry 00000000-0000-0000-0000-00000000abcd "$J"
chown -R pjswmallory "$J"
out=$(sweep 2>&1); rc=$?
like "$out" "error: sweep refused: journal directory $J has the wrong owner: it must be a directory owned by root with mode 0700 \(chown root:root $J && chmod 0700 $J\)" \
    "a journal directory owned by a user: the sweep refuses, naming the fix"
is "$rc" 3 "exit 3"
is "$(revokes "$X_URL")" 0 "nothing is sent to the controller the entry names"
chown -R root "$J"
chmod 0750 "$J"
out=$(sweep 2>&1); rc=$?
like "$out" "sweep refused: journal directory $J is open to group or others" "a directory with group bits: refused"
chmod 0700 "$J"
mv "$J" "$WORK/real-journal"
ln -s "$WORK/real-journal" "$J"
out=$(sweep 2>&1); rc=$?
like "$out" "sweep refused: journal directory $J is a symlink or not a directory" "a symlinked directory: refused"
is "$(revokes "$X_URL")" 0 "still nothing sent"
rm "$J"
mv "$WORK/real-journal" "$J"
rm -f "$J"/*.token

out=$(setpriv --reuid=pjswalice --regid=pjswalice --init-groups "$TOOL" sweep --conf "$WORK/sweep.conf" 2>&1); rc=$?
is "$rc" 2 "sweep as a user: refused"

# --- the jenkins-token login watcher is not dumpable ---------------------------------------------
section
printf 'url = %s\nca_file = %s\n' "$J_URL" "$CA" >"$WORK/tool.conf"
chmod 0644 "$WORK/tool.conf"
out=$(printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjswalice --no-auth -- "
echo alice-pw | $TOOL login --conf $WORK/tool.conf 2>/dev/null; echo login=\$?
w=\$(pgrep -n -u pjswalice -x jenkins-token); echo watcher=\$w
sleep 60 & s=\$!
cat /proc/\$s/environ >/dev/null 2>&1; echo control=\$?
cat /proc/\$w/environ >/dev/null 2>&1; echo environ=\$?
python3 -c 'import sys; open(\"/proc/%s/mem\" % sys.argv[1], \"rb\")' \$w 2>/dev/null; echo mem=\$?
kill \$s" 2>&1)
like "$out" "login=0" "jenkins-token login in a session without a token"
like "$out" "watcher=[0-9]+$" "(its watcher is running)"
like "$out" "control=0" "(the user can read a process of their own that is dumpable)"
like "$out" "environ=1" "but not the watcher's /proc/PID/environ"
like "$out" "mem=1" "nor its memory"
for _ in $(seq 1 60); do
    [ "$(live_tokens "$J_URL")" = 0 ] && break
    sleep 0.1
done
is "$(live_tokens "$J_URL")" 0 "the watcher still revokes at logout"
# ... and not while it waits at the password prompt either
mkfifo "$WORK/never"; chmod 0666 "$WORK/never"
out=$(printf 'alice-pw\n' | "$PAM_APP" --confdir "$STACKS" --service good --user pjswalice --no-auth -- "
$TOOL login --conf $WORK/tool.conf <$WORK/never >/dev/null 2>&1 & l=\$!
exec 3>$WORK/never; sleep 0.5
python3 -c 'import sys; open(\"/proc/%s/mem\" % sys.argv[1], \"rb\")' \$l 2>/dev/null; echo mem=\$?
kill \$l; exec 3>&-" 2>&1)
like "$out" "mem=1" "jenkins-token login holds the password in memory no other process of the user can read"

# --- what a killed writer leaves, and lost mints of others, at session open ------------------------
section
f=$(dead_entry)
uuid=$(field "$f" uuid)
mv "$f" "$J/.tmp-Kil1ed"
touch -d '10 minutes ago' "$J/.tmp-Kil1ed"
printf 'garbage' >"$J/.tmp-Junk00"; chmod 0600 "$J/.tmp-Junk00"; touch -d '10 minutes ago' "$J/.tmp-Junk00"
out=$(sweep 2>&1)
like "$out" "\.tmp-Kil1ed, left by a writer that was killed, is now $uuid\.token" "a whole entry left in a temporary file becomes an entry"
is "$(double_query "$J_URL" "[t['status'] for t in toks if t['uuid']=='$uuid']")" "['revoked']" "and its token is revoked"
[ ! -e "$J/.tmp-Junk00" ]; ok $? "a temporary file that holds no entry is removed"
rm -f "$J"/*.token
# Two lost mints of another user (nothing this login can settle) must not
# use up the sweep at open's tries: the dead session's token is revoked.
f=$(dead_entry)
uuid=$(field "$f" uuid)
for n in a b; do
    printf 'url=%s\nuser=pjswmallory\ntoken_name=lost-%s\nintent=1\npid=999999\nstart_time=1\nboot_id=%s\n' \
        "$J_URL" "$n" "$(cat /proc/sys/kernel/random/boot_id)" >"$J/intent-0$n.token"
    chmod 0600 "$J/intent-0$n.token"
done
out=$(login 2>&1)
is "$(double_query "$J_URL" "[t['status'] for t in toks if t['uuid']=='$uuid']")" "['revoked']" \
    "another user's lost mints do not starve the sweep at open: the dead session's token is revoked"
is "$(find "$J" -maxdepth 1 -name 'intent-*' | wc -l)" 2 "and the other user's intents are left for their login or the admin"
rm -f "$J"/*.token
valgrind_clean
