//! The entry point of a Deployment sync ([`sync_deployment`], Kubernetes' `syncDeployment`) and
//! what `sync.go` holds: adoption of ReplicaSets, finding or creating the new ReplicaSet with its
//! revision, scaling (proportionally across ReplicaSets during a rollout), revisionHistoryLimit
//! clean-up and the status-only sync of paused or deleted Deployments.

use std::collections::{HashMap, HashSet};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::annotations::{
    desired_replicas_annotation, max_replicas_annotation, max_revision, set_deployment_revision,
    set_new_replica_set_annotations,
};
use super::fenceposts::{
    is_rolling_update, max_surge, paused, progress_deadline_seconds, replicas,
    revision_history_limit,
};
use super::hash::compute_hash;
use super::plan::{DeploymentAction, DeploymentPlan, EventType, Working};
use super::progress::{
    NEW_RS_REASON, PROGRESSING, check_paused_conditions, new_condition, set_condition,
};
use super::replicasets::{
    available_replicas, by_creation, by_revision, by_size_newer, by_size_older, find_new,
    spec_replicas, status_replicas, sum_spec,
};
use super::status::calculate_status;
use super::{DeploymentError, POD_TEMPLATE_HASH_LABEL, recreate, rollback, rolling};
use crate::labels::{labels_of, selector_is_empty, selector_matches, validate_selector};
use crate::ownership::{ControllerIdentity, adopt_patch, claim, controller_of, remove_owner_patch};
use crate::pods::{is_pod_active, phase};

/// What a Deployment sync reads from the caches.
#[derive(Debug, Clone, Copy)]
pub struct DeploymentInput<'a> {
    /// The Deployment.
    pub deployment: &'a Deployment,
    /// The ReplicaSets of its namespace (claimed by selector and controllerRef here).
    pub replica_sets: &'a [ReplicaSet],
    /// The pods of its namespace, or at least of its ReplicaSets (Recreate waits for old pods to
    /// be gone; RollingUpdate counts them against the surge).
    pub pods: &'a [Pod],
    /// The current time.
    pub now: Timestamp,
}

/// Why a sync stopped early.
pub(crate) enum Stop {
    /// The new ReplicaSet's name is taken: collisionCount was raised, retry.
    Collision,
    /// The Deployment cannot be handled.
    Error(DeploymentError),
}

impl From<DeploymentError> for Stop {
    fn from(e: DeploymentError) -> Self {
        Stop::Error(e)
    }
}

