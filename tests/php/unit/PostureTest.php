<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use PHPUnit\Framework\TestCase;

use function Agents\Core\posture;

final class PostureTest extends TestCase
{
    private const NOW = 1_700_000_000;
    private const API_TOKEN = 'legacy-token-0123456789abcdefghij';

    /** @param array<string, mixed> $env */
    private static function guard(array $env, array $rows = [], array $options = []): Guard
    {
        return new Guard($env, $rows, $options + ['now' => self::NOW]);
    }

    /** @return list<string> */
    private static function codes(array $warnings): array
    {
        return array_map(static fn (array $w): string => $w['code'], $warnings);
    }

    // ---- profiles -------------------------------------------------------------------------

    /** @return iterable<string, array{string, string}> */
    public static function aliases(): iterable
    {
        $table = [
            'prod' => 'production', 'production' => 'production', ' Production ' => 'production',
            'stage' => 'staging', 'staging' => 'staging', 'STAGING' => 'staging',
            'test' => 'test', 'testing' => 'test', 'ci' => 'test', 'CI' => 'test',
            'local' => 'local', 'dev' => 'local', 'development' => 'local', 'Dev' => 'local',
        ];
        foreach ($table as $alias => $profile) {
            yield "'$alias'" => [$alias, $profile];
        }
    }

    /** @dataProvider aliases */
    public function testEveryProfileValueAndAlias(string $alias, string $profile): void
    {
        $g = self::guard(['ENVIRONMENT' => 'live', 'PLUGIN_AGENTS_ENV_PROFILE' => $alias]);
        $p = $g->posture();
        self::assertSame($profile, $p['profile']['name']);
        self::assertSame('env', $p['profile']['source']);
        self::assertSame('live', $p['environment']);
        self::assertNotContains('invalid_env_profile', self::codes($g->warnings()));
        self::assertNotContains('unknown_environment', self::codes($g->warnings()));
        $caps = $g->capabilities();
        self::assertSame($profile, $caps['environmentProfile']);
        self::assertSame($profile, $caps['runtimeProfile']['environmentProfile']);
        self::assertSame('env', $caps['environmentProfileSource']);
    }

    /** @return iterable<string, array{string}> */
    public static function invalidProfiles(): iterable
    {
        foreach (['qa', 'prd', 'live', 'productionn', '1'] as $v) {
            yield $v => [$v];
        }
    }

    /** @dataProvider invalidProfiles */
    public function testInvalidProfileFallsBackToProductionWithAWarning(string $value): void
    {
        $g = self::guard(['CRAFT_ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_ENV_PROFILE' => $value]);
        $p = $g->posture();
        self::assertSame('production', $p['profile']['name']);
        self::assertSame('env', $p['profile']['source']);
        self::assertSame(['invalid_env_profile'], array_values(array_filter(
            self::codes($p['warnings']),
            static fn (string $c): bool => $c === 'invalid_env_profile',
        )));
        // Production guardrail applies: REQUIRE_TOKEN=false would be refused.
        $g = self::guard([
            'CRAFT_ENVIRONMENT' => 'dev',
            'PLUGIN_AGENTS_ENV_PROFILE' => $value,
            'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false',
        ]);
        self::assertTrue($g->posture()['authentication']['required']);
        self::assertTrue($g->posture()['authentication']['tokenRequirementForcedInProd']);
    }

    /** @return iterable<string, array{array<string, mixed>, string, string, list<string>}> */
    public static function inferenceRows(): iterable
    {
        yield 'nothing set' => [[], 'production', 'production', []];
        yield 'empty ENVIRONMENT' => [['ENVIRONMENT' => ''], 'production', 'production', []];
        yield 'CRAFT_ENVIRONMENT dev' => [['CRAFT_ENVIRONMENT' => 'dev'], 'dev', 'local', []];
        yield 'ENVIRONMENT wins' => [['ENVIRONMENT' => 'staging', 'CRAFT_ENVIRONMENT' => 'dev'], 'staging', 'staging', []];
        yield 'blank ENVIRONMENT' => [['ENVIRONMENT' => '  ', 'CRAFT_ENVIRONMENT' => 'testing'], 'testing', 'test', []];
        yield 'trailing space' => [['ENVIRONMENT' => 'Production '], 'production', 'production', []];
        yield 'prod' => [['CRAFT_ENVIRONMENT' => 'PROD'], 'prod', 'production', []];
        yield 'unknown live' => [['ENVIRONMENT' => 'live'], 'live', 'production', ['unknown_environment']];
        yield 'unknown prd' => [['CRAFT_ENVIRONMENT' => 'prd'], 'prd', 'production', ['unknown_environment']];
        yield 'unresolved' => [['ENVIRONMENT' => '$ENVIRONMENT', 'CRAFT_ENVIRONMENT' => 'local'], 'local', 'local', ['unresolved_env_reference']];
        yield 'empty profile' => [['ENVIRONMENT' => 'ci', 'PLUGIN_AGENTS_ENV_PROFILE' => ''], 'ci', 'test', []];
        yield 'null ENVIRONMENT' => [['ENVIRONMENT' => null, 'CRAFT_ENVIRONMENT' => 'stage'], 'stage', 'staging', []];
    }

