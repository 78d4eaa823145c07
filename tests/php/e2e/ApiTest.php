<?php

declare(strict_types=1);

namespace Agents\Core\Tests\E2e;

use Agents\Core\Tests\Support\Server;
use PHPUnit\Framework\TestCase;

/**
 * End-to-end: the reference front (examples/agents-api) on `php -S` with the extension loaded,
 * driven by curl. Covers the checks of the plugin's security regression script (with the
 * deliberate changes of [spec:changes]) and the scenarios it never tested.
 */
final class ApiTest extends TestCase
{
    private const READER = 'demo-reader-token-3c8e1f0a5b7d2946';
    private const OPS = 'demo-ops-token-7a1d4e9c2f6b0853';
    private const OFFICE = 'demo-office-token-4f9a1c2e7b3d8a60';   // managed, allowlist 127.0.0.1/32
    private const PARTNER = 'demo-partner-token-9d2b7e4c1a6f3085'; // managed, allowlist 203.0.113.0/24

    private static ?Server $demo = null;

    /** The demo configuration (examples/agents-api/demo.env), so demo and tests agree. */
    public static function demoEnv(array $overrides = []): array
    {
        $env = [];
        foreach (file(dirname(__DIR__, 3) . '/examples/agents-api/demo.env', FILE_IGNORE_NEW_LINES) as $line) {
            if (preg_match("/^([A-Z_][A-Z0-9_]*)=(.*)$/", $line, $m)) {
                $v = $m[2];
                if (strlen($v) >= 2 && $v[0] === "'" && str_ends_with($v, "'")) {
                    $v = substr($v, 1, -1);
                }
                $env[$m[1]] = $v;
            }
        }
        return array_filter($overrides + $env, fn ($v) => $v !== null);
    }

    private static function demo(): Server
    {
        return self::$demo ??= new Server(self::demoEnv());
    }

    public static function tearDownAfterClass(): void
    {
        self::$demo?->stop();
        self::$demo = null;
    }

    private static function bearer(string $t): string
    {
        return 'Authorization: Bearer ' . $t;
    }

    private static function assertError(array $r, int $status, string $code, string $log = ''): void
    {
        self::assertSame($status, $r['status'], $r['body'] . $log);
        self::assertSame($code, $r['json']['error'] ?? null, $r['body']);
        self::assertSame($status, $r['json']['status'] ?? null);
        self::assertNotEmpty($r['json']['requestId'] ?? null);
        self::assertSame($r['json']['requestId'], $r['headers']['x-request-id'] ?? null);
        self::assertSame('no-store, private', $r['headers']['cache-control'] ?? null);
    }

    /** The 401 body without its request id: identical whatever the cause (no oracle). */
    private static function unauthorizedShape(array $r): array
    {
        self::assertSame(401, $r['status'], $r['body']);
        self::assertSame('Bearer realm="agents"', $r['headers']['www-authenticate'] ?? null);
        $body = $r['json'];
        unset($body['requestId']);
        return $body;
    }

    // ---- the reference's security regression script, fixed -----------------------------

    public function testNoTokenIsRefusedWithRequestIdAndChallenge(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/health');
        self::assertError($r, 401, 'UNAUTHORIZED');
        self::assertSame('Missing or invalid token.', $r['json']['message']);
        self::assertArrayHasKey('www-authenticate', $r['headers']);
    }

    public function testHealthWithAToken(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/health', [self::bearer(self::READER)]);
        self::assertSame(200, $r['status'], $r['body']);
        self::assertStringStartsWith('application/json', $r['headers']['content-type'] ?? '');
        self::assertSame(AGENTS_CORE_VERSION, $r['json']['coreVersion'] ?? null);
        self::assertSame('ok', $r['json']['status']);
    }

    public function testQueryTokenIsIgnoredWhenDisabled(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/health?apiToken=' . self::READER);
        self::assertError($r, 401, 'UNAUTHORIZED');
    }

    public function testBearerOnReadinessAndIncomingRequestIdIsEchoed(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/readiness', [self::bearer(self::READER), 'X-Request-Id: trace-12345678']);
        self::assertSame(200, $r['status'], $r['body']);
        self::assertSame('trace-12345678', $r['headers']['x-request-id'] ?? null);
        self::assertContains($r['json']['security']['verdict'] ?? null, ['ok', 'warn']);
    }

