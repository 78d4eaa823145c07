//! The grammars of one setting value: unresolved environment references, booleans and positive
//! integers. Pure functions over already-trimmed text; reading the env map and raising warnings
//! is [`super::read`]'s job.

/// True when `text` is an environment reference that was never resolved: `$NAME` or `${NAME}`,
/// where `NAME` is a letter or `_` followed by letters, digits or `_` (the form Craft's
/// `App::parseEnv` resolves; the text is kept as is when the variable is not defined).
pub fn is_env_reference(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('$') else {
        return false;
    };
    let name = match rest.strip_prefix('{') {
        Some(braced) => match braced.strip_suffix('}') {
            Some(name) => name,
            None => return false,
        },
        None => rest,
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The boolean grammar: `true`/`1`/`on`/`yes` and `false`/`0`/`off`/`no`, ASCII
/// case-insensitive, surrounding whitespace ignored. Anything else is `None`.
pub fn parse_bool(text: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "1", "on", "yes"];
    const FALSE: [&str; 4] = ["false", "0", "off", "no"];
    let t = text.trim();
    if TRUE.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(true)
    } else if FALSE.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(false)
    } else {
        None
    }
}

/// Why a value is not a positive whole number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntError {
    /// Not written as plain decimal digits (signs, decimals, exponents, words).
    NotANumber,
    /// Zero or negative.
    NotPositive,
    /// Larger than the setting can hold.
    TooLarge,
}

impl IntError {
    /// A short explanation for a warning message.
    pub const fn reason(self) -> &'static str {
        match self {
            IntError::NotANumber => "is not a whole number written in plain digits",
            IntError::NotPositive => "is not positive",
            IntError::TooLarge => "is too large",
        }
    }
}

/// The positive-integer grammar: surrounding whitespace ignored, then one or more ASCII digits
/// and nothing else (no sign, decimal point, exponent or digit separators), value ≥ 1 and
/// ≤ `u32::MAX`. `-5` is reported as [`IntError::NotPositive`].
pub fn parse_positive_int(text: &str) -> Result<u32, IntError> {
    let t = text.trim();
    if let Some(digits) = t.strip_prefix('-') {
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IntError::NotPositive);
        }
        return Err(IntError::NotANumber);
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IntError::NotANumber);
    }
    let mut value: u32 = 0;
    for b in t.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(b - b'0')))
            .ok_or(IntError::TooLarge)?;
    }
    if value == 0 {
        Err(IntError::NotPositive)
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        for yes in ["$A", "$PLUGIN_AGENTS_WEBHOOK_URL", "${X_1}", "$_x", "${_}"] {
            assert!(is_env_reference(yes), "{yes}");
        }
        for no in [
            "",
            "$",
            "${}",
            "${A",
            "$1A",
            "$A-B",
            "$A B",
            "A$B",
            "https://x/$A",
            "$$A",
            "${A}x",
            "@web",
        ] {
            assert!(!is_env_reference(no), "{no}");
        }
    }

    #[test]
    fn booleans() {
        let cases: &[(&str, Option<bool>)] = &[
            ("true", Some(true)),
            (" TRUE ", Some(true)),
            ("1", Some(true)),
            ("On", Some(true)),
            ("yes", Some(true)),
            ("\tYes\n", Some(true)),
            ("false", Some(false)),
            ("0", Some(false)),
            ("OFF", Some(false)),
            ("no", Some(false)),
            ("", None),
            ("2", None),
            ("maybe", None),
            ("enabled", None),
            ("y", None),
            ("truee", None),
            ("-1", None),
            ("1.0", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_bool(input), *want, "{input:?}");
        }
    }

    #[test]
    fn positive_integers() {
        use IntError::*;
        let cases: &[(&str, Result<u32, IntError>)] = &[
            ("5", Ok(5)),
            (" 5 ", Ok(5)),
            ("007", Ok(7)),
            ("2", Ok(2)),
            ("4294967295", Ok(u32::MAX)),
            ("4294967296", Err(TooLarge)),
            ("99999999999999999999999", Err(TooLarge)),
            ("0", Err(NotPositive)),
            ("000", Err(NotPositive)),
            ("-1", Err(NotPositive)),
            ("-0", Err(NotPositive)),
            ("-", Err(NotANumber)),
            ("+5", Err(NotANumber)),
            ("1e3", Err(NotANumber)),
            ("2.5", Err(NotANumber)),
            ("5.0", Err(NotANumber)),
            ("1_000", Err(NotANumber)),
            ("1 000", Err(NotANumber)),
            ("0x10", Err(NotANumber)),
            ("ten", Err(NotANumber)),
            ("", Err(NotANumber)),
            ("٣", Err(NotANumber)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_positive_int(input), *want, "{input:?}");
        }
    }
}
