//! Runs every case of tests/conformance/cidr-peer-cases.json against both the one-shot check
//! and a compiled allowlist of the valid entries.
//!
//! One deliberate difference from the peers: an IPv4-mapped IPv6 address and its IPv4 form match
//! the same entries (docs/credentials.md, "IP allowlists"), so an IPv4 address is also inside an
//! IPv6 entry that holds its mapped form (`104.26.14.6` in `::ffff:0:0/96`). Where a case's
//! peers answer `false` only because they never cross families that way, the expected answer is
//! derived from that rule.

use std::net::IpAddr;

use agents_core::ip::{Allowlist, Cidr, Input, ListItem, ip_allowed, normalize, parse_entry};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/cidr-peer-cases.json"
    );
    let text = std::fs::read_to_string(path).expect("conformance file");
    let doc: Value = serde_json::from_str(&text).expect("conformance JSON");
    doc["cases"].as_array().expect("cases").clone()
}

#[test]
fn every_cidr_case_gives_the_strict_answer() {
    let cases = cases();
    assert!(cases.len() >= 64, "conformance file lost cases");
    let mut failures = Vec::new();
    let mut mapped_cases = 0usize;
    for case in &cases {
        let id = case["id"].as_str().expect("id");
        let ip = case["ip"].as_str().expect("ip");
        let cidrs: Vec<&str> = case["cidrs"]
            .as_array()
            .expect("cidrs")
            .iter()
            .map(|c| c.as_str().expect("cidr text"))
            .collect();
        let peers = case["expect"].as_bool().expect("expect");
        let expect = peers || mapped_entry_holds(ip, &cidrs);
        mapped_cases += usize::from(expect != peers);
        let members: Vec<ListItem<'_>> =
            cidrs.iter().map(|c| ListItem::Text(c.as_bytes())).collect();

        let one_shot = ip_allowed(ip.as_bytes(), &members);
        let compiled = Allowlist::from_valid(normalize(&Input::List(members.clone())));
        let via_list = compiled.contains_text(ip.as_bytes());
        if one_shot != expect || via_list != expect {
            failures.push(format!(
                "{id}: {ip} in {cidrs:?}: expect {expect}, ip_allowed {one_shot}, Allowlist {via_list}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The file holds cases where the rule makes a difference; they must keep being checked.
    assert!(mapped_cases >= 1, "no case exercises the IPv4-mapped rule");
}

/// True when `ip` is IPv4 and a valid IPv6 entry of `cidrs` holds its IPv4-mapped form.
fn mapped_entry_holds(ip: &str, cidrs: &[&str]) -> bool {
    let Ok(IpAddr::V4(v4)) = ip.parse::<IpAddr>() else {
        return false;
    };
    let mapped = IpAddr::V6(v4.to_ipv6_mapped());
    cidrs
        .iter()
        .filter_map(|c| parse_entry(c).ok())
        .any(|net| matches!(net, Cidr::V6 { .. }) && net.contains_exact(mapped))
}

#[test]
fn strict_policy_refuses_entries_with_host_bits() {
    // Every case marked with the lenient `host_bits` policy holds an entry the strict parser
    // refuses, with a reason naming the network that was probably meant.
    for case in cases().iter().filter(|c| c["policy"] == "host_bits") {
        let cidrs: Vec<ListItem<'_>> = case["cidrs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| ListItem::Text(c.as_str().unwrap().as_bytes()))
            .collect();
        let n = normalize(&Input::List(cidrs));
        assert!(
            n.invalid
                .iter()
                .any(|p| p.reason.starts_with("host bits set below /")
                    && p.reason.contains("did you mean")),
            "{}: {:?}",
            case["id"],
            n.invalid
        );
    }
}
