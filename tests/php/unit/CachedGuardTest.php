<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use Agents\Core\InvalidInputException;
use PHPUnit\Framework\TestCase;

use function Agents\Core\token_generate;

/**
 * Guard::cached() and Guard::forget(): one compiled policy per process and revision, rebuilt
 * on a new revision or when older than $maxAgeSeconds; the time is read at each call.
 */
final class CachedGuardTest extends TestCase
{
    private const PROD = ['ENVIRONMENT' => 'production'];

    protected function setUp(): void
    {
        Guard::forget();
    }

    protected function tearDown(): void
    {
        Guard::forget();
    }

    /** @param array<string, mixed> $extra */
    private static function row(int $id, string $handle, string $token, array $extra = []): array
    {
        return $extra + [
            'id' => $id,
            'handle' => $handle,
            'tokenHash' => hash('sha256', $token),
            'scopes' => ['auth:read'],
        ];
    }

    private static function bearer(string $token): array
    {
        return [
            'method' => 'GET',
            'headers' => ['Authorization' => 'Bearer ' . $token],
            'query' => [],
            'remoteAddr' => '192.0.2.10',
        ];
    }

    /** A $build that counts its calls. */
    private static function counting(int &$calls, array $rows, array $options = []): \Closure
    {
        return static function () use (&$calls, $rows, $options): Guard {
            $calls++;
            return new Guard(self::PROD, $rows, $options);
        };
    }

    /** @return array<string, string> the cache rows of `php --ri agents_core` */
    private static function info(): array
    {
        ob_start();
        (new \ReflectionExtension('agents_core'))->info();
        $text = (string) ob_get_clean();
        preg_match_all('/^(cached guard[a-z ]*?)\s*=>\s*(\S+)$/m', $text, $m, PREG_SET_ORDER);
        $out = [];
        foreach ($m as [, $name, $value]) {
            $out[$name] = $value;
        }
        return $out;
    }

    public function testHitReturnsTheSamePolicyWithoutBuilding(): void
    {
        $token = token_generate()['token'];
        $calls = 0;
        $build = self::counting($calls, [self::row(1, 'one', $token)]);
        $before = self::info();
        $a = Guard::cached('rev-1', $build);
        $b = Guard::cached('rev-1', $build);
        self::assertSame(1, $calls);
        self::assertInstanceOf(Guard::class, $b);
        self::assertTrue($a->authenticate(self::bearer($token))['ok']);
        self::assertTrue($b->authenticate(self::bearer($token))['ok']);
        $after = self::info();
        self::assertSame('1', $after['cached guards']);
        self::assertSame((int) $before['cached guard hits'] + 1, (int) $after['cached guard hits']);
        self::assertSame((int) $before['cached guard misses'] + 1, (int) $after['cached guard misses']);
    }

    public function testRevisionChangeRebuilds(): void
    {
        $calls = 0;
        $build = self::counting($calls, []);
        Guard::cached('rev-1', $build);
        Guard::cached('rev-2', $build);
        Guard::cached('rev-2', $build);
        self::assertSame(2, $calls);
        self::assertSame(2, Guard::forget());
        self::assertSame(0, Guard::forget());
    }

    public function testForgetDropsEverything(): void
    {
        $calls = 0;
        $build = self::counting($calls, []);
        Guard::cached('a', $build);
        Guard::cached('b', $build);
        self::assertSame(2, Guard::forget());
        Guard::cached('a', $build);
        self::assertSame(3, $calls);
    }

    public function testMaxAgeZeroNeverCaches(): void
    {
        $calls = 0;
        $build = self::counting($calls, []);
        Guard::cached('r', $build, 0);
        Guard::cached('r', $build, 0);
        self::assertSame(2, $calls);
        self::assertSame(0, Guard::forget());
    }

    public function testOlderThanMaxAgeIsRebuilt(): void
    {
        $calls = 0;
        $build = self::counting($calls, []);
        Guard::cached('r', $build, 1);
        Guard::cached('r', $build, 1);
        self::assertSame(1, $calls);
        usleep(1_100_000);
        Guard::cached('r', $build, 1);
        self::assertSame(2, $calls);
        // A longer max age accepts the entry just built.
        Guard::cached('r', $build, 60);
        self::assertSame(2, $calls);
    }

    public function testNegativeMaxAgeIsRefused(): void
    {
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessage('maxAgeSeconds');
        Guard::cached('r', static fn (): Guard => new Guard([]), -1);
    }

