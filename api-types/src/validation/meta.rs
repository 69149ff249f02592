//! Object metadata validation (`ValidateObjectMeta`,
//! `ValidateObjectMetaUpdate`), labels, annotations, finalizers, owner
//! references and label selectors.
//!
//! Metadata comes in two shapes: a JSON `metadata` object (every kind, and
//! custom resources, whose metadata only exists as a `Value`) and a typed
//! [`ObjectMeta`] (the Pod create path, which never builds a `Value`). There
//! is one implementation of each rule, written on plain Rust types: label and
//! annotation maps are iterators of `(&str, &str)` pairs, finalizers an
//! iterator of `&str`, owner references an iterator of `OwnerRefView`s, and
//! the name, generateName and namespace rules take `&str`s. The JSON wrappers
//! ([`validate_object_meta`], [`validate_labels`], [`validate_annotations`])
//! and the typed ones ([`validate_object_meta_typed`],
//! [`validate_label_map`], [`validate_annotation_map`]) only adapt their
//! input to those views.
//!
//! The JSON side deliberately does not decode `metadata` into `ObjectMeta`:
//! it keeps reading a badly typed field as its zero value (a label whose
//! value is the number `1` validates as the empty label value `""`, a
//! non-string finalizer as `""`), as it always has, so custom resources and
//! objects that never went through a typed struct see exactly the messages
//! they saw before, and a metadata that would not decode needs no extra
//! error of its own.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use serde_json::Value;

use super::field::{BadValue, Path, forbidden, go_label_selector, invalid, required, too_long};
use super::names::{is_qualified_name, is_valid_label_value, name_is_dns_label};
use crate::registry::FieldError;

/// A name validator: `(name, is_prefix) -> messages`.
pub type NameFn = fn(&str, bool) -> Vec<String>;

/// Total size limit of all annotations (256 KiB).
pub const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

const STANDARD_FINALIZERS: &[&str] = &["kubernetes", "orphan", "foregroundDeletion"];

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The `(key, value)` pairs of a JSON string map; a value that is not a
/// string reads as `""`.
fn json_string_pairs(map: Option<&Value>) -> impl Iterator<Item = (&str, &str)> {
    map.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
}

/// The `(key, value)` pairs of a typed string map.
fn map_pairs(map: Option<&BTreeMap<String, String>>) -> impl Iterator<Item = (&str, &str)> {
    map.into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

/// `ValidateLabelName`.
pub fn validate_label_name(name: &str, path: &Path) -> Vec<FieldError> {
    is_qualified_name(name)
        .into_iter()
        .map(|m| invalid(path, name, &m))
        .collect()
}

/// `ValidateLabels` on `(key, value)` pairs: the one implementation.
pub fn validate_label_pairs<'a>(
    labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels {
        errs.extend(validate_label_name(k, path));
        for m in is_valid_label_value(v) {
            errs.push(invalid(path, v, &m));
        }
    }
    errs
}

/// `ValidateLabels` on a JSON map (non-string values read as `""`).
pub fn validate_labels(labels: Option<&Value>, path: &Path) -> Vec<FieldError> {
    validate_label_pairs(json_string_pairs(labels), path)
}

/// `ValidateLabels` on a typed map.
pub fn validate_label_map(
    labels: Option<&BTreeMap<String, String>>,
    path: &Path,
) -> Vec<FieldError> {
    validate_label_pairs(map_pairs(labels), path)
}

/// `ValidateAnnotations` on `(key, value)` pairs: qualified keys, 256 KiB
/// in total.
pub fn validate_annotation_pairs<'a>(
    annotations: impl IntoIterator<Item = (&'a str, &'a str)>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0usize;
    for (k, v) in annotations {
        for m in is_qualified_name(&k.to_lowercase()) {
            errs.push(invalid(path, k, &m));
        }
        total += k.len() + v.len();
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
    errs
}

/// `ValidateAnnotations` on a JSON map (non-string values count as `""`).
pub fn validate_annotations(annotations: Option<&Value>, path: &Path) -> Vec<FieldError> {
    validate_annotation_pairs(json_string_pairs(annotations), path)
}

/// `ValidateAnnotations` on a typed map.
pub fn validate_annotation_map(
    annotations: Option<&BTreeMap<String, String>>,
    path: &Path,
) -> Vec<FieldError> {
    validate_annotation_pairs(map_pairs(annotations), path)
}

