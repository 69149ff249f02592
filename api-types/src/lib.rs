//! Kubernetes-compatible resource kinds and the pure logic around them.
//!
//! The built-in kinds' structs come from `k8s-openapi` (Kubernetes 1.32); this
//! crate adds what that crate lacks: the kind registry, validation and
//! defaulting, quantities, selectors, patches and tables. Nothing here does I/O.
//!
//! Start at [`kinds::builtin_registry`], which describes every built-in kind
//! as a [`registry::ResourceDef`].
#![warn(missing_docs)]

pub use k8s_openapi;

pub mod field_validation;
pub mod kinds;
pub mod openapi;
pub mod patch;
pub mod protobuf;
pub mod quantity;
pub mod registry;
pub mod selector;
pub mod validation;
