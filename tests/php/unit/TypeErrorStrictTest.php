<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use Agents\Core\IpAllowlist;
use Agents\Core\JwtVerifier;
use Agents\Core\RateLimiter;
use PHPUnit\Framework\TestCase;

use function Agents\Core\client_ip;
use function Agents\Core\ip_allowed;
use function Agents\Core\posture;
use function Agents\Core\redact;
use function Agents\Core\token_generate;
use function Agents\Core\token_hash;
use function Agents\Core\webhook_sign;
use function Agents\Core\webhook_verify;

/**
 * Calls from a strict_types file: only the declared type is accepted, and a mismatch is a
 * TypeError worded as PHP words it for its own functions. (The weak-mode file is
 * CoercionWeakTest.php.)
 */
final class TypeErrorStrictTest extends TestCase
{
    private static function message(callable $call): string
    {
        try {
            $call();
        } catch (\TypeError $e) {
            return $e->getMessage();
        }
        return 'no TypeError';
    }

    public function testPhpsOwnWordingForReference(): void
    {
        // The format being matched, as this PHP prints it for an internal function.
        $this->assertSame('strlen(): Argument #1 ($string) must be of type string, array given', self::message(fn () => strlen([])));
        $this->assertSame('intdiv(): Argument #1 ($num1) must be of type int, string given', self::message(fn () => intdiv('5', 1)));
    }

