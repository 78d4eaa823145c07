<?php
// JWT and webhook verification: the extension against a userland PHP floor built on PHP's
// built-ins, in one process. The floor does the minimum a correct verifier must do: split,
// base64url-decode, json_decode header and payload, check alg and exp, verify the signature
// (hash_hmac + hash_equals; openssl_verify with the key loaded once, the ES256 signature
// converted to DER; for PS256, which openssl_verify cannot check, openssl_public_decrypt without
// padding and EMSA-PSS-VERIFY in PHP; sodium_crypto_sign_verify_detached).
//
// Targets: HS256 at most 1 µs; RS256, PS256 and ES256 at most 1.0× the openssl_verify floor of
// the same run (RS256's for PS256); EdDSA at most 1.0× the sodium floor.
//
//   cargo build --release
//   php -d extension=$PWD/target/release/libagents_core.so bench/php/jwt.php [rounds] [--json]
//
// Prints µs per call (median of the rounds), the ratio extension / floor (< 1: faster) and each
// target with met / not met; --json prints the rows for bench/report.php instead.

declare(strict_types=1);

use Agents\Core\JwtVerifier;

use function Agents\Core\webhook_verify;

require __DIR__ . '/common.php';

const NOW = 1_700_000_000;
[$json, $args] = bench_start($argv);
$rounds = max(1, (int) ($args[0] ?? 5));
$rows = [];
/**
 * One result row: kept for --json, printed otherwise. $target is null, ['us' => limit] or
 * ['ratio' => r, 'floor' => µs, 'label' => name]: at most r times that floor of the same run.
 */
function row(array &$rows, bool $json, string $case, float $floor, float $ext, ?array $target): void
{
    [$targetNs, $note] = match (true) {
        $target === null => [null, null],
        isset($target['us']) => [$target['us'] * 1000, null],
        default => [$target['ratio'] * $target['floor'] * 1000,
            sprintf('%.1f× the %s floor', $target['ratio'], $target['label'])],
    };
    $rows[] = bench_row($case, $ext * 1000, $floor * 1000, $targetNs) + ['target_note' => $note];
    if (!$json) {
        $goal = $targetNs === null ? '' : sprintf('≤ %.2f µs%s: %s', $targetNs / 1000,
            $note === null ? '' : " ($note)", $ext * 1000 <= $targetNs ? 'met' : 'NOT MET');
        printf("| %-34s | %12.2f | %12.2f | %9.2f | %s\n", $case, $floor, $ext, $ext / $floor, $goal);
    }
}

function b64d(string $s): string|false
{
    return base64_decode(strtr($s, '-_', '+/'), true);
}

/** Userland floor: returns the claims or null. */
function floor_verify(string $token, string $alg, mixed $key): ?array
{
    $parts = explode('.', $token);
    if (count($parts) !== 3) {
        return null;
    }
    [$h, $p, $s] = $parts;
    $header = json_decode((string) b64d($h), true);
    if (!is_array($header) || ($header['alg'] ?? null) !== $alg) {
        return null;
    }
    $sig = b64d($s);
    if ($sig === false) {
        return null;
    }
    $input = "$h.$p";
    $ok = match ($alg) {
        'HS256' => hash_equals(hash_hmac('sha256', $input, $key, true), $sig),
        'RS256' => openssl_verify($input, $sig, $key, OPENSSL_ALGO_SHA256) === 1,
        'PS256' => pss_verify_sha256($input, $sig, $key),
        'ES256' => strlen($sig) === 64 && openssl_verify($input, jose_to_der($sig), $key, OPENSSL_ALGO_SHA256) === 1,
        'EdDSA' => strlen($sig) === SODIUM_CRYPTO_SIGN_BYTES && sodium_crypto_sign_verify_detached($sig, $input, $key),
    };
    if (!$ok) {
        return null;
    }
    $claims = json_decode((string) b64d($p), true);
    if (!is_array($claims) || !is_int($claims['exp'] ?? null) || $claims['exp'] <= NOW) {
        return null;
    }
    return $claims;
}

/**
 * RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017 §8.1.2, §9.1.2) for a
 * 2048-bit key: the raw RSA operation by OpenSSL, the encoding checked in PHP.
 */
function pss_verify_sha256(string $input, string $sig, OpenSSLAsymmetricKey $key): bool
{
    $em = '';
    if (strlen($sig) !== 256 || !openssl_public_decrypt($sig, $em, $key, OPENSSL_NO_PADDING)) {
        return false;
    }
    // emBits = 2047: emLen = 256, one leftmost bit to clear.
    if ($em[255] !== "\xbc" || (ord($em[0]) & 0x80) !== 0) {
        return false;
    }
    $maskedDb = substr($em, 0, 223);
    $h = substr($em, 223, 32);
    $mask = '';
    for ($counter = 0; strlen($mask) < 223; $counter++) {
        $mask .= hash('sha256', $h . pack('N', $counter), true);
    }
    $db = $maskedDb ^ substr($mask, 0, 223);
    $db[0] = chr(ord($db[0]) & 0x7f);
    // DB = PS (190 zero bytes) || 0x01 || salt (32 bytes).
    if (strspn($db, "\0", 0, 190) !== 190 || $db[190] !== "\x01") {
        return false;
    }
    $mHash = hash('sha256', $input, true);
    return hash_equals($h, hash('sha256', str_repeat("\0", 8) . $mHash . substr($db, 191), true));
}

