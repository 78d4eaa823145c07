<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\InvalidInputException;
use Agents\Core\IpAllowlist;
use PHPUnit\Framework\TestCase;

use function Agents\Core\ip_allowed;

final class IpAllowlistTest extends TestCase
{
    /** @return iterable<string, array{string, list<string>, bool}> */
    public static function conformanceCases(): iterable
    {
        $path = __DIR__ . '/../../conformance/cidr-peer-cases.json';
        $doc = json_decode((string) file_get_contents($path), true, 512, JSON_THROW_ON_ERROR);
        foreach ($doc['cases'] as $case) {
            yield $case['id'] => [$case['ip'], $case['cidrs'], $case['expect']];
        }
    }

    /**
     * @dataProvider conformanceCases
     * @param list<string> $cidrs
     */
    public function testConformanceCase(string $ip, array $cidrs, bool $expect): void
    {
        // One deliberate difference from the peers: an IPv4 address also matches IPv6 entries
        // holding its IPv4-mapped form (docs/credentials.md, "IP allowlists").
        $expect = $expect || self::mappedEntryHolds($ip, $cidrs);
        self::assertSame($expect, ip_allowed($ip, $cidrs), 'ip_allowed');
        $valid = IpAllowlist::normalize($cidrs)['entries'];
        self::assertSame($expect, (new IpAllowlist($valid))->contains($ip), 'IpAllowlist');
    }

    /** True when $ip is IPv4 and an IPv6 entry of $cidrs holds `::ffff:$ip` (inet_pton bits). */
    private static function mappedEntryHolds(string $ip, array $cidrs): bool
    {
        if (filter_var($ip, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) === false) {
            return false;
        }
        $mapped = inet_pton('::ffff:' . $ip);
        foreach ($cidrs as $cidr) {
            [$net, $prefix] = explode('/', $cidr, 2) + [1 => '128'];
            $bin = str_contains($net, ':') ? @inet_pton($net) : false;
            if ($bin === false || !ctype_digit($prefix) || (int) $prefix > 128) {
                continue;
            }
            $bits = (int) $prefix;
            $bytes = intdiv($bits, 8);
            if (substr($bin, 0, $bytes) !== substr($mapped, 0, $bytes)) {
                continue;
            }
            $rest = $bits % 8;
            if ($rest === 0 || ((ord($bin[$bytes]) ^ ord($mapped[$bytes])) >> (8 - $rest)) === 0) {
                return true;
            }
        }
        return false;
    }

    public function testConformanceFileHasEveryCase(): void
    {
        self::assertGreaterThanOrEqual(64, iterator_count(self::conformanceCases()));
    }

    public function testClassShape(): void
    {
        $r = new \ReflectionClass(IpAllowlist::class);
        self::assertTrue($r->isFinal());
        self::assertTrue($r->implementsInterface(\Countable::class));
    }

    public function testStringInputIsSplitCanonicalisedSortedAndDeduplicated(): void
    {
        $list = new IpAllowlist("2001:DB8::/32, 10.0.0.0/8\n\t192.168.1.1 ,, ::1 10.0.0.0/8 2001:db8:0::/32 9.0.0.0/8 0.0.0.0/0");
        self::assertSame(
            ['0.0.0.0/0', '9.0.0.0/8', '10.0.0.0/8', '192.168.1.1/32', '::1/128', '2001:db8::/32'],
            $list->entries(),
        );
        self::assertCount(6, $list);
        self::assertSame(6, $list->count());
    }

    public function testArrayAndJsonTextInputs(): void
    {
        $fromArray = new IpAllowlist(['10.0.0.0/8', ' ::1 ', '']);
        $fromJson = new IpAllowlist('["10.0.0.0/8","::1"]');
        self::assertSame(['10.0.0.0/8', '::1/128'], $fromArray->entries());
        self::assertSame($fromArray->entries(), $fromJson->entries());
        // How the plugin stores an allowlist: json_encode of the list, read back as text.
        $stored = json_encode(['192.168.0.0/16', '2001:db8::/48']);
        self::assertTrue((new IpAllowlist($stored))->contains('192.168.44.1'));
        self::assertCount(0, new IpAllowlist('[]'));
        self::assertCount(0, new IpAllowlist(''));
        self::assertCount(0, new IpAllowlist([]));
    }

