<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Redis;

use Agents\Core\RateLimiter;
use PHPUnit\Framework\TestCase;

/**
 * RateLimiter on a real Redis started by scripts/ratelimit-test.sh (AGENTS_TEST_REDIS_PORT,
 * AGENTS_TEST_REDIS_PASSWORD; the limiter uses database 2).
 */
final class RateLimiterRedisTest extends TestCase
{
    private const NOW = 1_700_000_000;

    private static function port(): int
    {
        $p = (int) getenv('AGENTS_TEST_REDIS_PORT');
        if ($p <= 0) {
            self::fail('AGENTS_TEST_REDIS_PORT is not set: run scripts/ratelimit-test.sh');
        }
        return $p;
    }

    private static function url(): string
    {
        return sprintf('redis://:%s@127.0.0.1:%d/2', getenv('AGENTS_TEST_REDIS_PASSWORD'), self::port());
    }

    private static function redis(): \Redis
    {
        $r = new \Redis();
        $r->connect('127.0.0.1', self::port(), 1.0);
        $r->auth((string) getenv('AGENTS_TEST_REDIS_PASSWORD'));
        $r->select(2);
        return $r;
    }

    private static function limiter(int $limit, int $window, array $extra = []): RateLimiter
    {
        return new RateLimiter($extra + ['limit' => $limit, 'window' => $window, 'store' => self::url(),
            'prefix' => 'test:' . bin2hex(random_bytes(4)) . ':']);
    }

    public function testSameSemanticsAsTheLocalStore(): void
    {
        $l = self::limiter(5, 60);
        $seen = [];
        for ($i = 0; $i < 7; $i++) {
            $r = $l->hit('k', 1, self::NOW);
            self::assertSame('redis', $r['store']);
            $seen[] = [$r['allowed'], $r['remaining']];
        }
        self::assertSame([[true, 4], [true, 3], [true, 2], [true, 1], [true, 0], [false, 0], [false, 0]], $seen);
        $r = $l->hit('k', 1, self::NOW);
        self::assertSame(12, $r['retryAfter']);
        self::assertSame(self::NOW + 60, $r['resetAt']);
        self::assertSame('12', $r['headers']['Retry-After']);
        self::assertFalse($l->hit('k', 1, self::NOW + 11)['allowed']);
        self::assertTrue($l->hit('k', 1, self::NOW + 12)['allowed']);
        $l->reset('k');
        self::assertSame(4, $l->hit('k', 1, self::NOW + 12)['remaining']);
    }

    public function testADeniedHitConsumesNothing(): void
    {
        $l = self::limiter(10, 10);
        self::assertTrue($l->hit('k', 7, self::NOW)['allowed']);
        $r = $l->hit('k', 4, self::NOW);
        self::assertFalse($r['allowed']);
        self::assertSame(3, $r['remaining']);
        self::assertTrue($l->hit('k', 3, self::NOW)['allowed']);
    }

    public function testTheServerClockIsUsedWithoutNow(): void
    {
        $l = self::limiter(2, 60);
        $r = $l->hit('clock');
        self::assertTrue($r['allowed']);
        self::assertEqualsWithDelta(time() + 30, $r['resetAt'], 2);
        self::assertTrue($l->hit('clock')['allowed']);
        self::assertFalse($l->hit('clock')['allowed']);
    }

    public function testKeysAreHashedWithTheirPrefixAndExpire(): void
    {
        $l = new RateLimiter(['limit' => 3, 'window' => 30, 'store' => self::url(), 'prefix' => 'site-a:']);
        $l->hit('198.51.100.23|agents/v1/health', 1);
        $keys = self::redis()->keys('site-a:*');
        self::assertCount(1, $keys);
        self::assertMatchesRegularExpression('/^site-a:[0-9a-f]{64}$/', $keys[0]);
        self::assertStringNotContainsString('198.51.100.23', $keys[0]);
        $ttl = self::redis()->pTtl($keys[0]);
        self::assertGreaterThan(0, $ttl);
        self::assertGreaterThan(10_000, $ttl, 'the state outlives the hit it holds');
        self::assertLessThanOrEqual(36_000, $ttl, 'the state expires at most a window and six seconds after the last hit');
        $l->reset('198.51.100.23|agents/v1/health');
        self::assertSame([], self::redis()->keys('site-a:*'));
    }