    /**
     * @dataProvider inferenceRows
     * @param list<string> $expectedCodes
     */
    public function testInference(array $env, string $environment, string $profile, array $expectedCodes): void
    {
        $env['PLUGIN_AGENTS_API_TOKEN'] = self::API_TOKEN;
        $p = self::guard($env)->posture();
        self::assertSame($environment, $p['environment']);
        self::assertSame($profile, $p['profile']['name']);
        self::assertSame('inferred', $p['profile']['source']);
        $profileCodes = array_values(array_intersect(
            self::codes($p['warnings']),
            ['unknown_environment', 'unresolved_env_reference', 'invalid_env_profile'],
        ));
        self::assertSame($expectedCodes, $profileCodes);
    }

    public function testProfileDefaultsAndAppliedFields(): void
    {
        $all = [
            'allowInsecureNoTokenInProd', 'allowQueryToken', 'failOnMissingTokenInProd',
            'rateLimitPerMinute', 'rateLimitWindowSeconds', 'redactEmail', 'requireToken',
            'webhookMaxAttempts', 'webhookTimeoutSeconds',
        ];
        foreach (['local' => [300, 2], 'test' => [300, 2], 'staging' => [120, 3], 'production' => [60, 3]] as $name => [$rate, $attempts]) {
            $p = self::guard(['PLUGIN_AGENTS_ENV_PROFILE' => $name])->posture();
            self::assertSame($rate, $p['rateLimit']['perMinute'], $name);
            self::assertSame(60, $p['rateLimit']['windowSeconds'], $name);
            self::assertSame(5, $p['webhook']['timeoutSeconds'], $name);
            self::assertSame($attempts, $p['webhook']['maxAttempts'], $name);
            self::assertTrue($p['profile']['defaultsApplied']);
            self::assertSame($all, $p['profile']['defaultsAppliedFields']);
            self::assertSame('env-profile-v1', $p['profile']['effectivePolicyVersion']);
        }
        $env = [
            'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'true',
            'PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD' => 'false',
            'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'false',
            'PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD' => 'true',
            'PLUGIN_AGENTS_REDACT_EMAIL' => 'true',
            'PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE' => '61',
            'PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS' => '30',
            'PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS' => '7',
            'PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS' => '4',
        ];
        $p = self::guard($env)->posture();
        self::assertFalse($p['profile']['defaultsApplied']);
        self::assertSame([], $p['profile']['defaultsAppliedFields']);
        self::assertSame(['perMinute' => 61, 'windowSeconds' => 30], $p['rateLimit']);
        unset($env['PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE']);
        $env['PLUGIN_AGENTS_REDACT_EMAIL'] = 'nope';
        $p = self::guard($env)->posture();
        self::assertSame(['rateLimitPerMinute', 'redactEmail'], $p['profile']['defaultsAppliedFields']);
    }

    // ---- the production guardrail ---------------------------------------------------------

    /** @return iterable<string, array{string, ?string, ?string, bool}> */
    public static function guardrailMatrix(): iterable
    {
        foreach (['local', 'test', 'staging', 'production'] as $profile) {
            foreach ([null, 'true', 'false'] as $require) {
                foreach ([null, 'true', 'false'] as $insecure) {
                    foreach ([false, true] as $creds) {
                        $name = sprintf('%s require=%s insecure=%s creds=%s', $profile, $require ?? 'unset', $insecure ?? 'unset', $creds ? 'yes' : 'no');
                        yield $name => [$profile, $require, $insecure, $creds];
                    }
                }
            }
        }
    }

