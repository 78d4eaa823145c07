//! Strict text parsers for IP addresses and CIDR entries, with precise reasons.
//!
//! Accepted forms:
//!
//! * IPv4: a dotted quad of decimal octets `0..=255`, no leading zeros (`010.0.0.1` is refused,
//!   since some parsers read it as octal);
//! * IPv6: RFC 4291 text (1 to 4 hex digits per group, at most one `::`, an optional dotted quad
//!   in the last 32 bits), any letter case; no zone id (`%eth0`), brackets or port;
//! * CIDR entry: an address, optionally followed by `/prefix` in plain decimal (`0..=32` or
//!   `0..=128`, no sign, no leading zero), with no host bit set below the prefix. A bare address
//!   means `/32` or `/128`.

use crate::hex::VALUES as HEX;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest entry text accepted (bytes). The longest valid entry is 49 bytes.
pub const MAX_ENTRY_BYTES: usize = 64;

/// Why a text is not a valid IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrError {
    /// Nothing to parse.
    Empty,
    /// Longer than any valid address or entry.
    TooLong,
    /// Neither `.` nor `:` occurs, and the text is not a number.
    NotAnAddress,
    /// A character that cannot occur in an address of this family.
    InvalidChar(char, IpVersion),
    /// Not exactly four dot-separated octets.
    OctetCount(usize),
    /// Two dots in a row, or a dot at either end.
    EmptyOctet,
    /// An octet written with a leading zero.
    LeadingZero,
    /// An octet above 255 (the digits as written).
    OctetRange(String),
    /// An IPv6 zone id (`%eth0`).
    ZoneId,
    /// `[` or `]` around an address.
    Brackets,
    /// An IPv4 address followed by `:port`.
    Port,
    /// `::` occurs more than once.
    MultipleDoubleColon,
    /// An IPv6 group with more than 4 hex digits.
    GroupTooLong,
    /// An IPv6 group with no digits (a single `:` at either end, or `:::`).
    EmptyGroup,
    /// More than 8 groups (or more than 7 next to `::`).
    TooManyGroups,
    /// Fewer than 8 groups and no `::`.
    TooFewGroups(usize),
    /// A dotted quad that is not the last part of an IPv6 address.
    EmbeddedNotLast,
    /// The dotted quad inside an IPv6 address is invalid.
    Embedded(Box<AddrError>),
}

/// An address family, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpVersion {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrError::Empty => f.write_str("empty address"),
            AddrError::TooLong => write!(f, "longer than {MAX_ENTRY_BYTES} bytes"),
            AddrError::NotAnAddress => f.write_str("not an IP address or CIDR"),
            AddrError::InvalidChar(c, fam) => {
                let fam = match fam {
                    IpVersion::V4 => "IPv4",
                    IpVersion::V6 => "IPv6",
                };
                write!(
                    f,
                    "invalid character '{}' in {fam} address",
                    c.escape_debug()
                )
            }
            AddrError::OctetCount(n) => write!(f, "expected 4 octets, found {n}"),
            AddrError::EmptyOctet => f.write_str("empty octet"),
            AddrError::LeadingZero => f.write_str("leading zero in octet"),
            AddrError::OctetRange(d) => write!(f, "octet {d} > 255"),
            AddrError::ZoneId => f.write_str("zone id not allowed"),
            AddrError::Brackets => f.write_str("brackets not allowed"),
            AddrError::Port => f.write_str("port not allowed"),
            AddrError::MultipleDoubleColon => f.write_str("more than one '::'"),
            AddrError::GroupTooLong => f.write_str("group longer than 4 hex digits"),
            AddrError::EmptyGroup => f.write_str("empty group"),
            AddrError::TooManyGroups => f.write_str("too many groups"),
            AddrError::TooFewGroups(n) => write!(f, "too few groups ({n} of 8) and no '::'"),
            AddrError::EmbeddedNotLast => f.write_str("embedded IPv4 address must come last"),
            AddrError::Embedded(e) => write!(f, "embedded IPv4 address: {e}"),
        }
    }
}

