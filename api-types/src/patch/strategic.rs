//! Kubernetes strategic merge patch, as the API server applies it (patch
//! format version 2, with `IgnoreUnmatchedNulls` and parallel-list merging,
//! like `strategicpatch.StrategicMergeMapPatch`).
//!
//! Objects merge recursively and `null` deletes a member. Lists follow the
//! field's [`ListStrategy`]: replaced (default), merged as a set of
//! primitives, or merged item by item on a merge key. Directives:
//!
//! * `$patch: replace` in an object replaces it with the patch's contents; in
//!   a merge list, an item `{"$patch": "replace"}` replaces the whole list;
//! * `$patch: delete` in an object empties it; a list item with the merge key
//!   and `$patch: delete` removes the matching items;
//! * `$patch: merge` is the default behaviour (accepted, ignored);
//! * `$retainKeys: [..]` drops original members not listed;
//! * `$setElementOrder/<list>: [..]` orders the merged list;
//! * `$deleteFromPrimitiveList/<list>: [..]` removes values from a set list.
//!
//! ```
//! use api_types::patch::{patch_meta_for, strategic_merge};
//! use serde_json::json;
//!
//! let pod = json!({"spec": {"containers": [{"name": "app", "image": "nginx:1"},
//!                                          {"name": "log", "image": "fluentd:1"}]}});
//! // What `kubectl apply` sends after changing one image.
//! let patch = json!({"spec": {
//!     "$setElementOrder/containers": [{"name": "app"}, {"name": "log"}],
//!     "containers": [{"name": "log", "image": "fluentd:2"}]}});
//! let patched = strategic_merge(&pod, &patch, patch_meta_for("", "Pod")).unwrap();
//! assert_eq!(patched["spec"]["containers"][0]["image"], "nginx:1");
//! assert_eq!(patched["spec"]["containers"][1]["image"], "fluentd:2");
//! ```

use std::fmt;

use serde_json::{Map, Value};

use super::PatchError;
use super::meta::{FieldMeta, ListStrategy, PatchMeta};

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// Applies a strategic merge patch to `original` using `meta` (see
/// [`super::patch_meta_for`]). Both documents must be JSON objects.
pub fn strategic_merge(
    original: &Value,
    patch: &Value,
    meta: &PatchMeta,
) -> Result<Value, PatchError> {
    if !patch.is_object() {
        return Err(PatchError::NotAnObject { what: "the patch" });
    }
    strategic_merge_owned(original.clone(), patch, meta)
}

/// [`strategic_merge`] consuming the original, which saves a deep copy when
/// the caller owns it.
pub fn strategic_merge_owned(
    original: Value,
    patch: &Value,
    meta: &PatchMeta,
) -> Result<Value, PatchError> {
    let Value::Object(patch) = patch else {
        return Err(PatchError::NotAnObject { what: "the patch" });
    };
    let original = match original {
        Value::Object(o) => o,
        Value::Null => Map::new(),
        _ => {
            return Err(PatchError::NotAnObject {
                what: "the original document",
            });
        }
    };
    let merged = merge_map(original, patch, meta, &Path::Root)?;
    Ok(Value::Object(merged))
}

/// A JSON path for error messages, built without allocating.
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("<root>"),
            Path::Field(Path::Root, name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
        }
    }
}

fn merge_map(
    mut original: Map<String, Value>,
    patch: &Map<String, Value>,
    meta: &PatchMeta,
    path: &Path<'_>,
) -> Result<Map<String, Value>, PatchError> {
    if let Some(directive) = patch.get(DIRECTIVE) {
        match directive.as_str() {
            Some("replace") => return merge_map(Map::new(), &without_directive(patch), meta, path),
            Some("delete") => return Ok(Map::new()),
            Some("merge") => {}
            _ => {
                return Err(PatchError::UnknownDirective {
                    path: path.to_string(),
                    directive: directive.to_string(),
                });
            }
        }
    }

    if let Some(retain) = patch.get(RETAIN_KEYS) {
        let keep = string_list(retain).ok_or_else(|| PatchError::InvalidDirective {
            path: path.to_string(),
            directive: RETAIN_KEYS.to_string(),
            reason: "must be a list of strings".to_string(),
        })?;
        // Every member the patch sets must be one of the retained keys.
        for (key, value) in patch {
            let is_directive = key == DIRECTIVE
                || key == RETAIN_KEYS
                || key.starts_with(SET_ELEMENT_ORDER)
                || key.starts_with(DELETE_FROM_PRIMITIVE_LIST);
            if !value.is_null() && !is_directive && !keep.contains(&key.as_str()) {
                return Err(PatchError::InvalidDirective {
                    path: path.to_string(),
                    directive: RETAIN_KEYS.to_string(),
                    reason: format!("the patch sets {key:?}, which is not listed"),
                });
            }
        }
        original.retain(|k, _| keep.contains(&k.as_str()));
    }

    // Lists named by `$setElementOrder` are merged and ordered first; the main
    // loop then skips them.
    let mut ordered: Vec<&str> = Vec::new();
    for (key, order) in patch {
        let Some(field) = key.strip_prefix(SET_ELEMENT_ORDER) else {
            continue;
        };
        let field_path = Path::Field(path, field);
        let Value::Array(order) = order else {
            return Err(PatchError::InvalidDirective {
                path: field_path.to_string(),
                directive: key.clone(),
                reason: "must be a list".to_string(),
            });
        };
        let field_meta = meta.field(field);
        let patch_list = match patch.get(field) {
            Some(Value::Array(list)) => Some(list.as_slice()),
            _ => None,
        };
        let key_name = merge_key(field_meta);
        if let Some(p) = patch_list
            && !follows_order(p, order, key_name)
        {
            return Err(PatchError::InvalidDirective {
                path: field_path.to_string(),
                directive: key.clone(),
                reason: "the patch list's items are not in this order".to_string(),
            });
        }
        let original_list = match original.remove(field) {
            Some(Value::Array(list)) => Some(list),
            Some(other) => {
                original.insert(field.to_string(), other);
                None
            }
            None => None,
        };
        let server_order = identities(original_list.as_deref().unwrap_or_default(), key_name);
        let merged = match (original_list, patch_list) {
            (None, None) => continue,
            (Some(list), None) => list,
            (None, Some(p)) => merge_list(Vec::new(), p, field_meta, &field_path)?,
            (Some(list), Some(p)) => merge_list(list, p, field_meta, &field_path)?,
        };
        let (in_order, server_only): (Vec<Value>, Vec<Value>) = merged
            .into_iter()
            .partition(|item| index_of(order, item, key_name).is_some());
        let result = normalize_order(in_order, server_only, order, &server_order, key_name);
        original.insert(field.to_string(), Value::Array(result));
        if patch_list.is_some() {
            ordered.push(field);
        }
    }

    for (key, value) in patch {
        if key == DIRECTIVE || key == RETAIN_KEYS || key.starts_with(SET_ELEMENT_ORDER) {
            continue;
        }
        if ordered.contains(&key.as_str()) {
            continue;
        }
        if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            let remove = match value {
                Value::Array(list) => list,
                _ => {
                    return Err(PatchError::InvalidDirective {
                        path: Path::Field(path, field).to_string(),
                        directive: key.clone(),
                        reason: "must be a list".to_string(),
                    });
                }
            };
            if let Some(Value::Array(list)) = original.get_mut(field) {
                list.retain(|item| !remove.contains(item));
            }
            continue;
        }
        if value.is_null() {
            original.remove(key);
            continue;
        }
        let field_path = Path::Field(path, key);
        let field_meta = meta.field(key);
        let merged = match (original.remove(key), value) {
            (Some(Value::Object(o)), Value::Object(p)) => {
                Value::Object(merge_map(o, p, &field_meta.fields, &field_path)?)
            }
            (Some(Value::Array(o)), Value::Array(p)) => {
                Value::Array(merge_list(o, p, field_meta, &field_path)?)
            }
            // Absent, or of another type: the patch value, cleaned of nulls
            // and directives.
            (_, value) => fresh(value, field_meta, &field_path)?,
        };
        original.insert(key.clone(), merged);
    }
    Ok(original)
}

