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

    /**
     * @param \PDO $pdo an open connection; its error mode is left as it is (every statement
     *   here checks its own result)
     * @param string $table the full table name, prefix included (letters, digits, `_`)
     * @throws \InvalidArgumentException for a table name that is not a plain identifier or a
     *   PDO driver other than mysql, pgsql and sqlite
     */
    public function __construct(private \PDO $pdo, private string $table = 'agents_credentials')
    {
        if (preg_match('/\A[A-Za-z_][A-Za-z0-9_]{0,63}\z/', $table) !== 1) {
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
     * `dateUpdated`) or edits of display-only columns. Computed by the database in one query
     * (an aggregate of per-row hashes); see craft/README.md for its cost and its blind spots.
     */
    public function revision(): string
    {
        $columns = $this->columns();
        $row = $this->query($this->revisionSql($columns))->fetch(\PDO::FETCH_NUM);
        if (!is_array($row)) {
            throw new \RuntimeException('CredentialRows: the revision query returned nothing');
        }
        if ($this->driver === 'sqlite') {
            // SQLite has no hash function: it concatenates, PHP hashes.
            $row[1] = hash('sha256', (string) $row[1]);
        }
        return hash('sha256', implode("\x1f", [$this->driver, $this->table, implode(',', $columns), ...array_map('strval', $row)]));
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
    private function probe(): array
    {
        if ($this->driver === 'sqlite') {
            $names = [];
            foreach ($this->query('PRAGMA table_info(' . $this->quote($this->table) . ')')->fetchAll(\PDO::FETCH_ASSOC) as $c) {
                $names[] = (string) $c['name'];
            }
            return $names;
        }
        $sql = $this->driver === 'mysql'
            ? 'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?'
            : 'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?';
        $stmt = $this->pdo->prepare($sql);
        if ($stmt === false || !$stmt->execute([$this->table])) {
            throw new \RuntimeException('CredentialRows: probing the columns of ' . $this->table . ' failed');
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
