<?php
// Calls every entry point of the extension with valid and invalid input, once per iteration.
// Used by the valgrind check (scripts/valgrind.sh) and the soak check (scripts/soak.sh).
//   php -d extension=... tools/entrypoints.php [iterations] [--soak]
// Fails (exit 1) when the extension exports a function or method this script does not call, so
// new entry points cannot escape the memory checks. With --soak, RSS is sampled 20 times and the
// run fails when it grows by 1 MiB or more after the first sample.

declare(strict_types=1);

use Agents\Core\Guard;
use Agents\Core\IpAllowlist;
use Agents\Core\JwtVerifier;

$iterations = (int) ($argv[1] ?? 10);
$soak = in_array('--soak', $argv, true);
$called = [];

function attempt(callable $f): void
{
    try {
        $f();
    } catch (\Agents\Core\AgentsCoreException | \TypeError | \ValueError | \ArgumentCountError $e) {
        // Expected for invalid input; the message is built and freed.
        strlen($e->getMessage());
    }
}

$tokenRow = static fn (int $i, string $token) => [
    'id' => $i, 'handle' => "bot-$i", 'tokenHash' => hash('sha256', $token),
    'scopes' => ['auth:read', 'orders:read'], 'ipAllowlist' => $i % 2 ? '["10.0.0.0/8","127.0.0.1"]' : [],
    'expiresAt' => $i % 3 ? null : '2099-01-01 00:00:00', 'revokedAt' => null, 'pausedAt' => null,
    'reminderDays' => 7, 'forceHumanApproval' => (bool) ($i % 2),
    'webhookResourceTypes' => [], 'webhookActions' => [],
];
$env = ['ENVIRONMENT' => 'production', 'PLUGIN_AGENTS_API_TOKEN' => 'legacy-token-0123456789abcdef',
    'PLUGIN_AGENTS_API_CREDENTIALS' => '[{"id":"a","token":"tok-a-0123456789","scopes":"auth:read"},{"token":5}]',
    'PLUGIN_AGENTS_WEBHOOK_URL' => 'https://hooks.example.com/x?sig=1', 'PLUGIN_AGENTS_WEBHOOK_SECRET' => '$UNSET'];
$rows = [];
for ($i = 1; $i <= 20; $i++) {
    $rows[] = $tokenRow($i, "managed-token-$i-abcdefghijkl");
}
$rows[] = ['id' => 99, 'handle' => 'broken', 'tokenHash' => 'nothex', 'ipAllowlist' => '10.0.0.5/8'];
$hmacSecret = str_repeat('k', 32);
$jwtHeader = rtrim(strtr(base64_encode('{"alg":"HS256","typ":"JWT"}'), '+/', '-_'), '=');
$jwtClaims = rtrim(strtr(base64_encode('{"sub":"svc","exp":4102444800,"scope":"auth:read"}'), '+/', '-_'), '=');
$jwtSig = rtrim(strtr(base64_encode(hash_hmac('sha256', "$jwtHeader.$jwtClaims", $hmacSecret, true)), '+/', '-_'), '=');
$jwt = "$jwtHeader.$jwtClaims.$jwtSig";
$big = str_repeat('A', 200_000);

