<?php

declare(strict_types=1);

namespace Agents\Core\Craft;

use Craft;
use craft\base\Component;
use craft\helpers\App;

/**
 * The Craft side of the adapter: wires Craft's database connection, `App::env` and the
 * plugin's settings into {@see GuardProvider}, logs the Guard's warnings, and answers 503
 * `SERVER_MISCONFIGURED` when the extension is missing or the configuration is refused.
 * Register it as a component of the plugin (`'agentsCore' => CraftGuard::class`) and set
 * `$settings` from the plugin. Everything it calls is Craft-free and tested without Craft.
 */
final class CraftGuard extends Component
{
    /** @var object|null the plugin's settings model (webhookUrl, webhookSecret, writesExperimental) */
    public ?object $settings = null;

    /** @var array<string, mixed> extra Guard options (trustedProxies, forwardedHeader, jwt, ...) */
    public array $options = [];

    /** Longest reuse of a cached Guard, in seconds. */
    public int $maxAgeSeconds = 60;

    /** @var \WeakReference<\Agents\Core\Guard>|null the Guard whose warnings were logged last (once per build) */
    private static ?\WeakReference $logged = null;

    /**
     * Authenticates the current request: the Guard's result, or the 503 denial.
     *
     * @return array<string, mixed>
     */
    public function authenticate(): array
    {
        $request = Craft::$app->getRequest();
        $provider = $this->provider();
        $result = $provider->authenticate([
            'method' => $request->getMethod(),
            'headers' => $request->getHeaders()->toArray(),
            'query' => $request->getQueryParams(),
            'remoteAddr' => $request->getRemoteIP(),
        ]);
        if ($result['ok'] === false && $result['error'] === 'SERVER_MISCONFIGURED') {
            Craft::error(sprintf('agents_core: %s %s', $result['reason'], (string) $result['reasonDetail']), 'agents');
        } elseif (GuardProvider::available()) {
            $this->logWarnings($provider);
        }
        return $result;
    }

    /** The provider for this request, over Craft's own PDO connection. */
    public function provider(): GuardProvider
    {
        $db = Craft::$app->getDb();
        $db->open();
        $rows = new CredentialRows($db->pdo, $db->tablePrefix . 'agents_credentials');
        return new GuardProvider(self::env($this->settings), $rows, $this->guardOptions(), $this->maxAgeSeconds);
    }

    /** @return array<string, mixed> */
    private function guardOptions(): array
    {
        $options = $this->options;
        $options['commerceEnabled'] ??= Craft::$app->getPlugins()->isPluginEnabled('commerce');
        if ($this->settings !== null && property_exists($this->settings, 'writesExperimental')) {
            $options['writesExperimental'] ??= (bool) $this->settings->writesExperimental;
        }
        return $options;
    }

    /** @return array<string, string|int|float|bool|null> */
    private static function env(?object $settings): array
    {
        $env = [];
        foreach (array_keys(getenv() + $_SERVER + $_ENV) as $name) {
            $name = (string) $name;
            if (str_starts_with($name, 'PLUGIN_AGENTS_') || $name === 'ENVIRONMENT' || $name === 'CRAFT_ENVIRONMENT') {
                $env[$name] = App::env($name);
            }
        }
        if ($settings !== null) {
            foreach (['webhookUrl' => 'PLUGIN_AGENTS_WEBHOOK_URL', 'webhookSecret' => 'PLUGIN_AGENTS_WEBHOOK_SECRET'] as $property => $name) {
                if (property_exists($settings, $property) && (string) $settings->$property !== '') {
                    $env[$name] = App::parseEnv((string) $settings->$property);
                }
            }
        }
        return $env;
    }

    private function logWarnings(GuardProvider $provider): void
    {
        $guard = $provider->current();
        if ($guard === null || self::$logged?->get() === $guard) {
            return;
        }
        self::$logged = \WeakReference::create($guard);
        foreach ($guard->warnings() as $w) {
            $message = sprintf('agents_core: %s: %s', $w['code'], $w['message']);
            $w['level'] === 'error' ? Craft::error($message, 'agents') : Craft::warning($message, 'agents');
        }
    }
}
