//! Node health from heartbeats: the last heartbeat is the later of the node Lease's renewTime
//! and the Ready condition's lastHeartbeatTime (the node's creation when it never reported);
//! after the grace period every monitored condition turns `Unknown`
//! (`NodeStatusUnknown`, "Kubelet stopped posting node status."; `NodeStatusNeverUpdated` when
//! the condition was never posted).

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, NodeCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::NodeLifecycleConfig;

/// The conditions the controller turns Unknown (Kubernetes' `nodeConditionTypes`).
pub const MONITORED_CONDITIONS: [&str; 4] =
    ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/// The node's condition of this type.
pub fn condition<'a>(node: &'a Node, type_: &str) -> Option<&'a NodeCondition> {
    node.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
}

/// The Ready condition's status (`True`, `False`, `Unknown`), `None` when never posted.
pub fn ready_status(node: &Node) -> Option<&str> {
    condition(node, "Ready").map(|c| c.status.as_str())
}

/// The latest sign of life: Lease renewTime or the Ready condition's heartbeat, else creation.
pub fn last_heartbeat(node: &Node, lease: Option<&Lease>) -> Option<Timestamp> {
    let renew = lease
        .and_then(|l| l.spec.as_ref())
        .and_then(|s| s.renew_time.as_ref())
        .map(|t| t.0);
    let posted = condition(node, "Ready")
        .and_then(|c| c.last_heartbeat_time.as_ref())
        .map(|t| t.0);
    renew
        .max(posted)
        .or_else(|| node.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// The health decision for one node.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthDecision {
    /// New conditions for the node's status, when they must change.
    pub conditions: Option<Vec<NodeCondition>>,
    /// Check again after this long (when the grace period would run out).
    pub requeue_after: Option<SignedDuration>,
}

/// Decides whether the node's conditions go Unknown at `now`.
pub fn decide_health(
    node: &Node,
    lease: Option<&Lease>,
    now: Timestamp,
    cfg: &NodeLifecycleConfig,
) -> HealthDecision {
    let Some(last) = last_heartbeat(node, lease) else {
        return HealthDecision {
            conditions: None,
            requeue_after: None,
        };
    };
    let deadline = last.saturating_add(cfg.grace_period).unwrap_or(last);
    if now <= deadline {
        let wait = deadline.duration_since(now) + SignedDuration::from_secs(1);
        return HealthDecision {
            conditions: None,
            requeue_after: Some(wait),
        };
    }
    let mut conditions = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default();
    let mut changed = false;
    for type_ in MONITORED_CONDITIONS {
        match conditions.iter_mut().find(|c| c.type_ == type_) {
            None => {
                conditions.push(NodeCondition {
                    type_: type_.to_owned(),
                    status: "Unknown".into(),
                    reason: Some("NodeStatusNeverUpdated".into()),
                    message: Some("Kubelet never posted node status.".into()),
                    last_heartbeat_time: node.metadata.creation_timestamp.clone(),
                    last_transition_time: Some(Time(now)),
                });
                changed = true;
            }
            Some(c) if c.status != "Unknown" => {
                c.status = "Unknown".into();
                c.reason = Some("NodeStatusUnknown".into());
                c.message = Some("Kubelet stopped posting node status.".into());
                c.last_transition_time = Some(Time(now));
                changed = true;
            }
            Some(_) => {}
        }
    }
    HealthDecision {
        conditions: changed.then_some(conditions),
        requeue_after: None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::ts;
    use k8s_openapi::api::coordination::v1::LeaseSpec;
    use k8s_openapi::api::core::v1::NodeStatus;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};

    pub(crate) fn node(ready: &str, heartbeat: i64) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("n1".into()),
                creation_timestamp: Some(Time(ts(0))),
                ..Default::default()
            },
            spec: Some(Default::default()),
            status: Some(NodeStatus {
                conditions: Some(vec![NodeCondition {
                    type_: "Ready".into(),
                    status: ready.into(),
                    reason: Some("KubeletReady".into()),
                    last_heartbeat_time: Some(Time(ts(heartbeat))),
                    last_transition_time: Some(Time(ts(0))),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        }
    }

    pub(crate) fn lease(renew: i64) -> Lease {
        Lease {
            metadata: ObjectMeta::default(),
            spec: Some(LeaseSpec {
                renew_time: Some(MicroTime(ts(renew))),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn lease_renewal_keeps_node_healthy() {
        let cfg = NodeLifecycleConfig::default();
        let n = node("True", 10);
        let d = decide_health(&n, Some(&lease(100)), ts(140), &cfg);
        assert!(d.conditions.is_none());
        assert_eq!(d.requeue_after, Some(SignedDuration::from_secs(11)));
    }

    #[test]
    fn silent_node_goes_unknown_after_grace_period() {
        let cfg = NodeLifecycleConfig::default();
        let n = node("True", 10);
        assert!(
            decide_health(&n, Some(&lease(100)), ts(150), &cfg)
                .conditions
                .is_none()
        );
        let d = decide_health(&n, Some(&lease(100)), ts(151), &cfg);
        let conds = d.conditions.unwrap();
        let ready = conds.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(ready.status, "Unknown");
        assert_eq!(ready.reason.as_deref(), Some("NodeStatusUnknown"));
        assert_eq!(ready.last_heartbeat_time, Some(Time(ts(10))));
        assert_eq!(ready.last_transition_time, Some(Time(ts(151))));
        let mem = conds.iter().find(|c| c.type_ == "MemoryPressure").unwrap();
        assert_eq!(mem.reason.as_deref(), Some("NodeStatusNeverUpdated"));
        // Already Unknown everywhere: nothing more to write.
        let mut unknown = n.clone();
        unknown.status.as_mut().unwrap().conditions = Some(conds);
        assert!(
            decide_health(&unknown, Some(&lease(100)), ts(200), &cfg)
                .conditions
                .is_none()
        );
    }

    #[test]
    fn grace_period_is_configurable_and_no_lease_uses_status_heartbeat() {
        let cfg = NodeLifecycleConfig {
            grace_period: SignedDuration::from_secs(10),
            ..Default::default()
        };
        let n = node("True", 100);
        assert!(decide_health(&n, None, ts(110), &cfg).conditions.is_none());
        assert!(decide_health(&n, None, ts(111), &cfg).conditions.is_some());
    }
}

/// Pods on an unreachable node that still claim to be ready: Kubernetes marks them not ready
/// (`Ready=False`) so that endpoints stop sending them traffic before eviction.
pub fn pods_to_mark_not_ready<'a>(
    ready: Option<&str>,
    pods: &[&'a k8s_openapi::api::core::v1::Pod],
) -> Vec<&'a k8s_openapi::api::core::v1::Pod> {
    if ready != Some("Unknown") {
        return Vec::new();
    }
    pods.iter()
        .copied()
        .filter(|p| p.metadata.deletion_timestamp.is_none() && crate::pods::is_pod_ready(p))
        .collect()
}

#[cfg(test)]
mod not_ready_tests {
    use super::*;
    use crate::testutil::{pod, ts};

    #[test]
    fn only_ready_pods_of_unknown_nodes_are_marked() {
        let ready = pod("a").ready_at(ts(1)).build();
        let not_ready = pod("b").not_ready().build();
        let pods = [&ready, &not_ready];
        assert_eq!(pods_to_mark_not_ready(Some("Unknown"), &pods).len(), 1);
        assert!(pods_to_mark_not_ready(Some("True"), &pods).is_empty());
        assert!(pods_to_mark_not_ready(Some("False"), &pods).is_empty());
    }
}
