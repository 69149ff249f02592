//! The taints the controller keeps in step with the Ready condition: `Ready=False` →
//! `node.kubernetes.io/not-ready`, `Ready=Unknown` → `node.kubernetes.io/unreachable`, each with
//! both NoSchedule and NoExecute effects (timeAdded set when added); `Ready=True` removes them.
//! Taints of others are left alone.

use k8s_openapi::api::core::v1::{Node, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

/// The taint key of a node that is not ready.
pub const NOT_READY_TAINT: &str = "node.kubernetes.io/not-ready";
/// The taint key of a node that stopped reporting.
pub const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";

fn is_ours(t: &Taint) -> bool {
    (t.key == NOT_READY_TAINT || t.key == UNREACHABLE_TAINT)
        && (t.effect == "NoExecute" || t.effect == "NoSchedule")
}

/// The node's new `spec.taints` for a Ready status (`None` when unchanged).
pub fn desired_taints(node: &Node, ready: Option<&str>, now: Timestamp) -> Option<Vec<Taint>> {
    let current = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    let want_key = match ready {
        Some("False") => Some(NOT_READY_TAINT),
        Some("Unknown") => Some(UNREACHABLE_TAINT),
        _ => None,
    };
    let mut next: Vec<Taint> = current
        .iter()
        .filter(|t| !is_ours(t) || Some(t.key.as_str()) == want_key)
        .cloned()
        .collect();
    if let Some(key) = want_key {
        for effect in ["NoSchedule", "NoExecute"] {
            if !next.iter().any(|t| t.key == key && t.effect == effect) {
                next.push(Taint {
                    key: key.to_owned(),
                    effect: effect.to_owned(),
                    value: None,
                    time_added: Some(Time(now)),
                });
            }
        }
    }
    (next != current).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodelifecycle::health::tests::node;
    use crate::testutil::ts;

    #[test]
    fn unknown_taints_and_recovery_untaints() {
        let mut n = node("Unknown", 0);
        n.spec.as_mut().unwrap().taints = Some(vec![Taint {
            key: "dedicated".into(),
            effect: "NoSchedule".into(),
            value: Some("gpu".into()),
            time_added: None,
        }]);
        let tainted = desired_taints(&n, Some("Unknown"), ts(60)).unwrap();
        assert_eq!(tainted.len(), 3);
        let ne = tainted
            .iter()
            .find(|t| t.key == UNREACHABLE_TAINT && t.effect == "NoExecute")
            .unwrap();
        assert_eq!(ne.time_added, Some(Time(ts(60))));
        n.spec.as_mut().unwrap().taints = Some(tainted);
        assert!(desired_taints(&n, Some("Unknown"), ts(70)).is_none());
        let not_ready = desired_taints(&n, Some("False"), ts(80)).unwrap();
        assert!(not_ready.iter().all(|t| t.key != UNREACHABLE_TAINT));
        assert!(
            not_ready
                .iter()
                .any(|t| t.key == NOT_READY_TAINT && t.effect == "NoExecute")
        );
        let back = desired_taints(&n, Some("True"), ts(90)).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].key, "dedicated");
    }
}
