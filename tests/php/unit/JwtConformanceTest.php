<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\InvalidInputException;
use Agents\Core\JwtVerifier;
use PHPUnit\Framework\TestCase;

/**
 * Every case of tests/conformance/jwt-peer-cases.json (`cases` and `jwk_parse_cases`), through the
 * loaded extension. The mapping of a case to a verifier is the one of tests/jwt_conformance.rs:
 * a single key is tried in every form it is given in (HMAC secret as binary string, PEM,
 * PEM with a named curve, JWK), a key set as a JWK Set and as a list of key specs. A refused
 * configuration matches an expected reason when its message names that code.
 */
final class JwtConformanceTest extends TestCase
{
    private static ?array $data = null;

    private static function data(): array
    {
        return self::$data ??= json_decode(
            (string) file_get_contents(__DIR__ . '/../../conformance/jwt-peer-cases.json'),
            true,
            512,
            JSON_THROW_ON_ERROR
        );
    }

    /** @return array<string, array{0: array, 1: string, 2: array}> */
    public static function verificationCases(): iterable
    {
        foreach (self::data()['cases'] as $case) {
            $forms = isset($case['key']) ? self::keyForms($case['key']) : self::keysetForms($case['keyset']);
            foreach ($forms as $form => $keys) {
                yield "{$case['id']} [$form]" => [$case, $form, $keys];
            }
        }
    }

    /** @return array<string, array> */
    private static function keyForms(array $key): array
    {
        if ($key['kind'] === 'hmac') {
            $secret = $key['secret_hex'] === null ? null : hex2bin($key['secret_hex']);
            return ['secret' => ['alg' => $key['alg'], 'secret' => $secret]];
        }
        $forms = [];
        foreach (['pem', 'pem_named_curve'] as $member) {
            if (isset($key[$member])) {
                $forms[$member] = ['alg' => $key['alg'], 'pem' => $key[$member]];
            }
        }
        if (isset($key['jwk'])) {
            $forms['jwk'] = $key['jwk'];
        }
        return $forms;
    }

    /** @return array<string, array> */
    private static function keysetForms(array $set): array
    {
        $forms = [];
        $all = array_filter($set, fn (array $k) => isset($k['jwk']));
        if (count($all) === count($set)) {
            $jwks = [];
            foreach ($set as $kid => $k) {
                $jwks[] = $k['jwk'] + ['kid' => (string) $kid];
            }
            $forms['jwks'] = ['keys' => $jwks];
        }
        $specs = [];
        foreach ($set as $kid => $k) {
            $spec = array_values(self::keyForms($k))[0];
            if (!isset($spec['kty'])) {
                $spec['kid'] = (string) $kid;
            }
            $specs[] = $spec;
        }
        $forms['specs'] = $specs;
        return $forms;
    }

    /** @return array{kind: string, reason?: string, claims?: ?array, message?: string} */
    private static function outcome(array $case, array $keys): array
    {
        try {
            $v = new JwtVerifier($keys, [
                'algorithms' => $case['alg_allowed'],
                'leeway' => $case['leeway'],
                'requireExp' => $case['require_exp'],
            ]);
        } catch (InvalidInputException $e) {
            return ['kind' => 'config', 'message' => $e->getMessage()];
        }
        $r = $v->check($case['token'], $case['now']);
        return $r['valid']
            ? ['kind' => 'valid', 'claims' => $r['claims']]
            : ['kind' => 'refused', 'reason' => $r['reason'], 'claims' => $r['claims']];
    }

    private static function answers(array $outcome, array $answer): bool
    {
        switch ($outcome['kind']) {
            case 'valid':
                return $answer['valid'] === true && $outcome['claims'] === $answer['claims'];
            case 'refused':
                return $answer['valid'] === false && $outcome['reason'] === $answer['reason']
                    && (!array_key_exists('claims', $answer) || $outcome['claims'] === $answer['claims']);
            default:
                return $answer['valid'] === false && str_contains($outcome['message'], ": {$answer['reason']}: ");
        }
    }

    private const EC_ORDERS = [
        'ES256' => 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
        'ES384' => 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    ];

