#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
"""Collects syslog datagrams from a unix socket into a file, so the tests
can read what pam_jenkins (and sshd) logged on a machine without a syslog
daemon.  Usage: syslog_sink.py SOCKET OUTFILE"""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o666)
with open(out, "ab", buffering=0) as f:
    while True:
        data = sock.recv(65536)
        f.write(data.rstrip(b"\0\n") + b"\n")