/// Why a text is not a valid CIDR entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryError {
    /// The address part is invalid.
    Addr(AddrError),
    /// Nothing before the `/`.
    MissingAddress,
    /// More than one `/`.
    MultipleSlash,
    /// Nothing after the `/`.
    EmptyPrefix,
    /// The prefix holds something other than decimal digits (sign, space, hex...).
    PrefixNotDecimal,
    /// The prefix has a leading zero.
    PrefixLeadingZero,
    /// The prefix exceeds the family's width (digits as written, maximum).
    PrefixRange(String, u8),
    /// Bits below the prefix are set; `network` is the entry with them cleared.
    HostBits {
        /// The network that was probably meant.
        network: Cidr,
    },
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryError::Addr(e) => e.fmt(f),
            EntryError::MissingAddress => f.write_str("missing address before '/'"),
            EntryError::MultipleSlash => f.write_str("more than one '/'"),
            EntryError::EmptyPrefix => f.write_str("empty prefix after '/'"),
            EntryError::PrefixNotDecimal => f.write_str("prefix must be plain decimal digits"),
            EntryError::PrefixLeadingZero => f.write_str("leading zero in prefix"),
            EntryError::PrefixRange(d, max) => write!(f, "prefix {d} > {max}"),
            EntryError::HostBits { network } => write!(
                f,
                "host bits set below /{}: did you mean {network}?",
                network.prefix()
            ),
        }
    }
}

impl From<AddrError> for EntryError {
    fn from(e: AddrError) -> Self {
        EntryError::Addr(e)
    }
}

/// One network: an address with no host bits set and a prefix length.
///
/// Orders IPv4 before IPv6, then by network address, then by prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cidr {
    /// An IPv4 network.
    V4 {
        /// Network address (host bits clear).
        addr: u32,
        /// Prefix length, `0..=32`.
        prefix: u8,
    },
    /// An IPv6 network.
    V6 {
        /// Network address (host bits clear).
        addr: u128,
        /// Prefix length, `0..=128`.
        prefix: u8,
    },
}

/// The mask of the top `prefix` bits of a 32-bit value.
pub(crate) fn mask4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

/// The mask of the top `prefix` bits of a 128-bit value.
pub(crate) fn mask6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl Cidr {
    /// The network of `ip` with `prefix` bits, host bits cleared. `None` when `prefix` is too
    /// long for the family.
    pub fn new(ip: IpAddr, prefix: u8) -> Option<Self> {
        match ip {
            IpAddr::V4(a) if prefix <= 32 => Some(Cidr::V4 {
                addr: u32::from(a) & mask4(prefix),
                prefix,
            }),
            IpAddr::V6(a) if prefix <= 128 => Some(Cidr::V6 {
                addr: u128::from(a) & mask6(prefix),
                prefix,
            }),
            _ => None,
        }
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        match *self {
            Cidr::V4 { prefix, .. } | Cidr::V6 { prefix, .. } => prefix,
        }
    }

    /// The network address.
    pub fn network(&self) -> IpAddr {
        match *self {
            Cidr::V4 { addr, .. } => IpAddr::V4(Ipv4Addr::from(addr)),
            Cidr::V6 { addr, .. } => IpAddr::V6(Ipv6Addr::from(addr)),
        }
    }

    /// True when `ip` lies in this network, without any IPv4/IPv6 crossing.
    pub fn contains_exact(&self, ip: IpAddr) -> bool {
        match (*self, ip) {
            (Cidr::V4 { addr, prefix }, IpAddr::V4(a)) => u32::from(a) & mask4(prefix) == addr,
            (Cidr::V6 { addr, prefix }, IpAddr::V6(a)) => u128::from(a) & mask6(prefix) == addr,
            _ => false,
        }
    }

    /// True when `ip` lies in this network. An IPv4-mapped IPv6 address and its IPv4 form match
    /// the same networks: `::ffff:a.b.c.d` also matches IPv4 networks holding `a.b.c.d`, and
    /// `a.b.c.d` also matches IPv6 networks holding `::ffff:a.b.c.d`.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.contains_exact(ip)
            || match ip {
                IpAddr::V6(a) => a
                    .to_ipv4_mapped()
                    .is_some_and(|v4| self.contains_exact(IpAddr::V4(v4))),
                IpAddr::V4(a) => self.contains_exact(IpAddr::V6(a.to_ipv6_mapped())),
            }
    }
}

impl fmt::Display for Cidr {
    /// Canonical form: dotted quad, or lower-case compressed IPv6 (RFC 5952), then `/prefix`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix())
    }
}

/// Parses one address strictly: IPv4 dotted quad or IPv6 text, nothing around it.
pub fn parse_addr(text: &str) -> Result<IpAddr, AddrError> {
    scan_addr(text.as_bytes()).map_err(|_| addr_reason(text))
}

