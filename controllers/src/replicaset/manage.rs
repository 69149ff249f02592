//! The replica difference: how many pods to create, or which pods to delete, to bring a
//! ReplicaSet's active pods to `spec.replicas` (at most a burst per sync).

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;

use super::desired_replicas;
use super::ranking::rank_for_deletion;

/// What one sync does to a ReplicaSet's pods.
#[derive(Debug, PartialEq)]
pub enum ReplicaDiff<'a> {
    /// As many active pods as desired.
    InSync,
    /// Create this many pods.
    Create(usize),
    /// Delete these pods (best candidates first).
    Delete(Vec<&'a Pod>),
}

/// Decides creates or deletes. `active` are the ReplicaSet's claimed active pods; `related` the
/// active pods of ReplicaSets sharing its controller (used to spread deletions across nodes).
pub fn replica_diff<'a>(
    rs: &ReplicaSet,
    active: &[&'a Pod],
    related: &[&Pod],
    burst: usize,
    now: Timestamp,
) -> ReplicaDiff<'a> {
    let desired = usize::try_from(desired_replicas(rs).max(0)).unwrap_or(0);
    let have = active.len();
    if have < desired {
        ReplicaDiff::Create((desired - have).min(burst))
    } else if have > desired {
        let count = (have - desired).min(burst);
        let mut ranked = active.to_vec();
        if count < ranked.len() {
            rank_for_deletion(&mut ranked, related, now);
        }
        ranked.truncate(count);
        ReplicaDiff::Delete(ranked)
    } else {
        ReplicaDiff::InSync
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{pod, replica_set, ts};

    #[test]
    fn creates_missing_pods_capped_by_burst() {
        let rs = replica_set("rs", 1000);
        let p = pod("a").build();
        assert_eq!(
            replica_diff(&rs, &[&p], &[], 500, ts(0)),
            ReplicaDiff::Create(500)
        );
        let rs = replica_set("rs", 3);
        assert_eq!(
            replica_diff(&rs, &[&p], &[], 500, ts(0)),
            ReplicaDiff::Create(2)
        );
        let rs = replica_set("rs", 1);
        assert_eq!(
            replica_diff(&rs, &[&p], &[], 500, ts(0)),
            ReplicaDiff::InSync
        );
    }

    #[test]
    fn deletes_the_worst_pods() {
        let rs = replica_set("rs", 1);
        let ready = pod("ready").ready_at(ts(1)).build();
        let pending = pod("pending").build();
        let not_ready = pod("not-ready").not_ready().build();
        let ReplicaDiff::Delete(victims) =
            replica_diff(&rs, &[&ready, &pending, &not_ready], &[], 500, ts(100))
        else {
            panic!("expected deletes");
        };
        let names: Vec<_> = victims
            .iter()
            .map(|p| p.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, ["pending", "not-ready"]);
    }
}
