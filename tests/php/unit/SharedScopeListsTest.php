<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use PHPUnit\Framework\TestCase;

use function Agents\Core\token_generate;

/**
 * The scopes of a successful authenticate(): a list of catalogue scopes is one immutable array
 * shared by every result that grants it. Each result must still behave as its own array, and
 * outlive the Guard that made it.
 */
final class SharedScopeListsTest extends TestCase
{
    private const NOW = 1772366400;

    /** Catalogue scopes available without any API switch. */
    private const NAMES = [
        'auth:read', 'health:read', 'readiness:read', 'capabilities:read', 'openapi:read',
        'schema:read', 'templates:read', 'entries:read', 'lifecycle:read', 'diagnostics:read',
    ];

    private const MAX_LISTS = 256;

    /** @param list<string> $scopes in order (a credential's scopes read back sorted) */
    private static function granting(array $scopes): array
    {
        $token = token_generate('shared')['token'];
        $guard = new Guard(['ENVIRONMENT' => 'production'], [
            ['id' => 1, 'handle' => 'shared', 'tokenHash' => hash('sha256', $token), 'scopes' => $scopes],
        ], ['now' => self::NOW]);
        return [$guard, ['method' => 'GET', 'headers' => ['Authorization' => "Bearer $token"], 'query' => []]];
    }

    private static function kept(): int
    {
        ob_start();
        (new \ReflectionExtension('agents_core'))->info();
        $text = (string) ob_get_clean();
        self::assertSame(1, preg_match('/^shared scope lists\s*=>\s*(\d+)$/m', $text, $m));
        return (int) $m[1];
    }

    public function testEachResultIsItsOwnArrayWhateverTheOthersDo(): void
    {
        [$guard, $request] = self::granting(['auth:read', 'health:read']);
        $a = $guard->authenticate($request)['principal'];
        $b = $guard->authenticate($request)['principal'];
        $c = $guard->authenticate($request)['principal'];
        $a['scopes'][] = 'schema:read';
        rsort($b['scopes']);
        foreach ($c['scopes'] as &$scope) {
            $scope = strtoupper($scope);
        }
        unset($scope);
        $d = $guard->authenticate($request)['principal'];
        unset($d['scopes'][0]);

        self::assertSame(['auth:read', 'health:read', 'schema:read'], $a['scopes']);
        self::assertSame(['health:read', 'auth:read'], $b['scopes']);
        self::assertSame(['AUTH:READ', 'HEALTH:READ'], $c['scopes']);
        self::assertSame([1 => 'health:read'], $d['scopes']);
        $next = $guard->authenticate($request)['principal'];
        self::assertSame(['auth:read', 'health:read'], $next['scopes']);
        self::assertTrue($guard->hasScope($next, 'auth:read'));
        self::assertFalse($guard->hasScope($next, 'schema:read'));
        self::assertTrue($guard->hasScope($a, 'schema:read'));
    }

    public function testAResultOutlivesItsGuard(): void
    {
        [$guard, $request] = self::granting(['openapi:read', 'schema:read']);
        $result = $guard->authenticate($request);
        unset($guard);
        Guard::forget();
        gc_collect_cycles();
        self::assertSame(['openapi:read', 'schema:read'], $result['principal']['scopes']);
        self::assertSame(
            '["openapi:read","schema:read"]',
            json_encode($result['principal']['scopes']),
        );
    }

    public function testListsOutsideTheCatalogueAreBuiltAndRightToo(): void
    {
        foreach ([['auth:read', 'custom:scope'], ['*'], ['*', 'auth:read'], ['custom:only']] as $scopes) {
            [$guard, $request] = self::granting($scopes);
            for ($i = 0; $i < 3; $i++) {
                self::assertSame($scopes, $guard->authenticate($request)['principal']['scopes']);
            }
        }
    }

    public function testAListIsKeptOnceAndOnlyWhenEveryNameIsInTheCatalogue(): void
    {
        $before = self::kept();
        [$guard, $request] = self::granting(['diagnostics:read', 'lifecycle:read', 'templates:read']);
        $guard->authenticate($request);
        $guard->authenticate($request);
        [$again] = self::granting(['diagnostics:read', 'lifecycle:read', 'templates:read']);
        $again->authenticate($request);
        self::assertSame(min($before + 1, self::MAX_LISTS), self::kept());

        [$custom, $customRequest] = self::granting(['templates:read', 'custom:scope']);
        $custom->authenticate($customRequest);
        self::assertSame(min($before + 1, self::MAX_LISTS), self::kept());
    }

    public function testASignedTokenSListIsBuiltNotKept(): void
    {
        $secret = 'shared-lists-jwt-secret-0123456789abcdef';
        $b64 = static fn (string $s): string => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
        $guard = new Guard(['ENVIRONMENT' => 'production', 'PLUGIN_AGENTS_API_TOKEN' => 'legacy-token-abcdef0123'], [], [
            'now' => self::NOW,
            'jwt' => ['keys' => [['alg' => 'HS256', 'secret' => $secret]], 'algorithms' => ['HS256']],
        ]);
        $before = self::kept();
        // Lists of catalogue scopes no credential grants: the issuer chooses them, so they are
        // built per result and never take a place among the kept lists.
        foreach ([['openapi:read', 'readiness:read'], ['capabilities:read', 'health:read', 'schema:read']] as $scopes) {
            $h = $b64((string) json_encode(['alg' => 'HS256', 'typ' => 'JWT']));
            $p = $b64((string) json_encode(['sub' => 'svc', 'exp' => self::NOW + 60, 'scope' => implode(' ', $scopes)]));
            $token = "$h.$p." . $b64(hash_hmac('sha256', "$h.$p", $secret, true));
            for ($i = 0; $i < 2; $i++) {
                $r = $guard->authenticate(['method' => 'GET', 'headers' => ['Authorization' => "Bearer $token"], 'query' => []]);
                self::assertTrue($r['ok'], (string) json_encode($r));
                self::assertSame($scopes, $r['principal']['scopes']);
            }
        }
        self::assertSame($before, self::kept());
    }

    public function testPastTheBoundListsAreStillRight(): void
    {
        $seen = 0;
        for ($mask = 1; $mask < 1 << count(self::NAMES) && $seen < self::MAX_LISTS + 40; $mask++) {
            $scopes = [];
            foreach (self::NAMES as $i => $name) {
                if ($mask & (1 << $i)) {
                    $scopes[] = $name;
                }
            }
            [$guard, $request] = self::granting($scopes);
            sort($scopes);
            self::assertSame($scopes, $guard->authenticate($request)['principal']['scopes']);
            self::assertSame($scopes, $guard->authenticate($request)['principal']['scopes']);
            $seen++;
        }
        self::assertSame(self::MAX_LISTS, self::kept());
    }
}
