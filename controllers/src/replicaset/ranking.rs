//! Which pods a ReplicaSet deletes first when it scales down (Kubernetes' `ActivePodsWithRanks`):
//! unscheduled before scheduled, Pending before Unknown before Running, not-ready before ready,
//! lower `controller.kubernetes.io/pod-deletion-cost` first, pods doubled up on a node with related
//! pods first, ready for less time first, more restarts first, newer first. Times compare on a
//! logarithmic scale against `now` (LogarithmicScaleDown), so that pods of similar age are
//! treated alike.
//!
//! Unlike Kubernetes' pairwise `Less`, the order is a sort key, so it is total (Rust's sort
//! requires one); within one logarithmic bucket ties break on restarts, then creation, then UID.

use std::cmp::Reverse;
use std::collections::HashMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;

use crate::labels::annotations_of;
use crate::pods::{
    is_pod_active, is_pod_ready, max_container_restarts, node_name, phase, ready_since,
};

/// Annotation lowering or raising a pod's deletion priority.
pub const POD_DELETION_COST_ANNOTATION: &str = "controller.kubernetes.io/pod-deletion-cost";

fn phase_ordinal(pod: &Pod) -> u8 {
    match phase(pod) {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    }
}

/// `floor(log2(now - t))` in nanoseconds, -1 for t >= now; `None` times sort first.
fn log_bucket(t: Option<Timestamp>, now: Timestamp) -> i64 {
    match t {
        None => i64::MIN,
        Some(t) => {
            let nanos = now.duration_since(t).as_nanos();
            if nanos <= 0 {
                -1
            } else {
                i64::from(127 - nanos.leading_zeros() as i32)
            }
        }
    }
}

type RankKey = (
    bool,
    u8,
    bool,
    i32,
    Reverse<usize>,
    i64,
    Reverse<i32>,
    i64,
    String,
);

fn rank_key(pod: &Pod, doubled_up: usize, now: Timestamp) -> RankKey {
    let ready = is_pod_ready(pod);
    let cost = annotations_of(&pod.metadata)
        .get(POD_DELETION_COST_ANNOTATION)
        .and_then(|v| v.parse::<i32>().ok())
        .unwrap_or(0);
    let ready_bucket = if ready {
        log_bucket(ready_since(pod), now)
    } else {
        0
    };
    let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
    (
        !node_name(pod).is_empty(),
        phase_ordinal(pod),
        ready,
        cost,
        Reverse(doubled_up),
        ready_bucket,
        Reverse(max_container_restarts(pod)),
        log_bucket(created, now),
        pod.metadata.uid.clone().unwrap_or_default(),
    )
}

/// Sorts `pods` so that the first ones are the best to delete. `related` are the active pods of
/// the ReplicaSet's siblings (same controlling Deployment, itself included): a pod sharing its
/// node with more of them goes first.
pub fn rank_for_deletion(pods: &mut [&Pod], related: &[&Pod], now: Timestamp) {
    let mut per_node: HashMap<&str, usize> = HashMap::new();
    for p in related.iter().filter(|p| is_pod_active(p)) {
        let node = node_name(p);
        if !node.is_empty() {
            *per_node.entry(node).or_default() += 1;
        }
    }
    pods.sort_by_cached_key(|p| {
        let doubled = per_node.get(node_name(p)).copied().unwrap_or(0);
        rank_key(p, doubled, now)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{pod, ts};

    fn order(mut pods: Vec<&Pod>, related: &[&Pod], now: Timestamp) -> Vec<String> {
        rank_for_deletion(&mut pods, related, now);
        pods.iter()
            .map(|p| p.metadata.name.clone().unwrap())
            .collect()
    }

    #[test]
    fn kubernetes_deletion_order() {
        let now = ts(100_000);
        let unscheduled = pod("unscheduled").build();
        let pending = pod("pending").node("n1").build();
        let unknown = pod("unknown").node("n1").phase("Unknown").build();
        let not_ready = pod("not-ready").not_ready().build();
        let ready_new = pod("ready-new").ready_at(ts(99_990)).build();
        let ready_old = pod("ready-old").ready_at(ts(10)).build();
        let pods = vec![
            &ready_old,
            &ready_new,
            &not_ready,
            &unknown,
            &pending,
            &unscheduled,
        ];
        assert_eq!(
            order(pods, &[], now),
            [
                "unscheduled",
                "pending",
                "unknown",
                "not-ready",
                "ready-new",
                "ready-old"
            ]
        );
    }

    #[test]
    fn restarts_then_newer_first_then_cost_and_doubling() {
        let now = ts(100_000);
        let a = pod("few-restarts")
            .ready_at(ts(50))
            .created(10)
            .restarts(1)
            .build();
        let b = pod("many-restarts")
            .ready_at(ts(50))
            .created(10)
            .restarts(7)
            .build();
        assert_eq!(
            order(vec![&a, &b], &[], now),
            ["many-restarts", "few-restarts"]
        );

        let old = pod("old").not_ready().created(10).build();
        let new = pod("new").not_ready().created(99_000).build();
        assert_eq!(order(vec![&old, &new], &[], now), ["new", "old"]);

        let mut cheap = pod("cheap").not_ready().created(99_000).build();
        cheap.metadata.annotations =
            Some([(POD_DELETION_COST_ANNOTATION.to_owned(), "-5".to_owned())].into());
        assert_eq!(order(vec![&new, &cheap], &[], now), ["cheap", "new"]);

        let lonely = pod("lonely").not_ready().node("n1").build();
        let crowded = pod("crowded").not_ready().node("n2").build();
        let sibling = pod("sibling").not_ready().node("n2").build();
        assert_eq!(
            order(vec![&lonely, &crowded], &[&lonely, &crowded, &sibling], now),
            ["crowded", "lonely"]
        );
    }
}
