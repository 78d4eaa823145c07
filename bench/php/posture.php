<?php

// Posture with 100 managed credentials: a userland PHP floor (profile resolution, boolean and
// integer settings, expiry counts, delivery mode, the posture array) against the extension, in
// one process.
//
//   php -d extension=$PWD/target/release/libagents_core.so bench/php/posture.php [--json]
//
// --json prints the rows for bench/report.php instead of the table.

declare(strict_types=1);

use Agents\Core\Guard;

use function Agents\Core\posture;

require __DIR__ . '/common.php';

const NOW = 1_700_000_000;
[$json] = bench_start($argv);

$env = [
    'ENVIRONMENT' => 'production',
    'PLUGIN_AGENTS_API_TOKEN' => 'sk-legacy-0123456789abcdefghij',
    'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'false',
    'PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE' => '120',
    'PLUGIN_AGENTS_WEBHOOK_URL' => 'https://hooks.example.com/in?key=abc',
    'PLUGIN_AGENTS_WEBHOOK_SECRET' => 'whsec-0123456789',
    'PLUGIN_AGENTS_TOKEN_SCOPES' => 'auth:read health:read entries:read',
];

$rows = [];
for ($i = 0; $i < 100; $i++) {
    $rows[] = [
        'id' => $i + 1,
        'handle' => sprintf('agent-%03d', $i),
        'tokenHash' => str_pad(dechex($i + 1), 64, '0', STR_PAD_LEFT),
        'scopes' => ['auth:read', 'health:read', 'entries:read'],
        'ipAllowlist' => [],
        'expiresAt' => [null, NOW + 90 * 86400, NOW + 2 * 86400, NOW - 60][$i % 4],
        'revokedAt' => null,
        'pausedAt' => null,
        'reminderDays' => 7,
        'forceHumanApproval' => false,
        'webhookResourceTypes' => $i % 10 === 0 ? ['entry'] : [],
        'webhookActions' => [],
    ];
}

/** The userland floor: the same decisions written plainly in PHP. */
function userland_posture(array $env, array $rows, int $now): array
{
    $text = static function (string $k) use ($env): ?string {
        $v = isset($env[$k]) ? trim((string) $env[$k]) : '';
        return ($v === '' || preg_match('/^\$(\{\w+\}|\w+)$/', $v)) ? null : $v;
    };
    $bool = static function (string $k, bool $d, array &$applied, string $field) use ($text): bool {
        $v = $text($k);
        $b = $v === null ? null : filter_var($v, FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE);
        if ($b === null) {
            $applied[] = $field;
            return $d;
        }
        return $b;
    };
    $int = static function (string $k, int $d, int $cap, array &$applied, string $field) use ($text): int {
        $v = $text($k);
        if ($v === null || !ctype_digit($v) || (int) $v < 1) {
            $applied[] = $field;
            return $d;
        }
        return min((int) $v, $cap);
    };
    $aliases = ['prod' => 'production', 'production' => 'production', 'stage' => 'staging', 'staging' => 'staging',
        'test' => 'test', 'testing' => 'test', 'ci' => 'test', 'local' => 'local', 'dev' => 'local', 'development' => 'local'];
    $environment = strtolower($text('ENVIRONMENT') ?? $text('CRAFT_ENVIRONMENT') ?? 'production');
    $explicit = $text('PLUGIN_AGENTS_ENV_PROFILE');
    $profile = $aliases[strtolower($explicit ?? $environment)] ?? 'production';
    $prod = $profile === 'production';
    $applied = [];
    $requested = $bool('PLUGIN_AGENTS_REQUIRE_TOKEN', true, $applied, 'requireToken');
    $insecure = $bool('PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD', false, $applied, 'allowInsecureNoTokenInProd');
    $query = $bool('PLUGIN_AGENTS_ALLOW_QUERY_TOKEN', false, $applied, 'allowQueryToken');
    $fail = $bool('PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD', true, $applied, 'failOnMissingTokenInProd');
    $redact = $bool('PLUGIN_AGENTS_REDACT_EMAIL', true, $applied, 'redactEmail');
    $rate = $int('PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE', $prod ? 60 : 300, PHP_INT_MAX, $applied, 'rateLimitPerMinute');
    $window = $int('PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS', 60, PHP_INT_MAX, $applied, 'rateLimitWindowSeconds');
    $timeout = $int('PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS', 5, 60, $applied, 'webhookTimeoutSeconds');
    $attempts = $int('PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS', 3, 10, $applied, 'webhookMaxAttempts');
    sort($applied);
    $required = $requested || ($prod && !$insecure);
    $scopes = preg_split('/[\s,]+/', strtolower($text('PLUGIN_AGENTS_TOKEN_SCOPES') ?? ''), -1, PREG_SPLIT_NO_EMPTY);
    sort($scopes);
    $scopes = $scopes ?: ['auth:read', 'health:read', 'readiness:read', 'capabilities:read', 'openapi:read'];

    $ids = [];
    $expiry = ['expired' => 0, 'expiringSoon' => 0, 'activeWithExpiry' => 0];
    $targeted = false;
    foreach ($rows as $r) {
        if ($r['revokedAt'] !== null || !preg_match('/^[0-9a-f]{64}$/', $r['tokenHash'])) {
            continue;
        }
        if ($r['expiresAt'] !== null) {
            $left = $r['expiresAt'] - $now;
            if ($left <= 0) {
                $expiry['expired']++;
                continue;
            }
            $expiry['activeWithExpiry']++;
            if (intdiv($left, 86400) <= $r['reminderDays']) {
                $expiry['expiringSoon']++;
            }
        }
        if ($r['pausedAt'] !== null) {
            continue;
        }
        $targeted = $targeted || $r['webhookResourceTypes'] !== [] || $r['webhookActions'] !== [];
        $ids[] = 'cp:' . $r['handle'];
    }
    if ($text('PLUGIN_AGENTS_API_TOKEN') !== null) {
        $ids[] = 'env:default';
    }
    $warnings = [];
    if ($expiry['expired'] > 0) {
        $warnings[] = ['level' => 'warning', 'code' => 'credential_expired', 'message' => "{$expiry['expired']} managed credentials have expired."];
    }
    if ($expiry['expiringSoon'] > 0) {
        $warnings[] = ['level' => 'warning', 'code' => 'credential_expiring_soon', 'message' => "{$expiry['expiringSoon']} managed credentials expire soon."];
    }
    if ($required && $ids === []) {
        $warnings[] = ['level' => $prod && $fail ? 'error' : 'warning', 'code' => 'missing_credentials', 'message' => 'No credentials.'];
    }
    $url = $text('PLUGIN_AGENTS_WEBHOOK_URL');
    $parts = $url === null ? false : parse_url($url);
    $host = is_array($parts) && isset($parts['scheme'], $parts['host']) ? strtolower($parts['scheme'] . '://' . $parts['host']) : null;
    $secret = $text('PLUGIN_AGENTS_WEBHOOK_SECRET') !== null;
    $errors = count(array_filter($warnings, static fn (array $w): bool => $w['level'] === 'error'));

    return [
        'environment' => $environment,
        'profile' => ['name' => $profile, 'source' => $explicit === null ? 'inferred' : 'env', 'defaultsApplied' => $applied !== [],
            'defaultsAppliedFields' => $applied, 'effectivePolicyVersion' => 'env-profile-v1'],
        'authentication' => ['required' => $required, 'requestedRequireToken' => $requested,
            'tokenRequirementForcedInProd' => !$requested && $prod && !$insecure, 'allowInsecureNoTokenInProd' => $insecure,
            'allowQueryToken' => $query, 'failOnMissingTokenInProd' => $fail, 'credentialCount' => count($ids),
            'envCredentialCount' => $text('PLUGIN_AGENTS_API_TOKEN') !== null ? 1 : 0,
            'managedCredentialCount' => count($ids) - ($text('PLUGIN_AGENTS_API_TOKEN') !== null ? 1 : 0),
            'credentialIds' => $ids, 'tokenScopes' => $scopes],
        'credentialExpiry' => $expiry,
        'rateLimit' => ['perMinute' => $rate, 'windowSeconds' => $window],
        'privacy' => ['redactEmail' => $redact],
        'webhook' => ['enabled' => $url !== null && $secret, 'urlConfigured' => $url !== null, 'secretConfigured' => $secret,
            'destinationHost' => $host, 'timeoutSeconds' => $timeout, 'maxAttempts' => $attempts,
            'deliveryMode' => $targeted ? 'targeted' : 'firehose'],
        'warnings' => $warnings,
        'warningCounts' => ['warnings' => count($warnings) - $errors, 'errors' => $errors],
        'verdict' => $errors > 0 ? 'critical' : ($warnings === [] ? 'ok' : 'warn'),
    ];
}

