<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\InvalidInputException;
use PHPUnit\Framework\TestCase;

use function Agents\Core\redact;

final class RedactTest extends TestCase
{
    private static function order(): array
    {
        return [
            'id' => 7,
            'number' => 'abc123',
            'email' => 'buyer@example.com',
            'total' => 90.5,
            'subtotal' => 80.0,
            'customer' => ['id' => 3, 'email' => 'buyer@example.com'],
            'lineItems' => [
                ['sku' => 'X', 'qty' => 2, 'salePrice' => 40.0, 'subtotal' => 80.0, 'total' => 80.0],
                ['sku' => 'Y', 'qty' => 1, 'salePrice' => 10.5, 'subtotal' => 10.5, 'total' => 10.5],
            ],
        ];
    }

    public function testOrderWithoutTheSensitiveScope(): void
    {
        self::assertSame([
            'id' => 7,
            'number' => 'abc123',
            'email' => null,
            'total' => 90.5,
            'subtotal' => 80.0,
            'customer' => ['id' => 3, 'email' => null, 'emailRedacted' => true],
            'lineItems' => [['sku' => 'X', 'qty' => 2], ['sku' => 'Y', 'qty' => 1]],
            'emailRedacted' => true,
        ], redact(self::order(), 'order', ['orders:read']));
    }

    /** @return array<string, array{0: list<string>}> */
    public static function unlockingScopes(): array
    {
        return [
            'exact' => [['orders:read', 'orders:read_sensitive']],
            'wildcard' => [['*']],
            'case and spaces' => [[' Orders:Read_Sensitive ']],
        ];
    }

    /** @dataProvider unlockingScopes */
    public function testOrderWithTheScopeKeepsEverything(array $scopes): void
    {
        $want = self::order();
        $want['customer']['emailRedacted'] = false;
        $want['emailRedacted'] = false;
        self::assertSame($want, redact(self::order(), 'order', $scopes));
    }

    public function testRedactEmailFalseKeepsEmailButNotLineItemPrices(): void
    {
        $r = redact(self::order(), 'order', ['orders:read'], false);
        self::assertSame('buyer@example.com', $r['email']);
        self::assertFalse($r['emailRedacted']);
        self::assertSame([['sku' => 'X', 'qty' => 2], ['sku' => 'Y', 'qty' => 1]], $r['lineItems']);
        $r = redact(self::order(), 'order', ['orders:read'], redactEmail: false);
        self::assertSame('buyer@example.com', $r['customer']['email']);
    }

    /** Every array directly under `lineItems` is a line item, whatever its keys. */
    public function testLineItemsKeyedByIdOrFilteredLoseTheirPrices(): void
    {
        $items = [
            ['sku' => 'X', 'qty' => 2, 'salePrice' => 40, 'subtotal' => 80, 'total' => 80],
            ['sku' => 'Y', 'qty' => 0, 'salePrice' => 5, 'subtotal' => 0, 'total' => 0],
            ['sku' => 'Z', 'qty' => 1, 'salePrice' => 9, 'subtotal' => 9, 'total' => 9],
        ];
        $filtered = array_filter($items, fn ($i) => $i['qty'] > 0);   // keys 0 and 2
        $byId = [101 => $items[0], 205 => $items[2]];
        foreach ([$filtered, $byId] as $lineItems) {
            $order = ['id' => 7, 'total' => 89, 'lineItems' => $lineItems];
            $r = redact($order, 'order', ['orders:read']);
            self::assertSame(89, $r['total']);
            self::assertSame(array_keys($lineItems), array_keys($r['lineItems']));
            foreach ($r['lineItems'] as $item) {
                self::assertSame(['sku', 'qty'], array_keys($item), json_encode($r));
            }
            self::assertSame($lineItems, redact($order, 'order', ['orders:read_sensitive'])['lineItems']);
        }
    }

    public function testListOfOrdersAndScopesOfOtherResources(): void
    {
        $list = [self::order(), ['id' => 8, 'email' => 'b@example.com']];
        $r = redact($list, 'order', ['users:read_sensitive', 'addresses:read_sensitive']);
        self::assertNull($r[0]['email']);
        self::assertSame(['id' => 8, 'email' => null, 'emailRedacted' => true], $r[1]);
        self::assertSame([], redact([], 'order', []));
    }

