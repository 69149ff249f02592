//! Validation as pure functions on JSON objects, with Kubernetes' field
//! paths, messages and cause reasons (`pkg/apis/core/validation`,
//! `pkg/apis/apps/validation`, apimachinery's name validators).
//!
//! Each kind's entry points (`validate_*_create`, `validate_*_update`) are
//! wired into its [`KindHooks`](crate::registry::KindHooks). Objects are
//! expected to be defaulted already.

pub mod apps;
pub mod core;
pub mod field;
pub mod meta;
pub mod names;
pub mod network;
pub mod pod;
pub mod resources;
pub mod service;

use serde_json::Value;

/// A `null` to borrow where a field is absent.
pub(crate) static NULL: Value = Value::Null;

/// A string field of a JSON object, or `""`.
pub(crate) fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An array field of a JSON object, or an empty slice.
pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// An integer field of a JSON object.
pub(crate) fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// A present, non-null field of a JSON object.
pub(crate) fn obj_get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}
