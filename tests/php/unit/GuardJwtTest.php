<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use Agents\Core\InvalidInputException;
use PHPUnit\Framework\TestCase;

/** The Guard option `jwt`: signed bearer tokens as credentials. */
final class GuardJwtTest extends TestCase
{
    private const SECRET = 'jwt-test-secret-0123456789abcdefXYZ';
    private const NOW = 1_800_000_000;

    private static function b64(string $s): string
    {
        return rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
    }

    private static function mint(array $claims, array $header = ['alg' => 'HS256', 'typ' => 'JWT'], string $secret = self::SECRET): string
    {
        $h = self::b64(json_encode($header));
        $p = self::b64(json_encode($claims));
        return "$h.$p." . self::b64(hash_hmac('sha256', "$h.$p", $secret, true));
    }

    private static function guard(array $jwt = [], array $env = []): Guard
    {
        return new Guard($env + ['ENVIRONMENT' => 'production', 'PLUGIN_AGENTS_API_TOKEN' => 'legacy-token-abcdef0123'], [], [
            'now' => self::NOW,
            'jwt' => $jwt + ['keys' => [['alg' => 'HS256', 'secret' => self::SECRET]], 'algorithms' => ['HS256']],
        ]);
    }

    private static function bearer(Guard $g, string $token, string $header = 'Authorization'): array
    {
        $value = $header === 'Authorization' ? "Bearer $token" : $token;
        return $g->authenticate(['method' => 'GET', 'headers' => [$header => $value], 'query' => [], 'remoteAddr' => '127.0.0.1']);
    }

    public function testValidTokenBecomesAJwtPrincipal(): void
    {
        $t = self::mint(['sub' => 'svc-reporting', 'exp' => self::NOW + 60, 'scope' => 'orders:read health:read']);
        $r = self::bearer(self::guard(), $t);
        self::assertTrue($r['ok'], json_encode($r));
        $p = $r['principal'];
        self::assertSame('svc-reporting', $p['credentialId']);
        self::assertSame('jwt', $p['credentialSource']);
        self::assertSame('jwt', $p['authMethod']);
        self::assertNull($p['managedCredentialId']);
        self::assertTrue($p['forceHumanApproval']);
        self::assertSame('127.0.0.1', $p['clientIp']);
        // orders:read needs Commerce, which is off here: unavailable scopes are never granted.
        self::assertSame(['health:read'], $p['scopes']);
        self::assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $p['principalFingerprint']);
        self::assertStringNotContainsString($p['principalFingerprint'], $t);
    }

    public function testScopesAreLimitedByTheCeiling(): void
    {
        $g = self::guard(['scopeCeiling' => ['auth:read', 'health:read']]);
        $t = self::mint(['sub' => 's', 'exp' => self::NOW + 60, 'scope' => ['health:read', 'diagnostics:read']]);
        self::assertSame(['health:read'], self::bearer($g, $t)['principal']['scopes']);
        $star = self::mint(['sub' => 's', 'exp' => self::NOW + 60, 'scope' => '*']);
        self::assertSame(['auth:read', 'health:read'], self::bearer($g, $star)['principal']['scopes']);
        $none = self::mint(['sub' => 's', 'exp' => self::NOW + 60]);
        self::assertSame([], self::bearer($g, $none)['principal']['scopes']);
    }

    public static function refusedTokens(): iterable
    {
        $exp = self::NOW + 60;
        yield 'expired (exp == now)' => [self::mint(['sub' => 's', 'exp' => self::NOW]), 'expired'];
        yield 'wrong secret' => [self::mint(['sub' => 's', 'exp' => $exp], ['alg' => 'HS256'], 'another-secret-0123456789abcdefXYZ'), 'signature_invalid'];
        yield 'alg none' => [self::b64('{"alg":"none"}') . '.' . self::b64('{"sub":"s","exp":' . $exp . '}') . '.', 'alg_none'];
        yield 'no sub' => [self::mint(['exp' => $exp]), 'invalid_claim_type'];
        // A scope from a token must already match the grammar: refused, never cleaned.
        yield 'scope [*]' => [self::mint(['sub' => 's', 'exp' => $exp, 'scope' => '[*]']), 'invalid_scope'];
        yield 'scope (*)' => [self::mint(['sub' => 's', 'exp' => $exp, 'scope' => ['health:read', '(*)']]), 'invalid_scope'];
        yield 'scope with U+200B' => [self::mint(['sub' => 's', 'exp' => $exp, 'scope' => "orders:read\u{200B}_sensitive"]), 'invalid_scope'];
        yield 'scope upper-case' => [self::mint(['sub' => 's', 'exp' => $exp, 'scope' => 'Health:Read']), 'invalid_scope'];
        yield 'scope number' => [self::mint(['sub' => 's', 'exp' => $exp, 'scope' => [5]]), 'invalid_claim_type'];
        yield 'no exp' => [self::mint(['sub' => 's']), 'missing_exp'];
        yield 'aud without configured audience' => [self::mint(['sub' => 's', 'exp' => $exp, 'aud' => 'x']), 'audience_mismatch'];
    }

    /** @dataProvider refusedTokens */
    public function testRefusedTokensGetTheCommon401(string $token, string $detail): void
    {
        $g = self::guard();
        $r = self::bearer($g, $token);
        self::assertFalse($r['ok']);
        self::assertSame('jwt_invalid', $r['reason']);
        self::assertSame($detail, $r['reasonDetail']);
        $unknown = self::bearer($g, 'not-a-known-token-000000');
        foreach (['status', 'error', 'message', 'headers'] as $k) {
            self::assertSame($unknown[$k], $r[$k], $k);
        }
    }

    public function testOnlyBearerCarriesSignedTokens(): void
    {
        $t = self::mint(['sub' => 's', 'exp' => self::NOW + 60]);
        $r = self::bearer(self::guard(), $t, 'X-Agents-Token');
        self::assertSame('token_unknown', $r['reason']);
        self::assertNull($r['reasonDetail']);
    }

    public function testLegacyTokensStillWorkBesideJwt(): void
    {
        $r = self::bearer(self::guard(), 'legacy-token-abcdef0123');
        self::assertTrue($r['ok']);
        self::assertSame('env', $r['principal']['credentialSource']);
    }

    public function testJwtAloneIsAUsableCredentialSource(): void
    {
        $g = new Guard(['ENVIRONMENT' => 'production'], [], ['now' => self::NOW,
            'jwt' => ['keys' => [['alg' => 'HS256', 'secret' => self::SECRET]], 'algorithms' => ['HS256']]]);
        $t = self::mint(['sub' => 's', 'exp' => self::NOW + 60]);
        self::assertTrue(self::bearer($g, $t)['ok']);
        self::assertSame('token_missing', $g->authenticate(['method' => 'GET', 'headers' => [], 'query' => [], 'remoteAddr' => '1.2.3.4'])['reason']);
    }

    public function testBadJwtConfigurationIsRefusedAtConstruction(): void
    {
        try {
            new Guard(['ENVIRONMENT' => 'dev'], [], ['jwt' => ['keys' => [['alg' => 'HS256', 'secret' => 'short']],
                'algorithms' => ['HS256'], 'scopeCeiling' => [['nested']]]]);
            self::fail('expected InvalidInputException');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString('jwt', $e->getMessage());
            self::assertStringContainsString('scopeCeiling', $e->getMessage());
            self::assertStringNotContainsString('short', str_replace('shorter', '', $e->getMessage()));
        }
    }
}
