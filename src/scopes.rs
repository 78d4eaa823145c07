//! Scopes: the catalogue and its bundles, the one scope-list parser, availability filters and
//! the scope check ([spec:scopes], [spec:scope-checks]).

use serde_json::{Map, Value};

/// The wildcard scope: satisfies every requirement.
pub const WILDCARD: &str = "*";

/// The safe default set, in its declaration order (what the posture shows as `tokenScopes`
/// when nothing is configured).
pub const DEFAULT_SCOPES: [&str; 5] = [
    "auth:read",
    "health:read",
    "readiness:read",
    "capabilities:read",
    "openapi:read",
];

/// The scopes recommended for Jobs.
pub const JOB_SCOPES: [&str; 2] = ["jobs:read", "jobs:report"];

/// One catalogue entry.
#[derive(Debug, Clone, Copy)]
pub struct ScopeInfo {
    /// The scope string.
    pub scope: &'static str,
    /// Bundle key.
    pub bundle: &'static str,
    /// What it grants.
    pub description: &'static str,
}

const fn s(scope: &'static str, bundle: &'static str, description: &'static str) -> ScopeInfo {
    ScopeInfo {
        scope,
        bundle,
        description,
    }
}

/// Bundle keys and labels, in display order.
pub const BUNDLES: [(&str, &str); 9] = [
    ("runtime_basics", "Agent Basics"),
    ("jobs", "Jobs"),
    ("content_review", "Content Review"),
    ("commerce_review", "Commerce Review"),
    ("sensitive_data", "Sensitive Data"),
    ("sync_webhooks", "Sync & Webhooks"),
    ("observability", "Observability & Diagnostics"),
    ("governed_writes", "Governed Writes"),
    ("other", "Other"),
];

