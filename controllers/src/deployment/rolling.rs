//! The RollingUpdate strategy (Kubernetes' `rolling.go`): scale the new ReplicaSet up within
//! replicas+maxSurge, then scale old ones down while keeping replicas−maxUnavailable available,
//! removing unhealthy old replicas first so that they cannot block the rollout.

use std::collections::HashMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use super::fenceposts::{is_rolling_update, max_surge, max_unavailable, replicas};
use super::plan::Working;
use super::progress::{deployment_complete, sync_rollout_status};
use super::replicasets::{
    available_replicas, by_creation, spec_replicas, status_replicas, sum_spec,
};
use super::sync::{Stop, cleanup_deployment, get_all_and_sync_revision};

/// How many replicas the new ReplicaSet may have now (Kubernetes' `NewRSNewReplicas`).
///
/// One deliberate difference: a ReplicaSet counts for the largest of its `spec.replicas`, its
/// `status.replicas` and its active pods in the cache (`active_pods`, by ReplicaSet uid), so
/// that pods of a scaled-down ReplicaSet that still exist hold the new one back, even when its
/// status was written before it created them. Kubernetes counts specs only, which lets the
/// number of pods exceed replicas+maxSurge while the ReplicaSet controller catches up; here the
/// bound holds for the pods themselves.
pub fn new_rs_new_replicas(
    d: &Deployment,
    all: &[&ReplicaSet],
    new: &ReplicaSet,
    active_pods: &HashMap<String, i32>,
) -> i32 {
    let want = replicas(d);
    if !is_rolling_update(d) {
        return want;
    }
    let current: i32 = all
        .iter()
        .map(|rs| {
            let cached = rs
                .metadata
                .uid
                .as_ref()
                .and_then(|uid| active_pods.get(uid))
                .copied()
                .unwrap_or(0);
            spec_replicas(rs).max(status_replicas(rs)).max(cached)
        })
        .sum();
    let max_total = want + max_surge(d);
    let new_spec = spec_replicas(new);
    if current >= max_total {
        return new_spec;
    }
    new_spec + (max_total - current).min(want - new_spec)
}

/// The available replicas a ReplicaSet is counted for when deciding scale-downs: its
/// `status.availableReplicas`, but never more than its `spec.replicas`.
///
/// Deliberate difference from Kubernetes, which sums `status.availableReplicas` as is. The
/// ReplicaSet controller writes the status of the sync that deletes pods from the pods it saw
/// before deleting, so right after a scale-down 10 → 8 an old ReplicaSet still reports 10
/// available. Counting those 2 doomed pods let the next step scale old ReplicaSets down by 2
/// more than maxUnavailable allows. A ReplicaSet will never keep more than `spec.replicas`
/// pods, so the capped count is what it can be relied on for once it has caught up.
pub fn counted_available(rs: &ReplicaSet) -> i32 {
    available_replicas(rs).min(spec_replicas(rs)).max(0)
}

/// One rolling-update step.
pub(crate) fn rollout_rolling(w: &mut Working) -> Result<(), Stop> {
    let (new, old) = get_all_and_sync_revision(w, true)?;
    let Some(new) = new else {
        return Ok(());
    };
    let all: Vec<usize> = old.iter().copied().chain([new]).collect();
    if reconcile_new_replica_set(w, &all, new) {
        sync_rollout_status(w, &all, Some(new));
        return Ok(());
    }
    let active_old: Vec<usize> = old
        .iter()
        .copied()
        .filter(|&i| spec_replicas(&w.rss[i]) > 0)
        .collect();
    if reconcile_old_replica_sets(w, &all, &active_old, new) {
        sync_rollout_status(w, &all, Some(new));
        return Ok(());
    }
    let status = w.d.status.clone().unwrap_or_default();
    if deployment_complete(&w.d, &status) {
        cleanup_deployment(w, &old);
    }
    sync_rollout_status(w, &all, Some(new));
    Ok(())
}

fn refs<'a>(w: &'a Working, idx: &[usize]) -> Vec<&'a ReplicaSet> {
    idx.iter().map(|&i| &w.rss[i]).collect()
}

/// Scales the new ReplicaSet towards `replicas` within the surge; true when it scaled.
pub(crate) fn reconcile_new_replica_set(w: &mut Working, all: &[usize], new: usize) -> bool {
    let want = replicas(&w.d);
    let current = spec_replicas(&w.rss[new]);
    if current == want {
        return false;
    }
    if current > want {
        return w.scale_rs_and_record(new, want);
    }
    let count = new_rs_new_replicas(&w.d, &refs(w, all), &w.rss[new], &w.active_pods);
    w.scale_rs_and_record(new, count)
}

/// Scales old ReplicaSets down as far as availability allows; true when any scaled.
pub(crate) fn reconcile_old_replica_sets(
    w: &mut Working,
    all: &[usize],
    old: &[usize],
    new: usize,
) -> bool {
    if sum_spec(&refs(w, old)) == 0 {
        return false;
    }
    let all_pods = sum_spec(&refs(w, all));
    let min_available = replicas(&w.d) - max_unavailable(&w.d);
    let new_rs = &w.rss[new];
    let new_unavailable = spec_replicas(new_rs) - counted_available(new_rs);
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let cleaned = cleanup_unhealthy_replicas(w, old, max_scaled_down);
    let scaled = scale_down_old_replica_sets(w, all, old);
    cleaned + scaled > 0
}

/// Removes old replicas that are not available, oldest ReplicaSet first, up to `max`.
pub(crate) fn cleanup_unhealthy_replicas(w: &mut Working, old: &[usize], max: i32) -> i32 {
    let mut sorted = old.to_vec();
    sorted.sort_by(|&a, &b| by_creation(&w.rss[a], &w.rss[b]));
    let mut total = 0;
    for i in sorted {
        if total >= max {
            break;
        }
        let spec = spec_replicas(&w.rss[i]);
        let available = counted_available(&w.rss[i]);
        if spec == 0 || spec <= available {
            continue;
        }
        let count = (max - total).min(spec - available);
        w.scale_rs_and_record(i, spec - count);
        total += count;
    }
    total
}

/// Scales old ReplicaSets down by what exceeds the minimum availability, oldest first.
pub(crate) fn scale_down_old_replica_sets(w: &mut Working, all: &[usize], old: &[usize]) -> i32 {
    let min_available = replicas(&w.d) - max_unavailable(&w.d);
    let available: i32 = all.iter().map(|&i| counted_available(&w.rss[i])).sum();
    if available <= min_available {
        return 0;
    }
    let mut sorted = old.to_vec();
    sorted.sort_by(|&a, &b| by_creation(&w.rss[a], &w.rss[b]));
    let target = available - min_available;
    let mut total = 0;
    for i in sorted {
        if total >= target {
            break;
        }
        let spec = spec_replicas(&w.rss[i]);
        if spec == 0 {
            continue;
        }
        let count = spec.min(target - total);
        w.scale_rs_and_record(i, spec - count);
        total += count;
    }
    total
}
