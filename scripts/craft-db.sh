# Starts MariaDB and PostgreSQL for the adapter's tests and benches (sourced, not run):
# each on a private socket in a throwaway data directory under $TMP (no TCP listener),
# stopped by PID on exit. Exports CRAFT_TEST_MYSQL_SOCKET, CRAFT_TEST_PGSQL_SOCKET_DIR and
# CRAFT_TEST_TMP. Needs scripts/lib.sh and the packages mariadb-server and postgresql.

craft_db_start() {
    TMP="$(mktemp -d /tmp/agents-craft-test.XXXXXX)"
    chmod 755 "$TMP"
    PIDS=()
    # shellcheck disable=SC2317
    cleanup() {
        local pid
        for pid in "${PIDS[@]}"; do
            kill "$pid" 2>/dev/null || true
        done
        for pid in "${PIDS[@]}"; do
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        done
        rm -rf "$TMP"
    }
    trap cleanup EXIT

    as_user() { # run as an unprivileged user when root (PostgreSQL refuses to run as root)
        if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
    }

    # MariaDB: throwaway datadir, socket only.
    MY="$TMP/mariadb"
    mkdir -p "$MY/data"
    mariadb-install-db --no-defaults --datadir="$MY/data" --auth-root-authentication-method=normal \
        --user="$(id -un)" --skip-test-db >"$MY/install.log" 2>&1 || { cat "$MY/install.log" >&2; die "mariadb-install-db failed"; }
    mariadbd --no-defaults --datadir="$MY/data" --socket="$MY/sock" --pid-file="$MY/pid" \
        --skip-networking --user="$(id -un)" --log-error="$MY/error.log" --innodb-buffer-pool-size=32M >"$MY/out.log" 2>&1 &
    PIDS+=("$!")

    # PostgreSQL: throwaway cluster, socket only.
    PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
    PG="$TMP/pg"
    mkdir -p "$PG"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PG"
    as_user "$PGBIN/initdb" -D "$PG/data" -U postgres -A trust --no-sync >"$TMP/initdb.log" 2>&1 \
        || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
    as_user "$PGBIN/postgres" -D "$PG/data" -k "$PG" -c listen_addresses='' -c fsync=off >"$TMP/pg.log" 2>&1 &
    PIDS+=("$!")

    for _ in $(seq 1 300); do
        [ -S "$MY/sock" ] && [ -S "$PG/.s.PGSQL.5432" ] && break
        sleep 0.1
    done
    [ -S "$MY/sock" ] || { cat "$MY/error.log" >&2; die "mariadbd did not start"; }
    [ -S "$PG/.s.PGSQL.5432" ] || { cat "$TMP/pg.log" >&2; die "postgres did not start"; }
    # The postmaster itself (the PID above may be runuser's): stop it first.
    PIDS=("$(head -n1 "$PG/data/postmaster.pid")" "${PIDS[@]}")
    export CRAFT_TEST_MYSQL_SOCKET="$MY/sock" CRAFT_TEST_PGSQL_SOCKET_DIR="$PG" CRAFT_TEST_TMP="$TMP"
}
