//! Field selectors (`?fieldSelector=metadata.name=x,status.phase!=Running`).
//!
//! Terms are separated by unescaped commas; each is `field=value`,
//! `field==value` or `field!=value`. In values, `\,` `\=` and `\\` stand for
//! the literal characters; an unescaped `,` or `=` in a value, or any other
//! escape, is an error (as in k8s.io/apimachinery `fields/selector.go`).
//! Which field names are supported depends on the kind, so the parser accepts
//! any name and the caller checks [`FieldSelector::requirements`].
//!
//! ```
//! use api_types::selector::FieldSelector;
//!
//! let selector = FieldSelector::parse("spec.nodeName=node-1,status.phase!=Succeeded").unwrap();
//! let get = |field: &str| match field {
//!     "spec.nodeName" => Some("node-1".to_string()),
//!     "status.phase" => Some("Running".to_string()),
//!     _ => None,
//! };
//! assert!(selector.matches(get));
//! ```

use std::fmt;

/// Errors from parsing a field selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldSelectorError {
    /// A term has no operator.
    #[error("invalid field selector: {selector:?}; can't understand {term:?}")]
    NoOperator {
        /// The whole selector.
        selector: String,
        /// The term.
        term: String,
    },
    /// A value has an unknown escape sequence.
    #[error("invalid field selector value {value:?}: invalid escape sequence {sequence:?}")]
    InvalidEscape {
        /// The raw value.
        value: String,
        /// The sequence.
        sequence: String,
    },
    /// A value has an unescaped `,` or `=`.
    #[error(
        "invalid field selector value {value:?}: unescaped {character:?} (use '\\{character}')"
    )]
    UnescapedCharacter {
        /// The raw value.
        value: String,
        /// The character.
        character: char,
    },
}

/// A field requirement's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldOperator {
    /// `=` or `==`.
    Equals,
    /// `!=`.
    NotEquals,
}

/// One `field op value` term.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRequirement {
    /// The field path, such as `metadata.name` or `spec.nodeName`.
    pub field: String,
    /// The operator.
    pub operator: FieldOperator,
    /// The unescaped value.
    pub value: String,
}

impl FieldRequirement {
    /// Whether the field's value (a missing field counts as `""`) satisfies the term.
    pub fn matches_value(&self, actual: Option<&str>) -> bool {
        let equal = actual.unwrap_or("") == self.value;
        match self.operator {
            FieldOperator::Equals => equal,
            FieldOperator::NotEquals => !equal,
        }
    }
}

impl fmt::Display for FieldRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.operator {
            FieldOperator::Equals => "=",
            FieldOperator::NotEquals => "!=",
        };
        write!(f, "{}{op}{}", self.field, escape_value(&self.value))
    }
}

/// A conjunction of field requirements; none selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// The selector that matches everything.
    pub fn everything() -> Self {
        FieldSelector::default()
    }

    /// A selector from requirements, in the given order.
    pub fn from_requirements(requirements: Vec<FieldRequirement>) -> Self {
        FieldSelector { requirements }
    }

    /// Parses the string syntax; the empty string selects everything.
    pub fn parse(selector: &str) -> Result<Self, FieldSelectorError> {
        let mut terms = split_terms(selector);
        // Kubernetes sorts the terms as strings before parsing them.
        terms.sort_unstable();
        let mut requirements = Vec::with_capacity(terms.len());
        for term in terms {
            if term.is_empty() {
                continue;
            }
            let (field, operator, raw) =
                split_term(term).ok_or_else(|| FieldSelectorError::NoOperator {
                    selector: selector.to_string(),
                    term: term.to_string(),
                })?;
            requirements.push(FieldRequirement {
                field: field.to_string(),
                operator,
                value: unescape_value(raw)?,
            });
        }
        Ok(FieldSelector { requirements })
    }

    /// The terms, so a caller can reject unsupported field names.
    pub fn requirements(&self) -> &[FieldRequirement] {
        &self.requirements
    }

    /// Whether this selector matches everything.
    pub fn is_everything(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The value required by an `=` term on `field`, if any (useful to turn
    /// `metadata.name=x` or `spec.nodeName=n` into an index lookup).
    pub fn required_value(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.field == field && r.operator == FieldOperator::Equals)
            .map(|r| r.value.as_str())
    }

    /// Whether an object matches; `get` returns a field's value (`None` if absent).
    pub fn matches<F>(&self, mut get: F) -> bool
    where
        F: FnMut(&str) -> Option<String>,
    {
        self.requirements
            .iter()
            .all(|r| r.matches_value(get(&r.field).as_deref()))
    }
}

impl fmt::Display for FieldSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for FieldSelector {
    type Err = FieldSelectorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldSelector::parse(s)
    }
}

