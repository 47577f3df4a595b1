#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# Throwaway TLS material for the tests and the demo: a CA, a server
# certificate for 127.0.0.1 and localhost, a second CA that signed nothing
# the double serves (the "wrong CA" case), and a certificate for another host
# name (the "wrong host" case).  Usage: mkcerts.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
[ -f server.pem ] && exit 0
q() { openssl "$@" >/dev/null 2>&1; }
q req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
    -subj "/CN=pam_jenkins test CA"
q req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 30 \
    -subj "/CN=pam_jenkins unrelated CA"
sign() { # name subject-alt-names
    q req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        "$2" >"$1.ext"
    q x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out "$1.pem" -days 30 -extfile "$1.ext"
    rm -f "$1.csr" "$1.ext"
}
sign server "IP:127.0.0.1,DNS:localhost"
sign wronghost "DNS:jenkins.invalid"
chmod 0644 ./*.pem
