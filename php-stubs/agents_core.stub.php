<?php

// Stubs for agents_core

namespace Agents\Core {
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
    class JwtVerifier {
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
     * Redacts sensitive fields for a caller without the resource's `*:read_sensitive` scope
     * (reference §7.10); `*` unlocks everything.
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
