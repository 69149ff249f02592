//! The Deployment status `kubectl rollout status` reads: replicas, updatedReplicas,
//! readyReplicas, availableReplicas, unavailableReplicas, observedGeneration, collisionCount,
//! and the Available condition (MinimumReplicasAvailable / MinimumReplicasUnavailable).

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use k8s_openapi::jiff::Timestamp;

use super::fenceposts::{max_unavailable, replicas};
use super::progress::{AVAILABLE, new_condition, set_condition};
use super::replicasets::{sum_available, sum_ready, sum_spec, sum_status};

/// Kubernetes' `calculateStatus`: counts from the ReplicaSets, conditions carried over from the
/// Deployment's current status with Available recomputed.
pub fn calculate_status(
    d: &Deployment,
    all: &[&ReplicaSet],
    new: Option<&ReplicaSet>,
    now: Timestamp,
) -> DeploymentStatus {
    let current = d.status.clone().unwrap_or_default();
    let available = sum_available(all);
    let unavailable = (sum_spec(all) - available).max(0);
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: Some(sum_status(all)),
        updated_replicas: Some(new.map_or(0, |rs| sum_status(&[rs]))),
        ready_replicas: Some(sum_ready(all)),
        available_replicas: Some(available),
        unavailable_replicas: Some(unavailable),
        collision_count: current.collision_count,
        conditions: current.conditions.clone(),
    };
    let condition = if available >= replicas(d) - max_unavailable(d) {
        new_condition(
            AVAILABLE,
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            now,
        )
    } else {
        new_condition(
            AVAILABLE,
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            now,
        )
    };
    set_condition(&mut status, condition);
    status
}

fn count(v: Option<i32>) -> i32 {
    v.unwrap_or(0)
}

fn conditions(s: &DeploymentStatus) -> &[DeploymentCondition] {
    s.conditions.as_deref().unwrap_or_default()
}

/// Equality that treats absent counts as 0 and absent conditions as empty, so that a status
/// read back with zero fields omitted does not look changed.
pub fn status_equal(a: &DeploymentStatus, b: &DeploymentStatus) -> bool {
    a.observed_generation.unwrap_or(0) == b.observed_generation.unwrap_or(0)
        && count(a.replicas) == count(b.replicas)
        && count(a.updated_replicas) == count(b.updated_replicas)
        && count(a.ready_replicas) == count(b.ready_replicas)
        && count(a.available_replicas) == count(b.available_replicas)
        && count(a.unavailable_replicas) == count(b.unavailable_replicas)
        && a.collision_count == b.collision_count
        && conditions(a) == conditions(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{deployment, replica_set, ts};
    use k8s_openapi::api::apps::v1::ReplicaSetStatus;

    fn rs_with(name: &str, spec: i32, status: i32, ready: i32, available: i32) -> ReplicaSet {
        let mut rs = replica_set(name, spec);
        rs.status = Some(ReplicaSetStatus {
            replicas: status,
            ready_replicas: Some(ready),
            available_replicas: Some(available),
            ..Default::default()
        });
        rs
    }

    #[test]
    fn counts_for_rollout_status() {
        let mut d = deployment("web", 4, "nginx");
        d.metadata.generation = Some(7);
        let old = rs_with("old", 2, 3, 3, 3);
        let new = rs_with("new", 3, 2, 1, 0);
        let s = calculate_status(&d, &[&old, &new], Some(&new), ts(1));
        assert_eq!(s.observed_generation, Some(7));
        assert_eq!(s.replicas, Some(5));
        assert_eq!(s.updated_replicas, Some(2));
        assert_eq!(s.ready_replicas, Some(4));
        assert_eq!(s.available_replicas, Some(3));
        assert_eq!(s.unavailable_replicas, Some(2));
        let avail = &s.conditions.as_ref().unwrap()[0];
        assert_eq!(
            (avail.type_.as_str(), avail.status.as_str()),
            ("Available", "True")
        );
        assert_eq!(avail.reason.as_deref(), Some("MinimumReplicasAvailable"));

        let none = calculate_status(&d, &[&new], Some(&new), ts(1));
        let avail = &none.conditions.as_ref().unwrap()[0];
        assert_eq!(avail.reason.as_deref(), Some("MinimumReplicasUnavailable"));
    }

    #[test]
    fn zero_and_absent_counts_are_equal() {
        let a = DeploymentStatus {
            replicas: Some(0),
            conditions: Some(vec![]),
            ..Default::default()
        };
        assert!(status_equal(&a, &DeploymentStatus::default()));
        let b = DeploymentStatus {
            replicas: Some(1),
            ..Default::default()
        };
        assert!(!status_equal(&b, &DeploymentStatus::default()));
    }
}
