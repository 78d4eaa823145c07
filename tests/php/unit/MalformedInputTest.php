<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use Agents\Core\InvalidInputException;
use Agents\Core\IpAllowlist;
use Agents\Core\JwtVerifier;
use Agents\Core\RateLimiter;
use Agents\Core\TokenException;
use PHPUnit\Framework\TestCase;

/**
 * Malformed-input matrix: every exported function and method gets hostile values (wrong types,
 * nulls, nested arrays, non-UTF-8 and NUL bytes, 10 MB strings, 100 000-element arrays,
 * negative and huge integers, objects, self-references) in each of its argument slots, in
 * strict and in coercive mode. Allowed outcomes, by slot kind:
 *
 * - `deny`: a request value that must be refused: the row's denial result (false, null,
 *   `ok => false`, `valid => false`) or its refusal exception (TokenException for verify()).
 * - `request`: a request value that must never throw: any well-formed result.
 * - `config`: configuration or data: a well-formed result or InvalidInputException.
 * - `refuse`: configuration that decides access: InvalidInputException or the denial result.
 *
 * In every slot a TypeError is accepted only for a top-level argument whose value does not have
 * the declared parameter type (no coercion is assumed). Anything else (another exception, a
 * message mentioning a panic, a malformed result) fails the row.
 */
final class MalformedInputTest extends TestCase
{
    private const NOW = 1_800_000_000;

    /** @var array<string, mixed>|null */
    private static ?array $values = null;

    /** @var array<string, mixed>|null */
    private static ?array $fixtures = null;

    /** The hostile values, built once (the large ones are shared by every row). */
    private static function values(): array
    {
        if (self::$values !== null) {
            return self::$values;
        }
        $deep = 'leaf';
        for ($i = 0; $i < 100; $i++) {
            $deep = [$deep];
        }
        $cycle = ['a' => 1];
        $cycle['self'] = &$cycle;
        $keys = [];
        for ($i = 0; $i < 100_000; $i++) {
            $keys["k$i"] = 'v';
        }
        return self::$values = [
            'null' => null,
            'true' => true,
            'false' => false,
            'zero' => 0,
            'negative int' => -1,
            'PHP_INT_MAX' => PHP_INT_MAX,
            'PHP_INT_MIN' => PHP_INT_MIN,
            'float' => 1.5,
            'NAN' => NAN,
            '-INF' => -INF,
            'empty string' => '',
            'numeric string' => '9223372036854775808',
            'non-UTF-8' => "\xff\xfe\xc3\x28\xa0",
            'overlong UTF-8' => "\xc0\xae\xc0\xae",
            'NUL bytes' => "10.0.0.1\0Bearer x",
            'NUL only' => "\0",
            'control characters' => "\r\n\t\x7f\x1b",
            '10 MB string' => str_repeat('A', 10 * 1024 * 1024),
            '10 MB of separators' => str_repeat(', ', 5 * 1024 * 1024),
            '10 MB of dots' => str_repeat('.', 10 * 1024 * 1024),
            'empty array' => [],
            'nested array' => [['a' => ['b' => [1]]]],
            'list of non-strings' => [1, null, 2.5, true, [], -1],
            'non-UTF-8 key' => ["\xff\xfe" => 'x', 'ok' => "\xff"],
            'extreme int keys' => [PHP_INT_MAX => 'a', PHP_INT_MIN => 'b'],
            '100 000 strings' => array_fill(0, 100_000, '10.0.0.1'),
            '100 000 keys' => $keys,
            '100 levels deep' => $deep,
            'self reference' => $cycle,
            'object' => new \stdClass(),
            'closure' => static fn () => 1,
            'stringable' => new class () {
                public function __toString(): string
                {
                    return 'not an address';
                }
            },
        ];
    }

