//! Reading settings from the normalized env map: the read rule shared by every variable, typed
//! reads with their defaults, and the warnings and `profileDefaultsAppliedFields` they produce.
//!
//! The read rule: the value is trimmed; an empty value and the literal `null` count as unset;
//! an unresolved `$NAME` / `${NAME}` reference counts as unset and raises
//! `unresolved_env_reference`. Messages name the variable, never its value.

use serde_json::{Map, Value};

use super::grammar::{self, IntError};
use crate::errors::codes::WarningCode;
use crate::warnings::Warning;

/// Reads settings one by one and collects what the reads reported.
#[derive(Debug)]
pub struct Reader<'a> {
    env: &'a Map<String, Value>,
    warnings: Vec<Warning>,
    defaults_applied: Vec<&'static str>,
}

impl<'a> Reader<'a> {
    /// A reader over name => text values (see `guard::normalize_env`).
    pub fn new(env: &'a Map<String, Value>) -> Self {
        Self {
            env,
            warnings: Vec::new(),
            defaults_applied: Vec::new(),
        }
    }

    /// Adds a warning in reading order.
    pub fn warn(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }

    /// The trimmed value of `key`, or `None` when it is unset by the read rule.
    pub fn text(&mut self, key: &'static str) -> Option<&'a str> {
        let value = self.env.get(key).and_then(Value::as_str)?.trim();
        if value.is_empty() || value.eq_ignore_ascii_case("null") {
            return None;
        }
        if grammar::is_env_reference(value) {
            self.warn(Warning::warn(
                WarningCode::UnresolvedEnvReference,
                format!(
                    "`{key}` holds an environment reference that was not resolved; it counts as unset."
                ),
            ));
            return None;
        }
        Some(value)
    }

    /// A boolean taken from `key`, or `None` when unset or unparseable (the latter warns that
    /// the default described by `default_text` applies).
    pub fn flag(
        &mut self,
        key: &'static str,
        default_text: impl FnOnce() -> String,
    ) -> Option<bool> {
        let text = self.text(key)?;
        let parsed = grammar::parse_bool(text);
        if parsed.is_none() {
            self.warn(Warning::warn(
                WarningCode::InvalidBooleanSetting,
                format!(
                    "`{key}` is not a boolean (use true/false, 1/0, on/off or yes/no); {} applies.",
                    default_text()
                ),
            ));
        }
        parsed
    }

    /// A profile-driven boolean: the env value, else the profile default (recording `field`
    /// in the applied defaults).
    pub fn profile_flag(&mut self, key: &'static str, field: &'static str, default: bool) -> bool {
        match self.flag(key, || format!("the profile default `{default}`")) {
            Some(v) => v,
            None => {
                self.defaults_applied.push(field);
                default
            }
        }
    }

    /// A positive integer taken from `key`, lowered to `cap` (with a warning) when above it;
    /// `None` when unset or invalid (the latter warns that the default described by
    /// `default_text` applies).
    pub fn int(
        &mut self,
        key: &'static str,
        cap: Option<u32>,
        default_text: impl FnOnce() -> String,
    ) -> Option<u32> {
        let text = self.text(key)?;
        let value = match grammar::parse_positive_int(text) {
            Ok(v) => v,
            Err(IntError::TooLarge) if cap.is_some() => u32::MAX,
            Err(e) => {
                self.warn(Warning::warn(
                    WarningCode::InvalidIntegerSetting,
                    format!(
                        "`{key}` {} (a positive whole number is expected); {} applies.",
                        e.reason(),
                        default_text()
                    ),
                ));
                return None;
            }
        };
        match cap {
            Some(cap) if value > cap => {
                self.warn(Warning::warn(
                    WarningCode::SettingCapped,
                    format!("`{key}` is above its maximum of {cap}; {cap} applies."),
                ));
                Some(cap)
            }
            _ => Some(value),
        }
    }

    /// A profile-driven positive integer: the env value (capped), else the profile default
    /// (recording `field` in the applied defaults).
    pub fn profile_int(
        &mut self,
        key: &'static str,
        field: &'static str,
        default: u32,
        cap: Option<u32>,
    ) -> u32 {
        match self.int(key, cap, || format!("the profile default {default}")) {
            Some(v) => v,
            None => {
                self.defaults_applied.push(field);
                default
            }
        }
    }

    /// The warnings in reading order, and the applied-default fields sorted and de-duplicated.
    pub fn finish(self) -> (Vec<Warning>, Vec<&'static str>) {
        let mut fields = self.defaults_applied;
        fields.sort_unstable();
        fields.dedup();
        (self.warnings, fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn codes(w: &[Warning]) -> Vec<&'static str> {
        w.iter().map(|w| w.code.as_str()).collect()
    }

    #[test]
    fn read_rule() {
        let e =
            env(json!({"A": "  x  ", "B": "", "C": "   ", "D": "NULL", "E": "$E", "F": "${F}"}));
        let mut r = Reader::new(&e);
        assert_eq!(r.text("A"), Some("x"));
        assert_eq!(r.text("B"), None);
        assert_eq!(r.text("C"), None);
        assert_eq!(r.text("D"), None);
        assert_eq!(r.text("E"), None);
        assert_eq!(r.text("F"), None);
        assert_eq!(r.text("MISSING"), None);
        let (w, _) = r.finish();
        assert_eq!(
            codes(&w),
            vec!["unresolved_env_reference", "unresolved_env_reference"]
        );
        assert!(w[0].message.contains("`E`"));
    }

    #[test]
    fn profile_reads_record_defaults_and_warn_without_the_value() {
        let e = env(json!({
            "B1": " true ", "B2": "", "B3": "secret-looking-value", "B4": "no",
            "I1": " 5 ", "I2": "1e3", "I3": "-1", "I4": "100", "I5": "2.5",
            "I6": "99999999999999999999",
        }));
        let mut r = Reader::new(&e);
        assert!(r.profile_flag("B1", "f1", false));
        assert!(r.profile_flag("B2", "f2", true));
        assert!(r.profile_flag("B3", "f3", true));
        assert!(!r.profile_flag("B4", "f4", true));
        assert_eq!(r.profile_int("I1", "i1", 3, None), 5);
        assert_eq!(r.profile_int("I2", "i2", 3, None), 3);
        assert_eq!(r.profile_int("I3", "i3", 3, None), 3);
        assert_eq!(r.profile_int("I4", "i4", 3, Some(60)), 60);
        assert_eq!(r.profile_int("I5", "i5", 3, None), 3);
        assert_eq!(r.profile_int("I6", "i6", 3, Some(10)), 10);
        assert_eq!(r.profile_int("I6", "i7", 3, None), 3);
        let (w, fields) = r.finish();
        assert_eq!(fields, vec!["f2", "f3", "i2", "i3", "i5", "i7"]);
        assert_eq!(
            codes(&w),
            vec![
                "invalid_boolean_setting",
                "invalid_integer_setting",
                "invalid_integer_setting",
                "setting_capped",
                "invalid_integer_setting",
                "setting_capped",
                "invalid_integer_setting",
            ]
        );
        assert!(w.iter().all(|w| !w.message.contains("secret-looking")));
        assert!(w[0].message.contains("`B3`") && w[0].message.contains("`true`"));
    }
}
