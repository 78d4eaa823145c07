//! `Guard::authenticate` on arbitrary requests, against three Guards built once: one requiring a
//! token (managed rows with allowlists and lifecycles, env JSON credentials, the legacy token,
//! query tokens on, trusted proxies), one not requiring a token, one with no credential at all.
//!
//! Input (lossy UTF-8, as the PHP glue delivers it), split at newlines: the method, the peer
//! address, then header lines `name:value` (a line without `:` is a header whose value is not
//! text) and query lines `?name=value`.
//!
//! Never panics. Every denial is 400, 401 or 503; every 401 is the same denial whatever its
//! reason; a 400 is exactly a broken write contract; 503 only without credentials. With a token
//! required, the outcome is what a model of the credential table gives (lookup, lifecycle,
//! allowlist), the principal is the credential whose token was presented, and an untrusted peer
//! is always the reported client address. `authenticate` and `authenticate_ref` agree, and the
//! answer is deterministic.
#![no_main]

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::LazyLock;

use agents_core::auth::{self, Denial, Outcome, transport};
use agents_core::errors::codes::DenialReason;
use agents_core::guard::Guard;
use agents_core::ip::{self, Allowlist};
use agents_core::request::Request;
use agents_core::tokens::{self, Format};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const NOW: i64 = 1_772_366_400;
/// Generated-format tokens (valid checksums).
const CI_TOKEN: &str = "agt_ci-bot_eqr8c258fds1_TVTOVaCvrP5VEm1iHXQUvwOk7gG6q4Od14m52x";
const GEN_TOKEN: &str = "agt_r63nf5zd942z_iC9ytbTkbuSIZMsuR8Amc6YiKiMyfrVW01jibB";
const PROXIES: [&str; 3] = ["10.0.0.0/8", "127.0.0.1", "::1"];

/// What presenting a token leads to.
#[derive(Clone, Copy)]
enum Entry {
    Usable(&'static str, Net),
    Refused(DenialReason),
}

/// A credential's allowlist.
#[derive(Clone, Copy)]
enum Net {
    Any,
    CiBot,
    Ops,
}

const TABLE: [(&str, Entry); 8] = [
    (CI_TOKEN, Entry::Usable("ci-bot", Net::CiBot)),
    ("managed-plain-token", Entry::Usable("plain", Net::Any)),
    ("retired-token", Entry::Refused(DenialReason::TokenRevoked)),
    ("paused-token", Entry::Refused(DenialReason::TokenPaused)),
    ("expired-token", Entry::Refused(DenialReason::TokenExpired)),
    ("ops-secret", Entry::Usable("ops", Net::Ops)),
    (GEN_TOKEN, Entry::Usable("gen", Net::Any)),
    ("legacy-secret", Entry::Usable("default", Net::Any)),
];

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn row(id: i64, handle: &str, token: &str, extra: Value) -> Value {
    let mut r = map(
        json!({"id": id, "handle": handle, "tokenHash": tokens::hash_hex(token.as_bytes()),
                           "scopes": ["entries:read", "health:read"]}),
    );
    r.extend(map(extra));
    Value::Object(r)
}

static MAIN: LazyLock<Guard> = LazyLock::new(|| {
    assert_eq!(tokens::format(CI_TOKEN), Format::Generated);
    assert_eq!(tokens::format(GEN_TOKEN), Format::Generated);
    let rows = [
        row(
            1,
            "ci-bot",
            CI_TOKEN,
            json!({"ipAllowlist": ["203.0.113.0/24", "2001:db8::/32"], "forceHumanApproval": false}),
        ),
        row(2, "plain", "managed-plain-token", json!({})),
        row(
            3,
            "retired",
            "retired-token",
            json!({"revokedAt": "2026-01-01 00:00:00"}),
        ),
        row(
            4,
            "paused",
            "paused-token",
            json!({"pausedAt": "2026-01-01 00:00:00"}),
        ),
        row(
            5,
            "old",
            "expired-token",
            json!({"expiresAt": "2020-01-01 00:00:00"}),
        ),
    ];
    let creds = json!({
        "ops": {"token": "ops-secret", "scopes": ["health:read"], "ipAllowlist": ["192.0.2.0/24"]},
        "gen": {"token": GEN_TOKEN},
    });
    let env = map(json!({
        "ENVIRONMENT": "dev",
        "PLUGIN_AGENTS_REQUIRE_TOKEN": "true",
        "PLUGIN_AGENTS_ALLOW_QUERY_TOKEN": "true",
        "PLUGIN_AGENTS_API_CREDENTIALS": creds.to_string(),
        "PLUGIN_AGENTS_API_TOKEN": "legacy-secret",
    }));
    let g = Guard::new(
        &env,
        &rows,
        &map(json!({"now": NOW, "trustedProxies": PROXIES})),
    )
    .expect("valid guard");
    assert!(g.config().require_token && g.config().allow_query_token);
    assert_eq!(
        g.posture()["authentication"]["credentialCount"],
        5,
        "{:?}",
        g.warnings()
    );
    g
});

static ANON: LazyLock<Guard> = LazyLock::new(|| {
    let env = map(json!({"ENVIRONMENT": "dev", "PLUGIN_AGENTS_REQUIRE_TOKEN": "false"}));
    let g = Guard::new(
        &env,
        &[],
        &map(json!({"now": NOW, "trustedProxies": PROXIES})),
    )
    .expect("valid guard");
    assert!(!g.config().require_token);
    g
});

static EMPTY: LazyLock<Guard> = LazyLock::new(|| {
    let env = map(json!({"ENVIRONMENT": "production"}));
    Guard::new(
        &env,
        &[],
        &map(json!({"now": NOW, "trustedProxies": PROXIES})),
    )
    .expect("valid guard")
});

static TRUSTED: LazyLock<Allowlist> =
    LazyLock::new(|| Allowlist::parse_value(&json!(PROXIES)).expect("valid proxies"));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let req = request(&text);

