#!/usr/bin/env bash
# Rate limiter tests with the real parts: Redis (redis-server), the demo front on `php -S`
# (4 workers), PHP-FPM (pm = static, 4 children) behind nginx, two front "nodes" on one Redis,
# and Redis stopped and restarted mid-run. Everything runs on free 127.0.0.1 ports with
# throwaway configs and is stopped by PID.   bash scripts/ratelimit-test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
SYSTEM_PACKAGES+=(redis-server php8.2-fpm php8.2-redis nginx curl procps)
ensure_packages

SO="${AGENTS_CORE_SO:-$PWD/target/release/libagents_core.so}"
[ -f "$SO" ] || die "extension not built: $SO (cargo build --release)"
ROOT="$PWD"
TMP="$(mktemp -d /tmp/agents-ratelimit.XXXXXX)"
PIDS=()
FRONTS=() # php -S nodes: each leads its own process group (setsid), with its workers in it
# Stops the php -S nodes with their workers (the workers outlive a master killed on its own).
stop_fronts() {
    local p
    for p in "${FRONTS[@]}"; do kill -- "-$p" 2>/dev/null || true; done
    for p in "${FRONTS[@]}"; do wait "$p" 2>/dev/null || true; done
    FRONTS=()
}
cleanup() {
    local p
    stop_fronts
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

TOKEN="demo-reader-token-3c8e1f0a5b7d2946"
CREDS='[{"id":"reader","token":"'"$TOKEN"'","scopes":"health:read auth:read"}]'
LIMIT=20
WINDOW=10          # 2 per second
LOAD_SECONDS=4
LOOPS=8
FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok: $*"; }

free_port() { php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);'; }
wait_port() {
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listens on 127.0.0.1:$1"
}
now_ms() { date +%s%3N; }

REDIS_PASSWORD="rl-test-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
REDIS_PORT="$(free_port)"
REDIS_PID=""
start_redis() {
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --requirepass "$REDIS_PASSWORD" --dir "$TMP" --logfile "$TMP/redis.log" --daemonize no &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    wait_port "$REDIS_PORT"
}
stop_redis() {
    kill "$REDIS_PID"
    wait "$REDIS_PID" 2>/dev/null || true
}
REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/1"

# A php -S node serving the demo front. Args: port, log, extra env assignments...
start_front() {
    local port="$1" log="$2"
    shift 2
    # setsid: not a group leader here (no job control), so it makes this process the leader of
    # a new group in place, and the workers php -S forks join that group.
    setsid env -i PATH="$PATH" PHP_CLI_SERVER_WORKERS=4 ENVIRONMENT=production \
        PLUGIN_AGENTS_API_CREDENTIALS="$CREDS" \
        PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE="$LIMIT" PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS="$WINDOW" \
        "$@" php -n -d extension="$SO" -d display_errors=stderr -d log_errors=0 \
        -S "127.0.0.1:$port" "$ROOT/examples/agents-api/router.php" >"$log" 2>&1 &
    FRONTS+=("$!")
    wait_port "$port"
}

# Runs $LOOPS concurrent curl loops for $LOAD_SECONDS over the given base URLs (round robin)
# and writes every status code to $1. Prints the elapsed milliseconds.
load() {
    local out="$1"
    shift
    local urls=("$@") i pids=() start end
    start="$(now_ms)"
    end=$((start + LOAD_SECONDS * 1000))
    for i in $(seq 0 $((LOOPS - 1))); do
        (
            u="${urls[$((i % ${#urls[@]}))]}"
            while [ "$(now_ms)" -lt "$end" ]; do
                curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 \
                    -H "Authorization: Bearer $TOKEN" "$u/agents/v1/health" || echo 000
            done >"$out.part$i"
        ) &
        pids+=("$!")
    done
    wait "${pids[@]}"
    cat "$out".part* >"$out"
    echo $(($(now_ms) - start))
}

# Checks that the 200s in $1 equal GCRA's allowance for $2 ms: limit + elapsed × rate. The
# first request and the last can fall anywhere inside the measured span, so the admitted count
# lies between limit + (elapsed − 1 s) × rate − 1 and limit + elapsed × rate + 1.
check_allowance() {
    local file="$1" ms="$2" what="$3"
    local admitted denied other hi lo
    admitted=$(grep -c '^200$' "$file" || true)
    denied=$(grep -c '^429$' "$file" || true)
    other=$(grep -vc '^\(200\|429\)$' "$file" || true)
    hi=$((LIMIT + (ms * LIMIT / WINDOW + 999) / 1000 + 1))
    lo=$((LIMIT + ((ms - 1000) * LIMIT / WINDOW) / 1000 - 1))
    echo "$what: $admitted admitted, $denied denied, $other other in ${ms} ms (allowance $lo..$hi; 4 x limit would be $((4 * LIMIT)))"
    [ "$other" -eq 0 ] || fail "$what: statuses other than 200/429: $(grep -v '^\(200\|429\)$' "$file" | sort | uniq -c | tr '\n' ' ')"
    [ "$denied" -gt 0 ] || fail "$what: the load never reached the limit"
    if [ "$admitted" -ge "$lo" ] && [ "$admitted" -le "$hi" ]; then ok "$what"; else fail "$what: $admitted admitted, outside $lo..$hi"; fi
}

echo "==> Redis on 127.0.0.1:$REDIS_PORT (no persistence)"
start_redis

echo "==> PHPUnit: RateLimiter on Redis"
AGENTS_TEST_REDIS_PORT="$REDIS_PORT" AGENTS_TEST_REDIS_PASSWORD="$REDIS_PASSWORD" \
    php -d extension="$SO" /usr/bin/phpunit --do-not-cache-result \
    --bootstrap tests/php/bootstrap.php tests/php/redis/RateLimiterRedisTest.php \
    || fail "PHPUnit Redis suite"

echo "==> local store across php -S workers (4 workers, $LOOPS curl loops, one key)"
P1="$(free_port)"
start_front "$P1" "$TMP/front1.log"
ms=$(load "$TMP/load-local" "http://127.0.0.1:$P1")
check_allowance "$TMP/load-local" "$ms" "php -S, 4 workers, local store"

echo "==> local store across PHP-FPM children (pm = static, 4) behind nginx"
FPM_PORT="$(free_port)"
NGINX_PORT="$(free_port)"
mkdir -p "$TMP/nginx"
cat >"$TMP/php.ini" <<INI
extension=$SO
display_errors=stderr
log_errors=1
INI
cat >"$TMP/fpm.conf" <<CONF
[global]
pid = $TMP/fpm.pid
error_log = $TMP/fpm.log
daemonize = no
[agents]
user = root
group = root
listen = 127.0.0.1:$FPM_PORT
pm = static
pm.max_children = 4
clear_env = no
catch_workers_output = yes
CONF
cat >"$TMP/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/body;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    proxy_temp_path $TMP/nginx/proxy;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $ROOT/examples/agents-api/router.php;
            fastcgi_pass 127.0.0.1:$FPM_PORT;
        }
    }
}
CONF
env -i PATH="$PATH" ENVIRONMENT=production PLUGIN_AGENTS_API_CREDENTIALS="$CREDS" \
    PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE="$LIMIT" PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS="$WINDOW" \
    php-fpm8.2 -n -c "$TMP/php.ini" -y "$TMP/fpm.conf" -R -F &