/// A patch value applied to nothing.
fn fresh(value: &Value, meta: &FieldMeta, path: &Path<'_>) -> Result<Value, PatchError> {
    Ok(match value {
        Value::Object(p) => Value::Object(merge_map(Map::new(), p, &meta.fields, path)?),
        Value::Array(p) => Value::Array(merge_list(Vec::new(), p, meta, path)?),
        other => other.clone(),
    })
}

/// Whether the patch list's items (directive items aside) appear in `order`,
/// in the same relative order.
fn follows_order(patch_list: &[Value], order: &[Value], key: Option<&str>) -> bool {
    let same = |a: &Value, b: &Value| match key {
        Some(k) => matches!((a.get(k), b.get(k)), (Some(x), Some(y)) if same_value(x, y)),
        None => a == b,
    };
    let mut remaining = order.iter();
    patch_list
        .iter()
        .filter(|item| item.get(DIRECTIVE).is_none())
        .all(|item| remaining.any(|o| same(item, o)))
}

fn without_directive(patch: &Map<String, Value>) -> Map<String, Value> {
    patch
        .iter()
        .filter(|(k, _)| k.as_str() != DIRECTIVE)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn string_list(value: &Value) -> Option<Vec<&str>> {
    value.as_array()?.iter().map(Value::as_str).collect()
}

fn merge_key(meta: &FieldMeta) -> Option<&str> {
    match &meta.list {
        ListStrategy::MergeByKey(key) => Some(key),
        _ => None,
    }
}

/// What identifies a list item: its merge key's value, or the item itself
/// (primitives, and objects without the key).
fn identity<'a>(item: &'a Value, key: Option<&str>) -> &'a Value {
    key.and_then(|k| item.get(k)).unwrap_or(item)
}

/// The identities of a list's items, kept as the server's order so the
/// original list can be consumed.
fn identities(list: &[Value], key: Option<&str>) -> Vec<Value> {
    list.iter()
        .map(|item| identity(item, key).clone())
        .collect()
}

/// Value equality where numbers compare by value (`80` equals `80.0`), as
/// they do once Go decodes JSON numbers to `float64`.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            x.as_f64() == y.as_f64()
        }
        _ => a == b,
    }
}

/// The position of `item` in `list` (items or their identities), by identity.
fn index_of(list: &[Value], item: &Value, key: Option<&str>) -> Option<usize> {
    let wanted = identity(item, key);
    list.iter()
        .position(|x| same_value(identity(x, key), wanted))
}