$plan = [];
// Slow calls (large inputs, RSA/EC key parsing): every iteration under valgrind, every 100th in a
// soak run, so a soak of N iterations calls each of them N/100 times.
$rare = [];
if (function_exists('Agents\Core\ip_allowed')) {
    $plan['agents\core\ip_allowed'] = static function () {
        Agents\Core\ip_allowed('10.1.2.3', ['10.0.0.0/8', 'bad', 5]);
        Agents\Core\ip_allowed("\xff\x00", []);
    };
}
if (function_exists('Agents\Core\client_ip')) {
    $plan['agents\core\client_ip'] = static function () {
        Agents\Core\client_ip('10.0.0.1', ['X-Forwarded-For' => '203.0.113.9, 10.0.0.2', 'Forwarded' => ['for="[2001:db8::1]:80"']], ['10.0.0.0/8']);
        Agents\Core\client_ip("\xff", ['x-forwarded-for' => [[]]], []);
        attempt(fn () => Agents\Core\client_ip('1.1.1.1', [], ['not-a-cidr']));
    };
}
if (class_exists(IpAllowlist::class)) {
    $plan['agents\core\ipallowlist::__construct'] = static function () {
        $l = new IpAllowlist(['10.0.0.0/8', '2001:db8::/32', '127.0.0.1']);
        $l->contains('10.9.9.9');
        $l->contains('::ffff:10.0.0.1');
        $l->contains("\xfe");
        $l->entries();
        count($l);
        IpAllowlist::normalize('10.0.0.5/8, 01.2.3.4 fe80::1%eth0 ' . str_repeat('A', 100));
        attempt(fn () => new IpAllowlist(['10.0.0.5/8', 7, null]));
    };
    $rare['big allowlist text'] = static function () use ($big) {
        IpAllowlist::normalize("10.0.0.5/8, 01.2.3.4 fe80::1%eth0 $big");
        attempt(fn () => new IpAllowlist("10.0.0.0/8 $big"));
    };
    foreach (['contains', 'entries', 'count', 'normalize'] as $m) {
        $plan["agents\\core\\ipallowlist::$m"] = null; // covered above
    }
}
if (function_exists('Agents\Core\token_generate')) {
    $plan['agents\core\token_generate'] = static function () {
        $t = Agents\Core\token_generate('Content QA');
        Agents\Core\token_hash($t['token']);
        Agents\Core\token_generate('');
    };
    $plan['agents\core\token_hash'] = null;
}
if (class_exists(Guard::class)) {
    $plan['agents\core\guard::__construct'] = static function () use ($env, $rows, $jwt, $hmacSecret) {
        $options = ['now' => 1_800_000_000, 'trustedProxies' => ['10.0.0.0/8'], 'forwardedHeader' => 'x-forwarded-for',
            'commerceEnabled' => true, 'jwt' => ['keys' => [['alg' => 'HS256', 'secret' => $hmacSecret]], 'algorithms' => ['HS256']]];
        $g = new Guard($env, $rows, $options);
        foreach ([
            ['method' => 'GET', 'headers' => ['Authorization' => 'Bearer managed-token-1-abcdefghijkl'], 'query' => [], 'remoteAddr' => '10.0.0.9'],
            ['method' => 'GET', 'headers' => ['X-Agents-Token' => ['legacy-token-0123456789abcdef'], 'X-Forwarded-For' => '127.0.0.1'], 'query' => ['apiToken' => 'x'], 'remoteAddr' => '10.0.0.9'],
            ['method' => 'POST', 'headers' => ['Authorization' => "Basic \xff"], 'query' => ['apiToken' => ['x']], 'remoteAddr' => "\x00"],
            ['method' => 'GET', 'headers' => ['Authorization' => "Bearer $jwt"], 'query' => [], 'remoteAddr' => '127.0.0.1'],
        ] as $req) {
            $r = $g->authenticate($req);
            if ($r['ok']) {
                $g->hasScope($r['principal'], ['orders:read', 'x']);
            }
        }
        // The result shares the peer address string with the request: it must outlive it.
        $kept = [];
        foreach (['10.0.0.', '::ffff:10.0.0.', '010.0.0.'] as $i => $prefix) {
            $addr = $prefix . (7 + $i);
            $req = ['method' => 'GET', 'headers' => ['Authorization' => 'Bearer managed-token-1-abcdefghijkl'], 'remoteAddr' => $addr];
            $r = $g->authenticate($req);
            unset($req, $addr);
            $kept[] = $r['principal']['clientIp'] ?? $r['status'];
            unset($r);
        }
        $kept[0] .= '!';
        // A list of catalogue scopes is one shared immutable array: each result writes to its
        // own copy, and a result outlives the Guard that made it.
        $first = $g->authenticate(['method' => 'GET', 'headers' => ['Authorization' => 'Bearer managed-token-1-abcdefghijkl'], 'query' => [], 'remoteAddr' => '10.0.0.9']);
        if ($first['ok']) {
            $shared = $first['principal']['scopes'];
            $first['principal']['scopes'][] = 'written';
            foreach ($shared as &$scope) {
                $scope .= '!';
            }
            unset($scope);
            $kept[] = $first;
        }
        $g->hasScope(['scopes' => ['*']], 'anything');
        $g->posture();
        $g->capabilities();
        $g->warnings();
        $g->diagnostics();
        strlen(print_r($g, true));
        Agents\Core\posture(['ENVIRONMENT' => 'dev'], [], []);
        attempt(fn () => new Guard(['X' => []], [], ['bogus' => 1]));
        attempt(fn () => $g->authenticate(['headers' => 'nope']));
        attempt(fn () => new Guard([], [], ['jwt' => ['keys' => [['alg' => 'HS256', 'secret' => $hmacSecret]], 'algorithms' => ['HS256']]]));
        // Arrays of every shape the direct walk of PHP's hash tables meets: holes left by
        // unset() in packed and hashed arrays, references, mixed and integer keys, nesting.
        $odd = $rows;
        unset($odd[1], $odd[3]);
        $odd[] = $rows[0];
        $scopes = ['auth:read', 'orders:read', 'x'];
        unset($scopes[1]);
        $odd[0]['scopes'] = &$scopes;
        $odd[2]['ipAllowlist'] = [5 => '10.0.0.0/8', 'k' => '127.0.0.1', 7 => ['nested' => ['deeper']]];
        unset($odd[4]['handle']);
        $odd[4][17] = 'integer key';
        $odd['named'] = $rows[5];
        $odd[6] = &$odd[7];
        new Guard($env, $odd, $options);
        // A table large enough that the rows ahead are asked for before they are read, with
        // the same shapes near its end (where the look-ahead runs past the last row).
        $large = [];
        for ($i = 0; $i < 300; $i++) {
            $large[] = $rows[$i % count($rows)];
        }
        unset($large[100], $large[297]);
        $large[5] = 'not a row';
        $large[] = &$odd[0];
        $large['named'] = $rows[1];
        $large[] = [1, 2, 3];
        new Guard($env, $large, $options);
        $headers = ['Authorization' => 'Bearer managed-token-1-abcdefghijkl', 'X-Forwarded-For' => ['127.0.0.1', '10.0.0.3'], 3 => 'x'];
        unset($headers['X-Forwarded-For'][0]);
        $auth = &$headers['Authorization'];
        $g->authenticate(['method' => 'GET', 'headers' => $headers, 'query' => [], 'remoteAddr' => '10.0.0.9']);
        unset($g);
        strlen(json_encode($kept));
    };
    // One request as the plugin runs it on a cached Guard (a soak of N iterations makes N of
    // them), plus misses that rotate through more revisions than the cache holds, a $build
    // that throws, one that returns something else, and forget().
    $cachedRequest = ['method' => 'GET', 'headers' => ['Authorization' => 'Bearer managed-token-2-abcdefghijkl'],
        'query' => [], 'remoteAddr' => '127.0.0.1'];
    $cachedIteration = 0;
    $plan['agents\core\guard::cached'] = static function () use ($env, $rows, $cachedRequest, &$cachedIteration) {
        $build = static fn (): Guard => new Guard($env, $rows, ['now' => 1_800_000_000]);
        $g = Guard::cached('soak-revision', $build);
        $r = $g->authenticate($cachedRequest);
        if (!$r['ok'] || !$g->hasScope($r['principal'], 'auth:read')) {
            fwrite(STDERR, "cached request denied: " . ($r["reason"] ?? "scope") . "\n");
            exit(1);
        }
        if ($cachedIteration++ % 50 === 0) {
            Guard::cached('soak-miss-' . ($cachedIteration % 40), $build);
            attempt(fn () => Guard::cached('soak-throws', static function (): Guard {
                throw new \Agents\Core\AgentsCoreException('build failed');
            }));
            attempt(fn () => Guard::cached('soak-not-a-guard', static fn () => new \stdClass()));
            Guard::cached('soak-uncached', $build, 0)->posture();
        }
        if ($cachedIteration % 5000 === 0) {
            Guard::forget();
        }
    };
    $plan['agents\core\guard::forget'] = null;
    foreach (['authenticate', 'hasscope', 'posture', 'capabilities', 'warnings', 'diagnostics', '__debuginfo'] as $m) {
        $plan["agents\\core\\guard::$m"] = null;
    }
    $plan['agents\core\posture'] = null;
}
if (class_exists(JwtVerifier::class)) {
    $fixtures = json_decode((string) file_get_contents(__DIR__ . '/../tests/fixtures/jwt-algorithms.json'), true);
    $plan['agents\core\jwtverifier::__construct'] = static function () use ($jwt, $hmacSecret, $big) {
        $v = new JwtVerifier([['alg' => 'HS256', 'secret' => $hmacSecret, 'kid' => 'k1']], ['algorithms' => ['HS256']]);
        $v->check($jwt, 1_800_000_000);
        $v->keys();
        (new JwtVerifier(['keys' => [['kty' => 'oct', 'k' => rtrim(strtr(base64_encode($hmacSecret), '+/', '-_'), '='), 'kid' => 'o']]], ['algorithms' => ['HS256', 'HS512']]))->keys();
        attempt(fn () => $v->verify($jwt, 1_800_000_000));
        $v->check("$jwt.x", null);
        $v->check("\xff.\xff.\xff");
        $v->check($big);
        attempt(fn () => $v->verify('a.b.c'));
        attempt(fn () => new JwtVerifier([['alg' => 'HS256', 'secret' => 'short']], ['algorithms' => ['HS256']]));
        attempt(fn () => new JwtVerifier(['keys' => [['kty' => 'RSA', 'n' => 'AQAB', 'e' => 'AQAB']]], ['algorithms' => ['RS256']]));
    };
    $rare['jwt every algorithm'] = static function () use ($fixtures) {
        // Every algorithm, from PEM and from JWK (RSA, RSA-PSS, EC, Ed25519 paths).
        $all = array_column($fixtures['algorithms'], 'alg');
        foreach ($fixtures['algorithms'] as $f) {
            $spec = isset($f['pem']) ? ['alg' => $f['alg'], 'pem' => $f['pem'], 'kid' => $f['kid']]
                : ['alg' => $f['alg'], 'secret' => hex2bin($f['secret_hex']), 'kid' => $f['kid']];
            $pv = new JwtVerifier([$spec], ['algorithms' => [$f['alg']]]);
            $pv->check($f['token'], 1_800_000_000);
            $pv->keys();
            $jv = new JwtVerifier(['keys' => [$f['jwk'] + ['kid' => $f['kid']]]], ['algorithms' => $all]);
            $jv->check($f['token'], 1_800_000_000);
            $jv->check(substr($f['token'], 0, -4) . 'AAAA', 1_800_000_000);
            $jv->keys();
        }
    };
    $plan['agents\core\jwtverifier::verify'] = null;
    $plan['agents\core\jwtverifier::check'] = null;
    $plan['agents\core\jwtverifier::keys'] = null;
}
if (function_exists('Agents\Core\webhook_sign')) {
    $plan['agents\core\webhook_sign'] = static function () {
        $h = Agents\Core\webhook_sign('whsec-0123456789', '{"a":1}', 1_800_000_000);
        Agents\Core\webhook_verify(['old-secret-000', 'whsec-0123456789'], '{"a":1}', $h, 300, 1_800_000_010);
        Agents\Core\webhook_verify('whsec-0123456789', "\xff", ['x-agents-webhook-signature' => 'sha256=zz'], 300, 0);
        attempt(fn () => Agents\Core\webhook_verify('', 'b', [], 300, 0));
    };
    $plan['agents\core\webhook_verify'] = null;
}
if (function_exists('Agents\Core\redact')) {
    $plan['agents\core\redact'] = static function () {
        $orders = [['id' => 1, 'email' => 'a@example.com', 'customer' => ['email' => 'a@example.com'],
            'lineItems' => [['salePrice' => '1.00', 'subtotal' => '1.00', 'total' => '1.00']]]];
        Agents\Core\redact($orders, 'order', ['orders:read'], true);
        Agents\Core\redact(['email' => 'u@example.com', 'firstName' => 'U'], 'user', ['*'], true);
        Agents\Core\redact(['fullName' => 'X', 'postalCode' => '1'], 'address', [], false);
        attempt(fn () => Agents\Core\redact([], 'planet', [], true));
    };
}

