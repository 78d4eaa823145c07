//! Ed25519 public keys: is the 32-byte encoding a point of the curve?
//!
//! An Ed25519 public key encodes `y` (255 bits, little-endian) and the sign of `x`. It is a
//! point when `x² = (y² − 1) / (d·y² + 1)` has a solution modulo `p = 2²⁵⁵ − 19`
//! (decoding in RFC 8032 §5.1.3), that is when `(y² − 1)·(d·y² + 1)` is zero or a quadratic
//! residue (Euler's criterion; the denominator is never zero). The signature backend only finds out at the first
//! verification, so a key that is not a point would refuse every token as `signature_invalid`;
//! this check lets the configuration be refused instead, once, when the verifier is built.
//! Public data only, so nothing here needs to run in constant time.

/// A field element: four little-endian 64-bit limbs, always fully reduced (`< p`).
type Fe = [u64; 4];

/// p = 2^255 - 19.
const P: Fe = [
    0xffff_ffff_ffff_ffed,
    u64::MAX,
    u64::MAX,
    0x7fff_ffff_ffff_ffff,
];
/// d = -121665 / 121666 mod p.
const D: Fe = [
    0x75eb_4dca_1359_78a3,
    0x0070_0a4d_4141_d8ab,
    0x8cc7_4079_7779_e898,
    0x5203_6cee_2b6f_fe73,
];
/// (p - 1) / 2 = 2^254 - 10.
const HALF_P_MINUS_ONE: Fe = [
    0xffff_ffff_ffff_fff6,
    u64::MAX,
    u64::MAX,
    0x3fff_ffff_ffff_ffff,
];
const ONE: Fe = [1, 0, 0, 0];

/// True when `key` decodes to a point of edwards25519 (as the backend decodes it: the sign bit
/// is ignored here, a `y` of `p` or more is read modulo `p`).
pub fn is_point(key: &[u8; 32]) -> bool {
    let mut y = [0u64; 4];
    for (limb, chunk) in y.iter_mut().zip(key.chunks_exact(8)) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(bytes);
    }
    y[3] &= 0x7fff_ffff_ffff_ffff;
    let y = canonical(y);
    let y2 = mul(&y, &y);
    let u = sub(&y2, &ONE);
    let v = add(&mul(&D, &y2), &ONE);
    let chi = pow(&mul(&u, &v), &HALF_P_MINUS_ONE);
    chi == [0; 4] || chi == ONE
}

fn at_least_p(a: &Fe) -> bool {
    for i in (0..4).rev() {
        if a[i] != P[i] {
            return a[i] > P[i];
        }
    }
    true
}

/// `a - b` over 256 bits, and whether it borrowed.
fn sub_raw(a: &Fe, b: &Fe) -> (Fe, bool) {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out[i] = d2;
        borrow = b1 || b2;
    }
    (out, borrow)
}

/// Reduces a value below 2^256 to `< p` (2^256 < 3p, so two subtractions at most).
fn canonical(mut a: Fe) -> Fe {
    while at_least_p(&a) {
        a = sub_raw(&a, &P).0;
    }
    a
}

/// `a + b` modulo 2^256 (the carry out of the top limb is dropped).
fn add_raw(a: &Fe, b: &Fe) -> Fe {
    let mut out = [0u64; 4];
    let mut carry = 0u128;
    for i in 0..4 {
        let s = u128::from(a[i]) + u128::from(b[i]) + carry;
        out[i] = s as u64;
        carry = s >> 64;
    }
    out
}

fn add(a: &Fe, b: &Fe) -> Fe {
    // Both are below p < 2^255, so the sum fits in 256 bits.
    canonical(add_raw(a, b))
}

fn sub(a: &Fe, b: &Fe) -> Fe {
    let (d, borrowed) = sub_raw(a, b);
    if borrowed {
        // a - b + 2^256 was computed; adding p wraps around to a - b + p.
        add_raw(&d, &P)
    } else {
        d
    }
}

fn mul(a: &Fe, b: &Fe) -> Fe {
    let mut wide = [0u64; 8];
    for i in 0..4 {
        let mut carry = 0u128;
        for j in 0..4 {
            let t = u128::from(wide[i + j]) + u128::from(a[i]) * u128::from(b[j]) + carry;
            wide[i + j] = t as u64;
            carry = t >> 64;
        }
        wide[i + 4] = carry as u64;
    }
    // 2^256 = 38 (mod p): fold the high half onto the low half, twice.
    let mut out = [0u64; 4];
    let mut carry = 0u128;
    for i in 0..4 {
        let t = u128::from(wide[i]) + u128::from(wide[i + 4]) * 38 + carry;
        out[i] = t as u64;
        carry = t >> 64;
    }
    let mut extra = carry * 38;
    while extra != 0 {
        for limb in out.iter_mut() {
            let t = u128::from(*limb) + extra;
            *limb = t as u64;
            extra = t >> 64;
        }
        // A carry out of the top limb is one more 2^256, that is 38.
        extra *= 38;
    }
    canonical(out)
}

fn pow(base: &Fe, exponent: &Fe) -> Fe {
    let mut acc = ONE;
    for i in (0..256).rev() {
        acc = mul(&acc, &acc);
        if (exponent[i / 64] >> (i % 64)) & 1 == 1 {
            acc = mul(&acc, base);
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(n: u64) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[..8].copy_from_slice(&n.to_le_bytes());
        b
    }

    fn hex(text: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn public_keys_of_rfc_8032_are_points() {
        // RFC 8032 §7.1, tests 1 to 3 and SHA(abc).
        for k in [
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        ] {
            assert!(is_point(&hex(k)), "{k}");
        }
    }

    #[test]
    fn small_y_values_agree_with_eulers_criterion() {
        // Worked out independently with arbitrary-precision integers:
        // pow((y*y-1)*(d*y*y+1), (p-1)//2, p) in (0, 1).
        let points = [0, 1, 3, 4, 5, 6, 9, 10];
        let not_points = [2, 7, 8, 11];
        for n in points {
            assert!(is_point(&y(n)), "{n}");
        }
        for n in not_points {
            assert!(!is_point(&y(n)), "{n}");
        }
        // The sign bit does not change the answer; y = p + 1 reads as y = 1.
        let mut signed = y(2);
        signed[31] |= 0x80;
        assert!(!is_point(&signed));
        let mut p_plus_one = [0xffu8; 32];
        p_plus_one[0] = 0xee;
        p_plus_one[31] = 0x7f;
        assert!(is_point(&p_plus_one));
    }

    #[test]
    fn field_arithmetic_wraps_correctly() {
        let p_minus_one = sub(&[0; 4], &ONE);
        assert_eq!(p_minus_one, [P[0] - 1, P[1], P[2], P[3]]);
        assert_eq!(add(&p_minus_one, &ONE), [0; 4]);
        // (p - 1)^2 = 1.
        assert_eq!(mul(&p_minus_one, &p_minus_one), ONE);
        // Fermat: a^(p-1) = 1.
        let a = [0x1234_5678_9abc_def0, 7, 0, 0x0123_4567_89ab_cdef];
        let sq = pow(&a, &HALF_P_MINUS_ONE);
        assert_eq!(mul(&sq, &sq), ONE);
    }
}