    /** Valid inputs the rows start from. */
    private static function fixtures(): array
    {
        if (self::$fixtures !== null) {
            return self::$fixtures;
        }
        $token = 'managed-token-0123456789abcdef';
        $hmac = str_repeat('k', 32);
        $b64 = static fn (string $s): string => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
        $head = $b64('{"alg":"HS256","typ":"JWT"}');
        $body = $b64('{"sub":"svc","exp":4102444800}');
        $jwt = "$head.$body." . $b64(hash_hmac('sha256', "$head.$body", $hmac, true));
        $algorithms = json_decode(
            (string) file_get_contents(__DIR__ . '/../../fixtures/jwt-algorithms.json'),
            true,
        )['algorithms'];
        $rsa = array_values(array_filter($algorithms, static fn ($a) => $a['alg'] === 'RS256'))[0];
        $whSecret = 'whsec-0123456789';
        $whBody = '{"event":"entry.saved"}';
        return self::$fixtures = [
            'token' => $token,
            'env' => [
                'ENVIRONMENT' => 'production',
                'PLUGIN_AGENTS_API_TOKEN' => 'legacy-token-0123456789abcdef',
                'PLUGIN_AGENTS_API_CREDENTIALS' => '[{"id":"a","token":"tok-a-0123456789","scopes":"auth:read"}]',
                'PLUGIN_AGENTS_WEBHOOK_URL' => 'https://hooks.example.com/x',
                'PLUGIN_AGENTS_WEBHOOK_SECRET' => 'whsec-abcdefghijklmnop',
            ],
            'rows' => [[
                'id' => 1, 'handle' => 'bot', 'tokenHash' => hash('sha256', $token),
                'scopes' => ['auth:read', 'orders:read'], 'ipAllowlist' => ['10.0.0.0/8'],
                'expiresAt' => '2099-01-01 00:00:00', 'revokedAt' => null, 'pausedAt' => null,
                'reminderDays' => 7, 'forceHumanApproval' => false,
            ]],
            'options' => [
                'now' => self::NOW, 'trustedProxies' => ['10.0.0.0/8'], 'commerceEnabled' => true,
                'jwt' => ['keys' => [['alg' => 'HS256', 'secret' => $hmac]], 'algorithms' => ['HS256']],
            ],
            'request' => [
                'method' => 'GET', 'headers' => ['Authorization' => "Bearer $token"],
                'query' => [], 'remoteAddr' => '10.0.0.9',
            ],
            'hmac' => $hmac,
            'jwt' => $jwt,
            'rsaJwk' => $rsa['jwk'],
            'rsaPem' => $rsa['pem'],
            'whSecret' => $whSecret,
            'whBody' => $whBody,
            'whHeaders' => \Agents\Core\webhook_sign($whSecret, $whBody, self::NOW, 'delivery-1'),
        ];
    }

