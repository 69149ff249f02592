//! Pod state as the controllers see it: active, ready, available after minReadySeconds,
//! terminating (Kubernetes' `podutil` and `controller_utils` predicates).

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// The pod's phase, empty when unset.
pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// The pod's `Ready` condition, if posted.
pub fn ready_condition(pod: &Pod) -> Option<&PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
}

/// `Ready=True`.
pub fn is_pod_ready(pod: &Pod) -> bool {
    ready_condition(pod).is_some_and(|c| c.status == "True")
}

/// Has a deletionTimestamp.
pub fn is_terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

/// Neither finished (Succeeded/Failed) nor being deleted: counts towards a ReplicaSet.
pub fn is_pod_active(pod: &Pod) -> bool {
    let p = phase(pod);
    p != "Succeeded" && p != "Failed" && !is_terminating(pod)
}

/// When the pod became ready (the Ready condition's lastTransitionTime), if it is ready.
pub fn ready_since(pod: &Pod) -> Option<Timestamp> {
    let c = ready_condition(pod)?;
    if c.status != "True" {
        return None;
    }
    c.last_transition_time.as_ref().map(|t| t.0)
}

/// Ready for at least `min_ready_seconds` at `now` (ready is enough when it is 0).
pub fn is_pod_available(pod: &Pod, min_ready_seconds: i32, now: Timestamp) -> bool {
    if !is_pod_ready(pod) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    match ready_since(pod) {
        Some(since) => {
            since
                .saturating_add(SignedDuration::from_secs(i64::from(min_ready_seconds)))
                .unwrap_or(since)
                < now
        }
        None => false,
    }
}

/// The highest restart count among the pod's containers.
pub fn max_container_restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0)
}

/// The node the pod is bound to, empty when unscheduled.
pub fn node_name(pod: &Pod) -> &str {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{pod, ts};

    #[test]
    fn availability_honours_min_ready_seconds() {
        let p = pod("a").ready_at(ts(100)).build();
        assert!(is_pod_ready(&p));
        assert!(is_pod_available(&p, 0, ts(100)));
        assert!(!is_pod_available(&p, 10, ts(110)));
        assert!(is_pod_available(&p, 10, ts(111)));
        let not_ready = pod("b").running().build();
        assert!(!is_pod_available(&not_ready, 0, ts(1000)));
    }

    #[test]
    fn activity() {
        assert!(is_pod_active(&pod("a").build()));
        assert!(!is_pod_active(&pod("a").phase("Succeeded").build()));
        assert!(!is_pod_active(&pod("a").phase("Failed").build()));
        assert!(!is_pod_active(&pod("a").deleting(ts(1)).build()));
    }
}
