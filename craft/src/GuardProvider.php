<?php

declare(strict_types=1);

namespace Agents\Core\Craft;

use Agents\Core\Guard;

/**
 * Builds the Guard from env values, the credentials table and options, through
 * `Guard::cached()`: the Guard is rebuilt when the table's revision, the env values or the
 * options change, and at the latest after `$maxAgeSeconds`. No Craft dependency.
 */
final class GuardProvider
{
    /** How many times this provider built a Guard (cache misses). */
    private int $builds = 0;

    /** The Guard the last guard() call returned. */
    private ?Guard $current = null;

    /** Per-process key for the revision of env and options (they carry secrets). */
    private static ?string $key = null;

    /**
     * @param array<string, string|int|float|bool|null> $env PLUGIN_AGENTS_* values (as
     *   `App::env` returns them), ENVIRONMENT and CRAFT_ENVIRONMENT; resolved webhook settings
     * @param array<string, mixed> $options the Guard's options (commerceEnabled,
     *   writesExperimental, trustedProxies, forwardedHeader, jwt, ...)
     * @param int $maxAgeSeconds the longest a cached Guard is reused without a rebuild; the
     *   bound for changes the revision cannot see
     */
    public function __construct(
        private array $env,
        private CredentialRows $rows,
        private array $options = [],
        private int $maxAgeSeconds = 60,
    ) {
    }

    /**
     * The Guard for the current configuration: the cached one when nothing changed.
     *
     * The table's revision is read before its rows, so a write between the two makes the
     * next call rebuild rather than keep the older rows under the newer revision.
     *
     * @throws \Agents\Core\InvalidInputException when the configuration is refused
     * @throws \RuntimeException when the table cannot be read
     */
    public function guard(): Guard
    {
        $revision = $this->revision();
        return $this->current = Guard::cached(
            $revision,
            function (): Guard {
                $this->builds++;
                return new Guard($this->env, $this->rows->rows(), $this->options);
            },
            $this->maxAgeSeconds,
        );
    }

    /**
     * Authenticates one request (the array `Guard::authenticate()` takes) and always answers
     * in its shape: the Guard's own result, or the plugin's 503 `SERVER_MISCONFIGURED` when
     * the extension is missing, the configuration is refused or the table cannot be read
     * (`reason` says which; `reasonDetail` carries the exception message for the log, never
     * for the client).
     *
     * @param array{method?: string, headers?: array<string, string|list<string>>,
     *   query?: array<string, mixed>, remoteAddr?: string|null} $request
     * @return array<string, mixed>
     */
    public function authenticate(array $request): array
    {
        if (!self::available()) {
            return self::misconfigured('extension_missing', null);
        }
        try {
            $guard = $this->guard();
        } catch (\Agents\Core\InvalidInputException $e) {
            return self::misconfigured('configuration_refused', $e->getMessage());
        } catch (\RuntimeException | \PDOException $e) {
            return self::misconfigured('credentials_unreadable', $e->getMessage());
        }
        return $guard->authenticate($request);
    }

    /** How many times this provider had to build a Guard (each one read the table's rows). */
    public function builds(): int
    {
        return $this->builds;
    }

    /** The Guard the last successful guard() or authenticate() call used, if any. */
    public function current(): ?Guard
    {
        return $this->current;
    }

    /** True when the agents_core extension is loaded and has what this adapter calls. */
    public static function available(): bool
    {
        return extension_loaded('agents_core') && method_exists(Guard::class, 'cached');
    }

    /**
     * The plugin's 503 answer, in the shape of a denial of `Guard::authenticate()`.
     *
     * @return array{ok: false, status: 503, error: 'SERVER_MISCONFIGURED', message: string,
     *   headers: array<string, string>, reason: string, reasonDetail: string|null}
     */
    public static function misconfigured(string $reason, ?string $detail): array
    {
        return [
            'ok' => false,
            'status' => 503,
            'error' => 'SERVER_MISCONFIGURED',
            'message' => 'The API security configuration is incomplete.',
            'headers' => [],
            'reason' => $reason,
            'reasonDetail' => $detail,
        ];
    }

    /**
     * The revision handed to `Guard::cached()`: a keyed hash of the table's revision, the env
     * values and the options. The key is random per process, so the value says nothing about
     * the secrets among the env values.
     */
    public function revision(): string
    {
        self::$key ??= random_bytes(32);
        $config = $this->env;
        ksort($config);
        $payload = serialize([$this->rows->revision(), $config, $this->options]);
        return hash_hmac('sha256', $payload, self::$key);
    }
}
