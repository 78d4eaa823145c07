<?php

declare(strict_types=1);

namespace Agents\Core\Craft;

/**
 * Reads the plugin's managed-credentials table through PDO (MySQL/MariaDB, PostgreSQL, SQLite)
 * and hands its rows to the Guard in the shape the Guard takes.
 *
 * Which columns exist is probed once per instance (the table grew over the plugin's
 * migrations); only `id`, `handle` and `tokenHash` are required. See craft/README.md for the
 * schema, and for what {@see revision()} can and cannot see.
 */
final class CredentialRows
{
    /** Columns the Guard reads, as named in the table. */
    public const POLICY_COLUMNS = [
        'id', 'handle', 'tokenHash', 'scopes', 'ipAllowlist',
        'expiresAt', 'revokedAt', 'pausedAt', 'rotatedAt', 'expiryReminderDays',
        'forceHumanApproval', 'webhookResourceTypes', 'webhookActions',
    ];

    /** Columns without which no row can be read. */
    public const REQUIRED_COLUMNS = ['id', 'handle', 'tokenHash'];

    /** Table column => Guard row key, where they differ. */
    private const RENAMED = ['expiryReminderDays' => 'reminderDays'];

    /** Columns read for the revision but not passed to the Guard. */
    private const REVISION_ONLY = ['rotatedAt'];

    private string $driver;

    /** @var list<string>|null policy columns present in the table, in POLICY_COLUMNS order */
    private ?array $columns = null;

    /** Whether the trigger-maintained revision table exists (probed once per instance). */
    private ?bool $revisionTable = null;

    /**
     * @param \PDO $pdo an open connection; its error mode is left as it is (every statement
     *   here checks its own result)
     * @param string $table the full table name, prefix included (letters, digits, `_`)
     * @throws \InvalidArgumentException for a table name that is not a plain identifier or a
     *   PDO driver other than mysql, pgsql and sqlite
     */
    public function __construct(private \PDO $pdo, private string $table = 'agents_credentials')
    {
        if (preg_match('/\A[A-Za-z_][A-Za-z0-9_]{0,54}\z/', $table) !== 1) {
            throw new \InvalidArgumentException(sprintf('CredentialRows: table name %s is not a plain identifier', json_encode($table)));
        }
        $driver = (string) $pdo->getAttribute(\PDO::ATTR_DRIVER_NAME);
        if (!in_array($driver, ['mysql', 'pgsql', 'sqlite'], true)) {
            throw new \InvalidArgumentException(sprintf('CredentialRows: PDO driver %s is not supported (mysql, pgsql, sqlite)', $driver));
        }
        $this->driver = $driver;
    }

    /** The PDO driver name: `mysql`, `pgsql` or `sqlite`. */
    public function driver(): string
    {
        return $this->driver;
    }

    /**
     * The policy columns this table has (probed once per instance).
     *
     * @return list<string>
     * @throws \RuntimeException when the table does not exist or lacks `id`, `handle` or `tokenHash`
     */
    public function columns(): array
    {
        if ($this->columns !== null) {
            return $this->columns;
        }
        $present = array_flip($this->probe());
        $missing = array_values(array_diff(self::REQUIRED_COLUMNS, array_keys($present)));
        if ($missing !== []) {
            throw new \RuntimeException(sprintf(
                'CredentialRows: table %s %s',
                $this->table,
                $present === [] ? 'does not exist' : 'lacks the column(s) ' . implode(', ', $missing),
            ));
        }
        return $this->columns = array_values(array_filter(
            self::POLICY_COLUMNS,
            static fn (string $c): bool => isset($present[$c]),
        ));
    }

    /**
     * Every row (revoked and paused ones included, so the Guard can report them), ordered by
     * id, in the shape `Guard` takes: `expiryReminderDays` as `reminderDays`, JSON text
     * columns passed through as stored (the Guard reads JSON array text), timestamps as stored
     * (UTC `Y-m-d H:i:s`), `NULL` as null.
     *
     * @return list<array{id: int|string, handle: string, tokenHash: string, scopes?: string|null,
     *   ipAllowlist?: string|null, expiresAt?: string|null, revokedAt?: string|null,
     *   pausedAt?: string|null, reminderDays?: int|string|null, forceHumanApproval?: bool|int|string|null,
     *   webhookResourceTypes?: string|null, webhookActions?: string|null}>
     */
    public function rows(): array
    {
        $select = [];
        foreach ($this->columns() as $column) {
            if (in_array($column, self::REVISION_ONLY, true)) {
                continue;
            }
            $select[] = $this->quote($column) . (isset(self::RENAMED[$column]) ? ' AS ' . $this->quote(self::RENAMED[$column]) : '');
        }
        $sql = sprintf('SELECT %s FROM %s ORDER BY %s', implode(', ', $select), $this->quote($this->table), $this->quote('id'));
        $rows = [];
        foreach ($this->query($sql)->fetchAll(\PDO::FETCH_ASSOC) as $row) {
            foreach ($row as $key => $value) {
                if (is_resource($value)) {
                    // PostgreSQL returns bytea/large text as a stream.
                    $row[$key] = stream_get_contents($value);
                }
            }
            $rows[] = $row;
        }
        return $rows;
    }

