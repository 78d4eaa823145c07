<?php
// IpAllowlist::contains() against a userland PHP floor, in the same process.
//
//   cargo build --release
//   php -d extension=$PWD/target/release/libagents_core.so bench/php/ip.php [seconds-per-case] [--json]
//
// The floor parses the list once into inet_pton() binaries and prefix byte/bit masks, then per
// call converts the address with inet_pton() and compares bytes entry by entry, the way a
// careful PHP implementation does. Both sides answer the same 256 probe addresses (half inside
// an entry); the answers are checked to agree before timing. ns/call is the CPU time of a timed
// loop per call (the lowest of 7 rounds) minus the same loop without the call. --json prints the
// rows for bench/report.php instead of the table.

declare(strict_types=1);

use Agents\Core\IpAllowlist;

require __DIR__ . '/common.php';

const PROBES = 256;
[$json, $args] = bench_start($argv);
$seconds = (float) ($args[0] ?? 0.25);
$rows = [];

/** @return list<array{string, int, int}> [network binary, full bytes, mask of the next byte] */
function floor_compile(array $cidrs): array
{
    $out = [];
    foreach ($cidrs as $cidr) {
        [$addr, $prefix] = explode('/', $cidr) + [1 => null];
        $bin = inet_pton($addr);
        $prefix = $prefix === null ? strlen($bin) * 8 : (int) $prefix;
        $bytes = intdiv($prefix, 8);
        $bits = $prefix % 8;
        $out[] = [$bin, $bytes, $bits === 0 ? 0 : (0xff << (8 - $bits)) & 0xff];
    }
    return $out;
}

function floor_contains(array $compiled, string $ip): bool
{
    $bin = @inet_pton($ip);
    if ($bin === false) {
        return false;
    }
    $len = strlen($bin);
    foreach ($compiled as [$net, $bytes, $mask]) {
        if (strlen($net) !== $len) {
            continue;
        }
        if ($bytes > 0 && strncmp($bin, $net, $bytes) !== 0) {
            continue;
        }
        if ($mask !== 0 && (ord($bin[$bytes]) & $mask) !== ord($net[$bytes])) {
            continue;
        }
        return true;
    }
    return false;
}

/** @return array{list<string>, list<string>} [entries, probes] */
function make_case(string $family, int $n): array
{
    mt_srand($n * 31 + ($family === 'v4' ? 1 : 2));
    $entries = [];
    $nets = [];
    for ($i = 0; $i < $n; $i++) {
        if ($family === 'v4') {
            $net = mt_rand(0, 0xffffff) << 8;
            $nets[] = $net;
            $entries[] = long2ip($net) . '/24';
        } else {
            $g = [mt_rand(0, 0xffff), mt_rand(0, 0xffff)];
            $nets[] = $g;
            $entries[] = sprintf('2001:db8:%x:%x::/64', $g[0], $g[1]);
        }
    }
    $probes = [];
    for ($i = 0; $i < PROBES; $i++) {
        $hit = $i % 2 === 0;
        if ($family === 'v4') {
            $probes[] = long2ip($hit ? $nets[mt_rand(0, $n - 1)] | mt_rand(0, 255) : mt_rand(0, 0x7fffffff) * 2 + mt_rand(0, 1));
        } else {
            $g = $hit ? $nets[mt_rand(0, $n - 1)] : [mt_rand(0, 0xffff), mt_rand(0, 0xffff)];
            $probes[] = sprintf('2001:db8:%x:%x:%x:%x:%x:%x', $g[0], $g[1], mt_rand(0, 0xffff), mt_rand(0, 0xffff), mt_rand(0, 0xffff), mt_rand(0, 0xffff));
        }
    }
    return [$entries, $probes];
}

if (!$json) {
    printf("PHP %s, %s, opcache.jit=%s\n", PHP_VERSION, php_uname('m'), ini_get('opcache.jit') ?: 'off');
    printf("%-6s %7s %14s %14s %8s\n", 'family', 'entries', 'ext ns/call', 'php ns/call', 'ratio');
}
foreach (['v4', 'v6'] as $family) {
    foreach ([1, 10, 100, 1000, 10000] as $n) {
        [$entries, $probes] = make_case($family, $n);
        $list = new IpAllowlist($entries);
        $compiled = floor_compile($entries);
        foreach ($probes as $p) {
            if ($list->contains($p) !== floor_contains($compiled, $p)) {
                fwrite(STDERR, "disagreement on $p with $n $family entries\n");
                exit(1);
            }
        }
        $mask = PROBES - 1;
        $empty = bench_cpu_time(function (int $k) use ($probes, $mask): void {
            for ($i = 0; $i < $k; $i++) {
                $p = $probes[$i & $mask];
            }
        }, $seconds / 2);
        $ext = bench_cpu_time(function (int $k) use ($probes, $mask, $list): void {
            for ($i = 0; $i < $k; $i++) {
                $list->contains($probes[$i & $mask]);
            }
        }, $seconds);
        $php = bench_cpu_time(function (int $k) use ($probes, $mask, $compiled): void {
            for ($i = 0; $i < $k; $i++) {
                floor_contains($compiled, $probes[$i & $mask]);
            }
        }, $seconds);
        if ($family === 'v4' && $n === 1) {
            // What any extension method call costs here, for reference.
            $call = bench_cpu_time(function (int $k) use ($probes, $mask, $list): void {
                for ($i = 0; $i < $k; $i++) {
                    $p = $probes[$i & $mask];
                    $list->count();
                }
            }, $seconds) - $empty;
        }
        $ext -= $empty;
        $php -= $empty;
        $rows[] = bench_row(
            sprintf('contains, IP%s, %s %s', $family, number_format($n), $n === 1 ? 'entry' : 'entries'),
            $ext,
            $php,
            $n === 1000 ? 100 : null,
        );
        if (!$json) {
            printf("%-6s %7d %14.1f %14.1f %7.1fx\n", $family, $n, $ext, $php, $php / $ext);
        }
    }
}
if ($json) {
    $rows[] = bench_row('an empty method call (IpAllowlist::count)', $call, null);
    bench_print_json($rows);
}
printf("an empty method call (IpAllowlist::count) costs %.1f ns here\n", $call);
