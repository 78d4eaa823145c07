//! Webhook settings: whether the URL and secret are configured, the non-secret destination
//! (`scheme://host`), delivery timeout and attempts ([spec:webhooks]).
//!
//! Neither the URL nor the secret is kept: only the facts the posture shows.

/// Delivery timeout cap, seconds.
pub const MAX_TIMEOUT_SECONDS: u32 = 60;

/// Delivery attempts cap.
pub const MAX_ATTEMPTS: u32 = 10;

/// What is wrong with a configured webhook URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlIssue {
    /// Not an absolute `http(s)://host` URL; deliveries cannot succeed.
    Invalid,
    /// `http://`: payloads travel unencrypted.
    Insecure,
}

/// Webhook settings (never the URL or the secret itself).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    /// A URL is configured.
    pub url_configured: bool,
    /// A secret is configured.
    pub secret_configured: bool,
    /// Both are configured.
    pub enabled: bool,
    /// `scheme://host` of the URL, lower-case, without user-info, port, path or query.
    pub destination_host: Option<String>,
    /// A problem with the configured URL.
    pub url_issue: Option<UrlIssue>,
    /// Delivery timeout, seconds (cap 60).
    pub timeout_seconds: u32,
    /// Delivery attempts (cap 10).
    pub max_attempts: u32,
    /// `PLUGIN_AGENTS_WEBHOOK_TEST_SINK` (the plugin also requires Craft's dev mode).
    pub test_sink: bool,
}

impl WebhookSettings {
    /// Derives the settings from the (already read) URL and secret presence.
    pub fn new(url: Option<&str>, secret_configured: bool) -> Self {
        let (destination_host, url_issue) = match url {
            None => (None, None),
            Some(u) => match destination(u) {
                None => (None, Some(UrlIssue::Invalid)),
                Some((scheme, host)) => {
                    let issue = match scheme.as_str() {
                        "https" => None,
                        "http" => Some(UrlIssue::Insecure),
                        _ => Some(UrlIssue::Invalid),
                    };
                    (Some(format!("{scheme}://{host}")), issue)
                }
            },
        };
        Self {
            url_configured: url.is_some(),
            secret_configured,
            enabled: url.is_some() && secret_configured,
            destination_host,
            url_issue,
            ..Self::default()
        }
    }
}

fn valid_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

fn valid_port(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `host[:port]` or `[v6][:port]` and returns the lower-cased host.
fn host_of(host_port: &str) -> Option<String> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let end = rest.find(']')?;
        let inner = &rest[..end];
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
        {
            return None;
        }
        (&host_port[..end + 2], &rest[end + 1..])
    } else {
        let (h, p) = match host_port.find(':') {
            Some(i) => (&host_port[..i], &host_port[i..]),
            None => (host_port, ""),
        };
        let ok = !h.is_empty() && h.chars().all(|c| c.is_alphanumeric() || "-._".contains(c));
        if !ok {
            return None;
        }
        (h, p)
    };
    match port.strip_prefix(':') {
        Some(p) if valid_port(p) => {}
        None if port.is_empty() => {}
        _ => return None,
    }
    Some(host.to_lowercase())
}

/// `(scheme, host)` of an absolute `scheme://[userinfo@]host[:port][/path][?query][#fragment]`
/// URL, both lower-cased; `None` when the URL has no scheme or host, or the host is malformed.
pub fn destination(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once(':')?;
    if !valid_scheme(scheme) {
        return None;
    }
    let rest = rest.strip_prefix("//")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('\\') || authority.chars().any(char::is_whitespace) {
        return None;
    }
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some((scheme.to_ascii_lowercase(), host_of(host_port)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_is_scheme_and_host_only() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "https://Hooks.Example.COM/path?token=abc#x",
                Some("https://hooks.example.com"),
            ),
            (
                "https://user:pa55@hooks.example.com:8443/p",
                Some("https://hooks.example.com"),
            ),
            ("HTTP://a.example:80", Some("http://a.example")),
            ("https://[2001:DB8::1]:443/x", Some("https://[2001:db8::1]")),
            ("https://h.example?x=1", Some("https://h.example")),
            ("https://a@b@h.example/", Some("https://h.example")),
            ("ftp://files.example/x", Some("ftp://files.example")),
            ("hooks.example.com/x", None),
            ("//hooks.example.com/x", None),
            ("https:///path", None),
            ("https://", None),
            ("$PLUGIN_AGENTS_WEBHOOK_URL", None),
            ("https://h.example:abc/", None),
            ("https://evil.example\\@good.example/", None),
            ("https://h ost/", None),
            ("https://[zz]/", None),
            ("https://[::1/", None),
            ("1http://x", None),
        ];
        for (url, want) in cases {
            let got = destination(url).map(|(s, h)| format!("{s}://{h}"));
            assert_eq!(got.as_deref(), *want, "{url}");
        }
    }

    #[test]
    fn settings_classify_the_url() {
        let w = WebhookSettings::new(Some("https://h.example/x?secret=1"), true);
        assert!(w.enabled && w.url_configured && w.secret_configured);
        assert_eq!(w.destination_host.as_deref(), Some("https://h.example"));
        assert_eq!(w.url_issue, None);
        let w = WebhookSettings::new(Some("http://h.example/x"), false);
        assert!(!w.enabled);
        assert_eq!(w.url_issue, Some(UrlIssue::Insecure));
        let w = WebhookSettings::new(Some("h.example/x"), true);
        assert!(w.enabled);
        assert_eq!(
            (w.destination_host, w.url_issue),
            (None, Some(UrlIssue::Invalid))
        );
        let w = WebhookSettings::new(Some("ftp://h.example/x"), true);
        assert_eq!(w.url_issue, Some(UrlIssue::Invalid));
        let w = WebhookSettings::new(None, true);
        assert!(!w.enabled && !w.url_configured && w.secret_configured);
        assert_eq!((w.destination_host, w.url_issue), (None, None));
    }
}
