<?php

// No strict_types on purpose: this file checks the coercive mode, compared with what PHP's own
// internal functions do with the same values. (The strict file is TypeErrorStrictTest.php.)

namespace Agents\Core\Tests\Unit;

use Agents\Core\IpAllowlist;
use PHPUnit\Framework\TestCase;

use function Agents\Core\ip_allowed;
use function Agents\Core\redact;
use function Agents\Core\token_hash;
use function Agents\Core\webhook_sign;
use function Agents\Core\webhook_verify;

final class CoercionWeakTest extends TestCase
{
    /**
     * Runs $call and returns its result or TypeError message, with the notices it raised;
     * function names and parameter names are replaced by placeholders so an internal function
     * of PHP and ours can be compared.
     *
     * @param array<string, string> $names original => placeholder
     * @return array{mixed, list<string>}
     */
    private static function observe(callable $call, array $names): array
    {
        $notices = [];
        set_error_handler(function (int $no, string $msg) use (&$notices): bool {
            $notices[] = $msg;
            return true;
        });
        try {
            $result = $call();
        } catch (\TypeError $e) {
            $result = 'TypeError: ' . $e->getMessage();
        } finally {
            restore_error_handler();
        }
        $norm = fn ($s) => is_string($s) ? strtr($s, $names) : $s;
        return [$norm($result), array_map($norm, $notices)];
    }

    /** @return array<string, array{mixed}> */
    public static function values(): array
    {
        $stringable = new class () {
            public function __toString(): string
            {
                return '1700000000';
            }
        };
        return [
            'int' => [1700000000],
            'numeric string' => ['1700000000'],
            'numeric string with spaces' => [' 1700000000 '],
            'leading-numeric string' => ['1700000000abc'],
            'non-numeric string' => ['soon'],
            'float, integral' => [1700000000.0],
            'float, fractional' => [1700000000.5],
            'float, out of range' => [1e300],
            'float NAN' => [NAN],
            'true' => [true],
            'false' => [false],
            'null' => [null],
            'array' => [[1]],
            'Stringable' => [$stringable],
            'stdClass' => [new \stdClass()],
            'empty string' => [''],
            'exponent string' => ['1e3'],
        ];
    }

    /** @dataProvider values */
    public function testAnIntParameterCoercesLikePhpsOwn(mixed $value): void
    {
        $php = self::observe(fn () => intdiv($value, 1), ['intdiv()' => 'f()', '$num1' => '$p', 'parameter #1' => 'parameter #n', 'Argument #1' => 'Argument #n']);
        $ours = self::observe(
            fn () => (int) substr(webhook_sign('secret', 'body', $value)['X-Agents-Webhook-Timestamp'], 0),
            ['Agents\\Core\\webhook_sign()' => 'f()', '$timestamp' => '$p', 'parameter #3' => 'parameter #n', 'Argument #3' => 'Argument #n'],
        );
        $this->assertSame($php, $ours);
    }

    /** @dataProvider values */
    public function testAStringParameterCoercesLikePhpsOwn(mixed $value): void
    {
        $php = self::observe(fn () => hash('sha256', $value), ['hash()' => 'f()', '$data' => '$p', 'parameter #2' => 'parameter #n', 'Argument #2' => 'Argument #n']);
        $ours = self::observe(fn () => token_hash($value), ['Agents\\Core\\token_hash()' => 'f()', '$token' => '$p', 'parameter #1' => 'parameter #n', 'Argument #1' => 'Argument #n']);
        $this->assertSame($php, $ours);
    }

    /** @return array<string, array{mixed}> */
    public static function valuesButNull(): array
    {
        return array_filter(self::values(), fn ($v) => $v[0] !== null);
    }

    /** @dataProvider valuesButNull */
    public function testABoolParameterCoercesLikePhpsOwn(mixed $value): void
    {
        // in_array()'s third parameter is `bool $strict`; its effect shows in the result.
        $php = self::observe(fn () => in_array('1', [1], $value) ? 'loose' : 'strict', ['in_array()' => 'f()', '$strict' => '$p', 'parameter #3' => 'parameter #n', 'Argument #3' => 'Argument #n']);
        $record = ['email' => 'a@example.com'];
        $ours = self::observe(
            fn () => redact($record, 'user', [], $value)['emailRedacted'] ? 'strict' : 'loose',
            ['Agents\\Core\\redact()' => 'f()', '$redactEmail' => '$p', 'parameter #4' => 'parameter #n', 'Argument #4' => 'Argument #n'],
        );
        $this->assertSame($php, $ours);
    }

    public function testAHeaderTimestampCanBePassedAsRead(): void
    {
        $headers = webhook_sign('secret', '{"a":1}', 1700000000, 'delivery-1');
        $again = webhook_sign('secret', '{"a":1}', $headers['X-Agents-Webhook-Timestamp'], 'delivery-1');
        $this->assertSame($headers, $again);
        $this->assertSame(['valid' => true, 'reason' => null], webhook_verify('secret', '{"a":1}', $headers, '300', '1700000010'));
    }

    public function testScalarsCoerceToStringEverywhere(): void
    {
        $this->assertSame(hash('sha256', '123'), token_hash(123));
        $this->assertTrue(ip_allowed(new class () {
            public function __toString(): string
            {
                return '10.1.2.3';
            }
        }, ['10.0.0.0/8']));
        $this->assertFalse((new IpAllowlist(['10.0.0.0/8']))->contains(10));
    }

    public function testNullForAParameterWithADefaultIsATypeError(): void
    {
        // The one departure from PHP's rules (docs/craft-integration.md): ext-php-rs refuses
        // an explicit null for a non-nullable parameter that has a default, in both modes.
        try {
            redact([], 'user', [], null);
            $this->fail('no TypeError');
        } catch (\TypeError $e) {
            $this->assertSame('Argument `$redactEmail` must not be null', $e->getMessage());
        }
    }

    public function testArraysNeverCoerce(): void
    {
        try {
            ip_allowed('10.0.0.1', '10.0.0.0/8');
            $this->fail('no TypeError');
        } catch (\TypeError $e) {
            $this->assertSame('Agents\\Core\\ip_allowed(): Argument #2 ($cidrs) must be of type array, string given', $e->getMessage());
        }
    }
}
