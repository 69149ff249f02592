//! JSON patch (RFC 6902) through the `json-patch` crate, with errors that name
//! the failing operation.

use serde_json::Value;

use super::PatchError;

/// Applies a JSON patch (an array of operations) to a copy of `original`.
/// The patch is atomic: on error nothing is applied.
pub fn json_patch(original: &Value, patch: &Value) -> Result<Value, PatchError> {
    let operations: json_patch::Patch = serde_json::from_value(patch.clone())
        .map_err(|e| PatchError::InvalidPatch(format!("not a JSON patch document: {e}")))?;
    let mut doc = original.clone();
    json_patch::patch(&mut doc, &operations).map_err(|e| {
        let path = e.path.to_string();
        match e.kind {
            json_patch::PatchErrorKind::TestFailed => PatchError::TestFailed {
                operation: e.operation,
                path,
            },
            kind => PatchError::OperationFailed {
                operation: e.operation,
                path,
                reason: kind.to_string(),
            },
        }
    })?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn applies_operations() {
        let doc = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1, "l": [1, 2]}});
        let patch = json!([
            {"op": "test", "path": "/spec/replicas", "value": 1},
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/metadata/labels/b~1c", "value": "2"},
            {"op": "remove", "path": "/metadata/labels/a"},
            {"op": "add", "path": "/spec/l/-", "value": 3},
            {"op": "move", "from": "/spec/l", "path": "/spec/m"},
            {"op": "copy", "from": "/spec/replicas", "path": "/spec/n"}
        ]);
        assert_eq!(
            json_patch(&doc, &patch).unwrap(),
            json!({"metadata": {"labels": {"b/c": "2"}}, "spec": {"replicas": 3, "m": [1, 2, 3], "n": 3}})
        );
    }

    #[test]
    fn reports_failures() {
        let doc = json!({"spec": {"replicas": 1}});
        let err = json_patch(
            &doc,
            &json!([{"op": "add", "path": "/x", "value": 1}, {"op": "test", "path": "/spec/replicas", "value": 2}]),
        )
        .unwrap_err();
        assert_eq!(
            err,
            PatchError::TestFailed {
                operation: 1,
                path: "/spec/replicas".into()
            }
        );
        let err = json_patch(&doc, &json!([{"op": "remove", "path": "/nope"}])).unwrap_err();
        assert!(
            matches!(err, PatchError::OperationFailed { operation: 0, .. }),
            "{err}"
        );
        let err = json_patch(&doc, &json!({"op": "remove"})).unwrap_err();
        assert!(matches!(err, PatchError::InvalidPatch(_)), "{err}");
        let err = json_patch(&doc, &json!([{"op": "frobnicate", "path": "/"}])).unwrap_err();
        assert!(
            err.to_string().contains("not a JSON patch document"),
            "{err}"
        );
    }
}
