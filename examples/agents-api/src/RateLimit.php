<?php

declare(strict_types=1);

namespace Agents\Demo;

use Agents\Core\RateLimiter;

/**
 * The front's rate limits, as the plugin applies them: before authentication per client IP and
 * route, after it per client IP, route and principal. The limit and window are the Guard's
 * resolved settings (PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE / _WINDOW_SECONDS or the profile
 * default); the store is AGENTS_RATE_LIMIT_STORE ('local' by default, or a redis:// URL shared
 * by every node). Every decision (GCRA, the shared table, Redis, outages) is the core's.
 */
final class RateLimit
{
    /** @var array<string, RateLimiter> stage => limiter */
    private array $limiters = [];

    /**
     * @param array<string, string> $env
     * @param array{perMinute?: int, windowSeconds?: int} $settings the Guard's posture()['rateLimit']
     * @throws \Agents\Core\InvalidInputException for a bad store URL or policy
     */
    public function __construct(array $env, array $settings, private readonly string $clientIp,
        private readonly string $routeKey, private readonly bool $debug = false)
    {
        $store = trim($env['AGENTS_RATE_LIMIT_STORE'] ?? '');
        $onError = trim($env['AGENTS_RATE_LIMIT_ON_STORE_ERROR'] ?? '');
        foreach (['preauth', 'postauth'] as $stage) {
            $this->limiters[$stage] = new RateLimiter([
                'limit' => (int) ($settings['perMinute'] ?? 60),
                'window' => (int) ($settings['windowSeconds'] ?? 60),
                'store' => $store === '' ? 'local' : $store,
                'onStoreError' => $onError === '' ? 'local' : $onError,
                'prefix' => "agents:rl:$stage:",
            ]);
        }
    }

    /** `routeKey` as the plugin computes it: the path trimmed of '/', or 'root'. */
    public static function routeKey(string $path): string
    {
        $k = trim($path, '/');
        return $k === '' ? 'root' : $k;
    }

    /**
     * Counts the request at `$stage` ('preauth', or 'postauth' with the principal's
     * fingerprint), sets the X-RateLimit-* headers (post-auth values replace pre-auth ones) and
     * returns null when admitted, or the 429 body extras when not.
     *
     * @return array{retryAfter: int}|null
     */
    public function hit(string $stage, ?string $principalFingerprint = null): ?array
    {
        $identity = $this->clientIp . '|' . $this->routeKey;
        if ($stage === 'postauth') {
            $identity .= '|' . ($principalFingerprint ?? 'token-disabled');
        }
        $r = $this->limiters[$stage]->hit($identity);
        header_remove('Retry-After');
        foreach ($r['headers'] as $name => $value) {
            header("$name: $value");
        }
        if ($this->debug) {
            header('X-RateLimit-Store: ' . $r['store']);
        }
        if ($r['allowed']) {
            return null;
        }
        // The body's retryAfter is the epoch second from which a retry can pass (Retry-After
        // carries the same as a delay).
        return ['retryAfter' => time() + $r['retryAfter']];
    }
}
