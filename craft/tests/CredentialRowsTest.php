<?php

declare(strict_types=1);

namespace Agents\Core\Craft\Tests;

use Agents\Core\Craft\CredentialRows;
use Agents\Core\Guard;
use PHPUnit\Framework\TestCase;

/**
 * CredentialRows against real SQLite, MariaDB and PostgreSQL tables written the way the
 * plugin writes them.
 */
final class CredentialRowsTest extends TestCase
{
    private const TABLE = 'craft_agents_credentials';

    /** @return array<string, array{string}> */
    public static function drivers(): array
    {
        return Databases::drivers();
    }

    private static function auth(Guard $guard, string $token, string $ip = '192.0.2.10'): array
    {
        return $guard->authenticate(['method' => 'GET', 'headers' => ['Authorization' => ['Bearer ' . $token]], 'remoteAddr' => $ip]);
    }

    /** @dataProvider drivers */
    public function testRowsComeInTheShapeTheGuardTakes(string $driver): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $a = Databases::insert($pdo, 'tok-alpha-0123456789', ['handle' => 'alpha', 'ipAllowlist' => ['10.0.0.0/8'], 'expiryReminderDays' => 3, 'webhookActions' => ['created']]);
        $b = Databases::insert($pdo, 'tok-beta-0123456789', ['handle' => 'beta', 'revokedAt' => '2026-01-02 03:04:05', 'forceHumanApproval' => false]);

        $rows = (new CredentialRows($pdo, self::TABLE))->rows();

        $this->assertCount(2, $rows);
        $this->assertSame(['id', 'handle', 'tokenHash', 'scopes', 'ipAllowlist', 'expiresAt', 'revokedAt', 'pausedAt', 'reminderDays', 'forceHumanApproval', 'webhookResourceTypes', 'webhookActions'], array_keys($rows[0]));
        $this->assertSame($a, (int) $rows[0]['id']);
        $this->assertSame('alpha', $rows[0]['handle']);
        $this->assertSame(hash('sha256', 'tok-alpha-0123456789'), $rows[0]['tokenHash']);
        $this->assertSame('["entries:read","auth:read"]', $rows[0]['scopes']);
        $this->assertSame('["10.0.0.0/8"]', $rows[0]['ipAllowlist']);
        $this->assertSame(3, (int) $rows[0]['reminderDays']);
        $this->assertNull($rows[0]['revokedAt']);
        $this->assertSame('2026-01-02 03:04:05', $rows[1]['revokedAt']);
        $this->assertSame($b, (int) $rows[1]['id']);

