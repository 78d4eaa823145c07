<?php

declare(strict_types=1);

namespace Agents\Demo;

use Agents\Core\Guard;

/**
 * The reference front controller: what the Craft plugin's API controller does around its
 * handlers. Every security decision (authentication, client IP, IP allowlists, scopes,
 * redaction, posture) is delegated to the agents_core extension; this class only routes,
 * shapes responses and serves demo data.
 */
final class Front
{
    private const BASE = '/agents/v1';

    /** Route table: path => [methods, scope (string, list = any of, '' = none), handler, gate]. */
    private const ROUTES = [
        '/health' => [['GET', 'HEAD'], 'health:read', 'health', null],
        '/readiness' => [['GET', 'HEAD'], 'readiness:read', 'readiness', null],
        '/auth/whoami' => [['GET', 'HEAD'], 'auth:read', 'whoami', null],
        '/capabilities' => [['GET', 'HEAD'], 'capabilities:read', 'capabilities', null],
        '/openapi.json' => [['GET', 'HEAD'], 'openapi:read', 'openapi', null],
        '/entries' => [['GET', 'HEAD'], 'entries:read', 'entries', null],
        '/orders' => [['GET', 'HEAD'], 'orders:read', 'orders', null],
        '/users' => [['GET', 'HEAD'], 'users:read', 'users', 'PLUGIN_AGENTS_ENABLE_USERS_API'],
        '/sync-state/checkpoint' => [['POST'], ['syncstate:write', 'consumers:write'], 'checkpoint', null],
    ];

    private string $requestId;
    /** @var array<string, string> */
    private array $env;
    private Guard $guard;

    /**
     * @param array<string, string> $env   process environment (PLUGIN_AGENTS_*, ENVIRONMENT, ...)
     * @param array<string, mixed>  $server $_SERVER
     */
    public function __construct(array $env, private readonly array $server, private readonly string $dataDir)
    {
        $this->env = $env;
        $this->requestId = self::requestId($this->header('X-Request-Id'));
    }

    /** The plugin's `App::env` view: only the variables the core reads. */
    public static function pluginEnv(array $env): array
    {
        return array_filter(
            $env,
            fn ($k) => str_starts_with((string) $k, 'PLUGIN_AGENTS_') || $k === 'ENVIRONMENT' || $k === 'CRAFT_ENVIRONMENT',
            ARRAY_FILTER_USE_KEY,
        );
    }

    /**
     * The Guard for this request, built the way the plugin does (env values, managed credential
     * rows, options) and kept by the worker across requests. The revision covers every input:
     * editing the credentials file or the env takes effect on the next request.
     */
    public static function buildGuard(array $env, string $dataDir): Guard
    {
        $rowsFile = $env['AGENTS_DEMO_MANAGED_CREDENTIALS'] ?? '';
        $rowsJson = '';
        if ($rowsFile !== '') {
            $path = str_starts_with($rowsFile, '/') ? $rowsFile : $dataDir . '/' . $rowsFile;
            $rowsJson = (string) file_get_contents($path);
        }
        $proxies = trim($env['AGENTS_TRUSTED_PROXIES'] ?? '');
        $pluginEnv = self::pluginEnv($env);
        $options = [
            'trustedProxies' => $proxies === '' ? [] : $proxies,
            'forwardedHeader' => 'x-forwarded-for',
            'commerceEnabled' => ($env['AGENTS_DEMO_COMMERCE'] ?? '1') === '1',
        ];
        $revision = hash('sha256', serialize([$pluginEnv, $options, $rowsJson]));
        return Guard::cached($revision, static fn (): Guard => new Guard(
            $pluginEnv,
            $rowsJson === '' ? [] : json_decode($rowsJson, true, 32, JSON_THROW_ON_ERROR),
            $options,
        ));
    }

