//! The Recreate strategy (Kubernetes' `recreate.go`): scale every old ReplicaSet to zero, wait
//! until no old pod is running, then create or scale up the new ReplicaSet.

use super::fenceposts::replicas;
use super::plan::Working;
use super::progress::{deployment_complete, sync_rollout_status};
use super::replicasets::{spec_replicas, status_replicas};
use super::sync::{Stop, cleanup_deployment, get_all_and_sync_revision};

/// One Recreate step.
pub(crate) fn rollout_recreate(w: &mut Working) -> Result<(), Stop> {
    let (mut new, mut old) = get_all_and_sync_revision(w, false)?;
    let mut all: Vec<usize> = old.iter().copied().chain(new).collect();
    let active_old: Vec<usize> = old
        .iter()
        .copied()
        .filter(|&i| spec_replicas(&w.rss[i]) > 0)
        .collect();
    let mut scaled_down = false;
    for i in active_old {
        scaled_down |= w.scale_rs_and_record(i, 0);
    }
    if scaled_down || old_pods_running(w, new, &old) {
        sync_rollout_status(w, &all, new);
        return Ok(());
    }
    if new.is_none() {
        (new, old) = get_all_and_sync_revision(w, true)?;
        all = old.iter().copied().chain(new).collect();
    }
    if let Some(n) = new {
        let want = replicas(&w.d);
        w.scale_rs_and_record(n, want);
    }
    let status = w.d.status.clone().unwrap_or_default();
    if deployment_complete(&w.d, &status) {
        cleanup_deployment(w, &old);
    }
    sync_rollout_status(w, &all, new);
    Ok(())
}

/// Old ReplicaSets still report replicas, or some pod of theirs has not finished.
fn old_pods_running(w: &Working, new: Option<usize>, old: &[usize]) -> bool {
    if old.iter().map(|&i| status_replicas(&w.rss[i])).sum::<i32>() > 0 {
        return true;
    }
    let new_uid = new.and_then(|i| w.rss[i].metadata.uid.as_deref());
    w.pod_phases.iter().any(|(uid, phases)| {
        Some(uid.as_str()) != new_uid && phases.iter().any(|p| p != "Failed" && p != "Succeeded")
    })
}
