//! Helpers shared by the built-in kinds: typed decoding of JSON objects,
//! ages in Kubernetes' `HumanDuration` form, and printer formatting.

use std::collections::BTreeMap;

use k8s_openapi::Metadata;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::registry::{Column, FieldError, TypedObject};

/// Decode the top-level `keys` of `obj` as `T`, let `f` change it, then
/// write back only those keys, in place (so that metadata and timestamps
/// keep their exact form).
///
/// Only the given keys are decoded (moved out of `obj`, not copied): `f`
/// sees a `T` whose other fields, metadata included, are empty. On an
/// error those keys are left null: the caller refuses the object.
pub(crate) fn mutate_typed<T, F>(obj: &mut Value, keys: &[&str], f: F) -> Result<(), String>
where
    T: DeserializeOwned + Serialize,
    F: FnOnce(&mut T),
{
    let Some(map) = obj.as_object_mut() else {
        return Err("object is not a JSON object".to_string());
    };
    let mut partial = serde_json::Map::new();
    for key in keys {
        if let Some(v) = map.get_mut(*key) {
            partial.insert((*key).to_string(), v.take());
        }
    }
    let mut typed = T::deserialize(Value::Object(partial)).map_err(|e| e.to_string())?;
    f(&mut typed);
    let Value::Object(mut new) = serde_json::to_value(&typed).map_err(|e| e.to_string())? else {
        return Err("typed object did not encode as a JSON object".to_string());
    };
    for key in keys {
        match new.remove(*key) {
            Some(v) if !v.is_null() => {
                map.insert((*key).to_string(), v);
            }
            _ => {
                map.remove(*key);
            }
        }
    }
    Ok(())
}

/// Decode a JSON body straight into `T`, let `f` default it, and encode it
/// back, naming every field `T` ignored as Kubernetes' strict decoding does
/// (`unknown field "spec.containers[0].imagePullPolcy"`). `None` if the
/// body does not decode as `T` (or has trailing data).
pub(crate) fn decode_typed_defaulted<T, F>(raw: &[u8], f: F) -> Option<(Value, Vec<String>)>
where
    T: DeserializeOwned + Serialize,
    F: FnOnce(&mut T),
{
    let (mut typed, unknown) = decode_typed::<T>(raw)?;
    f(&mut typed);
    let value = serde_json::to_value(&typed).ok()?;
    value.is_object().then_some((value, unknown))
}

/// Decode a JSON body straight into `T`, naming every field `T` ignored
/// (`unknown field "spec.containers[0].imagePullPolcy"`). `None` if the
/// body does not decode as `T` (or has trailing data).
pub(crate) fn decode_typed<T: DeserializeOwned>(raw: &[u8]) -> Option<(T, Vec<String>)> {
    let mut unknown = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(raw);
    let typed: T = serde_ignored::deserialize(&mut de, |path| {
        unknown.push(format!("unknown field \"{}\"", field_path(&path)));
    })
    .ok()?;
    de.end().ok()?;
    Some((typed, unknown))
}

/// A [`TypedObject`] for any k8s-openapi resource: the struct, with the
/// kind's validation and new-object status as plain functions.
pub(crate) struct Typed<T> {
    pub(crate) obj: T,
    pub(crate) validate: fn(&T) -> Vec<FieldError>,
    pub(crate) reset_status: fn(&mut T),
}