    public function handle(): void
    {
        $path = parse_url((string) ($this->server['REQUEST_URI'] ?? '/'), PHP_URL_PATH) ?: '/';
        $method = strtoupper((string) ($this->server['REQUEST_METHOD'] ?? 'GET'));
        $route = str_starts_with($path, self::BASE) ? substr($path, strlen(self::BASE)) : null;
        if ($path === '/capabilities' || $path === '/openapi.json') {
            $route = $path; // root aliases
        }
        if ($route === null || !isset(self::ROUTES[$route])) {
            $this->error(404, 'NOT_FOUND', 'Endpoint is not available.');
            return;
        }
        [$methods, $scope, $handler, $gate] = self::ROUTES[$route];

        try {
            $this->guard = self::buildGuard($this->env, $this->dataDir);
        } catch (\Agents\Core\InvalidInputException $e) {
            error_log('agents: configuration rejected: ' . $e->getMessage());
            $this->error(503, 'SERVER_MISCONFIGURED', 'Security configuration is invalid.');
            return;
        }
        // Step 0b: feature gates answer 404 before auth, as the plugin does.
        if ($gate !== null && !$this->flag($gate, false)) {
            $this->error(404, 'NOT_FOUND', 'Endpoint is not available.');
            return;
        }
        // Step 1: method.
        if (!in_array($method, $methods, true)) {
            $this->error(405, 'METHOD_NOT_ALLOWED', 'Only ' . implode(', ', $methods) . ' requests are supported.',
                [], ['Allow' => implode(', ', $methods)]);
            return;
        }
        // Step 2: enabled.
        if (!$this->flag('PLUGIN_AGENTS_ENABLED', true)) {
            $this->error(503, 'SERVICE_DISABLED', 'Agents API is currently disabled by configuration.');
            return;
        }
        // Steps 5-6: write contract and authentication, both decided by the core.
        $auth = $this->guard->authenticate([
            'method' => $method,
            'headers' => $this->headers(),
            'query' => $_GET,
            'remoteAddr' => (string) ($this->server['REMOTE_ADDR'] ?? ''),
        ]);
        if (!$auth['ok']) {
            error_log(sprintf('agents: %s %s denied: %s (%d %s)', $method, $path, $auth['reason'], $auth['status'], $auth['error']));
            $this->error($auth['status'], $auth['error'], $auth['message'], [], $auth['headers']);
            return;
        }
        $principal = $auth['principal'];
        // Step 8: route scope.
        if (!$this->guard->hasScope($principal, $scope)) {
            if (is_array($scope)) {
                $this->error(403, 'FORBIDDEN', 'Missing required scope. Provide one of: ' . implode(', ', $scope) . '.',
                    ['requiredScope' => implode(' | ', $scope)]);
            } else {
                $this->error(403, 'FORBIDDEN', 'Missing required scope.', ['requiredScope' => $scope]);
            }
            return;
        }
        $this->{$handler}($principal, $method);
    }

    /** A plugin feature flag (the plugin reads these with App::parseBooleanEnv). */
    private function flag(string $name, bool $default): bool
    {
        $v = strtolower(trim($this->env[$name] ?? ''));
        return match (true) {
            in_array($v, ['1', 'true', 'on', 'yes'], true) => true,
            in_array($v, ['0', 'false', 'off', 'no'], true) => false,
            default => $default,
        };
    }

    // ---- handlers -------------------------------------------------------------------------

    private function runtimeProfile(): array
    {
        $caps = $this->guard->capabilities();
        return $caps['runtimeProfile'] ?? [];
    }

    private function health(array $principal): void
    {
        $this->json(200, ['status' => 'ok', 'service' => 'agents', 'coreVersion' => AGENTS_CORE_VERSION]
            + $this->runtimeProfile() + ['generatedAt' => gmdate('Y-m-d\TH:i:s\Z')]);
    }

    private function readiness(array $principal): void
    {
        $posture = $this->guard->posture();
        $this->json(200, ['status' => 'ok', 'service' => 'agents', 'coreVersion' => AGENTS_CORE_VERSION]
            + $this->runtimeProfile() + [
                'generatedAt' => gmdate('Y-m-d\TH:i:s\Z'),
                'security' => [
                    'verdict' => $posture['verdict'] ?? null,
                    'warningCounts' => $posture['warningCounts'] ?? null,
                    'warnings' => array_map(fn ($w) => ['level' => $w['level'], 'code' => $w['code']], $posture['warnings'] ?? []),
                ],
            ]);
    }

    private function whoami(array $principal): void
    {
        $this->json(200, [
            'service' => 'agents',
            'requestId' => $this->requestId,
            'principal' => [
                'credentialId' => $principal['credentialId'],
                'credentialSource' => $principal['credentialSource'],
                'managedCredentialId' => $principal['managedCredentialId'],
                'authMethod' => $principal['authMethod'],
                'principalFingerprint' => $principal['principalFingerprint'],
                'forceHumanApproval' => $principal['forceHumanApproval'],
                'clientIp' => $principal['clientIp'],
            ],
            'authorization' => ['grantedScopes' => $principal['scopes']],
        ]);
    }

    private function capabilities(array $principal): void
    {
        $caps = $this->guard->capabilities();
        $this->json(200, [
            'service' => 'agents',
            'requestIdHeader' => 'X-Request-Id',
            'runtimeProfile' => $caps['runtimeProfile'] ?? null,
            'authentication' => $caps,
            'authorization' => ['grantedScopes' => $principal['scopes']],
        ]);
    }

    private function openapi(array $principal): void
    {
        $doc = ['openapi' => '3.0.3', 'info' => ['title' => 'Agents API (reference front)', 'version' => AGENTS_CORE_VERSION],
            'paths' => array_fill_keys(array_map(fn ($p) => self::BASE . $p, array_keys(self::ROUTES)), new \stdClass())];
        $body = json_encode($doc, JSON_UNESCAPED_SLASHES);
        $etag = '"' . substr(hash('sha256', $body), 0, 32) . '"';
        header('ETag: ' . $etag);
        if (trim($this->header('If-None-Match') ?? '') === $etag) {
            $this->baseHeaders();
            http_response_code(304);
            return;
        }
        $this->json(200, $doc);
    }

