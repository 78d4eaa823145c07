<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\Guard;
use Agents\Core\IpAllowlist;
use PHPUnit\Framework\TestCase;

/**
 * The extension reads PHP arrays by walking their hash tables directly. Every shape PHP
 * produces must read as PHP itself sees it: packed and hashed arrays, holes left by unset(),
 * references, integer and string keys mixed, nested arrays, and arrays that grew after holes.
 */
final class ArrayShapesTest extends TestCase
{
    private const NOW = 1_800_000_000;

    /** @return array<string, mixed> */
    private static function row(int $id, string $token, array $extra = []): array
    {
        return $extra + [
            'id' => $id,
            'handle' => "bot-$id",
            'tokenHash' => hash('sha256', $token),
            'scopes' => ['auth:read', 'orders:read'],
            'ipAllowlist' => [],
            'forceHumanApproval' => false,
        ];
    }

    /** @param array<array-key, mixed> $headers */
    private static function request(string $token, array $headers = [], string $remote = '192.0.2.10'): array
    {
        return [
            'method' => 'GET',
            'headers' => ['Authorization' => "Bearer $token"] + $headers,
            'query' => [],
            'remoteAddr' => $remote,
        ];
    }

    public function testRowsWithHolesFromUnsetAreEachReadOnce(): void
    {
        $rows = [];
        for ($i = 1; $i <= 6; $i++) {
            $rows[] = self::row($i, "token-$i");
        }
        unset($rows[1], $rows[4]);
        $rows[] = self::row(7, 'token-7');
        $g = new Guard(['ENVIRONMENT' => 'production'], $rows, ['now' => self::NOW]);
        self::assertSame(5, $g->posture()['authentication']['managedCredentialCount']);
        foreach ([1 => true, 2 => false, 3 => true, 5 => false, 6 => true, 7 => true] as $i => $usable) {
            self::assertSame($usable, $g->authenticate(self::request("token-$i"))['ok'], "row $i");
        }
    }

    /**
     * A large table is read with the rows ahead asked for before they are reached: holes,
     * references, entries that are not arrays, packed and hashed rows near the end, where the
     * look-ahead runs past the last row, all read as in a small table.
     */
    public function testALargeTableOfEveryShapeReadsEveryRowOnce(): void
    {
        $rows = [];
        for ($i = 1; $i <= 600; $i++) {
            $rows[] = self::row($i, "token-$i");
        }
        foreach ([3, 250, 596, 599] as $gone) {
            unset($rows[$gone]);
        }
        $rows[10] = 'not a row';
        $rows[11] = ['a packed', 'row'];
        $rows[12] = null;
        $rows[] = self::row(601, 'token-601');
        $rows['named'] = self::row(602, 'token-602');
        $held = self::row(603, 'token-603');
        $rows[] = &$held;
        $rows[] = 42;
        $g = new Guard(['ENVIRONMENT' => 'production'], $rows, ['now' => self::NOW]);
        // 603 rows written, 4 unset, 3 of the rest replaced, 1 not an array at the end.
        self::assertSame(603 - 4 - 3, $g->posture()['authentication']['managedCredentialCount']);
        self::assertCount(4, array_filter(
            array_column($g->warnings(), 'code'),
            static fn (string $c): bool => $c === 'managed_credential_skipped',
        ));
        foreach ([1 => true, 4 => false, 11 => false, 13 => false, 14 => true, 251 => false, 300 => true,
            597 => false, 598 => true, 600 => false, 601 => true, 602 => true, 603 => true] as $i => $usable) {
            self::assertSame($usable, $g->authenticate(self::request("token-$i"))['ok'], "row $i");
        }
    }

    public function testAColumnHeldByReferenceIsReadThroughIt(): void
    {
        $scopes = ['auth:read', 'x', 'orders:write'];
        unset($scopes[1]);
        $row = self::row(1, 'token-1');
        $row['scopes'] = &$scopes;
        $allow = ['10.0.0.0/8'];
        $row['ipAllowlist'] = &$allow;
        $g = new Guard(['ENVIRONMENT' => 'production'], [$row], ['now' => self::NOW]);
        $r = $g->authenticate(self::request('token-1', [], '10.1.2.3'));
        self::assertTrue($r['ok']);
        self::assertSame(['auth:read', 'orders:write'], $r['principal']['scopes']);
        self::assertFalse($g->authenticate(self::request('token-1'))['ok']);
    }

