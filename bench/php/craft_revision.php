<?php
// What CredentialRows::revision() costs (the query a cached Guard pays on every request) and,
// for comparison, rows() (what a rebuild reads), at 100 and 10 000 rows of the plugin's full
// schema, on SQLite and on the MariaDB and PostgreSQL servers bench/craft.sh starts.
//
//   bash bench/craft.sh [--json]

declare(strict_types=1);

require __DIR__ . '/../../craft/tests/bootstrap.php';

use Agents\Core\Craft\CredentialRows;
use Agents\Core\Craft\Tests\Databases;

$json = in_array('--json', $argv, true);

/** Median wall time of $fn in microseconds over $runs calls (after 3 warm-up calls). */
function median_us(callable $fn, int $runs): float
{
    for ($i = 0; $i < 3; $i++) {
        $fn();
    }
    $t = [];
    for ($i = 0; $i < $runs; $i++) {
        $s = hrtime(true);
        $fn();
        $t[] = (hrtime(true) - $s) / 1e3;
    }
    sort($t);
    return $t[intdiv(count($t), 2)];
}

$results = [];
foreach (['sqlite', 'mysql', 'pgsql'] as $driver) {
    foreach ([100, 10000] as $n) {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $pdo->beginTransaction();
        for ($i = 0; $i < $n; $i++) {
            Databases::insert($pdo, "bench-token-$i-" . bin2hex(random_bytes(8)), [
                'handle' => "agent-$i",
                'ipAllowlist' => $i % 3 === 0 ? ['10.0.0.0/8', '2001:db8::/32'] : null,
                'expiresAt' => $i % 2 === 0 ? gmdate('Y-m-d H:i:s', time() + 86400 * 30) : null,
                'webhookResourceTypes' => ['entry', 'order'],
                'webhookActions' => ['created', 'updated'],
            ]);
        }
        $pdo->commit();
        $source = new CredentialRows($pdo, 'craft_agents_credentials');
        $source->columns();
        $runs = $n <= 100 ? 200 : 20;
        $results[] = [
            'driver' => $driver,
            'rows' => $n,
            'revision_us' => round(median_us(fn () => $source->revision(), $runs), 1),
            'rows_us' => round(median_us(fn () => $source->rows(), $runs), 1),
        ];
    }
}

if ($json) {
    echo json_encode(['craft_revision' => $results], JSON_PRETTY_PRINT), "\n";
    exit(0);
}
printf("%-8s %7s %14s %12s\n", 'driver', 'rows', 'revision() µs', 'rows() µs');
foreach ($results as $r) {
    printf("%-8s %7d %14.1f %12.1f\n", $r['driver'], $r['rows'], $r['revision_us'], $r['rows_us']);
}
