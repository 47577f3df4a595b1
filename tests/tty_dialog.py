#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
"""Runs a program on a pseudo-terminal and plays a person at it: waits for
each prompt and types the answer, as at a console.  The tests use it for
login(1), su, sudo and ssh, which read passwords from their terminal.

Usage: tty_dialog.py STEP... -- COMMAND [ARG...]
  expect:REGEX    wait (20 s at most) for REGEX in the output
  send:TEXT       type TEXT and Enter
  sendfile:PATH   type the first line of PATH and Enter (a password: never
                  in argv)
  sleep:SECONDS   wait
  hangup          close the terminal (ssh -N never ends by itself)
Then reads to the end.  Prints everything the program wrote; exits with
its status, or 124 when a prompt never came."""
import io
import re
import sys
import time

import pexpect


def show(transcript):
    """What a person saw, as lines: no carriage returns, no terminal
    escapes (bash's bracketed paste, the window title)."""
    text = transcript.getvalue().replace("\r", "")
    text = re.sub(r"\x1b\][^\x07]*\x07|\x1b\[[0-9;?]*[A-Za-z]", "", text)
    sys.stdout.write(text)


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    steps, command = sys.argv[1:split], sys.argv[split + 1:]
    child = pexpect.spawn(command[0], command[1:], encoding="utf-8",
                          codec_errors="replace", timeout=20,
                          dimensions=(24, 200))
    transcript = io.StringIO()
    child.logfile_read = transcript
    for step in steps:
        verb, _, arg = step.partition(":")
        try:
            if verb == "expect":
                child.expect(arg)
            elif verb == "send":
                child.sendline(arg)
            elif verb == "sendfile":
                with open(arg, encoding="utf-8") as f:
                    child.sendline(f.readline().rstrip("\n"))
            elif verb == "sleep":
                time.sleep(float(arg))
            elif verb == "hangup":
                child.close(force=True)
                show(transcript)
                sys.exit(0)
            else:
                sys.exit("tty_dialog: unknown step " + step)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            child.close(force=True)
            show(transcript)
            print("\ntty_dialog: %s while at %s" % (type(e).__name__, step))
            sys.exit(124)
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    show(transcript)
    sys.exit(child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0))


main()
