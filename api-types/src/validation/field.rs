//! Field errors in Kubernetes' shape (`k8s.io/apimachinery/pkg/util/validation/field`):
//! constructors for each error type, paths, and the Go-style rendering of
//! bad values (`%q` for strings, `%v` for numbers, `%#v` for structs) that
//! makes our messages read exactly like kube-apiserver's.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::registry::FieldError;

/// A field path under construction: `spec.containers[0].image`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    /// A root path such as `metadata` or `spec`.
    pub fn new(root: &str) -> Self {
        Path(root.to_string())
    }

    /// `parent.name` (or `name` at the root).
    pub fn child(&self, name: &str) -> Self {
        if self.0.is_empty() {
            return Path(name.to_string());
        }
        let mut s = String::with_capacity(self.0.len() + 1 + name.len());
        s.push_str(&self.0);
        s.push('.');
        s.push_str(name);
        Path(s)
    }

    /// `parent[i]`.
    pub fn index(&self, i: usize) -> Self {
        self.key(&i.to_string())
    }

    /// `parent[key]`.
    pub fn key(&self, key: &str) -> Self {
        let mut s = String::with_capacity(self.0.len() + 2 + key.len());
        s.push_str(&self.0);
        s.push('[');
        s.push_str(key);
        s.push(']');
        Path(s)
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bad value as Go's `field.Error` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadValue {
    /// A string, printed `%q`.
    Str(String),
    /// A number, printed `%v`.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// `null`.
    Null,
    /// Already rendered text (a Go `%#v` of a struct, map or slice).
    Raw(String),
}

impl From<&str> for BadValue {
    fn from(s: &str) -> Self {
        BadValue::Str(s.to_string())
    }
}

impl From<String> for BadValue {
    fn from(s: String) -> Self {
        BadValue::Str(s)
    }
}

impl From<&String> for BadValue {
    fn from(s: &String) -> Self {
        BadValue::Str(s.clone())
    }
}

impl From<i64> for BadValue {
    fn from(v: i64) -> Self {
        BadValue::Int(v)
    }
}

impl From<i32> for BadValue {
    fn from(v: i32) -> Self {
        BadValue::Int(i64::from(v))
    }
}

impl From<bool> for BadValue {
    fn from(v: bool) -> Self {
        BadValue::Bool(v)
    }
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Null => f.write_str("null"),
            BadValue::Raw(r) => f.write_str(r),
        }
    }
}

/// Go's `%q` of a string.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%#v` of a `map[string]string`.
pub fn go_map(m: Option<&BTreeMap<String, String>>) -> String {
    match m {
        None => "map[string]string(nil)".to_string(),
        Some(m) => {
            let body: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
                .collect();
            format!("map[string]string{{{}}}", body.join(", "))
        }
    }
}

