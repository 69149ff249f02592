//! The Progressing condition (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated,
//! NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused, DeploymentResumed), the
//! ReplicaFailure condition carried over from ReplicaSets, and when to look again before the
//! progress deadline passes (Kubernetes' `progress.go` and the condition helpers).

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::fenceposts::{paused, progress_deadline_seconds, replicas};
use super::plan::Working;
use super::status::calculate_status;

/// The Progressing condition type.
pub const PROGRESSING: &str = "Progressing";
/// The Available condition type.
pub const AVAILABLE: &str = "Available";
/// The ReplicaFailure condition type.
pub const REPLICA_FAILURE: &str = "ReplicaFailure";
/// A new ReplicaSet was created.
pub const NEW_RS_REASON: &str = "NewReplicaSetCreated";
/// An existing ReplicaSet was found to be the new one.
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
/// The rollout made progress.
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
/// The rollout completed.
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
/// No progress within progressDeadlineSeconds.
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
/// The Deployment is paused.
pub const PAUSED_REASON: &str = "DeploymentPaused";
/// The Deployment was resumed.
pub const RESUMED_REASON: &str = "DeploymentResumed";

/// A condition stamped with `now` as both update and transition time.
pub fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: Timestamp,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.to_owned(),
        status: status.to_owned(),
        reason: Some(reason.to_owned()),
        message: Some(message.to_owned()),
        last_update_time: Some(Time(now)),
        last_transition_time: Some(Time(now)),
    }
}

/// The condition of this type, if present.
pub fn get_condition<'a>(
    status: &'a DeploymentStatus,
    type_: &str,
) -> Option<&'a DeploymentCondition> {
    status
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
}

/// Kubernetes' `SetDeploymentCondition`: no change when status and reason are the same; keeps
/// the transition time when only the reason changes.
pub fn set_condition(status: &mut DeploymentStatus, mut condition: DeploymentCondition) {
    if let Some(current) = get_condition(status, &condition.type_) {
        if current.status == condition.status && current.reason == condition.reason {
            return;
        }
        if current.status == condition.status {
            condition.last_transition_time = current.last_transition_time.clone();
        }
    }
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != condition.type_);
    conditions.push(condition);
}

/// Removes the condition of this type.
pub fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(conditions) = status.conditions.as_mut() {
        conditions.retain(|c| c.type_ != type_);
        if conditions.is_empty() {
            status.conditions = None;
        }
    }
}

/// All replicas updated and available, and the status observes the current generation.
pub fn deployment_complete(d: &Deployment, status: &DeploymentStatus) -> bool {
    let want = replicas(d);
    status.updated_replicas.unwrap_or(0) == want
        && status.replicas.unwrap_or(0) == want
        && status.available_replicas.unwrap_or(0) == want
        && status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// More updated, ready or available replicas, or fewer old ones, than in the stored status.
pub fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let n = |v: Option<i32>| v.unwrap_or(0);
    let old_old = n(old.replicas) - n(old.updated_replicas);
    let new_old = n(new.replicas) - n(new.updated_replicas);
    n(new.updated_replicas) > n(old.updated_replicas)
        || new_old < old_old
        || n(new.ready_replicas) > n(old.ready_replicas)
        || n(new.available_replicas) > n(old.available_replicas)
}

/// The Progressing condition has not been updated for progressDeadlineSeconds.
pub fn deployment_timed_out(d: &Deployment, status: &DeploymentStatus, now: Timestamp) -> bool {
    let Some(deadline) = progress_deadline_seconds(d) else {
        return false;
    };
    let Some(cond) = get_condition(status, PROGRESSING) else {
        return false;
    };
    match cond.reason.as_deref() {
        Some(NEW_RS_AVAILABLE_REASON) => return false,
        Some(TIMED_OUT_REASON) => return true,
        _ => {}
    }
    let Some(from) = cond.last_update_time.as_ref() else {
        return false;
    };
    from.0
        .saturating_add(SignedDuration::from_secs(i64::from(deadline)))
        .is_ok_and(|end| end < now)
}

/// When to sync again to notice a missed deadline (Kubernetes' `requeueStuckDeployment`).
pub fn requeue_stuck(
    d: &Deployment,
    new: &DeploymentStatus,
    now: Timestamp,
) -> Option<SignedDuration> {
    let deadline = progress_deadline_seconds(d)?;
    let current = get_condition(d.status.as_ref()?, PROGRESSING)?;
    if deployment_complete(d, new) || current.reason.as_deref() == Some(TIMED_OUT_REASON) {
        return None;
    }
    let updated = current.last_update_time.as_ref()?.0;
    let after = updated
        .saturating_add(SignedDuration::from_secs(i64::from(deadline)))
        .ok()?
        .duration_since(now);
    if after < SignedDuration::from_secs(1) {
        return Some(SignedDuration::ZERO);
    }
    Some(after + SignedDuration::from_secs(1))
}

