<?php

/**
 * Guard::authenticate and new Guard from PHP, against a userland floor in the same process.
 *
 *   cargo build --release
 *   php -d extension=$PWD/target/release/libagents_core.so bench/php/guard.php [--json]
 *
 * authenticate: a Bearer token matching one of N managed credentials (10, 1000, 10 000); the
 * matching credential carries a 100-entry IP allowlist and the client sits in its last entry.
 * Floor: what the least a PHP implementation must do per request — hash('sha256') of the token,
 * an array lookup by hash, hash_equals — with no header parsing, IP check or result array.
 * new Guard: 100 managed rows (the floor builds the hash => row index the same rows need).
 * Each figure is the fastest of 7 runs (the least disturbed by other load); ns per call.
 * --json prints the rows for bench/report.php instead of the table.
 */

declare(strict_types=1);

use Agents\Core\Guard;

require __DIR__ . '/common.php';

const NOW = 1772366400;
[$json] = bench_start($argv);

function allowlist(): array
{
    $out = [];
    for ($i = 0; $i < 100; $i++) {
        $out[] = "10.$i.0.0/16";
    }
    return $out;
}

function rows(int $n, string $target, bool $withAllowlist = true): array
{
    $rows = [];
    for ($i = 0; $i < $n; $i++) {
        $token = $i === intdiv($n, 2) ? $target : "bench-token-$i";
        $rows[] = [
            'id' => $i + 1,
            'handle' => "bot-$i",
            'tokenHash' => hash('sha256', $token),
            'scopes' => ['auth:read', 'health:read', 'entries:read'],
            'ipAllowlist' => $i === intdiv($n, 2) && $withAllowlist ? allowlist() : [],
            'expiresAt' => '2030-01-01 00:00:00',
            'revokedAt' => null,
            'pausedAt' => null,
            'reminderDays' => 7,
            'forceHumanApproval' => false,
            'webhookResourceTypes' => [],
            'webhookActions' => [],
        ];
    }
    return $rows;
}

$env = ['ENVIRONMENT' => 'production'];
$options = ['now' => NOW, 'trustedProxies' => ['127.0.0.1']];
$token = Agents\Core\token_generate('bench')['token'];
$request = [
    'method' => 'GET',
    'headers' => ['Authorization' => 'Bearer ' . $token, 'Accept' => 'application/json', 'User-Agent' => 'bench'],
    'query' => [],
    'remoteAddr' => '10.99.3.4',
];

$table = [];
foreach ([[10, true], [1000, true], [10000, true], [1000, false]] as [$n, $withAllowlist]) {
    $rows = rows($n, $token, $withAllowlist);
    $guard = new Guard($env, $rows, $options);
    $check = $guard->authenticate($request);
    if (!$check['ok']) {
        fwrite(STDERR, 'setup failed: ' . json_encode($check) . "\n");
        exit(1);
    }
    $byHash = [];
    foreach ($rows as $row) {
        $byHash[$row['tokenHash']] = $row;
    }
    $ext = bench_measure(static function (int $k) use ($guard, $request): void {
        for ($i = 0; $i < $k; $i++) {
            $guard->authenticate($request);
        }
    }, 100000);
    $floor = bench_measure(static function (int $k) use ($byHash, $token): void {
        for ($i = 0; $i < $k; $i++) {
            $h = hash('sha256', $token);
            $row = $byHash[$h] ?? null;
            $ok = $row !== null && hash_equals($row['tokenHash'], $h);
        }
    }, 100000);
    $table[] = ['authenticate, ' . number_format($n) . ' credentials' . ($withAllowlist ? '' : ', no allowlist'), $ext, $floor];
}

$rows = rows(100, $token);
$ext = bench_measure(static function (int $k) use ($env, $rows, $options): void {
    for ($i = 0; $i < $k; $i++) {
        new Guard($env, $rows, $options);
    }
}, 2000);
$floor = bench_measure(static function (int $k) use ($rows): void {
    for ($i = 0; $i < $k; $i++) {
        $byHash = [];
        foreach ($rows as $row) {
            if (strlen($row['tokenHash']) === 64 && ctype_xdigit($row['tokenHash'])) {
                $byHash[strtolower($row['tokenHash'])] = $row;
            }
        }
    }
}, 2000);
$table[] = ['new Guard, 100 managed rows', $ext, $floor];

if ($json) {
    bench_print_json(array_map(
        static fn (array $r): array => bench_row($r[0], $r[1], $r[2], str_starts_with($r[0], 'new Guard') ? 50_000 : 1_500),
        $table,
    ));
}
printf("PHP %s, agents_core %s, opcache %s, JIT %s\n\n", PHP_VERSION, AGENTS_CORE_VERSION,
    ini_get('opcache.enable_cli') ? 'on' : 'off', ini_get('opcache.jit') ?: 'off');
printf("| %-45s | %12s | %17s | %11s |\n", 'case', 'extension ns', 'userland floor ns', 'ext / floor');
printf("|%s|%s|%s|%s|\n", str_repeat('-', 47), str_repeat('-', 14), str_repeat('-', 19), str_repeat('-', 13));
foreach ($table as [$name, $e, $f]) {
    printf("| %-45s | %12.0f | %17.0f | %11.2f |\n", $name, $e, $f, $e / $f);
}