    /**
     * A key lives at least a window and a second past its last hit: a connection that set the
     * expiry within the last five seconds skips setting it again, and sets it again after.
     */
    public function testTheExpiryIsKeptAheadOfTheState(): void
    {
        $prefix = 'expiry:' . bin2hex(random_bytes(4)) . ':';
        $l = self::limiter(1000, 2, ['prefix' => $prefix]);
        $l->hit('k', 1, self::NOW);
        [$key] = self::redis()->keys($prefix . '*');
        $first = self::redis()->pTtl($key);
        self::assertGreaterThan(7_000, $first);
        self::assertLessThanOrEqual(8_000, $first, 'a window, five seconds and one');
        usleep(1_500_000);
        $l->hit('k', 1, self::NOW);
        $skipped = self::redis()->pTtl($key);
        self::assertLessThan($first - 1_000, $skipped, 'set within five seconds: not set again');
        self::assertGreaterThan(3_000, $skipped);
        usleep(4_000_000);
        $l->hit('k', 1, self::NOW);
        self::assertGreaterThan(7_000, self::redis()->pTtl($key), 'set again after five seconds');
    }

    /**
     * The five seconds are counted on the hit's `now` as well: a `now` five seconds or more ahead
     * (here the caller's; a step of Redis' clock alike, once the connection sees it) sets the
     * expiry again at once, since the TAT a hit writes is bounded by its `now`.
     */
    public function testANowThatJumpsSetsTheExpiryAgain(): void
    {
        $prefix = 'jump:' . bin2hex(random_bytes(4)) . ':';
        $l = self::limiter(1000, 2, ['prefix' => $prefix]);
        $l->hit('k', 1, self::NOW);
        [$key] = self::redis()->keys($prefix . '*');
        usleep(1_500_000);
        $l->hit('k', 1, self::NOW + 1);
        $skipped = self::redis()->pTtl($key);
        self::assertLessThan(7_000, $skipped, 'one second on: not set again');
        $l->hit('k', 1, self::NOW + 13);
        self::assertGreaterThan($skipped + 1_000, self::redis()->pTtl($key), 'thirteen seconds on: set again');
    }

    /** A key deleted behind the limiter's back gets its expiry again on the hit that recreates it. */
    public function testAKeyDeletedElsewhereGetsItsExpiryBack(): void
    {
        $prefix = 'deleted:' . bin2hex(random_bytes(4)) . ':';
        $l = self::limiter(3, 30, ['prefix' => $prefix]);
        self::assertTrue($l->hit('k', 1, self::NOW)['allowed']);
        [$key] = self::redis()->keys($prefix . '*');
        self::redis()->del($key);
        self::assertSame(-2, self::redis()->pTtl($key));
        $r = $l->hit('k', 1, self::NOW);
        self::assertSame(['redis', true, 2], [$r['store'], $r['allowed'], $r['remaining']]);
        $ttl = self::redis()->pTtl($key);
        self::assertGreaterThan(30_000, $ttl);
        self::assertLessThanOrEqual(36_000, $ttl);
    }

    public function testAFlushedDatabaseStartsOver(): void
    {
        $l = self::limiter(3, 30);
        self::assertTrue($l->hit('k', 3, self::NOW)['allowed']);
        self::assertFalse($l->hit('k', 1, self::NOW)['allowed']);
        self::redis()->flushDB();
        $r = $l->hit('k', 1, self::NOW);
        self::assertSame(['redis', true, 2], [$r['store'], $r['allowed'], $r['remaining']]);
    }

    public function testNothingIsLoadedIntoTheServer(): void
    {
        $r = self::redis();
        $r->script('flush');
        $l = self::limiter(3, 30);
        self::assertTrue($l->hit('k', 1, self::NOW)['allowed']);
        $info = $r->info('memory');
        self::assertSame(0, (int) ($info['number_of_cached_scripts'] ?? 0));
    }

