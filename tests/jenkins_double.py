#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
"""A Jenkins test double: the HTTP behaviour of a Jenkins controller that
pam_jenkins depends on, as documented in docs/protocol.md.

Python standard library only.  One process on 127.0.0.1, HTTP or HTTPS.
Real Jenkins cannot be installed on the build machines, so every test of the
client trusts this file: each behaviour below names the section of
docs/protocol.md (§0-§7) it reproduces.

Test-only endpoints live under /__double__/, a path real Jenkins never
serves:
  GET  /__double__/state     tokens (live, revoked, expired), requests,
                             connections, TLS handshakes (and how many of
                             them resumed an earlier session), settings
  POST /__double__/config    JSON: change version, faults, crumb issuer,
                             idle_timeout (close idle connections)...
  POST /__double__/restart   new cookie name and session hash: every session
                             and crumb becomes invalid, as after a restart
  POST /__double__/reset     forget requests and counters (not tokens)
  POST /__double__/expire    JSON {"uuid": ...}: make a token expired
  POST /__double__/users     JSON {"name": {"password": ..., "admin": bool}}

Usage: jenkins_double.py [--tls CERT KEY] [--port N] [--port-file F]
       [--version V] [--context /jenkins] [--users alice:pw,...]
"""

import argparse
import base64
import datetime
import hashlib
import html
import json
import os
import secrets
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

INTROSPECT = "/__double__/"
TOKEN_ACTIONS = "/descriptorByName/jenkins.security.ApiTokenProperty/"


def version_tuple(v):
    return tuple(int(x) for x in v.split(".") if x.isdigit())


class Token:
    def __init__(self, user, name, legacy=False, expiration=None):
        self.user = user
        self.uuid = str(uuid.uuid4())
        self.name = name
        self.created = datetime.datetime.now().astimezone()
        self.expiration = expiration  # datetime.date or None
        secret = secrets.token_hex(16)  # 32 lowercase hex
        # Jenkins stores only SHA-256 of the 32 hex, never the value (§4).
        self.hash = hashlib.sha256(secret.encode()).hexdigest()
        self.value = secret if legacy else "11" + secret
        self.legacy = legacy
        self.revoked = False
        self.revoked_by = None
        self.uses = 0

    def status(self):
        if self.revoked:
            return "revoked"
        if self.expired():
            return "expired"
        return "live"

    def expired(self):
        return self.expiration is not None and self.expiration < datetime.date.today()

    def matches(self, presented):
        # §4 Matching: 34 chars -> first two dropped unchecked; else whole.
        if len(presented) == 34:
            presented = presented[2:]
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).hexdigest()
        return secrets.compare_digest(digest, self.hash)


class State:
    """Everything the controller knows; one lock guards it."""

    def __init__(self, args):
        # What is in front of Jenkins decides what a %2F in the path gets
        # (protocol §4): "pass" (Jenkins >= 2.475 on its own), "400" (plain
        # Jetty 12), "404" (Apache httpd without AllowEncodedSlashes).
        self.encoded_slash = "pass"
        # The JVM default locale, used when a request has no Accept-Language.
        self.default_locale = "en-GB"
        self.lock = threading.Lock()
        self.version = args.version
        self.context = args.context.rstrip("/")
        self.users = {}
        for spec in args.users.split(","):
            if not spec:
                continue
            name, _, password = spec.partition(":")
            admin = name.startswith("admin")
            self.users[name] = {"password": password, "admin": admin,
                                "fullName": name.capitalize()}
        self.tokens = []
        self.requests = []
        self.conns = {}  # conn id -> {"tls": handshake done, "introspect": bool}
        self.crumb_issuer = True
        self.exclude_client_ip = False
        self.admin_can_generate = False
        self.anonymous_read = False
        self.faults = []  # dicts: mode, path (substring), times, delay, location
        self.idle_timeout = None  # seconds; None: connections never time out
        self.secure_cookie = args.tls is not None
        self.salt = secrets.token_hex(8)
        self.restart()

    def restart(self):
        # docs/protocol.md §1 and behaviour 12: the cookie name and X-Jenkins-Session are
        # chosen at every JVM start; old sessions and crumbs die with it.
        self.cookie_name = "JSESSIONID." + secrets.token_hex(4)
        self.session_hash = hashlib.md5(
            (self.version + str(time.time())).encode()).hexdigest()[:8]
        self.sessions = {}

    def v(self):
        return version_tuple(self.version)