/// The 52 scopes of the catalogue.
pub const CATALOGUE: [ScopeInfo; 52] = [
    s(
        "auth:read",
        "runtime_basics",
        "Read the authenticated principal (whoami).",
    ),
    s("health:read", "runtime_basics", "Read service health."),
    s(
        "readiness:read",
        "runtime_basics",
        "Read readiness and security posture summary.",
    ),
    s(
        "capabilities:read",
        "runtime_basics",
        "Read API capabilities.",
    ),
    s(
        "openapi:read",
        "runtime_basics",
        "Read the OpenAPI document.",
    ),
    s(
        "schema:read",
        "runtime_basics",
        "Read content schema metadata.",
    ),
    s(
        "templates:read",
        "runtime_basics",
        "Read templates and starter packs.",
    ),
    s("jobs:read", "jobs", "Read job definitions and runs."),
    s("jobs:report", "jobs", "Report job run results."),
    s("entries:read", "content_review", "Read live entries."),
    s(
        "entries:read_all_statuses",
        "content_review",
        "Read entries in any status.",
    ),
    s("assets:read", "content_review", "Read assets."),
    s("categories:read", "content_review", "Read categories."),
    s("tags:read", "content_review", "Read tags."),
    s("globalsets:read", "content_review", "Read global sets."),
    s(
        "contentblocks:read",
        "content_review",
        "Read content blocks.",
    ),
    s("changes:read", "content_review", "Read the change feed."),
    s("sections:read", "content_review", "Read sections."),
    s(
        "products:read",
        "commerce_review",
        "Read Commerce products.",
    ),
    s(
        "variants:read",
        "commerce_review",
        "Read Commerce variants.",
    ),
    s(
        "subscriptions:read",
        "commerce_review",
        "Read Commerce subscriptions.",
    ),
    s(
        "transfers:read",
        "commerce_review",
        "Read Commerce transfers.",
    ),
    s(
        "donations:read",
        "commerce_review",
        "Read Commerce donations.",
    ),
    s(
        "orders:read",
        "commerce_review",
        "Read Commerce orders (e-mail redacted).",
    ),
    s(
        "orders:read_sensitive",
        "sensitive_data",
        "Read order e-mail and line-item prices.",
    ),
    s(
        "addresses:read",
        "sensitive_data",
        "Read addresses (personal fields redacted).",
    ),
    s(
        "addresses:read_sensitive",
        "sensitive_data",
        "Read full address details.",
    ),
    s(
        "users:read",
        "sensitive_data",
        "Read users (e-mail redacted).",
    ),
    s(
        "users:read_sensitive",
        "sensitive_data",
        "Read user e-mail and names.",
    ),
    s("syncstate:read", "sync_webhooks", "Read sync-state lag."),
    s(
        "syncstate:write",
        "sync_webhooks",
        "Write sync-state checkpoints.",
    ),
    s(
        "consumers:read",
        "sync_webhooks",
        "Read consumer lag (legacy name).",
    ),
    s(
        "consumers:write",
        "sync_webhooks",
        "Write consumer checkpoints (legacy name).",
    ),
    s(
        "webhooks:dlq:read",
        "sync_webhooks",
        "Read the webhook dead-letter queue.",
    ),
    s(
        "webhooks:dlq:replay",
        "sync_webhooks",
        "Replay dead-lettered webhooks.",
    ),
    s("adoption:read", "observability", "Read adoption metrics."),
    s("metrics:read", "observability", "Read runtime metrics."),
    s("incidents:read", "observability", "Read incidents."),
    s(
        "lifecycle:read",
        "observability",
        "Read credential lifecycle governance.",
    ),
    s(
        "diagnostics:read",
        "observability",
        "Read the diagnostics bundle.",
    ),
    s(
        "entries:write:draft",
        "governed_writes",
        "Create and update entry drafts.",
    ),
    s(
        "entries:write",
        "governed_writes",
        "Legacy alias of entries:write:draft.",
    ),
    s(
        "control:policies:read",
        "governed_writes",
        "Read control-plane policies.",
    ),
    s(
        "control:policies:write",
        "governed_writes",
        "Write control-plane policies.",
    ),
    s(
        "control:approvals:read",
        "governed_writes",
        "Read approvals.",
    ),
    s(
        "control:approvals:request",
        "governed_writes",
        "Request approvals.",
    ),
    s(
        "control:approvals:decide",
        "governed_writes",
        "Decide approvals.",
    ),
    s(
        "control:approvals:write",
        "governed_writes",
        "Legacy combined approvals write.",
    ),
    s(
        "control:executions:read",
        "governed_writes",
        "Read action executions.",
    ),
    s(
        "control:actions:simulate",
        "governed_writes",
        "Simulate governed actions.",
    ),
    s(
        "control:actions:execute",
        "governed_writes",
        "Execute governed actions.",
    ),
    s(
        "control:audit:read",
        "governed_writes",
        "Read the control-plane audit log.",
    ),
];

/// Scopes that need Craft Commerce (addresses are a core Craft element and are not among them).
pub const COMMERCE_SCOPES: [&str; 7] = [
    "products:read",
    "variants:read",
    "subscriptions:read",
    "transfers:read",
    "donations:read",
    "orders:read",
    "orders:read_sensitive",
];

/// Which optional parts of the API are on; scopes of parts that are off are unavailable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Availability {
    /// Craft Commerce is installed and enabled.
    pub commerce: bool,
    /// Governed writes (`PLUGIN_AGENTS_WRITES_EXPERIMENTAL`) are on.
    pub writes_experimental: bool,
    /// The users API (`PLUGIN_AGENTS_ENABLE_USERS_API`) is on.
    pub users_api: bool,
    /// The addresses API (`PLUGIN_AGENTS_ENABLE_ADDRESSES_API`) is on.
    pub addresses_api: bool,
}

