//! Label selectors: the string syntax of `?labelSelector=` and the
//! `metav1.LabelSelector` object, both turned into one [`Selector`] that
//! matches label maps the way Kubernetes' `labels.Selector` does.
//!
//! Syntax (comma separated, all must hold): `key=value`, `key==value`,
//! `key!=value`, `key in (v1,v2)`, `key notin (v1)`, `key` (exists), `!key`
//! (does not exist), `key>1`, `key<1` (integer comparisons). Keys must be
//! qualified names (`prefix/name`), values valid label values.
//!
//! ```
//! use std::collections::BTreeMap;
//! use api_types::selector::Selector;
//!
//! let selector = Selector::parse("app=web, tier in (fe,be), !canary").unwrap();
//! let labels = BTreeMap::from([("app".to_string(), "web".to_string()),
//!                              ("tier".to_string(), "fe".to_string())]);
//! assert!(selector.matches(&labels));
//! assert_eq!(selector.to_string(), "app=web,!canary,tier in (be,fe)");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

/// Errors from parsing or converting a label selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelSelectorError {
    /// The string is not valid selector syntax.
    #[error("unable to parse label selector {selector:?}: {message}")]
    Syntax {
        /// The selector string.
        selector: String,
        /// What was wrong.
        message: String,
    },
    /// A key is not a valid qualified name.
    #[error("invalid label key {key:?}: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A value is not a valid label value.
    #[error("invalid label value {value:?} for key {key:?}: {reason}")]
    InvalidValue {
        /// The key the value belongs to.
        key: String,
        /// The value.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// An operator in a `matchExpressions` entry is unknown.
    #[error(
        "{operator:?} is not a valid label selector operator (key {key:?}); expected In, NotIn, Exists or DoesNotExist"
    )]
    InvalidOperator {
        /// The key of the expression.
        key: String,
        /// The operator given.
        operator: String,
    },
    /// The values do not fit the operator.
    #[error("invalid values for {key:?} with operator {operator}: {reason}")]
    InvalidValues {
        /// The key of the requirement.
        key: String,
        /// The operator.
        operator: Operator,
        /// Why they do not fit.
        reason: String,
    },
    /// The selector cannot be expressed as a `metav1.LabelSelector`.
    #[error("requirement {requirement:?} cannot be expressed as a LabelSelector object")]
    NotRepresentable {
        /// The requirement as a string.
        requirement: String,
    },
}

/// A requirement's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `key=value`
    Equals,
    /// `key==value` (same meaning as `=`)
    DoubleEquals,
    /// `key!=value`: absent or different.
    NotEquals,
    /// `key in (a,b)`
    In,
    /// `key notin (a,b)`: absent or none of them.
    NotIn,
    /// `key`
    Exists,
    /// `!key`
    DoesNotExist,
    /// `key>n`: present, an integer, greater than n.
    GreaterThan,
    /// `key<n`: present, an integer, less than n.
    LessThan,
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        })
    }
}

/// One condition of a selector.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    operator: Operator,
    /// Sorted and de-duplicated.
    values: Vec<String>,
}