    public function testCapabilitiesReportTokenConfiguredAndNoQueryToken(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/capabilities', [self::bearer(self::READER)]);
        self::assertSame(200, $r['status'], $r['body']);
        self::assertTrue($r['json']['authentication']['tokenConfigured']);
        self::assertTrue($r['json']['authentication']['required']);
        self::assertFalse($r['json']['authentication']['allowQueryToken']);
        // Root alias.
        $alias = self::demo()->request('GET', '/capabilities', [self::bearer(self::READER)]);
        self::assertSame(200, $alias['status']);
    }

    public function testPostToReadOnlyRouteIs405WithAllow(): void
    {
        $r = self::demo()->request('POST', '/agents/v1/health', [self::bearer(self::READER), 'Content-Type: application/json'], '{}');
        self::assertError($r, 405, 'METHOD_NOT_ALLOWED');
        self::assertSame('GET, HEAD', $r['headers']['allow'] ?? null);
    }

    public function testFormEncodedWriteIs400(): void
    {
        $r = self::demo()->request('POST', '/agents/v1/sync-state/checkpoint',
            [self::bearer(self::OPS), 'Content-Type: application/x-www-form-urlencoded'], 'checkpoint=1');
        self::assertError($r, 400, 'INVALID_REQUEST');
        self::assertSame('Write requests must use Content-Type: application/json.', $r['json']['message']);
    }

    public function testJsonWriteWithHeaderTokenAndScope(): void
    {
        $ok = self::demo()->request('POST', '/agents/v1/sync-state/checkpoint',
            ['X-Agents-Token: ' . self::OPS, 'Content-Type: application/json'], '{"checkpoint":"c-1"}');
        self::assertSame(200, $ok['status'], $ok['body']);
        self::assertSame('ops', $ok['json']['integrationKey']);
        $bound = self::demo()->request('POST', '/agents/v1/sync-state/checkpoint',
            ['X-Agents-Token: ' . self::OPS, 'Content-Type: application/json'], '{"integrationKey":"reader"}');
        self::assertError($bound, 400, 'INVALID_REQUEST');
        $denied = self::demo()->request('POST', '/agents/v1/sync-state/checkpoint',
            [self::bearer(self::READER), 'Content-Type: application/json'], '{}');
        self::assertError($denied, 403, 'FORBIDDEN');
        self::assertSame('syncstate:write | consumers:write', $denied['json']['requiredScope']);
    }

    public function testQueryTokenRulesPerMethodWhenEnabled(): void
    {
        $server = new Server(self::demoEnv(['PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true']));
        $get = $server->request('GET', '/agents/v1/auth/whoami?apiToken=' . self::READER);
        self::assertSame(200, $get['status'], $get['body']);
        self::assertSame('query', $get['json']['principal']['authMethod']);
        $head = $server->request('HEAD', '/agents/v1/health?apiToken=' . self::READER);
        self::assertSame(200, $head['status']);
        $post = $server->request('POST', '/agents/v1/sync-state/checkpoint?apiToken=' . self::OPS,
            ['Content-Type: application/json'], '{}');
        self::assertError($post, 400, 'INVALID_REQUEST');
        self::assertStringContainsString('Query-token auth is limited to GET/HEAD requests.', $post['json']['message']);
        // A header token does not make a query token on a write acceptable.
        $mixed = $server->request('POST', '/agents/v1/sync-state/checkpoint?apiToken=x',
            [self::bearer(self::OPS), 'Content-Type: application/json'], '{}');
        self::assertError($mixed, 400, 'INVALID_REQUEST');
        $caps = $server->request('GET', '/agents/v1/capabilities', [self::bearer(self::READER)]);
        self::assertTrue($caps['json']['authentication']['allowQueryToken']);
        $server->stop();
    }

    public function testNonLiveEntriesNeedElevatedScope(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/entries?status=all', [self::bearer(self::READER)]);
        self::assertError($r, 403, 'FORBIDDEN');
        self::assertSame('entries:read_all_statuses', $r['json']['requiredScope']);
        $live = self::demo()->request('GET', '/agents/v1/entries', [self::bearer(self::READER)]);
        self::assertSame(200, $live['status']);
        self::assertSame(['live'], array_values(array_unique(array_column($live['json']['data'], 'status'))));
        $all = self::demo()->request('GET', '/agents/v1/entries?status=all', [self::bearer(self::OPS)]);
        self::assertSame(200, $all['status']);
        self::assertCount(3, $all['json']['data']);
    }

