#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
"""Runs one PAM scenario (a case file under tests/scenarios/) through
tests/pam-app against the Jenkins test double, and prints one result line
per check: "ok - DESCRIPTION" or "not ok - DESCRIPTION", then "# ..."
lines saying what differed.  tests/scenarios.sh turns them into TAP.
"scenario.py --break SRC DST" writes copies of the cases in SRC that each
break one expected line (PJ_SCENARIO_BREAK=1 tests/scenarios.sh runs them).

The case file format is described in tests/scenarios/README; in short:

    # first comment line: what the case shows
    [options]           module arguments, added to the base ones
        auth    = ARGS      for the pam_jenkins auth line
        session = ARGS      for the pam_jenkins session line
        base    = ARGS      replaces the base arguments (@base@)
    [stack]             raw stack lines, replacing the default stack
    [conf]              lines of the case's config file (@conf@)
    [double]            the controller's behaviour during the case
        fault  = JSON       one fault (repeatable), cleared afterwards
        config = JSON       settings, restored afterwards
        user   = NAME       a Jenkins account to create, with
        password = PW       its password
        url    = down       the module asks a port nobody listens on
    [run]               the PAM calls and their codes, in order
        requires = root     skipped when the suite is not root
        user, password, args (pam-app options), prefix (a command in
        front of pam-app), within = MS (a bound on the run's time)
        authenticate = PAM_...  acct_mgmt, setcred, open_session,
                                close_session, setcred_delete, end
    [prompts]           the prompts, in order (none when absent):
                        STYLE = TEXT, answered with the run's password
    [log]               pam_jenkins's syslog lines, in order (none when
                        absent): PRIORITY TYPE: MESSAGE, or
                        PRIORITY TYPE: /REGEX/ (a whole message)
    [session]           what a command inside the session sees, in order:
                        token = present|absent (%user:jenkins:token),
                        env = NAME=VALUE (every JENKINS*, PAM_JENKINS*)
    [controller]        tokens = STATUS, ... (the case's tokens)
                        requests = METHOD PATH STATUS, ...
                        name = REGEX (repeatable: the tokens' names)
    [journal]           entries = N (token entries left in the journal)

Placeholders: @user@ @uid@ @password@ @service@ @module@ @ca@ @url@
@conf@ @journal@ @base@, @euid@ (the application's uid), @other@ (a
second account, root only), @oversized@ (a 600-byte password); "%" is
the module's own template syntax and is left alone.
"""

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

# Checked always: a call the case does not list must not happen.  The
# other calls are checked when the case lists them.
ALWAYS = ("authenticate", "acct_mgmt", "open_session", "close_session")
CALLS = ALWAYS + ("setcred", "setcred_delete", "end")
PRIORITIES = ["EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"]
SECTIONS = {"options", "stack", "conf", "double", "run", "prompts", "log",
            "session", "controller", "journal"}
# What the user's session sees, run inside it by pam-app when the case has
# a [session] section.
INSIDE = ('if keyctl pipe %user:jenkins:token >/dev/null 2>&1; then '
          'echo "session: token = present"; else echo "session: token = absent"; fi; '
          'env | grep -E "^(JENKINS|PAM_JENKINS)" | sort | sed "s/^/session: env = /"')



def double_context(cafile):
    """TLS to the test double, verified against the test CA.  Python 3.13
    (Debian 13) verifies with X509_STRICT, which wants a key usage in the
    CA; the test CA is a plain `openssl req -x509` one, as an admin's own
    often is, and the module (libcurl, OpenSSL) takes it, so the strict
    extras are off here and verification stays on."""
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
    return ctx

class CaseError(Exception):
    pass


def parse(path):
    """Sections in file order; each a list of raw lines or (key, value)."""
    case = {"title": "", "sections": {}}
    current = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            stripped = line.strip()
            if stripped.startswith("#") or not stripped:
                if stripped.startswith("#") and not case["title"] and current is None:
                    text = stripped.lstrip("#").strip()
                    if not text.startswith("SPDX") and not text.startswith("Copyright"):
                        case["title"] = text
                continue
            m = re.fullmatch(r"\[(\w+)\]", stripped)
            if m:
                current = m.group(1)
                if current not in SECTIONS:
                    raise CaseError("unknown section [%s]" % current)
                if current in case["sections"]:
                    raise CaseError("section [%s] twice" % current)
                case["sections"][current] = []
                continue
            if current is None:
                raise CaseError("a line outside any section: %s" % stripped)
            case["sections"][current].append(stripped)
    return case


def pairs(lines):
    out = []
    for line in lines:
        key, sep, value = line.partition("=")
        if not sep:
            raise CaseError("not KEY = VALUE: %s" % line)
        out.append((key.strip(), value.strip()))
    return out