impl Requirement {
    /// Builds a validated requirement (like Kubernetes' `NewRequirement`).
    pub fn new<I, S>(key: &str, operator: Operator, values: I) -> Result<Self, LabelSelectorError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        validate_label_key(key)?;
        let values: BTreeSet<String> = values.into_iter().map(Into::into).collect();
        let bad = |reason: &str| LabelSelectorError::InvalidValues {
            key: key.to_string(),
            operator,
            reason: reason.to_string(),
        };
        match operator {
            Operator::In | Operator::NotIn => {
                if values.is_empty() {
                    return Err(bad(
                        "for 'in', 'notin' operators, values set can't be empty",
                    ));
                }
            }
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
                if values.len() != 1 {
                    return Err(bad("exact-match compatibility requires one single value"));
                }
            }
            Operator::Exists | Operator::DoesNotExist => {
                if !values.is_empty() {
                    return Err(bad(
                        "values set must be empty for exists and does not exist",
                    ));
                }
            }
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    return Err(bad(
                        "for 'Gt', 'Lt' operators, exactly one value is required",
                    ));
                }
                if values.iter().any(|v| v.parse::<i64>().is_err()) {
                    return Err(bad(
                        "for 'Gt', 'Lt' operators, the value must be an integer",
                    ));
                }
            }
        }
        if !matches!(operator, Operator::GreaterThan | Operator::LessThan) {
            for value in &values {
                validate_label_value(key, value)?;
            }
        }
        Ok(Requirement {
            key: key.to_string(),
            operator,
            values: values.into_iter().collect(),
        })
    }

    /// The label key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, sorted.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether a label map satisfies this requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        let in_values = |v: &String| self.values.binary_search(v).is_ok();
        match self.operator {
            Operator::Equals | Operator::DoubleEquals | Operator::In => {
                value.is_some_and(in_values)
            }
            Operator::NotEquals | Operator::NotIn => !value.is_some_and(in_values),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let Some(actual) = value.and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                let Some(bound) = self.values.first().and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    actual > bound
                } else {
                    actual < bound
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.values.first().map_or("", String::as_str);
        match self.operator {
            Operator::Exists => write!(f, "{}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::Equals => write!(f, "{}={first}", self.key),
            Operator::DoubleEquals => write!(f, "{}=={first}", self.key),
            Operator::NotEquals => write!(f, "{}!={first}", self.key),
            Operator::GreaterThan => write!(f, "{}>{first}", self.key),
            Operator::LessThan => write!(f, "{}<{first}", self.key),
            Operator::In => write!(f, "{} in ({})", self.key, self.values.join(",")),
            Operator::NotIn => write!(f, "{} notin ({})", self.key, self.values.join(",")),
        }
    }
}

/// A label selector: either matches nothing (a missing selector object) or
/// requires all of its requirements (none: matches everything).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selector {
    /// Matches no object (Kubernetes' `labels.Nothing()`, from a nil selector).
    Nothing,
    /// Matches objects satisfying every requirement, sorted by key.
    Requirements(Vec<Requirement>),
}

impl Default for Selector {
    fn default() -> Self {
        Selector::everything()
    }
}

impl Selector {
    /// The selector that matches every object.
    pub fn everything() -> Self {
        Selector::Requirements(Vec::new())
    }

    /// Builds a selector from requirements (sorted by key, like Kubernetes).
    pub fn from_requirements(mut requirements: Vec<Requirement>) -> Self {
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Selector::Requirements(requirements)
    }

    /// A selector requiring every `key=value` of the map.
    pub fn from_map(labels: &BTreeMap<String, String>) -> Result<Self, LabelSelectorError> {
        let requirements = labels
            .iter()
            .map(|(k, v)| Requirement::new(k, Operator::Equals, [v.as_str()]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Selector::from_requirements(requirements))
    }

    /// Parses the string syntax; the empty string selects everything.
    pub fn parse(selector: &str) -> Result<Self, LabelSelectorError> {
        Parser::new(selector).parse()
    }

    /// Converts a `metav1.LabelSelector` like `LabelSelectorAsSelector`: `None`
    /// matches nothing, an empty object matches everything.
    pub fn from_label_selector(
        selector: Option<&LabelSelector>,
    ) -> Result<Self, LabelSelectorError> {
        let Some(selector) = selector else {
            return Ok(Selector::Nothing);
        };
        let mut requirements = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement::new(key, Operator::Equals, [value.as_str()])?);
        }
        for expr in selector.match_expressions.iter().flatten() {
            let operator = match expr.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(LabelSelectorError::InvalidOperator {
                        key: expr.key.clone(),
                        operator: other.to_string(),
                    });
                }
            };
            let values = expr.values.clone().unwrap_or_default();
            requirements.push(Requirement::new(&expr.key, operator, values)?);
        }
        Ok(Selector::from_requirements(requirements))
    }

    /// Converts back to a `metav1.LabelSelector`; `None` for [`Selector::Nothing`].
    /// Fails for `>`/`<` requirements, which the object form cannot express.
    pub fn to_label_selector(&self) -> Result<Option<LabelSelector>, LabelSelectorError> {
        let Selector::Requirements(requirements) = self else {
            return Ok(None);
        };
        let mut match_labels = BTreeMap::new();
        let mut match_expressions = Vec::new();
        for r in requirements {
            let expression =
                |operator: &str, values: Option<Vec<String>>| LabelSelectorRequirement {
                    key: r.key.clone(),
                    operator: operator.to_string(),
                    values,
                };
            match r.operator {
                Operator::Equals | Operator::DoubleEquals => {
                    if match_labels.contains_key(&r.key) {
                        match_expressions.push(expression("In", Some(r.values.clone())));
                    } else {
                        match_labels.insert(r.key.clone(), r.values.concat());
                    }
                }
                Operator::NotEquals | Operator::NotIn => {
                    match_expressions.push(expression("NotIn", Some(r.values.clone())));
                }
                Operator::In => match_expressions.push(expression("In", Some(r.values.clone()))),
                Operator::Exists => match_expressions.push(expression("Exists", None)),
                Operator::DoesNotExist => {
                    match_expressions.push(expression("DoesNotExist", None));
                }
                Operator::GreaterThan | Operator::LessThan => {
                    return Err(LabelSelectorError::NotRepresentable {
                        requirement: r.to_string(),
                    });
                }
            }
        }
        Ok(Some(LabelSelector {
            match_labels: (!match_labels.is_empty()).then_some(match_labels),
            match_expressions: (!match_expressions.is_empty()).then_some(match_expressions),
        }))
    }

    /// Whether this selector matches every object.
    pub fn is_everything(&self) -> bool {
        matches!(self, Selector::Requirements(r) if r.is_empty())
    }

    /// The requirements (empty for both everything and nothing).
    pub fn requirements(&self) -> &[Requirement] {
        match self {
            Selector::Nothing => &[],
            Selector::Requirements(r) => r,
        }
    }

    /// Whether optional labels (as in `ObjectMeta::labels`) satisfy the
    /// selector; `None` is an empty label map.
    pub fn matches_opt(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.matches(labels.unwrap_or(&EMPTY))
    }

    /// Whether a label map satisfies the selector.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Selector::Nothing => false,
            Selector::Requirements(requirements) => requirements.iter().all(|r| r.matches(labels)),
        }
    }
}