/// Go's `%#v` of a `[]string`.
pub fn go_string_slice(v: Option<&[String]>) -> String {
    match v {
        None => "[]string(nil)".to_string(),
        Some(v) => format!(
            "[]string{{{}}}",
            v.iter().map(|s| go_quote(s)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Go's `%#v` of a `metav1.LabelSelector` decoded from JSON.
pub fn go_label_selector(sel: &Value) -> String {
    let labels: Option<BTreeMap<String, String>> = sel
        .get("matchLabels")
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let exprs = match sel.get("matchExpressions").and_then(Value::as_array) {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(list) => {
            let items: Vec<String> = list
                .iter()
                .map(|e| {
                    let values: Option<Vec<String>> = e
                        .get("values")
                        .and_then(|v| serde_json::from_value(v.clone()).ok());
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        go_quote(e.get("key").and_then(Value::as_str).unwrap_or("")),
                        go_quote(e.get("operator").and_then(Value::as_str).unwrap_or("")),
                        go_string_slice(values.as_deref())
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{}}}",
        go_map(labels.as_ref()),
        exprs
    )
}

/// Go's `%#v` of an `intstr.IntOrString` decoded from JSON.
pub fn go_int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => format!(
            "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
            go_quote(s)
        ),
        other => format!(
            "intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}",
            other.as_i64().unwrap_or(0)
        ),
    }
}

fn make(reason: &'static str, path: &Path, message: String) -> FieldError {
    FieldError {
        reason,
        field: path.0.clone(),
        message,
    }
}

fn with_detail(head: String, detail: &str) -> String {
    if detail.is_empty() {
        head
    } else {
        format!("{head}: {detail}")
    }
}

/// `field.Required`: `Required value[: detail]`.
pub fn required(path: &Path, detail: &str) -> FieldError {
    make(
        "FieldValueRequired",
        path,
        with_detail("Required value".into(), detail),
    )
}

/// `field.Invalid`: `Invalid value: <value>: detail`.
pub fn invalid(path: &Path, value: impl Into<BadValue>, detail: &str) -> FieldError {
    make(
        "FieldValueInvalid",
        path,
        with_detail(format!("Invalid value: {}", value.into()), detail),
    )
}

/// `field.NotSupported`: `Unsupported value: "x": supported values: "a", "b"`.
pub fn not_supported(path: &Path, value: impl Into<BadValue>, valid: &[&str]) -> FieldError {
    let detail = if valid.is_empty() {
        String::new()
    } else {
        format!(
            "supported values: {}",
            valid
                .iter()
                .map(|v| go_quote(v))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    make(
        "FieldValueNotSupported",
        path,
        with_detail(format!("Unsupported value: {}", value.into()), &detail),
    )
}

/// `field.Duplicate`: `Duplicate value: <value>`.
pub fn duplicate(path: &Path, value: impl Into<BadValue>) -> FieldError {
    make(
        "FieldValueDuplicate",
        path,
        format!("Duplicate value: {}", value.into()),
    )
}

/// `field.Forbidden`: `Forbidden: detail`.
pub fn forbidden(path: &Path, detail: &str) -> FieldError {
    make(
        "FieldValueForbidden",
        path,
        with_detail("Forbidden".into(), detail),
    )
}

/// `field.TooLong`: `Too long: may not be more than N bytes`.
pub fn too_long(path: &Path, max: usize) -> FieldError {
    let unit = if max == 1 { "byte" } else { "bytes" };
    make(
        "FieldValueTooLong",
        path,
        format!("Too long: may not be more than {max} {unit}"),
    )
}

/// `field.TooMany`: `Too many: N: must have at most M items`.
pub fn too_many(path: &Path, actual: usize, max: usize) -> FieldError {
    make(
        "FieldValueTooMany",
        path,
        format!("Too many: {actual}: must have at most {max} items"),
    )
}

/// `field.NotFound`: `Not found: <value>`.
pub fn not_found(path: &Path, value: impl Into<BadValue>) -> FieldError {
    make(
        "FieldValueNotFound",
        path,
        format!("Not found: {}", value.into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_read_like_kubernetes() {
        let p = Path::new("spec")
            .child("containers")
            .index(0)
            .child("image");
        assert_eq!(p.as_str(), "spec.containers[0].image");
        assert_eq!(required(&p, "").message, "Required value");
        assert_eq!(
            required(
                &Path::new("metadata").child("name"),
                "name or generateName is required"
            )
            .message,
            "Required value: name or generateName is required"
        );
        assert_eq!(
            invalid(&p, "Foo", "bad").message,
            "Invalid value: \"Foo\": bad"
        );
        assert_eq!(
            invalid(&p, 70000, "bad").message,
            "Invalid value: 70000: bad"
        );
        assert_eq!(
            not_supported(&p, "Sometimes", &["Always", "OnFailure", "Never"]).message,
            "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        );
        assert_eq!(duplicate(&p, "web").reason, "FieldValueDuplicate");
        assert_eq!(forbidden(&p, "no").message, "Forbidden: no");
        assert_eq!(
            too_long(&p, 262144).message,
            "Too long: may not be more than 262144 bytes"
        );
        assert_eq!(not_found(&p, "data").message, "Not found: \"data\"");
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(Path::new("data").key("a.b").as_str(), "data[a.b]");
    }

    #[test]
    fn go_renderings() {
        assert_eq!(
            go_label_selector(&json!({"matchLabels": {"app": "web"}})),
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
        );
        assert_eq!(
            go_label_selector(
                &json!({"matchExpressions": [{"key": "a", "operator": "In", "values": ["x"]}]})
            ),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"a\", Operator:\"In\", Values:[]string{\"x\"}}}}"
        );
        assert_eq!(
            go_int_or_string(&json!(0)),
            "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}"
        );
        assert_eq!(
            go_int_or_string(&json!("0%")),
            "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}"
        );
    }
}