    public function testOrdersAreRedactedForLowScopeCallers(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/orders?limit=1', [self::bearer(self::READER)]);
        self::assertSame(200, $r['status'], $r['body']);
        self::assertCount(1, $r['json']['data']);
        $order = $r['json']['data'][0];
        self::assertTrue($order['emailRedacted']);
        self::assertNull($order['email']);
        self::assertStringNotContainsString('@example.com', $r['body']);

        $full = self::demo()->request('GET', '/agents/v1/orders', [self::bearer(self::OPS)]);
        self::assertFalse($full['json']['data'][0]['emailRedacted']);
        self::assertSame('ada@example.com', $full['json']['data'][0]['email']);
    }

    public function testRedactionCanBeSwitchedOff(): void
    {
        $server = new Server(self::demoEnv(['PLUGIN_AGENTS_REDACT_EMAIL' => 'false']));
        $r = $server->request('GET', '/agents/v1/orders', [self::bearer(self::READER)]);
        self::assertSame('ada@example.com', $r['json']['data'][0]['email'] ?? null, $r['body']);
        $server->stop();
    }

    public function testOpenApiEtag(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/openapi.json', [self::bearer(self::READER)]);
        self::assertSame(200, $r['status']);
        $etag = $r['headers']['etag'] ?? '';
        self::assertNotSame('', $etag);
        $again = self::demo()->request('GET', '/agents/v1/openapi.json', [self::bearer(self::READER), 'If-None-Match: ' . $etag]);
        self::assertSame(304, $again['status']);
    }

    // ---- allowlists, client IP, approval flag ------------------------------------------

    public function testManagedCredentialAllowedFromItsAllowlist(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/auth/whoami', [self::bearer(self::OFFICE)]);
        self::assertSame(200, $r['status'], $r['body']);
        $p = $r['json']['principal'];
        self::assertSame('office-bot', $p['credentialId']);
        self::assertSame('cp', $p['credentialSource']);
        self::assertSame(1, $p['managedCredentialId']);
        self::assertTrue($p['forceHumanApproval']);
        self::assertSame('127.0.0.1', $p['clientIp']);
    }

    public function testDisallowedIpGetsTheSame401AsAnUnknownToken(): void
    {
        $denied = self::demo()->request('GET', '/agents/v1/auth/whoami', [self::bearer(self::PARTNER)]);
        $unknown = self::demo()->request('GET', '/agents/v1/auth/whoami', [self::bearer('no-such-token-000000000000')]);
        $malformed = self::demo()->request('GET', '/agents/v1/auth/whoami', ['Authorization: Basic dXNlcjpwYXNz']);
        self::assertSame(self::unauthorizedShape($unknown), self::unauthorizedShape($denied));
        self::assertSame(self::unauthorizedShape($unknown), self::unauthorizedShape($malformed));
        self::assertStringContainsString('ip_not_allowed', self::demo()->log());
    }

    public function testForgedForwardedForFromAnUntrustedPeerIsIgnored(): void
    {
        $r = self::demo()->request('GET', '/agents/v1/auth/whoami',
            [self::bearer(self::PARTNER), 'X-Forwarded-For: 203.0.113.9', 'Forwarded: for=203.0.113.9']);
        self::unauthorizedShape($r);
        $me = self::demo()->request('GET', '/agents/v1/auth/whoami', [self::bearer(self::READER), 'X-Forwarded-For: 198.51.100.1']);
        self::assertSame('127.0.0.1', $me['json']['principal']['clientIp']);
    }

    public function testForwardedForFromATrustedProxyIsBelieved(): void
    {
        $server = new Server(self::demoEnv(['AGENTS_TRUSTED_PROXIES' => '127.0.0.1']));
        $r = $server->request('GET', '/agents/v1/auth/whoami',
            [self::bearer(self::PARTNER), 'X-Forwarded-For: 198.51.100.7, 203.0.113.9']);
        self::assertSame(200, $r['status'], $r['body']);
        self::assertSame('203.0.113.9', $r['json']['principal']['clientIp']);
        self::assertFalse($r['json']['principal']['forceHumanApproval']);
        // The office bot is now seen from 203.0.113.9 and is refused.
        $office = $server->request('GET', '/agents/v1/auth/whoami', [self::bearer(self::OFFICE), 'X-Forwarded-For: 203.0.113.9']);
        self::unauthorizedShape($office);
        $server->stop();
    }

