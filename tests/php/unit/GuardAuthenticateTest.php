<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use Agents\Core\InvalidInputException;
use PHPUnit\Framework\TestCase;

use function Agents\Core\token_generate;
use function Agents\Core\token_hash;

/**
 * Scenario matrix of Guard::authenticate: credential sources and shapes, transport, outcomes,
 * IP allowlists behind proxies, lifecycle and time zones, scopes, warnings.
 */
final class GuardAuthenticateTest extends TestCase
{
    /** 2026-03-01T12:00:00Z */
    private const NOW = 1772366400;

    private const DAY = 86400;

    private const PROD = ['ENVIRONMENT' => 'production'];

    private const DEV = ['ENVIRONMENT' => 'dev'];

    private const UNAUTHORIZED = [
        'ok' => false,
        'status' => 401,
        'error' => 'UNAUTHORIZED',
        'message' => 'Missing or invalid token.',
        'headers' => ['WWW-Authenticate' => 'Bearer realm="agents"'],
    ];

    private string $timezone;

    protected function setUp(): void
    {
        $this->timezone = date_default_timezone_get();
    }

    protected function tearDown(): void
    {
        date_default_timezone_set($this->timezone);
    }

    /** @param array<string, mixed> $extra */
    private static function row(int $id, string $handle, string $token, array $extra = []): array
    {
        return $extra + [
            'id' => $id,
            'handle' => $handle,
            'tokenHash' => hash('sha256', $token),
            'scopes' => ['auth:read', 'health:read'],
        ];
    }

    private static function guard(array $env = self::PROD, array $rows = [], array $options = []): Guard
    {
        return new Guard($env, $rows, $options + ['now' => self::NOW]);
    }

    private static function req(
        array $headers = [],
        string $method = 'GET',
        array $query = [],
        string $remote = '192.0.2.10',
    ): array {
        if (!in_array(strtoupper($method), ['GET', 'HEAD'], true) && !isset($headers['Content-Type'])) {
            $headers['Content-Type'] = 'application/json';
        }
        return ['method' => $method, 'headers' => $headers, 'query' => $query, 'remoteAddr' => $remote];
    }

    private static function bearer(string $token, array $more = []): array
    {
        return self::req(['Authorization' => 'Bearer ' . $token] + $more);
    }

    private static function assertDenied(array $result, string $reason, int $status = 401): void
    {
        self::assertFalse($result['ok'], 'expected a denial, got ' . json_encode($result));
        self::assertSame($reason, $result['reason']);
        self::assertSame($status, $result['status']);
        if ($status === 401) {
            $body = $result;
            self::assertNull($body['reasonDetail']);
            unset($body['reason'], $body['reasonDetail']);
            self::assertSame(self::UNAUTHORIZED, $body);
        }
    }

    private static function principal(array $result): array
    {
        self::assertTrue($result['ok'], 'expected success, got ' . json_encode($result));
        return $result['principal'];
    }

    /** Warning codes raised by the credential set (settings and posture add their own). */
    private const CREDENTIAL_CODES = [
        'credentials_parse_error', 'managed_credential_skipped', 'duplicate_credential',
        'duplicate_credential_id', 'credential_token_malformed', 'credential_without_scopes',
        'wildcard_scope_granted', 'credential_expired', 'credential_expiring_soon',
    ];

    /** @return list<string> the credential warning codes, in order */
    private static function codes(Guard $g): array
    {
        $codes = array_map(static fn (array $w): string => $w['code'], $g->warnings());
        return array_values(array_filter($codes, static fn (string $c): bool => in_array($c, self::CREDENTIAL_CODES, true)));
    }

    // --- success and the principal ------------------------------------------------------------

