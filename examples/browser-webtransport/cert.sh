#!/bin/sh
# A certificate a browser accepts for WebTransport without a CA, through
# `serverCertificateHashes` (W3C WebTransport §4.4 "verify a certificate hash"): self-signed,
# an ECDSA P-256 key, valid at most 14 days, the FA's IP address in subjectAltName.
# Writes cert.pem, key.pem (mode 0600) and cert.sha256 (the hash the page passes, in hex).
# Renew it before it expires (every 10 days here).
set -eu
IP="${1:-127.0.0.1}"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout key.pem -out cert.pem -days 10 -subj "/CN=hipmm-fa" \
  -addext "subjectAltName=IP:$IP" 2>/dev/null
chmod 644 cert.pem
openssl x509 -in cert.pem -outform der | openssl dgst -sha256 -r | cut -d' ' -f1 > cert.sha256
cat cert.sha256
