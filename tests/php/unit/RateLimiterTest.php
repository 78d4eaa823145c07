<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\InvalidInputException;
use Agents\Core\RateLimiter;
use PHPUnit\Framework\TestCase;

/** GCRA semantics and input handling of RateLimiter on the node table (local store). */
final class RateLimiterTest extends TestCase
{
    private const NOW = 1_700_000_000;

    private static function limiter(int $limit, int $window, array $extra = []): RateLimiter
    {
        // A fresh prefix per limiter keeps tests independent on the shared node table.
        return new RateLimiter(['limit' => $limit, 'window' => $window,
            'prefix' => 'test-' . bin2hex(random_bytes(6))] + $extra);
    }

    public function testResultShapeAndHeaders(): void
    {
        $r = self::limiter(3, 30)->hit('203.0.113.7|health', 1, self::NOW);
        self::assertSame([
            'allowed' => true,
            'limit' => 3,
            'remaining' => 2,
            'resetAt' => self::NOW + 10,
            'retryAfter' => 0,
            'store' => 'local',
            'headers' => [
                'X-RateLimit-Limit' => '3',
                'X-RateLimit-Remaining' => '2',
                'X-RateLimit-Reset' => (string) (self::NOW + 10),
            ],
        ], $r);
    }

    public function testBurstIsTheLimitThenExactRetryAfter(): void
    {
        $l = self::limiter(5, 60);
        $seen = [];
        for ($i = 0; $i < 8; $i++) {
            $r = $l->hit('k', 1, self::NOW);
            $seen[] = [$r['allowed'], $r['remaining']];
        }
        self::assertSame([[true, 4], [true, 3], [true, 2], [true, 1], [true, 0],
            [false, 0], [false, 0], [false, 0]], $seen);
        $r = $l->hit('k', 1, self::NOW);
        self::assertSame(12, $r['retryAfter'], 'one unit frees every window/limit seconds');
        self::assertSame('12', $r['headers']['Retry-After']);
        self::assertSame('0', $r['headers']['X-RateLimit-Remaining']);
        self::assertFalse($l->hit('k', 1, self::NOW + 11)['allowed']);
        self::assertTrue($l->hit('k', 1, self::NOW + 12)['allowed']);
    }

    public function testNoDoublingAcrossAWindowEdge(): void
    {
        // A fixed window admits 2 x limit around its boundary; GCRA admits the limit plus what
        // accrued in between (here 2 s at 1 per second).
        $l = self::limiter(60, 60);
        $admitted = 0;
        foreach ([self::NOW + 59, self::NOW + 61] as $t) {
            for ($i = 0; $i < 100; $i++) {
                $admitted += (int) $l->hit('edge', 1, $t)['allowed'];
            }
        }
        self::assertSame(62, $admitted);
    }

    public function testADeniedHitConsumesNothing(): void
    {
        $l = self::limiter(10, 10);
        self::assertTrue($l->hit('k', 7, self::NOW)['allowed']);
        $r = $l->hit('k', 4, self::NOW);
        self::assertFalse($r['allowed']);
        self::assertSame(3, $r['remaining']);
        self::assertSame(1, $r['retryAfter']);
        self::assertTrue($l->hit('k', 3, self::NOW)['allowed'], 'the denied 4 did not count');
    }

    public function testBadRequestValuesAreDenialsThatCountNothing(): void
    {
        $l = self::limiter(3, 30);
        foreach ([['', 1], ['k', 0], ['k', -5], ['k', 4], ['k', PHP_INT_MAX], ['k', PHP_INT_MIN]] as [$key, $cost]) {
            $r = $l->hit($key, $cost, self::NOW);
            self::assertFalse($r['allowed'], "key '$key' cost $cost");
            self::assertSame(30, $r['retryAfter']);
            self::assertArrayHasKey('Retry-After', $r['headers']);
        }
        self::assertTrue($l->hit('k', 3, self::NOW)['allowed'], 'nothing was counted');
        self::assertTrue($l->hit(str_repeat("\xff", 1 << 20), 1, self::NOW)['allowed'], 'a huge key is hashed');
        self::assertTrue($l->hit("\0binary\0", 1, self::NOW)['allowed']);
    }

    public function testKeysArePerKeyAndResettable(): void
    {
        $l = self::limiter(1, 60);
        self::assertTrue($l->hit('a', 1, self::NOW)['allowed']);
        self::assertFalse($l->hit('a', 1, self::NOW)['allowed']);
        self::assertTrue($l->hit('b', 1, self::NOW)['allowed']);
        $l->reset('a');
        self::assertTrue($l->hit('a', 1, self::NOW)['allowed']);
    }