impl Availability {
    /// True when `scope` may be granted under these flags. Unknown scopes (external plugin
    /// scopes, partial wildcards) and `*` are not filtered.
    pub fn allows(&self, scope: &str) -> bool {
        if COMMERCE_SCOPES.contains(&scope) {
            return self.commerce;
        }
        if is_governed_write(scope) {
            return self.writes_experimental;
        }
        if scope.starts_with("users:") {
            return self.users_api;
        }
        if scope.starts_with("addresses:") {
            return self.addresses_api;
        }
        true
    }

    /// Keeps the scopes these flags allow, in order.
    pub fn filter(&self, scopes: &[String]) -> Vec<String> {
        scopes.iter().filter(|s| self.allows(s)).cloned().collect()
    }

    /// [`has_any_scope`] under these flags ([spec:scope-checks]): a required scope that is
    /// unavailable is never satisfied, not even by `*`, and unavailable granted scopes count for
    /// nothing. An empty requirement list is satisfied.
    pub fn has_any_scope<S: AsRef<str>, R: AsRef<str>>(
        &self,
        granted: &[S],
        required: &[R],
    ) -> bool {
        required.is_empty()
            || required.iter().any(|r| {
                with_lowercase(r.as_ref().trim(), |r| {
                    if r.is_empty() {
                        return true;
                    }
                    if !self.allows(r) {
                        return false;
                    }
                    let alias = write_alias(r);
                    granted.iter().any(|g| {
                        with_lowercase(g.as_ref().trim(), |g| {
                            self.allows(g) && (g == WILDCARD || g == r || alias == Some(g))
                        })
                    })
                })
            })
    }
}

/// The other spelling of the write scope (`entries:write` and `entries:write:draft` satisfy
/// each other).
fn write_alias(scope: &str) -> Option<&'static str> {
    match scope {
        "entries:write" => Some("entries:write:draft"),
        "entries:write:draft" => Some("entries:write"),
        _ => None,
    }
}

/// Calls `f` with `text` in ASCII lower case: on the stack for the short text scopes are,
/// allocated otherwise.
fn with_lowercase<T>(text: &str, f: impl FnOnce(&str) -> T) -> T {
    if !text.bytes().any(|b| b.is_ascii_uppercase()) {
        return f(text);
    }
    let mut buf = [0u8; 64];
    match buf.get_mut(..text.len()) {
        Some(out) => {
            out.copy_from_slice(text.as_bytes());
            out.make_ascii_lowercase();
            // Lower-casing ASCII bytes keeps UTF-8 valid.
            f(std::str::from_utf8(out).unwrap_or_default())
        }
        None => f(&text.to_ascii_lowercase()),
    }
}

fn is_governed_write(scope: &str) -> bool {
    // Every governed-write scope starts with one of these; checking first keeps the common case
    // (any other scope) free of a catalogue scan.
    (scope.starts_with("control:") || scope.starts_with("entries:write"))
        && CATALOGUE
            .iter()
            .any(|i| i.bundle == "governed_writes" && i.scope == scope)
}

fn is_separator(c: char) -> bool {
    c == ',' || c.is_whitespace()
}

fn is_scope_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b":_*.-".contains(&b)
}

fn clean(token: &str) -> String {
    if token.bytes().all(is_scope_byte) {
        return token.to_owned();
    }
    token
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ":_*.-".contains(*c))
        .collect()
}

fn canonical(scope: String) -> String {
    if scope == "entries:write" {
        "entries:write:draft".to_owned()
    } else {
        scope
    }
}