PIDS+=("$!")
nginx -p "$TMP/nginx" -c "$TMP/nginx.conf" -e "$TMP/nginx/error.log" &
PIDS+=("$!")
wait_port "$FPM_PORT"
wait_port "$NGINX_PORT"
children=$(pgrep -c -P "$(cat "$TMP/fpm.pid")" || true)
[ "$children" -eq 4 ] || fail "php-fpm runs $children children, not 4"
ms=$(load "$TMP/load-fpm" "http://127.0.0.1:$NGINX_PORT")
check_allowance "$TMP/load-fpm" "$ms" "PHP-FPM, 4 children, local store"

echo "==> cluster: two php -S nodes (separate node tables) on one Redis"
P2="$(free_port)"
P3="$(free_port)"
start_front "$P2" "$TMP/node-a.log" AGENTS_RATE_LIMIT_STORE="$REDIS_URL"
start_front "$P3" "$TMP/node-b.log" AGENTS_RATE_LIMIT_STORE="$REDIS_URL"
ms=$(load "$TMP/load-cluster" "http://127.0.0.1:$P2" "http://127.0.0.1:$P3")
check_allowance "$TMP/load-cluster" "$ms" "two nodes, Redis store"

echo "==> faults: Redis stopped mid-run, then started again"
P4="$(free_port)"
P5="$(free_port)"
start_front "$P4" "$TMP/fault-local.log" AGENTS_RATE_LIMIT_STORE="$REDIS_URL" AGENTS_DEMO_RATE_LIMIT_DEBUG=1 \
    PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE=100000
