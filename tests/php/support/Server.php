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
        // setsid: the server and the workers it forks (PHP_CLI_SERVER_WORKERS) get a process
        // group of their own, whose id is the server's pid, so stop() can end all of them.
        $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . $so, '-S', "127.0.0.1:$port", "$root/router.php"];
        $setsid = self::setsid();
        if ($setsid !== null) {
            array_unshift($cmd, $setsid);
        }
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

    private static function setsid(): ?string
    {
        foreach (['/usr/bin/setsid', '/bin/setsid'] as $p) {
            if (is_executable($p)) {
                return $p;
            }
        }
        return null;
    }

    /**
     * Pids of the live processes in the server's process group (the server and its workers).
     *
     * @return list<int>
     */
    public function processGroup(): array
    {
        return is_resource($this->process) ? self::groupMembers($this->pid()) : [];
    }

    /** The server's pid (also its process group id when setsid is available). */
    public function pid(): int
    {
        return is_resource($this->process) ? proc_get_status($this->process)['pid'] : 0;
    }

    /**
     * Pids of the live (not zombie) processes whose process group is $pgid.
     *
     * @return list<int>
     */
    public static function groupMembers(int $pgid): array
    {
        $pids = [];
        foreach (glob('/proc/[0-9]*/stat') ?: [] as $f) {
            $stat = @file_get_contents($f);
            if ($stat === false || ($close = strrpos($stat, ')')) === false) {
                continue;
            }
            // Fields after "pid (comm)": state ppid pgrp ...
            $fields = explode(' ', substr($stat, $close + 2));
            if (($fields[2] ?? '') === (string) $pgid && ($fields[0] ?? 'Z') !== 'Z') {
                $pids[] = (int) basename(dirname($f));
            }
        }
        sort($pids);
        return $pids;
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

    /**
     * Ends the server and every worker it forked: SIGTERM to the whole process group, then
     * SIGKILL to whatever is left after 5 s. Without the group, the workers would outlive the
     * parent and keep serving the port.
     */
    public function stop(): void
    {
        if (is_resource($this->process)) {
            $pid = $this->pid();
            if ($this->processGroup() !== []) {
                posix_kill(-$pid, SIGTERM);
            } else {
                posix_kill($pid, SIGTERM); // no setsid: the server alone
            }
            $deadline = microtime(true) + 5;
            while ($this->processGroup() !== [] && microtime(true) < $deadline) {
                usleep(20_000);
            }
            if ($this->processGroup() !== []) {
                posix_kill(-$pid, SIGKILL);
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