/// [`parse_addr`] for raw bytes, without a reason (bytes that are not ASCII are never valid).
pub fn parse_addr_bytes(bytes: &[u8]) -> Option<IpAddr> {
    scan_addr(bytes).ok()
}

/// One pass over address bytes. The family is decided by the first separator: a valid IPv6
/// address has a `:` before any `.`, a valid IPv4 address has no `:`. On failure the error is
/// a placeholder: [`addr_reason`] says why.
fn scan_addr(s: &[u8]) -> Result<IpAddr, AddrError> {
    if s.len() > MAX_ENTRY_BYTES {
        return Err(AddrError::TooLong);
    }
    // A dotted quad (the usual client address) in one pass. Text it accepts holds only digits
    // and dots, so the family test below would also pick IPv4 and read the same address; any
    // other text gets there unchanged.
    if let Some((a, end)) = dotted_quad(s)
        && end == s.len()
    {
        return Ok(IpAddr::V4(Ipv4Addr::from(a)));
    }
    scan_addr_general(s)
}

/// [`scan_addr`] without the dotted-quad pass first.
fn scan_addr_general(s: &[u8]) -> Result<IpAddr, AddrError> {
    match s.iter().find(|&&b| b == b':' || b == b'.') {
        Some(b':') => scan_v6(s).map(|a| IpAddr::V6(Ipv6Addr::from(a))),
        _ => match scan_v4(s) {
            Some(a) => Ok(IpAddr::V4(Ipv4Addr::from(a))),
            None => Err(AddrError::NotAnAddress),
        },
    }
}

/// Why `text` is not an address (called only once a scan failed).
fn addr_reason(text: &str) -> AddrError {
    if text.is_empty() {
        AddrError::Empty
    } else if text.len() > MAX_ENTRY_BYTES {
        AddrError::TooLong
    } else if text.contains(':') {
        if looks_like_v4_with_port(text) {
            AddrError::Port
        } else {
            v6_reason(text)
        }
    } else if text.contains('.') || text.bytes().all(|b| b.is_ascii_digit()) {
        v4_reason(text)
    } else {
        AddrError::NotAnAddress
    }
}

/// `a.b.c.d:port`: exactly one colon, after a valid dotted quad.
fn looks_like_v4_with_port(text: &str) -> bool {
    match text.split_once(':') {
        Some((host, port)) => {
            !port.contains(':')
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && scan_v4(host.as_bytes()).is_some()
        }
        None => false,
    }
}

/// Parses a dotted quad strictly.
pub fn parse_v4(text: &str) -> Result<Ipv4Addr, AddrError> {
    scan_v4(text.as_bytes())
        .map(Ipv4Addr::from)
        .ok_or_else(|| v4_reason(text))
}

/// One left-to-right pass over a dotted quad; [`v4_reason`] says why one is refused.
fn scan_v4(s: &[u8]) -> Option<u32> {
    let mut addr = 0u32;
    let mut octets = 0usize;
    let mut val = 0u32;
    let mut digits = 0usize;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            // No second digit after a leading 0, no fourth digit.
            if (digits == 1 && val == 0) || digits == 3 {
                return None;
            }
            val = val * 10 + u32::from(d);
            digits += 1;
        } else if b == b'.' && digits > 0 && val <= 255 && octets < 3 {
            addr = (addr << 8) | val;
            octets += 1;
            val = 0;
            digits = 0;
        } else {
            return None;
        }
    }
    (digits > 0 && val <= 255 && octets == 3).then_some((addr << 8) | val)
}

/// What is wrong with one octet of decimal digits, if anything.
fn octet_problem(part: &str) -> Option<AddrError> {
    match part.as_bytes() {
        [] => Some(AddrError::EmptyOctet),
        [b'0', _, ..] => Some(AddrError::LeadingZero),
        _ if part.len() > 3 || part.parse::<u16>().map_or(true, |v| v > 255) => {
            Some(AddrError::OctetRange(part.to_owned()))
        }
        _ => None,
    }
}

/// Why `text` is not a dotted quad: a bad character first, then the octet count, then the
/// first bad octet.
fn v4_reason(text: &str) -> AddrError {
    if let Some(c) = text.chars().find(|c| !c.is_ascii_digit() && *c != '.') {
        return AddrError::InvalidChar(c, IpVersion::V4);
    }
    let count = text.split('.').count();
    if count != 4 {
        return AddrError::OctetCount(count);
    }
    text.split('.')
        .find_map(octet_problem)
        // Not reached for text the scan refused; kept total.
        .unwrap_or(AddrError::NotAnAddress)
}

