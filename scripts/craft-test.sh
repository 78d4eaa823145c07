#!/usr/bin/env bash
# The adapter's PHPUnit suite (craft/) against real databases: SQLite (a file per test),
# MariaDB and PostgreSQL, each started here on a private socket in a throwaway data directory
# (no TCP listener) and stopped by PID on exit. Needs the built extension:
#   bash scripts/craft-test.sh [path/to/libagents_core.so]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh

SYSTEM_PACKAGES=(php8.2-cli php8.2-sqlite3 php8.2-mysql php8.2-pgsql mariadb-server postgresql phpunit composer)
ensure_packages

SO="${1:-$PWD/target/release/libagents_core.so}"
[ -f "$SO" ] || die "no extension at $SO: run cargo build --release first"

. scripts/craft-db.sh
craft_db_start

(cd craft && composer validate --strict --no-check-publish --no-interaction)
php -l craft/src/CraftGuard.php

export CRAFT_TEST_SERVERS=required AGENTS_CORE_SO="$SO"
php -d extension="$SO" /usr/bin/phpunit --do-not-cache-result -c craft/phpunit.xml.dist "${@:2}"