fn merge_list(
    original: Vec<Value>,
    patch: &[Value],
    meta: &FieldMeta,
    path: &Path<'_>,
) -> Result<Vec<Value>, PatchError> {
    if meta.list == ListStrategy::Replace {
        return Ok(patch.to_vec());
    }
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let all = original.iter().chain(patch);
    let objects = all.clone().filter(|v| v.is_object()).count();
    if all.clone().any(Value::is_array) || (objects > 0 && objects != original.len() + patch.len())
    {
        return Err(PatchError::InvalidList {
            path: path.to_string(),
            reason: "list items must be all objects or all primitives".to_string(),
        });
    }
    if objects == 0 {
        // A set of primitives: the union, in a stable order.
        let mut merged: Vec<Value> = Vec::with_capacity(original.len() + patch.len());
        for item in original.iter().chain(patch) {
            if !merged.contains(item) {
                merged.push(item.clone());
            }
        }
        let (from_patch, server_only) = merged.into_iter().partition(|item| patch.contains(item));
        return Ok(normalize_order(
            from_patch,
            server_only,
            patch,
            &original,
            None,
        ));
    }
    let ListStrategy::MergeByKey(key) = &meta.list else {
        return Err(PatchError::InvalidList {
            path: path.to_string(),
            reason: "cannot merge lists of objects without a merge key".to_string(),
        });
    };
    let missing_key = || PatchError::MissingMergeKey {
        path: path.to_string(),
        key: key.clone(),
    };

    // Directive items first: `replace` makes the patch the whole list,
    // `delete` removes the items with that key.
    let server_order = identities(&original, Some(key));
    let mut merged = original;
    let mut items: Vec<&Map<String, Value>> = Vec::with_capacity(patch.len());
    let mut replace = false;
    for item in patch {
        let Value::Object(item) = item else {
            continue;
        };
        match item.get(DIRECTIVE) {
            None => items.push(item),
            Some(directive) => match directive.as_str() {
                Some("replace") => replace = true,
                Some("delete") => {
                    let wanted = item.get(key.as_str()).ok_or_else(missing_key)?;
                    merged.retain(|x| !x.get(key.as_str()).is_some_and(|v| same_value(v, wanted)));
                }
                Some("merge") => items.push(item),
                _ => {
                    return Err(PatchError::UnknownDirective {
                        path: path.to_string(),
                        directive: directive.to_string(),
                    });
                }
            },
        }
    }
    if replace {
        return Ok(items
            .into_iter()
            .map(|item| Value::Object(without_directive(item)))
            .collect());
    }
    for item in items {
        let wanted = item.get(key.as_str()).ok_or_else(missing_key)?;
        match merged
            .iter()
            .position(|x| x.get(key.as_str()).is_some_and(|v| same_value(v, wanted)))
        {
            Some(i) => {
                if let Value::Object(existing) = &mut merged[i] {
                    let taken = std::mem::take(existing);
                    *existing = merge_map(taken, item, &meta.fields, path)?;
                }
            }
            None => merged.push(Value::Object(merge_map(
                Map::new(),
                item,
                &meta.fields,
                path,
            )?)),
        }
    }
    let (from_patch, server_only) = merged
        .into_iter()
        .partition(|item| index_of(patch, item, Some(key)).is_some());
    Ok(normalize_order(
        from_patch,
        server_only,
        patch,
        &server_order,
        Some(key),
    ))
}

/// Orders the patch's items by `patch_order` and the server-only items by
/// `server_order`, then interleaves them: a server-only item goes before a
/// patch item only when both are in the server's list and it came first
/// there (Kubernetes' `normalizeElementOrder` + `mergeSortedSlice`).
fn normalize_order(
    mut from_patch: Vec<Value>,
    mut server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: Option<&str>,
) -> Vec<Value> {
    from_patch.sort_by_key(|item| index_of(patch_order, item, key));
    server_only.sort_by_key(|item| index_of(server_order, item, key));
    let mut result = Vec::with_capacity(from_patch.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = from_patch.into_iter().peekable();
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => result.extend(left.by_ref()),
            (None, Some(_)) => result.extend(right.by_ref()),
            (Some(l), Some(r)) => {
                let li = index_of(server_order, l, key);
                let ri = index_of(server_order, r, key);
                let take_left = matches!((li, ri), (Some(li), Some(ri)) if li < ri);
                let next = if take_left { left.next() } else { right.next() };
                result.extend(next);
            }
        }
    }
    result
}

/// Computes the strategic merge patch that turns `original` into `modified`
/// (what `kubectl edit` and two-way `kubectl apply` send): removed members
/// become `null`, merge lists get `$setElementOrder` and `$patch: delete`
/// items, primitive sets get `$deleteFromPrimitiveList`, objects with
/// `retainKeys` get `$retainKeys`, other lists are sent whole.
/// `strategic_merge(original, &patch, meta)` then yields `modified` (given
/// no `null` members and unique merge keys in `modified`).
pub fn create_two_way_patch(
    original: &Value,
    modified: &Value,
    meta: &PatchMeta,
) -> Result<Value, PatchError> {
    let (Value::Object(original), Value::Object(modified)) = (original, modified) else {
        return Err(PatchError::NotAnObject {
            what: "the original and modified documents",
        });
    };
    Ok(Value::Object(diff_maps(
        original,
        modified,
        meta,
        &Path::Root,
    )?))
}

fn retain_keys_of(map: &Map<String, Value>) -> Value {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    Value::Array(keys.into_iter().map(|k| Value::String(k.clone())).collect())
}

