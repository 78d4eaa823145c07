//! Property tests: the compiled matcher agrees with a naive scan; the parsers round-trip the
//! canonical form and agree with the standard library on what an address is.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use agents_core::ip::parse::parse_addr;
use agents_core::ip::{AddrError, Allowlist, Cidr, parse_entry, parse_ip};
use proptest::prelude::*;

/// Naive reference: scan every entry; mapped IPv6 also checks IPv4 entries, and IPv4 also checks
/// IPv6 entries with its mapped form.
fn naive(nets: &[Cidr], ip: IpAddr) -> bool {
    nets.iter().any(|n| {
        let exact = |n: &Cidr, ip: IpAddr| match (*n, ip) {
            (Cidr::V4 { addr, prefix }, IpAddr::V4(a)) => {
                prefix == 0
                    || (u32::from(a) >> (32 - u32::from(prefix)))
                        == (addr >> (32 - u32::from(prefix)))
            }
            (Cidr::V6 { addr, prefix }, IpAddr::V6(a)) => {
                prefix == 0
                    || (u128::from(a) >> (128 - u32::from(prefix)))
                        == (addr >> (128 - u32::from(prefix)))
            }
            _ => false,
        };
        exact(n, ip)
            || match ip {
                IpAddr::V6(a) => {
                    let s = a.segments();
                    s[..5] == [0; 5] && s[5] == 0xffff && {
                        let v4 = Ipv4Addr::new(
                            (s[6] >> 8) as u8,
                            s[6] as u8,
                            (s[7] >> 8) as u8,
                            s[7] as u8,
                        );
                        exact(n, IpAddr::V4(v4))
                    }
                }
                // The IPv4 form matches IPv6 entries holding its mapped form.
                IpAddr::V4(a) => exact(n, IpAddr::V6(a.to_ipv6_mapped())),
            }
    })
}

/// A few /8 "neighbourhoods" so random entries and addresses collide often.
fn v4_addr() -> impl Strategy<Value = u32> {
    (
        prop::sample::select(vec![0u32, 10, 127, 192, 255]),
        any::<u32>(),
    )
        .prop_map(|(hi, lo)| (hi << 24) | (lo & 0x00ff_ffff))
}

fn v6_addr() -> impl Strategy<Value = u128> {
    prop_oneof![
        // IPv4-mapped
        v4_addr().prop_map(|a| 0xffff_0000_0000u128 | u128::from(a)),
        // 2001:db8::/32 with a sparse low part
        any::<u64>().prop_map(|lo| (0x2001_0db8u128 << 96) | u128::from(lo)),
        any::<u128>(),
        Just(0u128),
        Just(1u128),
        Just(u128::MAX),
    ]
}