        $guard = new Guard(['ENVIRONMENT' => 'production'], $rows);
        $this->assertSame([], array_values(array_filter($guard->warnings(), fn ($w) => $w['code'] === 'managed_credential_skipped')));
        $ok = self::auth($guard, 'tok-alpha-0123456789', '10.1.2.3');
        $this->assertTrue($ok['ok'], json_encode($ok));
        $this->assertSame($a, $ok['principal']['managedCredentialId']);
        $this->assertSame('cp', $ok['principal']['credentialSource']);
        $this->assertSame(['auth:read', 'entries:read'], $ok['principal']['scopes']);
        $this->assertTrue($ok['principal']['forceHumanApproval']);
        $this->assertSame('ip_not_allowed', self::auth($guard, 'tok-alpha-0123456789', '192.0.2.10')['reason']);
        $this->assertSame('token_revoked', self::auth($guard, 'tok-beta-0123456789')['reason']);
    }

    /** @dataProvider drivers */
    public function testTheOldestSchemaIsReadWithTheGuardsDefaults(string $driver): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo, self::TABLE, oldest: true);
        $id = Databases::insert($pdo, 'tok-old-0123456789', ['handle' => 'Old Agent', 'scopes' => ['auth:read']]);

        $source = new CredentialRows($pdo, self::TABLE);
        $this->assertSame(['id', 'handle', 'tokenHash', 'scopes', 'revokedAt', 'rotatedAt'], $source->columns());
        $rows = $source->rows();
        $this->assertSame(['id', 'handle', 'tokenHash', 'scopes', 'revokedAt'], array_keys($rows[0]));

        $ok = self::auth(new Guard(['ENVIRONMENT' => 'production'], $rows), 'tok-old-0123456789');
        $this->assertTrue($ok['ok'], json_encode($ok));
        $this->assertSame('old-agent', $ok['principal']['credentialId']);
        $this->assertSame($id, $ok['principal']['managedCredentialId']);
        $this->assertTrue($ok['principal']['forceHumanApproval'], 'a schema without the column gets the DB default (true)');
    }

    /** @dataProvider drivers */
    public function testNullsAndAnEmptyTable(string $driver): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $source = new CredentialRows($pdo, self::TABLE);
        $this->assertSame([], $source->rows());
        $empty = $source->revision();
        Databases::insert($pdo, 'tok-null-0123456789', ['scopes' => null, 'expiryReminderDays' => null]);
        $this->assertNotSame($empty, $source->revision());
        $rows = $source->rows();
        $this->assertNull($rows[0]['scopes']);
        $this->assertNull($rows[0]['reminderDays']);
        $ok = self::auth(new Guard(['ENVIRONMENT' => 'production'], $rows), 'tok-null-0123456789');
        $this->assertTrue($ok['ok']);
        $this->assertSame([], $ok['principal']['scopes'], 'empty scopes grant nothing');
    }

    /** @return array<string, array{string, string}> */
    public static function driversAndSources(): array
    {
        return Databases::driversAndSources();
    }

    /** @dataProvider driversAndSources */
    public function testTheRevisionIgnoresUsageWritesAndDisplayEdits(string $driver, string $mode): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $id = Databases::insert($pdo, 'tok-usage-0123456789');
        Databases::insert($pdo, 'tok-other-0123456789');
        $source = Databases::source($pdo, $mode);
        $before = $source->revision();
        $this->assertMatchesRegularExpression('/\A[0-9a-f]{64}\z/', $before);
        $this->assertSame($before, $source->revision());

        Databases::recordUse($pdo, $id);
        $this->assertSame($before, $source->revision(), 'lastUsedAt, lastUsedIp, lastAuthMethod, dateUpdated');
        Databases::recordUse($pdo, $id, '2001:db8::1', 'x-agents-token');
        Databases::update($pdo, $id, ['displayName' => 'Renamed', 'description' => 'new text', 'owner' => 'ops', 'tokenPrefix' => 'tok-usage-01']);
        $this->assertSame($before, $source->revision(), 'display-only columns');
        $this->assertSame($before, (new CredentialRows($pdo, self::TABLE))->revision(), 'a new instance computes the same value');
    }

    /** @return iterable<string, array{string, string, string, mixed}> */
    public static function policyChanges(): iterable
    {
        $changes = [
            'handle' => 'renamed-handle',
            'tokenHash' => hash('sha256', 'rotated-token'),
            'scopes' => ['entries:read'],
            'rotatedAt' => '2026-02-01 00:00:00',
            'revokedAt' => '2026-02-01 00:00:00',
            'pausedAt' => '2026-02-01 00:00:00',
            'expiresAt' => '2030-01-01 00:00:00',
            'expiryReminderDays' => 30,
            'ipAllowlist' => ['192.0.2.0/24'],
            'webhookResourceTypes' => ['entry'],
            'webhookActions' => ['deleted'],
            'forceHumanApproval' => false,
        ];
        foreach (Databases::driversAndSources() as $label => [$driver, $mode]) {
            foreach ($changes as $column => $value) {
                yield "$label $column" => [$driver, $mode, $column, $value];
            }
        }
    }

    /** @dataProvider policyChanges */
    public function testEveryPolicyChangeChangesTheRevision(string $driver, string $mode, string $column, mixed $value): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $id = Databases::insert($pdo, 'tok-policy-0123456789');
        $source = Databases::source($pdo, $mode);
        $before = $source->revision();
        Databases::update($pdo, $id, [$column => $value]);
        $after = $source->revision();
        $this->assertNotSame($before, $after, $column);
        Databases::recordUse($pdo, $id);
        $this->assertSame($after, $source->revision());
    }

    /** @dataProvider driversAndSources */
    public function testInsertAndDeleteChangeTheRevision(string $driver, string $mode): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $source = Databases::source($pdo, $mode);
        $r0 = $source->revision();
        $id = Databases::insert($pdo, 'tok-a-0123456789');
        $r1 = $source->revision();
        Databases::insert($pdo, 'tok-b-0123456789');
        $r2 = $source->revision();
        $q = $driver === 'mysql' ? '`' : '"';
        $pdo->exec("DELETE FROM $q" . self::TABLE . "$q WHERE {$q}id$q = $id");
        $r3 = $source->revision();
        $this->assertCount(4, array_unique([$r0, $r1, $r2, $r3]));
    }

    /** @dataProvider driversAndSources */
    public function testSwappingValuesBetweenRowsChangesTheRevision(string $driver, string $mode): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $a = Databases::insert($pdo, 'tok-a-0123456789', ['handle' => 'a', 'scopes' => ['entries:read']]);
        $b = Databases::insert($pdo, 'tok-b-0123456789', ['handle' => 'b', 'scopes' => ['orders:read']]);
        $source = Databases::source($pdo, $mode);
        $before = $source->revision();
        Databases::update($pdo, $a, ['scopes' => ['orders:read']]);
        Databases::update($pdo, $b, ['scopes' => ['entries:read']]);
        $this->assertNotSame($before, $source->revision());
    }

    /** @dataProvider drivers */
    public function testAMissingTableOrColumnIsAnError(string $driver): void
    {
        $pdo = Databases::connect($driver);
        try {
            (new CredentialRows($pdo, 'craft_nothing_here'))->rows();
            $this->fail('no exception');
        } catch (\RuntimeException $e) {
            $this->assertSame('CredentialRows: table craft_nothing_here does not exist', $e->getMessage());
        }
        $pdo->exec('CREATE TABLE craft_half (id INT, handle VARCHAR(10))');
        $this->expectExceptionMessage('CredentialRows: table craft_half lacks the column(s) tokenHash');
        (new CredentialRows($pdo, 'craft_half'))->revision();
    }

    /** @dataProvider drivers */
    public function testTheRevisionTableOnTheOldestSchemaAndAfterAMigration(string $driver): void
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo, self::TABLE, oldest: true);
        $id = Databases::insert($pdo, 'tok-old-0123456789');
        $source = Databases::source($pdo, 'table');
        $r0 = $source->revision();
        Databases::recordUse($pdo, $id);
        $this->assertSame($r0, $source->revision());
        Databases::update($pdo, $id, ['revokedAt' => '2026-01-01 00:00:00']);
        $this->assertNotSame($r0, $r1 = $source->revision());
        // A later migration adds a column; the migration SQL is run again.
        $q = $driver === 'mysql' ? '`' : '"';
        $pdo->exec("ALTER TABLE {$q}" . self::TABLE . "{$q} ADD COLUMN {$q}pausedAt{$q} " . ($driver === 'pgsql' ? 'TIMESTAMP(0)' : ($driver === 'mysql' ? 'DATETIME' : 'TEXT')) . ' NULL');
        $fresh = new CredentialRows($pdo, self::TABLE);
        $fresh->installRevisionTable();
        $r2 = $fresh->revision();
        $this->assertNotSame($r1, $r2);
        Databases::update($pdo, $id, ['pausedAt' => '2026-01-02 00:00:00']);
        $this->assertNotSame($r2, $fresh->revision());
    }

    public function testTableNamesArePlainIdentifiers(): void
    {
        $pdo = new \PDO('sqlite::memory:');
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('CredentialRows: table name "x; DROP TABLE y" is not a plain identifier');
        new CredentialRows($pdo, 'x; DROP TABLE y');
    }
}