    private function entries(array $principal): void
    {
        $status = strtolower((string) ($_GET['status'] ?? 'live'));
        if (in_array($status, ['all', 'any', 'pending', 'disabled', 'expired'], true)
            && !$this->guard->hasScope($principal, 'entries:read_all_statuses')) {
            $this->error(403, 'FORBIDDEN', 'The requested entry status requires elevated scope.',
                ['requiredScope' => 'entries:read_all_statuses']);
            return;
        }
        $rows = $this->data('entries.json');
        if ($status !== 'all' && $status !== 'any') {
            $rows = array_values(array_filter($rows, fn ($r) => $r['status'] === $status));
        }
        $this->json(200, ['data' => $rows, 'meta' => ['status' => $status, 'count' => count($rows)]]);
    }

    private function redacted(string $file, string $resource, array $principal): void
    {
        $redactEmail = (bool) ($this->guard->posture()['privacy']['redactEmail'] ?? true);
        $limit = max(1, min(100, (int) ($_GET['limit'] ?? 50)));
        $rows = array_slice($this->data($file), 0, $limit);
        $rows = \Agents\Core\redact($rows, $resource, $principal['scopes'], $redactEmail);
        $this->json(200, ['data' => $rows, 'meta' => ['count' => count($rows), 'redactEmail' => $redactEmail]]);
    }

    private function orders(array $principal): void
    {
        $this->redacted('orders.json', 'order', $principal);
    }

    private function users(array $principal): void
    {
        $this->redacted('users.json', 'user', $principal);
    }

    private function checkpoint(array $principal): void
    {
        $body = json_decode((string) file_get_contents('php://input'), true);
        if (!is_array($body)) {
            $this->error(400, 'INVALID_REQUEST', 'Request body must be a JSON object.');
            return;
        }
        $credentialId = (string) $principal['credentialId'];
        $key = isset($body['integrationKey']) ? (string) $body['integrationKey'] : $credentialId;
        if ($principal['credentialSource'] === 'unknown' && !isset($body['integrationKey'])) {
            $this->error(400, 'INVALID_REQUEST', 'Validation failed.', ['details' => ['`integrationKey` is required.']]);
            return;
        }
        if ($principal['credentialSource'] !== 'unknown' && !hash_equals($credentialId, $key)) {
            $this->error(400, 'INVALID_REQUEST', 'Validation failed.',
                ['details' => ["`integrationKey` must match the authenticated credential id `$credentialId`."]]);
            return;
        }
        $this->json(200, ['ok' => true, 'integrationKey' => $key, 'checkpoint' => $body['checkpoint'] ?? null]);
    }

    // ---- plumbing -------------------------------------------------------------------------

    private function data(string $file): array
    {
        return json_decode((string) file_get_contents($this->dataDir . '/' . $file), true, 32, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, string> */
    private function headers(): array
    {
        $out = [];
        foreach ($this->server as $k => $v) {
            if (str_starts_with((string) $k, 'HTTP_')) {
                $out[str_replace('_', '-', substr((string) $k, 5))] = (string) $v;
            } elseif ($k === 'CONTENT_TYPE' || $k === 'CONTENT_LENGTH') {
                $out[str_replace('_', '-', (string) $k)] = (string) $v;
            }
        }
        return $out;
    }

    private function header(string $name): ?string
    {
        $key = 'HTTP_' . strtoupper(str_replace('-', '_', $name));
        return isset($this->server[$key]) ? (string) $this->server[$key] : null;
    }

    private static function requestId(?string $incoming): string
    {
        if ($incoming !== null && preg_match('/^[A-Za-z0-9._:-]{8,128}$/', $incoming) === 1) {
            return $incoming;
        }
        return 'agents-' . bin2hex(random_bytes(8));
    }

    private function baseHeaders(array $extra = []): void
    {
        header_remove('X-Powered-By');
        header('X-Request-Id: ' . $this->requestId);
        header('Cache-Control: no-store, private');
        header('Pragma: no-cache');
        header('Expires: 0');
        foreach ($extra as $k => $v) {
            header($k . ': ' . $v);
        }
    }

    private function json(int $status, array $body, array $headers = []): void
    {
        http_response_code($status);
        $this->baseHeaders($headers);
        header('Content-Type: application/json');
        echo json_encode($body, JSON_UNESCAPED_SLASHES), "\n";
    }

    private function error(int $status, string $code, string $message, array $extra = [], array $headers = []): void
    {
        $this->json($status, ['error' => $code, 'message' => $message, 'status' => $status,
            'requestId' => $this->requestId] + $extra, $headers);
    }
}