    /**
     * The rows: one or more per exported entry point. `class`/`ctor` build the receiver (or are
     * the call, for `__construct`), `function`/`method` and `args` are the call, `slots` map an
     * argument path (`ctor.0.jwt`, `args.1.X-Forwarded-For`) to its kind.
     *
     * @return list<array<string, mixed>>
     */
    private static function rows(): array
    {
        $f = self::fixtures();
        $guardCtor = [$f['env'], $f['rows'], $f['options']];
        $guardSlots = [
            'ctor.0' => 'config', 'ctor.0.PLUGIN_AGENTS_API_TOKEN' => 'config',
            'ctor.0.PLUGIN_AGENTS_API_CREDENTIALS' => 'config', 'ctor.0.ENVIRONMENT' => 'config',
            'ctor.0.PLUGIN_AGENTS_WEBHOOK_URL' => 'config', 'ctor.1' => 'config', 'ctor.1.0' => 'config',
            'ctor.1.0.id' => 'config', 'ctor.1.0.tokenHash' => 'config', 'ctor.1.0.scopes' => 'config',
            'ctor.1.0.ipAllowlist' => 'config', 'ctor.1.0.expiresAt' => 'config',
            'ctor.1.0.reminderDays' => 'config', 'ctor.2' => 'config', 'ctor.2.now' => 'config',
            'ctor.2.trustedProxies' => 'config', 'ctor.2.forwardedHeader' => 'config', 'ctor.2.jwt' => 'config',
            'ctor.2.jwt.keys' => 'config', 'ctor.2.jwt.algorithms' => 'config',
        ];
        // Guard methods without arguments: the configuration values that feed their output.
        $guardReport = [
            'ctor.1.0' => 'config', 'ctor.1.0.expiresAt' => 'config', 'ctor.1.0.reminderDays' => 'config',
            'ctor.2.now' => 'config', 'ctor.0.PLUGIN_AGENTS_WEBHOOK_URL' => 'config',
            'ctor.0.PLUGIN_AGENTS_API_CREDENTIALS' => 'config',
        ];
        $isList = static fn ($r): bool => is_array($r) && array_is_list($r);
        $verifierCtor = [[['alg' => 'HS256', 'secret' => $f['hmac']]], ['algorithms' => ['HS256']]];
        $verifierSlots = ['ctor.0' => 'config', 'ctor.0.0' => 'config', 'ctor.0.0.secret' => 'config',
            'ctor.0.0.alg' => 'config', 'ctor.0.0.kid' => 'config', 'ctor.1' => 'config',
            'ctor.1.algorithms' => 'config', 'ctor.1.algorithms.0' => 'config', 'ctor.1.leeway' => 'config',
            'ctor.1.maxTokenBytes' => 'config', 'ctor.1.issuer' => 'config', 'ctor.1.audience' => 'config',
            'ctor.1.requireExp' => 'config'];
        $checked = static fn ($r): bool => is_array($r) && is_bool($r['valid'] ?? null)
            && array_key_exists('claims', $r) && array_key_exists('reason', $r);
        $ipOrNull = static fn ($r): bool => $r === null || (is_string($r) && filter_var($r, FILTER_VALIDATE_IP) !== false);
        $authResult = static fn ($r): bool => is_array($r) && is_bool($r['ok'] ?? null)
            && ($r['ok'] ? is_array($r['principal'] ?? null) : is_int($r['status'] ?? null) && is_string($r['reason'] ?? null));
        $whResult = static fn ($r): bool => is_array($r) && is_bool($r['valid'] ?? null) && array_key_exists('reason', $r);
        $isFalse = static fn ($r): bool => $r === false;
        $notOk = static fn ($r): bool => ($r['ok'] ?? null) === false;
        $notValid = static fn ($r): bool => ($r['valid'] ?? null) === false;

        return [
            ['name' => 'agents\core\ip_allowed', 'function' => 'Agents\Core\ip_allowed',
                'args' => ['10.1.2.3', ['10.0.0.0/8']],
                'slots' => ['args.0' => 'deny', 'args.1' => 'request', 'args.1.0' => 'request', 'args.1.1' => 'request'],
                'shape' => 'is_bool', 'denied' => $isFalse],
            ['name' => 'agents\core\client_ip', 'function' => 'Agents\Core\client_ip',
                'args' => ['10.0.0.1', ['X-Forwarded-For' => '203.0.113.9, 10.0.0.2'], ['10.0.0.0/8']],
                'slots' => ['args.0' => 'request', 'args.1' => 'request', 'args.1.X-Forwarded-For' => 'request',
                    'args.1.Forwarded' => 'request', 'args.2' => 'config', 'args.2.0' => 'config'],
                'shape' => $ipOrNull],
            // Without trusted proxies the address itself decides: anything hostile gives null.
            ['name' => 'agents\core\client_ip', 'function' => 'Agents\Core\client_ip',
                'args' => ['192.0.2.1', ['X-Forwarded-For' => '203.0.113.9']],
                'slots' => ['args.0' => 'deny'], 'shape' => $ipOrNull, 'denied' => static fn ($r) => $r === null],
            ['name' => 'agents\core\ipallowlist::__construct', 'class' => IpAllowlist::class,
                'ctor' => [['10.0.0.0/8', '2001:db8::/32']], 'method' => '__construct',
                'slots' => ['ctor.0' => 'config', 'ctor.0.0' => 'config', 'ctor.0.1' => 'config'],
                'shape' => static fn ($r) => $r instanceof IpAllowlist],
            ['name' => 'agents\core\ipallowlist::contains', 'class' => IpAllowlist::class,
                'ctor' => [['10.0.0.0/8', '::/0']], 'method' => 'contains', 'args' => ['10.1.2.3'],
                'slots' => ['ctor.0' => 'config', 'args.0' => 'deny'], 'shape' => 'is_bool', 'denied' => $isFalse],
            ['name' => 'agents\core\ipallowlist::count', 'class' => IpAllowlist::class,
                'ctor' => [['10.0.0.0/8']], 'method' => 'count', 'slots' => ['ctor.0' => 'config'],
                'shape' => static fn ($r) => is_int($r) && $r >= 0],
            ['name' => 'agents\core\ipallowlist::entries', 'class' => IpAllowlist::class,
                'ctor' => [['10.0.0.0/8']], 'method' => 'entries', 'slots' => ['ctor.0' => 'config'],
                'shape' => static fn ($r) => $isList($r) && count(array_filter($r, 'is_string')) === count($r)],
            ['name' => 'agents\core\ipallowlist::normalize', 'class' => IpAllowlist::class, 'static' => true,
                'method' => 'normalize', 'args' => [['10.0.0.0/8', 'bad']],
                'slots' => ['args.0' => 'request', 'args.0.0' => 'request', 'args.0.1' => 'request'],
                'shape' => static fn ($r) => is_array($r) && $isList($r['entries'] ?? null) && $isList($r['invalid'] ?? null)],
            ['name' => 'agents\core\token_generate', 'function' => 'Agents\Core\token_generate',
                'args' => ['Content QA'], 'slots' => ['args.0' => 'config'],
                'shape' => static fn ($r) => is_array($r) && is_string($r['token'] ?? null)
                    && ($r['hash'] ?? null) === hash('sha256', $r['token']) && is_string($r['publicId'] ?? null)],
            ['name' => 'agents\core\token_hash', 'function' => 'Agents\Core\token_hash',
                'args' => ['x'], 'slots' => ['args.0' => 'request'],
                'shape' => static fn ($r) => is_string($r) && preg_match('/^[0-9a-f]{64}$/D', $r) === 1],
            ['name' => 'agents\core\guard::__construct', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => '__construct', 'slots' => $guardSlots, 'shape' => static fn ($r) => $r instanceof Guard],
            ['name' => 'agents\core\guard::cached', 'class' => Guard::class, 'static' => true,
                'method' => 'cached', 'args' => ['revision-1', static fn (): Guard => new Guard(...$guardCtor), 0],
                'slots' => ['args.0' => 'config', 'args.1' => 'config', 'args.2' => 'config'],
                'shape' => static fn ($r) => $r instanceof Guard],
            // posture() is new Guard(...)->posture(): the Guard rows cover the nested values.
            ['name' => 'agents\core\posture', 'function' => 'Agents\Core\posture', 'args' => $guardCtor,
                'slots' => ['args.0' => 'config', 'args.0.PLUGIN_AGENTS_API_CREDENTIALS' => 'config',
                    'args.1' => 'config', 'args.1.0' => 'config', 'args.1.0.expiresAt' => 'config',
                    'args.2' => 'config', 'args.2.now' => 'config'],
                'shape' => static fn ($r) => is_array($r) && in_array($r['verdict'] ?? null, ['ok', 'warn', 'critical'], true)],
            ['name' => 'agents\core\guard::authenticate', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'authenticate', 'args' => [$f['request']],
                // The request array's shape is the caller's code (a mistake there throws); the
                // values inside headers and query are the client's (never throw).
                'slots' => ['args.0' => 'config', 'args.0.headers.Authorization' => 'deny',
                    'args.0.headers.X-Agents-Token' => 'request', 'args.0.headers.X-Forwarded-For' => 'request',
                    'args.0.headers.Forwarded' => 'request', 'args.0.query.apiToken' => 'request',
                    'args.0.method' => 'config', 'args.0.remoteAddr' => 'config', 'args.0.headers' => 'config',
                    'args.0.query' => 'config', 'ctor.1.0.scopes' => 'config', 'ctor.1.0.ipAllowlist' => 'config'],
                'shape' => $authResult, 'denied' => $notOk],
            // A header value (any shape) never throws; with the token in it, it is refused.
            ['name' => 'agents\core\guard::authenticate', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'authenticate', 'args' => [['method' => 'GET', 'headers' => ['X-Agents-Token' => $f['token']], 'remoteAddr' => '10.0.0.9']],
                'slots' => ['args.0.headers.X-Agents-Token' => 'deny', 'args.0.headers.Authorization' => 'request'],
                'shape' => $authResult, 'denied' => $notOk],
            // A signed bearer token (the jwt option): anything else in its place is refused.
            ['name' => 'agents\core\guard::authenticate', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'authenticate',
                'args' => [['method' => 'GET', 'headers' => ['Authorization' => 'Bearer ' . $f['jwt']], 'remoteAddr' => '10.0.0.9']],
                'slots' => ['args.0.headers.Authorization' => 'deny', 'ctor.2.jwt.keys.0.secret' => 'config',
                    'ctor.2.jwt.algorithms.0' => 'config'],
                'shape' => $authResult, 'denied' => $notOk],
            ['name' => 'agents\core\guard::hasscope', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'hasScope', 'args' => [['scopes' => ['auth:read', 'orders:read']], 'orders:read'],
                'slots' => ['args.0' => 'deny', 'args.0.scopes' => 'deny', 'args.0.scopes.1' => 'deny', 'args.1' => 'refuse'],
                // An empty requirement is satisfied ([spec:scope-checks]).
                'satisfied' => ['empty string', 'empty array'],
                'shape' => 'is_bool', 'denied' => $isFalse],
            ['name' => 'agents\core\guard::posture', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'posture', 'slots' => $guardReport,
                'shape' => static fn ($r) => is_array($r) && in_array($r['verdict'] ?? null, ['ok', 'warn', 'critical'], true)],
            ['name' => 'agents\core\guard::capabilities', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'capabilities', 'slots' => $guardReport, 'shape' => 'is_array'],
            ['name' => 'agents\core\guard::warnings', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'warnings', 'slots' => $guardReport,
                'shape' => static fn ($r) => $isList($r) && count(array_filter($r, static fn ($w) => is_string($w['code'] ?? null))) === count($r)],
            ['name' => 'agents\core\guard::diagnostics', 'class' => Guard::class, 'ctor' => $guardCtor,
                'method' => 'diagnostics', 'slots' => $guardReport,
                'shape' => static fn ($r) => is_array($r) && in_array($r['status'] ?? null, ['ok', 'failed'], true)],
            ['name' => 'agents\core\jwtverifier::__construct', 'class' => JwtVerifier::class,
                'ctor' => $verifierCtor, 'method' => '__construct', 'slots' => $verifierSlots,
                'shape' => static fn ($r) => $r instanceof JwtVerifier],
            ['name' => 'agents\core\jwtverifier::__construct', 'class' => JwtVerifier::class,
                'ctor' => [['keys' => [$f['rsaJwk']]], ['algorithms' => ['RS256']]], 'method' => '__construct',
                'slots' => ['ctor.0.keys' => 'config', 'ctor.0.keys.0' => 'config', 'ctor.0.keys.0.n' => 'config',
                    'ctor.0.keys.0.e' => 'config', 'ctor.0.keys.0.kty' => 'config', 'ctor.0.keys.0.alg' => 'config',
                    'ctor.0.keys.0.use' => 'config', 'ctor.0.keys.0.key_ops' => 'config'],
                'shape' => static fn ($r) => $r instanceof JwtVerifier],
            ['name' => 'agents\core\jwtverifier::__construct', 'class' => JwtVerifier::class,
                'ctor' => [[['alg' => 'RS256', 'pem' => $f['rsaPem']]], ['algorithms' => ['RS256']]],
                'method' => '__construct', 'slots' => ['ctor.0.0.pem' => 'config'],
                'shape' => static fn ($r) => $r instanceof JwtVerifier],
            ['name' => 'agents\core\jwtverifier::check', 'class' => JwtVerifier::class, 'ctor' => $verifierCtor,
                'method' => 'check', 'args' => [$f['jwt'], self::NOW],
                'slots' => ['args.0' => 'deny', 'args.1' => 'request'], 'shape' => $checked, 'denied' => $notValid],
            ['name' => 'agents\core\jwtverifier::verify', 'class' => JwtVerifier::class, 'ctor' => $verifierCtor,
                'method' => 'verify', 'args' => [$f['jwt'], self::NOW],
                'slots' => ['args.0' => 'deny', 'args.1' => 'request'], 'shape' => 'is_array',
                'denied' => static fn () => false, 'refusal' => TokenException::class],
            ['name' => 'agents\core\jwtverifier::keys', 'class' => JwtVerifier::class, 'ctor' => $verifierCtor,
                'method' => 'keys', 'slots' => ['ctor.0.0.kid' => 'config', 'ctor.0.0.secret' => 'config'],
                'shape' => $isList],
            ['name' => 'agents\core\webhook_sign', 'function' => 'Agents\Core\webhook_sign',
                'args' => [$f['whSecret'], $f['whBody'], self::NOW, 'delivery-1'],
                'slots' => ['args.0' => 'config', 'args.1' => 'request', 'args.2' => 'config', 'args.3' => 'config'],
                'shape' => static fn ($r) => is_array($r) && count($r) === 3],
            ['name' => 'agents\core\webhook_verify', 'function' => 'Agents\Core\webhook_verify',
                'args' => [['old-secret-0123', $f['whSecret']], $f['whBody'], $f['whHeaders'], 300, self::NOW + 10],
                'slots' => ['args.0' => 'config', 'args.0.0' => 'config', 'args.1' => 'deny', 'args.2' => 'deny',
                    'args.2.X-Agents-Webhook-Signature' => 'deny', 'args.2.X-Agents-Webhook-Timestamp' => 'deny',
                    'args.2.X-Agents-Webhook-Id' => 'request', 'args.3' => 'config', 'args.4' => 'deny'],
                'shape' => $whResult, 'denied' => $notValid],
            ['name' => 'agents\core\ratelimiter::__construct', 'class' => RateLimiter::class,
                'ctor' => [['limit' => 5, 'window' => 10, 'prefix' => 'malformed:']], 'method' => '__construct',
                'slots' => ['ctor.0' => 'config', 'ctor.0.limit' => 'config', 'ctor.0.window' => 'config',
                    'ctor.0.store' => 'config', 'ctor.0.onStoreError' => 'config', 'ctor.0.prefix' => 'config'],
                'shape' => static fn ($r) => $r instanceof RateLimiter],
            ['name' => 'agents\core\ratelimiter::hit', 'class' => RateLimiter::class,
                'ctor' => [['limit' => 1_000_000, 'window' => 10, 'prefix' => 'malformed:']], 'method' => 'hit',
                'args' => ['203.0.113.9|health', 1, self::NOW],
                'slots' => ['ctor.0' => 'config', 'args.0' => 'request', 'args.1' => 'request', 'args.2' => 'config'],
                'shape' => static fn ($r) => is_array($r) && count($r) === 7 && is_bool($r['allowed'])
                    && is_array($r['headers']) && count($r['headers']) === ($r['allowed'] ? 3 : 4)],
            ['name' => 'agents\core\ratelimiter::reset', 'class' => RateLimiter::class,
                'ctor' => [['limit' => 5, 'window' => 10, 'prefix' => 'malformed:']], 'method' => 'reset',
                'args' => ['203.0.113.9|health'],
                'slots' => ['args.0' => 'request'],
                'shape' => static fn ($r) => $r === null],
            ['name' => 'agents\core\redact', 'function' => 'Agents\Core\redact',
                'args' => [['id' => 1, 'email' => 'a@example.com', 'lineItems' => [['total' => '1.00']]], 'order', ['orders:read'], true],
                'slots' => ['args.0' => 'config', 'args.0.email' => 'config', 'args.0.lineItems' => 'config',
                    'args.0.lineItems.0' => 'config', 'args.1' => 'config', 'args.2' => 'config',
                    'args.2.0' => 'config', 'args.3' => 'config'],
                'shape' => 'is_array'],
        ];
    }