fn cidr() -> impl Strategy<Value = Cidr> {
    prop_oneof![
        (v4_addr(), 0u8..=32).prop_map(|(a, p)| Cidr::new(IpAddr::V4(a.into()), p).unwrap()),
        (v6_addr(), 0u8..=128).prop_map(|(a, p)| Cidr::new(IpAddr::V6(a.into()), p).unwrap()),
        (v4_addr(), 80u8..=128).prop_map(|(a, p)| Cidr::new(
            IpAddr::V6(Ipv4Addr::from(a).to_ipv6_mapped()),
            p
        )
        .unwrap()),
    ]
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        v4_addr().prop_map(|a| IpAddr::V4(a.into())),
        v6_addr().prop_map(|a| IpAddr::V6(a.into())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matcher_agrees_with_naive_scan(
        nets in prop::collection::vec(cidr(), 0..40),
        probes in prop::collection::vec(ip(), 1..40),
    ) {
        let list = Allowlist::from_nets(nets.iter().copied());
        for ip in probes {
            prop_assert_eq!(list.contains(ip), naive(&nets, ip), "ip {} in {:?}", ip, nets);
        }
    }

    #[test]
    fn network_edges_agree(nets in prop::collection::vec(cidr(), 1..20)) {
        // The first and last address of every entry, and their outside neighbours.
        let list = Allowlist::from_nets(nets.iter().copied());
        for n in &nets {
            let probes: Vec<IpAddr> = match *n {
                Cidr::V4 { addr, prefix } => {
                    let last = addr | u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
                    [Some(addr), Some(last), addr.checked_sub(1), last.checked_add(1)]
                        .into_iter().flatten().map(|a| IpAddr::V4(a.into())).collect()
                }
                Cidr::V6 { addr, prefix } => {
                    let last = addr | u128::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
                    [Some(addr), Some(last), addr.checked_sub(1), last.checked_add(1)]
                        .into_iter().flatten().map(|a| IpAddr::V6(a.into())).collect()
                }
            };
            for ip in probes {
                prop_assert_eq!(list.contains(ip), naive(&nets, ip));
            }
        }
    }

    #[test]
    fn canonical_text_round_trips(n in cidr()) {
        let text = n.to_string();
        prop_assert_eq!(parse_entry(&text), Ok(n));
    }

    #[test]
    fn printed_addresses_parse_back(ip in ip()) {
        prop_assert_eq!(parse_ip(&ip.to_string()), Some(ip));
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,80}") {
        let _ = parse_ip(&s);
        let _ = parse_entry(&s);
        let _ = Allowlist::parse_value(&serde_json::Value::String(s));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn addresses_agree_with_std(
        s in prop_oneof![
            "[0-9a-fA-F:.]{0,24}",
            "([0-9a-fA-F]{0,5}(:|::|\\.)){0,9}[0-9a-fA-F]{0,5}",
            "(0|[1-9][0-9]{0,3}|0[0-9]{1,2})(\\.(0|[1-9][0-9]{0,3}|0[0-9]{1,2})){1,4}",
        ]
    ) {
        // std's parsers are strict in the same way (no leading zeros in IPv4, no zone id).
        let ours = parse_ip(&s);
        let std_v4 = s.parse::<Ipv4Addr>().ok().map(IpAddr::V4);
        let std_v6 = s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
        prop_assert_eq!(ours, std_v4.or(std_v6), "{}", s);
        // A refusal always has a specific reason once the text looks like an address.
        if let (Err(e), true) = (parse_addr(&s), s.contains(['.', ':'])) {
            prop_assert_ne!(e, AddrError::NotAnAddress, "{}", s);
        }
    }
}

/// Text a client may put in front of what its trusted proxy appends.
fn client_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "(for|by|proto)?=?\"?\\[?[0-9a-f:.\\\\\",;_\\] ]{0,24}",
        "((for=)?(\"|\\\\|\\[|unknown|_x|1\\.2\\.3\\.4|10\\.0\\.0\\.9)[,; ]{0,2}){0,5}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    /// Whatever the client writes, the answer behind the trusted proxy is the address the
    /// proxy appended or unknown, never the proxy itself (nor anything else).
    #[test]
    fn client_text_never_turns_the_client_into_the_proxy(x in client_text(), lines in any::<bool>()) {
        use agents_core::ip::{ForwardingHeader, HeaderLine};
        use agents_core::ip::client::resolve;
        let trusted = Allowlist::parse_value(&serde_json::json!(["10.0.0.0/8"])).unwrap();
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        for (name, appended, which) in [
            (&b"Forwarded"[..], "for=198.51.100.7", ForwardingHeader::Forwarded),
            (&b"Forwarded"[..], "for=198.51.100.7", ForwardingHeader::Auto),
            (&b"X-Forwarded-For"[..], "198.51.100.7", ForwardingHeader::XForwardedFor),
        ] {
            let joined = format!("{x}, {appended}");
            let h: Vec<HeaderLine<'_>> = if lines {
                vec![(name, Some(x.as_bytes())), (name, Some(appended.as_bytes()))]
            } else {
                vec![(name, Some(joined.as_bytes()))]
            };
            let got = resolve(b"10.0.0.1", || &h, &trusted, which);
            prop_assert!(got.is_none() || got == Some(client), "{:?} -> {:?}", h, got);
        }
    }
}
