//! Finding, sorting and counting a Deployment's ReplicaSets: the new one (template equal to the
//! Deployment's, ignoring the hash label, oldest first), the old ones, the active ones, and the
//! sums of their spec, status, ready and available replicas.

use std::cmp::Ordering;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::annotations::revision;
use super::hash::equal_ignore_hash;
use crate::replicaset::desired_replicas;

/// `spec.replicas` of a ReplicaSet.
pub fn spec_replicas(rs: &ReplicaSet) -> i32 {
    desired_replicas(rs)
}

/// `status.replicas`.
pub fn status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}

/// `status.readyReplicas`.
pub fn ready_replicas(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0)
}

/// `status.availableReplicas`.
pub fn available_replicas(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

/// Older first, then by name (Kubernetes' `ReplicaSetsByCreationTimestamp`).
pub fn by_creation(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    let ta = a.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let tb = b.metadata.creation_timestamp.as_ref().map(|t| t.0);
    ta.cmp(&tb)
        .then_with(|| a.metadata.name.cmp(&b.metadata.name))
}

/// Larger first; among equals, older first (`ReplicaSetsBySizeOlder`).
pub fn by_size_older(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    spec_replicas(b)
        .cmp(&spec_replicas(a))
        .then_with(|| by_creation(a, b))
}

/// Larger first; among equals, newer first (`ReplicaSetsBySizeNewer`).
pub fn by_size_newer(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    spec_replicas(b)
        .cmp(&spec_replicas(a))
        .then_with(|| by_creation(b, a))
}

/// Lower revision first, then older (`ReplicaSetsByRevision`).
pub fn by_revision(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    revision(a)
        .cmp(&revision(b))
        .then_with(|| by_creation(a, b))
}

/// Whether the ReplicaSet's template is the Deployment's.
pub fn is_new_for(d: &Deployment, rs: &ReplicaSet) -> bool {
    match (
        d.spec.as_ref(),
        rs.spec.as_ref().and_then(|s| s.template.as_ref()),
    ) {
        (Some(spec), Some(t)) => equal_ignore_hash(&spec.template, t),
        _ => false,
    }
}

/// The index of the new ReplicaSet: the oldest whose template equals the Deployment's.
pub fn find_new(d: &Deployment, rss: &[ReplicaSet]) -> Option<usize> {
    let mut idx: Vec<usize> = (0..rss.len()).collect();
    idx.sort_by(|&a, &b| by_creation(&rss[a], &rss[b]));
    idx.into_iter().find(|&i| is_new_for(d, &rss[i]))
}

/// Sum of `spec.replicas`.
pub fn sum_spec(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|rs| spec_replicas(rs)).sum()
}

/// Sum of `status.replicas`.
pub fn sum_status(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|rs| status_replicas(rs)).sum()
}

/// Sum of `status.readyReplicas`.
pub fn sum_ready(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|rs| ready_replicas(rs)).sum()
}

/// Sum of `status.availableReplicas`.
pub fn sum_available(rss: &[&ReplicaSet]) -> i32 {
    rss.iter().map(|rs| available_replicas(rs)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{deployment, replica_set, template, ts};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    #[test]
    fn new_is_the_oldest_with_an_equal_template() {
        let d = deployment("web", 1, "nginx:2");
        let mut a = replica_set("a", 1);
        a.spec.as_mut().unwrap().template = Some(template("nginx:1", &[("app", "web")]));
        let mut b = replica_set("b", 1);
        b.spec.as_mut().unwrap().template = Some(template(
            "nginx:2",
            &[("app", "web"), ("pod-template-hash", "b")],
        ));
        b.metadata.creation_timestamp = Some(Time(ts(50)));
        let mut c = b.clone();
        c.metadata.name = Some("c".into());
        c.metadata.creation_timestamp = Some(Time(ts(10)));
        let rss = vec![a, b, c];
        assert_eq!(find_new(&d, &rss), Some(2));
        assert_eq!(find_new(&d, &rss[..1]), None);
    }

    #[test]
    fn orderings() {
        let mut small_old = replica_set("small-old", 1);
        small_old.metadata.creation_timestamp = Some(Time(ts(1)));
        let mut big_new = replica_set("big-new", 5);
        big_new.metadata.creation_timestamp = Some(Time(ts(9)));
        let mut big_old = replica_set("big-old", 5);
        big_old.metadata.creation_timestamp = Some(Time(ts(2)));
        let mut v = vec![&small_old, &big_new, &big_old];
        v.sort_by(|a, b| by_size_older(a, b));
        assert_eq!(v[0].metadata.name.as_deref(), Some("big-old"));
        v.sort_by(|a, b| by_size_newer(a, b));
        assert_eq!(v[0].metadata.name.as_deref(), Some("big-new"));
        assert_eq!(v[2].metadata.name.as_deref(), Some("small-old"));
        assert_eq!(sum_spec(&v), 11);
    }
}