/// The ASCII characters [`is_separator`] accepts.
fn is_ascii_separator(b: u8) -> bool {
    matches!(b, b',' | b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

fn push_one(token: &str, out: &mut Vec<String>) {
    if token.is_empty() {
        return;
    }
    let scope = clean(token);
    if !scope.is_empty() {
        out.push(canonical(scope));
    }
}

/// Splits, cleans and canonicalises `input` into `out` (unsorted).
fn push_scopes(input: &str, out: &mut Vec<String>) {
    if input.is_ascii() {
        // Same result as the general path, without decoding characters.
        let mut start = 0;
        for (i, b) in input.bytes().enumerate() {
            if is_ascii_separator(b) {
                push_one(&input[start..i], out);
                start = i + 1;
            }
        }
        push_one(&input[start..], out);
    } else {
        for token in input.split(is_separator) {
            push_one(token, out);
        }
    }
}

fn sorted(mut out: Vec<String>) -> Vec<String> {
    out.sort_unstable();
    out.dedup();
    out
}

/// The one scope-list parser: lower-cases, splits on runs of commas and whitespace, strips
/// characters outside `[a-z0-9:_*.-]`, drops empties, rewrites `entries:write` to
/// `entries:write:draft`, de-duplicates and sorts.
pub fn parse(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    push_scopes(input, &mut out);
    sorted(out)
}

/// [`parse`] over several texts at once (the members of a list; each member is itself parsed,
/// so `["a b"]` yields two scopes).
pub fn parse_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Vec<String> {
    let items = items.into_iter();
    let mut out = Vec::with_capacity(items.size_hint().0);
    for item in items {
        push_scopes(item.as_ref(), &mut out);
    }
    sorted(out)
}

/// Parses a scope list given as a JSON string or a list of strings/numbers (each member is
/// itself parsed, so `["a b"]` yields two scopes). Other members are ignored and reported in the
/// second value as their positions.
pub fn parse_value(input: &Value) -> (Vec<String>, Vec<usize>) {
    match input {
        Value::String(s) => (parse(s), Vec::new()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut bad = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => push_scopes(s, &mut out),
                    Value::Number(n) => push_scopes(&n.to_string(), &mut out),
                    _ => bad.push(i),
                }
            }
            (sorted(out), bad)
        }
        Value::Null => (Vec::new(), Vec::new()),
        _ => (Vec::new(), vec![0]),
    }
}

/// Where [`parse_exact_value`] found something that is not a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotExact {
    /// The value is neither a string, a list nor `null`.
    NotAList,
    /// The list member at this position is not a string.
    Member(usize),
    /// This piece (between separators) is not `[a-z0-9:_*.-]+`.
    Scope(String),
}

/// The strict reader for scopes that come from outside the site's own configuration (a signed
/// token's `scope` claim, the JWT `scopeCeiling`): a string of scopes separated by ASCII spaces,
/// tabs, line breaks or commas, or a list of such strings, or `null` (none). Every piece must
/// already match the grammar `[a-z0-9:_*.-]+` exactly: nothing is lower-cased or stripped, so
/// `[*]`, `ORDERS:READ` or a zero-width character inside a scope is refused instead of being
/// cleaned into another scope. `entries:write` still reads as `entries:write:draft`; the result
/// is de-duplicated and sorted. Every offending item is returned.
pub fn parse_exact_value(input: &Value) -> Result<Vec<String>, Vec<NotExact>> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let mut read = |text: &str, bad: &mut Vec<NotExact>| {
        for piece in text.split(|c: char| c.is_ascii() && is_ascii_separator(c as u8)) {
            if piece.is_empty() {
                continue;
            }
            if piece.bytes().all(is_scope_byte) {
                out.push(canonical(piece.to_owned()));
            } else {
                bad.push(NotExact::Scope(piece.to_owned()));
            }
        }
    };
    match input {
        Value::Null => {}
        Value::String(s) => read(s, &mut bad),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => read(s, &mut bad),
                    _ => bad.push(NotExact::Member(i)),
                }
            }
        }
        _ => bad.push(NotExact::NotAList),
    }
    if bad.is_empty() {
        Ok(sorted(out))
    } else {
        Err(bad)
    }
}

/// The default set as owned strings, in declaration order.
pub fn default_scopes() -> Vec<String> {
    DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect()
}

fn normalize_required(required: &str) -> String {
    required.trim().to_ascii_lowercase()
}

