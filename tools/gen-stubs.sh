#!/usr/bin/env bash
# Writes the generated PHP stub of the extension to stdout: `cargo php stubs` (needs a debug
# build with the php feature) plus the class modifiers cargo-php leaves out.
#   bash tools/gen-stubs.sh > php-stubs/agents_core.stub.php
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --locked --quiet
raw="$(mktemp)"
trap 'rm -f "$raw"' EXIT
cargo php stubs --stdout > "$raw"
php -n -d extension="$PWD/target/debug/libagents_core.so" tools/stub-check.php finalize "$raw"
