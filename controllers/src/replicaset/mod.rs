//! The ReplicaSet controller: keeps `spec.replicas` active pods matching the selector.
//!
//! Mirrors `kubernetes/pkg/controller/replicaset`: [`adoption`] claims pods by selector with a
//! controllerRef, [`manage`] turns the difference into creates (in [`slow_start`] batches, capped by
//! a burst) or deletes (ranked by [`ranking`]), [`expectations`] stops a lagging cache from causing
//! double work, [`status`] computes the status and [`pod_template`] builds new pods;
//! [`controller`] wires them to the caches and the API.

pub mod adoption;
pub mod expectations;
pub mod manage;
pub mod pod_template;
pub mod ranking;
pub mod slow_start;
pub mod status;

pub mod controller;

use k8s_openapi::api::apps::v1::ReplicaSet;

/// The most pods one sync creates or deletes (Kubernetes' `BurstReplicas`).
pub const BURST_REPLICAS: usize = 500;

/// Why a ReplicaSet cannot be reconciled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaSetError {
    /// The object lacks a field the controller needs.
    #[error("replica set {name:?} has no {field}")]
    MissingField {
        /// The ReplicaSet's name (may be empty).
        name: String,
        /// The missing field.
        field: &'static str,
    },
    /// The selector cannot be evaluated.
    #[error("replica set {name:?} has an invalid selector: {source}")]
    InvalidSelector {
        /// The ReplicaSet's name.
        name: String,
        /// The selector problem.
        source: crate::labels::SelectorError,
    },
}

/// `spec.replicas`, defaulting to 1 as the API server does.
pub fn desired_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

/// `namespace/name`: the key expectations and work queues use.
pub fn key_of(rs: &ReplicaSet) -> String {
    format!(
        "{}/{}",
        rs.metadata.namespace.as_deref().unwrap_or_default(),
        rs.metadata.name.as_deref().unwrap_or_default()
    )
}
