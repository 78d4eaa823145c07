<?php
// RateLimiter::hit() from PHP, against userland floors, in the same process.
//
//   cargo build --release
//   php -d extension=$PWD/target/release/libagents_core.so bench/php/ratelimit.php [seconds-per-case] [--json]
//
// Rows:
// * local store: the whole call, result array included, over 1 024 keys; the floor is a
//   userland fixed window in a PHP array (process-local: it shares nothing between workers).
//   CPU ns per call, the lowest of 7 rounds, minus the same loop without the call.
// * Redis store over loopback: one BITFIELD per hit (and PEXPIRE when the connection has not set the
//   key's expiry within 5 s); the floor is a userland fixed-window limiter
//   with phpredis doing INCR + EXPIRE in one pipeline and building the same result array. Both
//   on one redis-server this script starts (free port, no persistence) and stops. Wall time per
//   call (the round trip is mostly waiting), the median of 7 alternating rounds.
// * 1 000 000 hits on 100 000 keys on the local store, RSS sampled; flat = growth below 1 MiB
//   after the first pass over the keys (which touches the table's pages).
// --json prints the rows for bench/report.php instead of the table. A target that is not a
// time (a ratio, RSS) rides as 'target_text' + 'target_met'.

declare(strict_types=1);

use Agents\Core\RateLimiter;

require __DIR__ . '/common.php';
[$json, $args] = bench_start($argv);
$seconds = (float) ($args[0] ?? 1.0);
$rows = [];
const ROUNDS = 7;

/** Wall ns per call of each body, rounds alternating between them: the median of ROUNDS. */
function wall_pair(callable $a, callable $b, float $seconds): array
{
    $ta = $tb = [];
    for ($r = 0; $r < ROUNDS; $r++) {
        foreach ([[$a, &$ta], [$b, &$tb]] as [$body, &$out]) {
            $n = 0;
            $deadline = hrtime(true) + (int) ($seconds / ROUNDS / 2 * 1e9);
            $start = hrtime(true);
            do {
                $body(200);
                $n += 200;
            } while (hrtime(true) < $deadline);
            $out[] = (hrtime(true) - $start) / $n;
        }
        unset($out);
    }
    sort($ta);
    sort($tb);
    return [$ta[intdiv(ROUNDS, 2)], $tb[intdiv(ROUNDS, 2)]];
}

/** The userland fixed window: count per key and window start, the same result array. */
function floor_hit(array &$counters, string $key, int $limit, int $window): array
{
    $now = time();
    $bucket = intdiv($now, $window) * $window;
    $k = $bucket . ':' . $key;
    $count = ($counters[$k] ?? 0) + 1;
    $counters[$k] = $count;
    $allowed = $count <= $limit;
    $remaining = max(0, $limit - $count);
    $reset = $bucket + $window;
    $headers = ['X-RateLimit-Limit' => (string) $limit, 'X-RateLimit-Remaining' => (string) $remaining,
        'X-RateLimit-Reset' => (string) $reset];
    if (!$allowed) {
        $headers['Retry-After'] = (string) ($reset - $now);
    }
    return ['allowed' => $allowed, 'limit' => $limit, 'remaining' => $remaining, 'resetAt' => $reset,
        'retryAfter' => $allowed ? 0 : $reset - $now, 'store' => 'local', 'headers' => $headers];
}

$keys = [];
for ($i = 0; $i < 1024; $i++) {
    $keys[] = sprintf('198.51.%d.%d|agents/v1/health', $i >> 8, $i & 255);
}
$mask = 1023;
$limit = 1_000_000_000; // every hit is admitted: the common case, and the same work each call

// ---- local store ------------------------------------------------------------------------------
$local = new RateLimiter(['limit' => $limit, 'window' => 60, 'prefix' => 'bench:']);
$empty = bench_cpu_time(function (int $k) use ($keys, $mask): void {
    for ($i = 0; $i < $k; $i++) {
        $x = $keys[$i & $mask];
    }
}, $seconds / 2);
$ext = bench_cpu_time(function (int $k) use ($keys, $mask, $local): void {
    for ($i = 0; $i < $k; $i++) {
        $local->hit($keys[$i & $mask]);
    }
}, $seconds);
$counters = [];
$floor = bench_cpu_time(function (int $k) use ($keys, $mask, &$counters, $limit): void {
    for ($i = 0; $i < $k; $i++) {
        floor_hit($counters, $keys[$i & $mask], $limit, 60);
    }
}, $seconds);
$rows[] = bench_row('`hit` on the local store (whole call, result array included)', $ext - $empty, $floor - $empty, 300);

