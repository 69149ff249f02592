//! Revision and replica annotations on ReplicaSets and Deployments: the new ReplicaSet gets
//! revision max+1 (a reused one keeps its old revisions in `revision-history`), user annotations
//! such as `kubernetes.io/change-cause` are copied from the Deployment, and every scale records
//! the Deployment's desired and max replicas for proportional scaling.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::fenceposts::{max_surge, replicas};
use super::{
    DESIRED_REPLICAS_ANNOTATION, LAST_APPLIED_ANNOTATION, MAX_REPLICAS_ANNOTATION,
    MAX_REVISION_HISTORY_CHARS, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
};
use crate::labels::annotations_of;

/// The legacy rollback annotation, never copied.
const DEPRECATED_ROLLBACK_TO: &str = "deprecated.deployment.rollback.to";

/// Annotations the controller manages itself and never copies from the Deployment.
fn skip_copy(key: &str) -> bool {
    matches!(
        key,
        LAST_APPLIED_ANNOTATION
            | REVISION_ANNOTATION
            | REVISION_HISTORY_ANNOTATION
            | DESIRED_REPLICAS_ANNOTATION
            | MAX_REPLICAS_ANNOTATION
            | DEPRECATED_ROLLBACK_TO
    )
}

/// The ReplicaSet's revision (0 when absent or unparsable).
pub fn revision(rs: &ReplicaSet) -> i64 {
    annotations_of(&rs.metadata)
        .get(REVISION_ANNOTATION)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The highest revision among `rss`.
pub fn max_revision<'a, I: IntoIterator<Item = &'a ReplicaSet>>(rss: I) -> i64 {
    rss.into_iter().map(revision).max().unwrap_or(0)
}

fn parse_annotation(rs: &ReplicaSet, key: &str) -> Option<i32> {
    annotations_of(&rs.metadata).get(key)?.parse().ok()
}

/// `deployment.kubernetes.io/desired-replicas`, if present and numeric.
pub fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    parse_annotation(rs, DESIRED_REPLICAS_ANNOTATION)
}

/// `deployment.kubernetes.io/max-replicas`, if present and numeric.
pub fn max_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    parse_annotation(rs, MAX_REPLICAS_ANNOTATION)
}

/// Whether the ReplicaSet's desired/max annotations differ from the Deployment's current values.
pub fn replicas_annotations_need_update(rs: &ReplicaSet, d: &Deployment) -> bool {
    let a = annotations_of(&rs.metadata);
    let desired = replicas(d);
    a.get(DESIRED_REPLICAS_ANNOTATION) != Some(&desired.to_string())
        || a.get(MAX_REPLICAS_ANNOTATION) != Some(&(desired + max_surge(d)).to_string())
}

/// Sets the desired/max annotations from the Deployment; true when something changed.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, d: &Deployment) -> bool {
    let desired = replicas(d);
    let max = desired + max_surge(d);
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (key, value) in [
        (DESIRED_REPLICAS_ANNOTATION, desired),
        (MAX_REPLICAS_ANNOTATION, max),
    ] {
        let value = value.to_string();
        if a.get(key) != Some(&value) {
            a.insert(key.to_owned(), value);
            changed = true;
        }
    }
    changed
}

/// Copies the Deployment's user annotations (change-cause and friends) to the ReplicaSet.
pub fn copy_deployment_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let mut changed = false;
    for (k, v) in annotations_of(&d.metadata) {
        if skip_copy(k) {
            continue;
        }
        let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
        if a.get(k) != Some(v) {
            a.insert(k.clone(), v.clone());
            changed = true;
        }
    }
    changed
}