    /**
     * A forwarding chain that cannot be read completely makes the client unknown, never the
     * trusted proxy (the demo pins `X-Forwarded-For`; the walk used to stop at the bad hop and
     * answer the proxy's own address).
     */
    public function testMalformedForwardingChainIsNotTheProxy(): void
    {
        $server = new Server(self::demoEnv(['AGENTS_TRUSTED_PROXIES' => '127.0.0.1']));
        // The office bot's allowlist is 127.0.0.1/32: the proxy's own address.
        foreach (['X-Forwarded-For: 198.51.100.7, bogus', 'X-Forwarded-For: [2001:db8::1', 'X-Forwarded-For: unknown'] as $h) {
            $r = $server->request('GET', '/agents/v1/auth/whoami', [self::bearer(self::OFFICE), $h]);
            self::unauthorizedShape($r);
        }
        self::assertStringContainsString('client_ip_unknown', $server->log());
        $me = $server->request('GET', '/agents/v1/auth/whoami', [self::bearer(self::READER), 'X-Forwarded-For: 198.51.100.7, bogus']);
        self::assertSame(200, $me['status'], $me['body']);
        self::assertNull($me['json']['principal']['clientIp']);
        $server->stop();
    }

    // ---- posture across profiles -------------------------------------------------------

    public function testProductionWithoutCredentialsFailsClosed(): void
    {
        $server = new Server(['ENVIRONMENT' => 'production']);
        $r = $server->request('GET', '/agents/v1/health');
        self::assertError($r, 503, 'SERVER_MISCONFIGURED');
        self::assertSame('API credentials are required but not configured. Refusing to serve guarded endpoints in production.',
            $r['json']['message']);
        $server->stop();
    }

    public function testProductionCannotDisableTheToken(): void
    {
        $server = new Server(self::demoEnv(['ENVIRONMENT' => 'production', 'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false']));
        self::assertError($server->request('GET', '/agents/v1/health'), 401, 'UNAUTHORIZED');
        $r = $server->request('GET', '/agents/v1/readiness', [self::bearer(self::OPS)]);
        self::assertSame(200, $r['status'], $r['body']);
        self::assertSame('critical', $r['json']['security']['verdict']);
        self::assertContains('token_requirement_forced_in_prod', array_column($r['json']['security']['warnings'], 'code'));
        $server->stop();
    }

    public function testLocalProfileWithoutTokenGivesAnonymousDefaultScopes(): void
    {
        $server = new Server(['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false']);
        $r = $server->request('GET', '/agents/v1/readiness');
        self::assertSame(200, $r['status'], $r['body']);
        self::assertSame('warn', $r['json']['security']['verdict']);
        self::assertContains('token_enforcement_disabled', array_column($r['json']['security']['warnings'], 'code'));
        $who = $server->request('GET', '/agents/v1/auth/whoami');
        self::assertSame('none', $who['json']['principal']['authMethod']);
        self::assertNotContains('*', $who['json']['authorization']['grantedScopes']);
        // The default set does not include orders:read.
        self::assertSame(403, $server->request('GET', '/agents/v1/orders')['status']);
        $server->stop();
    }

    public function testUnknownProfileFallsBackToProduction(): void
    {
        $server = new Server(self::demoEnv(['PLUGIN_AGENTS_ENV_PROFILE' => 'qa', 'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false']));
        self::assertSame(401, $server->request('GET', '/agents/v1/health')['status']);
        $r = $server->request('GET', '/agents/v1/readiness', [self::bearer(self::OPS)]);
        self::assertSame('production', $r['json']['environmentProfile'] ?? null, $r['body']);
        self::assertContains('invalid_env_profile', array_column($r['json']['security']['warnings'], 'code'));
        $server->stop();
    }

    public function testUsersApiIsHiddenUntilEnabled(): void
    {
        self::assertError(self::demo()->request('GET', '/agents/v1/users', [self::bearer(self::OPS)]), 404, 'NOT_FOUND');
    }
}
