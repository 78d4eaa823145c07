//! Registered-claim checks (RFC 7519 §4.1) on a verified claim set.
//!
//! * `exp`, `nbf` and `iat` must be JSON numbers (`invalid_claim_type`); fractional values are
//!   floored (RFC 7519 §2 allows non-integer NumericDates);
//! * `exp` is required unless `requireExp` is false (`missing_exp`);
//! * `nbf > now + leeway` is `not_yet_valid`; without `nbf`, `iat > now + leeway` is
//!   `iat_in_future`; `exp <= now - leeway` is `expired` (a token is dead at its `exp` second);
//! * with `issuer` configured, `iss` must be a string equal to one of the values;
//! * `aud` (a string or a list of strings) must share a value with `audience`; a token with `aud`
//!   is refused when no audience is configured (RFC 7519 §4.1.3), and a token without `aud` is
//!   refused when one is.

use super::json::{Audience, ClaimsFields, Date, TextMember};
use super::options::Options;
use crate::errors::codes::JwtReason;

use crate::errors::JwtRefusal;

/// Checks the registered claims at unix time `now`.
pub fn check(c: &ClaimsFields<'_>, o: &Options, now: i64) -> Result<(), JwtRefusal> {
    let exp = seconds(c.exp, "exp")?;
    let nbf = seconds(c.nbf, "nbf")?;
    let iat = seconds(c.iat, "iat")?;
    if o.require_exp && exp.is_none() {
        return Err((JwtReason::MissingExp, "the token has no \"exp\"".to_owned()));
    }
    let latest = now.saturating_add(o.leeway);
    if let Some(nbf) = nbf
        && nbf > latest
    {
        return Err((
            JwtReason::NotYetValid,
            format!(
                "the token is not valid before {nbf} (now {now}, leeway {}s)",
                o.leeway
            ),
        ));
    }
    if nbf.is_none()
        && let Some(iat) = iat
        && iat > latest
    {
        return Err((
            JwtReason::IatInFuture,
            format!(
                "the token was issued in the future, at {iat} (now {now}, leeway {}s)",
                o.leeway
            ),
        ));
    }
    if let Some(exp) = exp
        && exp <= now.saturating_sub(o.leeway)
    {
        return Err((
            JwtReason::Expired,
            format!(
                "the token expired at {exp} (now {now}, leeway {}s)",
                o.leeway
            ),
        ));
    }
    if let Some(issuers) = &o.issuer {
        match &c.iss {
            TextMember::Absent => {
                return Err((
                    JwtReason::IssuerMismatch,
                    "the token has no \"iss\"".to_owned(),
                ));
            }
            TextMember::Text(iss) if issuers.iter().any(|i| i == iss) => {}
            TextMember::Text(_) => {
                return Err((
                    JwtReason::IssuerMismatch,
                    "\"iss\" is not an accepted issuer".to_owned(),
                ));
            }
            TextMember::NotText => return Err(wrong_type("iss", "a string")),
        }
    }
    audience(&c.aud, o.audience.as_deref())
}

fn audience(aud: &Audience<'_>, accepted: Option<&[String]>) -> Result<(), JwtRefusal> {
    match (aud, accepted) {
        (Audience::Absent, None) => Ok(()),
        (_, None) => Err((
            JwtReason::AudienceMismatch,
            "the token names an audience (\"aud\") but none is configured".to_owned(),
        )),
        (Audience::Absent, Some(_)) => Err((
            JwtReason::AudienceMismatch,
            "the token has no \"aud\"".to_owned(),
        )),
        (Audience::Invalid, Some(_)) => Err(wrong_type("aud", "a string or a list of strings")),
        (Audience::Values(values), Some(accepted)) => {
            if values.iter().any(|v| accepted.iter().any(|a| a == v)) {
                Ok(())
            } else {
                Err((
                    JwtReason::AudienceMismatch,
                    "\"aud\" names no accepted audience".to_owned(),
                ))
            }
        }
    }
}

fn wrong_type(claim: &str, want: &str) -> JwtRefusal {
    (
        JwtReason::InvalidClaimType,
        format!("\"{claim}\" must be {want}"),
    )
}