/// Parses IPv6 text strictly (RFC 4291 §2.2).
pub fn parse_v6(text: &str) -> Result<Ipv6Addr, AddrError> {
    scan_v6(text.as_bytes())
        .map(Ipv6Addr::from)
        .map_err(|_| v6_reason(text))
}

/// One left-to-right pass over IPv6 text; the error is the first problem met (a placeholder
/// for [`v6_reason`]).
fn scan_v6(s: &[u8]) -> Result<u128, AddrError> {
    let mut groups = [0u16; 8];
    let mut n = 0usize;
    // Number of groups before `::`, once seen.
    let mut gap: Option<usize> = None;
    let mut val = 0u32;
    let mut digits = 0usize;
    // Colons right before the current position: 1 after `g:`, 2 after `::`.
    let mut colons = 0u8;
    let body = match s {
        [b':', b':', rest @ ..] => {
            gap = Some(0);
            colons = 2;
            rest
        }
        [b':', ..] => return Err(AddrError::EmptyGroup),
        _ => s,
    };
    for (i, &b) in body.iter().enumerate() {
        let h = HEX[usize::from(b)];
        if h != 0xff {
            // Bits above 16 only matter when the group is too long, which is checked when it
            // ends.
            val = (val << 4) | u32::from(h);
            digits += 1;
            colons = 0;
        } else if b == b':' {
            if digits > 0 {
                n = push_group(&mut groups, n, val, digits)?;
                val = 0;
                digits = 0;
                colons = 1;
            } else if colons == 1 {
                if gap.is_some() {
                    return Err(AddrError::MultipleDoubleColon);
                }
                gap = Some(n);
                colons = 2;
            } else {
                return Err(AddrError::EmptyGroup);
            }
        } else if b == b'.' {
            let rest = &body[i - digits..];
            if rest.contains(&b':') {
                return Err(AddrError::EmbeddedNotLast);
            }
            // The inner reason is worked out by `v6_reason`.
            let v4 = scan_v4(rest)
                .ok_or_else(|| AddrError::Embedded(Box::new(AddrError::NotAnAddress)))?;
            n = push_group(&mut groups, n, v4 >> 16, 4)?;
            n = push_group(&mut groups, n, v4 & 0xffff, 4)?;
            digits = 0;
            colons = 0;
            break;
        } else {
            return Err(AddrError::InvalidChar('?', IpVersion::V6));
        }
    }
    if digits > 0 {
        n = push_group(&mut groups, n, val, digits)?;
    } else if colons == 1 {
        // A single trailing `:`.
        return Err(AddrError::EmptyGroup);
    }
    match gap {
        Some(_) if n > 7 => Err(AddrError::TooManyGroups),
        Some(at) => {
            let tail = n - at;
            groups.copy_within(at..n, 8 - tail);
            groups[at..8 - tail].fill(0);
            Ok(u128::from(Ipv6Addr::from(groups)))
        }
        None if n < 8 => Err(AddrError::TooFewGroups(n)),
        None => Ok(u128::from(Ipv6Addr::from(groups))),
    }
}

/// Stores a group of `digits` hex digits as group `n`; returns the new group count.
#[inline]
fn push_group(
    groups: &mut [u16; 8],
    n: usize,
    val: u32,
    digits: usize,
) -> Result<usize, AddrError> {
    if digits > 4 {
        return Err(AddrError::GroupTooLong);
    }
    match groups.get_mut(n) {
        Some(slot) => {
            // At most four hex digits: fits u16.
            *slot = val as u16;
            Ok(n + 1)
        }
        None => Err(AddrError::TooManyGroups),
    }
}

/// Why `text` is not IPv6: a zone id, brackets or a bad character first, then the first
/// problem the scan met.
fn v6_reason(text: &str) -> AddrError {
    if text.contains('%') {
        return AddrError::ZoneId;
    }
    if text.contains('[') || text.contains(']') {
        return AddrError::Brackets;
    }
    if let Some(c) = text
        .chars()
        .find(|c| !c.is_ascii_hexdigit() && *c != ':' && *c != '.')
    {
        return AddrError::InvalidChar(c, IpVersion::V6);
    }
    match scan_v6(text.as_bytes()) {
        Err(AddrError::Embedded(_)) => {
            let rest = text.rsplit(':').next().unwrap_or(text);
            AddrError::Embedded(Box::new(v4_reason(rest)))
        }
        Err(e) => e,
        // Not reached for text the scan refused; kept total.
        Ok(_) => AddrError::NotAnAddress,
    }
}

