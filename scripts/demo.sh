#!/usr/bin/env bash
# Builds the extension and serves the reference HTTP front (examples/agents-api) on
# 127.0.0.1:${PORT:-8080} with the extension loaded. Ctrl-C stops it.
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

cat <<TXT

agents_core $(php -d extension="$SO" -r 'echo AGENTS_CORE_VERSION;') demo on http://127.0.0.1:$PORT (Ctrl-C stops it)

  curl -s http://127.0.0.1:$PORT/agents/v1/health
TXT
[ -f examples/agents-api/demo-curls.sh ] && PORT="$PORT" bash examples/agents-api/demo-curls.sh
echo

export PHP_CLI_SERVER_WORKERS=2
exec php -d extension="$SO" -S "127.0.0.1:$PORT" examples/agents-api/router.php
