//! A ReplicaSet's status from its active pods: replicas, fullyLabeledReplicas, readyReplicas,
//! availableReplicas (honouring minReadySeconds), observedGeneration and the ReplicaFailure
//! condition.

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::desired_replicas;
use crate::labels::labels_of;
use crate::pods::{is_pod_available, is_pod_ready};

/// The condition type set when creating or deleting pods failed.
pub const REPLICA_FAILURE: &str = "ReplicaFailure";

/// Computes the new status. `active` are the claimed active pods; `manage_error` is the error of
/// this sync's creates or deletes, if any.
pub fn calculate_status(
    rs: &ReplicaSet,
    active: &[&Pod],
    manage_error: Option<&str>,
    now: Timestamp,
) -> ReplicaSetStatus {
    let mut status = rs.status.clone().unwrap_or_default();
    let spec = rs.spec.as_ref();
    let min_ready = spec.and_then(|s| s.min_ready_seconds).unwrap_or(0);
    let template_labels = spec
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let mut fully_labeled = 0;
    let mut ready = 0;
    let mut available = 0;
    for pod in active {
        let labels = labels_of(&pod.metadata);
        if template_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
        {
            fully_labeled += 1;
        }
        if is_pod_ready(pod) {
            ready += 1;
            if is_pod_available(pod, min_ready, now) {
                available += 1;
            }
        }
    }
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let has_failure = conditions.iter().any(|c| c.type_ == REPLICA_FAILURE);
    match manage_error {
        Some(message) if !has_failure => {
            let diff = active.len() as i64 - i64::from(desired_replicas(rs));
            let reason = if diff < 0 {
                "FailedCreate"
            } else if diff > 0 {
                "FailedDelete"
            } else {
                ""
            };
            conditions.push(ReplicaSetCondition {
                type_: REPLICA_FAILURE.into(),
                status: "True".into(),
                reason: Some(reason.into()),
                message: Some(message.into()),
                last_transition_time: Some(Time(now)),
            });
        }
        None if has_failure => conditions.retain(|c| c.type_ != REPLICA_FAILURE),
        _ => {}
    }
    if status.conditions.as_ref().is_some_and(Vec::is_empty) {
        status.conditions = None;
    }
    status.replicas = i32::try_from(active.len()).unwrap_or(i32::MAX);
    status.fully_labeled_replicas = Some(fully_labeled);
    status.ready_replicas = Some(ready);
    status.available_replicas = Some(available);
    status.observed_generation = rs.metadata.generation;
    status
}

/// Whether the stored status differs from the computed one (absent counts read as 0 and
/// absent conditions as none, so that a status read back with zero fields omitted does not
/// look changed).
pub fn status_changed(rs: &ReplicaSet, new: &ReplicaSetStatus) -> bool {
    let old = rs.status.clone().unwrap_or_default();
    let n = |v: Option<i32>| v.unwrap_or(0);
    let conditions = |s: &ReplicaSetStatus| s.conditions.clone().unwrap_or_default();
    old.replicas != new.replicas
        || n(old.fully_labeled_replicas) != n(new.fully_labeled_replicas)
        || n(old.ready_replicas) != n(new.ready_replicas)
        || n(old.available_replicas) != n(new.available_replicas)
        || old.observed_generation.unwrap_or(0) != new.observed_generation.unwrap_or(0)
        || conditions(&old) != conditions(new)
}

/// When all pods are ready but some not yet available (minReadySeconds), check again after
/// minReadySeconds, as Kubernetes does.
pub fn requeue_for_availability(
    rs: &ReplicaSet,
    status: &ReplicaSetStatus,
) -> Option<SignedDuration> {
    let min_ready = rs
        .spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0);
    let desired = desired_replicas(rs);
    (min_ready > 0
        && status.ready_replicas.unwrap_or(0) == desired
        && status.available_replicas.unwrap_or(0) != desired)
        .then(|| SignedDuration::from_secs(i64::from(min_ready)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{pod, replica_set, ts};

    #[test]
    fn counts_and_min_ready_seconds() {
        let mut rs = replica_set("rs", 3);
        rs.metadata.generation = Some(4);
        rs.spec.as_mut().unwrap().min_ready_seconds = Some(30);
        let a = pod("a").labels(&[("app", "web")]).ready_at(ts(0)).build();
        let b = pod("b").labels(&[("app", "web")]).ready_at(ts(90)).build();
        let c = pod("c").labels(&[("other", "x")]).not_ready().build();
        let s = calculate_status(&rs, &[&a, &b, &c], None, ts(100));
        assert_eq!(s.replicas, 3);
        assert_eq!(s.fully_labeled_replicas, Some(2));
        assert_eq!(s.ready_replicas, Some(2));
        assert_eq!(s.available_replicas, Some(1));
        assert_eq!(s.observed_generation, Some(4));
        assert!(s.conditions.is_none());
        assert_eq!(requeue_for_availability(&rs, &s), None);
    }

    #[test]
    fn replica_failure_condition_set_and_cleared() {
        let mut rs = replica_set("rs", 2);
        let s = calculate_status(&rs, &[], Some("pods is forbidden"), ts(5));
        let cond = &s.conditions.as_ref().unwrap()[0];
        assert_eq!(cond.type_, REPLICA_FAILURE);
        assert_eq!(cond.reason.as_deref(), Some("FailedCreate"));
        rs.status = Some(s);
        assert!(!status_changed(
            &rs,
            &calculate_status(&rs, &[], Some("again"), ts(6))
        ));
        let cleared = calculate_status(&rs, &[], None, ts(7));
        assert!(cleared.conditions.is_none());
    }

    #[test]
    fn omitted_zero_fields_are_not_a_change() {
        let mut rs = replica_set("rs", 0);
        let computed = calculate_status(&rs, &[], None, ts(1));
        assert_eq!(computed.ready_replicas, Some(0));
        rs.status = Some(ReplicaSetStatus {
            replicas: 0,
            observed_generation: Some(1),
            ..Default::default()
        });
        assert!(!status_changed(&rs, &computed));
        rs.metadata.generation = Some(2);
        assert!(status_changed(
            &rs,
            &calculate_status(&rs, &[], None, ts(1))
        ));
    }

    #[test]
    fn requeue_when_ready_but_not_yet_available() {
        let mut rs = replica_set("rs", 1);
        rs.spec.as_mut().unwrap().min_ready_seconds = Some(10);
        let a = pod("a").labels(&[("app", "web")]).ready_at(ts(95)).build();
        let s = calculate_status(&rs, &[&a], None, ts(100));
        assert_eq!(
            requeue_for_availability(&rs, &s),
            Some(SignedDuration::from_secs(10))
        );
    }
}
