//! The compiled form of an allowlist: per family, the entries merged into disjoint sorted
//! address ranges, searched by bisection. A lookup costs O(log n) comparisons of one machine
//! word (IPv4) or one `u128` (IPv6), whatever the entries were.

use std::net::IpAddr;

use super::parse::{Cidr, mask4, mask6};

/// Disjoint, sorted, non-adjacent inclusive ranges as `(start, end)` pairs (a pair shares one
/// cache line, so the final check costs no extra memory access).
#[derive(Debug, Clone)]
struct Ranges<T> {
    /// Kept as built (a `Vec`, so the merge never reallocates to trim spare capacity).
    pairs: Vec<(T, T)>,
}

impl<T> Default for Ranges<T> {
    fn default() -> Self {
        Self { pairs: Vec::new() }
    }
}

/// An unsigned address type (`u32` or `u128`).
trait Word: Copy + Ord {
    /// `self + 1`, or `None` at the top of the range.
    fn next(self) -> Option<Self>;
}

impl Word for u32 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

impl Word for u128 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

impl<T: Word> Ranges<T> {
    /// Sorts and merges overlapping or touching ranges (in place: the merged ranges are
    /// written over the first ones).
    fn build(mut ranges: Vec<(T, T)>) -> Self {
        ranges.sort_unstable();
        let mut kept = 0usize;
        for i in 0..ranges.len() {
            let (start, end) = ranges[i];
            match kept.checked_sub(1).map(|k| &mut ranges[k]) {
                Some((_, last)) if last.next().is_none_or(|n| start <= n) => {
                    if end > *last {
                        *last = end;
                    }
                }
                _ => {
                    ranges[kept] = (start, end);
                    kept += 1;
                }
            }
        }
        ranges.truncate(kept);
        Self { pairs: ranges }
    }

    /// True when some range holds `x`: the last range starting at or before `x` must end at
    /// or after it.
    #[inline]
    fn contains(&self, x: T) -> bool {
        let i = self.pairs.partition_point(|&(start, _)| start <= x);
        i.checked_sub(1)
            .and_then(|i| self.pairs.get(i))
            .is_some_and(|&(_, end)| x <= end)
    }

    fn len(&self) -> usize {
        self.pairs.len()
    }
}

/// `::ffff:0.0.0.0`, the first IPv4-mapped IPv6 address.
const MAPPED_START: u128 = 0xffff_0000_0000;
/// `::ffff:255.255.255.255`, the last one.
const MAPPED_END: u128 = 0xffff_ffff_ffff;

/// Membership test over a set of networks, compiled once.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    v4: Ranges<u32>,
    v6: Ranges<u128>,
}

impl Matcher {
    /// Compiles `nets` (any order, duplicates and overlaps allowed).
    pub fn new<'a>(nets: impl IntoIterator<Item = &'a Cidr>) -> Self {
        let nets = nets.into_iter();
        let mut v4 = Vec::with_capacity(nets.size_hint().0);
        let mut v6 = Vec::new();
        for net in nets {
            match *net {
                Cidr::V4 { addr, prefix } => v4.push((addr, addr | !mask4(prefix))),
                Cidr::V6 { addr, prefix } => {
                    let (start, end) = (addr, addr | !mask6(prefix));
                    v6.push((start, end));
                    // The IPv4-mapped part of an IPv6 entry holds the IPv4 addresses it maps.
                    let (lo, hi) = (start.max(MAPPED_START), end.min(MAPPED_END));
                    if lo <= hi {
                        v4.push(((lo - MAPPED_START) as u32, (hi - MAPPED_START) as u32));
                    }
                }
            }
        }
        Self {
            v4: Ranges::build(v4),
            v6: Ranges::build(v6),
        }
    }

    /// True when some network holds `ip`. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) and its
    /// IPv4 form `a.b.c.d` match the same networks: IPv4 networks holding `a.b.c.d` and IPv6
    /// networks holding `::ffff:a.b.c.d`. IPv4 and IPv6 otherwise never cross.
    #[inline]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => {
                self.v6.contains(u128::from(a))
                    || a.to_ipv4_mapped()
                        .is_some_and(|m| self.v4.contains(u32::from(m)))
            }
        }
    }

    /// Number of disjoint ranges after merging (IPv4, IPv6).
    pub fn range_counts(&self) -> (usize, usize) {
        (self.v4.len(), self.v6.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip::parse::parse_entry;

    fn matcher(entries: &[&str]) -> Matcher {
        let nets: Vec<Cidr> = entries.iter().map(|e| parse_entry(e).unwrap()).collect();
        Matcher::new(&nets)
    }

    fn has(m: &Matcher, ip: &str) -> bool {
        m.contains(ip.parse().unwrap())
    }

    #[test]
    fn merges_overlapping_and_adjacent_ranges() {
        let m = matcher(&["10.0.0.0/9", "10.128.0.0/9", "10.1.0.0/16", "11.0.0.0/8"]);
        assert_eq!(m.range_counts(), (1, 0));
        assert!(has(&m, "10.0.0.0") && has(&m, "11.255.255.255"));
        assert!(!has(&m, "9.255.255.255") && !has(&m, "12.0.0.0"));
    }

    #[test]
    fn extremes() {
        let m = matcher(&["0.0.0.0/0", "::/0"]);
        assert!(has(&m, "0.0.0.0") && has(&m, "255.255.255.255"));
        assert!(has(&m, "::") && has(&m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        let m = matcher(&["255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]);
        assert!(has(&m, "255.255.255.255") && !has(&m, "255.255.255.254"));
        assert!(has(&m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        let m = matcher(&[]);
        assert!(!has(&m, "1.2.3.4") && !has(&m, "::1"));
    }

    #[test]
    fn families_cross_only_for_mapped_addresses() {
        let m = matcher(&["10.0.0.0/8"]);
        assert!(has(&m, "::ffff:10.9.9.9"));
        assert!(!has(&m, "::10.9.9.9"));
        assert!(!has(&m, "64:ff9b::10.9.9.9"));
        let m = matcher(&["::ffff:0:0/96"]);
        assert!(has(&m, "::ffff:1.2.3.4"));
        assert!(has(&m, "1.2.3.4"));
        // An IPv6 entry matches the IPv4 form of the mapped addresses it holds, and only those.
        let m = matcher(&["::ffff:10.0.0.0/104"]);
        assert!(has(&m, "::ffff:10.1.2.3") && has(&m, "10.1.2.3"));
        assert!(!has(&m, "11.0.0.0") && !has(&m, "::ffff:11.0.0.0"));
        let m = matcher(&["::/0"]);
        assert!(has(&m, "1.2.3.4"));
        let m = matcher(&["::/97"]);
        assert!(!has(&m, "1.2.3.4"));
        let m = matcher(&["0.0.0.0/0"]);
        assert!(!has(&m, "::1"));
    }
}
