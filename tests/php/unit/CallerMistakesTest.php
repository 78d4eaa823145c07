<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\AgentsCoreException;
use Agents\Core\Guard;
use Agents\Core\InvalidInputException;
use Agents\Core\IpAllowlist;
use Agents\Core\JwtVerifier;
use Agents\Core\RateLimiter;
use PHPUnit\Framework\TestCase;

use function Agents\Core\token_generate;

/**
 * Programming mistakes are loud (an exception naming the key), client values never throw.
 */
final class CallerMistakesTest extends TestCase
{
    private const PROD = ['ENVIRONMENT' => 'production'];

    private static function guard(string $token): Guard
    {
        return new Guard(self::PROD, [[
            'id' => 1, 'handle' => 'one', 'tokenHash' => hash('sha256', $token), 'scopes' => ['auth:read'],
        ]]);
    }

    public function testConstructingALiveObjectAgainThrows(): void
    {
        $objects = [
            [new Guard([]), [[]]],
            [new IpAllowlist(['10.0.0.0/8']), [['192.0.2.0/24']]],
            [new JwtVerifier([['alg' => 'HS256', 'secret' => str_repeat('k', 32)]], ['algorithms' => ['HS256']]),
                [[['alg' => 'HS256', 'secret' => str_repeat('j', 32)]], ['algorithms' => ['HS256']]]],
            [new RateLimiter(['limit' => 10, 'window' => 60]), [['limit' => 1000, 'window' => 1]]],
        ];
        foreach ($objects as [$object, $args]) {
            try {
                $object->__construct(...$args);
                self::fail(get_class($object) . ' accepted a second __construct()');
            } catch (InvalidInputException $e) {
                self::fail('not a caller-input error: ' . $e->getMessage());
            } catch (AgentsCoreException $e) {
                self::assertStringContainsString('already constructed', $e->getMessage());
            }
        }
        // The first construction is untouched.
        self::assertTrue($objects[1][0]->contains('10.1.2.3'));
        self::assertFalse($objects[1][0]->contains('192.0.2.1'));
    }

    /** @return array<string, array{array<string, mixed>, string}> */
    public static function badRequests(): array
    {
        return [
            'no method' => [['headers' => []], 'method'],
            'integer method' => [['method' => 1, 'headers' => []], 'method'],
            'null method' => [['method' => null], 'method'],
            'misspelt key' => [['method' => 'GET', 'header' => ['Authorization' => 'Bearer x']], 'header'],
            'integer key' => [['method' => 'GET', 0 => 'x'], '0'],
            'headers as text' => [['method' => 'GET', 'headers' => 'text'], 'headers'],
            'query as text' => [['method' => 'GET', 'query' => 'apiToken=x'], 'query'],
            'remoteAddr as array' => [['method' => 'GET', 'remoteAddr' => ['10.0.0.1']], 'remoteAddr'],
        ];
    }

    /** @dataProvider badRequests */
    public function testRequestShapeMistakesThrowNamingTheKey(array $request, string $key): void
    {
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessage($key);
        self::guard(token_generate()['token'])->authenticate($request);
    }

    public function testClientValuesNeverThrow(): void
    {
        $token = token_generate()['token'];
        $guard = self::guard($token);
        $values = [1, null, 2.5, true, [], [[]], new \stdClass(), "\xff", ['Bearer ' . $token, 7]];
        foreach ($values as $value) {
            foreach (['Authorization', 'X-Agents-Token', 'X-Forwarded-For', 'Forwarded', 'Content-Type'] as $name) {
                $r = $guard->authenticate(['method' => 'GET', 'headers' => [$name => $value], 'query' => ['apiToken' => $value]]);
                self::assertIsBool($r['ok']);
            }
        }
        self::assertTrue($guard->authenticate(['method' => 'GET', 'headers' => ['authorization' => ["Bearer $token"]]])['ok']);
    }

    public function testHasScopeGivenTheWholeResultThrows(): void
    {
        $token = token_generate()['token'];
        $guard = self::guard($token);
        $result = $guard->authenticate(['method' => 'GET', 'headers' => ['Authorization' => "Bearer $token"]]);
        self::assertTrue($guard->hasScope($result['principal'], 'auth:read'));
        try {
            $guard->hasScope($result, 'auth:read');
            self::fail('no exception');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString("\$result['principal']", $e->getMessage());
        }
        $denied = $guard->authenticate(['method' => 'GET']);
        $this->expectException(InvalidInputException::class);
        $guard->hasScope($denied, 'auth:read');
    }
}