/** Median µs per call over 7 rounds of $n calls, after 200 warm-up calls. */
function median_us(callable $f, int $n): float
{
    return bench_measure(bench_each($f), $n, 7, BENCH_MEDIAN, 200) / 1000;
}

$options = ['now' => NOW];
$guard = new Guard($env, $rows, $options);
$n = 5000;
$floor = median_us(static fn () => userland_posture($env, $rows, NOW), $n);
$cases = [
    'userland PHP posture (floor)' => $floor,
    'Agents\Core\posture($env, $rows)' => median_us(static fn () => posture($env, $rows, $options), $n),
    'new Guard($env, $rows)' => median_us(static fn () => new Guard($env, $rows, $options), $n),
    '$guard->posture()' => median_us(static fn () => $guard->posture(), $n),
    '$guard->capabilities()' => median_us(static fn () => $guard->capabilities(), $n),
    '$guard->warnings()' => median_us(static fn () => $guard->warnings(), $n),
    '$guard->diagnostics()' => median_us(static fn () => $guard->diagnostics(), $n),
];

if ($json) {
    $rows = [];
    foreach ($cases as $name => $us) {
        if ($name !== 'userland PHP posture (floor)') {
            $rows[] = bench_row($name, $us * 1000, $floor * 1000, str_contains($name, 'posture(') ? 50_000 : null);
        }
    }
    bench_print_json($rows);
}
printf("PHP %s, agents_core %s, 100 managed credentials, %d calls x 7 rounds (median)\n\n", PHP_VERSION, AGENTS_CORE_VERSION, $n);
printf("| %-34s | %10s | %16s |\n", 'case', 'µs/call', 'speed-up vs floor');
printf("|%s|%s|%s|\n", str_repeat('-', 36), str_repeat('-', 12), str_repeat('-', 18));
foreach ($cases as $name => $us) {
    printf("| %-34s | %10.2f | %15.2fx |\n", $name, $us, $floor / $us);
}