    public function testRowsHeldByReferenceAndUnderStringKeysCount(): void
    {
        $rows = [self::row(1, 'token-1'), self::row(2, 'token-2')];
        $rows['named'] = self::row(3, 'token-3');
        $rows[10] = &$rows[0];
        $g = new Guard(['ENVIRONMENT' => 'production'], $rows, ['now' => self::NOW]);
        // Row 1 appears twice (the reference): the second copy is a duplicate secret.
        self::assertSame(3, $g->posture()['authentication']['managedCredentialCount']);
        self::assertContains('duplicate_credential', array_column($g->warnings(), 'code'));
        self::assertTrue($g->authenticate(self::request('token-3'))['ok']);
    }

    public function testAllowlistsOfMixedKeysAndHolesReadTheirValuesInOrder(): void
    {
        $list = ['10.0.0.0/8', 'gone', '192.0.2.0/24'];
        unset($list[1]);
        $list['k'] = '2001:db8::/32';
        $list[7] = '127.0.0.1';
        $row = self::row(1, 'token-1', ['ipAllowlist' => $list]);
        $g = new Guard(['ENVIRONMENT' => 'production'], [$row], ['now' => self::NOW]);
        foreach (['10.9.9.9' => true, '192.0.2.44' => true, '2001:db8::5' => true, '127.0.0.1' => true, '198.51.100.1' => false] as $ip => $in) {
            self::assertSame($in, $g->authenticate(self::request('token-1', [], $ip))['ok'], $ip);
        }
        self::assertSame(
            ['10.0.0.0/8', '127.0.0.1/32', '192.0.2.0/24', '2001:db8::/32'],
            (new IpAllowlist($list))->entries(),
        );
    }

    /**
     * A table is read with what earlier rows left behind (the column each key position named,
     * the last scope lists and allowlists): every row must read as it does alone, whatever its
     * keys' strings, their order, and lists that nearly repeat an earlier one.
     */
    public function testEveryRowOfATableReadsAsItDoesAlone(): void
    {
        $dynamic = static fn (string $k): string => implode('', array_map('chr', array_map('ord', str_split($k))));
        // The same lists with a hole left by unset() in the middle: equal to the lists without
        // it, whether read first or compared with a list read before.
        $holed = static function (array $list): array {
            array_splice($list, 1, 0, ['x']);
            unset($list[1]);
            return $list;
        };
        $scopeShapes = [
            ['auth:read', 'orders:read'],
            $holed(['auth:read', 'orders:read']),
            ['auth:read', 'orders:read', 5],
            ['auth:read', '5'],
            ['auth:read', 5],
            ['auth:read', "orders:read\xff"],
            ['auth:read', ['orders:read']],
            ['auth:read', 'orders:read', null],
            'auth:read orders:read',
            '["auth:read","orders:read"]',
            [],
            null,
            7,
        ];
        $allowShapes = [
            ['10.0.0.0/8', '192.0.2.0/24'],
            $holed(['10.0.0.0/8', '192.0.2.0/24']),
            $holed(['10.0.0.0/8', '192.0.2.0/23']),
            ['10.0.0.0/8', '192.0.2.0/24', 5],
            ['10.0.0.0/8'],
            ['10.0.0.0/8', '192.0.2.0/25'],
            ['10.0.0.5/8'],
            '10.0.0.0/8, 192.0.2.0/24',
            [],
            null,
            '',
            [null],
            false,
        ];
        $rows = [];
        for ($i = 1; $i <= 90; $i++) {
            $row = self::row($i, "token-$i", [
                'scopes' => $scopeShapes[$i % count($scopeShapes)],
                'ipAllowlist' => $allowShapes[($i * 7) % count($allowShapes)],
                'expiresAt' => $i % 3 === 0 ? '2030-01-01 00:00:00' : null,
                'webhookActions' => $i % 5 === 0 ? ['Created'] : [],
            ]);
            if ($i % 4 === 1) {
                // The same columns under key strings of their own, in another order.
                $row = array_reverse($row, true);
                $copy = [];
                foreach ($row as $k => $v) {
                    $copy[$dynamic($k)] = $v;
                }
                $row = $copy;
            }
            if ($i % 9 === 0) {
                $row = ['displayName' => "Bot $i", 'tokenPrefix' => 'x'] + $row;
            }
            if ($i % 11 === 0) {
                unset($row['ipAllowlist']);
            }
            if ($i % 13 === 0) {
                unset($row['handle']);
            }
            $rows[] = $row;
        }
        $env = ['ENVIRONMENT' => 'production'];
        $options = ['now' => self::NOW];
        // One usable credential in every Guard, so that none is refused for having none.
        $sentinel = self::row(1000, 'token-sentinel');
        $table = new Guard($env, [...$rows, $sentinel], $options);
        $label = static fn (array $w): string => preg_replace('/row \d+/', 'row', $w['message']);
        $tableWarnings = array_map($label, $table->warnings());
        $aloneWarnings = [];
        foreach ($rows as $i => $row) {
            $alone = new Guard($env, [$row, $sentinel], $options);
            array_push($aloneWarnings, ...array_map($label, $alone->warnings()));
            foreach (['192.0.2.10', '10.1.2.3', '198.51.100.7'] as $ip) {
                $request = self::request('token-' . ($i + 1), [], $ip);
                self::assertSame($alone->authenticate($request), $table->authenticate($request), "row $i from $ip");
            }
        }
        self::assertSame($aloneWarnings, $tableWarnings);
    }

