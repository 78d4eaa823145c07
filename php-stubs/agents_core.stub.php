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
         * trustedProxies, forwardedHeader, jwt). Throws InvalidInputException naming every bad
         * item.
         *
         * @param array<string, string|int|float|bool|null> $env PLUGIN_AGENTS_* values (as
         *   `App::env` returns them), ENVIRONMENT, CRAFT_ENVIRONMENT; a missing key is unset
         * @param list<array{id: int|numeric-string, handle: string, tokenHash: string, scopes?: list<string>|string|null, ipAllowlist?: list<string>|string|null, expiresAt?: string|int|null, revokedAt?: string|int|null, pausedAt?: string|int|null, reminderDays?: int|numeric-string|null, expiryReminderDays?: int|numeric-string|null, forceHumanApproval?: bool|int|string|null, webhookResourceTypes?: list<string>|string|null, webhookActions?: list<string>|string|null, ...}>|null $managedCredentials
         *   the rows of the managed-credentials table (other columns are ignored)
         * @param array{now?: int|null, commerceEnabled?: bool, writesExperimental?: bool, trustedProxies?: list<string>|string, forwardedHeader?: 'x-forwarded-for'|'forwarded'|'auto', jwt?: array{keys: array<array-key, mixed>, algorithms: non-empty-list<string>, issuer?: string|list<string>, audience?: string|list<string>, leeway?: int, requireExp?: bool, maxTokenBytes?: int, scopeCeiling?: list<string>|string}|null}|null $options
         *   `now` (unix seconds, for tests), `commerceEnabled`, `writesExperimental` (the plugin
         *   setting; the env variable overrides it), `trustedProxies` (IPs/CIDRs of your proxies),
         *   `forwardedHeader` (`x-forwarded-for` or `forwarded`: the one header your proxy
         *   writes; `auto`, the default, reads `Forwarded` when present, else `X-Forwarded-For`,
         *   and the posture warns `forwarded_header_not_pinned`), `jwt` (signed bearer tokens:
         *   the JwtVerifier settings plus `keys` and `scopeCeiling`). Unknown keys are refused.
         */
        public function __construct(array $env, ?array $managedCredentials = null, ?array $options = null) {}

        /**
         * What `var_dump()` and `print_r()` show: a summary without secrets (profile, environment,
         * credential counts, warning counts, verdict), read from the posture; a Guard handed out by
         * `Guard::cached()` adds `cachedRevision` (`sha256:` and 16 hex digits of its revision's
         * digest).
         *
         * @return array{profile: string|null, environment: string|null, credentialCount: int|null, envCredentialCount: int|null, managedCredentialCount: int|null, warningCounts: array{warnings: int, errors: int}|null, verdict: string|null, cachedRevision?: string}
         */
        public function __debugInfo(): array {}

        /**
         * Authenticates one request (`method`, `headers`, `query`, `remoteAddr`). The array's
         * shape is the caller's code: a missing or non-string `method`, an unknown key, `headers`
         * or `query` that is not an array, or `remoteAddr` neither a string nor null throws
         * `InvalidInputException` naming every such key. Values inside `headers` and `query` come
         * from the client and never throw (a value that is not a string can only be denied).
         * Returns
         * `['ok' => true, 'principal' => [...]]` or
         * `['ok' => false, 'status', 'error', 'message', 'headers', 'reason', 'reasonDetail']`
         * (`reason` and `reasonDetail` are for the plugin's log, never for the response).
         *
         * @param array{method?: string, headers?: array<string, string|list<string>>, query?: array<string, mixed>, remoteAddr?: string|null} $request
         *   `headers` as Yii's `HeaderCollection::toArray()` gives them; `remoteAddr` is the
         *   socket peer (`REMOTE_ADDR`)
         * @return array{ok: true, principal: array{credentialId: string, credentialSource: 'cp'|'env'|'jwt'|'unknown', managedCredentialId: int|null, authMethod: 'authorization'|'x-agents-token'|'query'|'jwt'|'none', principalFingerprint: string, scopes: list<string>, forceHumanApproval: bool, clientIp: string|null}}|array{ok: false, status: int, error: string, message: string, headers: array<string, string>, reason: string, reasonDetail: string|null}
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
         * @param string $revision changes whenever an input of the Guard changes (any bytes)
         * @param callable(): Guard $build
         * @param int $maxAgeSeconds the longest a kept Guard is reused; 0 keeps nothing
         * @throws \Agents\Core\InvalidInputException when `$build` returns something other than a
         *   Guard, or `$maxAgeSeconds` is negative.
         *
         * @return \Agents\Core\Guard
         */
        public static function cached(string $revision, callable $build, int $maxAgeSeconds = 60): \Agents\Core\Guard {}

        /**
         * The `authentication` block of `/capabilities`, with `methods` and the `runtimeProfile`
         * object inside it.
         *
         * @return array{required: bool, allowQueryToken: bool, allowInsecureNoTokenInProd: bool, tokenRequirementForcedInProd: bool, failOnMissingTokenInProd: bool, tokenConfigured: bool, credentialCount: int, environment: string|null, environmentProfile: string, environmentProfileSource: 'env'|'inferred', profileDefaultsApplied: bool, effectivePolicyVersion: string, methods: list<string>, runtimeProfile: array{environment: string|null, environmentProfile: string, environmentProfileSource: 'env'|'inferred', profileDefaultsApplied: bool, profileDefaultsAppliedFields: list<string>, effectivePolicyVersion: string}, ...}
         */
        public function capabilities(): array {}

        /**
         * `checks.auth` of the diagnostics bundle: `check`, `status` (`ok`|`failed`), `strict`,
         * `errors`, `warnings`, `details`, `generatedAt` (ISO-8601 UTC of `now`).
         *
         * @return array{check: 'auth', status: 'ok'|'failed', strict: bool, errors: list<string>, warnings: list<string>, details: array<string, mixed>, generatedAt: string}
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
         * @param array{scopes: list<string>|string, ...} $principal the `principal` of a successful
         *   `authenticate()`
         * @param string|list<string> $scope
         * @throws \Agents\Core\InvalidInputException when `$scope` is neither a UTF-8 string nor a
         *   list of them (a malformed requirement is never read as "no requirement"), or when
         *   `$principal` is a whole authenticate() result instead of its `principal`.
         *
         * @return bool
         */
        public function hasScope(array $principal, mixed $scope): bool {}

        /**
         * The security posture: `environment`, `profile`, `authentication`, `credentialExpiry`,
         * `rateLimit`, `privacy`, `webhook` (with `destinationHost` = `scheme://host` and
         * `deliveryMode`), `warnings`, `warningCounts`, `verdict` (`ok`|`warn`|`critical`). Never
         * contains a token, hash, webhook secret or full webhook URL. See docs/posture.md.
         *
         * @return array{environment: string|null, profile: array{name: 'local'|'test'|'staging'|'production', source: 'env'|'inferred', defaultsApplied: bool, defaultsAppliedFields: list<string>, effectivePolicyVersion: string}, authentication: array{required: bool, requestedRequireToken: bool, tokenRequirementForcedInProd: bool, allowInsecureNoTokenInProd: bool, allowQueryToken: bool, failOnMissingTokenInProd: bool, credentialCount: int, envCredentialCount: int, managedCredentialCount: int, credentialIds: list<string>, tokenScopes: list<string>, ...}, credentialExpiry: array{expired: int, expiringSoon: int, activeWithExpiry: int}, rateLimit: array{perMinute: int, windowSeconds: int}, privacy: array{redactEmail: bool}, webhook: array{enabled: bool, urlConfigured: bool, secretConfigured: bool, destinationHost: string|null, timeoutSeconds: int, maxAttempts: int, deliveryMode: string}, warnings: list<array{level: 'warning'|'error', code: string, message: string}>, warningCounts: array{warnings: int, errors: int}, verdict: 'ok'|'warn'|'critical', ...}
         */
        public function posture(): array {}

        /**
         * Every warning, in the documented order (docs/posture.md):
         * `[['level' => 'warning'|'error', 'code' => string, 'message' => string], ...]`.
         *
         * @return list<array{level: 'warning'|'error', code: string, message: string}>
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
         * @param list<string>|string $entries
         */
        public function __construct(mixed $entries) {}

        /**
         * True when an entry contains `$ip`. An IPv4-mapped address and its IPv4 form match the
         * same entries (`::ffff:10.0.0.0/104` holds `10.1.2.3`, `10.0.0.0/8` holds
         * `::ffff:10.1.2.3`), exactly as `Guard::authenticate` matches credential allowlists.
         * Invalid address text (any bytes) gives false.
         *
         * @param string $ip an IPv4 or IPv6 address
         *
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
         */
        public function entries(): array {}

        /**
         * Reads the entries without throwing: `['entries' => canonical, sorted, de-duplicated
         * strings, 'invalid' => [['entry' => string, 'reason' => string], ...]]`.
         *
         * @param list<string>|string $entries
         * @return array{entries: list<string>, invalid: list<array{entry: string, reason: string}>}
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
         * @param array{keys: list<array<string, mixed>>}|array<string, mixed>|list<array<string, mixed>> $keys
         *   a JWK Set, one JWK, one key spec (`array{alg: string, secret?: string, pem?: string,
         *   kid?: string}`) or a list of JWKs and key specs
         * @param array{algorithms: non-empty-list<'HS256'|'HS384'|'HS512'|'RS256'|'RS384'|'RS512'|'PS256'|'PS384'|'PS512'|'ES256'|'ES384'|'EdDSA'>, leeway?: int<0, 86400>, requireExp?: bool, issuer?: string|list<string>, audience?: string|list<string>, maxTokenBytes?: int<64, 1048576>} $options
         * @throws \Agents\Core\InvalidInputException naming every bad key or option; each reason
         *   starts with its code (`key_invalid`, `weak_key`, `key_type_mismatch`, `jwk_invalid`,
         *   `alg_none`, `unsupported_alg`, `alg_mismatch`). Secrets never appear in the message.
         */
        public function __construct(array $keys, array $options) {}

        /**
         * Like `verify()`, without throwing: `['valid' => bool, 'claims' => ?array,
         * 'reason' => ?string, 'message' => ?string]`. On refusal `claims` is set only when the
         * signature verified and a claim check failed (e.g. `expired`): authentic, but not valid.
         *
         * @param string $token the compact JWS
         * @param int|null $now unix seconds; null reads the clock
         * @return array{valid: true, claims: array<string, mixed>, reason: null, message: null}|array{valid: false, claims: array<string, mixed>|null, reason: string, message: string}
         */
        public function check(string $token, ?int $now = null): array {}

        /**
         * The keys that can verify tokens: a list of `['kid' => ?string, 'kty' => string,
         * 'algorithms' => list, 'bits' => ?int, 'curve' => ?string, 'thumbprint' => ?string]`
         * (`thumbprint`: RFC 7638 SHA-256 of a public key; never set for HMAC secrets).
         *
         * @return list<array{kid: string|null, kty: string, algorithms: list<string>, bits: int|null, curve: string|null, thumbprint: string|null}>
         */
        public function keys(): array {}

        /**
         * Verifies `$token` at `$now` (unix seconds; default the clock) and returns its claims.
         *
         * @param string $token the compact JWS
         * @param int|null $now unix seconds; null reads the clock
         * @return array<string, mixed> the claims
         * @throws \Agents\Core\TokenException whose message is `"<reason>: <explanation>"`.
         */
        public function verify(string $token, ?int $now = null): array {}
    }

    /**
     * A GCRA rate limiter on the node's shared table or on Redis.
     */
    final class RateLimiter {
        /**
         * `limit` (int > 0), `window` (seconds > 0), `store` (`'local'`, the default, or
         * `'redis://[:password@]host:port[/db]'`), `onStoreError` (`'local'`, the default,
         * `'deny'` or `'allow'`), `prefix` (string), `connectTimeoutMs` and `commandTimeoutMs`
         * (Redis, default 50). Throws `InvalidInputException` naming every bad option.
         *
         * @param array<string, int|string> $options
         * @throws \Agents\Core\AgentsCoreException when called again on a constructed limiter.
         */
        public function __construct(array $options) {}

        /**
         * Counts a hit of `$cost` units on `$key` at `$now` (unix seconds, default: the clock) and
         * returns `['allowed', 'limit', 'remaining', 'resetAt', 'retryAfter', 'store', 'headers']`.
         * An empty key or a cost outside 1..limit is a denial that counts nothing. A Redis outage
         * never throws: `onStoreError` decides. Throws only for a `$now` out of range.
         *
         * @param string $key the client's key (any bytes; hashed before it is stored)
         * @param int $cost units this hit counts, 1..limit
         * @param int|null $now unix seconds; null reads the clock
         * @return array{allowed: bool, limit: int, remaining: int, resetAt: int, retryAfter: int, store: string, headers: array<string, string>}
         */
        public function hit(string $key, int $cost = 1, ?int $now = null): array {}

        /**
         * Forgets `$key`'s state. A Redis failure is ignored (the state expires by itself).
         *
         * @param string $key the client's key
         *
         * @return void
         */
        public function reset(string $key): void {}
    }

    /**
     * The request's client address: `$remoteAddr` unless it is a trusted proxy; then the
     * `Forwarded` header if present, else `X-Forwarded-For`, walked right to left skipping
     * trusted proxies. `$headers` maps names (any case) to a string or a list of strings (one
     * per header line; each line is read on its own). Null when the client is unknown: the
     * peer is not a valid address, or the peer is a trusted proxy and the forwarding chain
     * cannot be read completely (an unterminated quote, a hop that is not an address, a value
     * that is not text or holds a control character) or the walk reaches `unknown` or an
     * obfuscated node; never the proxy's own address in that case. Throws `InvalidInputException` only for invalid
     * `$trustedProxies` entries (configuration). A `Forwarded` header is read whenever the
     * request has one, so trusted proxies that only maintain `X-Forwarded-For` must strip a
     * client-sent `Forwarded` header.
     *
     * @param string $remoteAddr the socket peer (`REMOTE_ADDR`)
     * @param array<string, string|list<string>> $headers
     * @param list<string> $trustedProxies IPs or CIDRs
     * @return string|null
     */
    function client_ip(string $remoteAddr, array $headers, array $trustedProxies = []): ?string {}

    /**
     * One-shot check: true when `$ip` is inside a valid entry of `$cidrs`. Invalid entries never
     * match; an empty list matches nothing; invalid address text gives false. Never throws.
     *
     * @param string $ip an IPv4 or IPv6 address
     * @param list<string> $cidrs IPs or CIDRs
     *
     * @return bool
     */
    function ip_allowed(string $ip, array $cidrs): bool {}

    /**
     * The posture of a configuration: `(new Guard($env, $managedCredentials, $options))->posture()`.
     *
     * @param array<string, string|int|float|bool|null> $env PLUGIN_AGENTS_* values (as
     *   `App::env` returns them), ENVIRONMENT, CRAFT_ENVIRONMENT; a missing key is unset
     * @param list<array{id: int|numeric-string, handle: string, tokenHash: string, scopes?: list<string>|string|null, ipAllowlist?: list<string>|string|null, expiresAt?: string|int|null, revokedAt?: string|int|null, pausedAt?: string|int|null, reminderDays?: int|numeric-string|null, expiryReminderDays?: int|numeric-string|null, forceHumanApproval?: bool|int|string|null, webhookResourceTypes?: list<string>|string|null, webhookActions?: list<string>|string|null, ...}>|null $managedCredentials
     *   the rows of the managed-credentials table (other columns are ignored)
     * @param array{now?: int|null, commerceEnabled?: bool, writesExperimental?: bool, trustedProxies?: list<string>|string, forwardedHeader?: 'x-forwarded-for'|'forwarded'|'auto', jwt?: array{keys: array<array-key, mixed>, algorithms: non-empty-list<string>, issuer?: string|list<string>, audience?: string|list<string>, leeway?: int, requireExp?: bool, maxTokenBytes?: int, scopeCeiling?: list<string>|string}|null}|null $options
     *   `now` (unix seconds, for tests), `commerceEnabled`, `writesExperimental` (the plugin
     *   setting; the env variable overrides it), `trustedProxies` (IPs/CIDRs of your proxies),
     *   `forwardedHeader` (`x-forwarded-for` or `forwarded`: the one header your proxy
     *   writes; `auto`, the default, reads `Forwarded` when present, else `X-Forwarded-For`,
     *   and the posture warns `forwarded_header_not_pinned`), `jwt` (signed bearer tokens:
     *   the JwtVerifier settings plus `keys` and `scopeCeiling`). Unknown keys are refused.
     * @return array{environment: string|null, profile: array{name: 'local'|'test'|'staging'|'production', source: 'env'|'inferred', defaultsApplied: bool, defaultsAppliedFields: list<string>, effectivePolicyVersion: string}, authentication: array{required: bool, requestedRequireToken: bool, tokenRequirementForcedInProd: bool, allowInsecureNoTokenInProd: bool, allowQueryToken: bool, failOnMissingTokenInProd: bool, credentialCount: int, envCredentialCount: int, managedCredentialCount: int, credentialIds: list<string>, tokenScopes: list<string>, ...}, credentialExpiry: array{expired: int, expiringSoon: int, activeWithExpiry: int}, rateLimit: array{perMinute: int, windowSeconds: int}, privacy: array{redactEmail: bool}, webhook: array{enabled: bool, urlConfigured: bool, secretConfigured: bool, destinationHost: string|null, timeoutSeconds: int, maxAttempts: int, deliveryMode: string}, warnings: list<array{level: 'warning'|'error', code: string, message: string}>, warningCounts: array{warnings: int, errors: int}, verdict: 'ok'|'warn'|'critical', ...}
     */
    function posture(array $env, ?array $managedCredentials = null, ?array $options = null): array {}

    /**
     * Redacts sensitive fields for a caller without the resource's `*:read_sensitive` scope
     * ([spec:redaction]); `*` unlocks everything.
     *
     * * `order` (`orders:read_sensitive`): `email` → null with `emailRedacted`; line items (every
     *   array directly under `lineItems`, whatever its keys: a list, a list with gaps after
     *   `array_filter`, or keyed by line-item id) lose `salePrice`, `subtotal` and `total` whatever
     *   `$redactEmail` says.
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
     * @param array<array-key, mixed> $record a record, a list of records, or any array holding them
     * @param 'order'|'user'|'address' $resource the kind of record
     * @param list<string> $grantedScopes the caller's scopes
     * @param bool $redactEmail false turns e-mail and address redaction off
     * @return array<array-key, mixed> `$record` with the fields redacted and the markers set
     * @throws \Agents\Core\InvalidInputException for an unknown resource, a scope that is not a
     *   string, or a record holding objects or non-UTF-8 text.
     */
    function redact(array $record, string $resource, array $grantedScopes, bool $redactEmail = true): array {}

    /**
     * Generates a credential token: `['token' => secret to show once, 'hash' => token_hash(token),
     * 'publicId' => non-secret display id]`. The token reads `agt_[<handle>_]<id>_<secret><check>`:
     * a fixed prefix, the handle as a slug, a public id, ≈190 bits from the OS CSPRNG and a
     * checksum that lets a typo be refused as malformed. `publicId` (`agt_[<handle>_]<id>`)
     * is drawn separately and contains nothing of the secret (bytes that are not UTF-8 count as
     * separators in the slug). Throws AgentsCoreException when the OS random source fails (there
     * is no weaker fallback).
     *
     * @param string $handle the credential handle, put in the token as a slug (may be empty)
     * @return array{token: non-empty-string, hash: non-empty-string, publicId: non-empty-string}
     */
    function token_generate(string $handle = ''): array {}

    /**
     * Lower-case hex SHA-256 of the token's bytes, exactly as given (the `tokenHash` storage
     * format; tokens of every format, old and generated, are stored this way).
     *
     * @param string $token the raw token (any bytes)
     * @return non-empty-string 64 lower-case hex digits
     */
    function token_hash(string $token): string {}

    /**
     * Signs a webhook delivery: a flat header map `X-Agents-Webhook-Id` (`$id`, or a random UUID v4),
     * `X-Agents-Webhook-Timestamp`, `X-Agents-Webhook-Signature` (`sha256=` + lower-case hex
     * HMAC-SHA256 of `"<timestamp>.<body>"`). `$body` may be binary.
     *
     * @param string $secret the signing secret (any bytes, not empty)
     * @param string $body the exact bytes delivered
     * @param int $timestamp unix seconds (not negative)
     * @param string|null $id the delivery id; null draws a random UUID v4
     * @return array{X-Agents-Webhook-Id: string, X-Agents-Webhook-Timestamp: numeric-string, X-Agents-Webhook-Signature: non-empty-string}
     * @throws \Agents\Core\InvalidInputException for an empty secret, a negative timestamp or an id
     *   that is not 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
     */
    function webhook_sign(string $secret, string $body, int $timestamp, ?string $id = null): array {}

    /**
     * Verifies a webhook delivery: `['valid' => bool, 'reason' => ?string]`, reasons
     * `missing_header`, `malformed_header`, `stale_timestamp` (older than `$toleranceSeconds`),
     * `future_timestamp` (newer than now + `$toleranceSeconds`), `signature_mismatch`. The
     * timestamp must be the canonical decimal `webhook_sign()` writes (digits only, no sign, no
     * leading zero): `0001700000000` is `malformed_header` although it names the same second.
     *
     * @param string|list<string> $secrets one secret, or several during rotation (any may match)
     * @param string $body the exact bytes received
     * @param array<string, string|list<string>> $headers header name (any case) => string or list
     *   of strings
     * @param int $toleranceSeconds the accepted clock difference, either way (not negative)
     * @param int|null $now unix seconds; null reads the clock
     * @return array{valid: true, reason: null}|array{valid: false, reason: 'missing_header'|'malformed_header'|'stale_timestamp'|'future_timestamp'|'signature_mismatch'}
     * @throws \Agents\Core\InvalidInputException when a secret is empty or not a string, or the
     *   tolerance is negative (the message never contains a secret).
     */
    function webhook_verify(mixed $secrets, string $body, array $headers, int $toleranceSeconds = 300, ?int $now = null): array {}
}

namespace {
    const AGENTS_CORE_VERSION = '0.1.0';
}