    /** True when the token is ES256/ES384 and its signature's s is above n/2 (s > n - s). */
    private static function highS(string $token): bool
    {
        $parts = explode('.', $token);
        if (count($parts) !== 3) {
            return false;
        }
        $header = json_decode((string) base64_decode(strtr($parts[0], '-_', '+/')), true);
        $order = self::EC_ORDERS[is_array($header) ? ($header['alg'] ?? '') : ''] ?? null;
        if (!is_string($order)) {
            return false;
        }
        $n = (string) hex2bin($order);
        $raw = (string) base64_decode(strtr($parts[2], '-_', '+/'));
        $size = strlen($n);
        if (strlen($raw) !== 2 * $size) {
            return false;
        }
        $s = substr($raw, $size);
        $flipped = \Agents\Core\Tests\Support\Ecdsa::negate($n, $s);
        return strcmp($s, $flipped) > 0;
    }

    /**
     * @dataProvider verificationCases
     *
     * One deliberate difference from the peers: ECDSA signatures must be in low-S form, so a
     * high-S token the peers accept is expected to be refused as `signature_not_canonical`.
     */
    public function testVerificationCase(array $case, string $form, array $keys): void
    {
        if ($case['expect']['valid'] === true && self::highS($case['token'])) {
            $case['expect'] = ['valid' => false, 'reason' => 'signature_not_canonical'];
            $case['acceptable_alternatives'] = array_values(array_filter(
                $case['acceptable_alternatives'] ?? [],
                fn ($a) => $a['valid'] === false,
            ));
        }
        $outcome = self::outcome($case, $keys);
        $answers = [$case['expect'], ...($case['acceptable_alternatives'] ?? [])];
        if ($form === 'pem_named_curve') {
            $answers = [$case['expect']];
        }
        $ok = false;
        foreach ($answers as $a) {
            $ok = $ok || self::answers($outcome, $a);
        }
        self::assertTrue($ok, sprintf(
            "got %s\nexpected %s",
            json_encode($outcome, JSON_UNESCAPED_SLASHES),
            json_encode($answers, JSON_UNESCAPED_SLASHES)
        ));
        if ($outcome['kind'] === 'config' && isset($case['key']['secret_hex']) && $case['key']['secret_hex'] !== '') {
            self::assertStringNotContainsString($case['key']['secret_hex'], $outcome['message']);
            self::assertStringNotContainsString((string) hex2bin($case['key']['secret_hex']), $outcome['message']);
        }
    }

    public function testEveryCaseIsRun(): void
    {
        $ids = [];
        foreach (self::verificationCases() as [$case]) {
            $ids[$case['id']] = true;
        }
        self::assertCount(count(self::data()['cases']), $ids);
        self::assertGreaterThanOrEqual(60, count($ids));
    }

    /** @return iterable<string, array{0: array}> */
    public static function jwkParseCases(): iterable
    {
        foreach (self::data()['jwk_parse_cases'] as $case) {
            yield $case['id'] => [$case];
        }
    }

    /** @dataProvider jwkParseCases */
    public function testJwkParseCase(array $case): void
    {
        // php-jwt binds each key to its own "alg" or to the default one: that is `algorithms`.
        $algorithms = [];
        foreach ($case['jwks']['keys'] ?? [] as $k) {
            if (is_array($k) && isset($k['alg'])) {
                $algorithms[] = $k['alg'];
            }
        }
        if (isset($case['default_alg'])) {
            $algorithms[] = $case['default_alg'];
        }
        $expect = $case['expect'];
        try {
            $v = new JwtVerifier($case['jwks'], ['algorithms' => $algorithms]);
        } catch (InvalidInputException $e) {
            self::assertFalse($expect['valid'], $e->getMessage());
            self::assertStringContainsString(": {$expect['reason']}: ", $e->getMessage());
            return;
        }
        self::assertTrue($expect['valid'], 'accepted: ' . json_encode($v->keys()));
        $keys = $v->keys();
        self::assertSame($expect['kids'], array_column($keys, 'kid'));
        foreach ($expect['pem_by_kid'] ?? [] as $kid => $pem) {
            $fromJwk = array_values(array_filter($keys, fn ($k) => $k['kid'] === $kid))[0];
            $alg = $fromJwk['algorithms'][0];
            $fromPem = (new JwtVerifier(['alg' => $alg, 'pem' => $pem, 'kid' => $kid], ['algorithms' => [$alg]]))->keys()[0];
            self::assertSame($fromJwk['thumbprint'], $fromPem['thumbprint']);
            self::assertSame(2048, $fromPem['bits']);
        }
    }
}
