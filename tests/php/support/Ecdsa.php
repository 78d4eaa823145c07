<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Support;

/** The other form of an ECDSA `s`: `(r, s)` and `(r, n − s)` verify alike (low-S tests). */
final class Ecdsa
{
    /** `n − s` for big-endian byte strings of equal length with `s < n`. */
    public static function negate(string $n, string $s): string
    {
        $out = '';
        $borrow = 0;
        for ($i = strlen($n) - 1; $i >= 0; $i--) {
            $d = ord($n[$i]) - ord($s[$i]) - $borrow;
            $borrow = $d < 0 ? 1 : 0;
            $out = chr($d + 256 * $borrow) . $out;
        }
        return $out;
    }
}