if (class_exists('Agents\Core\RateLimiter')) {
    $plan['agents\core\ratelimiter::__construct'] = static function () {
        $l = new Agents\Core\RateLimiter(['limit' => 5, 'window' => 10, 'prefix' => 'entrypoints:']);
        foreach (['k1', 'k2', '', str_repeat('x', 5000), "\xff\x00"] as $i => $key) {
            $l->hit($key, $i % 3, 1_700_000_000 + $i);
            $l->hit($key);
        }
        $l->hit('k1', 99);
        $l->hit('k1', -1);
        $l->reset('k1');
        attempt(fn () => $l->hit('k1', 1, -5));
        attempt(fn () => new Agents\Core\RateLimiter(['limit' => 0, 'window' => 'x', 'store' => 'redis://:pw@h', 'zz' => []]));
    };
    $plan['agents\core\ratelimiter::hit'] = null;
    $plan['agents\core\ratelimiter::reset'] = null;
    $rare['rate limiter unreachable redis'] = static function () {
        // Port 1 on loopback refuses at once: the fallback path, then the back-off path.
        $l = new Agents\Core\RateLimiter(['limit' => 5, 'window' => 10, 'store' => 'redis://127.0.0.1:1/3']);
        $l->hit('k');
        $l->hit('k');
        $l->reset('k');
    };
}