start_front "$P5" "$TMP/fault-deny.log" AGENTS_RATE_LIMIT_STORE="$REDIS_URL" AGENTS_DEMO_RATE_LIMIT_DEBUG=1 \
    PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE=100000 AGENTS_RATE_LIMIT_ON_STORE_ERROR=deny
# One request: prints "status store".
probe() {
    curl -s -D - -o /dev/null --max-time 5 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1/agents/v1/health" \
        | tr -d '\r' | awk 'NR==1 {s=$2} tolower($1)=="x-ratelimit-store:" {st=$2} END {print s, st}'
}
phase() { # port count -> lines "status store"
    local i
    for i in $(seq 1 "$2"); do probe "$1"; done
}
phase "$P4" 20 >"$TMP/f-before"
phase "$P5" 20 >"$TMP/d-before"
stop_redis
phase "$P4" 40 >"$TMP/f-during"
phase "$P5" 40 >"$TMP/d-during"
start_redis
sleep 1.5   # the longest back-off is 1 s
phase "$P4" 40 >"$TMP/f-after"
phase "$P5" 40 >"$TMP/d-after"
expect_all() { # file, expected line, what
    local bad
    bad=$(grep -vcx "$2" "$1" || true)
    if [ "$bad" -eq 0 ]; then ok "$3"; else fail "$3: $(sort "$1" | uniq -c | tr '\n' ' ')"; fi
}
expect_all "$TMP/f-before" "200 redis" "before the outage: 200, store redis"
expect_all "$TMP/f-during" "200 local-fallback" "during the outage (onStoreError local): 200, store local-fallback"
expect_all "$TMP/f-after" "200 redis" "after recovery: 200, store redis"
expect_all "$TMP/d-before" "200 redis" "onStoreError deny, before the outage: 200"
expect_all "$TMP/d-during" "429 redis" "onStoreError deny, during the outage: 429"
expect_all "$TMP/d-after" "200 redis" "onStoreError deny, after recovery: 200"

echo "==> no PHP warning, notice or fatal error in any server log"
diag='PHP (Warning|Notice|Fatal|Deprecated|Parse)|Warning: |Notice: |Fatal error|Deprecated: |Uncaught'
if grep -E "$diag" "$TMP"/front1.log "$TMP"/node-*.log "$TMP"/fault-*.log "$TMP"/fpm.log >&2; then
    fail "PHP diagnostics in the server logs (above)"
else
    ok "server logs hold no PHP diagnostic"
fi

echo "==> every php -S node stops with its workers"
stop_fronts
sleep 0.2
left="$(pgrep -f -- "-S 127.0.0.1:[0-9]* $ROOT/examples/agents-api/router.php" || true)"
if [ -z "$left" ]; then
    ok "no php -S master or worker left"
else
    fail "php -S processes left after stopping: $(echo "$left" | tr '\n' ' ')"
fi

[ "$FAILURES" -eq 0 ] || die "$FAILURES rate limiter check(s) failed"
echo "rate limiter tests passed"
