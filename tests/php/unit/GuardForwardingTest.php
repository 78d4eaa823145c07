<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use Agents\Core\InvalidInputException;
use PHPUnit\Framework\TestCase;

/** The Guard option `forwardedHeader`: which header the trusted proxies write. */
final class GuardForwardingTest extends TestCase
{
    private const TOKEN = 'forwarding-test-token-0123456789';

    private static function clientIp(array $options): ?string
    {
        $g = new Guard(['ENVIRONMENT' => 'production', 'PLUGIN_AGENTS_API_TOKEN' => self::TOKEN], [], $options);
        $r = $g->authenticate(['method' => 'GET', 'remoteAddr' => '10.0.0.1', 'query' => [], 'headers' => [
            'Authorization' => 'Bearer ' . self::TOKEN,
            'Forwarded' => 'for=198.51.100.66',          // written by the client
            'X-Forwarded-For' => ['203.0.113.9'],        // appended by the proxy
        ]]);
        self::assertTrue($r['ok'], json_encode($r));
        return $r['principal']['clientIp'];
    }

    private static function codes(array $options): array
    {
        return array_column((new Guard(['ENVIRONMENT' => 'dev'], [], $options))->warnings(), 'code');
    }

    public function testPinnedHeaderIgnoresTheOther(): void
    {
        self::assertSame('203.0.113.9', self::clientIp(['trustedProxies' => ['10.0.0.0/8'], 'forwardedHeader' => 'x-forwarded-for']));
        self::assertSame('198.51.100.66', self::clientIp(['trustedProxies' => ['10.0.0.0/8'], 'forwardedHeader' => 'forwarded']));
        self::assertSame('198.51.100.66', self::clientIp(['trustedProxies' => ['10.0.0.0/8']]));
        // Untrusted peer: neither header counts.
        self::assertSame('10.0.0.1', self::clientIp(['forwardedHeader' => 'x-forwarded-for']));
    }

    public function testAnUnpinnedHeaderBehindProxiesIsReported(): void
    {
        self::assertContains('forwarded_header_not_pinned', self::codes(['trustedProxies' => ['10.0.0.0/8']]));
        self::assertContains('forwarded_header_not_pinned', self::codes(['trustedProxies' => ['10.0.0.0/8'], 'forwardedHeader' => 'auto']));
        self::assertNotContains('forwarded_header_not_pinned', self::codes(['trustedProxies' => ['10.0.0.0/8'], 'forwardedHeader' => 'forwarded']));
        self::assertNotContains('forwarded_header_not_pinned', self::codes([]));
    }

    public function testUnknownHeaderNameIsAConfigurationError(): void
    {
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessage('forwardedHeader');
        new Guard([], [], ['forwardedHeader' => 'via']);
    }
}
