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
         * `['ok' => false, 'status', 'error', 'message', 'headers', 'reason', 'reasonDetail']`
         * (`reason` and `reasonDetail` are for the plugin's log, never for the response).
         *
         * @param array $request
         * @return array
         */
        public function authenticate(array $request): array {}

        /**
         * The Guard compiled for `$revision` in this process, when one younger than
         * `$maxAgeSeconds` is held; otherwise calls `$build` (which must return a Guard), keeps its
         * result and returns it. `$maxAgeSeconds = 0` calls `$build` and keeps nothing. What
         * `$build` throws propagates and nothing is kept.
         *
         * `$revision` must change whenever any input of the Guard changes (env values, any
         * credential create, update, rotate, pause, revoke or delete); `$maxAgeSeconds` bounds how
         * long a change missing from the revision can go unnoticed. The process keeps at most 16
         * Guards (least recently used goes first) and only the SHA-256 digest of each revision.
         * See docs/craft-integration.md.
         *
         * @param callable(): Guard $build
         * @throws \Agents\Core\InvalidInputException when `$build` returns something other than a
         *   Guard, or `$maxAgeSeconds` is negative.
         *
         * @param string $revision
         * @param callable $build
         * @param int $maxAgeSeconds
         * @return \Agents\Core\Guard
         */
        public static function cached(string $revision, callable $build, int $maxAgeSeconds = 60): \Agents\Core\Guard {}

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
         * Drops this process's cached Guards; returns how many there were.
         *
         * @return int
         */
        public static function forget(): int {}

        /**
         * True when the principal holds the scope (`string`), or any of the scopes (`list<string>`).
         * An empty requirement (`''` or `[]`) is satisfied.
         *
         * @param string|list<string> $scope
         * @throws \Agents\Core\InvalidInputException when `$scope` is neither a UTF-8 string nor a
         *   list of them (a malformed requirement is never read as "no requirement").
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
     * Verifies signed bearer tokens (JWT, compact JWS) strictly: canonical base64url, no repeated
     * JSON member names, `alg: none` refused in any spelling, the algorithm pinned by the key,
     * `exp == now` expired, weak keys refused when the verifier is built.
     *
     * `$keys`: a JWK Set (`['keys' => [...]]`), one JWK, one key spec, or a list of JWKs and key
     * specs. A key spec is `['alg' => 'HS256', 'secret' => string]` (binary strings allowed) or
     * `['alg' => 'RS256'|'PS256'|'ES256'|'EdDSA'|..., 'pem' => string]` (PEM `PUBLIC KEY` or
     * `RSA PUBLIC KEY`); any key may carry `kid`. A JWK without `alg` serves every algorithm of
     * `algorithms` that fits its key type; a key whose `alg` is not in `algorithms` is left out.
     *
     * `$options`: `algorithms` (required, non-empty list of HS256/384/512, RS256/384/512,
     * PS256/384/512, ES256, ES384, EdDSA), `leeway` (seconds, 0..86400, default 0), `requireExp`
     * (default true), `issuer` and `audience` (string or list), `maxTokenBytes` (64..1048576,
     * default 8192). A token carrying `aud` is refused when no audience is configured.
     *
     * @final
     */
    final class JwtVerifier {
        /**
         * Builds the verifier; every key is parsed and checked now.
         *
         * @throws \Agents\Core\InvalidInputException naming every bad key or option; each reason
         *   starts with its code (`key_invalid`, `weak_key`, `key_type_mismatch`, `jwk_invalid`,
         *   `alg_none`, `unsupported_alg`, `alg_mismatch`). Secrets never appear in the message.
         *
         * @param array $keys
         * @param array $options
         */
        public function __construct(array $keys, array $options) {}

        /**
         * Like `verify()`, without throwing: `['valid' => bool, 'claims' => ?array,
         * 'reason' => ?string, 'message' => ?string]`. On refusal `claims` is set only when the
         * signature verified and a claim check failed (e.g. `expired`): authentic, but not valid.
         *
         * @param string $token
         * @param int|null $now
         * @return array
         */
        public function check(string $token, ?int $now = null): array {}

        /**
         * The keys that can verify tokens: a list of `['kid' => ?string, 'kty' => string,
         * 'algorithms' => list, 'bits' => ?int, 'curve' => ?string, 'thumbprint' => ?string]`
         * (`thumbprint`: RFC 7638 SHA-256 of a public key; never set for HMAC secrets).
         *
         * @return array
         */
        public function keys(): array {}

        /**
         * Verifies `$token` at `$now` (unix seconds; default the clock) and returns its claims.
         *
         * @throws \Agents\Core\TokenException whose message is `"<reason>: <explanation>"`.
         *
         * @param string $token
         * @param int|null $now
         * @return array
         */
        public function verify(string $token, ?int $now = null): array {}
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

    /**
     * Redacts sensitive fields for a caller without the resource's `*:read_sensitive` scope
     * ([spec:redaction]); `*` unlocks everything.
     *
     * * `order` (`orders:read_sensitive`): `email` → null with `emailRedacted`; line items (in
     *   `lineItems`) lose `salePrice`, `subtotal` and `total` whatever `$redactEmail` says.
     * * `user` (`users:read_sensitive`): `email` → null with `emailRedacted`; `firstName`,
     *   `lastName`, `friendlyName`, `unverifiedEmail` → null whatever `$redactEmail` says.
     * * `address` (`addresses:read_sensitive`): `fullName`, `organization`, `postalCode`,
     *   `locality`, `administrativeArea`, `firstName`, `lastName`, `organizationTaxId`,
     *   `addressLine1`-`3`, `dependentLocality`, `sortingCode`, `latitude`, `longitude` → null, with
     *   `sensitiveRedacted`.
     *
     * Markers are `true` when redacted and `false` otherwise, set beside the fields on every object
     * (at any depth: a list of records, an order's customer block) that holds one of them. Absent
     * fields are not added. `$redactEmail = false` turns e-mail and address redaction off.
     *
     * @param array $record a record, a list of records, or any array holding them
     * @param string[] $grantedScopes the caller's scopes
     * @throws \Agents\Core\InvalidInputException for an unknown resource, a scope that is not a
     *   string, or a record holding objects or non-UTF-8 text.
     *
     * @param array $record
     * @param string $resource
     * @param array $grantedScopes
     * @param bool $redactEmail
     * @return array
     */
    function redact(array $record, string $resource, array $grantedScopes, bool $redactEmail = true): array {}

    /**
     * Generates a credential token: `['token' => secret to show once, 'hash' => token_hash(token),
     * 'publicId' => non-secret display id]`. The token reads `agt_[<handle>_]<id>_<secret><check>`:
     * a fixed prefix, the handle as a slug, a public id, ≈190 bits from the OS CSPRNG and a
     * checksum that lets a typo be refused before any lookup. `publicId` (`agt_[<handle>_]<id>`)
     * is drawn separately and contains nothing of the secret (bytes that are not UTF-8 count as
     * separators in the slug). Throws AgentsCoreException when the OS random source fails (there
     * is no weaker fallback).
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

    /**
     * Signs a webhook delivery: a flat header map `X-Agents-Webhook-Id` (`$id`, or a random UUID v4),
     * `X-Agents-Webhook-Timestamp`, `X-Agents-Webhook-Signature` (`sha256=` + lower-case hex
     * HMAC-SHA256 of `"<timestamp>.<body>"`). `$body` may be binary.
     *
     * @throws \Agents\Core\InvalidInputException for an empty secret, a negative timestamp or an id
     *   that is not 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
     *
     * @param string $secret
     * @param string $body
     * @param int $timestamp
     * @param string|null $id
     * @return array
     */
    function webhook_sign(string $secret, string $body, int $timestamp, ?string $id = null): array {}

    /**
     * Verifies a webhook delivery: `['valid' => bool, 'reason' => ?string]`, reasons
     * `missing_header`, `malformed_header`, `stale_timestamp` (older than `$toleranceSeconds`),
     * `future_timestamp` (newer than now + `$toleranceSeconds`), `signature_mismatch`.
     *
     * @param string|string[] $secrets one secret, or several during rotation (any may match)
     * @param array $headers header name (any case) => string or list of strings
     * @throws \Agents\Core\InvalidInputException when a secret is empty or not a string, or the
     *   tolerance is negative (the message never contains a secret).
     *
     * @param mixed $secrets
     * @param string $body
     * @param array $headers
     * @param int $toleranceSeconds
     * @param int|null $now
     * @return array
     */
    function webhook_verify(mixed $secrets, string $body, array $headers, int $toleranceSeconds = 300, ?int $now = null): array {}
}

namespace {
    const AGENTS_CORE_VERSION = '0.1.0';
}
