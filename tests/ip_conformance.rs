//! Runs every case of tests/conformance/cidr-peer-cases.json against both the one-shot check
//! and a compiled allowlist of the valid entries.

use agents_core::ip::{Allowlist, Input, Member, ip_allowed, normalize};
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
    for case in &cases {
        let id = case["id"].as_str().expect("id");
        let ip = case["ip"].as_str().expect("ip");
        let expect = case["expect"].as_bool().expect("expect");
        let cidrs: Vec<&str> = case["cidrs"]
            .as_array()
            .expect("cidrs")
            .iter()
            .map(|c| c.as_str().expect("cidr text"))
            .collect();
        let members: Vec<Member<'_>> = cidrs.iter().map(|c| Member::Text(c.as_bytes())).collect();

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
}

#[test]
fn strict_policy_refuses_entries_with_host_bits() {
    // Every case marked with the lenient `host_bits` policy holds an entry the strict parser
    // refuses, with a reason naming the network that was probably meant.
    for case in cases().iter().filter(|c| c["policy"] == "host_bits") {
        let cidrs: Vec<Member<'_>> = case["cidrs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Member::Text(c.as_str().unwrap().as_bytes()))
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