fn diff_maps(
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    meta: &PatchMeta,
    path: &Path<'_>,
) -> Result<Map<String, Value>, PatchError> {
    let mut patch = Map::new();
    for key in original.keys() {
        if !modified.contains_key(key) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    for (key, new) in modified {
        let field = meta.field(key);
        let field_path = Path::Field(path, key);
        match (original.get(key), new) {
            (Some(old), new) if old == new => {}
            (Some(Value::Object(old)), Value::Object(new)) => {
                let mut sub = diff_maps(old, new, &field.fields, &field_path)?;
                if !sub.is_empty() {
                    if field.retain_keys {
                        sub.insert(RETAIN_KEYS.to_string(), retain_keys_of(new));
                    }
                    patch.insert(key.clone(), Value::Object(sub));
                }
            }
            (Some(Value::Array(old)), Value::Array(new)) => {
                diff_lists(key, old, new, field, &mut patch, &field_path)?;
            }
            _ => {
                patch.insert(key.clone(), new.clone());
            }
        }
    }
    Ok(patch)
}

fn diff_lists(
    name: &str,
    original: &[Value],
    modified: &[Value],
    field: &FieldMeta,
    patch: &mut Map<String, Value>,
    path: &Path<'_>,
) -> Result<(), PatchError> {
    let all_objects = original.iter().chain(modified).all(Value::is_object);
    let no_objects = !original
        .iter()
        .chain(modified)
        .any(|v| v.is_object() || v.is_array());
    match &field.list {
        ListStrategy::Set if no_objects => {
            let mut additions: Vec<Value> = Vec::new();
            for item in modified {
                if !original.contains(item) && !additions.contains(item) {
                    additions.push(item.clone());
                }
            }
            let deletions: Vec<Value> = original
                .iter()
                .filter(|item| !modified.contains(item))
                .cloned()
                .collect();
            if !additions.is_empty() {
                patch.insert(name.to_string(), Value::Array(additions));
            }
            if !deletions.is_empty() {
                patch.insert(
                    format!("{DELETE_FROM_PRIMITIVE_LIST}{name}"),
                    Value::Array(deletions),
                );
            }
            patch.insert(
                format!("{SET_ELEMENT_ORDER}{name}"),
                Value::Array(modified.to_vec()),
            );
        }
        ListStrategy::MergeByKey(key) if all_objects => {
            let missing_key = || PatchError::MissingMergeKey {
                path: path.to_string(),
                key: key.clone(),
            };
            let mut items = Vec::new();
            let mut order = Vec::with_capacity(modified.len());
            for new in modified {
                let id = new.get(key.as_str()).ok_or_else(missing_key)?;
                order.push(Value::Object(Map::from_iter([(key.clone(), id.clone())])));
                let old = original
                    .iter()
                    .find(|old| old.get(key.as_str()).is_some_and(|v| same_value(v, id)));
                match (old, new) {
                    (Some(old), new) if old == new => {}
                    (Some(Value::Object(old)), Value::Object(new)) => {
                        let mut sub = diff_maps(old, new, &field.fields, path)?;
                        if field.retain_keys {
                            sub.insert(RETAIN_KEYS.to_string(), retain_keys_of(new));
                        }
                        sub.insert(key.clone(), id.clone());
                        items.push(Value::Object(sub));
                    }
                    _ => items.push(new.clone()),
                }
            }
            for old in original {
                let Some(id) = old.get(key.as_str()) else {
                    continue;
                };
                let kept = modified
                    .iter()
                    .any(|new| new.get(key.as_str()).is_some_and(|v| same_value(v, id)));
                if !kept {
                    items.push(Value::Object(Map::from_iter([
                        (key.clone(), id.clone()),
                        (DIRECTIVE.to_string(), Value::String("delete".to_string())),
                    ])));
                }
            }
            if !items.is_empty() {
                patch.insert(name.to_string(), Value::Array(items));
            }
            patch.insert(format!("{SET_ELEMENT_ORDER}{name}"), Value::Array(order));
        }
        _ => {
            patch.insert(name.to_string(), Value::Array(modified.to_vec()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::meta::patch_meta_for;
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn pod_patch(original: Value, patch: Value) -> Value {
        strategic_merge(&original, &patch, patch_meta_for("", "Pod")).unwrap()
    }

    fn deploy_patch(original: Value, patch: Value) -> Value {
        strategic_merge(&original, &patch, patch_meta_for("apps", "Deployment")).unwrap()
    }

    fn pod() -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"},
                         "finalizers": ["a/x", "b/y"]},
            "spec": {
                "containers": [
                    {"name": "app", "image": "nginx:1.25",
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                     "ports": [{"containerPort": 80, "protocol": "TCP"}],
                     "args": ["--a", "--b"]},
                    {"name": "sidecar", "image": "envoy:1"}
                ],
                "tolerations": [{"key": "k1", "operator": "Exists"}],
                "volumes": [{"name": "data", "emptyDir": {}}]
            }
        })
    }

    #[test]
    fn kubectl_apply_changes_container_image() {
        // What `kubectl apply` sends after editing one image.
        let patch = json!({
            "spec": {
                "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
                "containers": [{"name": "sidecar", "image": "envoy:2"}]
            }
        });
        let got = pod_patch(pod(), patch);
        let mut want = pod();
        want["spec"]["containers"][1]["image"] = json!("envoy:2");
        assert_eq!(got, want);
    }

    #[test]
    fn set_element_order_reorders_and_adds() {
        let patch = json!({
            "spec": {
                "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "new"}, {"name": "app"}],
                "containers": [{"name": "new", "image": "busybox"}]
            }
        });
        let got = pod_patch(pod(), patch);
        let names: Vec<&str> = got["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["sidecar", "new", "app"]);
        assert_eq!(got["spec"]["containers"][2]["image"], "nginx:1.25");
    }

    #[test]
    fn delete_directive_removes_env_var_and_container() {
        let patch = json!({
            "spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [
                    {"name": "app",
                     "$setElementOrder/env": [{"name": "A"}],
                     "env": [{"name": "B", "$patch": "delete"}]},
                    {"name": "sidecar", "$patch": "delete"}
                ]
            }
        });
        let got = pod_patch(pod(), patch);
        let containers = got["spec"]["containers"].as_array().unwrap();
        assert_eq!(containers.len(), 1);
        assert_eq!(containers[0]["env"], json!([{"name": "A", "value": "1"}]));
        assert_eq!(containers[0]["image"], "nginx:1.25");
    }

    #[test]
    fn null_removes_label_and_field() {
        let patch = json!({
            "metadata": {"labels": {"tier": null, "new": "x"}},
            "spec": {"containers": [{"name": "app", "args": null}]}
        });
        let got = pod_patch(pod(), patch);
        assert_eq!(got["metadata"]["labels"], json!({"app": "web", "new": "x"}));
        assert!(got["spec"]["containers"][0].get("args").is_none());
        // A null for something absent is ignored.
        let got = pod_patch(pod(), json!({"spec": {"nodeName": null}}));
        assert_eq!(got, pod());
    }

    #[test]
    fn finalizers_merge_as_a_set() {
        let got = pod_patch(pod(), json!({"metadata": {"finalizers": ["b/y", "c/z"]}}));
        assert_eq!(got["metadata"]["finalizers"], json!(["a/x", "b/y", "c/z"]));
        let got = pod_patch(
            pod(),
            json!({"metadata": {
                "$setElementOrder/finalizers": ["a/x", "b/y", "c/z"],
                "finalizers": ["c/z"]}}),
        );
        assert_eq!(got["metadata"]["finalizers"], json!(["a/x", "b/y", "c/z"]));
        // Without an order, new patch items come first (as in Kubernetes).
        let got = pod_patch(pod(), json!({"metadata": {"finalizers": ["c/z"]}}));
        assert_eq!(got["metadata"]["finalizers"], json!(["c/z", "a/x", "b/y"]));
    }

    #[test]
    fn delete_from_primitive_list() {
        let got = pod_patch(
            pod(),
            json!({"metadata": {
                "$setElementOrder/finalizers": ["b/y"],
                "$deleteFromPrimitiveList/finalizers": ["a/x"]}}),
        );
        assert_eq!(got["metadata"]["finalizers"], json!(["b/y"]));
        let got = pod_patch(
            pod(),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b/y", "zzz"]}}),
        );
        assert_eq!(got["metadata"]["finalizers"], json!(["a/x"]));
    }

    #[test]
    fn lists_without_strategy_are_replaced() {
        let got = pod_patch(
            pod(),
            json!({"spec": {
                "tolerations": [{"key": "k2", "operator": "Exists"}],
                "containers": [{"name": "app", "args": ["--c"], "command": ["/bin/x"]}]}}),
        );
        assert_eq!(
            got["spec"]["tolerations"],
            json!([{"key": "k2", "operator": "Exists"}])
        );
        assert_eq!(got["spec"]["containers"][0]["args"], json!(["--c"]));
        assert_eq!(got["spec"]["containers"][0]["command"], json!(["/bin/x"]));
    }

    #[test]
    fn merges_ports_by_container_port_and_env_by_name() {
        let got = pod_patch(
            pod(),
            json!({"spec": {"containers": [{"name": "app",
                "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}],
                "env": [{"name": "A", "value": "9"}]}]}}),
        );
        let app = &got["spec"]["containers"][0];
        assert_eq!(
            app["ports"],
            json!([{"containerPort": 80, "protocol": "TCP", "name": "http"}, {"containerPort": 443}])
        );
        assert_eq!(
            app["env"],
            json!([{"name": "A", "value": "9"}, {"name": "B", "value": "2"}])
        );
    }

    #[test]
    fn merge_keys_compare_numbers_by_value() {
        let got = pod_patch(
            pod(),
            json!({"spec": {"containers": [{"name": "app",
                "ports": [{"containerPort": 80.0, "name": "http"}]}]}}),
        );
        // One port, merged (the patch's number representation wins).
        let ports = got["spec"]["containers"][0]["ports"].as_array().unwrap();
        assert_eq!(ports.len(), 1);
        assert_eq!(ports[0]["protocol"], "TCP");
        assert_eq!(ports[0]["name"], "http");
    }

    #[test]
    fn retain_keys_switches_strategy_type() {
        let deployment = json!({
            "metadata": {"name": "d"},
            "spec": {"replicas": 2, "strategy": {"type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}
        });
        // `kubectl apply` after changing the strategy to Recreate.
        let patch = json!({"spec": {"strategy": {
            "$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"}}});
        let got = deploy_patch(deployment, patch);
        assert_eq!(
            got,
            json!({"metadata": {"name": "d"}, "spec": {"replicas": 2, "strategy": {"type": "Recreate"}}})
        );
    }

    #[test]
    fn retain_keys_on_volume_source_switch() {
        let patch = json!({"spec": {
            "$setElementOrder/volumes": [{"name": "data"}],
            "volumes": [{"$retainKeys": ["configMap", "name"], "name": "data",
                         "configMap": {"name": "cm"}}]}});
        let got = pod_patch(pod(), patch);
        assert_eq!(
            got["spec"]["volumes"],
            json!([{"name": "data", "configMap": {"name": "cm"}}])
        );
    }

    #[test]
    fn patch_directives_on_maps_and_lists() {
        let got = pod_patch(
            pod(),
            json!({"metadata": {"labels": {"$patch": "replace", "only": "this"}}}),
        );
        assert_eq!(got["metadata"]["labels"], json!({"only": "this"}));
        let got = pod_patch(pod(), json!({"metadata": {"labels": {"$patch": "delete"}}}));
        assert_eq!(got["metadata"]["labels"], json!({}));
        let got = pod_patch(
            pod(),
            json!({"spec": {"containers": [{"$patch": "replace"}, {"name": "solo", "image": "x"}]}}),
        );
        assert_eq!(
            got["spec"]["containers"],
            json!([{"name": "solo", "image": "x"}])
        );
        let got = pod_patch(pod(), json!({"$patch": "replace", "kind": "Pod"}));
        assert_eq!(got, json!({"kind": "Pod"}));
        let got = pod_patch(pod(), json!({"metadata": {"$patch": "merge", "name": "n"}}));
        assert_eq!(got["metadata"]["name"], "n");
        assert_eq!(got["metadata"]["labels"]["app"], "web");
    }

    #[test]
    fn deployment_template_uses_pod_metadata() {
        let deployment = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}});
        let got = deploy_patch(
            deployment,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:2"}]}}}}),
        );
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:2"}])
        );
    }

    #[test]
    fn directive_consistency_is_checked() {
        let meta = patch_meta_for("apps", "Deployment");
        let d = json!({"spec": {"strategy": {"type": "RollingUpdate"}}});
        let err = strategic_merge(
            &d,
            &json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": {}}}}),
            meta,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not listed"), "{err}");
        let err = strategic_merge(
            &pod(),
            &json!({"spec": {
                "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
                "containers": [{"name": "sidecar", "image": "x"}, {"name": "app", "image": "y"}]}}),
            patch_meta_for("", "Pod"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not in this order"), "{err}");
    }

    #[test]
    fn invalid_patches_are_errors() {
        let meta = patch_meta_for("", "Pod");
        let err = strategic_merge(&pod(), &json!([1]), meta).unwrap_err();
        assert_eq!(err, PatchError::NotAnObject { what: "the patch" });
        let err =
            strategic_merge(&pod(), &json!({"spec": {"$patch": "explode"}}), meta).unwrap_err();
        assert!(
            err.to_string().contains("unknown $patch directive"),
            "{err}"
        );
        let err = strategic_merge(
            &pod(),
            &json!({"spec": {"containers": [{"image": "no-name"}]}}),
            meta,
        )
        .unwrap_err();
        assert_eq!(
            err,
            PatchError::MissingMergeKey {
                path: "spec.containers".into(),
                key: "name".into()
            }
        );
        let err =
            strategic_merge(&pod(), &json!({"spec": {"$retainKeys": "x"}}), meta).unwrap_err();
        assert!(matches!(err, PatchError::InvalidDirective { .. }), "{err}");
        let err = strategic_merge(
            &pod(),
            &json!({"metadata": {"finalizers": [{"a": 1}]}}),
            meta,
        )
        .unwrap_err();
        assert!(matches!(err, PatchError::InvalidList { .. }), "{err}");
        let err = strategic_merge(
            &pod(),
            &json!({"spec": {"containers": [{"name": "x"}, 3]}}),
            meta,
        )
        .unwrap_err();
        assert!(matches!(err, PatchError::InvalidList { .. }), "{err}");
    }

    #[test]
    fn unknown_kinds_merge_metadata_only() {
        let meta = patch_meta_for("example.com", "Widget");
        let obj = json!({"metadata": {"finalizers": ["a"]}, "spec": {"items": [{"name": "x"}]}});
        let got = strategic_merge(
            &obj,
            &json!({"metadata": {"finalizers": ["b"]}, "spec": {"items": [{"name": "y"}]}}),
            meta,
        )
        .unwrap();
        assert_eq!(
            got,
            json!({"metadata": {"finalizers": ["b", "a"]}, "spec": {"items": [{"name": "y"}]}})
        );
    }

    /// Cases from Kubernetes' strategic merge patch tests (ordering with
    /// `$setElementOrder`, server-only items, duplicates, `$retainKeys`),
    /// rewritten as JSON: (description, current, patch, result).
    #[test]
    fn kubernetes_ordering_and_retain_keys_cases() {
        let meta = PatchMeta::new()
            .with_merge_list("mergingList", "name", PatchMeta::new())
            .with_merge_list("mergeItemPtr", "name", PatchMeta::new())
            .with_set_list("mergingIntList")
            .with_retain_keys_object("retainKeysMap", PatchMeta::new())
            .with_field(
                "retainKeysMergingList",
                FieldMeta {
                    list: ListStrategy::MergeByKey("name".into()),
                    retain_keys: true,
                    fields: PatchMeta::new(),
                },
            );
        let n = |name: i64| json!({"name": name});
        let cases = [
            (
                "add multiple items in a list and preserve order",
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2, "other": "b"}]}),
                json!({"$setElementOrder/mergingList": [n(1), n(4), n(2), n(3)],
                       "mergingList": [{"name": 4, "value": 4}, {"name": 3, "value": 3}]}),
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 4, "value": 4},
                                       {"name": 2, "value": 2, "other": "b"}, {"name": 3, "value": 3}]}),
            ),
            (
                "delete an item in a list and preserve order",
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2, "other": "b"}, {"name": 3, "value": 3}]}),
                json!({"$setElementOrder/mergingList": [n(2), n(1)],
                       "mergingList": [{"name": 3, "$patch": "delete"}]}),
                json!({"mergingList": [{"name": 2, "value": 2, "other": "b"}, {"name": 1, "other": "a"}]}),
            ),
            (
                "change an item in a list and preserve order",
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2, "other": "b"}, {"name": 3, "value": 3}]}),
                json!({"$setElementOrder/mergingList": [n(2), n(3), n(1)],
                       "mergingList": [{"name": 3, "value": "x"}]}),
                json!({"mergingList": [{"name": 2, "value": 2, "other": "b"}, {"name": 3, "value": "x"}, {"name": 1, "other": "a"}]}),
            ),
            (
                "add and delete an item in a list and preserve order",
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2, "other": "b"}, {"name": 3, "value": 3}]}),
                json!({"$setElementOrder/mergingList": [n(4), n(2), n(1)],
                       "mergingList": [{"name": 4, "value": 4}, {"name": 3, "$patch": "delete"}]}),
                json!({"mergingList": [{"name": 4, "value": 4}, {"name": 2, "value": 2, "other": "b"}, {"name": 1, "other": "a"}]}),
            ),
            (
                "set elements order in a list with server-only items",
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 3, "value": 3}, {"name": 4, "value": 4},
                                       {"name": 2, "value": 2}, {"name": 9}]}),
                json!({"$setElementOrder/mergingList": [n(4), n(2), n(3), n(1)]}),
                json!({"mergingList": [{"name": 4, "value": 4}, {"name": 2, "value": 2}, {"name": 3, "value": 3},
                                       {"name": 1, "other": "a"}, {"name": 9}]}),
            ),
            (
                "set elements order in a list with server-only items 2",
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2}, {"name": 9},
                                       {"name": 3, "value": 3}, {"name": 4, "value": 4}]}),
                json!({"$setElementOrder/mergingList": [n(2), n(1), n(4), n(3)]}),
                json!({"mergingList": [{"name": 2, "value": 2}, {"name": 1, "other": "a"}, {"name": 9},
                                       {"name": 4, "value": 4}, {"name": 3, "value": 3}]}),
            ),
            (
                "set elements order in a list with server-only items 3",
                json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2}, n(7), n(9), n(8),
                                       {"name": 3, "value": 3}, {"name": 4, "value": 4}]}),
                json!({"$setElementOrder/mergingList": [n(2), n(1), n(4), n(3)]}),
                json!({"mergingList": [{"name": 2, "value": 2}, {"name": 1, "other": "a"}, n(7), n(9), n(8),
                                       {"name": 4, "value": 4}, {"name": 3, "value": 3}]}),
            ),
            (
                "add multiple items in a int list and preserve order",
                json!({"mergingIntList": [1, 2]}),
                json!({"$setElementOrder/mergingIntList": [1, 4, 2, 3], "mergingIntList": [4, 3]}),
                json!({"mergingIntList": [1, 4, 2, 3]}),
            ),
            (
                "add an item in a int list and preserve order",
                json!({"mergingIntList": [1, 2]}),
                json!({"$setElementOrder/mergingIntList": [3, 1, 2], "mergingIntList": [3]}),
                json!({"mergingIntList": [3, 1, 2]}),
            ),
            (
                "delete an item in a int list and preserve order",
                json!({"mergingIntList": [1, 2, 3]}),
                json!({"$setElementOrder/mergingIntList": [2, 1], "$deleteFromPrimitiveList/mergingIntList": [3]}),
                json!({"mergingIntList": [2, 1]}),
            ),
            (
                "add and delete an item in a int list and preserve order",
                json!({"mergingIntList": [1, 2, 3]}),
                json!({"$setElementOrder/mergingIntList": [4, 2, 1], "mergingIntList": [4],
                       "$deleteFromPrimitiveList/mergingIntList": [3]}),
                json!({"mergingIntList": [4, 2, 1]}),
            ),
            (
                "set elements order in a int list with server-only items 3",
                json!({"mergingIntList": [1, 2, 7, 9, 8, 3, 4]}),
                json!({"$setElementOrder/mergingIntList": [2, 1, 4, 3]}),
                json!({"mergingIntList": [2, 1, 7, 9, 8, 4, 3]}),
            ),
            (
                "set element order for a merging list with duplicates",
                json!({"mergingList": [n(1), {"name": 2, "value": "dup1"}, n(3), {"name": 2, "value": "dup2"}, n(4)]}),
                json!({"$setElementOrder/mergingList": [n(2), n(1), n(4), n(3), n(2)]}),
                json!({"mergingList": [{"name": 2, "value": "dup1"}, {"name": 2, "value": "dup2"}, n(1), n(4), n(3)]}),
            ),
            (
                "set element order for a merging int list with duplicates",
                json!({"mergingIntList": [1, 2, 3, 2, 4]}),
                json!({"$setElementOrder/mergingIntList": [2, 1, 4, 3, 2]}),
                json!({"mergingIntList": [2, 2, 1, 4, 3]}),
            ),
            (
                "retainKeys map should clear defaulted field",
                json!({"retainKeysMap": {"name": "type1", "value": "foo"}}),
                json!({"retainKeysMap": {"$retainKeys": ["name", "other"], "name": "type2", "other": "bar"}}),
                json!({"retainKeysMap": {"name": "type2", "other": "bar"}}),
            ),
            (
                "retainKeys map adds a field and clears a field",
                json!({"retainKeysMap": {"name": "foo", "other": "a"}}),
                json!({"retainKeysMap": {"$retainKeys": ["name", "value"], "value": "bar"}}),
                json!({"retainKeysMap": {"name": "foo", "value": "bar"}}),
            ),
            (
                "retainKeys in a merging list item",
                json!({"retainKeysMergingList": [{"name": "bar"}, {"name": "foo", "value": "a", "other": "x"}]}),
                json!({"$setElementOrder/retainKeysMergingList": [{"name": "bar"}, {"name": "foo"}],
                       "retainKeysMergingList": [{"$retainKeys": ["name"], "name": "foo", "value": null}]}),
                json!({"retainKeysMergingList": [{"name": "bar"}, {"name": "foo"}]}),
            ),
            (
                "delete and reorder in one list, reorder in another",
                json!({"mergingList": [{"name": "a", "value": "a"}, {"name": "b", "value": "b"}],
                       "mergeItemPtr": [{"name": "c", "value": "c"}, {"name": "d", "value": "d"}]}),
                json!({"$setElementOrder/mergingList": [{"name": "b"}],
                       "$setElementOrder/mergeItemPtr": [{"name": "d"}, {"name": "c"}],
                       "mergingList": [{"$patch": "delete", "name": "a"}]}),
                json!({"mergingList": [{"name": "b", "value": "b"}],
                       "mergeItemPtr": [{"name": "d", "value": "d"}, {"name": "c", "value": "c"}]}),
            ),
        ];
        for (description, current, patch, want) in cases {
            let got = strategic_merge(&current, &patch, &meta)
                .unwrap_or_else(|e| panic!("{description}: {e}"));
            assert_eq!(got, want, "{description}");
        }
    }

    fn plain_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            any::<i16>().prop_map(|n| json!(n)),
            "[a-z]{0,3}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 20, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map("[a-d]{1,2}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn plain_object() -> impl Strategy<Value = Value> {
        prop::collection::btree_map("[a-d]{1,2}", plain_value(), 0..4)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    fn container() -> impl Strategy<Value = Value> {
        (
            "[a-z]{1,3}:[0-9]",
            prop::collection::btree_map("[A-C]", "[0-9]", 0..3)
                .prop_map(|env| {
                    env.into_iter()
                        .map(|(n, v)| json!({"name": n, "value": v}))
                        .collect::<Vec<_>>()
                })
                .prop_shuffle(),
            prop::collection::btree_set(79u16..82, 0..3),
            prop::option::of(prop::collection::vec("[a-c]", 0..3)),
        )
            .prop_map(|(image, env, ports, args)| {
                let ports: Vec<Value> = ports
                    .into_iter()
                    .map(|p| json!({"containerPort": p, "protocol": "TCP"}))
                    .collect();
                let mut c = json!({"image": image, "env": env, "ports": ports});
                if let Some(args) = args {
                    c["args"] = json!(args);
                }
                c
            })
    }

    fn volume() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!({"emptyDir": {}})),
            "[a-z]{1,2}".prop_map(|cm| json!({"configMap": {"name": cm}})),
            "/[a-z]{1,2}".prop_map(|p| json!({"hostPath": {"path": p}})),
        ]
    }

    fn pod_like() -> impl Strategy<Value = Value> {
        (
            prop::collection::btree_map("[a-c]", "[a-z]{1,3}", 0..4),
            prop::collection::btree_set("[a-c]/f", 0..3)
                .prop_map(|s| s.into_iter().collect::<Vec<_>>())
                .prop_shuffle(),
            prop::collection::btree_map("[a-d]", container(), 0..3)
                .prop_map(|m| m.into_iter().collect::<Vec<_>>())
                .prop_shuffle(),
            prop::collection::btree_map("v[a-c]", volume(), 0..3),
            prop::option::of(prop::collection::vec("[a-c]", 0..2)),
        )
            .prop_map(|(labels, finalizers, containers, volumes, tolerations)| {
                let containers: Vec<Value> = containers
                    .into_iter()
                    .map(|(name, mut c)| {
                        c["name"] = json!(name);
                        c
                    })
                    .collect();
                let volumes: Vec<Value> = volumes
                    .into_iter()
                    .map(|(name, mut v)| {
                        v["name"] = json!(name);
                        v
                    })
                    .collect();
                let mut pod = json!({"metadata": {"labels": labels, "finalizers": finalizers},
                       "spec": {"containers": containers, "volumes": volumes}});
                if let Some(t) = tolerations {
                    let t: Vec<Value> = t.into_iter().map(|k| json!({"key": k})).collect();
                    pod["spec"]["tolerations"] = json!(t);
                }
                pod
            })
    }

    #[test]
    fn two_way_patch_looks_like_kubectl() {
        let meta = patch_meta_for("apps", "Deployment");
        let original = json!({
            "metadata": {"labels": {"app": "web", "old": "x"}, "finalizers": ["a", "b"]},
            "spec": {
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                "template": {"spec": {"containers": [
                    {"name": "app", "image": "a:1", "args": ["x"],
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                    {"name": "old", "image": "o:1"}
                ]}}
            }
        });
        let modified = json!({
            "metadata": {"labels": {"app": "web"}, "finalizers": ["b", "c"]},
            "spec": {
                "strategy": {"type": "Recreate"},
                "template": {"spec": {"containers": [
                    {"name": "app", "image": "a:2", "args": ["y"],
                     "env": [{"name": "A", "value": "1"}]}
                ]}}
            }
        });
        let patch = create_two_way_patch(&original, &modified, meta).unwrap();
        assert_eq!(
            patch,
            json!({
                "metadata": {
                    "labels": {"old": null},
                    "finalizers": ["c"],
                    "$deleteFromPrimitiveList/finalizers": ["a"],
                    "$setElementOrder/finalizers": ["b", "c"]
                },
                "spec": {
                    "strategy": {"rollingUpdate": null, "type": "Recreate", "$retainKeys": ["type"]},
                    "template": {"spec": {
                        "containers": [
                            {"image": "a:2", "args": ["y"],
                             "env": [{"name": "B", "$patch": "delete"}],
                             "$setElementOrder/env": [{"name": "A"}],
                             "name": "app"},
                            {"name": "old", "$patch": "delete"}
                        ],
                        "$setElementOrder/containers": [{"name": "app"}]
                    }}
                }
            })
        );
        assert_eq!(strategic_merge(&original, &patch, meta).unwrap(), modified);
        assert_eq!(
            create_two_way_patch(&original, &original, meta).unwrap(),
            json!({})
        );
    }

    proptest! {
        #[test]
        fn two_way_patch_reaches_the_modified_object(a in pod_like(), b in pod_like()) {
            let meta = patch_meta_for("", "Pod");
            let patch = create_two_way_patch(&a, &b, meta).unwrap();
            prop_assert_eq!(strategic_merge(&a, &patch, meta).unwrap(), b);
            prop_assert_eq!(create_two_way_patch(&a, &a, meta).unwrap(), json!({}));
        }

        #[test]
        fn two_way_patch_of_plain_objects(a in plain_object(), b in plain_object()) {
            let meta = PatchMeta::new();
            let patch = create_two_way_patch(&a, &b, &meta).unwrap();
            prop_assert_eq!(strategic_merge(&a, &patch, &meta).unwrap(), b);
        }

        #[test]
        fn empty_patch_is_identity(obj in pod_like(), other in plain_object()) {
            let meta = patch_meta_for("", "Pod");
            prop_assert_eq!(&strategic_merge(&obj, &json!({}), meta).unwrap(), &obj);
            prop_assert_eq!(
                &strategic_merge(&other, &json!({}), &PatchMeta::new()).unwrap(),
                &other
            );
        }

        #[test]
        fn replace_directive_yields_the_patch(obj in pod_like(), patch in pod_like()) {
            let meta = patch_meta_for("", "Pod");
            let mut with_directive = patch.clone();
            with_directive["$patch"] = json!("replace");
            prop_assert_eq!(strategic_merge(&obj, &with_directive, meta).unwrap(), patch);
        }

        #[test]
        fn without_list_metadata_it_is_a_merge_patch(a in plain_object(), p in plain_object()) {
            let got = strategic_merge(&a, &p, &PatchMeta::new()).unwrap();
            prop_assert_eq!(got, super::super::merge_patch(&a, &p));
        }

        #[test]
        fn patching_with_the_target_is_idempotent(a in pod_like(), b in pod_like()) {
            let meta = patch_meta_for("", "Pod");
            let once = strategic_merge(&a, &b, meta).unwrap();
            let twice = strategic_merge(&once, &b, meta).unwrap();
            prop_assert_eq!(twice, once);
        }
    }
}
