#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
"""tests/memscan.py PID: search a paused process's memory for secrets.

The secrets come on stdin, one "name hex" per line (never in argv, where
any process can read them).  Every readable mapping of the process is read
through /proc/PID/mem (root, or a tracer of the process); every place a
secret is found is printed as

    hit NAME MAPPING +OFFSET

MAPPING is the mapped file, [heap], [stack], or anon@ADDRESS for an
anonymous mapping (thread arenas and stacks, large malloc blocks), and
OFFSET where in it.  A last line says how much was searched:

    scanned N mappings, M bytes
"""
import re
import sys


def mappings(pid):
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split(None, 5)
            start, end = (int(x, 16) for x in parts[0].split("-"))
            perms = parts[1]
            name = parts[5].strip() if len(parts) > 5 else ""
            yield start, end, perms, name


def main():
    pid = int(sys.argv[1])
    needles = []
    for line in sys.stdin:
        if line.strip():
            name, value = line.split()
            needles.append((name, bytes.fromhex(value)))
    count = total = 0
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for start, end, perms, name in mappings(pid):
            # [vvar] and [vsyscall] cannot be read; device mappings are not
            # the process's own memory.
            if perms[0] != "r" or name in ("[vvar]", "[vsyscall]", "[vvar_vclock]") or \
                    name.startswith("/dev/"):
                continue
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except OSError:
                continue
            count += 1
            total += len(data)
            label = name or "anon@%x" % start
            for needle_name, needle in needles:
                for m in re.finditer(re.escape(needle), data):
                    print("hit %s %s +0x%x" % (needle_name, label, m.start()))
    print("scanned %d mappings, %d bytes" % (count, total))


if __name__ == "__main__":
    main()
