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
pub use strategic::strategic_merge;

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
