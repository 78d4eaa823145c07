#!/usr/bin/env bash
# Memory check: every entry point (valid and invalid input, error paths) under valgrind.
# Gate: 0 errors, 0 bytes definitely lost.   bash scripts/valgrind.sh [iterations]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
SYSTEM_PACKAGES+=(valgrind)
ensure_packages
ensure_rust
cargo build --locked --release --quiet
SO="$PWD/target/release/libagents_core.so"
RUST_BACKTRACE=0 USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 \
    valgrind --leak-check=full --error-exitcode=99 --errors-for-leak-kinds=definite \
    php -n -d pcre.jit=0 -d extension="$SO" tools/entrypoints.php "${1:-20}"
