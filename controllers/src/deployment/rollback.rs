//! Rollback as kubectl does it: `kubectl rollout undo` patches the Deployment's template back to
//! an old ReplicaSet's, and the controller then finds that ReplicaSet as the new one and reuses
//! it, raising its revision above every other (its former revisions go into
//! `revision-history`). Also the revision list `kubectl rollout history` shows.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::CHANGE_CAUSE_ANNOTATION;
use super::annotations::{revision, set_deployment_revision, set_new_replica_set_annotations};
use super::fenceposts::{min_ready_seconds, progress_deadline_seconds};
use super::plan::Working;
use super::progress::{
    FOUND_NEW_RS_REASON, PROGRESSING, get_condition, new_condition, set_condition,
};
use crate::labels::annotations_of;
use crate::ownership::is_controlled_by;

/// Brings an existing new ReplicaSet up to date: annotations (a revision bump when it is an old
/// one being reused), minReadySeconds, and the Deployment's revision.
pub(crate) fn reuse_new_replica_set(w: &mut Working, i: usize, new_revision: i64) {
    let d = w.d.clone();
    let want_min_ready = min_ready_seconds(&d);
    let rs = &mut w.rss[i];
    let annotations_changed = set_new_replica_set_annotations(&d, rs, new_revision, true);
    let min_ready_changed = rs
        .spec
        .as_ref()
        .is_some_and(|s| s.min_ready_seconds.unwrap_or(0) != want_min_ready);
    if min_ready_changed && let Some(spec) = rs.spec.as_mut() {
        spec.min_ready_seconds = Some(want_min_ready);
    }
    let rs_revision = annotations_of(&rs.metadata)
        .get(super::REVISION_ANNOTATION)
        .cloned()
        .unwrap_or_default();
    let rs_name = rs.metadata.name.clone().unwrap_or_default();
    if annotations_changed || min_ready_changed {
        w.write_rs(i);
    }
    set_deployment_revision(&mut w.d, &rs_revision);
    let status = w.d.status.get_or_insert_with(Default::default);
    if progress_deadline_seconds(&d).is_some() && get_condition(status, PROGRESSING).is_none() {
        let msg = format!("Found new replica set \"{rs_name}\"");
        set_condition(
            status,
            new_condition(PROGRESSING, "True", FOUND_NEW_RS_REASON, &msg, w.now),
        );
    }
}

/// One line of `kubectl rollout history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionEntry {
    /// The revision number.
    pub revision: i64,
    /// The ReplicaSet holding that revision's template.
    pub replica_set: String,
    /// `kubernetes.io/change-cause`, if recorded.
    pub change_cause: Option<String>,
}

/// The Deployment's revisions, oldest first, from the ReplicaSets it controls.
pub fn history(d: &Deployment, rss: &[ReplicaSet]) -> Vec<RevisionEntry> {
    let uid = d.metadata.uid.as_deref().unwrap_or_default();
    let mut entries: Vec<RevisionEntry> = rss
        .iter()
        .filter(|rs| is_controlled_by(&rs.metadata, uid))
        .filter(|rs| revision(rs) > 0)
        .map(|rs| RevisionEntry {
            revision: revision(rs),
            replica_set: rs.metadata.name.clone().unwrap_or_default(),
            change_cause: annotations_of(&rs.metadata)
                .get(CHANGE_CAUSE_ANNOTATION)
                .cloned(),
        })
        .collect();
    entries.sort_by_key(|e| e.revision);
    entries
}
