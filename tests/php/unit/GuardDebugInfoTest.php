<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use PHPUnit\Framework\TestCase;

/** var_dump(), print_r() and var_export() of a Guard: a summary, never a secret. */
final class GuardDebugInfoTest extends TestCase
{
    private const ENV_TOKEN = 'env-token-SECRET-0123456789';

    private const ROW_TOKEN = 'row-token-SECRET-0123456789';

    private const WEBHOOK_SECRET = 'whsec-SECRET-0123456789';

    private const WEBHOOK_URL = 'https://hooks.example.com/path/SECRET-path?key=SECRET-query';

    private static function guard(): Guard
    {
        return new Guard([
            'ENVIRONMENT' => 'staging',
            'PLUGIN_AGENTS_API_TOKEN' => self::ENV_TOKEN,
            'PLUGIN_AGENTS_API_CREDENTIALS' => json_encode([['id' => 'svc', 'token' => 'json-token-SECRET-0123456789', 'scopes' => ['auth:read']]]),
            'PLUGIN_AGENTS_WEBHOOK_URL' => self::WEBHOOK_URL,
            'PLUGIN_AGENTS_WEBHOOK_SECRET' => self::WEBHOOK_SECRET,
        ], [
            ['id' => 3, 'handle' => 'content-qa', 'tokenHash' => hash('sha256', self::ROW_TOKEN), 'scopes' => '["entries:read"]'],
        ]);
    }

    public function testVarDumpShowsTheSummary(): void
    {
        ob_start();
        var_dump(self::guard());
        $dump = (string) ob_get_clean();
        $this->assertMatchesRegularExpression('/\["profile"\]=>\s+string\(7\) "staging"/', $dump);
        $this->assertMatchesRegularExpression('/\["credentialCount"\]=>\s+int\(3\)/', $dump);
        $this->assertMatchesRegularExpression('/\["envCredentialCount"\]=>\s+int\(2\)/', $dump);
        $this->assertMatchesRegularExpression('/\["managedCredentialCount"\]=>\s+int\(1\)/', $dump);
        $this->assertMatchesRegularExpression('/\["verdict"\]=>\s+string\(\d+\) "(ok|warn|critical)"/', $dump);
        $this->assertSame(
            ['profile', 'environment', 'credentialCount', 'envCredentialCount', 'managedCredentialCount', 'warningCounts', 'verdict'],
            array_keys(self::guard()->__debugInfo()),
        );
    }

    public function testACachedGuardNamesItsRevisionByDigest(): void
    {
        Guard::forget();
        $revision = 'site-revision-SECRET-42';
        $cached = Guard::cached($revision, fn () => self::guard());
        $info = $cached->__debugInfo();
        $this->assertSame('sha256:' . substr(hash('sha256', $revision), 0, 16), $info['cachedRevision']);
        ob_start();
        var_dump($cached);
        $dump = (string) ob_get_clean();
        $this->assertStringContainsString('["cachedRevision"]=>', $dump);
        $this->assertStringNotContainsString($revision, $dump);
        // The object $build returned was never handed out by the cache: it names no revision.
        $this->assertArrayNotHasKey('cachedRevision', self::guard()->__debugInfo());
        Guard::forget();
    }

    public function testNoSecretInAnyDump(): void
    {
        $guard = self::guard();
        ob_start();
        var_dump($guard);
        print_r($guard);
        var_export($guard);
        $out = (string) ob_get_clean() . json_encode($guard->__debugInfo());
        foreach ([self::ENV_TOKEN, self::ROW_TOKEN, 'json-token', self::WEBHOOK_SECRET, 'hooks.example.com', hash('sha256', self::ROW_TOKEN), hash('sha256', self::ENV_TOKEN), 'SECRET'] as $secret) {
            $this->assertStringNotContainsString($secret, $out);
        }
    }
}