    let main = outcome(&MAIN, &req);
    if let Outcome::Allowed(p) = &main {
        if let Some(peer) = ip::parse_ip(&req.remote_addr).filter(|p| !TRUSTED.contains(*p)) {
            assert_eq!(p.client_ip, Some(peer.to_canonical().to_string()));
        }
    }
    assert_eq!(main, model(&req), "{req:?}");

    match outcome(&ANON, &req) {
        Outcome::Allowed(p) => {
            assert_eq!(
                (p.credential_id.as_str(), p.auth_method),
                ("anonymous", "none")
            );
            assert!(p.force_human_approval);
        }
        Outcome::Denied(d) => assert_eq!(d.status, 400),
    }
    match outcome(&EMPTY, &req) {
        Outcome::Allowed(p) => panic!("allowed without credentials: {p:?}"),
        Outcome::Denied(d) => assert!(matches!(d.status, 400 | 503), "{d:?}"),
    }
});

fn request(text: &str) -> Request<'_> {
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or_default();
    let remote = lines.next().unwrap_or_default();
    let mut req = Request {
        method: Cow::Borrowed(method),
        remote_addr: Cow::Borrowed(remote),
        ..Request::default()
    };
    for line in lines {
        if let Some(q) = line.strip_prefix('?') {
            let (n, v) = q.split_once('=').unwrap_or((q, ""));
            req.query.push((Cow::Borrowed(n), Cow::Borrowed(v)));
        } else {
            let (n, v) = line.split_once(':').unwrap_or((line, "\u{FFFD}"));
            req.headers.push((Cow::Borrowed(n), Cow::Borrowed(v)));
        }
    }
    req
}

/// The outcome, after the checks every Guard's answer must pass.
fn outcome(g: &Guard, req: &Request<'_>) -> Outcome {
    let out = g.authenticate(req);
    let by_ref = g.authenticate_ref(req).map(|p| p.to_principal());
    match (&out, &by_ref) {
        (Outcome::Allowed(a), Ok(b)) => assert_eq!(a, b),
        (Outcome::Denied(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("authenticate {out:?} vs authenticate_ref {by_ref:?}"),
    }
    assert_eq!(g.authenticate(req), out);
    let contract = transport::check_write_contract(req);
    match &out {
        Outcome::Denied(d) => match d.status {
            400 => assert_eq!(contract, Err(d.reason)),
            401 => assert_eq!(*d, auth::unauthorized(d.reason)),
            503 => assert_eq!(d.reason, DenialReason::NoCredentials),
            other => panic!("status {other}: {d:?}"),
        },
        Outcome::Allowed(_) => {}
    }
    if !matches!(&out, Outcome::Denied(Denial { status: 400, .. })) {
        assert_eq!(contract, Ok(()));
    }
    out
}

fn denied_401(reason: DenialReason) -> Outcome {
    Outcome::Denied(auth::unauthorized(reason))
}

/// The main Guard's answer, from its credential table.
fn model(req: &Request<'_>) -> Outcome {
    if let Err(reason) = transport::check_write_contract(req) {
        return match MAIN.authenticate(req) {
            Outcome::Denied(d @ Denial { status: 400, .. }) if d.reason == reason => {
                Outcome::Denied(d)
            }
            other => panic!("write contract {reason:?} broken, got {other:?}"),
        };
    }
    let presented = match transport::extract(req, true) {
        Err(reason) => return denied_401(reason),
        Ok(None) => return denied_401(DenialReason::TokenMissing),
        Ok(Some(p)) => p,
    };
    let Some((_, entry)) = TABLE.iter().find(|(t, _)| *t == presented.token) else {
        return denied_401(if tokens::format(presented.token) == Format::Malformed {
            DenialReason::TokenMalformed
        } else {
            DenialReason::TokenUnknown
        });
    };
    let (id, net) = match *entry {
        Entry::Refused(reason) => return denied_401(reason),
        Entry::Usable(id, net) => (id, net),
    };
    let client = auth::resolve_client_ip(req, &TRUSTED, agents_core::ip::ForwardingHeader::Auto)
        .map(|ip| ip.to_canonical());
    let admitted = match (net, client) {
        (Net::Any, _) => true,
        (_, None) => return denied_401(DenialReason::ClientIpUnknown),
        (Net::CiBot, Some(IpAddr::V4(v4))) => v4.octets()[..3] == [203, 0, 113],
        (Net::CiBot, Some(IpAddr::V6(v6))) => v6.segments()[..2] == [0x2001, 0x0db8],
        (Net::Ops, Some(IpAddr::V4(v4))) => v4.octets()[..3] == [192, 0, 2],
        (Net::Ops, Some(IpAddr::V6(_))) => false,
    };
    if !admitted {
        return denied_401(DenialReason::IpNotAllowed);
    }
    match MAIN.authenticate(req) {
        Outcome::Allowed(p) => {
            assert_eq!(p.credential_id, id);
            assert_eq!(p.auth_method, presented.method.as_str());
            assert_eq!(p.client_ip, client.map(|c| c.to_string()));
            Outcome::Allowed(p)
        }
        other => panic!("token of {id} from {client:?} refused: {other:?}"),
    }
}