function jose_to_der(string $sig): string
{
    $der = '';
    foreach (str_split($sig, 32) as $int) {
        $int = ltrim($int, "\0");
        if ($int === '' || ord($int[0]) > 0x7f) {
            $int = "\0" . $int;
        }
        $der .= "\x02" . chr(strlen($int)) . $int;
    }
    return "\x30" . chr(strlen($der)) . $der;
}

/** Median µs per call of $fn over $rounds rounds of $n calls. */
function median_us(callable $fn, int $n, int $rounds): float
{
    return bench_measure(bench_each($fn), $n, $rounds, BENCH_MEDIAN) / 1e3;
}

$fixtures = json_decode((string) file_get_contents(__DIR__ . '/../../tests/fixtures/jwt-algorithms.json'), true, 512, JSON_THROW_ON_ERROR);
$byAlg = array_column($fixtures['algorithms'], null, 'alg');

if (!$json) {
    printf("PHP %s, %s, opcache.enable_cli=%s, JIT=%s, %d rounds\n\n", PHP_VERSION, php_uname('m'),
        ini_get('opcache.enable_cli') ?: '0', ini_get('opcache.jit') ?: 'off', $rounds);
    printf("| %-34s | %12s | %12s | %9s | %s\n", 'call', 'floor µs', 'extension µs', 'ext/floor', 'target');
    printf("|%s|%s|%s|%s|%s\n", str_repeat('-', 36), str_repeat('-', 14), str_repeat('-', 14), str_repeat('-', 11), str_repeat('-', 10));
}

$floors = [];
foreach (['HS256' => 100_000, 'RS256' => 2_000, 'PS256' => 2_000, 'ES256' => 2_000, 'EdDSA' => 2_000] as $alg => $n) {
    $e = $byAlg[$alg];
    $token = $e['token'];
    [$spec, $floorKey] = match ($alg) {
        'HS256' => [['alg' => $alg, 'secret' => hex2bin($e['secret_hex'])], hex2bin($e['secret_hex'])],
        'EdDSA' => [['alg' => $alg, 'pem' => $e['pem']], b64d($e['jwk']['x'])],
        default => [['alg' => $alg, 'pem' => $e['pem']], openssl_pkey_get_public($e['pem'])],
    };
    $v = new JwtVerifier($spec, ['algorithms' => [$alg]]);
    $want = $v->verify($token, NOW);
    if (floor_verify($token, $alg, $floorKey) !== $want) {
        fwrite(STDERR, "$alg: floor and extension disagree\n");
        exit(1);
    }
    $floor = $floors[$alg] = median_us(fn () => floor_verify($token, $alg, $floorKey), $n, $rounds);
    $ext = median_us(fn () => $v->check($token, NOW), $n, $rounds);
    $target = match ($alg) {
        'HS256' => ['us' => 1.0],
        // openssl_verify has no PSS mode: PS256 is held to the RS256 openssl_verify floor (same
        // key, same RSA operation), which is faster than its own userland PSS floor.
        'PS256' => ['ratio' => 1.0, 'floor' => $floors['RS256'], 'label' => 'RS256 openssl_verify'],
        'RS256', 'ES256' => ['ratio' => 1.0, 'floor' => $floor, 'label' => 'openssl_verify'],
        'EdDSA' => ['ratio' => 1.0, 'floor' => $floor, 'label' => 'sodium_crypto_sign_verify_detached'],
    };
    row($rows, $json, "$alg verify", $floor, $ext, $target);
}

// Webhooks: the receiver's floor looks both headers up case-insensitively, checks the window
// and compares hash_hmac with hash_equals.
$secret = 'whsec_0123456789abcdef0123456789';
$body = '{"id":"evt_0123456789abcdef","resourceType":"entry","action":"updated","snapshot":{"title":"Hello"}}';
$headers = Agents\Core\webhook_sign($secret, $body, NOW, 'evt_0123456789abcdef');
$floorWebhook = function () use ($secret, $body, $headers): bool {
    $h = array_change_key_case($headers);
    $ts = $h['x-agents-webhook-timestamp'] ?? '';
    $sig = $h['x-agents-webhook-signature'] ?? '';
    if (!ctype_digit($ts) || abs(NOW - (int) $ts) > 300 || !str_starts_with($sig, 'sha256=')) {
        return false;
    }
    return hash_equals(hash_hmac('sha256', $ts . '.' . $body, $secret), substr($sig, 7));
};
if (!$floorWebhook() || !webhook_verify($secret, $body, $headers, 300, NOW)['valid']) {
    fwrite(STDERR, "webhook: floor and extension disagree\n");
    exit(1);
}
$floor = median_us($floorWebhook, 100_000, $rounds);
$ext = median_us(fn () => webhook_verify($secret, $body, $headers, 300, NOW), 100_000, $rounds);
row($rows, $json, 'webhook_verify', $floor, $ext, null);
if ($json) {
    bench_print_json($rows);
}
