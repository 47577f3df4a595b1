#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Host keys on first start, then sshd in the foreground, logging to stderr.
set -e
ssh-keygen -A
exec /usr/sbin/sshd -D -e