    public function testAtMostSixteenGuardsLeastRecentlyUsedGoesFirst(): void
    {
        $calls = 0;
        $build = self::counting($calls, []);
        for ($i = 0; $i < 16; $i++) {
            Guard::cached("r$i", $build);
        }
        Guard::cached('r0', $build);      // r1 is now the least recently used
        Guard::cached('r16', $build);     // evicts r1
        self::assertSame('16', self::info()['cached guards']);
        self::assertSame(17, $calls);
        Guard::cached('r0', $build);
        self::assertSame(17, $calls);
        Guard::cached('r1', $build);
        self::assertSame(18, $calls);
    }

    public function testWhatBuildThrowsPropagatesAndNothingIsCached(): void
    {
        $thrown = new \RuntimeException('database is down');
        try {
            Guard::cached('r', static function () use ($thrown): Guard {
                throw $thrown;
            });
            self::fail('no exception');
        } catch (\RuntimeException $e) {
            self::assertSame($thrown, $e);
        }
        self::assertSame(0, Guard::forget());
        $calls = 0;
        Guard::cached('r', self::counting($calls, []));
        self::assertSame(1, $calls);
    }

    public function testBuildReturningANonGuardIsACallerError(): void
    {
        foreach ([null, 'guard', [], new \stdClass()] as $value) {
            try {
                Guard::cached('r', static fn () => $value);
                self::fail('no exception for ' . get_debug_type($value));
            } catch (InvalidInputException $e) {
                self::assertStringContainsString('must return an Agents\\Core\\Guard', $e->getMessage());
            }
        }
        self::assertSame(0, Guard::forget());
    }

    public function testRevokedRowWithANewRevisionIsDeniedOnTheNextRequest(): void
    {
        $token = token_generate()['token'];
        $rows = [self::row(7, 'ci', $token), self::row(8, 'other', token_generate()['token'])];
        $build = static function () use (&$rows): Guard {
            return new Guard(self::PROD, $rows);
        };
        self::assertTrue(Guard::cached('creds-1', $build)->authenticate(self::bearer($token))['ok']);

        // The row is revoked: the plugin's credentials revision changes with it.
        $rows[0]['revokedAt'] = '2020-01-01 00:00:00';
        $result = Guard::cached('creds-2', $build)->authenticate(self::bearer($token));
        self::assertFalse($result['ok']);
        self::assertSame(401, $result['status']);
        self::assertSame('token_revoked', $result['reason']);
    }

    public function testExpiryBetweenTwoRequestsOnACachedGuard(): void
    {
        $token = token_generate()['token'];
        $expiresAt = time() + 1;
        $rows = [
            self::row(1, 'short', $token, ['expiresAt' => $expiresAt]),
            self::row(2, 'other', token_generate()['token']),
        ];
        $build = static fn (): Guard => new Guard(self::PROD, $rows);
        $guard = Guard::cached('r', $build);
        self::assertTrue($guard->authenticate(self::bearer($token))['ok']);
        self::assertSame(0, $guard->posture()['credentialExpiry']['expired']);
        self::assertSame(2, $guard->posture()['authentication']['credentialCount']);

        while (time() <= $expiresAt) {
            usleep(50_000);
        }
        $guard = Guard::cached('r', $build);
        $result = $guard->authenticate(self::bearer($token));
        self::assertFalse($result['ok']);
        self::assertSame('token_expired', $result['reason']);
        $posture = $guard->posture();
        self::assertSame(1, $posture['credentialExpiry']['expired']);
        self::assertSame(1, $posture['authentication']['credentialCount']);
        $codes = array_column($guard->warnings(), 'code');
        self::assertContains('credential_expired', $codes);
        self::assertSame(1, $guard->capabilities()['credentialCount']);
        self::assertSame(1, $guard->diagnostics()['details']['credentialCount']);
    }

    public function testTheNowOptionStillPinsTheClock(): void
    {
        $token = token_generate()['token'];
        $now = 1_772_366_400;
        $rows = [self::row(1, 'x', $token, ['expiresAt' => $now + 10]), self::row(2, 'y', token_generate()['token'])];
        $guard = Guard::cached('pinned', static fn (): Guard => new Guard(self::PROD, $rows, ['now' => $now]));
        self::assertTrue($guard->authenticate(self::bearer($token))['ok']);
        self::assertSame(0, $guard->posture()['credentialExpiry']['expired']);
        self::assertSame(1, $guard->posture()['credentialExpiry']['expiringSoon']);
    }
}