    /**
     * A value that changes on every insert, delete and change of a policy column (see
     * POLICY_COLUMNS), and not on usage writes (`lastUsedAt`, `lastUsedIp`, `lastAuthMethod`,
     * `dateUpdated`) or edits of display-only columns.
     *
     * With the revision table installed ({@see migrationSql()}), one primary-key read of the
     * counter the table's triggers bump; without it, an aggregate of per-row hashes computed by
     * the database over every row. See craft/README.md for the cost of each and their blind
     * spots.
     */
    public function revision(): string
    {
        $columns = $this->columns();
        if ($this->revisionSource() === 'table') {
            $sql = sprintf('SELECT %s FROM %s WHERE %s = 1', $this->quote('revision'), $this->quote($this->revisionTableName()), $this->quote('id'));
            $value = $this->query($sql)->fetchColumn();
            if ($value === false) {
                throw new \RuntimeException('CredentialRows: the revision table ' . $this->revisionTableName() . ' has no row 1');
            }
            $row = ['table', (string) $value];
        } else {
            $row = $this->query($this->revisionSql($columns))->fetch(\PDO::FETCH_NUM);
            if (!is_array($row)) {
                throw new \RuntimeException('CredentialRows: the revision query returned nothing');
            }
            if ($this->driver === 'sqlite') {
                // SQLite has no hash function: it concatenates, PHP hashes.
                $row[1] = hash('sha256', (string) $row[1]);
            }
        }
        return hash('sha256', implode("\x1f", [$this->driver, $this->table, implode(',', $columns), ...array_map('strval', $row)]));
    }

    /** `table` when the trigger-maintained revision table exists, else `aggregate`. */
    public function revisionSource(): string
    {
        $this->revisionTable ??= in_array('revision', $this->probe($this->revisionTableName()), true);
        return $this->revisionTable ? 'table' : 'aggregate';
    }

    /** The revision table's name: the credentials table's name plus `_revision`. */
    public function revisionTableName(): string
    {
        return $this->table . '_revision';
    }

    /**
     * The migration that makes revision() one primary-key read: a one-row revision table and
     * triggers on the credentials table that bump it on every insert and delete and on every
     * update that changes a policy column (a usage write changes none, so it bumps nothing).
     * The counter starts at a random value, so a recreated table does not repeat old values.
     * Re-run it after a migration that adds a policy column (it drops and recreates the
     * triggers over the columns present then). For this connection's driver.
     *
     * @return list<string> SQL statements, in order
     */
    public function migrationSql(): array
    {
        $t = $this->quote($this->table);
        $r = $this->quote($this->revisionTableName());
        $id = $this->quote('id');
        $rev = $this->quote('revision');
        $name = fn (string $suffix): string => $this->quote(substr($this->table, 0, 50) . '_rev_' . $suffix);
        $bump = "UPDATE $r SET $rev = $rev + 1 WHERE $id = 1";
        $start = random_int(1, PHP_INT_MAX >> 1);
        $changed = [];
        foreach ($this->columns() as $column) {
            $c = $this->quote($column);
            $changed[] = match ($this->driver) {
                'mysql' => "NOT (BINARY OLD.$c <=> BINARY NEW.$c)",
                'pgsql' => "OLD.$c IS DISTINCT FROM NEW.$c",
                default => "OLD.$c IS NOT NEW.$c",
            };
        }
        $changed = implode(' OR ', $changed);
        $sql = match ($this->driver) {
            'mysql' => ["CREATE TABLE IF NOT EXISTS $r ($id INT NOT NULL PRIMARY KEY, $rev BIGINT NOT NULL)"],
            default => ["CREATE TABLE IF NOT EXISTS $r ($id INTEGER NOT NULL PRIMARY KEY, $rev BIGINT NOT NULL)"],
        };
        $sql[] = match ($this->driver) {
            'mysql' => "INSERT IGNORE INTO $r ($id, $rev) VALUES (1, $start)",
            'pgsql' => "INSERT INTO $r ($id, $rev) VALUES (1, $start) ON CONFLICT ($id) DO NOTHING",
            default => "INSERT OR IGNORE INTO $r ($id, $rev) VALUES (1, $start)",
        };
        foreach (['ins', 'del', 'upd', 'trunc'] as $suffix) {
            $sql[] = $this->driver === 'pgsql'
                ? 'DROP TRIGGER IF EXISTS ' . $name($suffix) . " ON $t"
                : ($suffix === 'trunc' ? null : 'DROP TRIGGER IF EXISTS ' . $name($suffix));
        }
        if ($this->driver === 'mysql') {
            $sql[] = 'CREATE TRIGGER ' . $name('ins') . " AFTER INSERT ON $t FOR EACH ROW $bump";
            $sql[] = 'CREATE TRIGGER ' . $name('del') . " AFTER DELETE ON $t FOR EACH ROW $bump";
            $sql[] = 'CREATE TRIGGER ' . $name('upd') . " AFTER UPDATE ON $t FOR EACH ROW BEGIN IF $changed THEN $bump; END IF; END";
        } elseif ($this->driver === 'pgsql') {
            $fn = $this->quote(substr($this->table, 0, 50) . '_rev_bump');
            $sql[] = "CREATE OR REPLACE FUNCTION $fn() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN $bump; RETURN NULL; END \$\$";
            $sql[] = 'CREATE TRIGGER ' . $name('ins') . " AFTER INSERT ON $t FOR EACH ROW EXECUTE FUNCTION $fn()";
            $sql[] = 'CREATE TRIGGER ' . $name('del') . " AFTER DELETE ON $t FOR EACH ROW EXECUTE FUNCTION $fn()";
            $sql[] = 'CREATE TRIGGER ' . $name('upd') . " AFTER UPDATE ON $t FOR EACH ROW WHEN ($changed) EXECUTE FUNCTION $fn()";
            $sql[] = 'CREATE TRIGGER ' . $name('trunc') . " AFTER TRUNCATE ON $t FOR EACH STATEMENT EXECUTE FUNCTION $fn()";
        } else {
            $sql[] = 'CREATE TRIGGER ' . $name('ins') . " AFTER INSERT ON $t BEGIN $bump; END";
            $sql[] = 'CREATE TRIGGER ' . $name('del') . " AFTER DELETE ON $t BEGIN $bump; END";
            $sql[] = 'CREATE TRIGGER ' . $name('upd') . " AFTER UPDATE ON $t WHEN $changed BEGIN $bump; END";
        }
        $sql[] = $bump;
        return array_values(array_filter($sql));
    }