/// Decides one sync of a Deployment: the ReplicaSet writes, the Deployment's annotation and
/// status writes, and events.
pub fn sync_deployment(input: DeploymentInput<'_>) -> Result<DeploymentPlan, DeploymentError> {
    let d = input.deployment;
    let name = d.metadata.name.clone().unwrap_or_default();
    let spec = d
        .spec
        .as_ref()
        .ok_or_else(|| DeploymentError::MissingField {
            name: name.clone(),
            field: "spec",
        })?;
    let owner = ControllerIdentity::of(d).ok_or_else(|| DeploymentError::MissingField {
        name: name.clone(),
        field: "metadata.name or metadata.uid",
    })?;
    let namespace = d.metadata.namespace.clone().unwrap_or_default();
    let in_namespace = |m: &ObjectMeta| m.namespace.as_deref().unwrap_or_default() == namespace;
    let mut w = Working {
        d: d.clone(),
        original: d.clone(),
        rss: Vec::new(),
        taken_names: input
            .replica_sets
            .iter()
            .filter(|rs| in_namespace(&rs.metadata))
            .filter_map(|rs| rs.metadata.name.clone())
            .collect(),
        pod_phases: HashMap::new(),
        active_pods: HashMap::new(),
        actions: Vec::new(),
        now: input.now,
        requeue_after: None,
    };
    if selector_is_empty(&spec.selector) {
        let status = w.d.status.get_or_insert_with(Default::default);
        if status.observed_generation.unwrap_or(0) < d.metadata.generation.unwrap_or(0) {
            status.observed_generation = d.metadata.generation;
        }
        w.event(
            EventType::Warning,
            "SelectingAll",
            "This deployment is selecting all pods. A non-empty selector is required.".into(),
        );
        return Ok(w.finish());
    }
    validate_selector(&spec.selector).map_err(|source| DeploymentError::InvalidSelector {
        name: name.clone(),
        source,
    })?;
    let selects = |m: &ObjectMeta| selector_matches(&spec.selector, labels_of(m)).unwrap_or(false);

    let claimed = claim(
        &owner,
        input
            .replica_sets
            .iter()
            .filter(|rs| in_namespace(&rs.metadata)),
        |rs: &ReplicaSet| selects(&rs.metadata),
    );
    for rs in &claimed.release {
        w.actions.push(DeploymentAction::PatchReplicaSet {
            name: rs.metadata.name.clone().unwrap_or_default(),
            patch: remove_owner_patch(&owner.uid, rs.metadata.uid.as_deref().unwrap_or_default()),
        });
    }
    for rs in &claimed.adopt {
        w.actions.push(DeploymentAction::PatchReplicaSet {
            name: rs.metadata.name.clone().unwrap_or_default(),
            patch: adopt_patch(&owner, rs.metadata.uid.as_deref().unwrap_or_default()),
        });
        let mut adopted = (*rs).clone();
        adopted
            .metadata
            .owner_references
            .get_or_insert_with(Vec::new)
            .push(owner.controller_ref());
        w.rss.push(adopted);
    }
    w.rss.extend(claimed.owned.iter().map(|rs| (*rs).clone()));

    let rs_uids: HashSet<String> = w
        .rss
        .iter()
        .filter_map(|rs| rs.metadata.uid.clone())
        .collect();
    for pod in input
        .pods
        .iter()
        .filter(|p| in_namespace(&p.metadata) && selects(&p.metadata))
    {
        if let Some(cref) = controller_of(&pod.metadata).filter(|r| rs_uids.contains(&r.uid)) {
            w.pod_phases
                .entry(cref.uid.clone())
                .or_default()
                .push(phase(pod).to_owned());
            if is_pod_active(pod) {
                *w.active_pods.entry(cref.uid.clone()).or_default() += 1;
            }
        }
    }

    let outcome = run(&mut w);
    match outcome {
        Ok(()) => Ok(w.finish()),
        Err(Stop::Collision) => {
            let mut plan = w.finish();
            plan.requeue_after = Some(SignedDuration::ZERO);
            Ok(plan)
        }
        Err(Stop::Error(e)) => Err(e),
    }
}

fn run(w: &mut Working) -> Result<(), Stop> {
    if w.d.metadata.deletion_timestamp.is_some() {
        return sync_status_only(w);
    }
    check_paused_conditions(w);
    if paused(&w.d) {
        return sync(w);
    }
    if is_scaling_event(w)? {
        return sync(w);
    }
    if is_rolling_update(&w.d) {
        rolling::rollout_rolling(w)
    } else {
        recreate::rollout_recreate(w)
    }
}

/// The new ReplicaSet (created when `create` and missing) and all old ones, syncing revisions.
pub(crate) fn get_all_and_sync_revision(
    w: &mut Working,
    create: bool,
) -> Result<(Option<usize>, Vec<usize>), Stop> {
    let existing = find_new(&w.d, &w.rss);
    let old: Vec<usize> = (0..w.rss.len()).filter(|&i| Some(i) != existing).collect();
    let new = get_new_replica_set(w, &old, existing, create)?;
    Ok((new, old))
}