    public function testContains(): void
    {
        $list = new IpAllowlist(['10.0.0.0/8', '2001:db8::/32', '::ffff:192.0.2.0/120']);
        self::assertTrue($list->contains('10.255.255.255'));
        self::assertFalse($list->contains('11.0.0.0'));
        self::assertTrue($list->contains('2001:DB8:ffff::1'));
        self::assertFalse($list->contains('2001:db9::'));
        // One rule: an IPv4-mapped address and its IPv4 form match the same entries.
        self::assertTrue($list->contains('::ffff:10.1.2.3'));
        self::assertTrue($list->contains('::ffff:192.0.2.7'));
        self::assertTrue($list->contains('192.0.2.7'));
        self::assertFalse($list->contains('192.0.3.7'));
        self::assertFalse($list->contains('::ffff:192.0.3.7'));
        // IPv4-compatible and NAT64 forms do not cross families.
        self::assertFalse($list->contains('::10.1.2.3'));
        self::assertFalse($list->contains('64:ff9b::10.1.2.3'));
    }

    public function testContainsRefusesInvalidAddressTextWithoutThrowing(): void
    {
        $list = new IpAllowlist(['0.0.0.0/0', '::/0']);
        foreach (['', 'unknown', ' 1.2.3.4', '1.2.3.4 ', '01.2.3.4', '1.2.3.4:80', '[::1]', 'fe80::1%eth0',
            "1.2.3.4\0", "\xff\xfe", '1.2.3.4/32', str_repeat('1', 1 << 20)] as $bad) {
            self::assertFalse($list->contains($bad), bin2hex(substr($bad, 0, 16)));
        }
        self::assertFalse((new IpAllowlist([]))->contains('1.2.3.4'));
    }

    public function testNormalizeReportsPreciseReasons(): void
    {
        $n = IpAllowlist::normalize([
            '10.0.0.5/8', '1.2.3.4/33', '::/129', '010.0.0.0/8', '10.0.0.0/08', '10.0.0.0/+8',
            'fe80::1%eth0', '[::1]', '1.2.3.4:80', '300.1.1.1', '1.2.3', '1::2::3', '1.2.3.4/',
            '*', 5, null, 1.5, ['x'], "\xff", '10.0.0.0/8',
        ]);
        self::assertSame(['10.0.0.0/8'], $n['entries']);
        $expected = [
            ['entry' => '10.0.0.5/8', 'reason' => 'host bits set below /8: did you mean 10.0.0.0/8?'],
            ['entry' => '1.2.3.4/33', 'reason' => 'prefix 33 > 32'],
            ['entry' => '::/129', 'reason' => 'prefix 129 > 128'],
            ['entry' => '010.0.0.0/8', 'reason' => 'leading zero in octet'],
            ['entry' => '10.0.0.0/08', 'reason' => 'leading zero in prefix'],
            ['entry' => '10.0.0.0/+8', 'reason' => 'prefix must be plain decimal digits'],
            ['entry' => 'fe80::1%eth0', 'reason' => 'zone id not allowed'],
            ['entry' => '[::1]', 'reason' => 'brackets not allowed'],
            ['entry' => '1.2.3.4:80', 'reason' => 'port not allowed'],
            ['entry' => '300.1.1.1', 'reason' => 'octet 300 > 255'],
            ['entry' => '1.2.3', 'reason' => 'expected 4 octets, found 3'],
            ['entry' => '1::2::3', 'reason' => "more than one '::'"],
            ['entry' => '1.2.3.4/', 'reason' => "empty prefix after '/'"],
            ['entry' => '*', 'reason' => 'not an IP address or CIDR'],
            ['entry' => '(int) 5', 'reason' => 'not a string'],
            ['entry' => 'null', 'reason' => 'not a string'],
            ['entry' => '(float) 1.5', 'reason' => 'not a string'],
            ['entry' => 'array', 'reason' => 'not a string'],
            ['entry' => "\u{FFFD}", 'reason' => 'not valid UTF-8'],
        ];
        self::assertSame($expected, $n['invalid']);
    }

    public function testNormalizeIpv6HostBitsNameTheNetwork(): void
    {
        $n = IpAllowlist::normalize('2001:DB8::1/33 ::ffff:10.0.0.1/104');
        self::assertSame([], $n['entries']);
        self::assertSame('host bits set below /33: did you mean 2001:db8::/33?', $n['invalid'][0]['reason']);
        self::assertSame('host bits set below /104: did you mean ::ffff:10.0.0.0/104?', $n['invalid'][1]['reason']);
    }