/// The value of a dotted field path (`spec.nodeName`, `metadata.name`) in a
/// JSON object, as a field selector sees it: strings as they are, booleans
/// and numbers as text (`spec.hostNetwork` → `"true"`); `None` when absent,
/// `null`, or not a scalar. Use with [`FieldSelector::matches`] for the field
/// names a kind supports.
pub fn value_at_path(object: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let mut current = object;
    for segment in path.split('.') {
        current = current.get(segment)?;
    }
    match current {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Escapes `\`, `,` and `=` in a value.
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Reverses [`escape_value`], rejecting unknown escapes and bare `,`/`=`.
pub fn unescape_value(value: &str) -> Result<String, FieldSelectorError> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ',' | '=')) => out.push(e),
                Some(other) => {
                    return Err(FieldSelectorError::InvalidEscape {
                        value: value.to_string(),
                        sequence: format!("\\{other}"),
                    });
                }
                None => {
                    return Err(FieldSelectorError::InvalidEscape {
                        value: value.to_string(),
                        sequence: "\\".to_string(),
                    });
                }
            },
            ',' | '=' => {
                return Err(FieldSelectorError::UnescapedCharacter {
                    value: value.to_string(),
                    character: c,
                });
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn split_terms(selector: &str) -> Vec<&str> {
    if selector.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in selector.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' {
            terms.push(&selector[start..i]);
            start = i + 1;
        }
    }
    terms.push(&selector[start..]);
    terms
}

/// Splits at the first operator (`!=` before `==` before `=`).
fn split_term(term: &str) -> Option<(&str, FieldOperator, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        if let Some(value) = rest.strip_prefix("!=") {
            return Some((&term[..i], FieldOperator::NotEquals, value));
        }
        if let Some(value) = rest.strip_prefix("==") {
            return Some((&term[..i], FieldOperator::Equals, value));
        }
        if let Some(value) = rest.strip_prefix('=') {
            return Some((&term[..i], FieldOperator::Equals, value));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_terms_and_escapes() {
        let s = FieldSelector::parse("metadata.name=foo,spec.nodeName!=n1,status.phase==Running")
            .unwrap();
        assert_eq!(
            s.to_string(),
            "metadata.name=foo,spec.nodeName!=n1,status.phase=Running"
        );
        assert_eq!(s.required_value("metadata.name"), Some("foo"));
        assert_eq!(s.required_value("spec.nodeName"), None);
        let names: Vec<&str> = s.requirements().iter().map(|r| r.field.as_str()).collect();
        assert_eq!(names, ["metadata.name", "spec.nodeName", "status.phase"]);

        let s = FieldSelector::parse(r"a=x\,y\=z\\").unwrap();
        assert_eq!(s.requirements()[0].value, r"x,y=z\");
        assert_eq!(s.to_string(), r"a=x\,y\=z\\");
        assert!(FieldSelector::parse("").unwrap().is_everything());
        assert!(FieldSelector::parse(",").unwrap().is_everything());
        assert_eq!(
            FieldSelector::parse("a=").unwrap().requirements()[0].value,
            ""
        );
    }

    #[test]
    fn rejects_bad_terms() {
        assert!(matches!(
            FieldSelector::parse("metadata.name"),
            Err(FieldSelectorError::NoOperator { .. })
        ));
        assert!(matches!(
            FieldSelector::parse(r"a=b\c"),
            Err(FieldSelectorError::InvalidEscape { .. })
        ));
        assert!(matches!(
            FieldSelector::parse(r"a=b\"),
            Err(FieldSelectorError::InvalidEscape { .. })
        ));
        assert!(matches!(
            FieldSelector::parse("a=b=c"),
            Err(FieldSelectorError::UnescapedCharacter { character: '=', .. })
        ));
        let err = FieldSelector::parse("a=1,oops").unwrap_err().to_string();
        assert!(err.contains("can't understand \"oops\""), "{err}");
    }

    #[test]
    fn matches_with_missing_fields_as_empty() {
        let obj = fields(&[("metadata.name", "web"), ("status.phase", "Running")]);
        let get = |f: &str| obj.get(f).cloned();
        let m = |s: &str| FieldSelector::parse(s).unwrap().matches(get);
        assert!(m(""));
        assert!(m("metadata.name=web"));
        assert!(m("metadata.name=web,status.phase!=Pending"));
        assert!(!m("metadata.name=db"));
        assert!(m("spec.nodeName="));
        assert!(!m("spec.nodeName!="));
        assert!(m("spec.nodeName!=n1"));
    }

    #[test]
    fn matches_json_objects_by_path() {
        let pod = serde_json::json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"nodeName": "n1", "hostNetwork": true, "priority": 5},
            "status": {"phase": "Running"}
        });
        assert_eq!(
            value_at_path(&pod, "spec.hostNetwork").as_deref(),
            Some("true")
        );
        assert_eq!(value_at_path(&pod, "spec.priority").as_deref(), Some("5"));
        assert_eq!(value_at_path(&pod, "spec"), None);
        assert_eq!(value_at_path(&pod, "spec.missing"), None);
        let m = |s: &str| {
            FieldSelector::parse(s)
                .unwrap()
                .matches(|f| value_at_path(&pod, f))
        };
        assert!(m("metadata.name=web,spec.nodeName=n1"));
        assert!(m("spec.hostNetwork=true,status.phase!=Pending"));
        assert!(!m("spec.nodeName="));
        assert!(m("status.podIP="));
    }

    fn requirement() -> impl Strategy<Value = FieldRequirement> {
        (
            "[a-z]{1,6}(\\.[a-zA-Z]{1,6}){0,2}",
            prop::bool::ANY,
            "[a-z0-9,=\\\\ !-]{0,8}",
        )
            .prop_map(|(field, eq, value)| FieldRequirement {
                field,
                operator: if eq {
                    FieldOperator::Equals
                } else {
                    FieldOperator::NotEquals
                },
                value,
            })
    }

    proptest! {
        #[test]
        fn string_form_round_trips(reqs in prop::collection::vec(requirement(), 0..5)) {
            let selector = FieldSelector::from_requirements(reqs);
            let parsed = FieldSelector::parse(&selector.to_string()).unwrap();
            // Parsing sorts the terms; the set of requirements is preserved.
            let mut want = selector.requirements().to_vec();
            want.sort_by_key(|r| r.to_string());
            let mut got = parsed.requirements().to_vec();
            got.sort_by_key(|r| r.to_string());
            prop_assert_eq!(got, want);
            let reparsed = FieldSelector::parse(&parsed.to_string()).unwrap();
            prop_assert_eq!(reparsed, parsed);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = FieldSelector::parse(&s);
        }
    }
}