/// Kubernetes' `SetNewReplicaSetAnnotations`: copies the Deployment's annotations, raises the
/// revision to `new_revision` (moving a reused ReplicaSet's old revision into
/// `revision-history`), and on a ReplicaSet about to be created (`exists == false`) sets the
/// replica annotations. True when something changed.
pub fn set_new_replica_set_annotations(
    d: &Deployment,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
) -> bool {
    let mut changed = copy_deployment_annotations(d, rs);
    let annotations = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let old = annotations.get(REVISION_ANNOTATION).cloned();
    let old_revision = match old.as_deref() {
        None | Some("") => 0,
        Some(s) => match s.parse::<i64>() {
            Ok(v) => v,
            Err(_) => return false,
        },
    };
    if old_revision < new_revision {
        annotations.insert(REVISION_ANNOTATION.to_owned(), new_revision.to_string());
        changed = true;
        if let Some(old) = old {
            let history = annotations
                .get(REVISION_HISTORY_ANNOTATION)
                .cloned()
                .unwrap_or_default();
            if history.is_empty() {
                annotations.insert(REVISION_HISTORY_ANNOTATION.to_owned(), old);
            } else {
                let mut entries: Vec<&str> = history.split(',').collect();
                let mut total = history.len() + old.len() + 1;
                let mut start = 0;
                while total > MAX_REVISION_HISTORY_CHARS && start < entries.len() {
                    total -= entries[start].len() + 1;
                    start += 1;
                }
                if total <= MAX_REVISION_HISTORY_CHARS {
                    entries.drain(..start);
                    entries.push(&old);
                    let joined = entries.join(",");
                    annotations.insert(REVISION_HISTORY_ANNOTATION.to_owned(), joined);
                }
            }
        }
    }
    if !exists && set_replicas_annotations(rs, d) {
        changed = true;
    }
    changed
}

/// Sets the Deployment's own revision annotation; true when it changed.
pub fn set_deployment_revision(d: &mut Deployment, revision: &str) -> bool {
    let a = d.metadata.annotations.get_or_insert_with(BTreeMap::new);
    if a.get(REVISION_ANNOTATION).map(String::as_str) == Some(revision) {
        return false;
    }
    a.insert(REVISION_ANNOTATION.to_owned(), revision.to_owned());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::CHANGE_CAUSE_ANNOTATION;
    use crate::testutil::{deployment, replica_set};

    #[test]
    fn new_revision_and_change_cause_are_set() {
        let mut d = deployment("web", 4, "nginx:2");
        d.metadata.annotations = Some(
            [
                (CHANGE_CAUSE_ANNOTATION.to_owned(), "image 2".to_owned()),
                (LAST_APPLIED_ANNOTATION.to_owned(), "{}".to_owned()),
                (REVISION_ANNOTATION.to_owned(), "1".to_owned()),
            ]
            .into(),
        );
        let mut rs = replica_set("web-x", 0);
        assert!(set_new_replica_set_annotations(&d, &mut rs, 2, false));
        let a = rs.metadata.annotations.as_ref().unwrap();
        assert_eq!(a[REVISION_ANNOTATION], "2");
        assert_eq!(a[CHANGE_CAUSE_ANNOTATION], "image 2");
        assert_eq!(a[DESIRED_REPLICAS_ANNOTATION], "4");
        assert_eq!(a[MAX_REPLICAS_ANNOTATION], "5");
        assert!(!a.contains_key(LAST_APPLIED_ANNOTATION));
        assert!(!a.contains_key(REVISION_HISTORY_ANNOTATION));
        assert!(!set_new_replica_set_annotations(&d, &mut rs, 2, true));
    }

    #[test]
    fn reused_replica_set_keeps_its_old_revisions() {
        let d = deployment("web", 1, "nginx:1");
        let mut rs = replica_set("web-x", 0);
        rs.metadata.annotations = Some([(REVISION_ANNOTATION.to_owned(), "1".to_owned())].into());
        assert!(set_new_replica_set_annotations(&d, &mut rs, 3, true));
        assert!(set_new_replica_set_annotations(&d, &mut rs, 5, true));
        let a = rs.metadata.annotations.as_ref().unwrap();
        assert_eq!(a[REVISION_ANNOTATION], "5");
        assert_eq!(a[REVISION_HISTORY_ANNOTATION], "1,3");
        assert!(!a.contains_key(DESIRED_REPLICAS_ANNOTATION));
        assert_eq!(revision(&rs), 5);
    }
}