    /** Runs migrationSql() on this connection (needs the right to create tables and triggers). */
    public function installRevisionTable(): void
    {
        foreach ($this->migrationSql() as $statement) {
            if ($this->pdo->exec($statement) === false) {
                throw new \RuntimeException('CredentialRows: installing the revision table failed: ' . (string) ($this->pdo->errorInfo()[2] ?? 'unknown error'));
            }
        }
        $this->revisionTable = true;
    }

    /** @param list<string> $columns */
    private function revisionSql(array $columns): string
    {
        $table = $this->quote($this->table);
        $id = $this->quote('id');
        $cells = [];
        foreach ($columns as $column) {
            $c = $this->quote($column);
            $cells[] = match ($this->driver) {
                'mysql' => "IFNULL(CONCAT('v', $c), 'n')",
                'pgsql' => "COALESCE('v' || $c::text, 'n')",
                default => "COALESCE('v' || $c, 'n')",
            };
        }
        return match ($this->driver) {
            // Two independent 60-bit halves of each row's MD5, summed and xor-ed: no length
            // limit (GROUP_CONCAT would be cut at group_concat_max_len), order-independent.
            'mysql' => sprintf(
                'SELECT COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(h, 1, 15), 16, 10) AS UNSIGNED)), 0), '
                . 'COALESCE(BIT_XOR(CAST(CONV(SUBSTRING(h, 16, 15), 16, 10) AS UNSIGNED)), 0) '
                . 'FROM (SELECT MD5(CONCAT_WS(CHAR(31), %s)) AS h FROM %s) AS r',
                implode(', ', $cells),
                $table,
            ),
            'pgsql' => sprintf(
                "SELECT COUNT(*), COALESCE(md5(string_agg(md5(concat_ws(chr(31), %s)), '' ORDER BY %s)), '') FROM %s",
                implode(', ', $cells),
                $id,
                $table,
            ),
            default => sprintf(
                "SELECT COUNT(*), COALESCE(group_concat(r, char(30)), '') FROM (SELECT %s AS r FROM %s ORDER BY %s)",
                implode(" || char(31) || ", $cells),
                $table,
                $id,
            ),
        };
    }

    /** @return list<string> every column of the table (empty when it does not exist) */
    private function probe(?string $table = null): array
    {
        $table ??= $this->table;
        if ($this->driver === 'sqlite') {
            $names = [];
            foreach ($this->query('PRAGMA table_info(' . $this->quote($table) . ')')->fetchAll(\PDO::FETCH_ASSOC) as $c) {
                $names[] = (string) $c['name'];
            }
            return $names;
        }
        $sql = $this->driver === 'mysql'
            ? 'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?'
            : 'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?';
        $stmt = $this->pdo->prepare($sql);
        if ($stmt === false || !$stmt->execute([$table])) {
            throw new \RuntimeException('CredentialRows: probing the columns of ' . $table . ' failed');
        }
        return array_map('strval', $stmt->fetchAll(\PDO::FETCH_COLUMN));
    }

    private function query(string $sql): \PDOStatement
    {
        $stmt = $this->pdo->query($sql);
        if ($stmt === false) {
            throw new \RuntimeException('CredentialRows: query on ' . $this->table . ' failed: ' . (string) ($this->pdo->errorInfo()[2] ?? 'unknown error'));
        }
        return $stmt;
    }

    private function quote(string $identifier): string
    {
        return $this->driver === 'mysql' ? '`' . $identifier . '`' : '"' . $identifier . '"';
    }
}
