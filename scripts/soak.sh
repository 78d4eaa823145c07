#!/usr/bin/env bash
# Soak check: every entry point N times (default 1 000 000 iterations of the whole plan is
# long; pass a smaller N for a quick look) with RSS sampled; fails on growth of 1 MiB or more.
#   bash scripts/soak.sh [iterations]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
ensure_packages
ensure_rust
cargo build --locked --release --quiet
SO="$PWD/target/release/libagents_core.so"
RUST_BACKTRACE=0 php -n -d extension="$SO" tools/entrypoints.php "${1:-1000000}" --soak
