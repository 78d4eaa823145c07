<?php

declare(strict_types=1);

namespace Agents\Core\Tests\E2e;

use Agents\Core\Tests\Support\Server;
use PHPUnit\Framework\TestCase;

/**
 * The test server helper ends the `php -S` workers too: PHP_CLI_SERVER_WORKERS forks children
 * that would otherwise outlive the parent and keep serving the port.
 */
final class ServerStopTest extends TestCase
{
    public function testStopEndsTheServerAndItsWorkers(): void
    {
        $server = new Server(ApiTest::demoEnv());
        $pgid = $server->pid();
        $deadline = microtime(true) + 5;
        while (count(Server::groupMembers($pgid)) < 3 && microtime(true) < $deadline) {
            usleep(20_000);
        }
        $members = Server::groupMembers($pgid);
        self::assertGreaterThanOrEqual(3, count($members), 'server + 2 workers expected: ' . implode(',', $members));
        self::assertContains($pgid, $members);
        self::assertSame(401, $server->request('GET', '/agents/v1/health')['status']);
        $port = (int) parse_url($server->base, PHP_URL_PORT);

        $server->stop();

        self::assertSame([], Server::groupMembers($pgid), 'processes left after stop()');
        foreach ($members as $pid) {
            self::assertFalse(posix_kill($pid, 0) && self::alive($pid), "pid $pid still running");
        }
        $sock = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.5);
        self::assertFalse($sock, "port $port still accepts connections after stop()");
    }

    private static function alive(int $pid): bool
    {
        $stat = @file_get_contents("/proc/$pid/stat");
        if ($stat === false) {
            return false;
        }
        $fields = explode(' ', substr($stat, strrpos($stat, ')') + 2));
        return $fields[0] !== 'Z';
    }
}
