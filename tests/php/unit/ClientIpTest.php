<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\InvalidInputException;
use PHPUnit\Framework\TestCase;

use function Agents\Core\client_ip;

final class ClientIpTest extends TestCase
{
    private const PROXIES = ['10.0.0.0/8', '2001:db8:ffff::/48'];

    public function testSignature(): void
    {
        $params = (new \ReflectionFunction('Agents\Core\client_ip'))->getParameters();
        self::assertSame(['remoteAddr', 'headers', 'trustedProxies'], array_map(fn ($p) => $p->getName(), $params));
        self::assertTrue($params[2]->isOptional());
        self::assertSame([], $params[2]->getDefaultValue());
    }

    public function testForgedXffFromAnUntrustedPeerIsIgnored(): void
    {
        $headers = ['X-Forwarded-For' => '127.0.0.1', 'Forwarded' => 'for=127.0.0.1', 'Client-IP' => '127.0.0.1'];
        self::assertSame('203.0.113.50', client_ip('203.0.113.50', $headers));
        self::assertSame('203.0.113.50', client_ip('203.0.113.50', $headers, self::PROXIES));
    }

    public function testXffIsWalkedFromTheRightSkippingTrustedProxies(): void
    {
        // The client prepended a forged hop; our proxies appended the real one.
        $headers = ['X-Forwarded-For' => '127.0.0.1, 198.51.100.23, 10.1.1.1'];
        self::assertSame('198.51.100.23', client_ip('10.0.0.1', $headers, self::PROXIES));
        self::assertSame('10.9.9.9', client_ip('10.0.0.1', ['x-forwarded-for' => '10.9.9.9, 10.1.1.1'], self::PROXIES));
        self::assertSame('10.0.0.1', client_ip('10.0.0.1', [], self::PROXIES));
    }

    public function testHeaderNamesAreCaseInsensitiveAndInstancesJoinInOrder(): void
    {
        // Yii's HeaderCollection::toArray(): name => list of values.
        $headers = ['x-forwarded-for' => ['198.51.100.1, 198.51.100.2', '10.0.0.7']];
        self::assertSame('198.51.100.2', client_ip('10.0.0.1', $headers, self::PROXIES));
        $headers = ['X-FORWARDED-FOR' => '198.51.100.9', 'Accept' => ['*/*']];
        self::assertSame('198.51.100.9', client_ip('10.0.0.1', $headers, self::PROXIES));
    }

    public function testMalformedChainMakesTheClientUnknown(): void
    {
        // Wherever the unreadable element is, the chain is malformed: null, never a hop.
        foreach ([
            '198.51.100.1, not-an-ip, 10.0.0.9',
            'not-an-ip, 198.51.100.1, 10.0.0.9',
            "198.51.100.1, 10.0.0.9\0",
            "198.51.100.1, 10.0.0.9\r\n",
            "198.51.100.1, \xff",
            '198.51.100.1, 10.0.0.9:99999',
            '198.51.100.1, unknown',
        ] as $xff) {
            self::assertNull(client_ip('10.0.0.1', ['X-Forwarded-For' => $xff], self::PROXIES), bin2hex($xff));
        }
        self::assertNull(client_ip('10.0.0.1', ['X-Forwarded-For' => ['198.51.100.1', 42]], self::PROXIES));
        self::assertNull(client_ip('10.0.0.1', ['Forwarded' => ['for=198.51.100.1', null]], self::PROXIES));
        // `unknown` beyond the client is well-formed and never reached.
        self::assertSame('198.51.100.1', client_ip('10.0.0.1', ['X-Forwarded-For' => 'unknown, 198.51.100.1, 10.0.0.9'], self::PROXIES));
    }

    /** The review's reproduction: an unterminated quote used to turn the client into the proxy. */
    public function testUnterminatedQuoteIsNeverTheProxy(): void
    {
        foreach (['for=", for=198.51.100.7', 'for="[, for=198.51.100.7', 'for="\\", for=198.51.100.7'] as $f) {
            self::assertNull(client_ip('10.0.0.1', ['Forwarded' => $f], ['10.0.0.1']), $f);
            self::assertNull(client_ip('10.0.0.1', ['Forwarded' => $f], self::PROXIES), $f);
        }
    }

