#!/usr/bin/env bash
# The adapter's bench (bench/php/craft_revision.php) with MariaDB and PostgreSQL started on
# private sockets (scripts/craft-db.sh) and stopped after:
#   bash bench/craft.sh [--json]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
SYSTEM_PACKAGES=(php8.2-cli php8.2-sqlite3 php8.2-mysql php8.2-pgsql mariadb-server postgresql)
ensure_packages
so="$PWD/target/release/libagents_core.so"
[ -f "$so" ] || cargo build --locked --release --quiet
. scripts/craft-db.sh
craft_db_start
php -d extension="$so" bench/php/craft_revision.php "$@"
