#!/usr/bin/env bash
# Load check (not part of CI): wrk against /agents/v1/auth/whoami with a valid token on the
# demo front (php -S, 2 workers; its rate limit raised out of reach, the local store still
# counting every request), reporting requests/s, latency percentiles, non-2xx responses and the
# server's RSS before and after.
#   bash scripts/loadcheck.sh [seconds]      (default 60; env PORT, CONNECTIONS, THREADS)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
SYSTEM_PACKAGES+=(wrk procps)
ensure_packages
ensure_rust
cargo build --locked --release --quiet
SO="$PWD/target/release/libagents_core.so"
DURATION="${1:-60}"
PORT="${PORT:-18181}"
CONNECTIONS="${CONNECTIONS:-8}"
THREADS="${THREADS:-2}"
TOKEN=demo-reader-token-3c8e1f0a5b7d2946

set -a
# shellcheck disable=SC1091
. examples/agents-api/demo.env
set +a
# The front limits requests per client like the plugin; this measures the guarded path itself,
# so the limit is set far above what the load can reach (every request is still counted).
export PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE=1000000000
export PHP_CLI_SERVER_WORKERS=2
# setsid: the server leads its own process group (in place: it is not a group leader here), so
# stopping the group stops the workers it forks too; they outlive a master killed alone.
setsid php -d extension="$SO" -S "127.0.0.1:$PORT" examples/agents-api/router.php >/dev/null 2>&1 &
SERVER=$!
trap 'kill -- -$SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done

rss() { ps -o rss= --pid "$SERVER" --ppid "$SERVER" | awk '{s+=$1} END {print s}'; }
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/agents/v1/auth/whoami" >/dev/null
before=$(rss)
out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/agents/v1/auth/whoami")
after=$(rss)
echo "$out"
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
echo
echo "duration ${DURATION}s, $THREADS threads, $CONNECTIONS connections, php -S with 2 workers"
echo "non-2xx responses: ${non2xx:-0}"
echo "server RSS (master + workers): before ${before} KiB, after ${after} KiB, growth $((after - before)) KiB"