fn get_new_replica_set(
    w: &mut Working,
    old: &[usize],
    existing: Option<usize>,
    create: bool,
) -> Result<Option<usize>, Stop> {
    let new_revision = max_revision(old.iter().map(|&i| &w.rss[i])) + 1;
    if let Some(i) = existing {
        rollback::reuse_new_replica_set(w, i, new_revision);
        return Ok(Some(i));
    }
    if !create {
        return Ok(None);
    }
    let d = w.d.clone();
    let spec = d.spec.clone().unwrap_or_default();
    let collision_count = d.status.as_ref().and_then(|s| s.collision_count);
    let hash = compute_hash(&spec.template, collision_count)?;
    let rs_name = format!("{}-{}", w.name(), hash);
    if w.taken_names.contains(&rs_name) {
        // Kubernetes learns this from AlreadyExists; the cache tells us before trying.
        let status = w.d.status.get_or_insert_with(Default::default);
        status.collision_count = Some(collision_count.unwrap_or(0).saturating_add(1));
        return Err(Stop::Collision);
    }
    let mut template = spec.template.clone();
    template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(Default::default)
        .insert(POD_TEMPLATE_HASH_LABEL.to_owned(), hash.clone());
    let mut selector = spec.selector.clone();
    selector
        .match_labels
        .get_or_insert_with(Default::default)
        .insert(POD_TEMPLATE_HASH_LABEL.to_owned(), hash);
    let owner = ControllerIdentity::of(&d).ok_or_else(|| DeploymentError::MissingField {
        name: w.name().to_owned(),
        field: "metadata.uid",
    })?;
    let mut rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(rs_name.clone()),
            namespace: d.metadata.namespace.clone(),
            labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
            owner_references: Some(vec![owner.controller_ref()]),
            creation_timestamp: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(w.now)),
            ..Default::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(0),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        }),
        status: None,
    };
    let all: Vec<&ReplicaSet> = old.iter().map(|&i| &w.rss[i]).chain([&rs]).collect();
    let count = rolling::new_rs_new_replicas(&d, &all, &rs, &w.active_pods);
    if let Some(s) = rs.spec.as_mut() {
        s.replicas = Some(count);
    }
    set_new_replica_set_annotations(&d, &mut rs, new_revision, false);
    // The stored object gets its creationTimestamp from the server.
    let mut to_create = rs.clone();
    to_create.metadata.creation_timestamp = None;
    w.actions
        .push(DeploymentAction::CreateReplicaSet(to_create));
    w.rss.push(rs);
    w.taken_names.insert(rs_name.clone());
    if count > 0 {
        w.event(
            EventType::Normal,
            "ScalingReplicaSet",
            format!("Scaled up replica set {rs_name} from 0 to {count}"),
        );
    }
    set_deployment_revision(&mut w.d, &new_revision.to_string());
    if progress_deadline_seconds(&w.d).is_some() {
        let msg = format!("Created new replica set \"{rs_name}\"");
        let cond = new_condition(PROGRESSING, "True", NEW_RS_REASON, &msg, w.now);
        set_condition(w.d.status.get_or_insert_with(Default::default), cond);
    }
    Ok(Some(w.rss.len() - 1))
}

/// A ReplicaSet's desired-replicas annotation differs from the Deployment's replicas.
fn is_scaling_event(w: &mut Working) -> Result<bool, Stop> {
    let (new, old) = get_all_and_sync_revision(w, false)?;
    let want = replicas(&w.d);
    Ok(old.iter().chain(new.iter()).any(|&i| {
        let rs = &w.rss[i];
        spec_replicas(rs) > 0 && desired_replicas_annotation(rs).is_some_and(|d| d != want)
    }))
}

/// Kubernetes' `sync`: scale, clean up when paused, and write the status.
fn sync(w: &mut Working) -> Result<(), Stop> {
    let (new, old) = get_all_and_sync_revision(w, false)?;
    scale(w, new, &old);
    if paused(&w.d) {
        cleanup_deployment(w, &old);
    }
    let all: Vec<usize> = old.iter().copied().chain(new).collect();
    sync_deployment_status(w, &all, new);
    Ok(())
}

fn sync_status_only(w: &mut Working) -> Result<(), Stop> {
    let (new, old) = get_all_and_sync_revision(w, false)?;
    let all: Vec<usize> = old.iter().copied().chain(new).collect();
    sync_deployment_status(w, &all, new);
    Ok(())
}

fn sync_deployment_status(w: &mut Working, all: &[usize], new: Option<usize>) {
    let all_rs: Vec<&ReplicaSet> = all.iter().map(|&i| &w.rss[i]).collect();
    let status = calculate_status(&w.d, &all_rs, new.map(|i| &w.rss[i]), w.now);
    w.d.status = Some(status);
}

fn active(w: &Working, idx: &[usize]) -> Vec<usize> {
    idx.iter()
        .copied()
        .filter(|&i| spec_replicas(&w.rss[i]) > 0)
        .collect()
}

/// The one active ReplicaSet, or the newest when none is active.
fn find_active_or_latest(w: &Working, new: Option<usize>, old: &[usize]) -> Option<usize> {
    if new.is_none() && old.is_empty() {
        return None;
    }
    let mut sorted_old = old.to_vec();
    sorted_old.sort_by(|&a, &b| by_creation(&w.rss[b], &w.rss[a]));
    let all: Vec<usize> = sorted_old.iter().copied().chain(new).collect();
    let act = active(w, &all);
    match act.len() {
        0 => new.or_else(|| sorted_old.first().copied()),
        1 => Some(act[0]),
        _ => None,
    }
}

fn is_saturated(w: &Working, new: Option<usize>) -> bool {
    let Some(i) = new else { return false };
    let rs = &w.rss[i];
    let want = replicas(&w.d);
    desired_replicas_annotation(rs) == Some(want)
        && spec_replicas(rs) == want
        && available_replicas(rs) == want
}

