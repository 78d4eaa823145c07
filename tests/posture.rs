//! The posture through `Guard::new`: secrets never reach any projection, arbitrary setting
//! values never panic and always yield a consistent posture.

use agents_core::guard::Guard;
use agents_core::settings::READ_ORDER;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn outputs(g: &Guard) -> String {
    let warnings: Vec<Value> = g.warnings().iter().map(|w| w.to_value()).collect();
    format!(
        "{}\n{}\n{}\n{}",
        g.posture(),
        g.capabilities(),
        Value::Array(warnings),
        g.diagnostics()
    )
}

#[test]
fn no_secret_reaches_any_projection() {
    let secrets = [
        "sk-legacy-Z9y8X7w6V5u4T3s2R1q0",
        "sk-env-A-aaaaaaaaaaaaaaaaaaaaaaaa",
        "whsec-Q1w2E3r4T5y6U7i8O9p0",
        "hookpass-987654",
        "/secret-path-4711",
        "signature=abcdef123456",
        "sk-misplaced-in-a-boolean-1234",
        "sk-misplaced-in-an-integer-5678",
    ];
    let env = map(json!({
        "ENVIRONMENT": "staging",
        "PLUGIN_AGENTS_API_TOKEN": secrets[0],
        "PLUGIN_AGENTS_API_CREDENTIALS": format!("[{{\"id\":\"a\",\"token\":\"{}\"}}]", secrets[1]),
        "PLUGIN_AGENTS_WEBHOOK_SECRET": secrets[2],
        "PLUGIN_AGENTS_WEBHOOK_URL": format!("http://user:{}@h.example:9443{}?{}", secrets[3], secrets[4], secrets[5]),
        "PLUGIN_AGENTS_REQUIRE_TOKEN": secrets[6],
        "PLUGIN_AGENTS_RATE_LIMIT_PER_MINUTE": secrets[7],
        "PLUGIN_AGENTS_ENV_PROFILE": secrets[0],
    }));
    let g = Guard::new(&env, &[], &Map::new()).expect("valid configuration");
    let text = outputs(&g);
    for s in secrets {
        assert!(!text.contains(s), "{s} leaked");
    }
    assert!(!text.contains("9443"));
    assert!(text.contains("\"destinationHost\":\"http://h.example\""));
    assert!(g.config().legacy_token.is_none());
    assert!(g.config().api_credentials.is_none());
}

#[test]
fn now_option_drives_generated_at() {
    let g = Guard::new(&Map::new(), &[], &map(json!({"now": 86_400}))).expect("valid");
    assert_eq!(g.diagnostics()["generatedAt"], "1970-01-02T00:00:00Z");
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("0".to_owned()),
        Just("61".to_owned()),
        Just("$UNRESOLVED".to_owned()),
        "[ -~]{0,12}",
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn arbitrary_settings_give_a_consistent_posture(
        values in proptest::collection::vec(proptest::option::of(value()), READ_ORDER.len())
    ) {
        let mut env = Map::new();
        for (key, v) in READ_ORDER.iter().zip(values) {
            if let Some(v) = v {
                env.insert((*key).to_owned(), Value::String(v));
            }
        }
        let g = Guard::new(&env, &[], &Map::new()).expect("env strings never throw");
        let p = g.posture();
        let errors = g.warnings().iter().filter(|w| w.level.as_str() == "error").count();
        let total = g.warnings().len();
        prop_assert_eq!(&p["warningCounts"], &json!({"warnings": total - errors, "errors": errors}));
        let verdict = if errors > 0 { "critical" } else if total > 0 { "warn" } else { "ok" };
        prop_assert_eq!(&p["verdict"], verdict);
        prop_assert!(p["webhook"]["timeoutSeconds"].as_u64().is_some_and(|t| (1..=60).contains(&t)));
        prop_assert!(p["webhook"]["maxAttempts"].as_u64().is_some_and(|t| (1..=10).contains(&t)));
        prop_assert!(p["rateLimit"]["perMinute"].as_u64().is_some_and(|t| t >= 1));
        let fields: Vec<&str> = p["profile"]["defaultsAppliedFields"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut sorted = fields.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(&fields, &sorted);
        prop_assert_eq!(p["profile"]["defaultsApplied"].as_bool(), Some(!fields.is_empty()));
        // Production is the resolved profile; the guardrail holds there.
        let production = p["profile"]["name"] == "production";
        let auth = &p["authentication"];
        if production && auth["allowInsecureNoTokenInProd"] == false {
            prop_assert_eq!(&auth["required"], true);
        }
        if auth["requestedRequireToken"] == true {
            prop_assert_eq!(&auth["required"], true);
        }
        for w in g.warnings() {
            prop_assert!(!w.message.is_empty());
        }
    }
}
