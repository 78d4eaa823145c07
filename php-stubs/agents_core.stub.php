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
         * The `authentication` block of `/capabilities`.
         *
         * @return array
         */
        public function capabilities(): array {}

        /**
         * `checks.auth` of the diagnostics bundle.
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
         * The security posture object.
         *
         * @return array
         */
        public function posture(): array {}

        /**
         * Every warning: `[['level' => 'warning'|'error', 'code' => string, 'message' => string], ...]`.
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

    /**
     * Generates a credential token: `['token' => secret to show once, 'hash' => token_hash(token),
     * 'publicId' => non-secret display id]`. The token reads `agt_[<handle>_]<id>_<secret><check>`:
     * a fixed prefix, the handle as a slug, a public id, ≈190 bits from the OS CSPRNG and a
     * checksum that lets a typo be refused before any lookup. `publicId` (`agt_[<handle>_]<id>`)
     * is drawn separately and contains nothing of the secret. Throws AgentsCoreException when the
     * OS random source fails (there is no weaker fallback).
     *
     * @param string $handle
     * @return array
     */
    function token_generate(string $handle = ''): array {}

    /**
     * Lower-case hex SHA-256 of the token's bytes, exactly as given (the `tokenHash` storage
     * format; tokens of every format, old and generated, are stored this way).
     *
     * @param string $token
     * @return string
     */
    function token_hash(string $token): string {}
}

namespace {
    const AGENTS_CORE_VERSION = '0.1.0';
}
