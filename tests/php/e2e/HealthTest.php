<?php

declare(strict_types=1);

namespace Agents\Core\Tests\E2e;

use Agents\Core\Tests\Support\Server;
use PHPUnit\Framework\TestCase;

final class HealthTest extends TestCase
{
    public function testHealthAnswersJsonWithTheExtensionVersion(): void
    {
        $server = new Server(['ENVIRONMENT' => 'dev']);
        $r = $server->request('GET', '/agents/v1/health');
        self::assertSame(200, $r['status'], $server->log());
        self::assertStringStartsWith('application/json', $r['headers']['content-type'] ?? '');
        self::assertSame(AGENTS_CORE_VERSION, $r['json']['coreVersion'] ?? null);
        $server->stop();
    }
}
