<?php

declare(strict_types=1);

namespace Agents\Core\Craft\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Real databases for the adapter's tests: a fresh SQLite file, a fresh MariaDB database or a
 * fresh PostgreSQL schema per call, on the servers scripts/craft-test.sh starts. Tables are
 * created and rows written the way the plugin's migrations and credential service do.
 */
final class Databases
{
    /** Columns the plugin's first migration created; the rest came with later migrations. */
    public const OLDEST = ['id', 'handle', 'displayName', 'tokenHash', 'tokenPrefix', 'scopes',
        'lastUsedAt', 'lastUsedIp', 'lastAuthMethod', 'rotatedAt', 'revokedAt',
        'dateCreated', 'dateUpdated', 'uid'];

    /** @return array<string, array{string}> */
    public static function drivers(): array
    {
        return ['sqlite' => ['sqlite'], 'mariadb' => ['mysql'], 'postgresql' => ['pgsql']];
    }

    /** Every driver with both revision sources of CredentialRows. @return array<string, array{string, string}> */
    public static function driversAndSources(): array
    {
        $out = [];
        foreach (self::drivers() as $label => [$driver]) {
            foreach (['aggregate', 'table'] as $source) {
                $out["$label $source"] = [$driver, $source];
            }
        }
        return $out;
    }

    /** A CredentialRows over the table, with the revision table installed for `table`. */
    public static function source(\PDO $pdo, string $source, string $table = 'craft_agents_credentials'): \Agents\Core\Craft\CredentialRows
    {
        $rows = new \Agents\Core\Craft\CredentialRows($pdo, $table);
        if ($source === 'table') {
            $rows->installRevisionTable();
        }
        \PHPUnit\Framework\Assert::assertSame($source, (new \Agents\Core\Craft\CredentialRows($pdo, $table))->revisionSource());
        return $rows;
    }

    public static function connect(string $driver): \PDO
    {
        $name = 't' . bin2hex(random_bytes(6));
        $options = [\PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION];
        switch ($driver) {
            case 'sqlite':
                $dir = getenv('CRAFT_TEST_TMP') ?: sys_get_temp_dir();
                return new \PDO('sqlite:' . $dir . '/' . $name . '.sqlite', null, null, $options);
            case 'mysql':
                $socket = self::server('CRAFT_TEST_MYSQL_SOCKET');
                $pdo = new \PDO('mysql:unix_socket=' . $socket, 'root', '', $options);
                $pdo->exec("CREATE DATABASE $name CHARACTER SET utf8mb4");
                $pdo->exec("USE $name");
                $pdo->exec("SET time_zone = '+00:00'");
                return $pdo;
            case 'pgsql':
                $dir = self::server('CRAFT_TEST_PGSQL_SOCKET_DIR');
                $pdo = new \PDO('pgsql:host=' . $dir . ';dbname=postgres', 'postgres', '', $options);
                $pdo->exec("CREATE SCHEMA $name");
                $pdo->exec("SET search_path TO $name");
                return $pdo;
        }
        throw new \LogicException("unknown driver $driver");
    }

    private static function server(string $var): string
    {
        $value = getenv($var);
        if (is_string($value) && $value !== '') {
            return $value;
        }
        if (getenv('CRAFT_TEST_SERVERS') === 'required') {
            throw new \RuntimeException("$var is not set");
        }
        TestCase::markTestSkipped("$var is not set: run bash scripts/craft-test.sh to start the database servers");
    }

    /**
     * Creates the credentials table as the plugin's migrations leave it: every column, or only
     * those of the first migration.
     */
    public static function createTable(\PDO $pdo, string $table = 'craft_agents_credentials', bool $oldest = false): void
    {
        $driver = $pdo->getAttribute(\PDO::ATTR_DRIVER_NAME);
        [$pk, $ts, $bool, $text, $q] = match ($driver) {
            'mysql' => ['INT NOT NULL AUTO_INCREMENT PRIMARY KEY', 'DATETIME', 'TINYINT(1)', 'TEXT', '`'],
            'pgsql' => ['SERIAL PRIMARY KEY', 'TIMESTAMP(0) WITHOUT TIME ZONE', 'BOOLEAN', 'TEXT', '"'],
            default => ['INTEGER PRIMARY KEY AUTOINCREMENT', 'TEXT', 'INTEGER', 'TEXT', '"'],
        };
        $true = $driver === 'pgsql' ? 'TRUE' : '1';
        $columns = [
            'id' => $pk,
            'handle' => 'VARCHAR(64) NOT NULL',
            'displayName' => 'VARCHAR(255) NOT NULL',
            'tokenHash' => 'CHAR(64) NOT NULL',
            'tokenPrefix' => 'VARCHAR(16) NOT NULL',
            'scopes' => "$text NULL",
            'lastUsedAt' => "$ts NULL",
            'lastUsedIp' => 'VARCHAR(64) NULL',
            'lastAuthMethod' => 'VARCHAR(32) NULL',
            'rotatedAt' => "$ts NULL",
            'revokedAt' => "$ts NULL",
            'pausedAt' => "$ts NULL",
            'expiresAt' => "$ts NULL",
            'expiryReminderDays' => 'INT NULL DEFAULT 7',
            'ipAllowlist' => "$text NULL",
            'webhookResourceTypes' => "$text NULL",
            'webhookActions' => "$text NULL",
            'owner' => 'VARCHAR(255) NULL',
            'ownerUserId' => 'INT NULL',
            'approvalRecipientUserIds' => "$text NULL",
            'description' => "$text NULL",
            'forceHumanApproval' => "$bool NOT NULL DEFAULT $true",
            'dateCreated' => "$ts NOT NULL",
            'dateUpdated' => "$ts NOT NULL",
            'uid' => "CHAR(36) NOT NULL DEFAULT '0'",
        ];
        if ($oldest) {
            $columns = array_intersect_key($columns, array_flip(self::OLDEST));
        }
        $defs = [];
        foreach ($columns as $name => $def) {
            $defs[] = "$q$name$q $def";
        }
        $defs[] = "UNIQUE ({$q}handle$q)";
        $defs[] = "UNIQUE ({$q}tokenHash$q)";
        $pdo->exec("CREATE TABLE $q$table$q (" . implode(', ', $defs) . ')');
    }

