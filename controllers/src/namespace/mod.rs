//! The namespace controller: empties a terminating namespace, then clears its `kubernetes`
//! finalizer through `namespaces/{name}/finalize` so that the namespace goes
//! (Kubernetes' `pkg/controller/namespace`): [`deletion`] decides, [`controller`] wires it.

pub mod deletion;

pub mod controller;

/// The finalizer the namespace controller owns in `spec.finalizers`.
pub const KUBERNETES_FINALIZER: &str = "kubernetes";