    public function testHeaderLinesAreReadOneByOne(): void
    {
        // A quote opened on one line cannot swallow the proxy's line.
        self::assertNull(client_ip('10.0.0.1', ['Forwarded' => ['for="198.51.100.7', 'for=10.0.0.2']], self::PROXIES));
        self::assertSame('198.51.100.7', client_ip('10.0.0.1', ['Forwarded' => ['for=198.51.100.7', 'for=10.0.0.2']], self::PROXIES));
    }

    public function testForwardedHeaderForms(): void
    {
        $cases = [
            'token' => ['for=198.51.100.17', '198.51.100.17'],
            'quoted ipv6 with port' => ['for="[2001:DB8:cafe::17]:4711"', '2001:db8:cafe::17'],
            'quoted ipv4 with port' => ['for="198.51.100.17:8080";proto=https', '198.51.100.17'],
            'case-insensitive name' => ['FOR=198.51.100.17', '198.51.100.17'],
            'chain' => ['for=192.0.2.43, for="[2001:db8:ffff::1]";by=10.0.0.1, for=10.2.2.2', '192.0.2.43'],
            'obfuscated port' => ['for="[2001:db8::9]:_p1"', '2001:db8::9'],
            'unknown is unknown' => ['for=192.0.2.43, for=unknown', null],
            'obfuscated node is unknown' => ['for=192.0.2.43, for=_gazonk', null],
            'bare ipv6 is malformed' => ['for=192.0.2.43, for=2001:db8::1', null],
            'unterminated quote' => ['for=192.0.2.43, for="[2001:db8::1]', null],
            'no for is unknown' => ['proto=https;by=10.0.0.1', null],
            'syntax error beyond the client' => ['for=1.2.3.4 x, for=192.0.2.43', null],
            'unknown beyond the client' => ['for=unknown, for=192.0.2.43', '192.0.2.43'],
            'quoted comma does not split' => ['for=192.0.2.1;x="a, for=6.6.6.6", for=10.3.3.3', '192.0.2.1'],
        ];
        foreach ($cases as $name => [$forwarded, $expect]) {
            self::assertSame($expect, client_ip('10.0.0.1', ['Forwarded' => $forwarded], self::PROXIES), $name);
        }
    }

    public function testForwardedTakesPrecedenceOverXff(): void
    {
        $headers = ['X-Forwarded-For' => '203.0.113.1', 'forwarded' => 'for=198.51.100.5'];
        self::assertSame('198.51.100.5', client_ip('10.0.0.1', $headers, self::PROXIES));
    }

    public function testEveryHopTrustedGivesTheLeftMost(): void
    {
        $headers = ['X-Forwarded-For' => '10.5.5.5, 10.6.6.6'];
        self::assertSame('10.5.5.5', client_ip('10.0.0.1', $headers, self::PROXIES));
    }

    public function testMappedAddressesAreUnwrapped(): void
    {
        self::assertSame('203.0.113.9', client_ip('::ffff:203.0.113.9', []));
        self::assertSame('198.51.100.4', client_ip('::ffff:10.0.0.1', ['X-Forwarded-For' => '::ffff:198.51.100.4'], self::PROXIES));
    }

    public function testInvalidPeerGivesNull(): void
    {
        foreach (['', 'unknown', '1.2.3.4:80', '[::1]', "10.0.0.1\0", "\xff", str_repeat('9', 1 << 20)] as $peer) {
            self::assertNull(client_ip($peer, ['X-Forwarded-For' => '198.51.100.1'], self::PROXIES), bin2hex(substr($peer, 0, 8)));
        }
    }

    public function testHugeHeaderDoesNotCrash(): void
    {
        $headers = ['X-Forwarded-For' => str_repeat('10.1.1.1, ', 100000) . '10.2.2.2'];
        self::assertSame('10.1.1.1', client_ip('10.0.0.1', $headers, self::PROXIES));
        $headers = ['Forwarded' => str_repeat('for=10.1.1.1;proto=http, ', 50000)];
        self::assertSame('10.1.1.1', client_ip('10.0.0.1', $headers, self::PROXIES));
    }

    public function testInvalidTrustedProxiesThrowNamingEveryEntry(): void
    {
        try {
            client_ip('10.0.0.1', [], ['10.0.0.1/8', 3, '10.0.0.0/8']);
            self::fail('expected InvalidInputException');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString('trustedProxies[0] "10.0.0.1/8": host bits set below /8', $e->getMessage());
            self::assertStringContainsString('trustedProxies[1] (int) 3: not a string', $e->getMessage());
        }
    }
}