    public function testAStateOfAnotherTypeFailsClosedThroughOnStoreError(): void
    {
        $l = new RateLimiter(['limit' => 3, 'window' => 30, 'store' => self::url(), 'prefix' => 'tamper-type:',
            'onStoreError' => 'deny']);
        $l->hit('k', 1, self::NOW);
        $keys = self::redis()->keys('tamper-type:*');
        self::assertCount(1, $keys);
        self::redis()->del($keys[0]);
        self::redis()->rPush($keys[0], 'not a string');
        $r = $l->hit('k', 1, self::NOW);
        self::assertSame(['redis', false], [$r['store'], $r['allowed']]);
        self::redis()->del($keys[0]);
        usleep(1_100_000); // past this worker's back-off
        self::assertTrue($l->hit('k', 1, self::NOW)['allowed']);
    }

    public function testATamperedStateIsADenialNotAnAdmission(): void
    {
        $l = new RateLimiter(['limit' => 3, 'window' => 30, 'store' => self::url(), 'prefix' => 'tamper:',
            'onStoreError' => 'allow']);
        $l->hit('k', 1, self::NOW);
        $keys = self::redis()->keys('tamper:*');
        self::assertCount(1, $keys);
        foreach (['not-a-number', str_repeat("\xff", 8), "\x7f"] as $junk) {
            self::redis()->set($keys[0], $junk);
            $r = $l->hit('k', 1, self::NOW);
            self::assertFalse($r['allowed'], bin2hex($junk));
        }
        self::redis()->del($keys[0]);
        usleep(1_100_000);
        self::assertTrue($l->hit('k', 1, self::NOW)['allowed']);
    }

    /**
     * A connection opened before pcntl_fork() stays the parent's: parent and child hit at the
     * same time, each on its own key, and each reads exactly its own answers (a shared socket
     * would hand one process the other's replies).
     */
    public function testAForkedChildOpensItsOwnConnection(): void
    {
        $l = self::limiter(1000, 3600, ['onStoreError' => 'deny']);
        self::assertSame('redis', $l->hit('opens-the-connection', 1, self::NOW)['store']);
        $report = tempnam(sys_get_temp_dir(), 'agents-fork-');
        $run = static function (string $key) use ($l): string {
            for ($i = 0; $i < 300; $i++) {
                $r = $l->hit($key, 1, self::NOW);
                if ($r['store'] !== 'redis' || !$r['allowed'] || $r['remaining'] !== 999 - $i) {
                    return sprintf('%s hit %d: %s', $key, $i, json_encode($r));
                }
            }
            return 'ok';
        };
        $pid = pcntl_fork();
        self::assertNotSame(-1, $pid, 'pcntl_fork failed');
        if ($pid === 0) {
            file_put_contents($report, $run('child'));
            // Leave without PHPUnit's shutdown handlers (they belong to the parent's run).
            posix_kill(posix_getpid(), SIGKILL);
        }
        $parent = $run('parent');
        pcntl_waitpid($pid, $status);
        $child = (string) file_get_contents($report);
        unlink($report);
        self::assertSame(['ok', 'ok'], [$parent, $child]);
    }

    /**
     * A signal the process handles, arriving while a hit waits for Redis (paused here), does not
     * turn the hit into a store error: the read is resumed within the command timeout.
     */
    public function testASignalDuringAHitIsNotAStoreError(): void
    {
        $l = self::limiter(1000, 60, ['commandTimeoutMs' => 5000, 'onStoreError' => 'deny']);
        self::assertSame('redis', $l->hit('k', 1, self::NOW)['store']);
        $signals = 0;
        pcntl_async_signals(true);
        pcntl_signal(SIGALRM, static function () use (&$signals): void {
            $signals++;
        });
        try {
            self::redis()->rawCommand('CLIENT', 'PAUSE', '1500');
            pcntl_alarm(1);
            $r = $l->hit('k', 1, self::NOW);
        } finally {
            pcntl_alarm(0);
            pcntl_signal(SIGALRM, SIG_DFL);
        }
        self::assertSame(1, $signals, 'the signal arrived while the hit waited');
        self::assertSame(['redis', true, 998], [$r['store'], $r['allowed'], $r['remaining']]);
    }

    public function testAWrongPasswordIsAStoreErrorNotAnException(): void
    {
        $l = new RateLimiter(['limit' => 3, 'window' => 30,
            'store' => sprintf('redis://:wrong@127.0.0.1:%d/2', self::port())]);
        $r = $l->hit('k', 1, self::NOW);
        self::assertSame('local-fallback', $r['store']);
        self::assertTrue($r['allowed']);
    }
}