/// `validateKubeFinalizerName`: qualified, or one of Kubernetes' own.
pub fn validate_finalizer_name(name: &str, path: &Path) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = is_qualified_name(name)
        .into_iter()
        .map(|m| invalid(path, name, &m))
        .collect();
    if errs.is_empty() && !name.contains('/') && !STANDARD_FINALIZERS.contains(&name) {
        errs.push(invalid(
            path,
            name,
            "name is neither a standard finalizer name nor is it fully qualified",
        ));
    }
    errs
}

/// The fields of an owner reference that validation reads.
#[derive(Clone, Copy, Debug, Default)]
struct OwnerRefView<'a> {
    /// `apiVersion`.
    api_version: &'a str,
    /// `kind`.
    kind: &'a str,
    /// `name`.
    name: &'a str,
    /// `uid`.
    uid: &'a str,
    /// `controller == Some(true)`.
    controller: bool,
}

impl<'a> OwnerRefView<'a> {
    fn of_json(r: &'a Value) -> Self {
        OwnerRefView {
            api_version: str_of(r, "apiVersion"),
            kind: str_of(r, "kind"),
            name: str_of(r, "name"),
            uid: str_of(r, "uid"),
            controller: r.get("controller").and_then(Value::as_bool) == Some(true),
        }
    }

    fn of_typed(r: &'a OwnerReference) -> Self {
        OwnerRefView {
            api_version: &r.api_version,
            kind: &r.kind,
            name: &r.name,
            uid: &r.uid,
            controller: r.controller == Some(true),
        }
    }
}

/// Owner reference rules. `render` prints the whole list for the
/// one-controller error (only called on that error).
fn validate_owner_ref_views<'a>(
    refs: impl IntoIterator<Item = OwnerRefView<'a>>,
    render: impl FnOnce() -> String,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut controllers = Vec::new();
    for r in refs {
        if r.api_version.is_empty() {
            errs.push(invalid(
                &path.child("apiVersion"),
                "",
                "version must not be empty",
            ));
        }
        if r.kind.is_empty() {
            errs.push(invalid(&path.child("kind"), "", "kind must not be empty"));
        }
        if r.name.is_empty() {
            errs.push(invalid(&path.child("name"), "", "name must not be empty"));
        }
        if r.uid.is_empty() {
            errs.push(invalid(&path.child("uid"), "", "uid must not be empty"));
        }
        if r.controller {
            controllers.push(format!("{}/{}", r.kind, r.name));
        }
    }
    if controllers.len() > 1 {
        errs.push(invalid(
            path,
            BadValue::Raw(render()),
            &format!(
                "Only one reference can have Controller set to true. Found \"true\" in references for {}",
                controllers.join(" and ")
            ),
        ));
    }
    errs
}

/// The name, generateName and namespace rules of `ValidateObjectMeta`.
fn validate_meta_names(
    name: &str,
    generate_name: &str,
    ns: &str,
    namespaced: bool,
    name_fn: NameFn,
) -> Vec<FieldError> {
    let path = Path::new("metadata");
    let mut errs = Vec::new();
    if !generate_name.is_empty() {
        for m in name_fn(generate_name, true) {
            errs.push(invalid(&path.child("generateName"), generate_name, &m));
        }
    }
    if name.is_empty() {
        errs.push(required(
            &path.child("name"),
            "name or generateName is required",
        ));
    } else {
        for m in name_fn(name, false) {
            errs.push(invalid(&path.child("name"), name, &m));
        }
    }
    if namespaced {
        if ns.is_empty() {
            errs.push(required(&path.child("namespace"), ""));
        } else {
            for m in name_is_dns_label(ns, false) {
                errs.push(invalid(&path.child("namespace"), ns, &m));
            }
        }
    } else if !ns.is_empty() {
        errs.push(forbidden(
            &path.child("namespace"),
            "not allowed on this type",
        ));
    }
    errs
}

fn validate_finalizers<'a>(
    names: impl IntoIterator<Item = &'a str>,
    path: &Path,
) -> Vec<FieldError> {
    names
        .into_iter()
        .flat_map(|f| validate_finalizer_name(f, path))
        .collect()
}