    /** @return iterable<string, array{callable, string}> */
    public static function mismatches(): iterable
    {
        $guard = new Guard(['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_API_TOKEN' => 'tok-0123456789abcdef']);
        $list = new IpAllowlist(['10.0.0.0/8']);
        $limiter = new RateLimiter(['limit' => 10, 'window' => 60]);
        $jwt = new JwtVerifier(['alg' => 'HS256', 'secret' => str_repeat('k', 32)], ['algorithms' => ['HS256']]);
        $ns = 'Agents\\Core\\';
        yield 'ip_allowed ip' => [fn () => ip_allowed([], []), "{$ns}ip_allowed(): Argument #1 (\$ip) must be of type string, array given"];
        yield 'ip_allowed cidrs' => [fn () => ip_allowed('10.0.0.1', '10.0.0.0/8'), "{$ns}ip_allowed(): Argument #2 (\$cidrs) must be of type array, string given"];
        yield 'ip_allowed named' => [fn () => ip_allowed(cidrs: [], ip: 10), "{$ns}ip_allowed(): Argument #1 (\$ip) must be of type string, int given"];
        yield 'token_hash int' => [fn () => token_hash(123), "{$ns}token_hash(): Argument #1 (\$token) must be of type string, int given"];
        yield 'token_hash null' => [fn () => token_hash(null), "{$ns}token_hash(): Argument #1 (\$token) must be of type string, null given"];
        yield 'token_hash object' => [fn () => token_hash(new \stdClass()), "{$ns}token_hash(): Argument #1 (\$token) must be of type string, stdClass given"];
        yield 'token_generate' => [fn () => token_generate(5), "{$ns}token_generate(): Argument #1 (\$handle) must be of type string, int given"];
        yield 'webhook_sign secret' => [fn () => webhook_sign(['s'], 'b', 1), "{$ns}webhook_sign(): Argument #1 (\$secret) must be of type string, array given"];
        yield 'webhook_sign body' => [fn () => webhook_sign('s', 1.5, 1), "{$ns}webhook_sign(): Argument #2 (\$body) must be of type string, float given"];
        yield 'webhook_sign numeric text' => [fn () => webhook_sign('s', 'b', '1700000000'), "{$ns}webhook_sign(): Argument #3 (\$timestamp) must be of type int, string given"];
        yield 'webhook_sign float' => [fn () => webhook_sign('s', 'b', 1.0), "{$ns}webhook_sign(): Argument #3 (\$timestamp) must be of type int, float given"];
        yield 'webhook_sign bool' => [fn () => webhook_sign('s', 'b', true), "{$ns}webhook_sign(): Argument #3 (\$timestamp) must be of type int, bool given"];
        yield 'webhook_sign id' => [fn () => webhook_sign('s', 'b', 1, 7), "{$ns}webhook_sign(): Argument #4 (\$id) must be of type ?string, int given"];
        yield 'webhook_verify body' => [fn () => webhook_verify('s', [], []), "{$ns}webhook_verify(): Argument #2 (\$body) must be of type string, array given"];
        yield 'webhook_verify headers' => [fn () => webhook_verify('s', 'b', 'X-A: 1'), "{$ns}webhook_verify(): Argument #3 (\$headers) must be of type array, string given"];
        yield 'webhook_verify tolerance' => [fn () => webhook_verify('s', 'b', [], '300'), "{$ns}webhook_verify(): Argument #4 (\$toleranceSeconds) must be of type int, string given"];
        yield 'webhook_verify now' => [fn () => webhook_verify('s', 'b', [], 300, '1700000000'), "{$ns}webhook_verify(): Argument #5 (\$now) must be of type ?int, string given"];
        yield 'redact record' => [fn () => redact('x', 'order', []), "{$ns}redact(): Argument #1 (\$record) must be of type array, string given"];
        yield 'redact resource' => [fn () => redact([], 1, []), "{$ns}redact(): Argument #2 (\$resource) must be of type string, int given"];
        yield 'redact scopes' => [fn () => redact([], 'order', 'orders:read'), "{$ns}redact(): Argument #3 (\$grantedScopes) must be of type array, string given"];
        yield 'redact flag' => [fn () => redact([], 'order', [], 1), "{$ns}redact(): Argument #4 (\$redactEmail) must be of type bool, int given"];
        yield 'client_ip remote' => [fn () => client_ip(null, []), "{$ns}client_ip(): Argument #1 (\$remoteAddr) must be of type string, null given"];
        yield 'client_ip headers' => [fn () => client_ip('10.0.0.1', null), "{$ns}client_ip(): Argument #2 (\$headers) must be of type array, null given"];
        yield 'client_ip proxies' => [fn () => client_ip('10.0.0.1', [], '10.0.0.0/8'), "{$ns}client_ip(): Argument #3 (\$trustedProxies) must be of type array, string given"];
        yield 'posture env' => [fn () => posture('production'), "{$ns}posture(): Argument #1 (\$env) must be of type array, string given"];
        yield 'posture rows' => [fn () => posture([], 'rows'), "{$ns}posture(): Argument #2 (\$managedCredentials) must be of type ?array, string given"];
        yield 'posture options' => [fn () => posture([], null, 1), "{$ns}posture(): Argument #3 (\$options) must be of type ?array, int given"];
        yield 'Guard::__construct' => [fn () => new Guard('production'), "{$ns}Guard::__construct(): Argument #1 (\$env) must be of type array, string given"];
        yield 'Guard::__construct options' => [fn () => new Guard([], [], 'x'), "{$ns}Guard::__construct(): Argument #3 (\$options) must be of type ?array, string given"];
        yield 'Guard::cached revision' => [fn () => Guard::cached(['r'], fn () => $guard), "{$ns}Guard::cached(): Argument #1 (\$revision) must be of type string, array given"];
        yield 'Guard::cached build' => [fn () => Guard::cached('r', 'no_such_function'), "{$ns}Guard::cached(): Argument #2 (\$build) must be of type callable, string given"];
        yield 'Guard::cached maxAge' => [fn () => Guard::cached('r', fn () => $guard, '60'), "{$ns}Guard::cached(): Argument #3 (\$maxAgeSeconds) must be of type int, string given"];
        yield 'Guard::authenticate' => [fn () => $guard->authenticate('GET /'), "{$ns}Guard::authenticate(): Argument #1 (\$request) must be of type array, string given"];
        yield 'Guard::hasScope' => [fn () => $guard->hasScope('principal', 'auth:read'), "{$ns}Guard::hasScope(): Argument #1 (\$principal) must be of type array, string given"];
        yield 'IpAllowlist::contains' => [fn () => $list->contains(['10.0.0.1']), "{$ns}IpAllowlist::contains(): Argument #1 (\$ip) must be of type string, array given"];
        yield 'JwtVerifier::__construct' => [fn () => new JwtVerifier('key', []), "{$ns}JwtVerifier::__construct(): Argument #1 (\$keys) must be of type array, string given"];
        yield 'JwtVerifier::__construct options' => [fn () => new JwtVerifier([], null), "{$ns}JwtVerifier::__construct(): Argument #2 (\$options) must be of type array, null given"];
        yield 'JwtVerifier::verify' => [fn () => $jwt->verify(1), "{$ns}JwtVerifier::verify(): Argument #1 (\$token) must be of type string, int given"];
        yield 'RateLimiter::__construct' => [fn () => new RateLimiter('limit=10'), "{$ns}RateLimiter::__construct(): Argument #1 (\$options) must be of type array, string given"];
        yield 'RateLimiter::hit key' => [fn () => $limiter->hit(['k']), "{$ns}RateLimiter::hit(): Argument #1 (\$key) must be of type string, array given"];
        yield 'RateLimiter::hit cost' => [fn () => $limiter->hit('k', '1'), "{$ns}RateLimiter::hit(): Argument #2 (\$cost) must be of type int, string given"];
        yield 'RateLimiter::hit now' => [fn () => $limiter->hit('k', 1, 1.5), "{$ns}RateLimiter::hit(): Argument #3 (\$now) must be of type ?int, float given"];
        yield 'RateLimiter::reset' => [fn () => $limiter->reset(7), "{$ns}RateLimiter::reset(): Argument #1 (\$key) must be of type string, int given"];
        yield 'JwtVerifier::check now' => [fn () => $jwt->check('a.b.c', 1.5), "{$ns}JwtVerifier::check(): Argument #2 (\$now) must be of type ?int, float given"];
    }

    /** @dataProvider mismatches */
    public function testAMismatchIsPhpsTypeError(callable $call, string $expected): void
    {
        $this->assertSame($expected, self::message($call));
    }

    public function testNothingCoercesInStrictMode(): void
    {
        $this->assertSame('no TypeError', self::message(fn () => token_hash('123')));
        $this->assertSame('no TypeError', self::message(fn () => webhook_sign('s', 'b', 1700000000, null)));
        $this->assertSame('no TypeError', self::message(fn () => webhook_verify('s', 'b', [], 300, null)));
        $this->assertSame('no TypeError', self::message(fn () => posture([], null, null)));
    }

    public function testTheFirstBadArgumentIsTheOneReported(): void
    {
        $this->assertSame('Agents\\Core\\ip_allowed(): Argument #1 ($ip) must be of type string, int given', self::message(fn () => ip_allowed(1, 2)));
    }

    public function testACallbackInvokedByPhpItselfIsNotStrict(): void
    {
        // As for PHP's own functions: array_map is internal code, so its calls coerce.
        $this->assertSame([3], array_map('strlen', [123]));
        $this->assertSame([hash('sha256', '123')], array_map('Agents\\Core\\token_hash', [123]));
    }
}