class Runner:
    def __init__(self, env, path):
        self.env = env
        self.path = path
        self.name = os.path.relpath(path, env["PJ_SCENARIOS"])
        self.results = []
        self.service = "sc-" + self.name.replace("/", "-")
        self.dir = os.path.join(env["WORK"], "scenario", self.service)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "pam.d"))
        self.journal = os.path.join(self.dir, "journal")
        os.mkdir(self.journal, 0o700)
        self.conf = os.path.join(self.dir, "case.conf")
        self.url = env["J_URL"]
        self.vars = {
            "user": env["PJ_USER"], "uid": str(env["PJ_UID"]),
            "euid": str(os.geteuid()), "password": env["PJ_PASSWORD"],
            "service": self.service, "module": env["MODULE"], "ca": env["CA"],
            "conf": self.conf, "journal": self.journal,
            "other": env.get("PJ_OTHER", ""), "oversized": "x" * 600,
        }

    # -- results -------------------------------------------------------------
    def check(self, good, what, diag=()):
        self.results.append(("ok" if good else "not ok", "%s: %s" % (self.name, what),
                             [] if good else list(diag)))

    def compare(self, got, want, what):
        diag = []
        if got != want:
            diag = ["expected:"] + ["  " + x for x in want] + ["got:"] + \
                   ["  " + x for x in got]
        self.check(got == want, what, diag)

    def subst(self, text, quote=False):
        def one(m):
            key = m.group(1)
            if key not in self.vars:
                raise CaseError("unknown placeholder @%s@" % key)
            return re.escape(self.vars[key]) if quote else self.vars[key]
        return re.sub(r"@(\w+)@", one, text)

    # -- the controller --------------------------------------------------------
    def double(self, what, data=None):
        ctx = double_context(self.env["CA"])
        req = urllib.request.Request(self.env["J_URL"] + "/__double__/" + what)
        if data is not None:
            req.data = json.dumps(data).encode()
            req.add_header("Content-Type", "application/json")
        elif what != "state":
            req.data = b""
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return json.load(r)

    # -- one case ------------------------------------------------------------------
    def run(self):
        case = parse(self.path)
        s = case["sections"]
        run = pairs(s.get("run", []))
        settings = {k: v for k, v in run if k not in CALLS}
        if settings.get("requires") == "root" and os.geteuid() != 0:
            self.results.append(("ok", "%s # SKIP needs root" % self.name, []))
            return
        options = dict(pairs(s.get("options", [])))
        double = pairs(s.get("double", []))
        if dict(double).get("url") == "down":
            self.url = self.env["DOWN_URL"]
        self.vars["url"] = self.url
        base = options.get("base", "url=@url@ ca_file=@ca@ journal_dir=@journal@ "
                           "conf=@conf@ connect_timeout=2 timeout=4")
        self.vars["base"] = self.subst(base)
        with open(self.conf, "w", encoding="utf-8") as f:
            for line in s.get("conf", []):
                f.write(self.subst(line) + "\n")
        stack = s.get("stack") or [
            "auth     required @module@ @base@ " + options.get("auth", ""),
            "account  required pam_permit.so",
            "session  optional pam_keyinit.so force revoke",
            "session  required @module@ @base@ " + options.get("session", ""),
        ]
        with open(os.path.join(self.dir, "pam.d", self.service), "w",
                  encoding="utf-8") as f:
            for line in stack:
                f.write(self.subst(line) + "\n")

        # The controller, as the case wants it.
        before = self.double("state")
        ntokens = len(before["tokens"])
        self.double("reset", {})
        faults, config, restore = [], {}, {}
        jenkins_user = None
        for key, value in double:
            if key == "fault":
                faults.append(json.loads(self.subst(value)))
            elif key == "config":
                config.update(json.loads(self.subst(value)))
            elif key == "user":
                jenkins_user = self.subst(value)
            elif key == "password":
                self.double("users", {jenkins_user: {"password": self.subst(value)}})
            elif key != "url":
                raise CaseError("unknown [double] key %s" % key)
        for key in config:
            restore[key] = {"encoded_slash": "pass", "version": "2.479.3",
                            "crumb_issuer": True}.get(key, before.get(key))
        if config:
            self.double("config", config)
        if faults:
            self.double("config", {"faults": faults})

        # The run.
        user = self.subst(settings.get("user", "@user@"))
        password = self.subst(settings.get("password", "@password@"))
        cmd = settings.get("prefix", "").split() + [
            self.env["PAM_APP"], "--confdir", os.path.join(self.dir, "pam.d"),
            "--service", self.service, "--user", user, "--show-prompts"]
        cmd += self.subst(settings.get("args", "")).split()
        if "session" in s:
            cmd += ["--", INSIDE]
        mark = os.path.getsize(self.env["SYSLOG"]) if self.env.get("SYSLOG") else 0
        t0 = time.monotonic()
        proc = subprocess.run(cmd, input=(password + "\n").encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120, check=False)
        elapsed = int((time.monotonic() - t0) * 1000)
        if faults:
            self.double("config", {"faults": []})
        out = proc.stdout.decode("utf-8", "replace").splitlines()
        err = proc.stderr.decode("utf-8", "replace").strip()

        # Codes, in order.
        listed = {k for k, _ in run if k in CALLS} | set(ALWAYS)
        want = ["%s: %s" % (k, v) for k, v in run if k in CALLS]
        got = [line for line in out
               if line.split(":")[0] in listed and ": PAM_" in line]
        self.compare(got, want, "PAM calls and codes")
        if got != want and err:
            self.results[-1][2].extend(["stderr:"] + ["  " + x for x in
                                                      err.splitlines()[:20]])
        # The ASan build (scripts/check, PJ_SANITIZED=1): a report fails the
        # case even where every code was right.
        if self.env.get("PJ_SANITIZED") == "1":
            self.check("Sanitizer" not in err and "runtime error:" not in err,
                       "no sanitizer report", err.splitlines()[:40])
        if "within" in settings:
            bound = int(settings["within"])
            self.check(elapsed < bound, "the run took %d ms, less than %d" %
                       (elapsed, bound))

        # Prompts, in order; none when the case lists none.
        want = ["%s: %s" % (k, self.subst(v)) for k, v in pairs(s.get("prompts", []))]
        got = [line[len("prompt: "):].rstrip() for line in out
               if line.startswith("prompt: ")]
        self.compare(got, want, "prompts")

        # Log lines: every line of pam_jenkins, in order; none when the
        # case lists none.
        if not self.env.get("SYSLOG"):
            self.results.append(("ok", "%s: log lines # SKIP no private syslog" %
                                 self.name, []))
        else:
            self.check_log(s.get("log", []), mark)

        # What the session saw: the token in the keyring or not, and every
        # JENKINS* and PAM_JENKINS* variable of its environment.
        if "session" in s:
            want = ["%s = %s" % (k, self.subst(v)) for k, v in pairs(s["session"])]
            got = [line[len("session: "):] for line in out
                   if line.startswith("session: ")]
            self.compare(got, want, "what the session saw")

        # The controller afterwards.
        state = self.double("state")
        mine = state["tokens"][ntokens:]
        names = []
        for key, value in pairs(s.get("controller", [])):
            if key == "tokens":
                want = [x.strip() for x in value.split(",") if x.strip()]
                got = [t["status"] for t in mine]
                self.compare(got, want, "tokens minted in this case, by status")
            elif key == "name":
                names.append(value)
            elif key == "requests":
                want = [" ".join(self.subst(x).split()) for x in value.split(",")
                        if x.strip()]
                got = ["%s %s %s" % (r["method"], r["path"], r["status"])
                       for r in state["requests"]]
                self.compare(got, want, "requests the controller received")
            else:
                raise CaseError("unknown [controller] key %s" % key)
        if names:
            got = [t["name"] for t in mine]
            good = len(got) == len(names) and all(
                re.fullmatch(self.subst(w, quote=True), g) for w, g in zip(names, got))
            self.check(good, "names of the tokens minted in this case",
                       ["expected (regular expressions):"] + ["  " + x for x in names] +
                       ["got:"] + ["  " + x for x in got])
        for key, value in pairs(s.get("journal", [])):
            if key != "entries":
                raise CaseError("unknown [journal] key %s" % key)
            got = sorted(os.listdir(self.journal))
            self.check(len(got) == int(value), "journal entries: %d" % int(value),
                       ["got: %s" % " ".join(got)])

        # Leave the controller as the next case expects it: no live token
        # of this case, the settings restored.
        if restore:
            self.double("config", restore)
        for t in mine:
            if t["status"] == "live":
                self.admin_revoke(t)

    def admin_revoke(self, token):
        ctx = double_context(self.env["CA"])
        crumb_off = {"crumb_issuer": False}
        self.double("config", crumb_off)
        try:
            req = urllib.request.Request(
                self.env["J_URL"] + "/user/" + urllib.request.quote(token["user"], safe="")
                + "/descriptorByName/jenkins.security.ApiTokenProperty/revoke",
                data=("tokenUuid=" + token["uuid"]).encode())
            req.add_header("Authorization", "Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=")
            urllib.request.urlopen(req, context=ctx, timeout=10).read()
        except OSError:
            pass
        finally:
            self.double("config", {"crumb_issuer": True})

    def check_log(self, lines, mark):
        # A marker after the run: the sink writes datagrams in the order it
        # receives them, so once the marker is in the file, so is every line
        # the module logged.
        marker = "pj-scenario-mark %s %f" % (self.service, time.time())
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(("<14>" + marker).encode(), "/dev/log")
        s.close()
        text = ""
        for _ in range(200):
            with open(self.env["SYSLOG"], "rb") as f:
                f.seek(mark)
                text = f.read().decode("utf-8", "replace")
            if marker in text:
                break
            time.sleep(0.02)
        prefix = "pam_jenkins(%s:" % self.service
        got = []
        for line in text.splitlines():
            m = re.match(r"<(\d+)>(?:\w{3} [ \d]\d \d\d:\d\d:\d\d )?[^:]*: (.*)$", line)
            if not m or not m.group(2).startswith(prefix):
                continue
            pri = PRIORITIES[int(m.group(1)) & 7]
            rest = m.group(2)[len(prefix):]
            kind, _, message = rest.partition("): ")
            got.append("%s %s: %s" % (pri, kind, message))
        want = [self.subst(x, quote=re.fullmatch(r"\w+ \w+: /.*/", x) is not None)
                for x in lines]
        ok = len(got) == len(want)
        for g, w in zip(got, want):
            m = re.fullmatch(r"(\w+ \w+: )/(.*)/", w)
            if m:
                ok = ok and g.startswith(m.group(1)) and \
                     re.fullmatch(m.group(2), g[len(m.group(1)):]) is not None
            else:
                ok = ok and g == w
        if self.env.get("PJ_SCENARIO_VERBOSE"):
            self.results.append(("diag", "%s logged:" % self.name,
                                 ["  " + x for x in got]))
        self.check(ok, "log lines", [] if ok else
                   ["expected:"] + ["  " + x for x in want] + ["got:"] +
                   ["  " + x for x in got])