/// Parses one CIDR entry strictly (see the module docs).
pub fn parse_entry(text: &str) -> Result<Cidr, EntryError> {
    scan_entry(text.as_bytes()).ok_or_else(|| entry_reason(text))
}

/// One pass over entry bytes: the network, or `None` for anything [`parse_entry`] refuses
/// (bytes that are not ASCII are never valid, so they need no UTF-8 check first).
pub fn scan_entry(b: &[u8]) -> Option<Cidr> {
    if b.len() > MAX_ENTRY_BYTES {
        return None;
    }
    if let Some((addr, prefix)) = scan_v4_entry(b) {
        let ip = IpAddr::V4(Ipv4Addr::from(addr));
        let net = Cidr::new(ip, prefix)?;
        return (net.network() == ip).then_some(net);
    }
    scan_entry_general(b)
}

/// An IPv4 entry (`a.b.c.d` or `a.b.c.d/p`) in one pass: the address and the prefix, or `None`
/// for any other text. What it accepts, [`scan_entry_general`] splits at the same `/` and reads
/// with the same octet and prefix rules ([`scan_v4`], [`scan_prefix`]).
fn scan_v4_entry(b: &[u8]) -> Option<(u32, u8)> {
    let (addr, end) = dotted_quad(b)?;
    match b.get(end..)? {
        [] => Some((addr, 32)),
        [b'/', prefix @ ..] => Some((addr, scan_prefix(prefix, 32)?)),
        _ => None,
    }
}

/// The dotted quad at the start of `b` under [`scan_v4`]'s rules (one to three digits per
/// octet, no leading zero, at most 255), and where it ends; `None` when `b` does not start
/// with one. Octet by octet rather than byte by byte, for the fast paths.
#[inline]
fn dotted_quad(b: &[u8]) -> Option<(u32, usize)> {
    let (a, i) = octet(b, 0)?;
    let (o, i) = octet(b, dot(b, i)?)?;
    let a = (a << 8) | o;
    let (o, i) = octet(b, dot(b, i)?)?;
    let a = (a << 8) | o;
    let (o, i) = octet(b, dot(b, i)?)?;
    Some(((a << 8) | o, i))
}

/// The position after the `.` at `i`.
#[inline(always)]
fn dot(b: &[u8], i: usize) -> Option<usize> {
    (b.get(i) == Some(&b'.')).then_some(i + 1)
}

/// The octet starting at `i` and where it ends: one to three digits not followed by a fourth,
/// without a leading zero, at most 255.
#[inline(always)]
fn octet(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let digit = |at: usize| {
        b.get(at)
            .map(|c| c.wrapping_sub(b'0'))
            .filter(|d| *d < 10)
            .map(u32::from)
    };
    let d0 = digit(i)?;
    let Some(d1) = digit(i + 1) else {
        return Some((d0, i + 1));
    };
    if d0 == 0 {
        return None;
    }
    let Some(d2) = digit(i + 2) else {
        return Some((d0 * 10 + d1, i + 2));
    };
    let v = d0 * 100 + d1 * 10 + d2;
    (digit(i + 3).is_none() && v <= 255).then_some((v, i + 3))
}

/// [`scan_entry`] without the IPv4 pass first (and without its length check).
fn scan_entry_general(b: &[u8]) -> Option<Cidr> {
    let (addr, prefix) = match b.iter().position(|&c| c == b'/') {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let ip = scan_addr(addr).ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => scan_prefix(p, max)?,
        None => max,
    };
    let net = Cidr::new(ip, prefix)?;
    (net.network() == ip).then_some(net)
}

/// A prefix of plain decimal digits without a leading zero, at most `max`.
fn scan_prefix(p: &[u8], max: u8) -> Option<u8> {
    let mut v = 0u32;
    for &c in p {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
        if v > u32::from(max) {
            return None;
        }
    }
    match p {
        [] => None,
        [b'0', _, ..] => None,
        // At most `max`, which is a `u8`.
        _ => Some(v as u8),
    }
}

/// Why `text` is not a valid entry (called once a scan refused it). Every check in order,
/// from the whole text down to the host bits; the `Ok` case is not reached for text the scan
/// refused and is kept for totality.
fn entry_reason(text: &str) -> EntryError {
    match check_entry(text) {
        Err(e) => e,
        Ok(_) => EntryError::Addr(AddrError::NotAnAddress),
    }
}

