#!/bin/sh
# Host keys on first start, then sshd in the foreground, logging to stderr.
set -e
ssh-keygen -A
exec /usr/sbin/sshd -D -e
