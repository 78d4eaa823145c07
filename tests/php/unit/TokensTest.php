<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use PHPUnit\Framework\TestCase;

use function Agents\Core\token_generate;
use function Agents\Core\token_hash;

final class TokensTest extends TestCase
{
    /** The documented shape: prefix, optional handle slug, public id, secret and checksum. */
    private const SHAPE = '/^(agt_(?:([a-z0-9-]{1,32})_)?[0-9a-hjkmnp-tv-z]{12})_([A-Za-z0-9]{32})([A-Za-z0-9]{6})$/';

    public function testGeneratedTokenShape(): void
    {
        $t = token_generate('content-qa');
        self::assertSame(['token', 'hash', 'publicId'], array_keys($t));
        self::assertMatchesRegularExpression(self::SHAPE, $t['token']);
        preg_match(self::SHAPE, $t['token'], $m);
        self::assertSame($t['publicId'], $m[1]);
        self::assertSame('content-qa', $m[2]);
        self::assertStringStartsWith('agt_content-qa_', $t['publicId']);
        // RFC 6750 token68: travels as a Bearer token.
        self::assertMatchesRegularExpression('/^[A-Za-z0-9\-._~+\/]+=*$/', $t['token']);
        self::assertSame(hash('sha256', $t['token']), $t['hash']);
        self::assertSame($t['hash'], token_hash($t['token']));
    }

    public function testSecretCarriesAtLeast128Bits(): void
    {
        $t = token_generate();
        preg_match(self::SHAPE, $t['token'], $m);
        self::assertSame('', $m[2]);
        // 32 characters drawn uniformly from 62 symbols.
        self::assertGreaterThanOrEqual(128, strlen($m[3]) * log(62, 2));
    }

    public function testPublicIdSharesNothingWithTheSecret(): void
    {
        for ($i = 0; $i < 50; $i++) {
            $t = token_generate('bot');
            preg_match(self::SHAPE, $t['token'], $m);
            $secret = $m[3] . $m[4];
            $id = substr($t['publicId'], strlen('agt_bot_'));
            self::assertStringNotContainsString($id, $secret);
            // Its own alphabet: lower-case Crockford base32 (no i, l, o, u, no upper case).
            self::assertMatchesRegularExpression('/^[0-9a-hjkmnp-tv-z]{12}$/', $id);
        }
    }

    public function testTokensAndPublicIdsAreUnique(): void
    {
        $tokens = [];
        $ids = [];
        for ($i = 0; $i < 500; $i++) {
            $t = token_generate('x');
            $tokens[$t['token']] = true;
            $ids[$t['publicId']] = true;
        }
        self::assertCount(500, $tokens);
        self::assertCount(500, $ids);
    }

    /** @return iterable<string, array{string, string}> */
    public static function handles(): iterable
    {
        yield 'plain' => ['ci-bot', 'agt_ci-bot_'];
        yield 'mixed case and symbols' => ['  Content_QA.bot:1 ', 'agt_content-qa-bot-1_'];
        yield 'nothing usable' => ['!!!', 'agt_'];
        yield 'empty' => ['', 'agt_'];
        yield 'long' => [str_repeat('a', 80), 'agt_' . str_repeat('a', 32) . '_'];
        yield 'not UTF-8: bytes are separators' => ["ci\xff\xfebot", 'agt_ci-bot_'];
        yield 'NUL bytes' => ["ci\0bot", 'agt_ci-bot_'];
    }

    /** @dataProvider handles */
    public function testHandleBecomesASlug(string $handle, string $prefix): void
    {
        $t = token_generate($handle);
        self::assertStringStartsWith($prefix, $t['token']);
        self::assertMatchesRegularExpression(self::SHAPE, $t['token']);
    }

    public function testTokenHashIsLowerCaseHexSha256OfTheBytesAsGiven(): void
    {
        foreach (['', 'abc', ' spaced ', "bin\xff\x00ary", 'content-qa-Ab3dE5gH7jK9mN1pQr'] as $token) {
            self::assertSame(hash('sha256', $token), token_hash($token));
        }
        self::assertSame('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', token_hash('abc'));
    }

    public function testSignatures(): void
    {
        $gen = new \ReflectionFunction('Agents\Core\token_generate');
        self::assertSame('array', (string) $gen->getReturnType());
        $param = $gen->getParameters()[0];
        self::assertSame('handle', $param->getName());
        self::assertSame('', $param->getDefaultValue());
        $hash = new \ReflectionFunction('Agents\Core\token_hash');
        self::assertSame('string', (string) $hash->getReturnType());
        self::assertSame('token', $hash->getParameters()[0]->getName());
    }
}
