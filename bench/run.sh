#!/usr/bin/env bash
# Runs every benchmark and regenerates docs/benchmarks.md:
#
#   bash bench/run.sh            # about 10 minutes on 2 CPUs
#
# For each concern (guard, ip, jwt, posture, ratelimit): the criterion suite bench/criterion/<concern>.rs
# (`cargo bench --no-default-features`, medians read from target/criterion/**/new/estimates.json)
# and the PHP bench bench/php/<concern>.php (extension and userland floor in one process, --json).
# bench/report.php turns the results, the machine, the versions and the load into the document.
# BENCH_OUT=path writes elsewhere; BENCH_ONLY="ip jwt" runs a subset (the others read "not run");
# BENCH_KEEP=1 keeps the raw results, so `php bench/report.php <dir>` can rewrite the document.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
SYSTEM_PACKAGES+=(redis-server php8.2-redis)
ensure_packages
ensure_rust

out="${BENCH_OUT:-docs/benchmarks.md}"
concerns=(${BENCH_ONLY:-guard ip jwt posture ratelimit craft})
# craft (the adapter's revision query on SQLite, MariaDB and PostgreSQL) has no criterion
# suite: bench/craft.sh starts the servers and runs bench/php/craft_revision.php.
run_craft=""
if [[ " ${concerns[*]} " == *" craft "* ]]; then
    run_craft=1
    concerns=($(printf '%s\n' "${concerns[@]}" | grep -vx craft || true))
fi
work="$(mktemp -d)"
if [ -z "${BENCH_KEEP:-}" ]; then
    trap 'rm -rf "$work"' EXIT
fi

loadavg() { cut -d' ' -f1-3 /proc/loadavg | sed 's/ /, /g'; }
started="$(date -u '+%Y-%m-%d %H:%M')"
load_start="$(loadavg)"

# The PHP benches load the shipping build: the `dist` profile (fat LTO), as the release zips
# are built (scripts/dist.sh).
cargo build --locked --profile dist --quiet
so="$PWD/target/dist/libagents_core.so"

for c in "${concerns[@]}"; do
    echo "== criterion: $c" >&2
    stamp="$work/$c.stamp"
    touch "$stamp"
    sleep 1 # estimates written by this run are strictly newer than the stamp
    cargo bench --locked --quiet --no-default-features --bench "$c" -- \
        --warm-up-time 1 --measurement-time 3 >&2
    # In run order (oldest first).
    find target/criterion -path '*/new/estimates.json' -newer "$stamp" -printf '%T@ %p\n' \
        | sort -n | cut -d' ' -f2- >"$work/$c.criterion"
done

for c in "${concerns[@]}"; do
    echo "== PHP: bench/php/$c.php" >&2
    case "$c" in
        ip) args=(1) ;;     # seconds per case
        jwt) args=(5) ;;    # rounds
        ratelimit) args=(1) ;; # seconds per case (starts and stops its own redis-server)
        *) args=() ;;
    esac
    php -d extension="$so" "bench/php/$c.php" "${args[@]}" --json >"$work/$c.json"
done

if [ -n "$run_craft" ]; then
    echo "== PHP: bench/craft.sh (CredentialRows::revision)" >&2
    bash bench/craft.sh --json >"$work/craft.json"
fi

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem_kb="$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo)"
commit="$(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- src bench Cargo.toml Cargo.lock || echo ' + uncommitted changes')"
php -r '
    [$file, $meta] = [$argv[1], array_combine(
        ["command", "started", "finished", "commit", "cpu", "nproc", "memory", "load_start", "load_end", "php", "rustc"],
        array_slice($argv, 2),
    )];
    $meta["nproc"] = (int) $meta["nproc"];
    file_put_contents($file, json_encode($meta, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE));
' "$work/meta.json" \
    "bash bench/run.sh" "$started" "$(date -u '+%H:%M')" "$commit" "${cpu:-unknown CPU}" "$(nproc)" \
    "$(awk -v k="${mem_kb:-0}" 'BEGIN { printf "%.1f GiB", k / 1048576 }')" "$load_start" "$(loadavg)" \
    "$(php -r 'echo PHP_VERSION, " ", PHP_OS, " (", PHP_ZTS ? "ZTS" : "NTS", "), opcache.enable_cli=", ini_get("opcache.enable_cli") ?: "0";')" \
    "$(rustc -V)"

php bench/report.php "$work" >"$work/benchmarks.md"
mv "$work/benchmarks.md" "$out"
echo "wrote $out${BENCH_KEEP:+ (results kept in $work: php bench/report.php $work)}" >&2
