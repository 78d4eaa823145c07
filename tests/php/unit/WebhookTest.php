<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\InvalidInputException;
use PHPUnit\Framework\TestCase;

use function Agents\Core\webhook_sign;
use function Agents\Core\webhook_verify;

final class WebhookTest extends TestCase
{
    private const NOW = 1_700_000_000;
    private const SECRET = 'whsec_0123456789abcdef';

    /** The signature a receiver computes with PHP's own HMAC. */
    private static function expected(string $secret, int $ts, string $body): string
    {
        return 'sha256=' . hash_hmac('sha256', $ts . '.' . $body, $secret);
    }

    /** @return array<string, array{0: string, 1: string, 2: int}> */
    public static function vectors(): array
    {
        return [
            'json body' => [self::SECRET, '{"id":"evt_1","action":"created"}', self::NOW],
            'empty body' => ['k', '', 0],
            'binary body' => ["\x00\xffsecret", "\x00\x01\xfe\xff\r\n", 1],
            'unicode body' => ['s', '{"title":"Grüße ✓"}', 2_000_000_000],
            'long secret' => [str_repeat('s', 200), str_repeat('b', 10_000), 1_234_567_890],
        ];
    }

    /** @dataProvider vectors */
    public function testSignMatchesHashHmac(string $secret, string $body, int $ts): void
    {
        $h = webhook_sign($secret, $body, $ts, 'evt_fixed');
        self::assertSame([
            'X-Agents-Webhook-Id' => 'evt_fixed',
            'X-Agents-Webhook-Timestamp' => (string) $ts,
            'X-Agents-Webhook-Signature' => self::expected($secret, $ts, $body),
        ], $h);
        self::assertSame(['valid' => true, 'reason' => null], webhook_verify($secret, $body, $h, 300, $ts));
    }