/// A NumericDate claim as whole seconds; `None` when absent.
fn seconds(d: Date, name: &str) -> Result<Option<i64>, JwtRefusal> {
    match d {
        Date::Absent => Ok(None),
        Date::Seconds(s) => Ok(Some(s)),
        Date::NotNumber => Err(wrong_type(name, "a number (NumericDate)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::alg::Algorithm;
    use crate::jwt::json::scan_claims;
    use serde_json::{Value, json};

    const NOW: i64 = 1_700_000_000;

    fn opts() -> Options {
        Options {
            algorithms: vec![Algorithm::HS256],
            leeway: 0,
            require_exp: false,
            issuer: None,
            audience: None,
            max_token_bytes: 8192,
        }
    }

    fn run(claims: Value, o: &Options) -> Result<(), JwtReason> {
        let text = claims.to_string();
        let fields = scan_claims(text.as_bytes()).unwrap().unwrap();
        check(&fields, o, NOW).map_err(|e| e.0)
    }

    #[test]
    fn exp_is_dead_at_its_second() {
        let o = opts();
        assert_eq!(run(json!({"exp": NOW}), &o), Err(JwtReason::Expired));
        assert_eq!(run(json!({"exp": NOW + 1}), &o), Ok(()));
        assert_eq!(
            run(json!({"exp": NOW as f64 + 0.9}), &o),
            Err(JwtReason::Expired)
        );
        let o = Options {
            leeway: 10,
            ..opts()
        };
        assert_eq!(run(json!({"exp": NOW - 9}), &o), Ok(()));
        assert_eq!(run(json!({"exp": NOW - 10}), &o), Err(JwtReason::Expired));
    }

    #[test]
    fn nbf_and_iat_edges() {
        let o = opts();
        assert_eq!(run(json!({"nbf": NOW}), &o), Ok(()));
        assert_eq!(
            run(json!({"nbf": NOW + 1}), &o),
            Err(JwtReason::NotYetValid)
        );
        assert_eq!(run(json!({"nbf": NOW as f64 + 0.25}), &o), Ok(()));
        assert_eq!(run(json!({"iat": NOW}), &o), Ok(()));
        assert_eq!(
            run(json!({"iat": NOW + 1}), &o),
            Err(JwtReason::IatInFuture)
        );
        // With nbf present, iat is not used for the time check.
        assert_eq!(run(json!({"nbf": NOW - 5, "iat": NOW + 20}), &o), Ok(()));
        let o = Options {
            leeway: 60,
            ..opts()
        };
        assert_eq!(run(json!({"nbf": NOW + 60}), &o), Ok(()));
        assert_eq!(
            run(json!({"nbf": NOW + 61}), &o),
            Err(JwtReason::NotYetValid)
        );
        assert_eq!(
            run(json!({"iat": NOW + 61}), &o),
            Err(JwtReason::IatInFuture)
        );
    }

    #[test]
    fn types_and_required_exp() {
        let o = opts();
        for c in [
            json!({"exp": "1"}),
            json!({"nbf": null}),
            json!({"iat": [1]}),
            json!({"exp": true}),
        ] {
            assert_eq!(run(c, &o), Err(JwtReason::InvalidClaimType));
        }
        let o = Options {
            require_exp: true,
            ..opts()
        };
        assert_eq!(run(json!({}), &o), Err(JwtReason::MissingExp));
        assert_eq!(run(json!({"exp": u64::MAX}), &o), Ok(()));
        assert_eq!(run(json!({"exp": 1e300}), &o), Ok(()));
        assert_eq!(run(json!({"exp": -1e300}), &o), Err(JwtReason::Expired));
    }

    #[test]
    fn issuer_and_audience() {
        let o = Options {
            issuer: Some(vec!["a".into(), "b".into()]),
            audience: Some(vec!["api".into()]),
            ..opts()
        };
        assert_eq!(run(json!({"iss": "b", "aud": "api"}), &o), Ok(()));
        assert_eq!(run(json!({"iss": "b", "aud": ["x", "api"]}), &o), Ok(()));
        assert_eq!(
            run(json!({"aud": "api"}), &o),
            Err(JwtReason::IssuerMismatch)
        );
        assert_eq!(
            run(json!({"iss": "c", "aud": "api"}), &o),
            Err(JwtReason::IssuerMismatch)
        );
        assert_eq!(
            run(json!({"iss": 1, "aud": "api"}), &o),
            Err(JwtReason::InvalidClaimType)
        );
        assert_eq!(
            run(json!({"iss": "a"}), &o),
            Err(JwtReason::AudienceMismatch)
        );
        assert_eq!(
            run(json!({"iss": "a", "aud": []}), &o),
            Err(JwtReason::AudienceMismatch)
        );
        assert_eq!(
            run(json!({"iss": "a", "aud": "API"}), &o),
            Err(JwtReason::AudienceMismatch)
        );
        assert_eq!(
            run(json!({"iss": "a", "aud": ["api", 1]}), &o),
            Err(JwtReason::InvalidClaimType)
        );
        assert_eq!(
            run(json!({"iss": "a", "aud": {"x": 1}}), &o),
            Err(JwtReason::InvalidClaimType)
        );
        // No audience configured: any aud is refused, iss is not checked.
        assert_eq!(
            run(json!({"aud": "api"}), &opts()),
            Err(JwtReason::AudienceMismatch)
        );
        assert_eq!(
            run(json!({"aud": []}), &opts()),
            Err(JwtReason::AudienceMismatch)
        );
        assert_eq!(run(json!({"iss": 5}), &opts()), Ok(()));
    }
}