    /** @return array<string, array{string}> */
    public static function entryPoints(): array
    {
        $out = [];
        foreach (self::rows() as $row) {
            $out[$row['name']] = [$row['name']];
        }
        return $out;
    }

    public function testEveryExportedFunctionAndMethodHasARow(): void
    {
        $ext = new \ReflectionExtension('agents_core');
        $exported = array_map('strtolower', array_keys($ext->getFunctions()));
        foreach ($ext->getClasses() as $class) {
            foreach ($class->getMethods() as $m) {
                if ($m->getDeclaringClass()->getName() === $class->getName()) {
                    $exported[] = strtolower($class->getName() . '::' . $m->getName());
                }
            }
        }
        // The test-only panic probe (panic-probe feature) is covered by tools/panic-check.php;
        // Guard::forget() and Guard::__debugInfo() take no argument (CachedGuardTest and
        // GuardDebugInfoTest cover them).
        $exported = array_values(array_diff($exported, ['agents\core\panic_probe', 'agents\core\guard::forget', 'agents\core\guard::__debuginfo']));
        sort($exported);
        $covered = array_keys($this->entryPoints());
        sort($covered);
        self::assertSame($exported, $covered, 'every exported entry point needs a row in rows()');
    }

    /** @dataProvider entryPoints */
    public function testHostileInputIsRefusedCleanly(string $name): void
    {
        $failures = [];
        $runs = 0;
        foreach (self::rows() as $row) {
            if ($row['name'] !== $name) {
                continue;
            }
            // The baseline must succeed, so that a refusal below is caused by the hostile value.
            $baseline = self::outcome($row, $row['ctor'] ?? [], $row['args'] ?? [], true);
            self::assertArrayHasKey('result', $baseline, "$name baseline: " . ($baseline['error'] ?? ''));
            self::assertTrue(($row['shape'])($baseline['result']), "$name baseline result is malformed");
            if (isset($row['denied'])) {
                self::assertFalse(($row['denied'])($baseline['result']), "$name baseline is refused");
            }
            foreach ($row['slots'] as $slot => $kind) {
                $path = explode('.', $slot);
                $where = array_shift($path);
                foreach (self::values() as $label => $value) {
                    // The large values go to the arguments and their direct members only.
                    if (count($path) > 2 && self::isBulky($value)) {
                        continue;
                    }
                    // Strictness only matters where PHP checks a parameter type, and only for
                    // scalars (the large values are costly and behave the same in both modes).
                    $modes = count($path) === 1 && !self::isBulky($value) ? [true, false] : [true];
                    foreach ($modes as $strict) {
                        $ctor = $row['ctor'] ?? [];
                        $args = $row['args'] ?? [];
                        if ($where === 'ctor') {
                            $ctor = self::with($ctor, $path, $value);
                        } else {
                            $args = self::with($args, $path, $value);
                        }
                        $runs++;
                        $outcome = self::outcome($row, $ctor, $args, $strict);
                        $problem = self::judge($row, $kind, self::parameter($row, $where, $path), $label, $value, $outcome);
                        if ($problem !== null) {
                            $failures[] = sprintf('%s %s = %s (%s): %s', $name, $slot, $label, $strict ? 'strict' : 'coercive', $problem);
                        }
                    }
                }
            }
        }
        self::assertGreaterThan(0, $runs);
        self::assertSame([], $failures);
    }

