<?php

declare(strict_types=1);

namespace Agents\Core\Craft\Tests;

use Agents\Core\Craft\CredentialRows;
use Agents\Core\Craft\GuardProvider;
use Agents\Core\Guard;
use PHPUnit\Framework\TestCase;

/**
 * GuardProvider over real tables: a policy UPDATE is enforced on the very next request, a
 * usage write keeps the cached Guard, a refused configuration or an unreadable table is the
 * plugin's 503.
 */
final class GuardProviderTest extends TestCase
{
    private const TABLE = 'craft_agents_credentials';

    private const TOKEN = 'agents-token-0123456789abcdef';

    private const ENV = ['ENVIRONMENT' => 'production', 'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'true'];

    protected function setUp(): void
    {
        if (!method_exists(Guard::class, 'cached')) {
            $this->markTestSkipped('this agents_core build has no Guard::cached()');
        }
        Guard::forget();
    }

    protected function tearDown(): void
    {
        if (method_exists(Guard::class, 'cached')) {
            Guard::forget();
        }
    }

    /** @return array<string, array{string}> */
    public static function drivers(): array
    {
        return Databases::drivers();
    }

    private static function request(string $ip = '10.0.0.5', string $token = self::TOKEN): array
    {
        return ['method' => 'GET', 'headers' => ['Authorization' => ['Bearer ' . $token]], 'query' => [], 'remoteAddr' => $ip];
    }

    /** @return array{\PDO, int, GuardProvider} */
    private static function setUpTable(string $driver, string $mode = 'aggregate'): array
    {
        $pdo = Databases::connect($driver);
        Databases::createTable($pdo);
        $id = Databases::insert($pdo, self::TOKEN, ['handle' => 'content-qa', 'ipAllowlist' => ['10.0.0.0/8']]);
        Databases::insert($pdo, 'another-token-0123456789abcdef', ['handle' => 'other']);
        return [$pdo, $id, new GuardProvider(self::ENV, Databases::source($pdo, $mode))];
    }

    /** @return iterable<string, array{string, string, array<string, mixed>, string}> */
    public static function denyingUpdates(): iterable
    {
        foreach (Databases::driversAndSources() as $label => [$driver, $mode]) {
            yield "$label revoke" => [$driver, $mode, ['revokedAt' => gmdate('Y-m-d H:i:s')], 'token_revoked'];
            yield "$label pause" => [$driver, $mode, ['pausedAt' => gmdate('Y-m-d H:i:s')], 'token_paused'];
            yield "$label allowlist" => [$driver, $mode, ['ipAllowlist' => ['192.0.2.0/24']], 'ip_not_allowed'];
            yield "$label expire" => [$driver, $mode, ['expiresAt' => gmdate('Y-m-d H:i:s', time() - 60)], 'token_expired'];
            yield "$label rotate" => [$driver, $mode, ['tokenHash' => hash('sha256', 'rotated-0123456789'), 'rotatedAt' => gmdate('Y-m-d H:i:s')], 'token_unknown'];
        }
    }

    /** @return array<string, array{string, string}> */
    public static function driversAndSources(): array
    {
        return Databases::driversAndSources();
    }

    /**
     * @dataProvider denyingUpdates
     * @param array<string, mixed> $set
     */
    public function testAPolicyUpdateIsDeniedOnTheVeryNextRequest(string $driver, string $mode, array $set, string $reason): void
    {
        [$pdo, $id, $provider] = self::setUpTable($driver, $mode);
        $ok = $provider->authenticate(self::request());
        $this->assertTrue($ok['ok'], json_encode($ok));
        Databases::recordUse($pdo, $id, $ok['principal']['clientIp']);

        Databases::update($pdo, $id, $set);

        $denied = $provider->authenticate(self::request());
        $this->assertFalse($denied['ok']);
        $this->assertSame(401, $denied['status']);
        $this->assertSame($reason, $denied['reason']);
    }

    /** @dataProvider driversAndSources */
    public function testUsageWritesKeepTheCachedGuard(string $driver, string $mode): void
    {
        [$pdo, $id, $provider] = self::setUpTable($driver, $mode);
        $provider->guard();
        $this->assertSame(1, $provider->builds());
        $revision = $provider->revision();
        for ($i = 0; $i < 3; $i++) {
            $this->assertTrue($provider->authenticate(self::request())['ok']);
            Databases::recordUse($pdo, $id, '10.0.0.' . $i);
            $this->assertSame($revision, $provider->revision());
        }
        $this->assertSame(1, $provider->builds(), 'a usage write is not a policy change');
        Databases::update($pdo, $id, ['scopes' => ['entries:read']]);
        $this->assertSame(['entries:read'], $provider->authenticate(self::request())['principal']['scopes']);
        $this->assertSame(2, $provider->builds());
        $again = new GuardProvider(self::ENV, new CredentialRows($pdo, self::TABLE));
        $this->assertTrue($again->authenticate(self::request())['ok']);
        $this->assertSame(0, $again->builds(), 'another provider over the same table and env hits the same cache entry');
    }

    public function testMaxAgeBoundsTheCache(): void
    {
        $pdo = Databases::connect('sqlite');
        Databases::createTable($pdo);
        Databases::insert($pdo, self::TOKEN);
        $provider = new GuardProvider(self::ENV, new CredentialRows($pdo, self::TABLE), [], 0);
        $provider->guard();
        $provider->guard();
        $this->assertSame(2, $provider->builds(), 'maxAgeSeconds 0 rebuilds every time');
    }

    /** @dataProvider drivers */
    public function testANewCredentialIsAcceptedOnTheNextRequest(string $driver): void
    {
        [$pdo, , $provider] = self::setUpTable($driver);
        $this->assertSame('token_unknown', $provider->authenticate(self::request(token: 'brand-new-0123456789'))['reason']);
        Databases::insert($pdo, 'brand-new-0123456789', ['handle' => 'new']);
        $this->assertTrue($provider->authenticate(self::request(token: 'brand-new-0123456789'))['ok']);
    }

    public function testEnvAndOptionsAreKeyedIntoTheRevision(): void
    {
        $pdo = Databases::connect('sqlite');
        Databases::createTable($pdo);
        $rows = new CredentialRows($pdo, self::TABLE);
        $a = new GuardProvider(self::ENV, $rows);
        $b = new GuardProvider(['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'true', 'ENVIRONMENT' => 'production'], $rows);
        $c = new GuardProvider(self::ENV + ['PLUGIN_AGENTS_API_TOKEN' => 'env-token-0123456789'], $rows);
        $d = new GuardProvider(self::ENV, $rows, ['trustedProxies' => ['10.0.0.1']]);
        $this->assertSame($a->revision(), $b->revision(), 'the order of env keys does not matter');
        $this->assertCount(3, array_unique([$a->revision(), $c->revision(), $d->revision()]));
        $this->assertStringNotContainsString('env-token', $c->revision());
        $this->assertTrue($c->authenticate(self::request(token: 'env-token-0123456789'))['ok']);
        $this->assertSame('no_credentials', $a->authenticate(self::request(token: 'env-token-0123456789'))['reason']);
    }

    public function testARefusedConfigurationIsThePlugins503(): void
    {
        $pdo = Databases::connect('sqlite');
        Databases::createTable($pdo);
        $provider = new GuardProvider(self::ENV, new CredentialRows($pdo, self::TABLE), ['trustedProxies' => ['not-an-ip'], 'forwardedHeader' => 'x-forwarded-for']);
        $result = $provider->authenticate(self::request());
        $this->assertSame(503, $result['status']);
        $this->assertSame('SERVER_MISCONFIGURED', $result['error']);
        $this->assertSame('configuration_refused', $result['reason']);
        $this->assertStringContainsString('not-an-ip', (string) $result['reasonDetail']);
        $this->assertFalse($result['ok']);
        $this->assertSame([], $result['headers']);
    }

    public function testAnUnreadableTableIsThePlugins503(): void
    {
        $pdo = Databases::connect('sqlite');
        $result = (new GuardProvider(self::ENV, new CredentialRows($pdo, 'craft_agents_credentials')))->authenticate(self::request());
        $this->assertSame(['ok' => false, 'status' => 503, 'error' => 'SERVER_MISCONFIGURED'], array_slice($result, 0, 3));
        $this->assertSame('credentials_unreadable', $result['reason']);
    }

    public function testASiteWithoutTheExtensionGetsThe503(): void
    {
        $rowsFile = (string) (new \ReflectionClass(CredentialRows::class))->getFileName();
        $providerFile = (string) (new \ReflectionClass(GuardProvider::class))->getFileName();
        $code = <<<PHP
            require '$rowsFile';
            require '$providerFile';
            \$p = new Agents\\Core\\Craft\\GuardProvider([], new Agents\\Core\\Craft\\CredentialRows(new PDO('sqlite::memory:')));
            echo json_encode([extension_loaded('agents_core'), \$p->authenticate(['method' => 'GET'])]);
            PHP;
        // -n: no ini files, so no agents_core; PDO and its SQLite driver loaded by hand.
        $cmd = [PHP_BINARY, '-n', '-d', 'extension=pdo', '-d', 'extension=pdo_sqlite', '-r', $code];
        $out = shell_exec(implode(' ', array_map('escapeshellarg', $cmd)) . ' 2>&1');
        [$loaded, $result] = json_decode((string) $out, true, 512, JSON_THROW_ON_ERROR);
        $this->assertFalse($loaded);
        $this->assertSame(GuardProvider::misconfigured('extension_missing', null), $result);
    }
}