    public function testManagedBearerTokenYieldsTheFullPrincipal(): void
    {
        $g = self::guard(self::PROD, [self::row(42, 'content-qa', 'content-qa-Ab3dE5gH7jK9mN1pQr')]);
        $r = $g->authenticate(self::bearer('content-qa-Ab3dE5gH7jK9mN1pQr'));
        self::assertSame(['ok', 'principal'], array_keys($r));
        $p = $r['principal'];
        self::assertSame(
            ['credentialId', 'credentialSource', 'managedCredentialId', 'authMethod', 'principalFingerprint', 'scopes', 'forceHumanApproval', 'clientIp'],
            array_keys($p),
        );
        self::assertSame('content-qa', $p['credentialId']);
        self::assertSame('cp', $p['credentialSource']);
        self::assertSame(42, $p['managedCredentialId']);
        self::assertSame('authorization', $p['authMethod']);
        self::assertSame(['auth:read', 'health:read'], $p['scopes']);
        self::assertTrue($p['forceHumanApproval']);
        self::assertSame('192.0.2.10', $p['clientIp']);
        // A non-secret fingerprint: stable, and neither the token, its hash nor a plain hash of either.
        $fp = $p['principalFingerprint'];
        self::assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $fp);
        $hash = hash('sha256', 'content-qa-Ab3dE5gH7jK9mN1pQr');
        foreach ([$hash, sha1('content-qa-Ab3dE5gH7jK9mN1pQr'), sha1($hash), hash('sha256', $hash)] as $plain) {
            self::assertStringNotContainsString($fp, $plain);
        }
        self::assertSame($fp, self::principal($g->authenticate(self::bearer('content-qa-Ab3dE5gH7jK9mN1pQr')))['principalFingerprint']);
    }

    public function testClientIpIsThePeerAddressAndOutlivesTheRequest(): void
    {
        $token = token_generate('peer')['token'];
        $g = self::guard(self::PROD, [self::row(7, 'peer', $token)]);
        $seen = [];
        foreach (['198.51.100.' => '198.51.100.', '::ffff:198.51.100.' => '198.51.100.', '2001:DB8::' => '2001:db8::'] as $given => $canonical) {
            for ($i = 1; $i <= 3; $i++) {
                $addr = $given . $i;
                $request = self::req(['Authorization' => 'Bearer ' . $token], 'GET', [], $addr);
                $result = $g->authenticate($request);
                unset($request, $addr);
                $ip = self::principal($result)['clientIp'];
                unset($result);
                $seen[] = $ip;
                self::assertSame($canonical . $i, $ip);
            }
        }
        $seen[0] .= '-changed';
        self::assertSame('198.51.100.1-changed', $seen[0]);
        self::assertSame('198.51.100.2', $seen[1]);
    }

    public function testOldFormatTokensWithAnyCharactersStillAuthenticate(): void
    {
        $tokens = ['content-qa-Ab3dE5gH7jK9mN1pQr', 'custom:token.with_colons', 'x'];
        $rows = [];
        foreach ($tokens as $i => $t) {
            $rows[] = self::row($i + 1, "h$i", $t);
        }
        $g = self::guard(self::PROD, $rows);
        foreach ($tokens as $i => $t) {
            self::assertSame("h$i", self::principal($g->authenticate(self::req(['X-Agents-Token' => $t])))['credentialId']);
        }
        // `:` is outside token68: such a token cannot travel as Bearer.
        self::assertDenied($g->authenticate(self::bearer('custom:token.with_colons')), 'authorization_malformed');
    }

    // --- env credential shapes ([spec:env-json]) ----------------------------------------------

    /** @return iterable<string, array{string, array<string, array{string, list<string>}>, list<string>}> */
    public static function envShapes(): iterable
    {
        $defaults = ['auth:read', 'health:read', 'readiness:read', 'capabilities:read', 'openapi:read'];
        yield 'A: single object' => [
            '{"id": "ci-bot", "token": "s3cret", "scopes": ["health:read", "entries:read"]}',
            ['s3cret' => ['ci-bot', ['entries:read', 'health:read']]],
            [],
        ];
        yield 'B: list' => [
            '[{"id": "a", "token": "t1"}, {"name": "b", "value": "t2", "scopes": "auth:read, health:read"}]',
            ['t1' => ['a', $defaults], 't2' => ['b', ['auth:read', 'health:read']]],
            [],
        ];
        yield 'C: map' => [
            '{"ci-bot": {"token": "t1"}, "reporting": {"token": "t2", "scopes": ["entries:read"]}}',
            ['t1' => ['ci-bot', $defaults], 't2' => ['reporting', ['entries:read']]],
            [],
        ];
        yield 'example: token only' => ['{"token":"t1"}', ['t1' => ['credential-1', $defaults]], []];
        yield 'example: value and name' => ['{"value":"t2","name":"My Bot!"}', ['t2' => ['my-bot', $defaults]], []];
        yield 'example: partial list' => [
            '[{"token":"a","scopes":"health:read, entries:write"},{"id":"x"},"str"]',
            ['a' => ['credential-1', ['entries:write:draft', 'health:read']]],
            ['credentials_parse_error', 'credentials_parse_error'],
        ];
        yield 'example: map with a string value' => [
            '{"ci":{"token":"c1","id":"ignored"},"svc":"tok"}',
            ['c1' => ['ci', $defaults]],
            ['credentials_parse_error'],
        ];
        // Env ids follow the plugin's env rule: dots are not kept (managed handles keep them).
        yield 'example: trimmed token, env id rule' => [
            '[{"token":"  spaced  ","id":"A.B C"}]',
            ['spaced' => ['a-b-c', $defaults]],
            [],
        ];
        yield 'env id with a dot (map key)' => [
            '{"Reporting.Svc":{"token":"rep-token"}}',
            ['rep-token' => ['reporting-svc', $defaults]],
            [],
        ];
        yield 'integer token' => ['{"token": 12345}', ['12345' => ['credential-1', $defaults]], []];
    }

    /** @dataProvider envShapes */
    public function testEnvCredentialShapes(string $json, array $expected, array $warningCodes): void
    {
        // writesExperimental so that entries:write:draft stays available.
        $g = self::guard(self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => $json], [], ['writesExperimental' => true]);
        foreach ($expected as $token => [$id, $scopes]) {
            $p = self::principal($g->authenticate(self::req(['X-Agents-Token' => (string) $token])));
            self::assertSame($id, $p['credentialId']);
            self::assertSame('env', $p['credentialSource']);
            self::assertNull($p['managedCredentialId']);
            self::assertSame($scopes, $p['scopes']);
            self::assertFalse($p['forceHumanApproval']);
        }
        self::assertSame($warningCodes, self::codes($g));
        self::assertDenied($g->authenticate(self::req(['X-Agents-Token' => 'tok'])), 'token_unknown');
    }

    /** @return iterable<string, array{string}> */
    public static function unusableEnvValues(): iterable
    {
        yield 'invalid JSON' => ['{oops'];
        yield 'scalar' => ['"abc"'];
        yield 'number' => ['123'];
        // The literal `null` is unset, as Craft's App::env reads it (see docs/posture.md).
        yield 'empty list' => ['[]'];
        yield 'empty map' => ['{}'];
        yield 'array token' => ['{"token": ["x"]}'];
        yield 'boolean token' => ['{"token": true}'];
        yield 'empty token' => ['{"token": "  "}'];
        yield 'misspelt allowlist key' => ['{"token": "x", "ipAllowList": ["10.0.0.0/8"]}'];
        yield 'bad allowlist' => ['{"token": "x", "ipAllowlist": "10.0.0.0/8, nonsense"}'];
        yield 'bad expiry' => ['{"token": "x", "expiresAt": "next week"}'];
        yield 'bad scopes' => ['{"token": "x", "scopes": {"a": "b"}}'];
    }

    /** @dataProvider unusableEnvValues */
    public function testUnusableEnvValuesAreReportedNotLoosened(string $json): void
    {
        $g = self::guard(self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => $json, 'PLUGIN_AGENTS_API_TOKEN' => 'legacy']);
        self::assertContains('credentials_parse_error', self::codes($g));
        self::assertDenied($g->authenticate(self::req(['X-Agents-Token' => 'x'])), 'token_unknown');
        self::assertDenied($g->authenticate(self::req(['X-Agents-Token' => 'Array'])), 'token_unknown');
        self::assertDenied($g->authenticate(self::req(['X-Agents-Token' => '1'])), 'token_unknown');
        // The legacy token is loaded regardless.
        self::assertSame('default', self::principal($g->authenticate(self::req(['X-Agents-Token' => 'legacy'])))['credentialId']);
    }

    public function testLegacyTokenTakesTheConfiguredScopes(): void
    {
        $g = self::guard(self::PROD + ['PLUGIN_AGENTS_API_TOKEN' => '  legacy-secret  ', 'PLUGIN_AGENTS_TOKEN_SCOPES' => 'entries:read auth:read']);
        $p = self::principal($g->authenticate(self::bearer('legacy-secret')));
        self::assertSame('default', $p['credentialId']);
        self::assertSame('env', $p['credentialSource']);
        self::assertSame(['auth:read', 'entries:read'], $p['scopes']);
    }

    public function testMergeOrderAndFirstSecretWins(): void
    {
        $g = self::guard(
            self::PROD + [
                'PLUGIN_AGENTS_API_CREDENTIALS' => '[{"token":"dup"},{"token":"dup","id":"second"},{"id":"own","token":"same-as-managed"}]',
                'PLUGIN_AGENTS_API_TOKEN' => 'dup',
            ],
            [self::row(1, 'managed-bot', 'same-as-managed')],
        );
        self::assertSame('credential-1', self::principal($g->authenticate(self::bearer('dup')))['credentialId']);
        self::assertSame('managed-bot', self::principal($g->authenticate(self::bearer('same-as-managed')))['credentialId']);
        self::assertSame(['duplicate_credential', 'duplicate_credential', 'duplicate_credential'], self::codes($g));
        foreach ($g->warnings() as $w) {
            self::assertStringNotContainsString('dup"', $w['message']);
            self::assertStringNotContainsString(hash('sha256', 'same-as-managed'), $w['message']);
        }
    }

    // --- one 401 for every cause ---------------------------------------------------------------

    /** @return iterable<string, array{array, string}> */
    public static function unauthorizedCauses(): iterable
    {
        yield 'no token' => [self::req(), 'token_missing'];
        yield 'unknown token' => [self::bearer('nope'), 'token_unknown'];
        yield 'revoked' => [self::bearer('revoked-t'), 'token_revoked'];
        yield 'paused' => [self::bearer('paused-t'), 'token_paused'];
        yield 'expired' => [self::bearer('expired-t'), 'token_expired'];
        yield 'ip not allowed' => [self::bearer('walled-t'), 'ip_not_allowed'];
        yield 'client ip unknown' => [['remoteAddr' => 'unknown'] + self::bearer('walled-t'), 'client_ip_unknown'];
        yield 'bad checksum' => [self::bearer('agt_bot_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 'token_malformed'];
        yield 'malformed authorization' => [self::req(['Authorization' => 'Bearer a b']), 'authorization_malformed'];
        yield 'query token disabled' => [self::req([], 'GET', ['apiToken' => 'ok-t']), 'token_missing'];
    }

    /** @dataProvider unauthorizedCauses */
    public function testEveryFailureCauseGetsTheSame401(array $request, string $reason): void
    {
        $g = self::guard(self::PROD, [
            self::row(1, 'revoked', 'revoked-t', ['revokedAt' => '2026-02-01 00:00:00']),
            self::row(2, 'paused', 'paused-t', ['pausedAt' => self::NOW - 60]),
            self::row(3, 'expired', 'expired-t', ['expiresAt' => self::NOW]),
            self::row(4, 'walled', 'walled-t', ['ipAllowlist' => ['10.20.0.0/16']]),
            self::row(5, 'ok', 'ok-t'),
        ]);
        self::assertDenied($g->authenticate($request), $reason);
    }

    public function testLifecyclePrecedenceRevokedExpiredPaused(): void
    {
        $g = self::guard(self::PROD, [
            self::row(1, 'all', 'all-t', ['revokedAt' => self::NOW - 1, 'pausedAt' => self::NOW - 1, 'expiresAt' => self::NOW - 1]),
            self::row(2, 'exp-paused', 'ep-t', ['pausedAt' => self::NOW - 1, 'expiresAt' => self::NOW - 1]),
            self::row(3, 'ok', 'ok-t'),
        ]);
        self::assertDenied($g->authenticate(self::bearer('all-t')), 'token_revoked');
        self::assertDenied($g->authenticate(self::bearer('ep-t')), 'token_expired');
    }

    // --- IP allowlists end to end ------------------------------------------------------------

    /** @return iterable<string, array{mixed}> */
    public static function allowlistShapes(): iterable
    {
        yield 'list' => [['203.0.113.0/24', '2001:db8::/32']];
        yield 'comma/space string' => ["203.0.113.0/24,\n 2001:db8::/32"];
        yield 'JSON array text (as stored)' => ['["203.0.113.0/24","2001:db8::/32"]'];
    }

    /** @dataProvider allowlistShapes */
    public function testManagedAllowlistAllowsAndDeniesEndToEnd(mixed $allowlist): void
    {
        $g = self::guard(self::PROD, [self::row(1, 'walled', 'walled-t', ['ipAllowlist' => $allowlist])]);
        $at = static fn (string $ip): array => ['remoteAddr' => $ip] + self::bearer('walled-t');
        self::assertSame('203.0.113.77', self::principal($g->authenticate($at('203.0.113.77')))['clientIp']);
        self::assertSame('2001:db8::1', self::principal($g->authenticate($at('2001:db8::1')))['clientIp']);
        self::assertDenied($g->authenticate($at('198.51.100.1')), 'ip_not_allowed');
        self::assertDenied($g->authenticate($at('2001:db9::1')), 'ip_not_allowed');
        self::assertDenied($g->authenticate($at('')), 'client_ip_unknown');
    }

    public function testEnvAllowlistIsEnforcedToo(): void
    {
        $g = self::guard(self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => '{"ops": {"token": "ops-t", "ipAllowlist": ["192.0.2.0/24"]}}']);
        self::principal($g->authenticate(self::bearer('ops-t')));
        self::assertDenied($g->authenticate(['remoteAddr' => '198.51.100.2'] + self::bearer('ops-t')), 'ip_not_allowed');
    }

    public function testForgedForwardedForFromAnUntrustedPeerIsIgnored(): void
    {
        $g = self::guard(
            self::PROD,
            [self::row(1, 'walled', 'walled-t', ['ipAllowlist' => '203.0.113.0/24'])],
            ['trustedProxies' => ['10.0.0.0/24']],
        );
        $forged = self::bearer('walled-t', ['X-Forwarded-For' => '203.0.113.9']);
        $forged['remoteAddr'] = '198.51.100.50';
        self::assertDenied($g->authenticate($forged), 'ip_not_allowed');
        $forged['headers']['x-forwarded-for'] = '203.0.113.9';
        self::assertDenied($g->authenticate($forged), 'ip_not_allowed');
    }

    /** One strict JSON reader: a repeated member name is a configuration problem, never "last wins". */
    public function testRepeatedJsonMemberNamesAreRefusedInEveryConfigurationSource(): void
    {
        $g = self::guard(self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => '{"token":"first-token-aaaa","token":"second-token-bbbb"}']);
        self::assertDenied($g->authenticate(self::bearer('second-token-bbbb')), 'no_credentials', 503);
        self::assertContains('credentials_parse_error', self::codes($g));
        foreach ($g->warnings() as $w) {
            self::assertStringNotContainsString('second-token', json_encode($w));
        }
        // A JSON-text column of a managed row: the row is skipped.
        $g = self::guard(self::PROD, [self::row(1, 'walled', 'walled-t', ['ipAllowlist' => '["10.0.0.0/8", {"a": 1, "a": 2}]'])]);
        self::assertContains('managed_credential_skipped', self::codes($g));
        // A JSON allowlist: the exception names it.
        try {
            new \Agents\Core\IpAllowlist('["10.0.0.0/8", {"a": 1, "a": 2}]');
            self::fail('expected InvalidInputException');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString('repeats the member name "a"', $e->getMessage());
        }
    }

    /** Env ids and managed handles follow their own plugin rules: only handles keep dots. */
    public function testEnvIdsDropDotsManagedHandlesKeepThem(): void
    {
        $g = self::guard(
            self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => '{"Reporting.Svc":{"token":"env-rep-t"}}'],
            [self::row(1, 'Reporting.Svc', 'cp-rep-t')],
        );
        self::assertSame('reporting-svc', self::principal($g->authenticate(self::bearer('env-rep-t')))['credentialId']);
        self::assertSame('reporting.svc', self::principal($g->authenticate(self::bearer('cp-rep-t')))['credentialId']);
    }

    /** The review's reproduction: a malformed `Forwarded` chain used to make the proxy the client. */
    public function testMalformedForwardedChainMakesTheClientUnknown(): void
    {
        foreach (['auto', 'forwarded'] as $which) {
            $g = self::guard(
                self::PROD,
                [self::row(1, 'internal', 'internal-t', ['ipAllowlist' => '10.0.0.0/8'])],
                ['trustedProxies' => ['10.0.0.1'], 'forwardedHeader' => $which],
            );
            foreach (['for=", for=198.51.100.7', 'for="[, for=198.51.100.7', 'for="\\", for=198.51.100.7'] as $f) {
                $r = ['remoteAddr' => '10.0.0.1'] + self::bearer('internal-t', ['Forwarded' => $f]);
                self::assertDenied($g->authenticate($r), 'client_ip_unknown');
            }
            // Several lines: a quote opened on the first cannot swallow the proxy's line.
            $r = ['remoteAddr' => '10.0.0.1'] + self::bearer('internal-t', ['Forwarded' => ['for="10.9.9.9', 'for=198.51.100.7']]);
            self::assertDenied($g->authenticate($r), 'client_ip_unknown');
            // A well-formed chain still resolves.
            $r = ['remoteAddr' => '10.0.0.1'] + self::bearer('internal-t', ['Forwarded' => 'for=10.9.9.9']);
            self::assertSame('10.9.9.9', self::principal($g->authenticate($r))['clientIp']);
        }
        // Without an allowlist the credential still works; the client address is null.
        $g = self::guard(self::PROD, [self::row(1, 'open', 'open-t')], ['trustedProxies' => ['10.0.0.1']]);
        $r = ['remoteAddr' => '10.0.0.1'] + self::bearer('open-t', ['X-Forwarded-For' => '198.51.100.7, bogus']);
        self::assertNull(self::principal($g->authenticate($r))['clientIp']);
    }

    public function testTrustedProxyChainYieldsTheClient(): void
    {
        $g = self::guard(
            self::PROD,
            [self::row(1, 'walled', 'walled-t', ['ipAllowlist' => '203.0.113.0/24'])],
            ['trustedProxies' => ['10.0.0.0/24']],
        );
        $viaProxies = self::bearer('walled-t', ['X-Forwarded-For' => '198.51.100.1, 203.0.113.9, 10.0.0.7']);
        $viaProxies['remoteAddr'] = '10.0.0.2';
        // Right to left: 10.0.0.7 is a trusted proxy, 203.0.113.9 is the client; the left-most
        // (client-supplied) value is never believed.
        self::assertSame('203.0.113.9', self::principal($g->authenticate($viaProxies))['clientIp']);
        $viaProxies['headers']['X-Forwarded-For'] = '203.0.113.9, 198.51.100.1';
        self::assertDenied($g->authenticate($viaProxies), 'ip_not_allowed');
    }

    public function testIpv4MappedPeerMatchesIpv4Entries(): void
    {
        $g = self::guard(self::PROD, [self::row(1, 'walled', 'walled-t', ['ipAllowlist' => ['203.0.113.0/24']])]);
        $p = self::principal($g->authenticate(['remoteAddr' => '::ffff:203.0.113.5'] + self::bearer('walled-t')));
        self::assertSame('203.0.113.5', $p['clientIp']);
        self::assertDenied($g->authenticate(['remoteAddr' => '::ffff:198.51.100.5'] + self::bearer('walled-t')), 'ip_not_allowed');
    }

    /** The Guard and IpAllowlist answer alike for IPv6-form entries of IPv4 networks. */
    public function testIpv6FormEntriesMatchBothForms(): void
    {
        $entries = ['::ffff:10.0.0.0/104'];
        $g = self::guard(self::PROD, [self::row(1, 'walled', 'walled-t', ['ipAllowlist' => $entries])]);
        $list = new \Agents\Core\IpAllowlist($entries);
        foreach (['::ffff:10.1.2.3', '10.1.2.3'] as $peer) {
            self::assertTrue($list->contains($peer), $peer);
            $p = self::principal($g->authenticate(['remoteAddr' => $peer] + self::bearer('walled-t')));
            self::assertSame('10.1.2.3', $p['clientIp']);
        }
        foreach (['::ffff:11.1.2.3', '11.1.2.3'] as $peer) {
            self::assertFalse($list->contains($peer), $peer);
            self::assertDenied($g->authenticate(['remoteAddr' => $peer] + self::bearer('walled-t')), 'ip_not_allowed');
        }
    }

    public function testAnUnreadableAllowlistSkipsTheRowInsteadOfOpeningIt(): void
    {
        $g = self::guard(self::PROD, [
            self::row(1, 'broken', 'broken-t', ['ipAllowlist' => '["10.0.0.0/8", "not-a-network"]']),
            self::row(2, 'fine', 'fine-t'),
        ]);
        self::assertSame(['managed_credential_skipped'], self::codes($g));
        self::assertStringContainsString('broken', $g->warnings()[0]['message']);
        self::assertDenied($g->authenticate(['remoteAddr' => '10.1.1.1'] + self::bearer('broken-t')), 'token_unknown');
    }

    // --- forceHumanApproval ----------------------------------------------------------------------

    public function testForceHumanApprovalReachesThePrincipal(): void
    {
        $g = self::guard(
            self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => '[{"id":"env-plain","token":"e1"},{"id":"env-forced","token":"e2","forceHumanApproval":true}]'],
            [
                self::row(1, 'default-row', 'm1'),
                self::row(2, 'off', 'm2', ['forceHumanApproval' => false]),
                self::row(3, 'on', 'm3', ['forceHumanApproval' => true]),
                self::row(4, 'db-int', 'm4', ['forceHumanApproval' => 0]),
            ],
        );
        $expect = ['m1' => true, 'm2' => false, 'm3' => true, 'm4' => false, 'e1' => false, 'e2' => true];
        foreach ($expect as $token => $forced) {
            self::assertSame($forced, self::principal($g->authenticate(self::bearer($token)))['forceHumanApproval'], $token);
        }
    }

    // --- expiry and time zones ---------------------------------------------------------------

    /** @return iterable<string, array{string}> */
    public static function timezones(): iterable
    {
        yield 'Asia/Tokyo' => ['Asia/Tokyo'];
        yield 'America/New_York' => ['America/New_York'];
        yield 'UTC' => ['UTC'];
    }

    /** @dataProvider timezones */
    public function testExpiryBoundariesAreUtcWhateverThePhpTimeZone(string $tz): void
    {
        date_default_timezone_set($tz);
        $exp = self::NOW + 3600;
        $iso = (new \DateTimeImmutable('@' . $exp))->setTimezone(new \DateTimeZone($tz))->format(DATE_ATOM);
        $rows = [
            self::row(1, 'ymd', 'ymd-t', ['expiresAt' => gmdate('Y-m-d H:i:s', $exp)]),
            self::row(2, 'iso', 'iso-t', ['expiresAt' => $iso]),
            self::row(3, 'zulu', 'zulu-t', ['expiresAt' => gmdate('Y-m-d\TH:i:s\Z', $exp)]),
            self::row(4, 'unix', 'unix-t', ['expiresAt' => $exp]),
        ];
        foreach (['ymd-t', 'iso-t', 'zulu-t', 'unix-t'] as $token) {
            // One second before expiry: valid. At the expiry instant: expired.
            self::principal(self::guard(self::PROD, $rows, ['now' => $exp - 1])->authenticate(self::bearer($token)));
            self::assertDenied(
                self::guard(self::PROD, $rows + [9 => self::row(9, 'keep', 'keep-t')], ['now' => $exp])->authenticate(self::bearer($token)),
                'token_expired',
            );
        }
    }

    /** @dataProvider timezones */
    public function testExpiryAtNowIsExpiredAndReportedInWarnings(string $tz): void
    {
        date_default_timezone_set($tz);
        $g = self::guard(self::PROD, [
            self::row(1, 'now', 'now-t', ['expiresAt' => gmdate('Y-m-d H:i:s', self::NOW)]),
            self::row(2, 'soon', 'soon-t', ['expiresAt' => gmdate('Y-m-d H:i:s', self::NOW + 2 * self::DAY), 'reminderDays' => 7]),
            self::row(3, 'later', 'later-t', ['expiresAt' => gmdate('Y-m-d H:i:s', self::NOW + 30 * self::DAY)]),
        ]);
        self::assertDenied($g->authenticate(self::bearer('now-t')), 'token_expired');
        self::principal($g->authenticate(self::bearer('soon-t')));
        self::principal($g->authenticate(self::bearer('later-t')));
        self::assertSame(['credential_expired', 'credential_expiring_soon'], self::codes($g));
    }

    // --- transport -----------------------------------------------------------------------------

    /** @return iterable<string, array{string, bool, ?string}> */
    public static function queryTokenRules(): iterable
    {
        // method, allowQueryToken, expected reason (null = success)
        yield 'GET enabled' => ['GET', true, null];
        yield 'HEAD enabled' => ['HEAD', true, null];
        yield 'lower-case get enabled' => ['get', true, null];
        yield 'GET disabled' => ['GET', false, 'token_missing'];
        yield 'HEAD disabled' => ['HEAD', false, 'token_missing'];
        yield 'POST enabled' => ['POST', true, 'query_token_on_write'];
        yield 'POST disabled' => ['POST', false, 'query_token_on_write'];
        yield 'PUT enabled' => ['PUT', true, 'query_token_on_write'];
        yield 'PATCH disabled' => ['PATCH', false, 'query_token_on_write'];
        yield 'DELETE enabled' => ['DELETE', true, 'query_token_on_write'];
        yield 'OPTIONS enabled' => ['OPTIONS', true, 'query_token_on_write'];
    }

    /** @dataProvider queryTokenRules */
    public function testQueryTokenRulesPerMethod(string $method, bool $allow, ?string $reason): void
    {
        $env = self::PROD + ['PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => $allow ? 'true' : 'false'];
        $g = self::guard($env, [self::row(1, 'bot', 'query-t')]);
        $r = $g->authenticate(self::req([], $method, ['apiToken' => ' query-t ']));
        if ($reason === null) {
            self::assertSame('query', self::principal($r)['authMethod']);
        } elseif ($reason === 'query_token_on_write') {
            self::assertSame([
                'ok' => false,
                'status' => 400,
                'error' => 'INVALID_REQUEST',
                'message' => 'Write requests must authenticate via Authorization or X-Agents-Token headers. Query-token auth is limited to GET/HEAD requests.',
                'headers' => [],
                'reason' => 'query_token_on_write',
                'reasonDetail' => null,
            ], $r);
        } else {
            self::assertDenied($r, $reason);
        }
    }

    public function testAWriteWithAHeaderTokenAndAnEmptyQueryTokenIsStillRefused(): void
    {
        $g = self::guard(self::PROD, [self::row(1, 'bot', 'bot-t')]);
        $r = $g->authenticate(self::req(['X-Agents-Token' => 'bot-t'], 'POST', ['apiToken' => '']));
        self::assertDenied($r, 'query_token_on_write', 400);
        self::principal($g->authenticate(self::req(['X-Agents-Token' => 'bot-t'], 'POST')));
    }

    /** @return iterable<string, array{array<string, mixed>, ?string}> */
    public static function contentTypes(): iterable
    {
        yield 'json' => [['Content-Type' => 'application/json'], null];
        yield 'json charset' => [['content-type' => 'Application/JSON; charset=utf-8'], null];
        yield '+json' => [['Content-Type' => 'application/merge-patch+json'], null];
        yield 'missing' => [['Content-Type' => null], 'write_not_json'];
        yield 'form' => [['Content-Type' => 'application/x-www-form-urlencoded'], 'write_not_json'];
        yield 'text' => [['Content-Type' => 'text/plain'], 'write_not_json'];
        yield 'two values' => [['Content-Type' => ['application/json', 'text/plain']], 'write_not_json'];
    }

    /** @dataProvider contentTypes */
    public function testWritesMustBeJson(array $headers, ?string $reason): void
    {
        $g = self::guard(self::PROD, [self::row(1, 'bot', 'bot-t')]);
        $headers = array_filter($headers + ['X-Agents-Token' => 'bot-t'], static fn ($v) => $v !== null);
        $r = $g->authenticate(['method' => 'POST', 'headers' => $headers, 'query' => [], 'remoteAddr' => '192.0.2.1']);
        if ($reason === null) {
            self::principal($r);
        } else {
            self::assertSame(400, $r['status']);
            self::assertSame('INVALID_REQUEST', $r['error']);
            self::assertSame('Write requests must use Content-Type: application/json.', $r['message']);
            self::assertSame($reason, $r['reason']);
        }
    }

    public function testPrecedenceAuthorizationThenHeaderThenQuery(): void
    {
        $g = self::guard(
            self::PROD + ['PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true'],
            [self::row(1, 'a', 'tok-a'), self::row(2, 'b', 'tok-b'), self::row(3, 'c', 'tok-c')],
        );
        $all = self::req(['Authorization' => 'Bearer tok-a', 'X-Agents-Token' => 'tok-b'], 'GET', ['apiToken' => 'tok-c']);
        self::assertSame(['a', 'authorization'], self::idAndMethod($g->authenticate($all)));
        unset($all['headers']['Authorization']);
        self::assertSame(['b', 'x-agents-token'], self::idAndMethod($g->authenticate($all)));
        unset($all['headers']['X-Agents-Token']);
        self::assertSame(['c', 'query'], self::idAndMethod($g->authenticate($all)));
        // A wrong Bearer token never falls back to the other sources.
        $wrong = self::req(['authorization' => 'Bearer wrong', 'X-Agents-Token' => 'tok-b'], 'GET', ['apiToken' => 'tok-c']);
        self::assertDenied($g->authenticate($wrong), 'token_unknown');
        // Header names are case-insensitive, the scheme too.
        self::assertSame(['a', 'authorization'], self::idAndMethod($g->authenticate(self::req(['AUTHORIZATION' => 'bEaReR tok-a']))));
        self::assertSame(['b', 'x-agents-token'], self::idAndMethod($g->authenticate(self::req(['x-agents-token' => "  tok-b\t"]))));
    }

    private static function idAndMethod(array $r): array
    {
        $p = self::principal($r);
        return [$p['credentialId'], $p['authMethod']];
    }

    /** @return iterable<string, array{array<string, mixed>, string}> */
    public static function malformedAuthorization(): iterable
    {
        yield 'colon' => [['Authorization' => 'Bearer abc:def'], 'authorization_malformed'];
        yield 'two words' => [['Authorization' => 'Bearer abc def'], 'authorization_malformed'];
        yield 'no token' => [['Authorization' => 'Bearer'], 'authorization_malformed'];
        yield 'no space' => [['Authorization' => 'Bearer:abc'], 'authorization_malformed'];
        yield 'bare token' => [['Authorization' => 'tok-b'], 'authorization_malformed'];
        yield 'padding inside' => [['Authorization' => 'Bearer ab=c'], 'authorization_malformed'];
        yield 'two headers' => [['Authorization' => ['Bearer tok-b', 'Bearer tok-b']], 'authorization_malformed'];
        yield 'two spellings' => [['Authorization' => 'Bearer tok-b', 'authorization' => 'Bearer tok-b'], 'authorization_malformed'];
        yield 'not text' => [['Authorization' => "Bearer \xff\xfe"], 'authorization_malformed'];
        yield 'two x-agents-token' => [['X-Agents-Token' => ['tok-b', 'tok-b']], 'token_malformed'];
        yield 'x-agents-token not text' => [['X-Agents-Token' => "tok\xff"], 'token_malformed'];
    }

    /** @dataProvider malformedAuthorization */
    public function testMalformedCredentialsAreFailuresNotIgnored(array $headers, string $reason): void
    {
        $g = self::guard(self::PROD, [self::row(1, 'b', 'tok-b')]);
        self::assertDenied($g->authenticate(self::req($headers + ['X-Agents-Token' => 'tok-b'])), $reason);
    }

    public function testOtherSchemesAndEmptyAuthorizationAreLeftAlone(): void
    {
        $g = self::guard(self::PROD, [self::row(1, 'b', 'tok-b')]);
        foreach (['Basic dXNlcjpwYXNz', '', '   '] as $value) {
            $r = $g->authenticate(self::req(['Authorization' => $value, 'X-Agents-Token' => 'tok-b']));
            self::assertSame('x-agents-token', self::principal($r)['authMethod'], $value);
        }
        self::assertDenied($g->authenticate(self::req(['Authorization' => 'Basic dXNlcjpwYXNz'])), 'token_missing');
    }

    public function testRequestValuesNeverThrow(): void
    {
        $g = self::guard(self::PROD, [self::row(1, 'b', 'tok-b')]);
        foreach ([
            ['method' => 'GET', 'headers' => ['X-Agents-Token' => 42], 'remoteAddr' => '192.0.2.1'],
            ['method' => 'GET', 'headers' => ['X-Agents-Token' => "\0"], 'remoteAddr' => "\xff"],
            ['method' => 'GET', 'headers' => ['Authorization' => str_repeat('A', 100000)]],
            ['method' => 'GET', 'headers' => ['Authorization' => 'Bearer ' . str_repeat('A', 5000)]],
            ['method' => 'GET', 'headers' => [], 'query' => ['apiToken' => ['a', 'b']]],
            ['method' => "\xff"],
        ] as $request) {
            self::assertFalse($g->authenticate($request)['ok']);
        }
    }

    // --- 503 vs anonymous ----------------------------------------------------------------------

    public function testTokenRequiredWithoutUsableCredentialsIs503(): void
    {
        $prod = self::guard(self::PROD, [self::row(1, 'revoked', 'r-t', ['revokedAt' => self::NOW - 1])]);
        self::assertSame([
            'ok' => false,
            'status' => 503,
            'error' => 'SERVER_MISCONFIGURED',
            'message' => 'API credentials are required but not configured. Refusing to serve guarded endpoints in production.',
            'headers' => [],
            'reason' => 'no_credentials',
            'reasonDetail' => null,
        ], $prod->authenticate(self::bearer('r-t')));
        // The production guardrail keeps the token on.
        $forced = self::guard(self::PROD + ['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false']);
        self::assertSame(503, $forced->authenticate(self::req())['status']);
        $dev = self::guard(self::DEV);
        $r = $dev->authenticate(self::req());
        self::assertSame(503, $r['status']);
        self::assertSame('API credentials are required but not configured.', $r['message']);
    }

    public function testTokenDisabledGivesTheAnonymousPrincipalWithConfiguredScopes(): void
    {
        $g = self::guard(self::DEV + ['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false'], [self::row(1, 'b', 'tok-b')]);
        $p = self::principal($g->authenticate(self::bearer('tok-b', ['X-Forwarded-For' => '203.0.113.1'])));
        self::assertSame('anonymous', $p['credentialId']);
        self::assertSame('unknown', $p['credentialSource']);
        self::assertNull($p['managedCredentialId']);
        self::assertSame('none', $p['authMethod']);
        self::assertSame('token-disabled', $p['principalFingerprint']);
        self::assertSame(['auth:read', 'health:read', 'readiness:read', 'capabilities:read', 'openapi:read'], $p['scopes']);
        self::assertNotContains('*', $p['scopes']);
        self::assertTrue($p['forceHumanApproval']);
        self::assertSame('192.0.2.10', $p['clientIp']);
        // Garbage credentials are not looked at; the write contract still is.
        self::principal($g->authenticate(self::req(['Authorization' => 'Bearer a b'])));
        self::assertSame(400, $g->authenticate(self::req([], 'POST', ['apiToken' => 'x']))['status']);

        $scoped = self::guard(self::DEV + ['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false', 'PLUGIN_AGENTS_TOKEN_SCOPES' => 'entries:read']);
        self::assertSame(['entries:read'], self::principal($scoped->authenticate(self::req()))['scopes']);
    }

    // --- scopes --------------------------------------------------------------------------------

    public function testEmptyScopesGrantNothingEvenWithAWideDefault(): void
    {
        $g = self::guard(
            self::PROD + [
                'PLUGIN_AGENTS_TOKEN_SCOPES' => '*',
                'PLUGIN_AGENTS_API_CREDENTIALS' => '[{"id":"explicit-empty","token":"e1","scopes":[]},{"id":"inherits","token":"e2"}]',
            ],
            [
                self::row(1, 'empty', 'm1', ['scopes' => []]),
                self::row(2, 'null', 'm2', ['scopes' => null]),
                self::row(3, 'unavailable', 'm3', ['scopes' => 'orders:read']),
            ],
        );
        foreach (['m1', 'm2', 'm3', 'e1'] as $token) {
            $p = self::principal($g->authenticate(self::bearer($token)));
            self::assertSame([], $p['scopes'], $token);
            self::assertFalse($g->hasScope($p, 'health:read'));
        }
        self::assertSame(['*'], self::principal($g->authenticate(self::bearer('e2')))['scopes']);
        self::assertSame(4, count(array_keys(self::codes($g), 'credential_without_scopes')));
        self::assertContains('wildcard_scope_granted', self::codes($g));
    }

    public function testAvailabilityFiltersEveryScopeSourceAndHasScope(): void
    {
        $env = self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => '{"token":"e1","scopes":"orders:read users:read control:audit:read auth:read"}'];
        $rows = [self::row(1, 'm', 'm1', ['scopes' => '["orders:read","users:read","control:audit:read","auth:read"]'])];
        $off = self::guard($env, $rows);
        $on = self::guard($env + ['PLUGIN_AGENTS_ENABLE_USERS_API' => 'true'], $rows, ['commerceEnabled' => true, 'writesExperimental' => true]);
        foreach (['e1', 'm1'] as $t) {
            self::assertSame(['auth:read'], self::principal($off->authenticate(self::bearer($t)))['scopes']);
            self::assertSame(['auth:read', 'control:audit:read', 'orders:read', 'users:read'], self::principal($on->authenticate(self::bearer($t)))['scopes']);
        }
        $wild = ['scopes' => ['*']];
        self::assertFalse($off->hasScope($wild, 'orders:read'));
        self::assertTrue($on->hasScope($wild, 'orders:read'));
        self::assertTrue($off->hasScope($wild, 'health:read'));
    }

    public function testHasScopeSingleAnyOfAndAliases(): void
    {
        $g = self::guard(self::PROD, [], ['writesExperimental' => true]);
        $p = ['scopes' => ['syncstate:read', 'entries:write:draft']];
        self::assertTrue($g->hasScope($p, 'syncstate:read'));
        self::assertTrue($g->hasScope($p, ' SyncState:Read '));
        self::assertFalse($g->hasScope($p, 'syncstate:write'));
        self::assertTrue($g->hasScope($p, ['consumers:read', 'syncstate:read']));
        self::assertFalse($g->hasScope($p, ['consumers:write', 'syncstate:write']));
        self::assertTrue($g->hasScope($p, 'entries:write'));
        self::assertFalse($g->hasScope(['scopes' => ['entries:*']], 'entries:read'));
        self::assertFalse($g->hasScope(['scopes' => []], 'health:read'));
    }

    public function testHasScopeRefusesAMalformedRequirementInsteadOfReadingItAsNone(): void
    {
        $g = self::guard();
        $p = ['scopes' => ['health:read']];
        // An empty requirement is satisfied ([spec:scope-checks]); a malformed one is not "empty".
        self::assertTrue($g->hasScope($p, ''));
        self::assertTrue($g->hasScope($p, []));
        foreach ([null, 5, false, 1.5, new \stdClass(), ['health:read', 5], [null], [['health:read']], "\xff"] as $bad) {
            try {
                $g->hasScope($p, $bad);
                self::fail('accepted ' . var_export($bad, true));
            } catch (InvalidInputException $e) {
                self::assertStringStartsWith('Invalid hasScope arguments', $e->getMessage());
            }
        }
        // Granted scopes that are not UTF-8 text count for nothing.
        self::assertFalse($g->hasScope(['scopes' => ["health:read\xff", 5]], 'health:read'));
        self::assertTrue($g->hasScope(['scopes' => 'health:read'], 'health:read'));
    }

    // --- generated tokens ----------------------------------------------------------------------

    public function testGeneratedTokensAuthenticateAndTyposAreRefusedBeforeLookup(): void
    {
        $t = token_generate('ci-bot');
        $g = self::guard(self::PROD, [['id' => 7, 'handle' => 'ci-bot', 'tokenHash' => $t['hash'], 'scopes' => 'auth:read']]);
        self::assertSame('ci-bot', self::principal($g->authenticate(self::bearer($t['token'])))['credentialId']);
        $secretStart = strlen($t['publicId']) + 1;
        $typo = $t['token'];
        $typo[$secretStart] = $typo[$secretStart] === 'a' ? 'b' : 'a';
        self::assertDenied($g->authenticate(self::bearer($typo)), 'token_malformed');
        // Even if a row stored the typo's hash, the typo never reaches the lookup.
        $g2 = self::guard(self::PROD, [['id' => 8, 'handle' => 'typo', 'tokenHash' => token_hash($typo), 'scopes' => 'auth:read']]);
        self::assertDenied($g2->authenticate(self::bearer($typo)), 'token_malformed');
        // A generated token is also accepted from the environment.
        $e = token_generate();
        $g3 = self::guard(self::PROD + ['PLUGIN_AGENTS_API_TOKEN' => $e['token']]);
        self::assertSame('default', self::principal($g3->authenticate(self::bearer($e['token'])))['credentialId']);
        $g4 = self::guard(self::PROD + ['PLUGIN_AGENTS_API_TOKEN' => 'agt_not_generated']);
        self::assertSame(['credential_token_malformed'], self::codes($g4));
    }

    // --- warnings -----------------------------------------------------------------------------

    public function testSkippedRowsAreReportedWithCodesAndNoSecrets(): void
    {
        $hash = hash('sha256', 'secret-1');
        $g = self::guard(
            self::PROD + ['PLUGIN_AGENTS_API_CREDENTIALS' => '[{"token":"env-secret-value","ipAllowlist":"nope"}]'],
            [
                ['id' => 1, 'handle' => 'short-hash', 'tokenHash' => substr($hash, 0, 60)],
                ['id' => 2, 'handle' => 'no-hash'],
                ['handle' => 'no-id', 'tokenHash' => $hash],
                ['id' => 4, 'handle' => 'bad-expiry', 'tokenHash' => $hash, 'expiresAt' => 'someday'],
                ['id' => 5, 'handle' => 'bad-flag', 'tokenHash' => $hash, 'forceHumanApproval' => 'maybe'],
                ['id' => 6, 'handle' => 'bad-scopes', 'tokenHash' => $hash, 'scopes' => [['nested']]],
                'not a row',
                self::row(8, 'good', 'good-t'),
            ],
        );
        self::assertSame(
            // The documented order: the env credential set's warning first, then the rows.
            array_merge(['credentials_parse_error'], array_fill(0, 7, 'managed_credential_skipped')),
            self::codes($g),
        );
        foreach ($g->warnings() as $w) {
            self::assertSame(['level', 'code', 'message'], array_keys($w));
            self::assertContains($w['level'], ['warning', 'error']);
            self::assertStringNotContainsString('env-secret-value', $w['message']);
            self::assertStringNotContainsString(substr($hash, 0, 16), $w['message']);
        }
        self::assertDenied($g->authenticate(self::bearer('secret-1')), 'token_unknown');
        self::principal($g->authenticate(self::bearer('good-t')));
    }

    public function testColumnsThatCannotBeReadSkipTheRowWithoutThrowing(): void
    {
        $g = self::guard(self::PROD, [
            self::row(1, 'binary-hash', 'x', ['tokenHash' => "\xff" . str_repeat('a', 63)]),
            self::row(2, 'object-scopes', 'y', ['scopes' => new \stdClass()]),
            self::row(3, 'nested', 'z', ['ipAllowlist' => [['10.0.0.0/8']]]),
            self::row(4, 'other-columns', 'ok-t', ['displayName' => "\xff\xfe", 'owner' => new \stdClass()]),
        ]);
        self::assertSame(array_fill(0, 3, 'managed_credential_skipped'), self::codes($g));
        self::assertSame('other-columns', self::principal($g->authenticate(self::bearer('ok-t')))['credentialId']);
        self::assertDenied($g->authenticate(self::bearer('y')), 'token_unknown');
        self::assertDenied($g->authenticate(self::bearer('z')), 'token_unknown');
    }

    /** @return iterable<string, array{string, string}> */
    public static function clientAddresses(): iterable
    {
        foreach (['0.0.0.0', '1.2.3.4', '9.10.99.100', '100.0.10.1', '255.255.255.255', '2001:db8::1', '::1'] as $ip) {
            yield $ip => [$ip, $ip];
        }
        yield 'IPv4-mapped' => ['::ffff:10.0.0.1', '10.0.0.1'];
        yield 'upper-case IPv6' => ['2001:DB8::A', '2001:db8::a'];
    }

    /** @dataProvider clientAddresses */
    public function testClientIpIsReportedInCanonicalForm(string $remote, string $expected): void
    {
        $g = self::guard(self::DEV + ['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false']);
        self::assertSame($expected, self::principal($g->authenticate(self::req([], 'GET', [], $remote)))['clientIp']);
        self::assertNull(self::principal($g->authenticate(self::req([], 'GET', [], 'not-an-ip')))['clientIp']);
    }

    public function testNumericStringsFromDatabaseDriversAreAccepted(): void
    {
        $g = self::guard(self::PROD, [[
            'id' => '12',
            'handle' => 'pdo-row',
            'tokenHash' => strtoupper(hash('sha256', 'pdo-t')),
            'scopes' => '["auth:read"]',
            'ipAllowlist' => '[]',
            'expiresAt' => null,
            'revokedAt' => null,
            'pausedAt' => null,
            'expiryReminderDays' => '7',
            'forceHumanApproval' => '0',
            'webhookResourceTypes' => '[]',
            'webhookActions' => '[]',
            'displayName' => 'PDO row',
            'tokenPrefix' => 'pdo-t',
        ]]);
        $p = self::principal($g->authenticate(self::bearer('pdo-t')));
        self::assertSame(12, $p['managedCredentialId']);
        self::assertFalse($p['forceHumanApproval']);
        self::assertSame([], self::codes($g));
    }
}
