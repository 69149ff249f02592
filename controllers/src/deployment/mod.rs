//! The Deployment controller: rolls a Deployment's pod template out through ReplicaSets.
//!
//! Mirrors `kubernetes/pkg/controller/deployment`, a file per concern: [`hash`] names ReplicaSets
//! by `pod-template-hash`; [`fenceposts`] resolves maxSurge/maxUnavailable; [`annotations`] keeps
//! revisions and replica annotations; [`replicasets`] finds, sorts and counts ReplicaSets;
//! [`sync`] is the entry point ([`sync::sync_deployment`]) with scaling, proportional scaling and
//! clean-up; [`rolling`] and [`recreate`] are the two strategies; [`rollback`] reuses an old
//! ReplicaSet when the template returns to it; [`progress`] keeps the Progressing and Available
//! conditions; [`status`] computes the status `kubectl rollout status` reads. Decisions are
//! returned as a [`plan::DeploymentPlan`] of writes that [`controller`] issues in order.

pub mod annotations;
pub mod fenceposts;
pub mod hash;
pub mod plan;
pub mod progress;
pub mod recreate;
pub mod replicasets;
pub mod rollback;
pub mod rolling;
pub mod status;
pub mod sync;

pub mod controller;

#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod simulation;

/// The label naming a ReplicaSet's template hash, added to its selector, template and pods.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";
/// The revision of a ReplicaSet, copied to its Deployment.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// Earlier revisions of a ReplicaSet that was rolled back to.
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
/// The Deployment's replicas when the ReplicaSet was last scaled.
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
/// The Deployment's replicas plus maxSurge when the ReplicaSet was last scaled.
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
/// The user's reason for a change, copied from the Deployment to its new ReplicaSet.
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";
/// kubectl's last-applied annotation, never copied to ReplicaSets.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// The longest revision-history annotation kept (Kubernetes' `maxRevHistoryLengthInChars`).
pub const MAX_REVISION_HISTORY_CHARS: usize = 2000;

/// Why a Deployment cannot be reconciled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeploymentError {
    /// The object lacks a field the controller needs.
    #[error("deployment {name:?} has no {field}")]
    MissingField {
        /// The Deployment's name (may be empty).
        name: String,
        /// The missing field.
        field: &'static str,
    },
    /// The selector cannot be evaluated.
    #[error("deployment {name:?} has an invalid selector: {source}")]
    InvalidSelector {
        /// The Deployment's name.
        name: String,
        /// The selector problem.
        source: crate::labels::SelectorError,
    },
    /// The template could not be serialized for hashing.
    #[error("cannot hash the pod template: {0}")]
    Hash(String),
}