/// The share of a scale change for one ReplicaSet (Kubernetes' `getReplicaSetFraction`).
fn fraction(w: &Working, rs: &ReplicaSet) -> i32 {
    let want = replicas(&w.d);
    if want == 0 {
        return -spec_replicas(rs);
    }
    let deployment_replicas = want + max_surge(&w.d);
    let annotated = max_replicas_annotation(rs)
        .unwrap_or_else(|| w.d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0));
    if annotated == 0 {
        return 0;
    }
    let new_size =
        f64::from(spec_replicas(rs)) * f64::from(deployment_replicas) / f64::from(annotated);
    new_size.round() as i32 - spec_replicas(rs)
}

fn proportion(w: &Working, rs: &ReplicaSet, to_add: i32, added: i32) -> i32 {
    if spec_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let f = fraction(w, rs);
    let allowed = to_add - added;
    if to_add > 0 {
        f.min(allowed)
    } else {
        f.max(allowed)
    }
}

/// Kubernetes' `scale`: one active ReplicaSet takes the new size; a saturated new ReplicaSet
/// scales the old ones to zero; during a rolling update the change is spread proportionally.
pub(crate) fn scale(w: &mut Working, new: Option<usize>, old: &[usize]) {
    let want = replicas(&w.d);
    if let Some(i) = find_active_or_latest(w, new, old) {
        if spec_replicas(&w.rss[i]) != want {
            w.scale_rs_and_record(i, want);
        }
        return;
    }
    if is_saturated(w, new) {
        for i in active(w, old) {
            w.scale_rs_and_record(i, 0);
        }
        return;
    }
    if !is_rolling_update(&w.d) {
        return;
    }
    let all_idx: Vec<usize> = old.iter().copied().chain(new).collect();
    let mut all = active(w, &all_idx);
    let all_refs: Vec<&ReplicaSet> = all.iter().map(|&i| &w.rss[i]).collect();
    let current = sum_spec(&all_refs);
    let allowed = if want > 0 { want + max_surge(&w.d) } else { 0 };
    let to_add = allowed - current;
    let operation = if to_add > 0 {
        all.sort_by(|&a, &b| by_size_newer(&w.rss[a], &w.rss[b]));
        "up"
    } else if to_add < 0 {
        all.sort_by(|&a, &b| by_size_older(&w.rss[a], &w.rss[b]));
        "down"
    } else {
        ""
    };
    let mut added = 0;
    let mut sizes = Vec::with_capacity(all.len());
    for &i in &all {
        let rs = &w.rss[i];
        if to_add != 0 {
            let p = proportion(w, rs, to_add, added);
            sizes.push(spec_replicas(rs) + p);
            added += p;
        } else {
            sizes.push(spec_replicas(rs));
        }
    }
    for (k, &i) in all.iter().enumerate() {
        let mut size = sizes[k];
        if k == 0 && to_add != 0 {
            size = (size + to_add - added).max(0);
        }
        w.scale_rs(i, size, operation);
    }
}

/// Deletes the oldest old ReplicaSets beyond revisionHistoryLimit that have no replicas left.
pub(crate) fn cleanup_deployment(w: &mut Working, old: &[usize]) {
    let Some(limit) = revision_history_limit(&w.d) else {
        return;
    };
    let mut cleanable: Vec<usize> = old
        .iter()
        .copied()
        .filter(|&i| w.rss[i].metadata.deletion_timestamp.is_none())
        .collect();
    let diff = cleanable.len() as i64 - i64::from(limit);
    if diff <= 0 {
        return;
    }
    cleanable.sort_by(|&a, &b| by_revision(&w.rss[a], &w.rss[b]));
    for &i in cleanable.iter().take(usize::try_from(diff).unwrap_or(0)) {
        let rs = &w.rss[i];
        let observed = rs
            .status
            .as_ref()
            .and_then(|s| s.observed_generation)
            .unwrap_or(0);
        if status_replicas(rs) != 0
            || spec_replicas(rs) != 0
            || rs.metadata.generation.unwrap_or(0) > observed
            || rs.metadata.deletion_timestamp.is_some()
        {
            continue;
        }
        w.actions.push(DeploymentAction::DeleteReplicaSet {
            name: rs.metadata.name.clone().unwrap_or_default(),
            uid: rs.metadata.uid.clone(),
        });
    }
}
