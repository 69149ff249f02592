//! The three patch types of the Kubernetes API: JSON merge patch
//! (`application/merge-patch+json`, [`merge`]), JSON patch
//! (`application/json-patch+json`, [`json`]) and strategic merge patch
//! (`application/strategic-merge-patch+json`, [`strategic`], driven by the
//! per-kind metadata in [`meta`]).

pub mod json;
pub mod merge;
pub mod meta;
pub mod strategic;

pub use json::json_patch;
pub use merge::{create_merge_patch, merge_patch};
pub use meta::{FieldMeta, ListStrategy, PatchMeta, patch_meta_for};
pub use strategic::{create_two_way_patch, strategic_merge, strategic_merge_owned};

use serde_json::Value;

/// The patch formats of `PATCH` requests, by `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchType {
    /// `application/json-patch+json` (RFC 6902).
    Json,
    /// `application/merge-patch+json` (RFC 7396).
    Merge,
    /// `application/strategic-merge-patch+json`.
    StrategicMerge,
}

impl PatchType {
    /// The patch type of a `Content-Type` header value (parameters such as
    /// `; charset=utf-8` are ignored); `None` for anything else, including
    /// server-side apply's `application/apply-patch+yaml`.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::StrategicMerge),
            _ => None,
        }
    }

    /// The `Content-Type` of this patch type.
    pub fn content_type(&self) -> &'static str {
        match self {
            PatchType::Json => "application/json-patch+json",
            PatchType::Merge => "application/merge-patch+json",
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
        }
    }
}

/// Applies a patch of any type to an object. `meta` is used by strategic
/// merge patches only (see [`patch_meta_for`]). Merge and strategic patches
/// must be JSON objects, as the API server requires.
pub fn apply_patch(
    patch_type: PatchType,
    original: &Value,
    patch: &Value,
    meta: &PatchMeta,
) -> Result<Value, PatchError> {
    match patch_type {
        PatchType::Json => json_patch(original, patch),
        PatchType::Merge => {
            if !patch.is_object() {
                return Err(PatchError::InvalidPatch(
                    "a merge patch must be a JSON object".to_string(),
                ));
            }
            Ok(merge_patch(original, patch))
        }
        PatchType::StrategicMerge => strategic_merge(original, patch, meta),
    }
}

/// Errors from applying a patch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The patch document is not of the expected shape.
    #[error("invalid patch: {0}")]
    InvalidPatch(String),
    /// A JSON patch `test` operation did not match.
    #[error("JSON patch operation {operation} (test) failed at {path:?}: the value does not match")]
    TestFailed {
        /// Index of the operation in the patch.
        operation: usize,
        /// Its `path`.
        path: String,
    },
    /// A JSON patch operation could not be applied.
    #[error("JSON patch operation {operation} failed at {path:?}: {reason}")]
    OperationFailed {
        /// Index of the operation in the patch.
        operation: usize,
        /// Its `path`.
        path: String,
        /// Why.
        reason: String,
    },
    /// A strategic merge patch needs a JSON object.
    #[error("strategic merge patch: {what} must be a JSON object")]
    NotAnObject {
        /// Which document.
        what: &'static str,
    },
    /// An unknown `$patch` directive value.
    #[error(
        "strategic merge patch: unknown $patch directive {directive:?} at {path}; expected replace, delete or merge"
    )]
    UnknownDirective {
        /// Where.
        path: String,
        /// The value given.
        directive: String,
    },
    /// A directive (`$retainKeys`, `$setElementOrder/..`, `$deleteFromPrimitiveList/..`) has a bad value.
    #[error("strategic merge patch: invalid {directive} at {path}: {reason}")]
    InvalidDirective {
        /// Where.
        path: String,
        /// The directive.
        directive: String,
        /// Why.
        reason: String,
    },
    /// A list item lacks the list's merge key.
    #[error("strategic merge patch: item of {path} does not contain the merge key {key:?}")]
    MissingMergeKey {
        /// The list.
        path: String,
        /// The merge key.
        key: String,
    },
    /// A list mixes objects with other values, or holds lists.
    #[error("strategic merge patch: {path}: {reason}")]
    InvalidList {
        /// The list.
        path: String,
        /// Why it cannot be merged.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn content_types_select_the_patch_type() {
        for t in [PatchType::Json, PatchType::Merge, PatchType::StrategicMerge] {
            assert_eq!(PatchType::from_content_type(t.content_type()), Some(t));
        }
        assert_eq!(
            PatchType::from_content_type("application/merge-patch+json; charset=utf-8"),
            Some(PatchType::Merge)
        );
        assert_eq!(
            PatchType::from_content_type("application/apply-patch+yaml"),
            None
        );
        assert_eq!(PatchType::from_content_type("application/json"), None);
    }

    #[test]
    fn apply_patch_dispatches() {
        let pod = json!({"metadata": {"finalizers": ["a"]}, "spec": {"nodeName": "n1"}});
        let meta = patch_meta_for("", "Pod");
        let finalizers = json!({"metadata": {"finalizers": ["b"]}});
        assert_eq!(
            apply_patch(PatchType::Merge, &pod, &finalizers, meta).unwrap()["metadata"]["finalizers"],
            json!(["b"])
        );
        assert_eq!(
            apply_patch(PatchType::StrategicMerge, &pod, &finalizers, meta).unwrap()["metadata"]["finalizers"],
            json!(["b", "a"])
        );
        let ops = json!([{"op": "replace", "path": "/spec/nodeName", "value": "n2"}]);
        assert_eq!(
            apply_patch(PatchType::Json, &pod, &ops, meta).unwrap()["spec"]["nodeName"],
            "n2"
        );
        assert!(matches!(
            apply_patch(PatchType::Merge, &pod, &json!([1]), meta),
            Err(PatchError::InvalidPatch(_))
        ));
    }
}