/// The string form; `Nothing` prints as the empty string, as in Kubernetes.
impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Selector {
    type Err = LabelSelectorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

impl TryFrom<&LabelSelector> for Selector {
    type Error = LabelSelectorError;
    fn try_from(value: &LabelSelector) -> Result<Self, Self::Error> {
        Selector::from_label_selector(Some(value))
    }
}

/// Formats a `metav1.LabelSelector` in the string syntax (Kubernetes'
/// `FormatLabelSelector`, without its `<none>`/`<error>` placeholders).
pub fn label_selector_to_string(selector: &LabelSelector) -> Result<String, LabelSelectorError> {
    Ok(Selector::from_label_selector(Some(selector))?.to_string())
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_alnum(b[0])
        && is_alnum(b[b.len() - 1])
        && b.iter()
            .all(|&c| is_alnum(c) || matches!(c, b'-' | b'_' | b'.'))
}

/// An RFC 1123 subdomain: lower-case alphanumerics, `-` and `.`, at most 253.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
                && b[b.len() - 1].is_ascii_lowercase() | b[b.len() - 1].is_ascii_digit()
                && b.iter()
                    .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        })
}

/// Checks a label key: an optional DNS subdomain prefix and `/`, then a name
/// of at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
pub fn validate_label_key(key: &str) -> Result<(), LabelSelectorError> {
    let err = |reason: &str| LabelSelectorError::InvalidKey {
        key: key.to_string(),
        reason: reason.to_string(),
    };
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            return Err(err("prefix part must be non-empty"));
        }
        if !is_dns1123_subdomain(prefix) {
            return Err(err(
                "prefix part must be a lowercase RFC 1123 subdomain of at most 253 characters",
            ));
        }
    }
    if name.is_empty() {
        return Err(err("name part must be non-empty"));
    }
    if name.len() > 63 {
        return Err(err("name part must be no more than 63 characters"));
    }
    if !is_qualified_name_part(name) {
        return Err(err(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ));
    }
    Ok(())
}