    private static function isBulky(mixed $value): bool
    {
        return (is_string($value) && strlen($value) > 1_000_000) || (is_array($value) && count($value) > 1_000);
    }

    /** `$array` with the value at `$path` (keys) replaced by `$value`. */
    private static function with(array $array, array $path, mixed $value): array
    {
        $key = array_shift($path);
        if ($path === []) {
            $array[$key] = $value;
            return $array;
        }
        $array[$key] = self::with(is_array($array[$key] ?? null) ? $array[$key] : [], $path, $value);
        return $array;
    }

    /**
     * Runs one call: `['result' => ...]` or `['exception' => Throwable]`. Strict calls are made
     * from this file (strict_types=1); coercive ones through call_user_func_array and
     * ReflectionClass::newInstanceArgs, which PHP runs in coercive mode.
     */
    private static function outcome(array $row, array $ctor, array $args, bool $strict): array
    {
        $deprecations = [];
        set_error_handler(static function (int $no, string $msg) use (&$deprecations): bool {
            $deprecations[] = $msg;
            return $no === E_DEPRECATED;
        });
        try {
            if (isset($row['function'])) {
                $f = $row['function'];
                $result = $strict ? $f(...$args) : call_user_func_array($f, $args);
            } elseif ($row['method'] === '__construct') {
                $class = $row['class'];
                $result = $strict ? new $class(...$ctor) : (new \ReflectionClass($class))->newInstanceArgs($ctor);
            } else {
                $class = $row['class'];
                $target = ($row['static'] ?? false) ? $class : new $class(...$ctor);
                $m = $row['method'];
                $result = $strict
                    ? (is_string($target) ? $target::$m(...$args) : $target->$m(...$args))
                    : call_user_func_array([$target, $m], $args);
            }
            return ['result' => $result];
        } catch (\Throwable $e) {
            return ['exception' => $e, 'error' => get_class($e) . ': ' . substr($e->getMessage(), 0, 300)];
        } finally {
            restore_error_handler();
        }
    }

