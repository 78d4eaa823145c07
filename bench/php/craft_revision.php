<?php
// What CredentialRows::revision() costs (the query a cached Guard pays on every request), with
// the trigger-maintained revision table and with the aggregate over the rows, and, for
// comparison, rows() (what a rebuild reads), at 100 and 10 000 rows of the plugin's full
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
        $q = $driver === 'mysql' ? '`' : '"';
        $cols = ['handle', 'displayName', 'tokenHash', 'tokenPrefix', 'scopes', 'ipAllowlist', 'expiresAt', 'webhookResourceTypes', 'webhookActions', 'dateCreated', 'dateUpdated'];
        $insert = $pdo->prepare(sprintf(
            'INSERT INTO %1$scraft_agents_credentials%1$s (%2$s) VALUES (%3$s)',
            $q,
            implode(', ', array_map(fn ($c) => "$q$c$q", $cols)),
            implode(', ', array_fill(0, count($cols), '?')),
        ));
        $now = gmdate('Y-m-d H:i:s');
        for ($i = 0; $i < $n; $i++) {
            $insert->execute([
                "agent-$i", "Agent $i", hash('sha256', "bench-token-$i"), 'bench-token-',
                '["entries:read","auth:read"]',
                $i % 3 === 0 ? '["10.0.0.0/8","2001:db8::/32"]' : null,
                $i % 2 === 0 ? gmdate('Y-m-d H:i:s', time() + 86400 * 30) : null,
                '["entry","order"]', '["created","updated"]', $now, $now,
            ]);
        }
        $pdo->commit();
        $source = new CredentialRows($pdo, 'craft_agents_credentials');
        $source->columns();
        $runs = $n <= 100 ? 200 : 20;
        $aggregate = median_us(fn () => $source->revision(), $runs);
        $rows = median_us(fn () => $source->rows(), $runs);
        $source->installRevisionTable();
        $table = median_us(fn () => $source->revision(), $runs);
        $results[] = [
            'driver' => $driver,
            'rows' => $n,
            'revision_table_us' => round($table, 1),
            'revision_us' => round($aggregate, 1),
            'rows_us' => round($rows, 1),
        ];
    }
}

if ($json) {
    echo json_encode(['craft_revision' => $results], JSON_PRETTY_PRINT), "\n";
    exit(0);
}
printf("%-8s %7s %18s %22s %12s\n", 'driver', 'rows', 'revision() table µs', 'revision() aggregate µs', 'rows() µs');
foreach ($results as $r) {
    printf("%-8s %7d %18.1f %22.1f %12.1f\n", $r['driver'], $r['rows'], $r['revision_table_us'], $r['revision_us'], $r['rows_us']);
}