// ---- Redis store --------------------------------------------------------------------------------
$redisRow = null;
$server = null;
if (!class_exists('Redis')) {
    fwrite(STDERR, "phpredis is not loaded (-d extension=redis.so): Redis row skipped\n");
} else {
    $sock = stream_socket_server('tcp://127.0.0.1:0');
    $name = stream_socket_get_name($sock, false);
    fclose($sock);
    $port = (int) substr($name, strrpos($name, ':') + 1);
    $dir = sys_get_temp_dir();
    $server = proc_open(['redis-server', '--port', (string) $port, '--bind', '127.0.0.1', '--save', '',
        '--appendonly', 'no', '--dir', $dir], [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'],
        2 => ['file', '/dev/null', 'w']], $pipes);
    $redis = new Redis();
    $deadline = microtime(true) + 10;
    while (true) {
        try {
            if (@$redis->connect('127.0.0.1', $port, 0.2)) {
                break;
            }
        } catch (RedisException) {
        }
        if (microtime(true) > $deadline) {
            fwrite(STDERR, "redis-server did not start\n");
            exit(1);
        }
        usleep(50_000);
    }
    $remote = new RateLimiter(['limit' => $limit, 'window' => 60, 'prefix' => 'bench:',
        'store' => "redis://127.0.0.1:$port", 'onStoreError' => 'deny']);
    if ($remote->hit('warm-up')['store'] !== 'redis' || !$remote->hit('warm-up')['allowed']) {
        fwrite(STDERR, "the extension cannot reach redis-server\n");
        exit(1);
    }
    $floorRedis = function (string $key) use ($redis, $limit): array {
        $now = time();
        $bucket = intdiv($now, 60) * 60;
        $k = "floor:$bucket:" . hash('sha256', $key);
        [$count] = $redis->multi(Redis::PIPELINE)->incr($k)->expire($k, 61)->exec();
        $allowed = $count <= $limit;
        $remaining = max(0, $limit - $count);
        $headers = ['X-RateLimit-Limit' => (string) $limit, 'X-RateLimit-Remaining' => (string) $remaining,
            'X-RateLimit-Reset' => (string) ($bucket + 60)];
        return ['allowed' => $allowed, 'limit' => $limit, 'remaining' => $remaining, 'resetAt' => $bucket + 60,
            'retryAfter' => 0, 'store' => 'redis', 'headers' => $headers];
    };
    [$extR, $floorR] = wall_pair(
        function (int $k) use ($keys, $mask, $remote): void {
            for ($i = 0; $i < $k; $i++) {
                $remote->hit($keys[$i & $mask]);
            }
        },
        function (int $k) use ($keys, $mask, $floorRedis): void {
            for ($i = 0; $i < $k; $i++) {
                $floorRedis($keys[$i & $mask]);
            }
        },
        $seconds * 4,
    );
    $rows[] = bench_row('`hit` on Redis over loopback (one BITFIELD pipeline) vs phpredis INCR + EXPIRE pipeline, wall time',
        $extR, $floorR, $floorR) + ['target_text' => '≤ 1.0× floor', 'target_met' => $extR <= $floorR];
    $redis->close();
    proc_terminate($server);
    proc_close($server);
}

// ---- RSS over 1 000 000 hits on 100 000 keys ----------------------------------------------------
$rss = static function (): int {
    $status = (string) @file_get_contents('/proc/self/status');
    return preg_match('/VmRSS:\s+(\d+)/', $status, $m) ? (int) $m[1] : 0;
};
$many = new RateLimiter(['limit' => 10, 'window' => 60, 'prefix' => 'bench-rss:']);
$samples = [];
$start = hrtime(true);
for ($i = 0; $i < 1_000_000; $i++) {
    $many->hit('client-' . ($i % 100_000));
    if ($i % 100_000 === 99_999) {
        $samples[] = $rss();
    }
}
$perHit = (hrtime(true) - $start) / 1_000_000;
$growth = end($samples) - $samples[0];
$rows[] = bench_row(sprintf('1 000 000 `hit`s on 100 000 keys (local store; RSS %d KiB after the first pass, %d KiB at the end)',
    $samples[0], end($samples)), $perHit, null) + ['target_text' => sprintf('RSS flat (growth %d KiB, limit < 1 024 KiB)', $growth),
    'target_met' => $growth < 1024];

if ($json) {
    bench_print_json($rows);
}
printf("PHP %s, %s\n", PHP_VERSION, php_uname('m'));
foreach ($rows as $r) {
    printf("%-110s ext %9.1f ns  floor %9s  %s\n", $r['case'], $r['extension_ns'],
        $r['floor_ns'] === null ? '-' : sprintf('%.1f ns', $r['floor_ns']),
        isset($r['target_text']) ? $r['target_text'] . ': ' . ($r['target_met'] ? 'met' : 'NOT MET') : (isset($r['target_ns']) ? sprintf('target %d ns: %s', $r['target_ns'],
            $r['extension_ns'] <= $r['target_ns'] ? 'met' : 'NOT MET') : ''));
}
