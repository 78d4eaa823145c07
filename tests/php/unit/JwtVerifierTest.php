<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\InvalidInputException;
use Agents\Core\JwtVerifier;
use Agents\Core\TokenException;
use PHPUnit\Framework\TestCase;

/**
 * JwtVerifier through PHP: each strictness rule, and interoperability with tokens signed by PHP's
 * own hash_hmac / openssl_sign / sodium_crypto_sign_detached.
 */
final class JwtVerifierTest extends TestCase
{
    private const NOW = 1_700_000_000;
    private const SECRET = 'a-32-byte-secret-for-hs256-tests';

    /** @var array<string, array{private: mixed, pem: string, details: array}> */
    private static array $keys = [];

    public static function setUpBeforeClass(): void
    {
        foreach ([
            'rsa' => ['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => 2048],
            'p256' => ['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1'],
            'p384' => ['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'secp384r1'],
        ] as $name => $spec) {
            $key = openssl_pkey_new($spec);
            self::assertNotFalse($key);
            $details = openssl_pkey_get_details($key);
            self::$keys[$name] = ['private' => $key, 'pem' => $details['key'], 'details' => $details];
        }
    }

    private static function b64(string $bytes): string
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }

    private static function input(array $header, array $claims): string
    {
        return self::b64((string) json_encode($header)) . '.' . self::b64((string) json_encode($claims));
    }

    private static function hs(array $claims, array $header = ['alg' => 'HS256', 'typ' => 'JWT'], string $secret = self::SECRET): string
    {
        $input = self::input($header, $claims);
        return $input . '.' . self::b64(hash_hmac('sha256', $input, $secret, true));
    }

    private static function verifier(array $options = [], ?array $keys = null): JwtVerifier
    {
        return new JwtVerifier(
            $keys ?? ['alg' => 'HS256', 'secret' => self::SECRET],
            $options + ['algorithms' => ['HS256']]
        );
    }

    private static function reason(JwtVerifier $v, string $token, int $now = self::NOW): ?string
    {
        return $v->check($token, $now)['reason'];
    }

    /** DER ECDSA signature (openssl) to the JOSE form r || s. */
    /** @return array{0: string, 1: string} the `r || s` signature with the low and the high s */
    private static function lowAndHighS(string $jose, int $size): array
    {
        $n = (string) hex2bin($size === 32
            ? 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'
            : 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973');
        $r = substr($jose, 0, $size);
        $s = substr($jose, $size);
        $flipped = \Agents\Core\Tests\Support\Ecdsa::negate($n, $s);
        return strcmp($s, $flipped) > 0 ? [$r . $flipped, $r . $s] : [$r . $s, $r . $flipped];
    }

    private static function derToJose(string $der, int $size): string
    {
        $pos = 2 + ((ord($der[1]) & 0x80) ? (ord($der[1]) & 0x7f) : 0);
        $out = '';
        for ($i = 0; $i < 2; $i++) {
            $len = ord($der[$pos + 1]);
            $int = ltrim(substr($der, $pos + 2, $len), "\0");
            $out .= str_pad($int, $size, "\0", STR_PAD_LEFT);
            $pos += 2 + $len;
        }
        return $out;
    }

    public function testValidTokenClaimsAndKinds(): void
    {
        $claims = ['sub' => 'agent-1', 'exp' => self::NOW + 60, 'scopes' => ['a', 'b'], 'n' => 1.5, 'meta' => ['x' => null]];
        $token = self::hs($claims);
        $v = self::verifier();
        self::assertSame($claims, $v->verify($token, self::NOW));
        self::assertSame(['valid' => true, 'claims' => $claims, 'reason' => null, 'message' => null], $v->check($token, self::NOW));
        // Without $now the clock is used: this token expired long ago.
        self::assertSame('expired', $v->check($token)['reason']);
        $exp = time() + 600;
        self::assertSame(['exp' => $exp], $v->verify(self::hs(['exp' => $exp])));
    }

    public function testVerifyThrowsTokenExceptionStartingWithTheReason(): void
    {
        $v = self::verifier();
        try {
            $v->verify(self::hs(['exp' => self::NOW]), self::NOW);
            self::fail('no exception');
        } catch (TokenException $e) {
            self::assertStringStartsWith('expired: ', $e->getMessage());
        }
        $this->expectException(TokenException::class);
        $this->expectExceptionMessageMatches('/^malformed: /');
        $v->verify('not-a-jwt', self::NOW);
    }

    public function testExpiryEdgesAndLeeway(): void
    {
        $v = self::verifier();
        self::assertSame('expired', self::reason($v, self::hs(['exp' => self::NOW])));
        self::assertNull(self::reason($v, self::hs(['exp' => self::NOW + 1])));
        $lee = self::verifier(['leeway' => 30]);
        self::assertNull(self::reason($lee, self::hs(['exp' => self::NOW - 29])));
        self::assertSame('expired', self::reason($lee, self::hs(['exp' => self::NOW - 30])));
        self::assertSame('not_yet_valid', self::reason($v, self::hs(['exp' => self::NOW + 60, 'nbf' => self::NOW + 1])));
        self::assertNull(self::reason($lee, self::hs(['exp' => self::NOW + 60, 'nbf' => self::NOW + 30])));
        self::assertSame('iat_in_future', self::reason($v, self::hs(['exp' => self::NOW + 60, 'iat' => self::NOW + 1])));
        self::assertSame('missing_exp', self::reason($v, self::hs(['sub' => 'x'])));
        self::assertNull(self::reason(self::verifier(['requireExp' => false]), self::hs(['sub' => 'x'])));
        self::assertSame('invalid_claim_type', self::reason($v, self::hs(['exp' => (string) (self::NOW + 60)])));
    }

    public function testExpiredRefusalCarriesTheAuthenticClaims(): void
    {
        $r = self::verifier()->check(self::hs(['sub' => 'a', 'exp' => self::NOW - 1]), self::NOW);
        self::assertSame(['valid' => false, 'claims' => ['sub' => 'a', 'exp' => self::NOW - 1]], array_slice($r, 0, 2));
        $forged = self::hs(['sub' => 'a', 'exp' => self::NOW - 1], ['alg' => 'HS256'], str_repeat('z', 32));
        $r = self::verifier()->check($forged, self::NOW);
        self::assertSame('signature_invalid', $r['reason']);
        self::assertNull($r['claims']);
    }

    public function testAlgNoneInAnySpelling(): void
    {
        foreach (['none', 'None', 'NONE', 'nOnE'] as $alg) {
            $token = self::input(['alg' => $alg], ['exp' => self::NOW + 60]) . '.';
            self::assertSame('alg_none', self::reason(self::verifier(), $token), $alg);
        }
        try {
            self::verifier(['algorithms' => ['none']]);
            self::fail('accepted none');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString('options[algorithms][0]: alg_none', $e->getMessage());
        }
    }

    public function testAlgorithmIsPinnedByTheKeyNoRsaToHmacConfusion(): void
    {
        $pem = self::$keys['rsa']['pem'];
        $claims = ['exp' => self::NOW + 60];
        // The classic attack: an HS256 token whose HMAC key is the RSA public key text.
        $attack = self::hs($claims, ['alg' => 'HS256'], $pem);
        $rs = new JwtVerifier(['alg' => 'RS256', 'pem' => $pem], ['algorithms' => ['RS256']]);
        self::assertSame('alg_mismatch', self::reason($rs, $attack));
        // Even with HS256 allowed, no key is bound to it.
        $both = new JwtVerifier(['alg' => 'RS256', 'pem' => $pem], ['algorithms' => ['RS256', 'HS256']]);
        self::assertSame('alg_mismatch', self::reason($both, $attack));
        // And a PEM cannot be configured as an HMAC secret for an RSA algorithm.
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessageMatches('/key_type_mismatch/');
        new JwtVerifier(['alg' => 'RS256', 'secret' => $pem], ['algorithms' => ['RS256']]);
    }

    public function testStrictEncodingAndJson(): void
    {
        $v = self::verifier();
        $good = self::hs(['exp' => self::NOW + 60]);
        self::assertNull(self::reason($v, $good));
        [$h, $p, $s] = explode('.', $good);
        self::assertSame('malformed', self::reason($v, "$h.$p"));
        self::assertSame('malformed', self::reason($v, "$h.$p.$s.x"));
        self::assertSame('malformed_base64', self::reason($v, "$h.$p.$s="));
        self::assertSame('malformed_base64', self::reason($v, " $good"));
        self::assertSame('malformed_base64', self::reason($v, strtr($good, '-_', '+/') . '+/'));
        // Non-zero trailing bits: 32 bytes take 43 characters, the last one carrying 2 unused
        // bits; the next alphabet character decodes to the same bytes with a bit set.
        $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        self::assertSame(43, strlen($s));
        self::assertSame(0, strpos($alphabet, $s[-1]) % 4);
        $next = $alphabet[strpos($alphabet, $s[-1]) + 1];
        self::assertSame('malformed_base64', self::reason($v, "$h.$p." . substr($s, 0, -1) . $next));
        // Duplicate member names, correctly signed.
        $dupPayload = self::b64('{"exp":1,"exp":' . (self::NOW + 60) . '}');
        $input = "$h.$dupPayload";
        self::assertSame('duplicate_json_key', self::reason($v, $input . '.' . self::b64(hash_hmac('sha256', $input, self::SECRET, true))));
        $dupHeader = self::b64('{"alg":"HS256","alg":"HS256"}');
        self::assertSame('duplicate_json_key', self::reason($v, "$dupHeader.$p.$s"));
        $array = "$h." . self::b64('[1]');
        self::assertSame('claims_not_object', self::reason($v, $array . '.' . self::b64(hash_hmac('sha256', $array, self::SECRET, true))));
        self::assertSame('crit_unsupported', self::reason($v, self::hs(['exp' => self::NOW + 60], ['alg' => 'HS256', 'crit' => ['exp']])));
        self::assertSame('unsupported_alg', self::reason($v, self::hs(['exp' => self::NOW + 60], ['alg' => 'hs256'])));
        self::assertSame('header_invalid', self::reason($v, self::hs(['exp' => self::NOW + 60], ['typ' => 'JWT'])));
    }

    public function testBinaryAndOversizedTokensNeverThrowTypeErrors(): void
    {
        $v = self::verifier(['maxTokenBytes' => 64]);
        self::assertSame('malformed_base64', self::reason($v, "\xff\xfe.\x00.\x80"));
        self::assertSame('token_too_large', self::reason($v, str_repeat('a', 65)));
        self::assertSame('malformed', self::reason($v, ''));
        $this->expectException(TokenException::class);
        $v->verify("\xc3\x28.e.e", self::NOW);
    }

    public function testIssuerAndAudience(): void
    {
        $claims = ['exp' => self::NOW + 60, 'iss' => 'https://idp.example', 'aud' => ['api', 'other']];
        self::assertSame('audience_mismatch', self::reason(self::verifier(), self::hs($claims)));
        $v = self::verifier(['issuer' => ['https://idp.example'], 'audience' => 'api']);
        self::assertNull(self::reason($v, self::hs($claims)));
        self::assertSame('issuer_mismatch', self::reason($v, self::hs(['iss' => 'https://evil.example'] + $claims)));
        self::assertSame('audience_mismatch', self::reason($v, self::hs(['aud' => 'nope'] + $claims)));
        self::assertSame('audience_mismatch', self::reason($v, self::hs(['exp' => self::NOW + 60, 'iss' => 'https://idp.example'])));
    }

    public function testKeySelectionByKid(): void
    {
        $a = str_repeat('a', 32);
        $b = str_repeat('b', 32);
        $v = new JwtVerifier(['keys' => [
            ['kty' => 'oct', 'k' => self::b64($a), 'kid' => 'ka', 'alg' => 'HS256'],
            ['kty' => 'oct', 'k' => self::b64($b), 'kid' => 'kb', 'alg' => 'HS256'],
        ]], ['algorithms' => ['HS256']]);
        $claims = ['exp' => self::NOW + 60];
        self::assertNull(self::reason($v, self::hs($claims, ['alg' => 'HS256', 'kid' => 'kb'], $b)));
        self::assertSame('signature_invalid', self::reason($v, self::hs($claims, ['alg' => 'HS256', 'kid' => 'ka'], $b)));
        self::assertSame('kid_unknown', self::reason($v, self::hs($claims, ['alg' => 'HS256', 'kid' => 'kc'], $b)));
        self::assertSame('kid_unknown', self::reason($v, self::hs($claims, ['alg' => 'HS256'], $b)));
        self::assertSame('kid_invalid', self::reason($v, self::hs($claims, ['alg' => 'HS256', 'kid' => 5], $b)));
        self::assertSame(['ka', 'kb'], array_column($v->keys(), 'kid'));
    }

    public function testTokensSignedByOpenssl(): void
    {
        $claims = ['sub' => 'x', 'exp' => self::NOW + 60];
        foreach ([
            ['RS256', 'rsa', OPENSSL_ALGO_SHA256, 0],
            ['RS384', 'rsa', OPENSSL_ALGO_SHA384, 0],
            ['RS512', 'rsa', OPENSSL_ALGO_SHA512, 0],
            ['ES256', 'p256', OPENSSL_ALGO_SHA256, 32],
            ['ES384', 'p384', OPENSSL_ALGO_SHA384, 48],
        ] as [$alg, $name, $hash, $size]) {
            $input = self::input(['alg' => $alg, 'typ' => 'JWT'], $claims);
            self::assertTrue(openssl_sign($input, $sig, self::$keys[$name]['private'], $hash));
            $high = null;
            if ($size > 0) {
                // OpenSSL returns s or n - s at random; only the low-S form is accepted.
                [$sig, $high] = self::lowAndHighS(self::derToJose($sig, $size), $size);
            }
            $token = $input . '.' . self::b64($sig);
            $d = self::$keys[$name]['details'];
            $jwk = $size > 0
                ? ['kty' => 'EC', 'crv' => $size === 32 ? 'P-256' : 'P-384',
                   'x' => self::b64(str_pad($d['ec']['x'], $size, "\0", STR_PAD_LEFT)),
                   'y' => self::b64(str_pad($d['ec']['y'], $size, "\0", STR_PAD_LEFT))]
                : ['kty' => 'RSA', 'n' => self::b64($d['rsa']['n']), 'e' => self::b64($d['rsa']['e'])];
            foreach ([['alg' => $alg, 'pem' => self::$keys[$name]['pem']], $jwk] as $key) {
                $v = new JwtVerifier($key, ['algorithms' => [$alg]]);
                self::assertSame($claims, $v->verify($token, self::NOW), $alg);
                $tampered = $input . 'x.' . self::b64($sig);
                self::assertNotNull(self::reason($v, $tampered), $alg);
                $other = self::input(['alg' => $alg], ['sub' => 'y', 'exp' => self::NOW + 60]) . '.' . self::b64($sig);
                self::assertSame('signature_invalid', self::reason($v, $other), $alg);
                if ($high !== null) {
                    // The same signature with s flipped to n - s: malleated, refused.
                    self::assertSame('signature_not_canonical', self::reason($v, $input . '.' . self::b64($high)), $alg);
                }
            }
            // The JWK (alg-less) and the PEM are the same key.
            $fromJwk = (new JwtVerifier($jwk, ['algorithms' => [$alg]]))->keys()[0];
            $fromPem = (new JwtVerifier(['alg' => $alg, 'pem' => self::$keys[$name]['pem']], ['algorithms' => [$alg]]))->keys()[0];
            self::assertSame($fromPem['thumbprint'], $fromJwk['thumbprint']);
        }
    }

    public function testTokensSignedBySodiumEd25519(): void
    {
        $pair = sodium_crypto_sign_keypair();
        $public = sodium_crypto_sign_publickey($pair);
        $input = self::input(['alg' => 'EdDSA'], ['exp' => self::NOW + 60]);
        $token = $input . '.' . self::b64(sodium_crypto_sign_detached($input, sodium_crypto_sign_secretkey($pair)));
        $pem = "-----BEGIN PUBLIC KEY-----\n" . base64_encode("\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00" . $public) . "\n-----END PUBLIC KEY-----\n";
        foreach ([['alg' => 'EdDSA', 'pem' => $pem], ['kty' => 'OKP', 'crv' => 'Ed25519', 'x' => self::b64($public)]] as $key) {
            $v = new JwtVerifier($key, ['algorithms' => ['EdDSA']]);
            self::assertSame(['exp' => self::NOW + 60], $v->verify($token, self::NOW));
            self::assertSame('Ed25519', $v->keys()[0]['curve']);
        }
    }

    /** @return iterable<string, array{0: array}> */
    public static function algorithmFixtures(): iterable
    {
        $f = json_decode((string) file_get_contents(__DIR__ . '/../../fixtures/jwt-algorithms.json'), true, 512, JSON_THROW_ON_ERROR);
        foreach ($f['algorithms'] as $e) {
            yield $e['alg'] => [$e];
        }
    }

    /** @dataProvider algorithmFixtures */
    public function testEverySupportedAlgorithm(array $e): void
    {
        $spec = isset($e['secret_hex'])
            ? ['alg' => $e['alg'], 'secret' => hex2bin($e['secret_hex'])]
            : ['alg' => $e['alg'], 'pem' => $e['pem']];
        foreach ([$spec, $e['jwk']] as $key) {
            $v = new JwtVerifier($key, ['algorithms' => [$e['alg']]]);
            self::assertSame('fixture', $v->verify($e['token'], self::NOW)['sub']);
            [$h, , $sig] = explode('.', $e['token']);
            $forged = $h . '.' . self::b64('{"sub":"admin","exp":4102444800}') . '.' . $sig;
            self::assertSame('signature_invalid', self::reason($v, $forged));
        }
    }

    public function testConfigurationErrorsNameEveryBadKeyWithoutSecrets(): void
    {
        $rsa1024 = openssl_pkey_get_details(openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => 1024]))['key'];
        openssl_pkey_export(self::$keys['p256']['private'], $privatePem);
        try {
            new JwtVerifier([
                ['alg' => 'HS256', 'secret' => 'too-short-secret'],
                ['alg' => 'RS256', 'pem' => $rsa1024],
                ['alg' => 'ES256', 'pem' => self::$keys['p384']['pem']],
                ['alg' => 'ES384', 'pem' => self::$keys['p256']['pem']],
                ['alg' => 'ES256', 'pem' => $privatePem],
                ['alg' => 'HS256', 'secret' => ''],
                ['alg' => 'HS512', 'secret' => random_bytes(63)],
                ['kty' => 'RSA', 'n' => 'AQAB', 'e' => 'AQAB', 'd' => 'AQAB'],
            ], ['algorithms' => ['HS256', 'HS512', 'RS256', 'ES256', 'ES384'], 'leeway' => -1, 'nope' => 1]);
            self::fail('accepted');
        } catch (InvalidInputException $e) {
            $m = $e->getMessage();
            foreach ([
                'keys[0]: weak_key', 'keys[1]: weak_key', 'keys[2]: key_type_mismatch', 'keys[3]: weak_key',
                'keys[4]: key_invalid', 'keys[5]: key_invalid', 'keys[6]: weak_key', 'keys[7]: jwk_invalid',
                'options[leeway]', 'options[nope]: unknown option',
            ] as $needle) {
                self::assertStringContainsString($needle, $m);
            }
            self::assertStringNotContainsString('too-short-secret', $m);
            self::assertStringNotContainsString('PRIVATE', $m);
        }
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessageMatches('/options\[algorithms\]: is required/');
        new JwtVerifier(['alg' => 'HS256', 'secret' => self::SECRET], []);
    }

    public function testFeaturesAreListedInTheInfoTable(): void
    {
        ob_start();
        (new \ReflectionExtension('agents_core'))->info();
        $info = (string) ob_get_clean();
        self::assertMatchesRegularExpression('/features => .*\bjwt\b.*\bwebhooks\b.*\bredaction\b/', $info);
    }

    public function testClassIsFinal(): void
    {
        self::assertTrue((new \ReflectionClass(JwtVerifier::class))->isFinal());
    }
}
