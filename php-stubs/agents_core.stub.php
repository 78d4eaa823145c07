<?php

// Stubs for agents_core

namespace Agents\Core {
    /**
     * One compiled security policy per configuration.
     */
    final class Guard {
        /**
         * Compiles the policy from `$env` (PLUGIN_AGENTS_*, ENVIRONMENT, CRAFT_ENVIRONMENT values),
         * the managed credential rows and `$options` (now, commerceEnabled, writesExperimental,
         * trustedProxies, jwt). Throws InvalidInputException naming every bad item.
         *
         * @param array $env
         * @param array|null $managedCredentials
         * @param array|null $options
         */
        public function __construct(array $env, ?array $managedCredentials = null, ?array $options = null) {}

        /**
         * Authenticates one request (`method`, `headers`, `query`, `remoteAddr`):
         * `['ok' => true, 'principal' => [...]]` or
         * `['ok' => false, 'status', 'error', 'message', 'headers', 'reason']`.
         *
         * @param array $request
         * @return array
         */
        public function authenticate(array $request): array {}

        /**
         * The `authentication` block of `/capabilities`, with `methods` and the `runtimeProfile`
         * object inside it.
         *
         * @return array
         */
        public function capabilities(): array {}

        /**
         * `checks.auth` of the diagnostics bundle: `check`, `status` (`ok`|`failed`), `strict`,
         * `errors`, `warnings`, `details`, `generatedAt` (ISO-8601 UTC of `now`).
         *
         * @return array
         */
        public function diagnostics(): array {}

        /**
         * True when the principal holds the scope (`string`), or any of the scopes (`list<string>`).
         *
         * @param array $principal
         * @param mixed $scope
         * @return bool
         */
        public function hasScope(array $principal, mixed $scope): bool {}

        /**
         * The security posture: `environment`, `profile`, `authentication`, `credentialExpiry`,
         * `rateLimit`, `privacy`, `webhook` (with `destinationHost` = `scheme://host` and
         * `deliveryMode`), `warnings`, `warningCounts`, `verdict` (`ok`|`warn`|`critical`). Never
         * contains a token, hash, webhook secret or full webhook URL. See docs/posture.md.
         *
         * @return array
         */
        public function posture(): array {}

        /**
         * Every warning, in the documented order (docs/posture.md):
         * `[['level' => 'warning'|'error', 'code' => string, 'message' => string], ...]`.
         *
         * @return array
         */
        public function warnings(): array {}
    }

    /**
     * An IP allowlist compiled once: strict entries, canonical order, fast membership.
     */
    final class IpAllowlist implements \Countable {
        /**
         * Compiles the entries: a list of strings, text separated by commas and whitespace, or
         * JSON array text. Throws `InvalidInputException` naming every bad entry and why.
         *
         * @param array|string $entries
         *
         * @param mixed $entries
         */
        public function __construct(mixed $entries) {}

        /**
         * True when an entry contains `$ip`. Invalid address text (any bytes) gives false.
         *
         * @param string $ip
         * @return bool
         */
        public function contains(string $ip): bool {}

        /**
         * Number of (de-duplicated) entries.
         *
         * @return int
         */
        public function count(): int {}

        /**
         * The entries in canonical form: IPv4 before IPv6, by network, then prefix length.
         *
         * @return list<string>
         *
         * @return array
         */
        public function entries(): array {}

        /**
         * Reads the entries without throwing: `['entries' => canonical, sorted, de-duplicated
         * strings, 'invalid' => [['entry' => string, 'reason' => string], ...]]`.
         *
         * @param array|string $entries
         * @return array{entries: list<string>, invalid: list<array{entry: string, reason: string}>}
         *
         * @param mixed $entries
         * @return array
         */
        public static function normalize(mixed $entries): array {}
    }

    /**
     * The request's client address: `$remoteAddr` unless it is a trusted proxy; then the
     * `Forwarded` header if present, else `X-Forwarded-For`, walked right to left skipping
     * trusted proxies. `$headers` maps names (any case) to a string or a list of strings. Null
     * when no valid address is found. Throws `InvalidInputException` only for invalid
     * `$trustedProxies` entries (configuration). A `Forwarded` header is read whenever the
     * request has one, so trusted proxies that only maintain `X-Forwarded-For` must strip a
     * client-sent `Forwarded` header.
     *
     * @param array<string, string|list<string>> $headers
     * @param list<string> $trustedProxies IPs or CIDRs
     *
     * @param string $remoteAddr
     * @param array $headers
     * @param array $trustedProxies
     * @return string|null
     */
    function client_ip(string $remoteAddr, array $headers, array $trustedProxies = []): ?string {}

    /**
     * One-shot check: true when `$ip` is inside a valid entry of `$cidrs`. Invalid entries never
     * match; an empty list matches nothing; invalid address text gives false. Never throws.
     *
     * @param list<string> $cidrs
     *
     * @param string $ip
     * @param array $cidrs
     * @return bool
     */
    function ip_allowed(string $ip, array $cidrs): bool {}

    /**
     * The posture of a configuration: `(new Guard($env, $managedCredentials, $options))->posture()`.
     *
     * @param array $env
     * @param array|null $managedCredentials
     * @param array|null $options
     * @return array
     */
    function posture(array $env, ?array $managedCredentials = null, ?array $options = null): array {}
}

namespace {
    const AGENTS_CORE_VERSION = '0.1.0';
}
