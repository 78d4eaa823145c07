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