class Response:
    def __init__(self, status, body=b"", ctype=None, headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.ctype = ctype
        self.headers = list(headers or [])


REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           500: "Server Error"}


def jetty_error(status, message):
    """The container's HTML error page (sendError)."""
    text = ("<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;"
            "charset=ISO-8859-1\"/>\n<title>Error %d %s</title>\n</head>\n<body><h2>"
            "HTTP ERROR %d %s</h2>\n<table>\n<tr><th>URI:</th><td>/</td></tr>\n"
            "<tr><th>STATUS:</th><td>%d</td></tr>\n<tr><th>MESSAGE:</th><td>%s</td></tr>\n"
            "</table>\n</body>\n</html>\n" % (status, html.escape(message), status,
                                             html.escape(message), status,
                                             html.escape(message)))
    return Response(status, text, "text/html;charset=iso-8859-1")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Jetty(10.0.20)"
    sys_version = ""

    # -- connection set-up ------------------------------------------------
    def setup(self):
        # Like Jetty: TCP_NODELAY, and (in send) one write per response.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        state = self.server.state
        if isinstance(self.request, ssl.SSLSocket):
            # Generous: ten clients under valgrind on two cores take more
            # than ten seconds for a handshake (tests/load.sh).
            self.request.settimeout(60)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.handshake_failed = True
            else:
                self.handshake_failed = False
            # Jetty's idleTimeout: a kept-alive connection left idle that
            # long is closed (config idle_timeout, seconds; none by default).
            self.request.settimeout(state.idle_timeout)
            tls = not self.handshake_failed
            # An abbreviated handshake on a session ticket from an earlier
            # connection (what a client's session cache buys).
            resumed = tls and self.request.session_reused
        else:
            self.handshake_failed = False
            tls = resumed = False
        self.conn_id = self.server.next_conn_id()
        with state.lock:
            state.conns[self.conn_id] = {"tls": tls, "resumed": resumed,
                                         "introspect": False}
        super().setup()

    def handle(self):
        if self.handshake_failed:
            return
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, OSError):
            pass

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("double: " + fmt % args + "\n")

    # -- plumbing ---------------------------------------------------------
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def send(self, resp):
        state = self.server.state
        lines = ["HTTP/1.1 %d %s" % (resp.status, REASONS.get(resp.status, "Status")),
                 "Date: " + self.date_time_string(),
                 "Server: " + self.server_version]
        if resp.ctype:
            lines.append("Content-Type: " + resp.ctype)
        for name, value in resp.headers:
            lines.append("%s: %s" % (name, value))
        lines.append("Content-Length: %d" % len(resp.body))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        payload = head if self.command == "HEAD" else head + resp.body
        self.wfile.write(payload)  # one write: see the class comment
        with state.lock:
            self.record["status"] = resp.status

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def dispatch(self, method):
        state = self.server.state
        self.hostile = None
        self.after = None
        raw_path = self.path
        self.body = self.read_body() if method in ("POST", "PUT") else b""
        parsed = urllib.parse.urlsplit(raw_path)
        self.query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        self.form = {}
        ctype = self.headers.get("Content-Type", "")
        if method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
            self.form = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"),
                                              keep_blank_values=True)
        auth_header = self.headers.get("Authorization")
        self.record = {"method": method, "path": parsed.path, "conn": self.conn_id,
                       "auth": None, "had_auth_header": auth_header is not None,
                       "crumb_header": self.headers.get(self.crumb_field()) is not None,
                       "header_names": sorted(k.lower() for k in self.headers.keys()),
                       "cookie": self.headers.get("Cookie") is not None,
                       "status": None, "time": time.time()}
        # --verbose: what the client put in the request line and the body,
        # for a search for secrets that do not belong there (tests/secrets.sh).
        if self.server.verbose and not parsed.path.startswith(INTROSPECT):
            sys.stderr.write("double: %s body: %s\n"
                             % (self.requestline, self.body.decode("utf-8", "replace")))
        with state.lock:
            state.requests.append(self.record)
            if parsed.path.startswith(INTROSPECT):
                state.conns[self.conn_id]["introspect"] = True
        if parsed.path.startswith(INTROSPECT):
            return self.send(self.introspect(method, parsed.path[len(INTROSPECT):]))
        if "%2f" in raw_path.lower() and state.encoded_slash != "pass":
            if state.encoded_slash == "400":
                return self.send(jetty_error(400, "Ambiguous URI path separator"))
            return self.send(jetty_error(404, "Not Found"))
        fault = self.take_fault(parsed.path)
        if fault is not None:
            resp = self.apply_fault(fault)
            if resp is None:
                return
            if resp is not True:
                return self.send(resp)
        resp = self.jenkins(method, parsed.path)
        if getattr(self, "after", None):
            self.after = None
            head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\n"
                    "Content-Length: %d\r\n\r\n" % (200 * 1024)).encode()
            try:
                self.wfile.write(head + b'{"status":"ok","data":{"x":"' + b"a" * (200 * 1024 - 30))
            except OSError:
                pass
            self.close_connection = True
            return
        self.send(resp)

    # -- faults -----------------------------------------------------------
    def take_fault(self, path):
        state = self.server.state
        with state.lock:
            for fault in state.faults:
                if fault.get("path") and fault["path"] not in path:
                    continue
                if fault.get("times", -1) == 0:
                    continue
                if fault.get("times", -1) > 0:
                    fault["times"] -= 1
                return dict(fault)
        return None

    def apply_fault(self, fault):
        """None: connection handled; True: go on normally; else a Response."""
        mode = fault["mode"]
        if mode == "restart":
            # as if the controller restarted just before this request
            with self.server.state.lock:
                self.server.state.restart()
            return True
        if mode == "slow":
            time.sleep(float(fault.get("delay", 30)))
            return True
        if mode == "http500":
            return jetty_error(500, "Server Error")
        if mode == "drop":
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        if mode == "malformed_json":
            return Response(200, '{"_class":"hudson.security.csrf.DefaultCrumbIssuer",'
                                 '"crumb":"abc', "application/json;charset=utf-8")
        if mode == "huge_body":
            # "valid": a whole crumb reply, padded: nothing but its size is
            # wrong with it.
            size = int(fault.get("size", 50 * 1024 * 1024))
            head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\n"
                    "Content-Length: %d\r\n\r\n" % size).encode()
            start, end = b'{"crumb":"', b""
            if fault.get("valid"):
                start = (b'{"_class":"hudson.security.csrf.DefaultCrumbIssuer","crumb":"abc",'
                         b'"crumbRequestField":"Jenkins-Crumb","pad":"')
                end = b'"}'
            chunk = b"a" * 65536
            try:
                self.wfile.write(head + start)
                sent = len(start)
                while sent < size - len(end):
                    n = min(len(chunk), size - len(end) - sent)
                    self.wfile.write(chunk[:n])
                    sent += n
                self.wfile.write(end)
            except OSError:
                pass
            self.close_connection = True
            return None
        if mode == "redirect":
            return Response(302, "", "text/html", [("Location", fault["location"])])
        if mode == "status":
            return jetty_error(int(fault.get("status", 503)), "Service Unavailable")
        if mode == "error_json":
            # errorJSON (HTTP 200) with a message of the test's choosing
            return Response(200, json.dumps({"status": "error",
                                             "message": fault.get("message", "")}),
                            "application/json; charset=UTF-8")
        if mode == "huge_after_generate":
            # The controller does the work, then the reply is cut off by the
            # client's 64 KiB cap (or a proxy): the token exists, unseen.
            self.after = fault
            return True
        if mode == "hostile_generate":
            # A hostile or confused controller: it mints the token asked for,
            # then answers with another tokenName / expirationDate.
            self.hostile = fault
            return True
        raise ValueError("unknown fault " + mode)

    # -- introspection ----------------------------------------------------
    def introspect(self, method, what):
        state = self.server.state
        try:
            data = json.loads(self.body.decode() or "{}") if method == "POST" else {}
        except ValueError:
            return Response(400, "bad json")
        with state.lock:
            if what == "state" and method == "GET":
                out = {
                    "version": state.version,
                    "context": state.context,
                    "cookie_name": state.cookie_name,
                    "session_hash": state.session_hash,
                    # Connections that carried introspection requests (the
                    # tests' own) are left out of both counts.
                    "connections": sum(1 for c in state.conns.values()
                                       if not c["introspect"]),
                    "tls_handshakes": sum(1 for c in state.conns.values()
                                          if c["tls"] and not c["introspect"]),
                    "tls_resumed": sum(1 for c in state.conns.values()
                                       if c["resumed"] and not c["introspect"]),
                    "requests": [r for r in state.requests
                                 if not r["path"].startswith(INTROSPECT)],
                    "tokens": [{"user": t.user, "uuid": t.uuid, "name": t.name,
                                "status": t.status(), "uses": t.uses,
                                "revoked_by": t.revoked_by,
                                "expiration": t.expiration.isoformat()
                                if t.expiration else None}
                               for t in state.tokens],
                    "users": sorted(state.users),
                }
                return Response(200, json.dumps(out), "application/json")
            if method != "POST":
                return Response(405, "POST only")
            if what == "config":
                for key in ("version", "crumb_issuer", "exclude_client_ip",
                            "admin_can_generate", "anonymous_read", "faults",
                            "encoded_slash", "default_locale", "idle_timeout"):
                    if key in data:
                        setattr(state, key, data[key])
                return Response(200, "{}", "application/json")
            if what == "restart":
                state.restart()
                return Response(200, "{}", "application/json")
            if what == "reset":
                state.requests = []
                state.conns = {k: v for k, v in state.conns.items() if v["introspect"]}
                return Response(200, "{}", "application/json")
            if what == "expire":
                for t in state.tokens:
                    if t.uuid == data.get("uuid"):
                        t.expiration = datetime.date.today() - datetime.timedelta(days=1)
                return Response(200, "{}", "application/json")
            if what == "users":
                for name, info in data.items():
                    state.users[name] = {"password": info["password"],
                                         "admin": bool(info.get("admin")),
                                         "fullName": name}
                return Response(200, "{}", "application/json")
        return Response(404, "no such introspection endpoint")

    # -- Jenkins ----------------------------------------------------------
    def api_headers(self):
        """§0: api/json responses carry these (nosniff/deny since 2.219)."""
        state = self.server.state
        h = [("X-Jenkins", state.version), ("X-Jenkins-Session", state.session_hash)]
        if state.v() >= (2, 219):
            h += [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "deny")]
        return h

    def login_required(self):
        """§7: anonymous on a protected URL -> 403 HTML, no challenge."""
        state = self.server.state
        if self.headers.get("X-Requested-With") == "XMLHttpRequest":
            return Response(403, "")
        target = state.context + "/login?from=" + urllib.parse.quote(self.path, safe="")
        page = ("<html><head><meta http-equiv='refresh' content='1;url=%s'/>"
                "<script>window.location.replace('%s');</script></head><body "
                "style='background-color:white; color:white;'>\n\nAuthentication "
                "required\n<!--\n-->\n\n</body></html>" % (target, target))
        return Response(403, page, "text/html;charset=utf-8",
                        [("X-Hudson", "1.395"), ("X-Jenkins", state.version),
                         ("X-Jenkins-Session", state.session_hash)])

    def access_denied(self, who, permission):
        """§4: an authenticated user lacking a permission."""
        return Response(403, "<html><body>Access Denied: %s is missing the %s "
                             "permission</body></html>" % (html.escape(who), permission),
                        "text/html;charset=utf-8",
                        [("X-You-Are-Authenticated-As", who),
                         ("X-You-Are-In-Group-Disabled", "JENKINS-39402: use "
                          "-Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS"
                          "=true or use /whoAmI to diagnose"),
                         ("X-Required-Permission", permission)])

    def authenticate(self):
        """§3 BasicHeaderProcessor.  Returns (user, via_token, failure)."""
        state = self.server.state
        header = self.headers.get("Authorization")
        if header is None or not header[:6].lower() == "basic ":
            return None, False, None  # other schemes are ignored: anonymous
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        if ":" not in decoded:
            return None, False, self.unauthorized()
        user, _, secret = decoded.partition(":")
        with state.lock:
            info = state.users.get(user)
            if info is not None:
                for token in state.tokens:
                    if token.user == user and not token.revoked and not token.expired() \
                            and token.matches(secret):
                        token.uses += 1
                        self.record["auth"] = user
                        self.record["via"] = "token"
                        return user, True, None
                if secret and secrets.compare_digest(secret.encode(),
                                                     info["password"].encode()):
                    self.record["auth"] = user
                    self.record["via"] = "password"
                    return user, False, None
        return None, False, self.unauthorized()

    def unauthorized(self):
        # §3: 401 with the challenge; no X-Jenkins headers.
        resp = jetty_error(401, "Unauthorized")
        resp.headers.append(("WWW-Authenticate", 'Basic realm="Jenkins"'))
        return resp

    def session_id(self, create):
        """The servlet session from the cookie; create it if asked (§1)."""
        state = self.server.state
        cookies = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                cookies[name] = value
        sid = cookies.get(state.cookie_name)
        with state.lock:
            if sid in state.sessions:
                return sid, None
            if not create:
                return None, None
            sid = "node0" + secrets.token_hex(12) + ".node0"
            state.sessions[sid] = time.time()
        attrs = "; Path=%s/; HttpOnly" % state.context
        if state.secure_cookie:
            attrs += "; Secure"
        return sid, ("Set-Cookie", "%s=%s%s" % (state.cookie_name, sid, attrs))

    def compute_crumb(self, auth_name, sid):
        """§1 DefaultCrumbIssuer.issueCrumb, per version."""
        state = self.server.state
        v = state.v()
        ip = self.client_address[0]
        if v >= (2, 543):
            buffer = "%s;%s" % (auth_name, sid)
        else:
            buffer = auth_name + ";" + ("" if state.exclude_client_ip else ip)
            if v >= (2, 186):
                buffer += ";" + (sid if sid else "NO_SESSION")
        if v >= (2, 190):
            return hashlib.sha256(buffer.encode() + state.salt.encode()).hexdigest()
        return hashlib.md5(buffer.encode() + state.salt.encode()).hexdigest()

    def crumb_field(self):
        return "Jenkins-Crumb"

    def param(self, name):
        for source in (self.query, self.form):
            if name in source:
                return source[name][0]
        return None

    def crumb_ok(self, auth_name):
        """§2 CrumbFilter: header first, then a parameter of that name."""
        field = self.crumb_field()
        presented = self.headers.get(field)
        if presented is None:
            presented = self.param(field)
        if presented is None:
            return False
        sid, _ = self.session_id(create=False)
        if sid is None and self.server.state.v() >= (2, 192):
            # getSession() would make a brand-new session here, whose crumb
            # cannot be the one presented (SECURITY-1491).
            return False
        expected = self.compute_crumb(auth_name, sid)
        return secrets.compare_digest(presented.encode("latin-1", "replace"),
                                      expected.encode())

    def jenkins(self, method, path):
        state = self.server.state
        # §0 SuspiciousRequestFilter checks getRequestURI(), which is not
        # decoded: a raw ';' is refused, an encoded %3B (Util.rawEncode) not.
        if ";" in self.path.split("?")[0]:
            return jetty_error(400, "Semicolons are not allowed in the request URI")
        if not path.startswith(state.context + "/") and path != state.context:
            return jetty_error(404, "Not Found")
        if path == state.context:
            return Response(302, "", None, [("Location", state.context + "/")])
        rest = path[len(state.context):]
        user, via_token, failure = self.authenticate()
        if failure is not None:
            return failure
        auth_name = user or "anonymous"
        # §2 CrumbFilter: POST only, after authentication, API tokens exempt.
        if method == "POST" and state.crumb_issuer and not via_token:
            if not self.crumb_ok(auth_name):
                return jetty_error(403, "No valid crumb was included in the request")
        return self.route(method, rest, user, via_token)

    def route(self, method, rest, user, via_token):
        state = self.server.state
        # §7: object URLs without a trailing slash are redirected.
        if rest in ("/me", "/whoAmI", "/crumbIssuer") or \
                (rest.startswith("/user/") and rest.count("/") == 2):
            return Response(302, "", None, [("Location", state.context + rest + "/")])
        if rest == "/login":
            return Response(200, "<html><body>login</body></html>", "text/html",
                            [("X-Hudson", "1.395"), ("X-Jenkins", state.version),
                             ("X-Jenkins-Session", state.session_hash)])
        if rest == "/whoAmI/api/json":
            name = user or "anonymous"
            body = {"_class": "hudson.security.WhoAmI", "anonymous": user is None,
                    "authenticated": True,
                    "authorities": ["authenticated"] if user else ["anonymous"],
                    "name": name}
            return Response(200, json.dumps(body, separators=(",", ":")),
                            "application/json;charset=utf-8", self.api_headers())
        if rest.startswith("/crumbIssuer/"):
            return self.crumb_issuer(rest, user)
        if user is None and not state.anonymous_read:
            return self.login_required()
        if rest == "/me/api/json":
            if user is None:
                return self.login_required()
            return self.user_api(user, user)
        if rest == "/me/security/" and state.v() >= (2, 468) or \
                rest == "/me/configure" and (2, 129) <= state.v() < (2, 468):
            if user is None:
                return self.login_required()
            return self.security_page(user, user)
        if rest.startswith("/me" + TOKEN_ACTIONS):
            if user is None:
                return self.login_required()
            return self.token_action(method, user, user, rest[len("/me" + TOKEN_ACTIONS):],
                                     via_token)
        if rest.startswith("/user/"):
            encoded, _, tail = rest[len("/user/"):].partition("/")
            target = urllib.parse.unquote(encoded)
            if target not in state.users:
                return jetty_error(404, "Not Found")
            tail = "/" + tail
            if tail == "/api/json":
                return self.user_api(user, target)
            if tail.startswith(TOKEN_ACTIONS):
                return self.token_action(method, user, target,
                                         tail[len(TOKEN_ACTIONS):], via_token)
            if tail == "/security/" and state.v() >= (2, 468):
                return self.security_page(user, target)
            if tail == "/configure" and (2, 129) <= state.v() < (2, 468):
                return self.security_page(user, target)
        return jetty_error(404, "Not Found")

    def crumb_issuer(self, rest, user):
        state = self.server.state
        if not state.crumb_issuer:
            return jetty_error(404, "Not Found")  # §1: no crumb issuer
        if user is None and not state.anonymous_read:
            return self.login_required()
        if "jsonp" in self.query:
            return jetty_error(403, "jsonp forbidden")
        create = state.v() >= (2, 192)
        sid, cookie = self.session_id(create=create)
        crumb = self.compute_crumb(user or "anonymous", sid)
        headers = self.api_headers() + ([cookie] if cookie else [])
        field = self.crumb_field()
        if rest == "/crumbIssuer/api/json":
            body = '{"_class":"hudson.security.csrf.DefaultCrumbIssuer","crumb":"%s",' \
                   '"crumbRequestField":"%s"}' % (crumb, field)
            return Response(200, body, "application/json;charset=utf-8", headers)
        if rest == "/crumbIssuer/api/xml":
            xpath = self.param("xpath")
            allowed = {'concat(//crumbRequestField,":",//crumb)': field + ":" + crumb,
                       "/*/crumbRequestField/text()": field,
                       "/*/crumb/text()": crumb}
            if xpath in allowed:
                return Response(200, allowed[xpath], "text/plain;charset=utf-8", headers)
            if xpath is None:
                return Response(200, "<defaultCrumbIssuer><crumb>%s</crumb>"
                                     "<crumbRequestField>%s</crumbRequestField>"
                                     "</defaultCrumbIssuer>" % (crumb, field),
                                "application/xml;charset=utf-8", headers)
            return jetty_error(403, "primitive XPath result sets forbidden; "
                                    "implement jenkins.security.SecureRequester")
        return jetty_error(404, "Not Found")

    def user_api(self, caller, target):
        state = self.server.state
        if caller is None:
            return self.login_required()
        own = caller == target or state.users[caller]["admin"]
        props = [{"_class": "jenkins.security.ApiTokenProperty"}] if own else []
        base = "%s://127.0.0.1:%d%s/" % ("https" if state.secure_cookie else "http",
                                         self.server.server_address[1], state.context)
        body = {"_class": "hudson.model.User", "absoluteUrl": base + "user/" + target,
                "description": None, "fullName": state.users[target]["fullName"],
                "id": target, "property": props}
        return Response(200, json.dumps(body, separators=(",", ":")),
                        "application/json;charset=utf-8", self.api_headers())

    def security_page(self, caller, target):
        """The user's token list (protocol §4): /configure up to 2.467,
        /security/ from 2.468; rows of hidden tokenUuid + tokenName inputs
        (after repeatable.jelly's master copy) up to 2.504, token cards (after
        a template card without an id) from 2.505.  Attributes in varying
        order, as Jenkins' HashMap gives them, and a layout around them."""
        state = self.server.state
        if caller != target and not state.users[caller]["admin"]:
            return self.access_denied(caller, "hudson.model.Hudson.Administer")
        live = [t for t in state.tokens if t.user == target and not t.revoked]
        if state.v() < (2, 505):
            rows = ['<div class="repeated-chunk" data-name="tokenStore">'
                    '<input name="tokenUuid" type="hidden" class="token-uuid-input" value="">'
                    '<input type="text" name="tokenName" value="" class="setting-input"></div>']
            for i, t in enumerate(live):
                uuid_in = ('<input class="token-uuid-input" value="%s" type="hidden" '
                           'name="tokenUuid">' if i % 2 else
                           '<input name="tokenUuid" type="hidden" class="token-uuid-input" '
                           'value="%s">') % t.uuid
                rows.append('<div class="repeated-chunk token-list-item">%s'
                            '<input value="%s" name="tokenName" type="text" '
                            'class="setting-input"></div>'
                            % (uuid_in, html.escape(t.name, quote=True)))
        else:
            rows = ['<div class="token-card jenkins-card"><span class="token-name"></span>'
                    '<button class="jenkins-button" data-token-uuid="">Revoke</button></div>']
            for i, t in enumerate(live):
                cls = "token-card jenkins-card legacy-token" if t.legacy else \
                      "token-card jenkins-card "
                attrs = ('class="%s" id="%s"' if i % 2 else 'id="%s" class="%s"')
                attrs = attrs % ((cls, t.uuid) if i % 2 else (t.uuid, cls))
                rows.append('<div %s>\n  <span class="token-name">%s</span>\n'
                            '  <button data-token-uuid="%s" class="jenkins-button">Revoke'
                            '</button></div>' % (attrs, html.escape(t.name), t.uuid))
        layout = ("<!DOCTYPE html><html><head><title>Security [Jenkins]</title>"
                  "<script src='/static/x.js'></script></head><body>"
                  "<div id='page-header'><a href='/'>Jenkins</a></div>"
                  "<div id='main-panel'><h1>API Token</h1>%s</div></body></html>")
        return Response(200, layout % "".join(rows), "text/html;charset=utf-8",
                        [("X-Jenkins", state.version),
                         ("X-Jenkins-Session", state.session_hash)])

    def token_action(self, method, caller, target, action, via_token):
        state = self.server.state
        action = action.rstrip("/")
        if state.v() < (2, 129) and action in ("generateNewToken", "revoke", "rename"):
            return jetty_error(404, "Not Found")
        known = ("generateNewToken", "revoke", "rename", "revokeAll", "revokeAllExcept")
        if action not in known:
            return jetty_error(404, "Not Found")
        if method != "POST":
            # §4: @RequirePOST -> 405 with Allow: POST.
            resp = Response(405, "<html><body>This URL requires POST</body></html>",
                            "text/html;charset=utf-8", [("Allow", "POST")])
            return resp
        is_owner = caller == target
        is_admin = state.users[caller]["admin"]
        if action == "generateNewToken":
            if not is_owner and not (is_admin and state.admin_can_generate):
                return Response(403, "")  # HttpResponses.forbidden(): no body
            return self.generate(target)
        if not is_owner and not is_admin:
            return self.access_denied(caller, "hudson.model.Hudson.Administer")
        if action == "revoke":
            token_uuid = self.param("tokenUuid")
            if token_uuid is None or not token_uuid.strip():
                return jetty_error(400, "The tokenUuid cannot be empty")
            with state.lock:
                for t in state.tokens:
                    if t.user == target and t.uuid == token_uuid and not t.revoked:
                        t.revoked = True
                        t.revoked_by = caller
            return Response(200, "")  # §4: 200, empty, even for unknown uuids
        if action == "revokeAll" and state.v() >= (2, 260):
            with state.lock:
                for t in state.tokens:
                    if t.user == target:
                        t.revoked = True
                        t.revoked_by = caller
            return Response(200, "")
        if action == "rename":
            token_uuid = self.param("tokenUuid")
            new_name = self.param("newName")
            if not new_name or not new_name.strip():
                return Response(200, '{"status":"error","message":"The name cannot be empty"}',
                                "application/json; charset=UTF-8")
            with state.lock:
                for t in state.tokens:
                    if t.user == target and t.uuid == token_uuid:
                        t.name = new_name
                        break
                else:
                    return Response(200, '{"status":"error","message":"No token found, '
                                         'try refreshing the page"}',
                                    "application/json; charset=UTF-8")
            if state.v() >= (2, 505):
                return Response(200, '{"status":"ok"}', "application/json; charset=UTF-8")
            return Response(200, "")
        return jetty_error(404, "Not Found")

    def short_date(self, date):
        # DateTimeFormatter.ofLocalizedDate(FormatStyle.SHORT) in the
        # request's locale (Accept-Language), else the JVM default.
        wanted = (self.headers.get("Accept-Language") or
                  self.server.state.default_locale).split(",")[0].strip()
        if wanted.lower().startswith("en-us") or wanted.lower() == "en":
            return date.strftime("%-m/%-d/%y")
        if wanted.lower().startswith("de"):
            return date.strftime("%d.%m.%y")
        return date.strftime("%d/%m/%Y")

    def generate(self, target):
        state = self.server.state
        name = self.param("newTokenName")
        if name is None or not name.strip():
            now = datetime.datetime.now().astimezone().isoformat()
            name = "Token created on " + now
        expiration = None
        extra = {}
        if state.v() >= (2, 548):
            duration = self.param("expirationDuration")
            today = datetime.date.today()
            if duration in (None, "", "never"):
                expiration = None
            elif duration == "custom":
                try:
                    expiration = datetime.date.fromisoformat(self.param("tokenExpiration"))
                except (TypeError, ValueError):
                    return jetty_error(500, "Server Error")
            else:
                try:
                    expiration = today + datetime.timedelta(days=int(duration))
                except ValueError:
                    return jetty_error(500, "Server Error")
            if expiration is not None and expiration < today:
                return Response(200, '{"status":"error","message":'
                                     '"Expiration date is in the past."}',
                                "application/json; charset=UTF-8")
            extra = {"expirationDate": self.short_date(expiration)
                     if expiration else "never",
                     "aboutToExpire": bool(expiration and
                                           (expiration - today).days <= 7)}
        token = Token(target, name, expiration=expiration)
        with state.lock:
            state.tokens.append(token)
        data = {"tokenName": token.name, "tokenUuid": token.uuid,
                "tokenValue": token.value}
        data.update(extra)
        hostile = getattr(self, "hostile", None) or {}
        for key, field in (("token_name", "tokenName"), ("expiration_date", "expirationDate")):
            if key in hostile:
                data[field] = hostile[key]
        body = json.dumps({"status": "ok", "data": data})
        return Response(200, body, "application/json; charset=UTF-8")


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, state, tls_context, verbose):
        self.state = state
        self.tls_context = tls_context
        self.verbose = verbose
        self._conn_lock = threading.Lock()
        self._conn_counter = 0
        super().__init__(address, Handler)

    def next_conn_id(self):
        with self._conn_lock:
            self._conn_counter += 1
            return self._conn_counter

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls_context is not None:
            # The handshake runs in the handler's thread, not in accept.
            sock = self.tls_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, addr


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--version", default="2.479.3")
    parser.add_argument("--context", default="")
    parser.add_argument("--users", default="alice:alice-password,bob:bob-password,"
                                           "admin:admin-password")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    state = State(args)
    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
    server = Server(("127.0.0.1", args.port), state, ctx, args.verbose)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