fn replica_failures(all: &[&ReplicaSet], new: Option<&ReplicaSet>) -> Option<DeploymentCondition> {
    let failure_of = |rs: &ReplicaSet| {
        rs.status
            .as_ref()?
            .conditions
            .as_ref()?
            .iter()
            .find(|c| c.type_ == REPLICA_FAILURE)
            .map(|c| DeploymentCondition {
                type_: c.type_.clone(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                last_update_time: c.last_transition_time.clone(),
                last_transition_time: c.last_transition_time.clone(),
            })
    };
    new.and_then(failure_of)
        .or_else(|| all.iter().find_map(|rs| failure_of(rs)))
}

/// Kubernetes' `syncRolloutStatus`: the new status with Progressing advanced (progress, complete
/// or timed out) and ReplicaFailure carried over; stored into the working Deployment.
pub(crate) fn sync_rollout_status(w: &mut Working, all: &[usize], new: Option<usize>) {
    let all_rs: Vec<&ReplicaSet> = all.iter().map(|&i| &w.rss[i]).collect();
    let new_rs = new.map(|i| &w.rss[i]);
    let now = w.now;
    let d = &w.d;
    let mut status = calculate_status(d, &all_rs, new_rs, now);
    let has_deadline = progress_deadline_seconds(d).is_some();
    if !has_deadline {
        remove_condition(&mut status, PROGRESSING);
    }
    let current = d
        .status
        .as_ref()
        .and_then(|s| get_condition(s, PROGRESSING))
        .cloned();
    let is_complete = status.replicas == status.updated_replicas
        && current.as_ref().and_then(|c| c.reason.as_deref()) == Some(NEW_RS_AVAILABLE_REASON);
    let subject = match new_rs.and_then(|rs| rs.metadata.name.as_deref()) {
        Some(name) => format!("ReplicaSet \"{name}\""),
        None => format!("Deployment \"{}\"", w.name()),
    };
    if has_deadline && !is_complete {
        if deployment_complete(d, &status) {
            let msg = format!("{subject} has successfully progressed.");
            set_condition(
                &mut status,
                new_condition(PROGRESSING, "True", NEW_RS_AVAILABLE_REASON, &msg, now),
            );
        } else if deployment_progressing(d, &status) {
            let msg = format!("{subject} is progressing.");
            let mut cond = new_condition(PROGRESSING, "True", RS_UPDATED_REASON, &msg, now);
            if let Some(current) = &current {
                if current.status == "True" {
                    cond.last_transition_time = current.last_transition_time.clone();
                }
                remove_condition(&mut status, PROGRESSING);
            }
            set_condition(&mut status, cond);
        } else if deployment_timed_out(d, &status, now) {
            let msg = format!("{subject} has timed out progressing.");
            set_condition(
                &mut status,
                new_condition(PROGRESSING, "False", TIMED_OUT_REASON, &msg, now),
            );
        }
    }
    match replica_failures(&all_rs, new_rs) {
        Some(cond) => set_condition(&mut status, cond),
        None => remove_condition(&mut status, REPLICA_FAILURE),
    }
    if super::status::status_equal(&status, &d.status.clone().unwrap_or_default()) {
        w.requeue_after = requeue_stuck(d, &status, now);
    }
    w.d.status = Some(status);
}

/// Kubernetes' `checkPausedConditions`: Progressing=Unknown with DeploymentPaused when paused,
/// DeploymentResumed when resumed, never overwriting ProgressDeadlineExceeded.
pub(crate) fn check_paused_conditions(w: &mut Working) {
    if progress_deadline_seconds(&w.d).is_none() {
        return;
    }
    let status = w.d.status.get_or_insert_with(Default::default);
    let reason = get_condition(status, PROGRESSING).and_then(|c| c.reason.clone());
    if reason.as_deref() == Some(TIMED_OUT_REASON) {
        return;
    }
    let paused_cond = reason.as_deref() == Some(PAUSED_REASON);
    let is_paused = paused(&w.d);
    let status = w.d.status.get_or_insert_with(Default::default);
    if is_paused && !paused_cond {
        set_condition(
            status,
            new_condition(
                PROGRESSING,
                "Unknown",
                PAUSED_REASON,
                "Deployment is paused",
                w.now,
            ),
        );
    } else if !is_paused && paused_cond {
        set_condition(
            status,
            new_condition(
                PROGRESSING,
                "Unknown",
                RESUMED_REASON,
                "Deployment is resumed",
                w.now,
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{deployment, ts};

    #[test]
    fn set_condition_keeps_transition_time_for_same_status() {
        let mut s = DeploymentStatus::default();
        set_condition(
            &mut s,
            new_condition(PROGRESSING, "True", NEW_RS_REASON, "a", ts(1)),
        );
        set_condition(
            &mut s,
            new_condition(PROGRESSING, "True", NEW_RS_REASON, "b", ts(2)),
        );
        let c = get_condition(&s, PROGRESSING).unwrap();
        assert_eq!(c.message.as_deref(), Some("a"));
        set_condition(
            &mut s,
            new_condition(PROGRESSING, "True", RS_UPDATED_REASON, "c", ts(3)),
        );
        let c = get_condition(&s, PROGRESSING).unwrap();
        assert_eq!(c.last_transition_time, Some(Time(ts(1))));
        assert_eq!(c.last_update_time, Some(Time(ts(3))));
        set_condition(
            &mut s,
            new_condition(PROGRESSING, "False", TIMED_OUT_REASON, "d", ts(4)),
        );
        let c = get_condition(&s, PROGRESSING).unwrap();
        assert_eq!(c.last_transition_time, Some(Time(ts(4))));
        remove_condition(&mut s, PROGRESSING);
        assert!(s.conditions.is_none());
    }

    #[test]
    fn timed_out_after_deadline_since_last_update() {
        let mut d = deployment("web", 1, "nginx");
        d.spec.as_mut().unwrap().progress_deadline_seconds = Some(60);
        let mut s = DeploymentStatus::default();
        set_condition(
            &mut s,
            new_condition(PROGRESSING, "True", RS_UPDATED_REASON, "", ts(100)),
        );
        assert!(!deployment_timed_out(&d, &s, ts(160)));
        assert!(deployment_timed_out(&d, &s, ts(161)));
        d.status = Some(s.clone());
        assert_eq!(
            requeue_stuck(&d, &s, ts(130)),
            Some(SignedDuration::from_secs(31))
        );
        assert_eq!(requeue_stuck(&d, &s, ts(170)), Some(SignedDuration::ZERO));
    }
}
