#!/usr/bin/env bash
# Prints ready-to-paste curl commands for the demo server, each under the line that says what
# it shows.
P="${PORT:-8080}"
B="http://127.0.0.1:$P/agents/v1"
cat <<TXT

  # no token: every endpoint answers 401 UNAUTHORIZED with the same body whatever the cause (no
  # oracle); the server log names the reason, and this demo also puts it in "demoDenialReason"
  curl -s $B/health

  # who am I (env credential with read scopes)
  curl -s -H 'Authorization: Bearer demo-reader-token-3c8e1f0a5b7d2946' $B/auth/whoami

  # orders for the reader: e-mail redacted, meta.redactEmail true
  curl -s -H 'Authorization: Bearer demo-reader-token-3c8e1f0a5b7d2946' $B/orders

  # orders for a credential holding orders:read_sensitive: e-mail shown, meta.redactEmail false
  curl -s -H 'X-Agents-Token: demo-ops-token-7a1d4e9c2f6b0853' $B/orders

  # managed credential allowed from 127.0.0.1 only: accepted here
  curl -s -H 'Authorization: Bearer demo-office-token-4f9a1c2e7b3d8a60' $B/auth/whoami

  # managed credential allowed from 203.0.113.0/24 only: 401 here (demoDenialReason: ip_not_allowed)
  curl -s -H 'Authorization: Bearer demo-partner-token-9d2b7e4c1a6f3085' $B/auth/whoami

  # a forged X-Forwarded-For from an untrusted peer changes nothing: still 401
  curl -s -H 'X-Forwarded-For: 203.0.113.9' -H 'Authorization: Bearer demo-partner-token-9d2b7e4c1a6f3085' $B/auth/whoami

  # security posture (readiness:read)
  curl -s -H 'Authorization: Bearer demo-ops-token-7a1d4e9c2f6b0853' $B/readiness
TXT