    /** Null when the outcome is allowed for this slot, else what is wrong with it. */
    private static function judge(
        array $row,
        string $kind,
        ?\ReflectionParameter $declared,
        string $label,
        mixed $value,
        array $outcome,
    ): ?string
    {
        if (isset($outcome['exception'])) {
            $e = $outcome['exception'];
            $message = $e->getMessage();
            if (stripos($message, 'panic') !== false) {
                return 'Rust panic: ' . $outcome['error'];
            }
            if ($e instanceof \TypeError && !$e instanceof \ArgumentCountError) {
                return $declared !== null && !self::hasDeclaredType($declared, $value) ? null : 'unexpected ' . $outcome['error'];
            }
            if ($e instanceof InvalidInputException && in_array($kind, ['config', 'refuse'], true)) {
                return null;
            }
            if (isset($row['refusal']) && $e instanceof $row['refusal']) {
                return null;
            }
            return 'unexpected ' . $outcome['error'];
        }
        $result = $outcome['result'];
        if (!($row['shape'])($result)) {
            return 'malformed result ' . substr(var_export($result, true), 0, 300);
        }
        if (in_array($kind, ['deny', 'refuse'], true) && !($row['denied'])($result)
            && !in_array($label, $row['satisfied'] ?? [], true)) {
            return 'not refused: ' . substr(var_export($result, true), 0, 300);
        }
        return null;
    }

    /** The declared parameter at the top-level slot `ctor.N` or `args.N`, else null. */
    private static function parameter(array $row, string $where, array $path): ?\ReflectionParameter
    {
        if (count($path) !== 1) {
            return null;
        }
        $function = match (true) {
            isset($row['function']) => new \ReflectionFunction($row['function']),
            $where === 'ctor' => new \ReflectionMethod($row['class'], '__construct'),
            default => new \ReflectionMethod($row['class'], $row['method']),
        };
        return $function->getParameters()[(int) $path[0]] ?? null;
    }

    /** True when `$value` has the parameter's declared type (no coercion). */
    private static function hasDeclaredType(\ReflectionParameter $p, mixed $value): bool
    {
        $type = $p->getType();
        if ($type === null) {
            return true;
        }
        $types = $type instanceof \ReflectionNamedType ? [$type] : $type->getTypes();
        foreach ($types as $t) {
            $ok = match ($t->getName()) {
                'mixed' => true,
                'string' => is_string($value),
                'array' => is_array($value),
                'int' => is_int($value),
                'bool' => is_bool($value),
                'float' => is_float($value),
                default => false,
            };
            if ($ok || ($value === null && $t->allowsNull())) {
                return true;
            }
        }
        return false;
    }
}