    public function testNormalizeNeverThrows(): void
    {
        self::assertSame('must be an array or a string', IpAllowlist::normalize(42)['invalid'][0]['reason']);
        self::assertSame('must be an array or a string', IpAllowlist::normalize(new \stdClass())['invalid'][0]['reason']);
        $n = IpAllowlist::normalize('["10.0.0.0/8",');
        self::assertSame([], $n['entries']);
        self::assertStringStartsWith('not a valid JSON array', $n['invalid'][0]['reason']);
        self::assertSame(['entries' => [], 'invalid' => []], IpAllowlist::normalize([]));
    }

    public function testConstructorNamesEveryBadEntry(): void
    {
        try {
            new IpAllowlist(['10.0.0.0/8', '10.0.0.5/8', 7, 'nope', '1.2.3.4/33']);
            self::fail('expected InvalidInputException');
        } catch (InvalidInputException $e) {
            $m = $e->getMessage();
            self::assertStringStartsWith('Invalid IpAllowlist entries (4 problems): ', $m);
            self::assertStringContainsString('entries[1] "10.0.0.5/8": host bits set below /8: did you mean 10.0.0.0/8?', $m);
            self::assertStringContainsString('entries[2] (int) 7: not a string', $m);
            self::assertStringContainsString('entries[3] "nope": not an IP address or CIDR', $m);
            self::assertStringContainsString('entries[4] "1.2.3.4/33": prefix 33 > 32', $m);
            self::assertStringNotContainsString('entries[0]', $m);
        }
    }

    public function testConstructorRefusesOtherTypes(): void
    {
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessage('must be an array or a string');
        new IpAllowlist(3);
    }

    public function testHugeInputsAreRefusedWithTheLimitNamed(): void
    {
        $cases = [
            'megabyte string' => [str_repeat('1.2.3.4 ', 131072), 'longer than 524288 bytes'],
            '100000 entries' => [array_fill(0, 100000, '10.0.0.0/8'), 'more than 10000 entries'],
            '100000 entries as text' => [str_repeat('1.1.1.1,', 60000), 'more than 10000 entries'],
            'one long entry' => [[str_repeat('1', 100000)], 'longer than 64 bytes'],
        ];
        foreach ($cases as $name => [$input, $reason]) {
            try {
                new IpAllowlist($input);
                self::fail("$name: expected InvalidInputException");
            } catch (InvalidInputException $e) {
                self::assertStringContainsString($reason, $e->getMessage(), $name);
                self::assertLessThan(2000, strlen($e->getMessage()), $name);
            }
            self::assertSame([], IpAllowlist::normalize($input)['entries'], $name);
        }
        // At the limit, the list is accepted.
        self::assertCount(1, new IpAllowlist(array_fill(0, 10000, '10.0.0.0/8')));
    }

    public function testNulAndNonUtf8EntriesAreRefusedNotTruncated(): void
    {
        try {
            new IpAllowlist(["10.0.0.0/8\0garbage", "\xc3\x28"]);
            self::fail('expected InvalidInputException');
        } catch (InvalidInputException $e) {
            self::assertStringContainsString('entries[0] "10.0.0.0/8\\0garbage"', $e->getMessage());
            self::assertStringContainsString('not valid UTF-8', $e->getMessage());
        }
        $n = IpAllowlist::normalize("10.0.0.0/8 1.2.3.4\0");
        self::assertSame(['10.0.0.0/8'], $n['entries']);
        self::assertSame('1.2.3.4\0', $n['invalid'][0]['entry']);
    }

    public function testIpAllowedOneShot(): void
    {
        self::assertFalse(ip_allowed('10.0.0.1', []));
        self::assertTrue(ip_allowed('10.0.0.1', ['bogus', 5, '10.0.0.5/8', '10.0.0.0/8']));
        self::assertFalse(ip_allowed('10.0.0.1', ['bogus', 5, '10.0.0.5/8']));
        self::assertTrue(ip_allowed('::ffff:10.0.0.1', ['10.0.0.0/8']));
        self::assertFalse(ip_allowed('::1', ['0.0.0.0/0']));
        // An IPv4 address matches IPv6 entries that hold its IPv4-mapped form.
        self::assertTrue(ip_allowed('1.2.3.4', ['::/0']));
        self::assertTrue(ip_allowed('1.2.3.4', ['::ffff:1.2.3.0/120']));
        self::assertFalse(ip_allowed('1.2.3.4', ['2000::/3', '::ffff:1.2.4.0/120']));
        self::assertFalse(ip_allowed("\xff", ['0.0.0.0/0']));
        self::assertFalse(ip_allowed("10.0.0.1\0", ['0.0.0.0/0']));
        self::assertFalse(ip_allowed('10.0.0.1', array_fill(0, 100000, '0.0.0.0/0')));
    }
}
