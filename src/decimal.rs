//! Decimal text of integers, written into a caller's buffer: two digits per step from a table,
//! no allocation, no formatting machinery.

/// `"00"`, `"01"`, … `"99"`.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// `n` in decimal, written into the end of `buf`; returns the digits.
pub fn u64_into(buf: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut i = buf.len();
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    &buf[i..]
}

/// `v` in decimal (with `-` when negative), written into the end of `buf`; returns the text.
pub fn i64_into(buf: &mut [u8; 20], v: i64) -> &[u8] {
    let len = u64_into(buf, v.unsigned_abs()).len();
    let mut start = buf.len() - len;
    if v < 0 {
        // 19 digits at most for |i64::MIN|, so the sign always fits.
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_standard_formatting() {
        let mut values = vec![
            0u64,
            1,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            u64::MAX,
            u64::MAX - 1,
        ];
        let mut x = 1u64;
        for _ in 0..19 {
            x *= 10;
            values.extend([x - 1, x, x + 1]);
        }
        for n in values {
            assert_eq!(u64_into(&mut [0; 20], n), n.to_string().as_bytes());
        }
        for v in [
            0i64,
            -1,
            7,
            -7,
            42,
            i64::MAX,
            i64::MIN,
            -1_000_000,
            9_223_372_036_854_774_507,
        ] {
            assert_eq!(i64_into(&mut [0; 20], v), v.to_string().as_bytes());
        }
    }
}