    public function testUsers(): void
    {
        $user = ['id' => 1, 'username' => 'ada', 'email' => 'ada@example.com', 'firstName' => 'Ada',
                 'lastName' => 'Lovelace', 'friendlyName' => 'Ada', 'unverifiedEmail' => 'new@example.com'];
        self::assertSame(
            ['id' => 1, 'username' => 'ada', 'email' => null, 'firstName' => null, 'lastName' => null,
             'friendlyName' => null, 'unverifiedEmail' => null, 'emailRedacted' => true],
            redact($user, 'user', ['users:read'])
        );
        // The flag only governs the e-mail; names need the scope.
        $r = redact($user, 'user', ['users:read'], false);
        self::assertSame('ada@example.com', $r['email']);
        self::assertFalse($r['emailRedacted']);
        self::assertNull($r['firstName']);
        self::assertNull($r['unverifiedEmail']);
        self::assertSame($user + ['emailRedacted' => false], redact($user, 'user', ['users:read_sensitive']));
        self::assertSame($user + ['emailRedacted' => false], redact($user, 'user', ['*']));
        // List view: records without name fields.
        self::assertSame(
            [['id' => 1, 'email' => null, 'emailRedacted' => true], ['id' => 2, 'email' => null, 'emailRedacted' => true]],
            redact([['id' => 1, 'email' => 'a@x'], ['id' => 2, 'email' => 'b@x']], 'user', [])
        );
    }

    public function testAddresses(): void
    {
        $detail = ['id' => 5, 'countryCode' => 'DE', 'fullName' => 'Ada L', 'firstName' => 'Ada', 'lastName' => 'L',
                   'organization' => 'ACME', 'organizationTaxId' => 'DE123', 'addressLine1' => 'Str. 1',
                   'addressLine2' => 'c/o X', 'addressLine3' => '', 'locality' => 'Berlin', 'dependentLocality' => 'Mitte',
                   'administrativeArea' => 'BE', 'postalCode' => '10115', 'sortingCode' => 'S', 'latitude' => 52.5,
                   'longitude' => 13.4];
        $redacted = redact($detail, 'address', ['addresses:read']);
        foreach ($detail as $k => $v) {
            self::assertSame(in_array($k, ['id', 'countryCode'], true) ? $v : null, $redacted[$k], $k);
        }
        self::assertTrue($redacted['sensitiveRedacted']);
        self::assertSame($detail + ['sensitiveRedacted' => false], redact($detail, 'address', ['addresses:read'], false));
        self::assertSame($detail + ['sensitiveRedacted' => false], redact($detail, 'address', ['addresses:read_sensitive']));
        $list = redact([['id' => 1, 'fullName' => 'A', 'countryCode' => 'FR']], 'address', []);
        self::assertSame([['id' => 1, 'fullName' => null, 'countryCode' => 'FR', 'sensitiveRedacted' => true]], $list);
    }

    public function testValuesAndKeysRoundTrip(): void
    {
        $record = ['id' => 1, 'email' => 'x@y', 'price' => 1.0, 'flags' => [true, false, null], 7 => 'seven', 'empty' => []];
        $r = redact($record, 'user', ['*']);
        self::assertSame($record + ['emailRedacted' => false], $r);
    }

    /** @return array<string, array{0: \Closure, 1: string}> */
    public static function callerErrors(): array
    {
        return [
            'unknown resource' => [fn () => redact([], 'orders', []), 'orders'],
            'entry is not a resource' => [fn () => redact([], 'entry', []), 'unknown resource'],
            'scope not a string' => [fn () => redact([], 'user', ['users:read', 5]), 'grantedScopes[1]'],
            'object in record' => [fn () => redact(['at' => new \DateTimeImmutable()], 'user', []), 'record[at]'],
            'non-UTF-8 text' => [fn () => redact(['email' => "\xff"], 'user', []), 'record[email]'],
        ];
    }

    /** @dataProvider callerErrors */
    public function testCallerErrorsThrow(\Closure $call, string $names): void
    {
        $this->expectException(InvalidInputException::class);
        $this->expectExceptionMessage($names);
        $call();
    }
}