/// Checks a label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`,
/// starting and ending alphanumeric.
pub fn validate_label_value(key: &str, value: &str) -> Result<(), LabelSelectorError> {
    let err = |reason: &str| LabelSelectorError::InvalidValue {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    };
    if value.len() > 63 {
        return Err(err("must be no more than 63 characters"));
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        return Err(err(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Ident(&'a str),
    Not,
    NotEquals,
    Equals,
    DoubleEquals,
    Greater,
    Less,
    Open,
    Close,
    Comma,
    End,
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Token::Ident(s) => s,
            Token::Not => "!",
            Token::NotEquals => "!=",
            Token::Equals => "=",
            Token::DoubleEquals => "==",
            Token::Greater => ">",
            Token::Less => "<",
            Token::Open => "(",
            Token::Close => ")",
            Token::Comma => ",",
            Token::End => "end of string",
        })
    }
}

fn is_special(c: u8) -> bool {
    matches!(c, b'!' | b'=' | b'>' | b'<' | b'(' | b')' | b',') || c.is_ascii_whitespace()
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        Parser { input, pos: 0 }
    }

    fn error(&self, message: String) -> LabelSelectorError {
        LabelSelectorError::Syntax {
            selector: self.input.to_string(),
            message,
        }
    }

    fn scan(&self) -> (Token<'a>, usize) {
        let bytes = self.input.as_bytes();
        let mut pos = self.pos;
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= bytes.len() {
            return (Token::End, pos);
        }
        let next = bytes.get(pos + 1).copied();
        let (token, len) = match (bytes[pos], next) {
            (b'!', Some(b'=')) => (Token::NotEquals, 2),
            (b'!', _) => (Token::Not, 1),
            (b'=', Some(b'=')) => (Token::DoubleEquals, 2),
            (b'=', _) => (Token::Equals, 1),
            (b'>', _) => (Token::Greater, 1),
            (b'<', _) => (Token::Less, 1),
            (b'(', _) => (Token::Open, 1),
            (b')', _) => (Token::Close, 1),
            (b',', _) => (Token::Comma, 1),
            _ => {
                let start = pos;
                let mut end = pos;
                while end < bytes.len() && !is_special(bytes[end]) {
                    end += 1;
                }
                return (Token::Ident(&self.input[start..end]), end);
            }
        };
        (token, pos + len)
    }

    fn peek(&self) -> Token<'a> {
        self.scan().0
    }

    fn next(&mut self) -> Token<'a> {
        let (token, pos) = self.scan();
        self.pos = pos;
        token
    }

    fn parse(mut self) -> Result<Selector, LabelSelectorError> {
        let mut requirements = Vec::new();
        if self.peek() == Token::End {
            return Ok(Selector::everything());
        }
        loop {
            requirements.push(self.requirement()?);
            match self.next() {
                Token::End => break,
                Token::Comma => {
                    if matches!(self.peek(), Token::End) {
                        return Err(self.error(
                            "found 'end of string', expected: identifier or '!'".to_string(),
                        ));
                    }
                }
                other => {
                    return Err(
                        self.error(format!("found '{other}', expected: ',' or 'end of string'"))
                    );
                }
            }
        }
        Ok(Selector::from_requirements(requirements))
    }

    fn requirement(&mut self) -> Result<Requirement, LabelSelectorError> {
        let negated = if self.peek() == Token::Not {
            self.next();
            true
        } else {
            false
        };
        let key = match self.next() {
            Token::Ident(key) => key,
            other => {
                return Err(self.error(format!("found '{other}', expected: identifier")));
            }
        };
        if negated {
            return match self.peek() {
                Token::End | Token::Comma => Requirement::new(key, Operator::DoesNotExist, [""; 0]),
                other => Err(self.error(format!(
                    "found '{other}', expected: ',' or 'end of string' after '!{key}'"
                ))),
            };
        }
        let operator = match self.peek() {
            Token::End | Token::Comma => {
                return Requirement::new(key, Operator::Exists, [""; 0]);
            }
            Token::Ident("in") => Operator::In,
            Token::Ident("notin") => Operator::NotIn,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::NotEquals => Operator::NotEquals,
            Token::Greater => Operator::GreaterThan,
            Token::Less => Operator::LessThan,
            other => {
                return Err(self.error(format!(
                    "found '{other}', expected: in, notin, =, ==, !=, gt, lt"
                )));
            }
        };
        self.next();
        let values = match operator {
            Operator::In | Operator::NotIn => self.value_set()?,
            _ => vec![self.exact_value()?],
        };
        Requirement::new(key, operator, values)
    }

    fn exact_value(&mut self) -> Result<String, LabelSelectorError> {
        match self.peek() {
            Token::End | Token::Comma => Ok(String::new()),
            Token::Ident(value) => {
                self.next();
                Ok(value.to_string())
            }
            other => Err(self.error(format!("found '{other}', expected: identifier"))),
        }
    }

    fn value_set(&mut self) -> Result<Vec<String>, LabelSelectorError> {
        match self.next() {
            Token::Open => {}
            other => return Err(self.error(format!("found '{other}', expected: '('"))),
        }
        let mut values = Vec::new();
        // Values are identifiers separated by commas; an empty slot is "".
        let mut expect_value = true;
        loop {
            match self.next() {
                Token::Ident(v) if expect_value => {
                    values.push(v.to_string());
                    expect_value = false;
                }
                Token::Comma => {
                    if expect_value {
                        values.push(String::new());
                    }
                    expect_value = true;
                }
                Token::Close => {
                    if expect_value {
                        values.push(String::new());
                    }
                    return Ok(values);
                }
                other => {
                    return Err(
                        self.error(format!("found '{other}', expected: ',', ')' or identifier"))
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_every_operator() {
        let cases = [
            ("", ""),
            ("x=a", "x=a"),
            ("x==a", "x==a"),
            ("x!=a", "x!=a"),
            ("x = a , y != b", "x=a,y!=b"),
            ("b=1,a=2", "a=2,b=1"),
            ("x in (b, a)", "x in (a,b)"),
            ("x notin (a)", "x notin (a)"),
            ("x in ()", "x in ()"),
            ("x in (a,,b)", "x in (,a,b)"),
            ("x", "x"),
            ("!x", "!x"),
            ("  !x  ", "!x"),
            ("x>1", "x>1"),
            ("x<-1", "x<-1"),
            ("x=", "x="),
            ("app.kubernetes.io/name=web", "app.kubernetes.io/name=web"),
            (
                "env in (prod),tier notin (db),!canary",
                "!canary,env in (prod),tier notin (db)",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(sel(input).to_string(), want, "{input:?}");
        }
    }

    #[test]
    fn syntax_errors_are_reported() {
        let bad = [
            "x=a b",
            "x in a",
            "x in (a",
            "!x=a",
            "x,",
            ",x",
            "x=(a)",
            "x>a",
            "x in (a) y",
            "=a",
            "x = a = b",
        ];
        for input in bad {
            let err = Selector::parse(input).unwrap_err();
            assert!(!err.to_string().is_empty(), "{input}");
        }
        assert!(matches!(
            Selector::parse("-x=a"),
            Err(LabelSelectorError::InvalidKey { .. })
        ));
        assert!(matches!(
            Selector::parse("x=a$"),
            Err(LabelSelectorError::InvalidValue { .. })
        ));
        let long = "a".repeat(64);
        assert!(Selector::parse(&format!("{long}=a")).is_err());
        assert!(Selector::parse(&format!("x={long}")).is_err());
        assert!(Selector::parse("Example.com/x=a").is_err());
        assert!(Selector::parse("/x=a").is_err());
        assert!(Selector::parse("example.com/x=a").is_ok());
        let err = Selector::parse("x in (a) y").unwrap_err().to_string();
        assert!(
            err.contains("found 'y', expected: ',' or 'end of string'"),
            "{err}"
        );
    }

    #[test]
    fn matching_follows_kubernetes() {
        let l = labels(&[("env", "prod"), ("tier", "web"), ("n", "5")]);
        let yes = [
            "",
            "env=prod",
            "env==prod",
            "env!=dev",
            "missing!=x",
            "env in (dev,prod)",
            "env notin (dev)",
            "missing notin (dev)",
            "env",
            "!missing",
            "n>4",
            "n<6",
            "env=prod,tier=web",
        ];
        let no = [
            "env=dev",
            "env!=prod",
            "env in (dev)",
            "env notin (prod)",
            "missing",
            "!env",
            "n>5",
            "env>1",
            "missing in (x)",
            "env=prod,tier=db",
            "missing=",
        ];
        for s in yes {
            assert!(sel(s).matches(&l), "{s} should match");
        }
        for s in no {
            assert!(!sel(s).matches(&l), "{s} should not match");
        }
        assert!(!Selector::Nothing.matches(&l));
        assert!(sel("!env").matches_opt(None));
        assert!(!sel("env").matches_opt(None));
        assert!(sel("env=prod").matches_opt(Some(&l)));
        assert!(!Selector::Nothing.matches(&BTreeMap::new()));
    }

    #[test]
    fn label_selector_objects_convert() {
        assert_eq!(
            Selector::from_label_selector(None).unwrap(),
            Selector::Nothing
        );
        let empty = LabelSelector::default();
        let everything = Selector::try_from(&empty).unwrap();
        assert!(everything.is_everything());
        assert!(everything.matches(&BTreeMap::new()));

        let ls = LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "In".into(),
                    values: Some(vec!["prod".into(), "staging".into()]),
                },
                LabelSelectorRequirement {
                    key: "canary".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
            ]),
        };
        assert_eq!(
            label_selector_to_string(&ls).unwrap(),
            "app=web,!canary,env in (prod,staging)"
        );
        let s = Selector::try_from(&ls).unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "prod"), ("canary", "1")])));
        let back = s.to_label_selector().unwrap().unwrap();
        assert_eq!(Selector::try_from(&back).unwrap(), s);

        let bad_op = LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "Gt".into(),
                values: Some(vec!["1".into()]),
            }]),
            ..Default::default()
        };
        let err = Selector::try_from(&bad_op).unwrap_err();
        assert!(
            err.to_string()
                .contains("not a valid label selector operator"),
            "{err}"
        );
        let empty_in = LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "In".into(),
                values: Some(vec![]),
            }]),
            ..Default::default()
        };
        assert!(matches!(
            Selector::try_from(&empty_in),
            Err(LabelSelectorError::InvalidValues { .. })
        ));
        let exists_with_values = LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "Exists".into(),
                values: Some(vec!["x".into()]),
            }]),
            ..Default::default()
        };
        assert!(Selector::try_from(&exists_with_values).is_err());
        assert!(sel("a>1").to_label_selector().is_err());
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]([a-z0-9.-]{0,6}[a-z0-9])?",
            "[a-z]{1,5}\\.io/[A-Za-z]([A-Za-z0-9_.-]{0,5}[A-Za-z0-9])?",
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        "([A-Za-z0-9]([A-Za-z0-9_.-]{0,4}[A-Za-z0-9])?)?"
    }

    fn expression() -> impl Strategy<Value = LabelSelectorRequirement> {
        (
            key(),
            prop::sample::select(vec!["In", "NotIn", "Exists", "DoesNotExist"]),
            prop::collection::vec(value(), 1..4),
        )
            .prop_map(|(key, op, values)| LabelSelectorRequirement {
                key,
                operator: op.to_string(),
                values: matches!(op, "In" | "NotIn").then_some(values),
            })
    }

    fn label_selector() -> impl Strategy<Value = LabelSelector> {
        (
            prop::collection::btree_map(key(), value(), 0..3),
            prop::collection::vec(expression(), 0..4),
        )
            .prop_map(|(labels, exprs)| LabelSelector {
                match_labels: Some(labels),
                match_expressions: Some(exprs),
            })
    }

    proptest! {
        #[test]
        fn string_form_round_trips(ls in label_selector()) {
            let s = Selector::try_from(&ls).unwrap();
            let printed = s.to_string();
            let parsed = Selector::parse(&printed).unwrap();
            prop_assert_eq!(parsed.to_string(), printed);
            prop_assert_eq!(parsed, s);
        }

        #[test]
        fn object_and_string_forms_match_alike(
            ls in label_selector(),
            objects in prop::collection::vec(prop::collection::btree_map(key(), value(), 0..4), 1..6),
        ) {
            let object_form = Selector::try_from(&ls).unwrap();
            let string_form = Selector::parse(&object_form.to_string()).unwrap();
            // Also try objects built from the selector's own keys and values.
            let mut candidates = objects;
            let mut own = BTreeMap::new();
            for (k, v) in ls.match_labels.iter().flatten() {
                own.insert(k.clone(), v.clone());
            }
            candidates.push(own);
            for labels in &candidates {
                prop_assert_eq!(object_form.matches(labels), string_form.matches(labels));
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Selector::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_selector_like(s in "[a-z!=(), <>]{0,30}") {
            if let Ok(sel) = Selector::parse(&s) {
                let again = Selector::parse(&sel.to_string()).unwrap();
                prop_assert_eq!(again, sel);
            }
        }
    }
}