    /** @dataProvider guardrailMatrix */
    public function testGuardrailMatrix(string $profile, ?string $require, ?string $insecure, bool $creds): void
    {
        $env = ['PLUGIN_AGENTS_ENV_PROFILE' => $profile];
        if ($require !== null) {
            $env['PLUGIN_AGENTS_REQUIRE_TOKEN'] = $require;
        }
        if ($insecure !== null) {
            $env['PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD'] = $insecure;
        }
        if ($creds) {
            $env['PLUGIN_AGENTS_API_TOKEN'] = self::API_TOKEN;
        }
        // [spec:token-requirement], with production taken from the profile.
        $prod = $profile === 'production';
        $requested = $require !== 'false';
        $bypass = $insecure === 'true';
        $effective = $requested || ($prod && !$bypass);
        $forced = !$requested && $prod && !$bypass;
        $want = [];
        if ($forced) {
            $want[] = ['token_requirement_forced_in_prod', 'error'];
        } elseif (!$requested) {
            $want[] = ['token_enforcement_disabled', 'warning'];
        }
        if ($prod && !$requested && $bypass) {
            $want[] = ['insecure_no_token_in_prod', 'warning'];
        }
        if ($effective && !$creds) {
            $want[] = ['missing_credentials', $prod ? 'error' : 'warning'];
        }

        $g = self::guard($env);
        $p = $g->posture();
        $auth = $p['authentication'];
        self::assertSame($effective, $auth['required']);
        self::assertSame($requested, $auth['requestedRequireToken']);
        self::assertSame($forced, $auth['tokenRequirementForcedInProd']);
        self::assertSame($creds ? 1 : 0, $auth['credentialCount']);
        self::assertSame(
            $want,
            array_map(static fn (array $w): array => [$w['code'], $w['level']], $g->warnings()),
        );
        $verdict = $want === [] ? 'ok' : (in_array('error', array_column($want, 1), true) ? 'critical' : 'warn');
        self::assertSame($verdict, $p['verdict']);
        self::assertSame($effective, $g->capabilities()['required']);
        self::assertSame($forced, $g->capabilities()['tokenRequirementForcedInProd']);
    }

    public function testFailOnMissingTokenInProdOnlyChangesTheLevel(): void
    {
        $level = static function (array $env): string {
            $ws = array_values(array_filter(
                self::guard($env)->warnings(),
                static fn (array $w): bool => $w['code'] === 'missing_credentials',
            ));
            self::assertCount(1, $ws);

            return $ws[0]['level'];
        };
        self::assertSame('error', $level([]));
        self::assertSame('warning', $level(['PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD' => 'false']));
        self::assertSame('warning', $level(['ENVIRONMENT' => 'staging']));
        // The token stays required either way.
        $p = self::guard(['PLUGIN_AGENTS_FAIL_ON_MISSING_TOKEN_IN_PROD' => 'false'])->posture();
        self::assertTrue($p['authentication']['required']);
        self::assertFalse($p['authentication']['failOnMissingTokenInProd']);
    }

    // ---- parsing ---------------------------------------------------------------------------

    /** @return iterable<string, array{mixed, bool, ?string}> */
    public static function booleanValues(): iterable
    {
        yield 'empty' => ['', false, null];
        yield 'spaced true' => [' true ', true, null];
        yield 'yes' => ['yes', true, null];
        yield 'ON' => ['ON', true, null];
        yield '1' => ['1', true, null];
        yield 'off' => ['off', false, null];
        yield 'php true' => [true, true, null];
        yield 'php int 0' => [0, false, null];
        yield '2' => ['2', false, 'invalid_boolean_setting'];
        yield '-1' => ['-1', false, 'invalid_boolean_setting'];
        yield '1e3' => ['1e3', false, 'invalid_boolean_setting'];
        yield 'reference' => ['$PLUGIN_AGENTS_ALLOW_QUERY_TOKEN', false, 'unresolved_env_reference'];
    }

