//! JSON merge patch (RFC 7396): objects merge recursively, `null` deletes a
//! member, anything else (arrays included) replaces.

use serde_json::{Map, Value};

/// Applies a merge patch to a copy of `original`.
pub fn merge_patch(original: &Value, patch: &Value) -> Value {
    let mut doc = original.clone();
    json_patch::merge(&mut doc, patch);
    doc
}

/// The merge patch that turns `original` into `modified` (removed members
/// become `null`). `merge_patch(original, &create_merge_patch(original, modified))`
/// equals `modified` as long as `modified` holds no `null` object members,
/// which a merge patch cannot express.
pub fn create_merge_patch(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(o), Value::Object(m)) => {
            let mut patch = Map::new();
            for (key, old) in o {
                match m.get(key) {
                    None => {
                        patch.insert(key.clone(), Value::Null);
                    }
                    Some(new) if new != old => {
                        patch.insert(key.clone(), create_merge_patch(old, new));
                    }
                    Some(_) => {}
                }
            }
            for (key, new) in m {
                if !o.contains_key(key) {
                    patch.insert(key.clone(), new.clone());
                }
            }
            Value::Object(patch)
        }
        _ => modified.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn rfc7396_examples() {
        let original = json!({"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]});
        let patch = json!({"a": "z", "c": {"f": null}, "l": [3], "n": {"x": null, "y": 1}});
        assert_eq!(
            merge_patch(&original, &patch),
            json!({"a": "z", "c": {"d": "e"}, "l": [3], "n": {"y": 1}})
        );
        assert_eq!(merge_patch(&original, &json!([1])), json!([1]));
        assert_eq!(merge_patch(&json!([1]), &json!({"a": 1})), json!({"a": 1}));
        // Removing a label, as `kubectl label pod x app-`.
        let pod = json!({"metadata": {"labels": {"app": "web", "tier": "fe"}}});
        assert_eq!(
            merge_patch(&pod, &json!({"metadata": {"labels": {"app": null}}})),
            json!({"metadata": {"labels": {"tier": "fe"}}})
        );
    }

    pub(crate) fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|n| json!(n)),
            "[a-z]{0,4}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-d]", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Removes `null` object members (which a merge patch cannot produce).
    fn without_null_members(v: Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, without_null_members(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.into_iter().map(without_null_members).collect()),
            other => other,
        }
    }

    proptest! {
        #[test]
        fn diff_then_merge_reaches_target(a in json_value(), b in json_value()) {
            let b = without_null_members(b);
            let patch = create_merge_patch(&a, &b);
            prop_assert_eq!(merge_patch(&a, &patch), b);
        }

        #[test]
        fn merge_patch_is_idempotent(a in json_value(), p in json_value()) {
            let once = merge_patch(&a, &p);
            prop_assert_eq!(merge_patch(&once, &p), once);
        }
    }
}
