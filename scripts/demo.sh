#!/usr/bin/env bash
# Builds the extension and serves the reference HTTP front (examples/agents-api) on
# 127.0.0.1:${PORT:-8080} with the extension loaded. Ctrl-C, or `kill <pid of this script>`,
# stops it: the server runs in a process group of its own, which is ended whole (the server
# and the PHP_CLI_SERVER_WORKERS workers it forks).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh

ensure_packages
ensure_rust
cargo build --locked --release
SO="$PWD/target/release/libagents_core.so"
PORT="${PORT:-8080}"

set -a
# shellcheck disable=SC1091
. examples/agents-api/demo.env
set +a
# Demo only: denied requests also carry the denial reason in their body (see demo-curls.sh).
export AGENTS_DEMO_EXPLAIN_DENIALS=1

cat <<TXT

agents_core $(php -d extension="$SO" -r 'echo AGENTS_CORE_VERSION;') demo on http://127.0.0.1:$PORT (Ctrl-C stops it)
TXT
PORT="$PORT" bash examples/agents-api/demo-curls.sh
echo

export PHP_CLI_SERVER_WORKERS=2
SERVER_PID=""
stop_server() {
    trap - EXIT INT TERM
    if [ -n "$SERVER_PID" ]; then
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 -- "-$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT
trap 'stop_server; exit 143' TERM
# setsid: a new process group whose id is the server's pid (a background job of a script is
# not a group leader, so setsid runs php in place instead of forking).
setsid php -d extension="$SO" -S "127.0.0.1:$PORT" examples/agents-api/router.php &
SERVER_PID=$!
wait "$SERVER_PID"