/// True when `granted` satisfies `required`: an empty requirement is satisfied; `*` satisfies
/// everything; `entries:write` and `entries:write:draft` satisfy each other. Comparison ignores
/// case and surrounding whitespace.
pub fn has_scope<S: AsRef<str>>(granted: &[S], required: &str) -> bool {
    let required = normalize_required(required);
    if required.is_empty() {
        return true;
    }
    let alias = write_alias(&required);
    granted.iter().any(|g| {
        let g = g.as_ref().trim();
        g == WILDCARD
            || g.eq_ignore_ascii_case(&required)
            || alias.is_some_and(|a| g.eq_ignore_ascii_case(a))
    })
}

/// True when `granted` satisfies at least one of `required` (an empty list is satisfied).
pub fn has_any_scope<S: AsRef<str>, R: AsRef<str>>(granted: &[S], required: &[R]) -> bool {
    required.is_empty() || required.iter().any(|r| has_scope(granted, r.as_ref()))
}

/// `{scope: description}` of the catalogue scopes available under `availability`.
pub fn available_scopes(availability: &Availability) -> Map<String, Value> {
    CATALOGUE
        .iter()
        .filter(|i| availability.allows(i.scope))
        .map(|i| (i.scope.to_owned(), Value::String(i.description.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_normalizes_as_the_reference() {
        assert_eq!(
            parse(" Health:READ,entries:write  FOO$BAR,,health:read\n"),
            vec!["entries:write:draft", "foobar", "health:read"]
        );
        assert_eq!(parse(""), Vec::<String>::new());
        assert_eq!(parse("*"), vec!["*"]);
        assert_eq!(parse("entries:*"), vec!["entries:*"]);
    }

    #[test]
    fn ascii_and_general_paths_agree() {
        for input in [
            "a,b c\td\ne\x0Bf\x0Cg\rh",
            " ,, Orders:Read ,entries:write",
            "x\u{a0}y",
            "\u{212a}ey:read",
            "a\u{2003}b",
        ] {
            let mut general = Vec::new();
            for token in input.split(is_separator) {
                push_one(token, &mut general);
            }
            assert_eq!(parse(input), sorted(general), "{input:?}");
        }
        assert_eq!(parse("\u{212a}ey:read"), vec!["key:read"]);
    }

    #[test]
    fn parse_value_accepts_lists_and_numbers() {
        let (s, bad) = parse_value(&serde_json::json!(["orders:read auth:read", 5, {"x": 1}]));
        assert_eq!(s, vec!["5", "auth:read", "orders:read"]);
        assert_eq!(bad, vec![2]);
    }

    #[test]
    fn has_scope_rules() {
        let g = vec!["entries:write:draft".to_owned(), "health:read".to_owned()];
        assert!(has_scope(&g, ""));
        assert!(has_scope(&g, " Health:Read "));
        assert!(has_scope(&g, "entries:write"));
        assert!(!has_scope(&g, "orders:read"));
        assert!(has_scope(&["*"], "orders:read_sensitive"));
        assert!(!has_scope(&["entries:*"], "entries:read"));
        assert!(has_scope(&["entries:write"], "entries:write:draft"));
        assert!(has_any_scope(&g, &["x", "health:read"]));
        assert!(!has_any_scope(&g, &["x", "y"]));
        assert!(has_any_scope(&g, &[] as &[&str]));
    }

    #[test]
    fn availability_filters() {
        let none = Availability::default();
        let all = Availability {
            commerce: true,
            writes_experimental: true,
            users_api: true,
            addresses_api: true,
        };
        for i in CATALOGUE {
            assert!(all.allows(i.scope), "{}", i.scope);
        }
        assert!(!none.allows("orders:read"));
        assert!(!none.allows("control:audit:read"));
        assert!(!none.allows("users:read"));
        assert!(!none.allows("addresses:read"));
        assert!(none.allows("health:read"));
        assert!(none.allows("*"));
        assert!(none.allows("plugins:x:y:read"));
        // Addresses are not a Commerce feature.
        let addr = Availability {
            addresses_api: true,
            ..none
        };
        assert!(addr.allows("addresses:read_sensitive"));
        assert_eq!(available_scopes(&all).len(), 52);
    }

    #[test]
    fn scope_checks_respect_availability() {
        let none = Availability::default();
        let commerce = Availability {
            commerce: true,
            ..none
        };
        assert!(!none.has_any_scope(&["*"], &["orders:read"]));
        assert!(commerce.has_any_scope(&["*"], &["orders:read"]));
        assert!(!none.has_any_scope(&["orders:read"], &["orders:read"]));
        assert!(none.has_any_scope(
            &["orders:read", "Health:Read"],
            &["orders:read", "health:read"]
        ));
        assert!(none.has_any_scope(&["x"], &[] as &[&str]));
        assert!(none.has_any_scope(&["x"], &[""]));
        assert!(!none.has_any_scope(&["entries:write:draft"], &["entries:write"]));
        let writes = Availability {
            writes_experimental: true,
            ..none
        };
        assert!(writes.has_any_scope(&["entries:write:draft"], &["entries:write"]));
    }

    /// The check as the rule states it (normalise both sides, drop unavailable granted scopes,
    /// then match), against the allocation-free implementation.
    #[test]
    fn scope_checks_equal_the_stated_rule() {
        fn model(a: &Availability, granted: &[&str], required: &[&str]) -> bool {
            let granted: Vec<String> = granted
                .iter()
                .map(|g| g.trim().to_ascii_lowercase())
                .filter(|g| a.allows(g))
                .collect();
            required.is_empty()
                || required.iter().any(|r| {
                    let r = r.trim().to_ascii_lowercase();
                    (r.is_empty() || a.allows(&r)) && has_scope(&granted, &r)
                })
        }
        let long = "X".repeat(70);
        let words = [
            "",
            " ",
            "*",
            "orders:read",
            "ORDERS:Read ",
            "health:read",
            " Health:READ",
            "entries:write",
            "Entries:Write:Draft",
            "entries:write:draft",
            "users:read",
            "addresses:read",
            "control:actions:execute",
            "entries:*",
            "é:read",
            "Ä",
            &long,
            "x\u{a0}",
        ];
        let mut n = 0u32;
        for bits in 0..16u8 {
            let a = Availability {
                commerce: bits & 1 != 0,
                writes_experimental: bits & 2 != 0,
                users_api: bits & 4 != 0,
                addresses_api: bits & 8 != 0,
            };
            for g1 in words {
                for g2 in ["health:read", "*", "ENTRIES:WRITE", &long] {
                    for r1 in words {
                        for r2 in [None, Some("health:read"), Some(" ")] {
                            let granted = [g1, g2];
                            let required: Vec<&str> =
                                [Some(r1), r2].into_iter().flatten().collect();
                            assert_eq!(
                                a.has_any_scope(&granted, &required),
                                model(&a, &granted, &required),
                                "{a:?} {granted:?} {required:?}"
                            );
                            n += 1;
                        }
                    }
                }
            }
        }
        assert!(n > 10_000);
    }

    #[test]
    fn governed_write_prefixes_cover_the_bundle() {
        for i in CATALOGUE.iter().filter(|i| i.bundle == "governed_writes") {
            assert!(is_governed_write(i.scope), "{}", i.scope);
        }
        assert!(!is_governed_write("control:unknown"));
        assert!(!is_governed_write("entries:read"));
    }

    #[test]
    fn catalogue_is_unique_and_in_known_bundles() {
        let mut seen = std::collections::HashSet::new();
        for i in CATALOGUE {
            assert!(seen.insert(i.scope));
            assert!(BUNDLES.iter().any(|(k, _)| *k == i.bundle));
            assert_eq!(parse(i.scope).len(), 1);
        }
    }
}
