#!/usr/bin/env bash
# Checks scripts/demo.sh as a first-time user meets it (called by scripts/test.sh):
#   - the first printed curl (no token) answers 401 and says why (demoDenialReason);
#   - /orders: meta.redactEmail is true for the reader and false for the ops credential;
#   - `kill <pid of demo.sh>` ends the server and its PHP_CLI_SERVER_WORKERS workers
#     (nothing keeps serving the port, no process of the server's group is left).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh

PORT="$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);')"
LOG="$(mktemp)"
PORT="$PORT" bash scripts/demo.sh >"$LOG" 2>&1 &
DEMO_PID=$!
cleanup() { kill "$DEMO_PID" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT

B="http://127.0.0.1:$PORT/agents/v1"
for _ in $(seq 600); do
    curl -s -o /dev/null "$B/health" && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$LOG"; die "demo.sh exited early"; }
    sleep 0.2
done
first="$(grep -m1 -o "curl -s http://127.0.0.1:$PORT/agents/v1/health" "$LOG")" \
    || { cat "$LOG"; die "demo.sh did not print the no-token curl"; }
body="$($first)"
echo "first curl: $body"
php -r '$j = json_decode($argv[1], true); exit(($j["status"] ?? 0) === 401 && ($j["demoDenialReason"] ?? "") === "token_missing" ? 0 : 1);' "$body" \
    || die "the no-token curl does not say why it is refused"

reader="$(curl -s -H 'Authorization: Bearer demo-reader-token-3c8e1f0a5b7d2946' "$B/orders")"
ops="$(curl -s -H 'X-Agents-Token: demo-ops-token-7a1d4e9c2f6b0853' "$B/orders")"
php -r 'exit(json_decode($argv[1], true)["meta"]["redactEmail"] === true && json_decode($argv[2], true)["meta"]["redactEmail"] === false ? 0 : 1);' "$reader" "$ops" \
    || die "/orders meta.redactEmail should be true for the reader and false for ops: $reader / $ops"
echo "/orders meta.redactEmail: reader true, ops false"

mapfile -t servers < <(pgrep -f -- "-S 127.0.0.1:$PORT" || true)
[ "${#servers[@]}" -ge 3 ] || die "expected the server and 2 workers, found: ${servers[*]:-none}"
echo "demo server processes: ${servers[*]}"
kill -TERM "$DEMO_PID"
wait "$DEMO_PID" 2>/dev/null || true
sleep 0.5
left="$(pgrep -f -- "-S 127.0.0.1:$PORT" || true)"
[ -z "$left" ] || die "processes left serving after demo.sh was stopped: $left"
if curl -s -o /dev/null --max-time 2 "$B/health"; then
    die "port $PORT still answers after demo.sh was stopped"
fi
echo "kill <demo.sh pid>: server and workers gone, port $PORT closed"