impl<T> TypedObject for Typed<T>
where
    T: Metadata<Ty = ObjectMeta> + Serialize + Clone + Send + Sync + 'static,
{
    fn meta(&self) -> &ObjectMeta {
        self.obj.metadata()
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        self.obj.metadata_mut()
    }

    fn reset_status(&mut self) {
        (self.reset_status)(&mut self.obj);
    }

    fn validate_create(&self) -> Vec<FieldError> {
        (self.validate)(&self.obj)
    }

    fn to_json(&self) -> Vec<u8> {
        // k8s-openapi's structs hold only strings, numbers, maps with string
        // keys and their own types: encoding cannot fail.
        let mut out = Vec::with_capacity(4096);
        match serde_json::to_writer(&mut out, &self.obj) {
            Ok(()) => out,
            Err(_) => Vec::new(),
        }
    }

    fn to_value(&self) -> Value {
        serde_json::to_value(&self.obj).unwrap_or_default()
    }

    fn clone_boxed(&self) -> Box<dyn TypedObject> {
        Box::new(Typed {
            obj: self.obj.clone(),
            validate: self.validate,
            reset_status: self.reset_status,
        })
    }
}

/// A serde path in Kubernetes' field-path form: `spec.containers[0].name`.
fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        Path::Map { parent, key } => {
            let parent = field_path(parent);
            if parent.is_empty() {
                key.to_string()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => field_path(parent),
    }
}

/// Decode a JSON object as the typed struct `T`.
pub(crate) fn decode<T: DeserializeOwned>(obj: &Value) -> Result<T, String> {
    if !obj.is_object() {
        return Err("object is not a JSON object".to_string());
    }
    T::deserialize(obj).map_err(|e| e.to_string())
}

/// Kubernetes' `duration.HumanDuration` for a number of seconds.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{}h", hours / 24, h);
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{}d", hours / 24 / 365, dy);
    }
    format!("{}y", hours / 24 / 365)
}

/// Age of a timestamp (Kubernetes `translateTimestampSince`): `<unknown>`
/// when absent.
pub(crate) fn age_of(ts: Option<Timestamp>, now: i64) -> String {
    match ts {
        Some(ts) => human_duration(now - ts.as_second()),
        None => "<unknown>".to_string(),
    }
}

/// Parse an RFC 3339 timestamp string from JSON.
pub(crate) fn parse_time(v: Option<&Value>) -> Option<Timestamp> {
    v.and_then(Value::as_str).and_then(|s| s.parse().ok())
}

/// The `Age` cell of any object: its `metadata.creationTimestamp`.
pub(crate) fn age_cell(obj: &Value, now: i64) -> Value {
    Value::String(age_of(
        parse_time(obj.pointer("/metadata/creationTimestamp")),
        now,
    ))
}

/// The `Name` cell of any object.
pub(crate) fn name_cell(obj: &Value) -> Value {
    Value::String(str_at(obj, "/metadata/name").to_string())
}

/// The string at a JSON pointer, or `""`.
pub(crate) fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The `Name` column.
pub(crate) fn name_column() -> Column {
    Column {
        name: "Name",
        type_: "string",
        format: "name",
        description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        priority: 0,
    }
}

/// The `Age` column.
pub(crate) fn age_column() -> Column {
    Column {
        name: "Age",
        type_: "string",
        format: "",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        priority: 0,
    }
}

/// A column with no format.
pub(crate) const fn column(
    name: &'static str,
    type_: &'static str,
    priority: i32,
    description: &'static str,
) -> Column {
    Column {
        name,
        type_,
        format: "",
        description,
        priority,
    }
}