fn check_entry(text: &str) -> Result<Cidr, EntryError> {
    if text.len() > MAX_ENTRY_BYTES {
        return Err(AddrError::TooLong.into());
    }
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    if prefix.is_some_and(|p| p.contains('/')) {
        return Err(EntryError::MultipleSlash);
    }
    if addr.is_empty() && prefix.is_some() {
        return Err(EntryError::MissingAddress);
    }
    let ip = parse_addr(addr)?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => parse_prefix(p, max)?,
        None => max,
    };
    let net = Cidr::new(ip, prefix).ok_or(EntryError::PrefixRange(prefix.to_string(), max))?;
    if net.network() != ip {
        return Err(EntryError::HostBits { network: net });
    }
    Ok(net)
}

fn parse_prefix(text: &str, max: u8) -> Result<u8, EntryError> {
    if text.is_empty() {
        return Err(EntryError::EmptyPrefix);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EntryError::PrefixNotDecimal);
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(EntryError::PrefixLeadingZero);
    }
    match text.parse::<u8>() {
        Ok(v) if v <= max => Ok(v),
        _ => Err(EntryError::PrefixRange(text.to_owned(), max)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_reason(s: &str) -> String {
        parse_entry(s).expect_err(s).to_string()
    }

    #[test]
    fn ipv4_strict() {
        assert_eq!(
            parse_addr("192.168.1.1"),
            Ok("192.168.1.1".parse().unwrap())
        );
        assert_eq!(parse_addr("0.0.0.0"), Ok("0.0.0.0".parse().unwrap()));
        assert_eq!(parse_addr("010.0.0.1"), Err(AddrError::LeadingZero));
        assert_eq!(parse_addr("1.2.3"), Err(AddrError::OctetCount(3)));
        assert_eq!(parse_addr("1.2.3.4.5"), Err(AddrError::OctetCount(5)));
        assert_eq!(parse_addr("1..3.4"), Err(AddrError::EmptyOctet));
        assert_eq!(
            parse_addr("1.2.3.256"),
            Err(AddrError::OctetRange("256".into()))
        );
        assert_eq!(
            parse_addr("1.2.3.1000"),
            Err(AddrError::OctetRange("1000".into()))
        );
        assert_eq!(parse_addr("1.2.3.4:80"), Err(AddrError::Port));
        assert_eq!(
            parse_addr("a.b.c.d"),
            Err(AddrError::InvalidChar('a', IpVersion::V4))
        );
        assert_eq!(
            parse_addr("1.2.3.4 "),
            Err(AddrError::InvalidChar(' ', IpVersion::V4))
        );
        assert_eq!(
            parse_addr("1.2.3.4\0"),
            Err(AddrError::InvalidChar('\0', IpVersion::V4))
        );
        assert_eq!(parse_addr("12345"), Err(AddrError::OctetCount(1)));
        assert_eq!(parse_addr("unknown"), Err(AddrError::NotAnAddress));
        assert_eq!(parse_addr(""), Err(AddrError::Empty));
    }

    #[test]
    fn ipv6_strict() {
        for ok in [
            "::",
            "::1",
            "1::",
            "2001:DB8::1",
            "0:0:0:0:0:0:0:1",
            "0:0:603:0:396e:4789:8e99:0001",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "::ffff:10.0.0.1",
            "1:2:3:4:5:6:1.2.3.4",
        ] {
            assert_eq!(parse_addr(ok), Ok(ok.parse().unwrap()), "{ok}");
        }
        assert_eq!(parse_addr("fe80::1%eth0"), Err(AddrError::ZoneId));
        assert_eq!(parse_addr("[::1]"), Err(AddrError::Brackets));
        assert_eq!(parse_addr("[::1]:80"), Err(AddrError::Brackets));
        assert_eq!(parse_addr("1::2::3"), Err(AddrError::MultipleDoubleColon));
        assert_eq!(parse_addr("1:::2"), Err(AddrError::EmptyGroup));
        assert_eq!(parse_addr(":1::"), Err(AddrError::EmptyGroup));
        assert_eq!(parse_addr("::0:"), Err(AddrError::EmptyGroup));
        assert_eq!(parse_addr("1::2:"), Err(AddrError::EmptyGroup));
        assert_eq!(parse_addr("1:"), Err(AddrError::EmptyGroup));
        assert_eq!(parse_addr("12345::"), Err(AddrError::GroupTooLong));
        assert_eq!(parse_addr("1:2:3:4:5:6:7"), Err(AddrError::TooFewGroups(7)));
        assert_eq!(
            parse_addr("1:2:3:4:5:6:7:8:9"),
            Err(AddrError::TooManyGroups)
        );
        assert_eq!(
            parse_addr("1:2:3:4::5:6:7:8"),
            Err(AddrError::TooManyGroups)
        );
        assert_eq!(
            parse_addr("1:2:3:4:5:6:7:1.2.3.4"),
            Err(AddrError::TooManyGroups)
        );
        assert_eq!(parse_addr("::1.2.3.4:1"), Err(AddrError::EmbeddedNotLast));
        assert_eq!(
            parse_addr("::ffff:01.2.3.4"),
            Err(AddrError::Embedded(Box::new(AddrError::LeadingZero)))
        );
        assert_eq!(
            parse_addr("::g"),
            Err(AddrError::InvalidChar('g', IpVersion::V6))
        );
    }

    #[test]
    fn entries_and_canonical_form() {
        let canon = |s: &str| parse_entry(s).map(|c| c.to_string());
        assert_eq!(canon("10.0.0.0/8").as_deref(), Ok("10.0.0.0/8"));
        assert_eq!(canon("1.2.3.4").as_deref(), Ok("1.2.3.4/32"));
        assert_eq!(canon("0.0.0.0/0").as_deref(), Ok("0.0.0.0/0"));
        assert_eq!(canon("2001:DB8:0:0::/32").as_deref(), Ok("2001:db8::/32"));
        assert_eq!(canon("::1").as_deref(), Ok("::1/128"));
        assert_eq!(
            canon("::ffff:10.0.0.0/104").as_deref(),
            Ok("::ffff:10.0.0.0/104")
        );
        assert_eq!(canon("::/0").as_deref(), Ok("::/0"));
    }

    #[test]
    fn entry_reasons_are_precise() {
        assert_eq!(
            entry_reason("10.0.0.5/8"),
            "host bits set below /8: did you mean 10.0.0.0/8?"
        );
        assert_eq!(
            entry_reason("2001:db8::1/33"),
            "host bits set below /33: did you mean 2001:db8::/33?"
        );
        assert_eq!(entry_reason("1.2.3.4/33"), "prefix 33 > 32");
        assert_eq!(entry_reason("::/129"), "prefix 129 > 128");
        assert_eq!(
            entry_reason("1.2.3.4/99999999999"),
            "prefix 99999999999 > 32"
        );
        assert_eq!(entry_reason("10.0.0.0/08"), "leading zero in prefix");
        assert_eq!(
            entry_reason("10.0.0.0/+8"),
            "prefix must be plain decimal digits"
        );
        assert_eq!(
            entry_reason("10.0.0.0/-8"),
            "prefix must be plain decimal digits"
        );
        assert_eq!(entry_reason("1.2.3.4/"), "empty prefix after '/'");
        assert_eq!(entry_reason("/8"), "missing address before '/'");
        assert_eq!(entry_reason("1.2.3.4/8/8"), "more than one '/'");
        assert_eq!(entry_reason("fe80::1%eth0/64"), "zone id not allowed");
        assert_eq!(entry_reason("[::1]/128"), "brackets not allowed");
        assert_eq!(entry_reason("010.0.0.0/8"), "leading zero in octet");
        assert_eq!(entry_reason("300.1.1.1"), "octet 300 > 255");
        assert_eq!(entry_reason("1.2.3.4:80"), "port not allowed");
        assert_eq!(entry_reason("*"), "not an IP address or CIDR");
        assert_eq!(entry_reason(&"1".repeat(65)), "longer than 64 bytes");
        assert_eq!(
            entry_reason("1.2.3.4\0"),
            "invalid character '\\0' in IPv4 address"
        );
    }

    #[test]
    fn the_scan_accepts_exactly_what_the_checks_accept() {
        let seeds = [
            "10.0.0.0/8",
            "1.2.3.4",
            "0.0.0.0/0",
            "255.255.255.255/32",
            "192.0.2.0/24",
            "2001:db8::/32",
            "::1",
            "::/0",
            "::ffff:10.0.0.0/104",
            "1:2:3:4:5:6:1.2.3.4/128",
            "fe80::/10",
            "1.2.3.4/33",
            "10.0.0.0/08",
            "1::/128",
        ];
        let alphabet = b"0123456789abcdefABCDEFg/.:% []-+,\0";
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new(), vec![b'1'; 65], vec![0xff, b'1']];
        for seed in seeds {
            let seed = seed.as_bytes();
            inputs.push(seed.to_vec());
            for i in 0..=seed.len() {
                for &c in alphabet {
                    let mut ins = seed.to_vec();
                    ins.insert(i, c);
                    inputs.push(ins);
                    if i < seed.len() {
                        let mut sub = seed.to_vec();
                        sub[i] = c;
                        inputs.push(sub);
                    }
                }
                if i < seed.len() {
                    let mut del = seed.to_vec();
                    del.remove(i);
                    inputs.push(del);
                }
            }
        }
        for input in &inputs {
            let checked = std::str::from_utf8(input)
                .ok()
                .and_then(|t| check_entry(t).ok());
            assert_eq!(
                scan_entry(input),
                checked,
                "{:?}",
                String::from_utf8_lossy(input)
            );
            if let Ok(t) = std::str::from_utf8(input) {
                assert_eq!(parse_entry(t).ok(), checked);
            }
        }
    }

    /// Text near the IPv4 forms (and the IPv6 ones that start like them), for the fast paths.
    fn near_v4_texts() -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = [
            "10.99.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3.4/",
            "1.2.3.4/0",
            "1.2.3.4/32",
            "1.2.3.4/33",
            "1.2.3.0/24",
            "1.2.3.0/024",
            "1.2.3.0/24/",
            "1.2.3.0//24",
            "10.0.0.0/8",
            "10.0.0.1/8",
            "1.2.3.4:80",
            "1.2.3",
            "1.2.3.4.5",
            "::1",
            "1::",
            "12:3::4",
            "0012::1",
            "1234::1.2.3.4",
            "::ffff:10.0.0.0/104",
            "1.2.3.4%eth0",
            " 1.2.3.4",
            "",
            "/8",
        ]
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .collect();
        let alphabet = b"0123456789./:af%";
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 20) as usize;
            let mut t = Vec::with_capacity(len);
            let mut y = x;
            for _ in 0..len {
                y = y.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                // Digits and dots most of the time, so that many texts are (nearly) valid.
                let k = (y >> 59) as usize;
                t.push(if k < 11 {
                    alphabet[k]
                } else {
                    alphabet[(y >> 33) as usize % 16]
                });
            }
            out.push(t);
        }
        // Dotted quads of octets at and around every rule, with what may follow one.
        let octets = [
            "0", "00", "01", "7", "10", "99", "199", "255", "256", "1000", "",
        ];
        let tails = ["", "/", "/0", "/8", "/32", "/33", "/08", ":80", ".", "x"];
        for a in octets {
            for b in octets {
                for c in ["0", "01", "255", "256"] {
                    for d in octets {
                        for tail in tails {
                            out.push(format!("{a}.{b}.{c}.{d}{tail}").into_bytes());
                        }
                    }
                }
            }
            out.push(format!("{a}.1.2").into_bytes());
            out.push(format!("1.2.3.4.{a}").into_bytes());
        }
        out.push(vec![b'1'; MAX_ENTRY_BYTES + 1]);
        out
    }

    #[test]
    fn the_ipv4_passes_read_what_the_general_readers_read() {
        for t in near_v4_texts() {
            if t.len() > MAX_ENTRY_BYTES {
                assert_eq!(scan_addr(&t), Err(AddrError::TooLong));
                assert_eq!(scan_entry(&t), None);
                continue;
            }
            assert_eq!(scan_addr(&t), scan_addr_general(&t), "{t:?}");
            assert_eq!(scan_entry(&t), scan_entry_general(&t), "{t:?}");
        }
    }

    #[test]
    fn contains_and_mapped() {
        let v4 = parse_entry("10.0.0.0/8").unwrap();
        let v6 = parse_entry("::ffff:10.0.0.0/104").unwrap();
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        let plain: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(v4.contains(plain) && v4.contains(mapped));
        assert!(v6.contains(mapped) && v6.contains(plain));
        assert!(!v6.contains_exact(plain));
        assert!(!v4.contains_exact(mapped));
        let compat: IpAddr = "::10.1.2.3".parse().unwrap();
        assert!(!v4.contains(compat));
    }

    #[test]
    fn masks() {
        assert_eq!(mask4(0), 0);
        assert_eq!(mask4(32), u32::MAX);
        assert_eq!(mask4(8), 0xff00_0000);
        assert_eq!(mask6(0), 0);
        assert_eq!(mask6(128), u128::MAX);
    }
}
