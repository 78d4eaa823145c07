#!/usr/bin/env bash
# Runs every test: formatting, lints, Rust tests (with and without PHP), the release build,
# the stub drift checks, PHPUnit against the built extension, end-to-end HTTP tests and
# composer validation. Fails on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh

ensure_packages
ensure_rust
ensure_rust_components
ensure_cargo_php

SO="$PWD/target/release/libagents_core.so"
step() { printf '\n==> [%ss] %s\n' "$SECONDS" "$*"; }

step "references resolve inside the repository (tools/check-references.sh)"
bash tools/check-references.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --all-targets -- -D warnings
cargo clippy --locked --all-targets --no-default-features -- -D warnings

step "cargo test --no-default-features (core, no PHP)"
cargo test --locked --no-default-features

step "cargo test (default features)"
cargo test --locked

step "stub drift: generated stub vs php-stubs/agents_core.stub.php"
bash tools/gen-stubs.sh > target/agents_core.stub.php
diff -u php-stubs/agents_core.stub.php target/agents_core.stub.php \
    || die "php-stubs/agents_core.stub.php is stale: run 'bash tools/gen-stubs.sh > php-stubs/agents_core.stub.php'"

step "cargo build --release"
cargo build --locked --release

step "stub drift: reflection of the built extension vs php-stubs/"
php -n tools/stub-check.php dump-stubs php-stubs > target/contract-stubs.json
php -n -d extension="$SO" tools/stub-check.php dump-ext > target/contract-ext.json
php -n tools/stub-check.php diff target/contract-stubs.json target/contract-ext.json

step "panic containment (test build with the panic-probe feature)"
CARGO_TARGET_DIR=target/probe cargo build --locked --quiet --features panic-probe
php -n -d extension="$PWD/target/probe/debug/libagents_core.so" tools/panic-check.php 2>/dev/null

step "composer validate"
# --no-check-publish for one reason only: Debian 12's Composer (2.5) does not know the "php-ext"
# key PIE reads, and reports it as a publish error. Everything else is checked strictly.
composer validate --strict --no-check-publish --no-interaction

step "PHPUnit against $SO (unit suite, then end-to-end: php -S driven by curl)"
AGENTS_CORE_SO="$SO" php -d extension="$SO" /usr/bin/phpunit --do-not-cache-result

step "rate limiter with the real parts (Redis, php -S workers, PHP-FPM + nginx, two nodes, outage)"
AGENTS_CORE_SO="$SO" bash scripts/ratelimit-test.sh
PHP_RAN=("PHP $(php -r 'echo PHP_VERSION;') (host, Debian 12): PHPUnit $(/usr/bin/phpunit --version | awk '/^PHPUnit/{print $2}'), every suite of phpunit.xml.dist")

step "adapter craft/: PHPUnit against SQLite, MariaDB and PostgreSQL (servers started and stopped by the script)"
bash scripts/craft-test.sh "$SO"

step "demo first-run checks (scripts/demo-check.sh)"
bash scripts/demo-check.sh

step "phpize build in a scratch copy (scripts/phpize-check.sh)"
bash scripts/phpize-check.sh

step "PHP 8.4 in a Debian 13 root (scripts/php84.sh)"
bash scripts/php84.sh | tee target/php84.out
PHP_RAN+=("$(sed -n 's/^PHP 8.4 leg passed: //p' target/php84.out): PHPUnit $(sed -n 's/^PHPUnit \([0-9.]*\) by.*/\1/p' target/php84.out | head -n1), every suite of phpunit.xml.dist")

printf '\n==> [%ss] all tests passed. PHPUnit ran on:\n' "$SECONDS"
printf '    %s\n' "${PHP_RAN[@]}"