    public function testGeneratedIdsAreRandomUuidV4(): void
    {
        $ids = [];
        for ($i = 0; $i < 20; $i++) {
            $id = webhook_sign(self::SECRET, 'b', self::NOW)['X-Agents-Webhook-Id'];
            self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $id);
            $ids[$id] = true;
        }
        self::assertCount(20, $ids);
    }

    public function testHeaderNamesAnyCaseAndListValues(): void
    {
        $sig = self::expected(self::SECRET, self::NOW, 'b');
        foreach ([
            ['x-agents-webhook-timestamp' => (string) self::NOW, 'x-agents-webhook-signature' => $sig],
            ['X-AGENTS-WEBHOOK-TIMESTAMP' => [(string) self::NOW], 'X-Agents-Webhook-Signature' => [$sig]],
            ['X-Agents-Webhook-Timestamp' => ' ' . self::NOW . ' ', 'X-Agents-Webhook-Signature' => "other, $sig"],
        ] as $i => $headers) {
            $r = webhook_verify(self::SECRET, 'b', $headers, 300, self::NOW);
            if ($i === 2) {
                // "other" is not a sha256= entry: the header is malformed, not silently skipped.
                self::assertSame('malformed_header', $r['reason']);
            } else {
                self::assertSame(['valid' => true, 'reason' => null], $r, (string) $i);
            }
        }
    }

    public function testRotationAcceptsAnyConfiguredSecret(): void
    {
        $old = 'whsec_old_secret';
        $new = 'whsec_new_secret';
        $byOld = webhook_sign($old, 'body', self::NOW);
        $byNew = webhook_sign($new, 'body', self::NOW);
        self::assertTrue(webhook_verify([$new, $old], 'body', $byOld, 300, self::NOW)['valid']);
        self::assertTrue(webhook_verify([$new, $old], 'body', $byNew, 300, self::NOW)['valid']);
        self::assertSame('signature_mismatch', webhook_verify([$new], 'body', $byOld, 300, self::NOW)['reason']);
        self::assertSame('signature_mismatch', webhook_verify(['a' => 'x', 'b' => 'y'], 'body', $byOld, 300, self::NOW)['reason']);
        // A sender signing with both secrets during rotation.
        $dual = $byNew;
        $dual['X-Agents-Webhook-Signature'] = $byOld['X-Agents-Webhook-Signature'] . ',' . $byNew['X-Agents-Webhook-Signature'];
        self::assertTrue(webhook_verify($new, 'body', $dual, 300, self::NOW)['valid']);
        self::assertTrue(webhook_verify($old, 'body', $dual, 300, self::NOW)['valid']);
    }

    /** @return array<string, array{0: int, 1: int, 2: ?string}> */
    public static function windowEdges(): array
    {
        return [
            'now' => [0, 300, null],
            'oldest accepted' => [-300, 300, null],
            'one second too old' => [-301, 300, 'stale_timestamp'],
            'newest accepted' => [300, 300, null],
            'one second too new' => [301, 300, 'future_timestamp'],
            'zero tolerance, exact' => [0, 0, null],
            'zero tolerance, 1s old' => [-1, 0, 'stale_timestamp'],
            'zero tolerance, 1s new' => [1, 0, 'future_timestamp'],
            'default tolerance edge' => [-300, -1, null],
            'default tolerance past' => [-301, -1, 'stale_timestamp'],
        ];
    }

    /** @dataProvider windowEdges */
    public function testFreshnessWindow(int $offset, int $tolerance, ?string $reason): void
    {
        $h = webhook_sign(self::SECRET, 'b', self::NOW + $offset);
        $r = $tolerance < 0
            ? webhook_verify(self::SECRET, 'b', $h, now: self::NOW)
            : webhook_verify(self::SECRET, 'b', $h, $tolerance, self::NOW);
        self::assertSame(['valid' => $reason === null, 'reason' => $reason], $r);
    }

    public function testEveryTimestampSignAcceptsVerifies(): void
    {
        foreach ([0, 1_000_000_000_000_000_000, PHP_INT_MAX] as $ts) {
            $h = webhook_sign(self::SECRET, 'b', $ts);
            self::assertSame(['valid' => true, 'reason' => null], webhook_verify(self::SECRET, 'b', $h, 0, $ts), (string) $ts);
        }
        $sig = self::expected(self::SECRET, 0, 'b');
        $past = ['X-Agents-Webhook-Timestamp' => '9223372036854775808', 'X-Agents-Webhook-Signature' => $sig];
        self::assertSame('malformed_header', webhook_verify(self::SECRET, 'b', $past, 0, PHP_INT_MAX)['reason']);
    }

    /** The MAC covers the canonical decimal; any other spelling of the same number is refused. */
    public function testOnlyTheCanonicalTimestampVerifies(): void
    {
        $h = webhook_sign(self::SECRET, 'b', self::NOW);
        self::assertTrue(webhook_verify(self::SECRET, 'b', $h, 300, self::NOW)['valid']);
        foreach (['0001700000000', '01700000000', '+1700000000', ' 01700000000 '] as $ts) {
            $h['X-Agents-Webhook-Timestamp'] = $ts;
            self::assertSame(
                ['valid' => false, 'reason' => 'malformed_header'],
                webhook_verify(self::SECRET, 'b', $h, 300, self::NOW),
                $ts,
            );
        }
        $zero = webhook_sign(self::SECRET, 'b', 0);
        self::assertTrue(webhook_verify(self::SECRET, 'b', $zero, 0, 0)['valid']);
        $zero['X-Agents-Webhook-Timestamp'] = '00';
        self::assertFalse(webhook_verify(self::SECRET, 'b', $zero, 0, 0)['valid']);
    }

    public function testDefaultNowIsTheClock(): void
    {
        self::assertTrue(webhook_verify(self::SECRET, 'b', webhook_sign(self::SECRET, 'b', time()))['valid']);
        self::assertSame('stale_timestamp', webhook_verify(self::SECRET, 'b', webhook_sign(self::SECRET, 'b', self::NOW))['reason']);
    }

    public function testRequestProblemsAreReasonsNotExceptions(): void
    {
        $sig = self::expected(self::SECRET, self::NOW, 'b');
        $ts = (string) self::NOW;
        foreach ([
            [[], 'missing_header'],
            [['X-Agents-Webhook-Signature' => $sig], 'missing_header'],
            [['X-Agents-Webhook-Timestamp' => $ts], 'missing_header'],
            [['X-Agents-Webhook-Timestamp' => '', 'X-Agents-Webhook-Signature' => $sig], 'missing_header'],
            [['X-Agents-Webhook-Timestamp' => 'yesterday', 'X-Agents-Webhook-Signature' => $sig], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => '-1', 'X-Agents-Webhook-Signature' => $sig], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => [$ts, (string) (self::NOW + 1)], 'X-Agents-Webhook-Signature' => $sig], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => self::NOW, 'X-Agents-Webhook-Signature' => $sig], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => $ts, 'X-Agents-Webhook-Signature' => substr($sig, 7)], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => $ts, 'X-Agents-Webhook-Signature' => 'sha256=xyz'], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => $ts, 'X-Agents-Webhook-Signature' => ["\xff"]], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => $ts, 'X-Agents-Webhook-Signature' => [$sig, 5]], 'malformed_header'],
            [['X-Agents-Webhook-Timestamp' => $ts, 'X-Agents-Webhook-Signature' => self::expected(self::SECRET, self::NOW, 'c')], 'signature_mismatch'],
            [['X-Agents-Webhook-Timestamp' => (string) (self::NOW + 1), 'X-Agents-Webhook-Signature' => $sig], 'signature_mismatch'],
        ] as $i => [$headers, $reason]) {
            self::assertSame(['valid' => false, 'reason' => $reason], webhook_verify(self::SECRET, 'b', $headers, 300, self::NOW), (string) $i);
        }
        // A non-UTF-8 body is just bytes.
        self::assertSame('signature_mismatch', webhook_verify(self::SECRET, "\xff", ['X-Agents-Webhook-Timestamp' => $ts, 'X-Agents-Webhook-Signature' => $sig], 300, self::NOW)['reason']);
    }

    /** @return array<string, array{0: \Closure, 1: string}> */
    public static function configErrors(): array
    {
        return [
            'empty secret' => [fn () => webhook_verify('', 'b', []), 'secrets[0]'],
            'empty secret in list' => [fn () => webhook_verify(['ok-secret', ''], 'b', []), 'secrets[1]'],
            'no secret' => [fn () => webhook_verify([], 'b', []), 'no secret'],
            'secret not a string' => [fn () => webhook_verify(['ok-secret', 5], 'b', []), 'secrets[1]: (int) 5'],
            'secrets not text' => [fn () => webhook_verify(5, 'b', []), '(int) 5'],
            'negative tolerance' => [fn () => webhook_verify('s', 'b', [], -1), 'toleranceSeconds'],
            'sign: empty secret' => [fn () => webhook_sign('', 'b', 1), 'secret'],
            'sign: negative timestamp' => [fn () => webhook_sign('s', 'b', -1), 'timestamp'],
            'sign: header injection in id' => [fn () => webhook_sign('s', 'b', 1, "evt\r\nX-Evil: 1"), 'id'],
            'sign: empty id' => [fn () => webhook_sign('s', 'b', 1, ''), 'id'],
        ];
    }

    /** @dataProvider configErrors */
    public function testConfigurationErrorsThrow(\Closure $call, string $names): void
    {
        try {
            $call();
            self::fail('no exception');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString($names, $e->getMessage());
            self::assertStringNotContainsString('ok-secret', $e->getMessage());
        }
    }
}