    public function testTheClockIsUsedWithoutNow(): void
    {
        $r = self::limiter(2, 60)->hit('k');
        self::assertTrue($r['allowed']);
        self::assertEqualsWithDelta(time() + 30, $r['resetAt'], 2);
    }

    public function testNowOutOfRangeIsACallerMistake(): void
    {
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessage('now');
        self::limiter(2, 60)->hit('k', 1, -1);
    }

    /** @return array<string, array{0: array<mixed>, 1: list<string>}> */
    public static function badOptions(): array
    {
        return [
            'nothing' => [[], ['limit', 'window']],
            'zero and negative' => [['limit' => 0, 'window' => -1], ['limit', 'window']],
            'strings for ints' => [['limit' => '60', 'window' => 60.0], ['limit', 'window']],
            'unknown option' => [['limit' => 1, 'window' => 1, 'limt' => 2], ['limt']],
            'store scheme' => [['limit' => 1, 'window' => 1, 'store' => 'memcached://h:1'], ['store']],
            'store port' => [['limit' => 1, 'window' => 1, 'store' => 'redis://127.0.0.1'], ['store']],
            'store user' => [['limit' => 1, 'window' => 1, 'store' => 'redis://u:p@h:1'], ['store']],
            'store db' => [['limit' => 1, 'window' => 1, 'store' => 'redis://h:1/x'], ['store']],
            'on store error' => [['limit' => 1, 'window' => 1, 'onStoreError' => 'retry'], ['onStoreError']],
            'timeouts' => [['limit' => 1, 'window' => 1, 'connectTimeoutMs' => 0, 'commandTimeoutMs' => 99999],
                ['connectTimeoutMs', 'commandTimeoutMs']],
            'prefix' => [['limit' => 1, 'window' => 1, 'prefix' => []], ['prefix']],
            'all at once' => [['limit' => -1, 'window' => 0, 'store' => 'x', 'onStoreError' => 1, 'x' => 1],
                ['x', 'limit', 'window', 'onStoreError', 'store']],
        ];
    }

    /** @dataProvider badOptions */
    public function testBadConfigurationNamesEveryItem(array $options, array $items): void
    {
        try {
            new RateLimiter($options);
            self::fail('accepted');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString(sprintf('(%d problem', count($items)), $e->getMessage());
            foreach ($items as $item) {
                self::assertStringContainsString($item, $e->getMessage());
            }
        }
    }

    public function testAStorePasswordIsNeverEchoed(): void
    {
        try {
            new RateLimiter(['limit' => 1, 'window' => 1, 'store' => 'redis://:s3cr3t-pw@host']);
            self::fail('accepted');
        } catch (InvalidInputException $e) {
            self::assertStringNotContainsString('s3cr3t-pw', $e->getMessage());
        }
    }

    public function testAnUnreachableRedisIsACleanAnswer(): void
    {
        // Port 1 on loopback refuses at once; the limiter answers, it does not throw.
        set_error_handler(fn () => self::fail('no PHP warning may be raised'));
        try {
            $fb = self::limiter(2, 60, ['store' => 'redis://127.0.0.1:1']);
            self::assertSame('local-fallback', $fb->hit('k', 1, self::NOW)['store']);
            self::assertTrue($fb->hit('k', 1, self::NOW)['allowed']);
            self::assertFalse($fb->hit('k', 1, self::NOW)['allowed'], 'the fallback still limits');
            $deny = self::limiter(2, 60, ['store' => 'redis://127.0.0.1:1', 'onStoreError' => 'deny']);
            $r = $deny->hit('k', 1, self::NOW);
            self::assertFalse($r['allowed']);
            self::assertSame('redis', $r['store']);
            $allow = self::limiter(2, 60, ['store' => 'redis://127.0.0.1:1', 'onStoreError' => 'allow']);
            self::assertTrue($allow->hit('k', 1, self::NOW)['allowed']);
            $deny->reset('k');
        } finally {
            restore_error_handler();
        }
    }

    public function testTheNodeTableIsReported(): void
    {
        self::assertSame('1048576', ini_get('agents_core.rate_limit_slots'));
        ob_start();
        (new \ReflectionExtension('agents_core'))->info();
        $info = (string) ob_get_clean();
        self::assertStringContainsString('rate limiter node table slots => 1048576', $info);
    }
}
