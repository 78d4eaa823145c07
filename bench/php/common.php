<?php

/**
 * Shared helpers of the PHP benches (bench/php/<concern>.php). A bench starts with
 *
 *     require __DIR__ . '/common.php';
 *     [$json, $args] = bench_start($argv);
 *
 * times its cases with bench_measure() (wall time, fastest or median round) or bench_cpu_time()
 * (CPU time, for very short calls on a shared machine), collects rows with bench_row(), and ends
 * with bench_print_json($rows) under --json (what bench/run.sh and bench/report.php read) or its
 * own table otherwise. Every time is in ns per call.
 */

declare(strict_types=1);

/** Pick the fastest round: the one least disturbed by other load. */
const BENCH_FASTEST = 'fastest';
/** Pick the median round. */
const BENCH_MEDIAN = 'median';

/**
 * Checks that the extension is loaded (exit 2 with the command to run otherwise) and reads the
 * command line: `[bool $json, list<string> $args]`, `$json` when `--json` was given, `$args` the
 * other arguments in order.
 *
 * @param list<string> $argv
 * @return array{bool, list<string>}
 */
function bench_start(array $argv): array
{
    $script = $argv[0] ?? 'bench/php/<concern>.php';
    if (!extension_loaded('agents_core')) {
        fwrite(STDERR, "load the extension: php -d extension=\$PWD/target/release/libagents_core.so $script\n");
        exit(2);
    }
    $rest = array_slice($argv, 1);
    $args = array_values(array_filter($rest, static fn (string $a): bool => $a !== '--json'));
    return [in_array('--json', $rest, true), $args];
}

/**
 * Wall-clock ns per call. `$batch(int $calls)` makes `$calls` calls in a loop of its own (so the
 * loop costs the same on both sides of a comparison); it runs `$rounds` times after `$warmup`
 * calls, and the fastest or the median round counts.
 */
function bench_measure(callable $batch, int $calls, int $rounds = 7, string $pick = BENCH_FASTEST, int $warmup = 0): float
{
    if ($warmup > 0) {
        $batch($warmup);
    }
    $times = [];
    for ($r = 0; $r < $rounds; $r++) {
        $t = hrtime(true);
        $batch($calls);
        $times[] = (hrtime(true) - $t) / $calls;
    }
    sort($times);
    return $pick === BENCH_MEDIAN ? $times[intdiv(count($times), 2)] : $times[0];
}

/** A batch for bench_measure() that calls `$fn()` once per call. */
function bench_each(callable $fn): callable
{
    return static function (int $calls) use ($fn): void {
        for ($i = 0; $i < $calls; $i++) {
            $fn();
        }
    };
}

/** CPU time (user + system) used by this process so far, in ns. */
function bench_cpu_ns(): float
{
    $u = getrusage();
    return ($u['ru_utime.tv_sec'] + $u['ru_stime.tv_sec']) * 1e9
        + ($u['ru_utime.tv_usec'] + $u['ru_stime.tv_usec']) * 1e3;
}

/**
 * CPU ns per call of `$batch(int $calls)`: the lowest of `$rounds` rounds sharing about
 * `$seconds` of wall time, each running batches of 2000 calls until its share is spent. CPU time
 * and the lowest round, because time spent descheduled on a shared machine is not the code's
 * cost. For calls of a few ns, subtract the same loop without the call.
 */
function bench_cpu_time(callable $batch, float $seconds, int $rounds = 7): float
{
    $size = 2000;
    $best = INF;
    for ($r = 0; $r < $rounds; $r++) {
        $calls = 0;
        $deadline = hrtime(true) + (int) ($seconds / $rounds * 1e9);
        $start = bench_cpu_ns();
        do {
            $batch($size);
            $calls += $size;
        } while (hrtime(true) < $deadline);
        $best = min($best, (bench_cpu_ns() - $start) / $calls);
    }
    return $best;
}

/**
 * One result row as bench/report.php reads it: the case, the extension's and the userland
 * floor's ns per call, and the target in ns (null: no target).
 *
 * @return array{case: string, extension_ns: ?float, floor_ns: ?float, target_ns: int|float|null}
 */
function bench_row(string $case, ?float $extensionNs, ?float $floorNs, int|float|null $targetNs = null): array
{
    return ['case' => $case, 'extension_ns' => $extensionNs, 'floor_ns' => $floorNs, 'target_ns' => $targetNs];
}

/** Prints the rows as the JSON bench/run.sh collects, and exits. */
function bench_print_json(array $rows): never
{
    echo json_encode($rows, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE), "\n";
    exit(0);
}
