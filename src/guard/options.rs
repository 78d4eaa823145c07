//! The `$options` of `new Guard(...)`: every key checked, every bad item named.

use serde_json::{Map, Value};

use crate::errors::InvalidInput;
use crate::ip::Allowlist;
use crate::settings::SettingsOptions;

/// Option keys `new Guard(...)` understands; any other key is refused (a typo must not
/// silently drop a security option).
pub const OPTION_KEYS: [&str; 6] = [
    "now",
    "commerceEnabled",
    "writesExperimental",
    "trustedProxies",
    "forwardedHeader",
    "jwt",
];

/// Parsed `$options`.
#[derive(Debug, Clone, Default)]
pub struct GuardOptions {
    /// Fixed evaluation time, unix seconds (default: the clock at each call).
    pub now: Option<i64>,
    /// Settings-relevant flags.
    pub settings: SettingsOptions,
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: Allowlist,
    /// The forwarding header the trusted proxies write.
    pub forwarded_header: crate::ip::ForwardingHeader,
    /// `forwardedHeader` was given explicitly.
    pub forwarded_header_pinned: bool,
    /// Signed-token verification (the compiled `jwt` option).
    pub jwt: Option<std::sync::Arc<crate::auth::jwt_bearer::JwtAuth>>,
}

impl GuardOptions {
    /// Parses and checks `$options`, naming every bad item.
    pub fn parse(options: &Map<String, Value>) -> Result<Self, InvalidInput> {
        let mut err = InvalidInput::new("Guard options");
        let mut out = GuardOptions::default();
        for (key, value) in options {
            match key.as_str() {
                "now" => match value {
                    Value::Null => {}
                    Value::Number(n) if n.is_i64() => out.now = n.as_i64(),
                    _ => err.push("now", "must be an integer (unix seconds) or null"),
                },
                "commerceEnabled" | "writesExperimental" => match value.as_bool() {
                    Some(b) if key == "commerceEnabled" => out.settings.commerce_enabled = b,
                    Some(b) => out.settings.writes_experimental = b,
                    None => err.push(key.as_str(), "must be a boolean"),
                },
                "trustedProxies" => match Allowlist::parse_value(value) {
                    Ok(list) => out.trusted_proxies = list,
                    Err(e) => {
                        for item in e.items {
                            err.push(format!("trustedProxies: {}", item.item), item.reason);
                        }
                    }
                },
                "forwardedHeader" => match value
                    .as_str()
                    .and_then(crate::ip::ForwardingHeader::from_name)
                {
                    Some(h) => {
                        out.forwarded_header = h;
                        out.forwarded_header_pinned = h != crate::ip::ForwardingHeader::Auto;
                    }
                    None => err.push(
                        "forwardedHeader",
                        "must be \"x-forwarded-for\", \"forwarded\" or \"auto\"",
                    ),
                },
                "jwt" => {
                    if !value.is_null() {
                        match crate::auth::jwt_bearer::JwtAuth::from_config(value) {
                            Ok(j) => out.jwt = Some(std::sync::Arc::new(j)),
                            Err(e) => err.items.extend(e.items),
                        }
                    }
                }
                other => err.push(
                    crate::errors::excerpt(other, 64),
                    format!("unknown option (known: {})", OPTION_KEYS.join(", ")),
                ),
            }
        }
        err.into_result(out)
    }
}