/// A label selector in `labels.Selector.String()` form (requirements sorted
/// by key): `app=web,tier in (a,b),!legacy`. Absent or empty → `""`;
/// `None` when `LabelSelectorAsSelector` would fail (unknown operator,
/// `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values).
pub fn label_selector_string(sel: Option<&LabelSelector>) -> Option<String> {
    let Some(sel) = sel else {
        return Some(String::new());
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(ml) = &sel.match_labels {
        for (k, v) in ml {
            reqs.push((k.clone(), format!("{k}={v}")));
        }
    }
    if let Some(exprs) = &sel.match_expressions {
        for e in exprs {
            let mut values = e.values.clone().unwrap_or_default();
            values.sort();
            values.dedup();
            let text = match e.operator.as_str() {
                "In" | "NotIn" if values.is_empty() => return None,
                "Exists" | "DoesNotExist" if !values.is_empty() => return None,
                "In" => format!("{} in ({})", e.key, values.join(",")),
                "NotIn" => format!("{} notin ({})", e.key, values.join(",")),
                "Exists" => e.key.clone(),
                "DoesNotExist" => format!("!{}", e.key),
                _ => return None,
            };
            reqs.push((e.key.clone(), text));
        }
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    Some(
        reqs.into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// The Deployment printer's selector cell: the selector string, `""` when
/// empty, `<invalid>` when it does not convert.
pub fn format_label_selector(sel: Option<&LabelSelector>) -> String {
    label_selector_string(sel).unwrap_or_else(|| "<invalid>".to_string())
}

/// `metav1.FormatLabelSelector` (ReplicaSet printer): `<none>` when empty,
/// `<error>` when the selector does not convert.
pub fn format_label_selector_or_none(sel: Option<&LabelSelector>) -> String {
    match label_selector_string(sel) {
        None => "<error>".to_string(),
        Some(s) if s.is_empty() => "<none>".to_string(),
        Some(s) => s,
    }
}

/// A label map in `labels.FormatLabels` form: sorted `k=v` joined by
/// commas, `<none>` when empty.
pub fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    match labels {
        Some(l) if !l.is_empty() => l
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".to_string(),
    }
}

/// `listWithMoreString` from the printers: `a,b,c + 2 more...`, or
/// `<unset>` for an empty list.
pub(crate) fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let ret = list.join(",");
    if more {
        return format!("{ret} + {} more...", count - max);
    }
    if ret.is_empty() {
        return "<unset>".to_string();
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_duration_matches_kubernetes() {
        assert_eq!(human_duration(-5), "<invalid>");
        assert_eq!(human_duration(-1), "0s");
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(120), "2m");
        assert_eq!(human_duration(182), "3m2s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(179 * 60 + 59), "179m");
        assert_eq!(human_duration(3 * 3600), "3h");
        assert_eq!(human_duration(5 * 3600), "5h");
        assert_eq!(human_duration(5 * 3600 + 30 * 60), "5h30m");
        assert_eq!(human_duration(8 * 3600), "8h");
        assert_eq!(human_duration(47 * 3600), "47h");
        assert_eq!(human_duration(51 * 3600), "2d3h");
        assert_eq!(human_duration(3 * 86400), "3d");
        assert_eq!(human_duration(30 * 86400), "30d");
        assert_eq!(human_duration(2 * 365 * 86400 + 10 * 86400), "2y10d");
        assert_eq!(human_duration(9 * 365 * 86400), "9y");
    }

    #[test]
    fn label_selector_string_is_sorted() {
        let sel: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [
                {"key": "c", "operator": "In", "values": ["y", "x"]},
                {"key": "aa", "operator": "DoesNotExist"},
                {"key": "d", "operator": "Exists"},
                {"key": "e", "operator": "NotIn", "values": ["z"]}
            ]
        }))
        .unwrap();
        assert_eq!(
            format_label_selector(Some(&sel)),
            "a=1,!aa,b=2,c in (x,y),d,e notin (z)"
        );
        assert_eq!(format_label_selector(None), "");
        assert_eq!(format_label_selector_or_none(None), "<none>");
        let bad: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchExpressions": [{"key": "c", "operator": "In"}]
        }))
        .unwrap();
        assert_eq!(format_label_selector(Some(&bad)), "<invalid>");
        assert_eq!(format_label_selector_or_none(Some(&bad)), "<error>");
    }

    #[test]
    fn labels_format() {
        let mut m = BTreeMap::new();
        assert_eq!(format_labels(Some(&m)), "<none>");
        m.insert("b".to_string(), "2".to_string());
        m.insert("a".to_string(), "1".to_string());
        assert_eq!(format_labels(Some(&m)), "a=1,b=2");
    }
}
