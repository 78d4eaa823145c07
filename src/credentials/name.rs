//! A credential's id or handle as the compiled set keeps it.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest name held without an allocation (bytes).
const INLINE: usize = 22;

/// A credential's id (env) or handle (managed), normalized: text of up to 22 bytes (what
/// handles almost always are) is held in place, longer text on the heap. Reads as a `&str`.
#[derive(Clone, Default)]
pub struct Name(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        }
    }
}

impl Name {
    /// A copy of `text`.
    pub fn new(text: &str) -> Self {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0u8; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Name(Repr::Inline { len, bytes })
            }
            _ => Name(Repr::Heap(text.into())),
        }
    }

    /// Length in bytes (without reading the text as `&str`).
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Inline { len, .. } => usize::from(*len),
            Repr::Heap(text) => text.len(),
        }
    }

    /// True for the empty name (without reading the text as `&str`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes were copied from a `&str` whole, so they are UTF-8 (the empty
            // fallback is never taken).
            Repr::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Repr::Heap(text) => text,
        }
    }
}

impl From<String> for Name {
    /// Keeps a long text's allocation; copies a short one in place.
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Name::new(&text)
        } else {
            Name(Repr::Heap(text.into_boxed_str()))
        }
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_reads_back() {
        let text = "abcdefghijklmnopqrstuvwxyz-é.0123456789";
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let t = &text[..end];
            let a = Name::new(t);
            let b = Name::from(t.to_owned());
            assert_eq!(a.as_str(), t);
            assert_eq!((a.len(), a.is_empty()), (t.len(), t.is_empty()));
            assert_eq!(&*b, t);
            assert_eq!(a, b);
            assert_eq!(a, t);
            assert_eq!(t.to_owned(), a);
            assert!(*t == a);
            assert_eq!(format!("{a}"), t);
            assert_eq!(format!("{a:?}"), format!("{t:?}"));
        }
        assert_eq!(Name::default().as_str(), "");
        assert_ne!(Name::new("a"), Name::new("b"));
    }
}
