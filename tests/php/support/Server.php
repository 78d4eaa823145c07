<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Support;

/**
 * A `php -S` process serving the reference front (examples/agents-api) with the extension
 * loaded, on a free loopback port, and a curl client for it.
 */
final class Server
{
    /** @var resource */
    private $process;
    private string $log;
    public readonly string $base;

    /** @param array<string,string> $env environment of the server (PLUGIN_AGENTS_* and friends) */
    public function __construct(array $env = [], string $remoteAddr = '')
    {
        $so = getenv('AGENTS_CORE_SO') ?: dirname(__DIR__, 3) . '/target/release/libagents_core.so';
        if (!is_file($so)) {
            throw new \RuntimeException("extension not built: $so");
        }
        $root = dirname(__DIR__, 3) . '/examples/agents-api';
        $port = self::freePort();
        $this->base = "http://127.0.0.1:$port";
        $this->log = tempnam(sys_get_temp_dir(), 'agents-e2e-');
        $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . $so, '-S', "127.0.0.1:$port", "$root/router.php"];
        $fullEnv = ['PATH' => getenv('PATH') ?: '/usr/bin:/bin', 'PHP_CLI_SERVER_WORKERS' => '2'] + $env;
        $this->process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->log, 'a'],
            2 => ['file', $this->log, 'a']], $pipes, $root, $fullEnv);
        if (!is_resource($this->process)) {
            throw new \RuntimeException('could not start php -S');
        }
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            $s = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.2);
            if ($s) {
                fclose($s);
                return;
            }
            usleep(50_000);
        }
        $this->stop();
        throw new \RuntimeException("php -S did not start:\n" . file_get_contents($this->log));
    }

    private static function freePort(): int
    {
        $sock = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        $name = stream_socket_get_name($sock, false);
        fclose($sock);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    /**
     * Runs curl against the server.
     *
     * @param list<string> $headers  "Name: value" lines
     * @return array{status:int, headers:array<string,string>, body:string, json:mixed}
     */
    public function request(string $method, string $path, array $headers = [], ?string $body = null): array
    {
        $args = ['curl', '-s', '-S', '-i', '--max-time', '10', '-X', $method];
        foreach ($headers as $h) {
            array_push($args, '-H', $h);
        }
        if ($body !== null) {
            array_push($args, '--data-binary', $body);
        }
        if ($method === 'HEAD') {
            $args = array_merge(array_slice($args, 0, 6), ['-I'], array_slice($args, 8));
        }
        $args[] = $this->base . $path;
        $p = proc_open($args, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $rc = proc_close($p);
        if ($rc !== 0) {
            throw new \RuntimeException("curl failed ($rc): $err");
        }
        [$head, $content] = array_pad(explode("\r\n\r\n", $out, 2), 2, '');
        $lines = explode("\r\n", $head);
        preg_match('#^HTTP/\S+ (\d{3})#', $lines[0], $m);
        $hdrs = [];
        foreach (array_slice($lines, 1) as $line) {
            if (str_contains($line, ':')) {
                [$k, $v] = explode(':', $line, 2);
                $hdrs[strtolower(trim($k))] = trim($v);
            }
        }
        return ['status' => (int) ($m[1] ?? 0), 'headers' => $hdrs, 'body' => $content,
            'json' => json_decode($content, true)];
    }

    public function log(): string
    {
        return (string) file_get_contents($this->log);
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            $status = proc_get_status($this->process);
            if ($status['running']) {
                // php -S with workers: stop the whole process group of the server.
                posix_kill($status['pid'], SIGTERM);
            }
            proc_close($this->process);
        }
        @unlink($this->log);
    }

    public function __destruct()
    {
        $this->stop();
    }
}
