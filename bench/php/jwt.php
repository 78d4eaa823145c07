<?php
// JWT and webhook verification: the extension against a userland PHP floor built on PHP's
// built-ins, in one process. The floor does the minimum a correct verifier must do: split,
// base64url-decode, json_decode header and payload, check alg and exp, verify the signature
// (hash_hmac + hash_equals; openssl_verify with the key loaded once, the ES256 signature
// converted to DER; sodium_crypto_sign_verify_detached).
//
//   cargo build --release
//   php -d extension=$PWD/target/release/libagents_core.so bench/php/jwt.php [rounds] [--json]
//
// Prints µs per call (median of the rounds) and the ratio extension / floor (< 1: faster);
// --json prints the rows for bench/report.php instead.

declare(strict_types=1);

use Agents\Core\JwtVerifier;

use function Agents\Core\webhook_verify;

require __DIR__ . '/common.php';

const NOW = 1_700_000_000;
[$json, $args] = bench_start($argv);
$rounds = max(1, (int) ($args[0] ?? 5));
$rows = [];
/** One result row: kept for --json, printed otherwise. */
function row(array &$rows, bool $json, string $case, float $floor, float $ext, ?float $targetUs): void
{
    $rows[] = bench_row($case, $ext * 1000, $floor * 1000, $targetUs === null ? null : $targetUs * 1000);
    if (!$json) {
        printf("| %-34s | %12.2f | %12.2f | %9.2f |\n", $case, $floor, $ext, $ext / $floor);
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
    printf("| %-34s | %12s | %12s | %9s |\n", 'call', 'floor µs', 'extension µs', 'ext/floor');
    printf("|%s|%s|%s|%s|\n", str_repeat('-', 36), str_repeat('-', 14), str_repeat('-', 14), str_repeat('-', 11));
}

foreach (['HS256' => 100_000, 'RS256' => 2_000, 'ES256' => 2_000, 'EdDSA' => 2_000] as $alg => $n) {
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
    $floor = median_us(fn () => floor_verify($token, $alg, $floorKey), $n, $rounds);
    $ext = median_us(fn () => $v->check($token, NOW), $n, $rounds);
    row($rows, $json, "$alg verify", $floor, $ext, $alg === 'HS256' ? 1.0 : null);
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