    /**
     * A list column whose members were all unset() reads as the empty list (no allowlist, no
     * subscription), held directly or by reference.
     */
    public function testListColumnsEmptiedByUnsetReadAsEmptyLists(): void
    {
        $emptied = static function (array $list): array {
            foreach (array_keys($list) as $k) {
                unset($list[$k]);
            }
            return $list;
        };
        $allow = $emptied(['198.51.100.0/24', '10.0.0.0/8']);
        $byReference = self::row(2, 'token-2', ['webhookActions' => $emptied(['Created'])]);
        $byReference['ipAllowlist'] = &$allow;
        $rows = [
            self::row(1, 'token-1', ['ipAllowlist' => $emptied(['198.51.100.0/24']), 'webhookResourceTypes' => $emptied(['entry'])]),
            $byReference,
        ];
        $plain = [
            self::row(1, 'token-1', ['webhookResourceTypes' => []]),
            self::row(2, 'token-2', ['webhookActions' => []]),
        ];
        $restricted = [self::row(1, 'token-1', ['ipAllowlist' => ['198.51.100.0/24']])];
        $env = ['ENVIRONMENT' => 'production'];
        $options = ['now' => self::NOW];
        $g = new Guard($env, $rows, $options);
        $want = new Guard($env, $plain, $options);
        self::assertSame($want->warnings(), $g->warnings());
        self::assertSame($want->posture(), $g->posture());
        foreach (['token-1', 'token-2'] as $token) {
            $request = self::request($token, [], '203.0.113.7');
            self::assertTrue($g->authenticate($request)['ok'], $token);
            self::assertSame($want->authenticate($request), $g->authenticate($request), $token);
        }
        // The same address is refused where the list does hold an entry.
        $r = new Guard($env, $restricted, $options);
        self::assertFalse($r->authenticate(self::request('token-1', [], '203.0.113.7'))['ok']);
    }

    public function testANestedAllowlistMemberSkipsTheRowWithoutThrowing(): void
    {
        $row = self::row(1, 'token-1', ['ipAllowlist' => ['10.0.0.0/8', ['nested' => ['deeper']]]]);
        $g = new Guard(['ENVIRONMENT' => 'production'], [$row, self::row(2, 'token-2')], ['now' => self::NOW]);
        self::assertContains('managed_credential_skipped', array_column($g->warnings(), 'code'));
        self::assertFalse($g->authenticate(self::request('token-1'))['ok']);
        self::assertTrue($g->authenticate(self::request('token-2'))['ok']);
    }

    public function testHeadersWithHolesReferencesAndIntegerKeys(): void
    {
        $rows = [self::row(1, 'token-1', ['ipAllowlist' => ['203.0.113.0/24']])];
        $g = new Guard(['ENVIRONMENT' => 'production'], $rows, ['now' => self::NOW, 'trustedProxies' => ['10.0.0.0/8']]);
        $xff = ['198.51.100.1', '203.0.113.9'];
        unset($xff[0]);
        $headers = ['X-Forwarded-For' => $xff, 3 => 'ignored'];
        $auth = 'Bearer token-1';
        $headers['Authorization'] = &$auth;
        $r = $g->authenticate(['method' => 'GET', 'headers' => $headers, 'query' => [], 'remoteAddr' => '10.0.0.2']);
        self::assertTrue($r['ok']);
        self::assertSame('203.0.113.9', $r['principal']['clientIp']);
    }
}