def break_cases(src, dst):
    """Writes, for every case under src, copies under dst that each break
    one expected line: the first PAM code, and the first line of [log],
    [prompts], [controller] and [journal] where the case has them.  Every
    copy must fail (PJ_SCENARIO_BREAK=1 tests/scenarios.sh): a case that
    passes broken checks nothing."""
    count = 0
    for group in sorted(os.listdir(src)):
        if not os.path.isdir(os.path.join(src, group)):
            continue
        for name in sorted(os.listdir(os.path.join(src, group))):
            with open(os.path.join(src, group, name), encoding="utf-8") as f:
                lines = f.read().split("\n")
            firsts, section = {}, None
            for i, line in enumerate(lines):
                text = line.strip()
                m = re.fullmatch(r"\[(\w+)\]", text)
                if m:
                    section = m.group(1)
                elif text and not text.startswith("#"):
                    if section == "run" and "= PAM_" in text:
                        firsts.setdefault("code", i)
                    elif section in ("log", "prompts", "session", "controller",
                                     "journal"):
                        firsts.setdefault(section, i)
            os.makedirs(os.path.join(dst, group), exist_ok=True)
            for what, i in firsts.items():
                line = lines[i]
                if what == "code":
                    new = re.sub(r"PAM_\w+", "PAM_AUTH_ERR" if "PAM_SUCCESS" in line
                                 else "PAM_SUCCESS", line)
                elif what == "log" and line.endswith("/"):
                    new = line[:-1] + "x/"
                elif what == "journal":
                    new = re.sub(r"\d+$", "9", line)
                elif what == "controller" and line.rstrip().endswith("="):
                    new = line + (" live" if "tokens" in line else " GET /x 200")
                elif what == "controller" and "tokens" in line:
                    new = line + ", live"
                else:
                    new = line + "x"
                broken = list(lines)
                broken[i] = new
                with open(os.path.join(dst, group, "%s.%s" % (name, what)), "w",
                          encoding="utf-8") as f:
                    f.write("\n".join(broken))
                count += 1
    return count


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--break":
        print(break_cases(sys.argv[2], sys.argv[3]))
        return 0
    env = dict(os.environ)
    status = 0
    for path in sys.argv[1:]:
        runner = Runner(env, path)
        try:
            runner.run()
        except (CaseError, ValueError, OSError, subprocess.SubprocessError) as e:
            runner.check(False, "the case runs (%s)" % e)
        for verdict, what, diag in runner.results:
            print(("# %s" if verdict == "diag" else verdict + " - %s") % what)
            for line in diag:
                print("#   " + line)
            if verdict != "ok":
                status = 1
        sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
