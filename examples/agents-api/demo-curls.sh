#!/usr/bin/env bash
# Prints ready-to-paste curl commands for the demo server.
P="${PORT:-8080}"
B="http://127.0.0.1:$P/agents/v1"
cat <<TXT
  # who am I (env credential with read scopes; orders e-mail stays redacted)
  curl -s -H 'Authorization: Bearer demo-reader-token-3c8e1f0a5b7d2946' $B/auth/whoami
  curl -s -H 'Authorization: Bearer demo-reader-token-3c8e1f0a5b7d2946' $B/orders
  # a credential holding orders:read_sensitive sees e-mail
  curl -s -H 'X-Agents-Token: demo-ops-token-7a1d4e9c2f6b0853' $B/orders
  # managed credential allowed from 127.0.0.1 only / from 203.0.113.0/24 only (denied here)
  curl -s -H 'Authorization: Bearer demo-office-token-4f9a1c2e7b3d8a60' $B/auth/whoami
  curl -s -H 'Authorization: Bearer demo-partner-token-9d2b7e4c1a6f3085' $B/auth/whoami
  # a forged X-Forwarded-For from an untrusted peer changes nothing
  curl -s -H 'X-Forwarded-For: 203.0.113.9' -H 'Authorization: Bearer demo-partner-token-9d2b7e4c1a6f3085' $B/auth/whoami
  # no token / security posture
  curl -s -i $B/health
  curl -s -H 'Authorization: Bearer demo-ops-token-7a1d4e9c2f6b0853' $B/readiness
TXT
