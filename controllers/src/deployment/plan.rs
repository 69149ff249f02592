//! The writes one Deployment sync decides, in the order the wiring issues them, and the working
//! copy the strategies mutate while deciding (so later steps see earlier decisions, as
//! Kubernetes' sync sees the objects its own updates return).

use std::collections::{BTreeMap, HashMap, HashSet};

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::annotations::set_replicas_annotations;
use super::replicasets::spec_replicas;
use super::status::status_equal;

/// Severity of an event, as core/v1 Events spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// `Normal`.
    Normal,
    /// `Warning`.
    Warning,
}

/// One write decided by a Deployment sync.
#[derive(Debug, Clone, PartialEq)]
pub enum DeploymentAction {
    /// A strategic merge patch to a ReplicaSet's ownerReferences (adopt or release).
    PatchReplicaSet {
        /// The ReplicaSet's name.
        name: String,
        /// The patch body.
        patch: Value,
    },
    /// Create this ReplicaSet (its name is set; it has no uid yet).
    CreateReplicaSet(ReplicaSet),
    /// Replace this ReplicaSet (spec.replicas, minReadySeconds, annotations changed).
    UpdateReplicaSet(ReplicaSet),
    /// Delete an old ReplicaSet (revisionHistoryLimit clean-up).
    DeleteReplicaSet {
        /// The ReplicaSet's name.
        name: String,
        /// Its uid, as a delete precondition.
        uid: Option<String>,
    },
    /// Set the Deployment's `metadata.annotations` to this map (the revision changed).
    UpdateDeploymentAnnotations(BTreeMap<String, String>),
    /// Write the Deployment's status subresource.
    UpdateDeploymentStatus(DeploymentStatus),
    /// Record an event on the Deployment.
    Event {
        /// Normal or Warning.
        type_: EventType,
        /// The reason, e.g. `ScalingReplicaSet`.
        reason: String,
        /// The message.
        message: String,
    },
}

/// What a Deployment sync decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeploymentPlan {
    /// Writes, in order; the wiring stops at the first failure and requeues.
    pub actions: Vec<DeploymentAction>,
    /// Check again after this long (the progress deadline may pass meanwhile).
    pub requeue_after: Option<SignedDuration>,
}

impl DeploymentPlan {
    /// The status this plan writes, if any.
    pub fn status(&self) -> Option<&DeploymentStatus> {
        self.actions.iter().find_map(|a| match a {
            DeploymentAction::UpdateDeploymentStatus(s) => Some(s),
            _ => None,
        })
    }
}

/// The working copy of one sync.
#[derive(Debug)]
pub(crate) struct Working {
    pub d: Deployment,
    pub original: Deployment,
    /// The Deployment's ReplicaSets (claimed), plus any created during this sync.
    pub rss: Vec<ReplicaSet>,
    /// Names of every ReplicaSet in the namespace, to detect hash collisions.
    pub taken_names: HashSet<String>,
    /// Phases of the pods of each ReplicaSet, by ReplicaSet uid (for Recreate).
    pub pod_phases: HashMap<String, Vec<String>>,
    /// Active (not finished, not terminating) pods of each ReplicaSet in the cache, by uid.
    pub active_pods: HashMap<String, i32>,
    pub actions: Vec<DeploymentAction>,
    pub now: Timestamp,
    pub requeue_after: Option<SignedDuration>,
}

impl Working {
    pub fn name(&self) -> &str {
        self.d.metadata.name.as_deref().unwrap_or_default()
    }

    pub fn event(&mut self, type_: EventType, reason: &str, message: String) {
        self.actions.push(DeploymentAction::Event {
            type_,
            reason: reason.to_owned(),
            message,
        });
    }

    /// Records that `rss[i]` must be written, folding into an earlier create or update of it.
    pub fn write_rs(&mut self, i: usize) {
        let rs = self.rss[i].clone();
        for action in self.actions.iter_mut().rev() {
            match action {
                DeploymentAction::CreateReplicaSet(prev)
                | DeploymentAction::UpdateReplicaSet(prev)
                    if prev.metadata.name == rs.metadata.name =>
                {
                    *prev = rs;
                    return;
                }
                _ => {}
            }
        }
        self.actions.push(DeploymentAction::UpdateReplicaSet(rs));
    }

    /// Kubernetes' `scaleReplicaSet`: sets the size and the replica annotations when either
    /// differs; true when the size changed.
    pub fn scale_rs(&mut self, i: usize, new_scale: i32, operation: &str) -> bool {
        let old = spec_replicas(&self.rss[i]);
        let size_changed = old != new_scale;
        let d = self.d.clone();
        let rs = &mut self.rss[i];
        let annotations_changed = super::annotations::replicas_annotations_need_update(rs, &d);
        if !size_changed && !annotations_changed {
            return false;
        }
        if let Some(spec) = rs.spec.as_mut() {
            spec.replicas = Some(new_scale);
        }
        set_replicas_annotations(rs, &d);
        let rs_name = rs.metadata.name.clone().unwrap_or_default();
        self.write_rs(i);
        if size_changed {
            self.event(
                EventType::Normal,
                "ScalingReplicaSet",
                format!("Scaled {operation} replica set {rs_name} from {old} to {new_scale}"),
            );
        }
        size_changed
    }

    /// Kubernetes' `scaleReplicaSetAndRecordEvent`: no-op when the size is already right.
    pub fn scale_rs_and_record(&mut self, i: usize, new_scale: i32) -> bool {
        let old = spec_replicas(&self.rss[i]);
        if old == new_scale {
            return false;
        }
        let op = if new_scale > old { "up" } else { "down" };
        self.scale_rs(i, new_scale, op)
    }

    /// Ends the sync: the Deployment's annotation and status writes, if they changed.
    pub fn finish(mut self) -> DeploymentPlan {
        if self.d.metadata.annotations != self.original.metadata.annotations {
            self.actions
                .push(DeploymentAction::UpdateDeploymentAnnotations(
                    self.d.metadata.annotations.clone().unwrap_or_default(),
                ));
        }
        let new = self.d.status.clone().unwrap_or_default();
        let old = self.original.status.clone().unwrap_or_default();
        if !status_equal(&new, &old) {
            self.actions
                .push(DeploymentAction::UpdateDeploymentStatus(new));
        }
        DeploymentPlan {
            actions: self.actions,
            requeue_after: self.requeue_after,
        }
    }
}
