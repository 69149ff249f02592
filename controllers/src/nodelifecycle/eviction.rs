//! When a pod on a NoExecute-tainted node goes (Kubernetes' taint eviction manager): at once if
//! some NoExecute taint is not tolerated, never if every matching toleration is unbounded,
//! otherwise `tolerationSeconds` (the smallest among the tolerations used) after the earliest
//! taint was added. A pod without any toleration for the controller's own not-ready/unreachable
//! taints gets the configured default, as the DefaultTolerationSeconds admission would add.

use k8s_openapi::api::core::v1::{Node, Pod, Taint, Toleration};
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::NodeLifecycleConfig;
use super::taints::{NOT_READY_TAINT, UNREACHABLE_TAINT};

/// Kubernetes' `ToleratesTaint`.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if t.effect
        .as_deref()
        .is_some_and(|e| !e.is_empty() && e != taint.effect)
    {
        return false;
    }
    if t.key
        .as_deref()
        .is_some_and(|k| !k.is_empty() && k != taint.key)
    {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        "Exists" => true,
        "Equal" | "" => {
            t.value.as_deref().unwrap_or_default() == taint.value.as_deref().unwrap_or_default()
        }
        _ => false,
    }
}

/// When a pod is to be evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Not at all (no NoExecute taint, or tolerated forever).
    Never,
    /// Now.
    Now,
    /// At this time.
    At(Timestamp),
}

/// The eviction time of `pod` on a node with these taints.
pub fn eviction_for(pod: &Pod, taints: &[Taint], cfg: &NodeLifecycleConfig) -> Eviction {
    let no_execute: Vec<&Taint> = taints.iter().filter(|t| t.effect == "NoExecute").collect();
    if no_execute.is_empty() {
        return Eviction::Never;
    }
    let tolerations = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.clone())
        .unwrap_or_default();
    let mut min_seconds: Option<i64> = None;
    let mut bound = |secs: i64| {
        let secs = secs.max(0);
        min_seconds = Some(min_seconds.map_or(secs, |m| m.min(secs)));
    };
    for taint in &no_execute {
        let used: Vec<&Toleration> = tolerations.iter().filter(|t| tolerates(t, taint)).collect();
        if used.is_empty() {
            if taint.key == NOT_READY_TAINT || taint.key == UNREACHABLE_TAINT {
                bound(cfg.default_toleration_seconds);
                continue;
            }
            return Eviction::Now;
        }
        for t in used {
            if let Some(secs) = t.toleration_seconds {
                bound(secs);
            }
        }
    }
    let Some(secs) = min_seconds else {
        return Eviction::Never;
    };
    let start = no_execute
        .iter()
        .filter_map(|t| t.time_added.as_ref().map(|t| t.0))
        .min();
    match start {
        Some(start) => Eviction::At(
            start
                .saturating_add(SignedDuration::from_secs(secs))
                .unwrap_or(start),
        ),
        None if secs == 0 => Eviction::Now,
        // Without timeAdded we cannot tell when the taint appeared, so no countdown can run
        // (the controller's own taints always carry timeAdded).
        None => Eviction::Never,
    }
}

/// The pods to evict from `node` at `now`, and when to look again for the next one.
pub fn pods_to_evict<'a>(
    node: &Node,
    pods: &[&'a Pod],
    now: Timestamp,
    cfg: &NodeLifecycleConfig,
) -> (Vec<&'a Pod>, Option<SignedDuration>) {
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    let node_name = node.metadata.name.as_deref().unwrap_or_default();
    let mut evict = Vec::new();
    let mut next: Option<SignedDuration> = None;
    for &pod in pods {
        if crate::pods::node_name(pod) != node_name || pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        match eviction_for(pod, &taints, cfg) {
            Eviction::Never => {}
            Eviction::Now => evict.push(pod),
            Eviction::At(t) if t <= now => evict.push(pod),
            Eviction::At(t) => {
                let wait = t.duration_since(now);
                next = Some(next.map_or(wait, |n| n.min(wait)));
            }
        }
    }
    (evict, next)
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// An `Exists` NoExecute toleration for `key`.
    pub(crate) fn toleration(key: &str, secs: Option<i64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: secs,
            value: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::toleration;
    use super::*;
    use crate::nodelifecycle::health::tests::node;
    use crate::nodelifecycle::taints::desired_taints;
    use crate::testutil::{pod, refs, ts};

    fn with_tolerations(name: &str, t: Vec<Toleration>) -> Pod {
        let mut p = pod(name).node("n1").build();
        p.spec.as_mut().unwrap().tolerations = Some(t);
        p
    }

    #[test]
    fn evictions_follow_tolerations() {
        let cfg = NodeLifecycleConfig::default();
        let mut n = node("Unknown", 0);
        n.spec.as_mut().unwrap().taints = desired_taints(&n, Some("Unknown"), ts(100));
        let pods = vec![
            with_tolerations("admitted", vec![toleration(UNREACHABLE_TAINT, Some(300))]),
            with_tolerations("short", vec![toleration(UNREACHABLE_TAINT, Some(30))]),
            with_tolerations("forever", vec![toleration(UNREACHABLE_TAINT, None)]),
            with_tolerations("bare", vec![]),
            pod("elsewhere").node("n2").build(),
        ];
        let (now_evict, next) = pods_to_evict(&n, &refs(&pods), ts(120), &cfg);
        assert!(now_evict.is_empty());
        assert_eq!(next, Some(SignedDuration::from_secs(10)));
        let (evict, _) = pods_to_evict(&n, &refs(&pods), ts(130), &cfg);
        assert_eq!(
            evict
                .iter()
                .map(|p| p.metadata.name.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["short"]
        );
        let (evict, next) = pods_to_evict(&n, &refs(&pods), ts(400), &cfg);
        let names: Vec<_> = evict
            .iter()
            .map(|p| p.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, ["admitted", "short", "bare"]);
        assert_eq!(next, None);
    }

    #[test]
    fn untolerated_foreign_taint_evicts_now_and_healthy_node_evicts_nothing() {
        let cfg = NodeLifecycleConfig::default();
        let taint = Taint {
            key: "maintenance".into(),
            effect: "NoExecute".into(),
            value: None,
            time_added: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(ts(5))),
        };
        assert_eq!(
            eviction_for(
                &with_tolerations("p", vec![]),
                std::slice::from_ref(&taint),
                &cfg
            ),
            Eviction::Now
        );
        let tol = Toleration {
            key: Some("maintenance".into()),
            operator: Some("Equal".into()),
            value: None,
            effect: None,
            toleration_seconds: Some(60),
        };
        assert_eq!(
            eviction_for(&with_tolerations("p", vec![tol]), &[taint], &cfg),
            Eviction::At(ts(65))
        );
        let healthy = node("True", 0);
        let pods = vec![with_tolerations("p", vec![])];
        assert!(
            pods_to_evict(&healthy, &refs(&pods), ts(1000), &cfg)
                .0
                .is_empty()
        );
    }
}