    /** @dataProvider booleanValues */
    public function testBooleanParsing(mixed $value, bool $effective, ?string $code): void
    {
        $g = self::guard(['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => $value]);
        $p = $g->posture();
        self::assertSame($effective, $p['authentication']['allowQueryToken']);
        $codes = array_values(array_diff(self::codes($g->warnings()), ['missing_credentials', 'query_token_enabled']));
        self::assertSame($code === null ? [] : [$code], $codes);
        self::assertSame($effective, in_array('query_token_enabled', self::codes($g->warnings()), true));
        $defaulted = in_array('allowQueryToken', $p['profile']['defaultsAppliedFields'], true);
        self::assertSame($value === '' || $code !== null, $defaulted);
    }

    public function testEmptyRequireTokenDoesNotDisableAuth(): void
    {
        $p = self::guard(['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_REQUIRE_TOKEN' => ''])->posture();
        self::assertTrue($p['authentication']['required']);
        $p = self::guard(['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_REDACT_EMAIL' => ''])->posture();
        self::assertTrue($p['privacy']['redactEmail']);
    }

    /** @return iterable<string, array{mixed, int, ?string}> */
    public static function integerValues(): iterable
    {
        yield 'empty' => ['', 300, null];
        yield 'spaced 5' => [' 5 ', 5, null];
        yield '2' => ['2', 2, null];
        yield 'php int' => [42, 42, null];
        yield '-1' => ['-1', 300, 'invalid_integer_setting'];
        yield '0' => ['0', 300, 'invalid_integer_setting'];
        yield '1e3' => ['1e3', 300, 'invalid_integer_setting'];
        yield '2.5' => ['2.5', 300, 'invalid_integer_setting'];
        yield 'yes' => ['yes', 300, 'invalid_integer_setting'];
        yield 'reference' => ['${RATE}', 300, 'unresolved_env_reference'];
    }

    /** @dataProvider integerValues */
    public function testIntegerParsing(mixed $value, int $effective, ?string $code): void
    {
        $g = self::guard(['ENVIRONMENT' => 'local', 'PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE' => $value]);
        self::assertSame($effective, $g->posture()['rateLimit']['perMinute']);
        $codes = array_values(array_diff(self::codes($g->warnings()), ['missing_credentials']));
        self::assertSame($code === null ? [] : [$code], $codes);
    }

    public function testCaps(): void
    {
        $g = self::guard([
            'PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS' => '300',
            'PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS' => '11',
            'PLUGIN_AGENTS_API_TOKEN' => self::API_TOKEN,
        ]);
        $p = $g->posture();
        self::assertSame(60, $p['webhook']['timeoutSeconds']);
        self::assertSame(10, $p['webhook']['maxAttempts']);
        self::assertSame(['setting_capped', 'setting_capped'], array_values(array_intersect(self::codes($g->warnings()), ['setting_capped'])));
        $p = self::guard(['PLUGIN_AGENTS_WEBHOOK_TIMEOUT_SECONDS' => '60', 'PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS' => '10'])->posture();
        self::assertSame([60, 10], [$p['webhook']['timeoutSeconds'], $p['webhook']['maxAttempts']]);
        self::assertNotContains('setting_capped', self::codes($p['warnings']));
    }

    public function testTokenScopes(): void
    {
        $scopes = static fn (array $env, array $o = []): array => self::guard($env, [], $o)->posture()['authentication']['tokenScopes'];
        self::assertSame(['auth:read', 'health:read', 'readiness:read', 'capabilities:read', 'openapi:read'], $scopes([]));
        self::assertSame(['entries:read', 'health:read'], $scopes(['PLUGIN_AGENTS_TOKEN_SCOPES' => 'Health:Read entries:read,,']));
        self::assertSame([], $scopes(['PLUGIN_AGENTS_TOKEN_SCOPES' => 'orders:read']));
        self::assertSame(['orders:read'], $scopes(['PLUGIN_AGENTS_TOKEN_SCOPES' => 'orders:read'], ['commerceEnabled' => true]));
        self::assertSame(['entries:write:draft'], $scopes(['PLUGIN_AGENTS_TOKEN_SCOPES' => 'entries:write', 'PLUGIN_AGENTS_WRITES_EXPERIMENTAL' => 'yes']));
        self::assertSame([], $scopes(['PLUGIN_AGENTS_TOKEN_SCOPES' => 'entries:write', 'PLUGIN_AGENTS_WRITES_EXPERIMENTAL' => 'no'], ['writesExperimental' => true]));
        self::assertSame(['users:read'], $scopes(['PLUGIN_AGENTS_TOKEN_SCOPES' => 'users:read', 'PLUGIN_AGENTS_ENABLE_USERS_API' => '1']));
        self::assertSame(['addresses:read'], $scopes(['PLUGIN_AGENTS_TOKEN_SCOPES' => 'addresses:read', 'PLUGIN_AGENTS_ENABLE_ADDRESSES_API' => 'on']));
    }

    // ---- warning codes on and off ---------------------------------------------------------

    /** @return iterable<string, array{string, array<string, mixed>, array<string, mixed>}> */
    public static function warningCodes(): iterable
    {
        $t = ['PLUGIN_AGENTS_API_TOKEN' => self::API_TOKEN];
        yield 'credentials_parse_error' => ['credentials_parse_error', $t + ['PLUGIN_AGENTS_API_CREDENTIALS' => '{not json'], $t];
        yield 'invalid_env_profile' => ['invalid_env_profile', $t + ['PLUGIN_AGENTS_ENV_PROFILE' => 'qa'], $t + ['PLUGIN_AGENTS_ENV_PROFILE' => 'prod']];
        yield 'unknown_environment' => ['unknown_environment', $t + ['ENVIRONMENT' => 'live'], $t + ['ENVIRONMENT' => 'production']];
        yield 'unresolved_env_reference' => ['unresolved_env_reference', $t + ['PLUGIN_AGENTS_WEBHOOK_URL' => '$PLUGIN_AGENTS_WEBHOOK_URL'], $t];
        yield 'invalid_boolean_setting' => ['invalid_boolean_setting', $t + ['PLUGIN_AGENTS_REDACT_EMAIL' => 'maybe'], $t + ['PLUGIN_AGENTS_REDACT_EMAIL' => 'no']];
        yield 'invalid_integer_setting' => ['invalid_integer_setting', $t + ['PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS' => '1e3'], $t + ['PLUGIN_AGENTS_RATE_LIMIT_WINDOW_SECONDS' => '1000']];
        yield 'setting_capped' => ['setting_capped', $t + ['PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS' => '20'], $t + ['PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS' => '9']];
        yield 'invalid_token_scopes' => ['invalid_token_scopes', $t + ['PLUGIN_AGENTS_TOKEN_SCOPES' => '%%%'], $t + ['PLUGIN_AGENTS_TOKEN_SCOPES' => 'health:read']];
        yield 'token_scopes_unavailable' => ['token_scopes_unavailable', $t + ['PLUGIN_AGENTS_TOKEN_SCOPES' => 'orders:read'], $t + ['PLUGIN_AGENTS_TOKEN_SCOPES' => 'orders:read health:read']];
        yield 'wildcard_token_scopes' => ['wildcard_token_scopes', $t + ['PLUGIN_AGENTS_TOKEN_SCOPES' => '*'], $t + ['PLUGIN_AGENTS_TOKEN_SCOPES' => 'entries:*']];
        yield 'token_requirement_forced_in_prod' => ['token_requirement_forced_in_prod', $t + ['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false'], $t + ['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'true']];
        yield 'token_enforcement_disabled' => ['token_enforcement_disabled', $t + ['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'no'], $t + ['ENVIRONMENT' => 'dev']];
        yield 'query_token_enabled' => ['query_token_enabled', $t + ['PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true'], $t + ['PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'false']];
        yield 'insecure_no_token_in_prod' => ['insecure_no_token_in_prod', $t + ['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false', 'PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD' => 'true'], $t + ['PLUGIN_AGENTS_ALLOW_INSECURE_NO_TOKEN_IN_PROD' => 'true']];
        yield 'missing_credentials' => ['missing_credentials', [], $t];
        yield 'webhook_secret_missing' => ['webhook_secret_missing', $t + ['PLUGIN_AGENTS_WEBHOOK_URL' => 'https://h.example/x'], $t + ['PLUGIN_AGENTS_WEBHOOK_URL' => 'https://h.example/x', 'PLUGIN_AGENTS_WEBHOOK_SECRET' => 's']];
        yield 'webhook_url_missing' => ['webhook_url_missing', $t + ['PLUGIN_AGENTS_WEBHOOK_SECRET' => 's'], $t + ['PLUGIN_AGENTS_WEBHOOK_SECRET' => 's', 'PLUGIN_AGENTS_WEBHOOK_URL' => 'https://h.example/x']];
        yield 'webhook_url_invalid' => ['webhook_url_invalid', $t + ['PLUGIN_AGENTS_WEBHOOK_URL' => 'h.example/x', 'PLUGIN_AGENTS_WEBHOOK_SECRET' => 's'], $t + ['PLUGIN_AGENTS_WEBHOOK_URL' => 'https://h.example/x', 'PLUGIN_AGENTS_WEBHOOK_SECRET' => 's']];
        yield 'webhook_insecure_url' => ['webhook_insecure_url', $t + ['PLUGIN_AGENTS_WEBHOOK_URL' => 'http://h.example/x', 'PLUGIN_AGENTS_WEBHOOK_SECRET' => 's'], $t + ['PLUGIN_AGENTS_WEBHOOK_URL' => 'https://h.example/x', 'PLUGIN_AGENTS_WEBHOOK_SECRET' => 's']];
    }

    /**
     * @dataProvider warningCodes
     * @param array<string, mixed> $on
     * @param array<string, mixed> $off
     */
    public function testEachWarningCodeOnAndOff(string $code, array $on, array $off): void
    {
        $g = self::guard($on);
        $ws = array_values(array_filter($g->warnings(), static fn (array $w): bool => $w['code'] === $code));
        self::assertCount(1, $ws, $code);
        self::assertNotSame('', $ws[0]['message']);
        self::assertContains($ws[0]['level'], ['warning', 'error']);
        self::assertNotContains($code, self::codes(self::guard($off)->warnings()), $code);
    }

    public function testExpiringAndExpiredManagedCredentials(): void
    {
        $row = static fn (int $id, string $handle, ?int $expiresAt, array $extra = []): array => $extra + [
            'id' => $id,
            'handle' => $handle,
            'tokenHash' => hash('sha256', "token-$handle"),
            'scopes' => ['health:read'],
            'expiresAt' => $expiresAt,
            'revokedAt' => null,
            'pausedAt' => null,
            'reminderDays' => 7,
        ];
        $rows = [
            $row(1, 'expired', self::NOW - 10),
            $row(2, 'soon', self::NOW + 2 * 86400),
            $row(3, 'later', self::NOW + 90 * 86400),
            $row(4, 'forever', null, ['webhookResourceTypes' => ['entry'], 'webhookActions' => []]),
        ];
        $g = self::guard(['ENVIRONMENT' => 'production'], $rows);
        $p = $g->posture();
        self::assertSame(['expired' => 1, 'expiringSoon' => 1, 'activeWithExpiry' => 2], $p['credentialExpiry']);
        self::assertSame('targeted', $p['webhook']['deliveryMode']);
        self::assertSame(3, $p['authentication']['managedCredentialCount']);
        $codes = self::codes($g->warnings());
        self::assertContains('credential_expired', $codes);
        self::assertContains('credential_expiring_soon', $codes);

        $p = self::guard(['ENVIRONMENT' => 'production'], [$row(3, 'later', self::NOW + 90 * 86400)])->posture();
        self::assertSame(['expired' => 0, 'expiringSoon' => 0, 'activeWithExpiry' => 1], $p['credentialExpiry']);
        self::assertSame('firehose', $p['webhook']['deliveryMode']);
        self::assertNotContains('credential_expired', self::codes($p['warnings']));
        self::assertNotContains('credential_expiring_soon', self::codes($p['warnings']));
    }

    public function testWarningOrderIsDocumented(): void
    {
        $g = self::guard([
            'ENVIRONMENT' => 'live',
            'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true',
            'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false',
            'PLUGIN_AGENTS_WEBHOOK_SECRET' => 's',
            'PLUGIN_AGENTS_WEBHOOK_MAX_ATTEMPTS' => '99',
            'PLUGIN_AGENTS_TOKEN_SCOPES' => '*',
        ]);
        self::assertSame([
            'unknown_environment',
            'setting_capped',
            'wildcard_token_scopes',
            'token_requirement_forced_in_prod',
            'query_token_enabled',
            'missing_credentials',
            'webhook_url_missing',
        ], self::codes($g->warnings()));
        self::assertSame($g->warnings(), $g->posture()['warnings']);
        self::assertSame(['warnings' => 5, 'errors' => 2], $g->posture()['warningCounts']);
        self::assertSame('critical', $g->posture()['verdict']);
    }

    // ---- projections ----------------------------------------------------------------------

    public function testPostureKeysAndWebhook(): void
    {
        $p = posture([
            'ENVIRONMENT' => 'staging',
            'PLUGIN_AGENTS_WEBHOOK_URL' => 'https://user:pw@Hooks.Example.COM:8443/in/abc?key=v#f',
            'PLUGIN_AGENTS_WEBHOOK_SECRET' => 'whsec-xyz',
        ], [], ['now' => self::NOW]);
        self::assertSame(
            ['environment', 'profile', 'authentication', 'credentialExpiry', 'rateLimit', 'privacy', 'webhook', 'warnings', 'warningCounts', 'verdict'],
            array_keys($p),
        );
        self::assertSame(['name', 'source', 'defaultsApplied', 'defaultsAppliedFields', 'effectivePolicyVersion'], array_keys($p['profile']));
        self::assertSame(
            ['required', 'requestedRequireToken', 'tokenRequirementForcedInProd', 'allowInsecureNoTokenInProd', 'allowQueryToken', 'failOnMissingTokenInProd', 'credentialCount', 'envCredentialCount', 'managedCredentialCount', 'credentialIds', 'tokenScopes'],
            array_keys($p['authentication']),
        );
        self::assertSame(
            ['enabled' => true, 'urlConfigured' => true, 'secretConfigured' => true, 'destinationHost' => 'https://hooks.example.com', 'timeoutSeconds' => 5, 'maxAttempts' => 3, 'deliveryMode' => 'firehose'],
            $p['webhook'],
        );
        self::assertSame(['perMinute', 'windowSeconds'], array_keys($p['rateLimit']));
        self::assertSame(['redactEmail' => true], $p['privacy']);
        self::assertSame(['warnings', 'errors'], array_keys($p['warningCounts']));
        self::assertContains($p['verdict'], ['ok', 'warn', 'critical']);
        self::assertSame((new Guard(['ENVIRONMENT' => 'staging'], [], ['now' => self::NOW]))->posture(), posture(['ENVIRONMENT' => 'staging'], [], ['now' => self::NOW]));
    }

    public function testUnresolvedWebhookReferencesAreNotConfigured(): void
    {
        $g = self::guard([
            'PLUGIN_AGENTS_WEBHOOK_URL' => '$PLUGIN_AGENTS_WEBHOOK_URL',
            'PLUGIN_AGENTS_WEBHOOK_SECRET' => '$PLUGIN_AGENTS_WEBHOOK_SECRET',
        ]);
        $w = $g->posture()['webhook'];
        self::assertFalse($w['enabled']);
        self::assertFalse($w['urlConfigured']);
        self::assertFalse($w['secretConfigured']);
        self::assertNull($w['destinationHost']);
        self::assertSame(2, count(array_keys(self::codes($g->warnings()), 'unresolved_env_reference', true)));
        // URL real, secret unresolved: the publicly known reference text never signs anything.
        $g = self::guard([
            'PLUGIN_AGENTS_WEBHOOK_URL' => 'https://h.example/x',
            'PLUGIN_AGENTS_WEBHOOK_SECRET' => '${PLUGIN_AGENTS_WEBHOOK_SECRET}',
        ]);
        self::assertFalse($g->posture()['webhook']['enabled']);
        self::assertContains('webhook_secret_missing', self::codes($g->warnings()));
    }

    public function testCapabilities(): void
    {
        $c = self::guard(['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true'])->capabilities();
        foreach (['required', 'allowQueryToken', 'allowInsecureNoTokenInProd', 'tokenRequirementForcedInProd', 'failOnMissingTokenInProd', 'tokenConfigured', 'credentialCount', 'environment', 'environmentProfile', 'environmentProfileSource', 'profileDefaultsApplied', 'effectivePolicyVersion', 'methods', 'runtimeProfile'] as $k) {
            self::assertArrayHasKey($k, $c);
        }
        self::assertSame(['Authorization: Bearer <token>', 'X-Agents-Token: <token>'], $c['methods']);
        self::assertSame('apiToken', $c['queryParam']);
        self::assertSame(['GET', 'HEAD'], $c['queryParamAllowedMethods']);
        self::assertSame(
            ['environment', 'environmentProfile', 'environmentProfileSource', 'profileDefaultsApplied', 'profileDefaultsAppliedFields', 'effectivePolicyVersion'],
            array_keys($c['runtimeProfile']),
        );
        self::assertFalse($c['tokenConfigured']);
        $c = self::guard(['ENVIRONMENT' => 'dev'])->capabilities();
        self::assertArrayNotHasKey('queryParam', $c);
        $c = self::guard(['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false', 'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true'])->capabilities();
        self::assertFalse($c['required']);
        self::assertSame([], $c['methods']);
        self::assertArrayNotHasKey('queryParam', $c);
        $c = self::guard(['PLUGIN_AGENTS_API_TOKEN' => self::API_TOKEN])->capabilities();
        self::assertTrue($c['tokenConfigured']);
        self::assertSame(1, $c['credentialCount']);
    }

    public function testDiagnostics(): void
    {
        $d = self::guard(['PLUGIN_AGENTS_REQUIRE_TOKEN' => 'false', 'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true'])->diagnostics();
        self::assertSame(['check', 'status', 'strict', 'errors', 'warnings', 'details', 'generatedAt'], array_keys($d));
        self::assertSame('auth', $d['check']);
        self::assertSame('failed', $d['status']);
        self::assertFalse($d['strict']);
        self::assertSame('2023-11-14T22:13:20Z', $d['generatedAt']);
        self::assertCount(3, $d['errors']);
        $sorted = $d['errors'];
        sort($sorted);
        self::assertSame($sorted, $d['errors']);
        self::assertCount(1, $d['warnings']);
        self::assertSame(
            ['environment', 'environmentProfile', 'environmentProfileSource', 'profileDefaultsApplied', 'profileDefaultsAppliedFields', 'effectivePolicyVersion', 'requireToken', 'allowQueryToken', 'credentialCount', 'managedCredentialCount', 'envCredentialCount', 'tokenScopes', 'rateLimitPerMinute', 'rateLimitWindowSeconds', 'webhookEnabled', 'webhookUrlHost', 'webhookTimeoutSeconds', 'webhookMaxAttempts'],
            array_keys($d['details']),
        );
        $d = self::guard(['PLUGIN_AGENTS_API_TOKEN' => self::API_TOKEN], [], ['now' => 0])->diagnostics();
        self::assertSame('ok', $d['status']);
        self::assertSame([], $d['errors']);
        self::assertSame('1970-01-01T00:00:00Z', $d['generatedAt']);
    }

    public function testWarningsShape(): void
    {
        $ws = self::guard(['ENVIRONMENT' => 'live', 'PLUGIN_AGENTS_ALLOW_QUERY_TOKEN' => 'true'])->warnings();
        self::assertNotEmpty($ws);
        foreach ($ws as $w) {
            self::assertSame(['level', 'code', 'message'], array_keys($w));
            self::assertMatchesRegularExpression('/^[a-z0-9_]+$/', $w['code']);
        }
    }

    public function testNonUtf8ArrayKeysAreNotAPanic(): void
    {
        // A managed row that cannot be read is skipped and reported ([spec:managed-credentials]), never trusted.
        $g = new Guard(['ENVIRONMENT' => 'dev'], [['id' => 1, "\xff" => 'x']]);
        self::assertContains('managed_credential_skipped', array_column($g->warnings(), 'code'));
        try {
            new Guard(['ENVIRONMENT' => 'dev', "\xff" => 'x']);
            self::fail('expected InvalidInputException');
        } catch (\Agents\Core\InvalidInputException $e) {
            self::assertStringContainsString('not valid UTF-8', $e->getMessage());
        }
    }

    // ---- no secret in any output ----------------------------------------------------------

    public function testNoConfiguredSecretAppearsInAnyOutput(): void
    {
        $secrets = [
            'legacy' => 'sk-legacy-Z9y8X7w6V5u4T3s2R1q0',
            'envA' => 'sk-env-A-aaaaaaaaaaaaaaaaaaaaaaaaaa',
            'envB' => 'sk-env-B-bbbbbbbbbbbbbbbbbbbbbbbbbb',
            'managed' => 'sk-managed-cccccccccccccccccccccc',
            'whsec' => 'whsec-Q1w2E3r4T5y6U7i8O9p0',
            'urlUser' => 'hookuser',
            'urlPass' => 'hookpass-987654',
            'urlPath' => '/secret-path-4711',
            'urlQuery' => 'signature=abcdef123456',
            'urlFragment' => 'frag-0815',
            'badBool' => 'sk-misplaced-in-a-boolean-1234',
            'badInt' => 'sk-misplaced-in-an-integer-5678',
        ];
        $hash = hash('sha256', $secrets['managed']);
        $env = [
            'ENVIRONMENT' => 'staging',
            'PLUGIN_AGENTS_API_TOKEN' => $secrets['legacy'],
            'PLUGIN_AGENTS_API_CREDENTIALS' => json_encode([
                ['id' => 'a', 'token' => $secrets['envA'], 'scopes' => ['*']],
                ['id' => 'b', 'token' => $secrets['envB']],
            ]),
            'PLUGIN_AGENTS_WEBHOOK_URL' => sprintf('http://%s:%s@hooks.example.com:9443%s?%s#%s', $secrets['urlUser'], $secrets['urlPass'], $secrets['urlPath'], $secrets['urlQuery'], $secrets['urlFragment']),
            'PLUGIN_AGENTS_WEBHOOK_SECRET' => $secrets['whsec'],
            'PLUGIN_AGENTS_REQUIRE_TOKEN' => $secrets['badBool'],
            'PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE' => $secrets['badInt'],
            'PLUGIN_AGENTS_TOKEN_SCOPES' => '*',
        ];
        $rows = [[
            'id' => 7, 'handle' => 'bot', 'tokenHash' => $hash, 'scopes' => 'health:read',
            'expiresAt' => self::NOW - 5, 'revokedAt' => null, 'pausedAt' => null, 'reminderDays' => 7,
        ], [
            'id' => 8, 'handle' => 'broken', 'tokenHash' => 'not-a-hash-' . $secrets['managed'], 'scopes' => [],
        ]];
        $variants = [
            $env,
            ['ENVIRONMENT' => 'production', 'PLUGIN_AGENTS_WEBHOOK_URL' => $env['PLUGIN_AGENTS_WEBHOOK_URL']],
            ['ENVIRONMENT' => 'dev', 'PLUGIN_AGENTS_WEBHOOK_SECRET' => $secrets['whsec'], 'PLUGIN_AGENTS_API_CREDENTIALS' => '{broken ' . $secrets['envA']],
            ['PLUGIN_AGENTS_ENV_PROFILE' => $secrets['legacy'], 'ENVIRONMENT' => 'live', 'PLUGIN_AGENTS_API_TOKEN' => '$' . 'PLUGIN_AGENTS_API_TOKEN'],
        ];
        foreach ($variants as $i => $e) {
            $g = self::guard($e, $rows);
            $outputs = [
                'posture' => $g->posture(),
                'capabilities' => $g->capabilities(),
                'warnings' => $g->warnings(),
                'diagnostics' => $g->diagnostics(),
                'function' => posture($e, $rows, ['now' => self::NOW]),
            ];
            foreach ($outputs as $name => $out) {
                $texts = [json_encode($out, JSON_THROW_ON_ERROR), var_export($out, true), print_r($out, true)];
                foreach ($texts as $text) {
                    foreach ($secrets as $label => $secret) {
                        self::assertStringNotContainsString($secret, $text, "variant $i $name leaks $label");
                    }
                    self::assertStringNotContainsString($hash, $text, "variant $i $name leaks the token hash");
                    self::assertStringNotContainsString('9443', $text, "variant $i $name leaks the webhook port");
                }
            }
        }
        self::assertSame('http://hooks.example.com', self::guard($env, $rows)->posture()['webhook']['destinationHost']);
    }
}