    /**
     * Inserts a credential as the plugin's credential service does: the SHA-256 of the token,
     * JSON array text, UTC `Y-m-d H:i:s` timestamps, NULL for what is not set. Columns the
     * table lacks are left out. Returns the new id.
     *
     * @param array<string, mixed> $columns overrides (e.g. ipAllowlist => ['10.0.0.0/8'])
     */
    public static function insert(\PDO $pdo, string $token, array $columns = [], string $table = 'craft_agents_credentials'): int
    {
        $now = gmdate('Y-m-d H:i:s');
        $row = $columns + [
            'handle' => 'agent-' . bin2hex(random_bytes(3)),
            'displayName' => 'An agent',
            'tokenHash' => hash('sha256', $token),
            'tokenPrefix' => substr($token, 0, 12),
            'scopes' => ['entries:read', 'auth:read'],
            'ipAllowlist' => null,
            'expiresAt' => null,
            'expiryReminderDays' => 7,
            'webhookResourceTypes' => null,
            'webhookActions' => null,
            'forceHumanApproval' => true,
            'dateCreated' => $now,
            'dateUpdated' => $now,
            'uid' => self::uid(),
        ];
        $present = self::columns($pdo, $table);
        $row = array_intersect_key($row, array_flip($present));
        foreach ($row as $k => $v) {
            if (is_array($v)) {
                $row[$k] = json_encode(array_values($v), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
            } elseif (is_bool($v)) {
                $row[$k] = $pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) === 'pgsql' ? ($v ? 'true' : 'false') : (int) $v;
            }
        }
        $q = $pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) === 'mysql' ? '`' : '"';
        $names = implode(', ', array_map(fn ($c) => "$q$c$q", array_keys($row)));
        $marks = implode(', ', array_fill(0, count($row), '?'));
        $pdo->prepare("INSERT INTO $q$table$q ($names) VALUES ($marks)")->execute(array_values($row));
        return (int) $pdo->lastInsertId($pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) === 'pgsql' ? $table . '_id_seq' : null);
    }

    /**
     * Updates one row as the plugin does (JSON text for lists, stamping `dateUpdated`).
     *
     * @param array<string, mixed> $set
     */
    public static function update(\PDO $pdo, int $id, array $set, string $table = 'craft_agents_credentials'): void
    {
        $q = $pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) === 'mysql' ? '`' : '"';
        $set += ['dateUpdated' => gmdate('Y-m-d H:i:s')];
        $parts = [];
        $values = [];
        foreach ($set as $k => $v) {
            $parts[] = "$q$k$q = ?";
            $values[] = is_array($v) ? json_encode(array_values($v), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) : (is_bool($v) ? ($pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) === 'pgsql' ? ($v ? 'true' : 'false') : (int) $v) : $v);
        }
        $values[] = $id;
        $pdo->prepare("UPDATE $q$table$q SET " . implode(', ', $parts) . " WHERE {$q}id$q = ?")->execute($values);
    }

    /** The usage write of every authenticated request. */
    public static function recordUse(\PDO $pdo, int $id, string $ip = '203.0.113.9', string $method = 'authorization', string $table = 'craft_agents_credentials'): void
    {
        $now = gmdate('Y-m-d H:i:s', time() + random_int(1, 1000));
        self::update($pdo, $id, ['lastUsedAt' => $now, 'lastUsedIp' => $ip, 'lastAuthMethod' => $method, 'dateUpdated' => $now], $table);
    }

    /** @return list<string> */
    public static function columns(\PDO $pdo, string $table): array
    {
        $q = $pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) === 'mysql' ? '`' : '"';
        $stmt = $pdo->query("SELECT * FROM $q$table$q WHERE 1 = 0");
        $out = [];
        for ($i = 0; $i < $stmt->columnCount(); $i++) {
            $out[] = (string) $stmt->getColumnMeta($i)['name'];
        }
        return $out;
    }

    private static function uid(): string
    {
        $b = bin2hex(random_bytes(16));
        return substr($b, 0, 8) . '-' . substr($b, 8, 4) . '-' . substr($b, 12, 4) . '-' . substr($b, 16, 4) . '-' . substr($b, 20);
    }
}