// Every exported function and method must be in the plan.
$ext = new ReflectionExtension('agents_core');
$exported = array_map('strtolower', array_keys($ext->getFunctions()));
foreach ($ext->getClasses() as $class) {
    foreach ($class->getMethods() as $m) {
        if ($m->getDeclaringClass()->getName() === $class->getName()) {
            $exported[] = strtolower($class->getName() . '::' . $m->getName());
        }
    }
}
$exported = array_diff($exported, ['agents\core\panic_probe']);
$missing = array_diff($exported, array_keys($plan));
if ($missing) {
    fwrite(STDERR, 'entry points not exercised: ' . implode(', ', $missing) . "\n");
    exit(1);
}

$rss = static function (): int {
    $status = (string) @file_get_contents('/proc/self/status');
    return preg_match('/VmRSS:\s+(\d+)/', $status, $m) ? (int) $m[1] : 0;
};
$samples = [];
$started = microtime(true);
for ($i = 0; $i < $iterations; $i++) {
    foreach ($plan as $f) {
        if ($f !== null) {
            $f();
        }
    }
    if (!$soak || $i % 100 === 0) {
        foreach ($rare as $f) {
            $f();
        }
    }
    if ($soak && ($i % max(1, intdiv($iterations, 20)) === 0 || $i === $iterations - 1)) {
        gc_collect_cycles();
        $samples[] = [$i, $rss()];
    }
}
$calls = count(array_filter($plan));
printf("%d iterations of %d entry-point groups (%d entry points; %d slow groups every %s) in %.1f s\n",
    $iterations, $calls, count($plan), count($rare), $soak ? '100th iteration' : 'iteration', microtime(true) - $started);
if ($soak) {
    foreach ($samples as [$i, $kb]) {
        printf("  iteration %8d: RSS %d KiB\n", $i, $kb);
    }
    // Growth after warm-up (from the second sample on).
    $growth = end($samples)[1] - ($samples[1][1] ?? $samples[0][1]);
    printf("RSS growth after warm-up: %d KiB\n", $growth);
    exit($growth < 1024 ? 0 : 1);
}