/// `ValidateObjectMeta` for a new object. `namespaced` says whether the kind
/// needs `metadata.namespace`; `name_fn` validates the name (and the
/// `generateName` prefix).
pub fn validate_object_meta(obj: &Value, namespaced: bool, name_fn: NameFn) -> Vec<FieldError> {
    let path = Path::new("metadata");
    let empty = Value::Null;
    let meta = obj.get("metadata").unwrap_or(&empty);
    let mut errs = validate_meta_names(
        str_of(meta, "name"),
        str_of(meta, "generateName"),
        str_of(meta, "namespace"),
        namespaced,
        name_fn,
    );
    errs.extend(validate_labels(meta.get("labels"), &path.child("labels")));
    errs.extend(validate_annotations(
        meta.get("annotations"),
        &path.child("annotations"),
    ));
    let refs = meta
        .get("ownerReferences")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    errs.extend(validate_owner_ref_views(
        refs.iter().map(OwnerRefView::of_json),
        || format!("{refs:?}"),
        &path.child("ownerReferences"),
    ));
    errs.extend(validate_finalizers(
        meta.get("finalizers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| f.as_str().unwrap_or("")),
        &path.child("finalizers"),
    ));
    errs
}

/// `ValidateObjectMeta` on a typed `ObjectMeta`: the same rules, messages
/// and order as [`validate_object_meta`] on its JSON encoding.
pub fn validate_object_meta_typed(
    meta: &ObjectMeta,
    namespaced: bool,
    name_fn: NameFn,
) -> Vec<FieldError> {
    let path = Path::new("metadata");
    let mut errs = validate_meta_names(
        meta.name.as_deref().unwrap_or(""),
        meta.generate_name.as_deref().unwrap_or(""),
        meta.namespace.as_deref().unwrap_or(""),
        namespaced,
        name_fn,
    );
    errs.extend(validate_label_map(
        meta.labels.as_ref(),
        &path.child("labels"),
    ));
    errs.extend(validate_annotation_map(
        meta.annotations.as_ref(),
        &path.child("annotations"),
    ));
    let refs = meta.owner_references.as_deref().unwrap_or_default();
    errs.extend(validate_owner_ref_views(
        refs.iter().map(OwnerRefView::of_typed),
        // The JSON form's `{:?}`, so both render the list identically.
        || {
            let list: Vec<Value> = refs
                .iter()
                .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
                .collect();
            format!("{list:?}")
        },
        &path.child("ownerReferences"),
    ));
    errs.extend(validate_finalizers(
        meta.finalizers.iter().flatten().map(String::as_str),
        &path.child("finalizers"),
    ));
    errs
}

/// `ValidateImmutableField` for strings.
pub fn validate_immutable_str(new: &str, old: &str, path: &Path) -> Vec<FieldError> {
    if new == old {
        Vec::new()
    } else {
        vec![invalid(path, new, "field is immutable")]
    }
}

/// `ValidateObjectMetaUpdate` plus the new metadata's own validity: name,
/// namespace, uid and creationTimestamp are immutable.
pub fn validate_object_meta_update(
    obj: &Value,
    old: &Value,
    namespaced: bool,
    name_fn: NameFn,
) -> Vec<FieldError> {
    let path = Path::new("metadata");
    let empty = Value::Null;
    let meta = obj.get("metadata").unwrap_or(&empty);
    let old_meta = old.get("metadata").unwrap_or(&empty);
    let mut errs = validate_object_meta(obj, namespaced, name_fn);
    for key in ["name", "namespace", "uid"] {
        errs.extend(validate_immutable_str(
            str_of(meta, key),
            str_of(old_meta, key),
            &path.child(key),
        ));
    }
    let (new_ts, old_ts) = (
        str_of(meta, "creationTimestamp"),
        str_of(old_meta, "creationTimestamp"),
    );
    if !old_ts.is_empty() && new_ts != old_ts {
        errs.push(invalid(
            &path.child("creationTimestamp"),
            new_ts,
            "field is immutable",
        ));
    }
    errs
}

/// `ValidateLabelSelector`.
pub fn validate_label_selector(sel: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_labels(sel.get("matchLabels"), &path.child("matchLabels"));
    for (i, e) in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let p = path.child("matchExpressions").index(i);
        let op = str_of(e, "operator");
        let n_values = e
            .get("values")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        match op {
            "In" | "NotIn" => {
                if n_values == 0 {
                    errs.push(required(
                        &p.child("values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if n_values > 0 {
                    errs.push(forbidden(
                        &p.child("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            _ => errs.push(invalid(
                &p.child("operator"),
                op,
                "not a valid selector operator",
            )),
        }
        errs.extend(validate_label_name(str_of(e, "key"), &p.child("key")));
    }
    errs
}

/// Whether a label selector (JSON) matches a label map (JSON). An empty
/// selector matches everything.
pub fn selector_matches(sel: &Value, labels: Option<&Value>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if let Some(ml) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in ml {
            if get(k) != v.as_str() {
                return false;
            }
        }
    }
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = str_of(e, "key");
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let ok = match str_of(e, "operator") {
            "In" => get(key).is_some_and(|v| values.contains(&v)),
            "NotIn" => get(key).is_none_or(|v| !values.contains(&v)),
            "Exists" => get(key).is_some(),
            "DoesNotExist" => get(key).is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// `ValidateImmutableField` for a label selector, with Go's rendering of
/// the new value.
pub fn validate_immutable_selector(new: &Value, old: &Value, path: &Path) -> Vec<FieldError> {
    if new == old {
        Vec::new()
    } else {
        vec![invalid(
            path,
            BadValue::Raw(go_label_selector(new)),
            "field is immutable",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::names::name_is_dns_subdomain;
    use serde_json::json;

    #[test]
    fn name_required_and_invalid() {
        let errs = validate_object_meta(
            &json!({"metadata": {"namespace": "default"}}),
            true,
            name_is_dns_subdomain,
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "metadata.name");
        assert_eq!(errs[0].reason, "FieldValueRequired");
        assert_eq!(
            errs[0].message,
            "Required value: name or generateName is required"
        );
        let errs = validate_object_meta(
            &json!({"metadata": {"name": "Foo", "namespace": "default"}}),
            true,
            name_is_dns_subdomain,
        );
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].message.starts_with(
                "Invalid value: \"Foo\": a lowercase RFC 1123 subdomain must consist of"
            )
        );
        let errs = validate_object_meta(
            &json!({"metadata": {"name": "x"}}),
            true,
            name_is_dns_subdomain,
        );
        assert_eq!(errs[0].field, "metadata.namespace");
        let errs = validate_object_meta(
            &json!({"metadata": {"name": "x", "namespace": "a"}}),
            false,
            name_is_dns_subdomain,
        );
        assert_eq!(errs[0].message, "Forbidden: not allowed on this type");
        let ok = validate_object_meta(
            &json!({"metadata": {"name": "x", "generateName": "web-"}}),
            false,
            name_is_dns_subdomain,
        );
        assert!(ok.is_empty());
    }

    #[test]
    fn labels_annotations_finalizers() {
        let obj = json!({"metadata": {"name": "x", "labels": {"app": "web", "bad key": "v", "k": "-bad"},
            "annotations": {"ok/x": "y"}, "finalizers": ["kubernetes", "foo", "example.com/x"]}});
        let errs = validate_object_meta(&obj, false, name_is_dns_subdomain);
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["metadata.labels", "metadata.labels", "metadata.finalizers"]
        );
        assert!(
            errs[0]
                .message
                .starts_with("Invalid value: \"bad key\": name part must consist of")
        );
        assert!(
            errs[1]
                .message
                .starts_with("Invalid value: \"-bad\": a valid label must be")
        );
        assert_eq!(
            errs[2].message,
            "Invalid value: \"foo\": name is neither a standard finalizer name nor is it fully qualified"
        );
        let big = json!({"metadata": {"name": "x", "annotations": {"a": "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT)}}});
        let errs = validate_object_meta(&big, false, name_is_dns_subdomain);
        assert_eq!(errs[0].reason, "FieldValueTooLong");
        assert_eq!(errs[0].field, "metadata.annotations");
    }

    #[test]
    fn meta_update_immutables() {
        let old = json!({"metadata": {"name": "x", "namespace": "a", "uid": "1"}});
        let new = json!({"metadata": {"name": "y", "namespace": "a", "uid": "1"}});
        let errs = validate_object_meta_update(&new, &old, true, name_is_dns_subdomain);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "metadata.name");
        assert_eq!(errs[0].message, "Invalid value: \"y\": field is immutable");
    }

    #[test]
    fn selectors() {
        let sel = json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]},
            {"key": "legacy", "operator": "DoesNotExist"}]});
        assert!(selector_matches(
            &sel,
            Some(&json!({"app": "web", "tier": "a"}))
        ));
        assert!(!selector_matches(
            &sel,
            Some(&json!({"app": "web", "tier": "c"}))
        ));
        assert!(!selector_matches(
            &sel,
            Some(&json!({"app": "web", "tier": "a", "legacy": "1"}))
        ));
        assert!(selector_matches(&json!({}), None));
        let bad = json!({"matchExpressions": [{"key": "a", "operator": "In"}, {"key": "b", "operator": "Exists", "values": ["x"]}, {"key": "c", "operator": "Maybe"}]});
        let errs = validate_label_selector(&bad, &Path::new("spec").child("selector"));
        assert_eq!(errs.len(), 3);
        assert_eq!(errs[0].field, "spec.selector.matchExpressions[0].values");
        assert_eq!(errs[1].reason, "FieldValueForbidden");
        assert_eq!(
            errs[2].message,
            "Invalid value: \"Maybe\": not a valid selector operator"
        );
    }
}
