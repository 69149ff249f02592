//! Scenario tests of whole Deployment syncs on built-up caches: creation, scaling, rollout,
//! history, rollback, pause and resume, the progress deadline, clean-up, Recreate, adoption and
//! hash collisions.

use k8s_openapi::api::apps::v1::DeploymentStrategy;

use super::plan::DeploymentAction;
use super::progress::{PROGRESSING, get_condition};
use super::replicasets::spec_replicas;
use super::rollback::history;
use super::simulation::{World, annotations_by_name, rolling_deployment, settled_world};
use super::sync::{DeploymentInput, sync_deployment};
use super::*;
use crate::testutil::{deployment, replica_set, ts};

fn progressing_reason(w: &World) -> Option<String> {
    let status = w.d.status.clone()?;
    get_condition(&status, PROGRESSING)?.reason.clone()
}

fn creates(plan: &plan::DeploymentPlan) -> Vec<&k8s_openapi::api::apps::v1::ReplicaSet> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            DeploymentAction::CreateReplicaSet(rs) => Some(rs),
            _ => None,
        })
        .collect()
}

#[test]
fn first_sync_creates_the_new_replica_set() {
    let mut w = World::new(deployment("web", 3, "nginx:1"));
    let plan = w.sync();
    let created = creates(&plan);
    assert_eq!(created.len(), 1);
    let rs = created[0];
    let hash = hash::compute_hash(&w.d.spec.as_ref().unwrap().template, None).unwrap();
    assert_eq!(
        rs.metadata.name.as_deref(),
        Some(format!("web-{hash}").as_str())
    );
    let spec = rs.spec.as_ref().unwrap();
    assert_eq!(spec.replicas, Some(3));
    assert_eq!(
        spec.selector.match_labels.as_ref().unwrap()[POD_TEMPLATE_HASH_LABEL],
        hash
    );
    let tlabels = spec
        .template
        .as_ref()
        .unwrap()
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .as_ref()
        .unwrap();
    assert_eq!(tlabels[POD_TEMPLATE_HASH_LABEL], hash);
    let a = rs.metadata.annotations.as_ref().unwrap();
    assert_eq!(a[REVISION_ANNOTATION], "1");
    assert_eq!(a[DESIRED_REPLICAS_ANNOTATION], "3");
    assert_eq!(a[MAX_REPLICAS_ANNOTATION], "4");
    let oref = &rs.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (oref.kind.as_str(), oref.controller),
        ("Deployment", Some(true))
    );
    assert_eq!(
        w.d.metadata.annotations.as_ref().unwrap()[REVISION_ANNOTATION],
        "1"
    );
    assert_eq!(
        progressing_reason(&w).as_deref(),
        Some("NewReplicaSetCreated")
    );
    assert!(plan.actions.iter().any(|a| matches!(a,
        DeploymentAction::Event { reason, message, .. }
            if reason == "ScalingReplicaSet" && message.ends_with("from 0 to 3"))));
}

#[test]
fn scale_up_and_down_reuses_the_one_replica_set() {
    let mut w = settled_world(deployment("web", 3, "nginx:1"));
    assert_eq!(
        progressing_reason(&w).as_deref(),
        Some("NewReplicaSetAvailable")
    );
    for n in [10, 2] {
        w.set_replicas(n);
        w.settle(50);
        assert!(w.complete());
        assert_eq!(w.rss.len(), 1);
        assert_eq!(spec_replicas(&w.rss[0]), n);
        let a = w.rss[0].metadata.annotations.as_ref().unwrap();
        assert_eq!(a[DESIRED_REPLICAS_ANNOTATION], n.to_string());
        let status = w.d.status.clone().unwrap();
        assert_eq!(status.replicas, Some(n));
        assert_eq!(status.available_replicas, Some(n));
        assert_eq!(status.observed_generation, w.d.metadata.generation);
    }
}

#[test]
fn image_change_rolls_out_with_history_and_change_cause() {
    let mut w = settled_world(deployment("web", 4, "nginx:1"));
    w.d.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(CHANGE_CAUSE_ANNOTATION.into(), "set image nginx:2".into());
    w.set_image("nginx:2");
    let plan = w.sync();
    assert_eq!(creates(&plan).len(), 1);
    assert_eq!(
        w.d.metadata.annotations.as_ref().unwrap()[REVISION_ANNOTATION],
        "2"
    );
    w.settle(50);
    assert!(w.complete());
    assert!(w.pods_on_current_template());
    let h = history(&w.d, &w.rss);
    assert_eq!(h.iter().map(|e| e.revision).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(h[1].change_cause.as_deref(), Some("set image nginx:2"));
    assert_eq!(h[0].change_cause, None);
    let status = w.d.status.clone().unwrap();
    assert_eq!(status.updated_replicas, Some(4));
    assert_eq!(status.unavailable_replicas, Some(0));
}

#[test]
fn rollback_reuses_the_old_replica_set_with_a_new_revision() {
    let mut w = settled_world(deployment("web", 2, "nginx:1"));
    let first = w.rss[0].metadata.name.clone().unwrap();
    w.set_image("nginx:2");
    w.settle(50);
    assert_eq!(w.rss.len(), 2);
    // kubectl rollout undo: the template goes back to revision 1's.
    w.set_image("nginx:1");
    let plan = w.sync();
    assert!(
        creates(&plan).is_empty(),
        "undo must not create a ReplicaSet"
    );
    w.settle(50);
    assert!(w.complete());
    assert_eq!(w.rss.len(), 2);
    let a = &annotations_by_name(&w)[&first];
    assert_eq!(a[REVISION_ANNOTATION], "3");
    assert_eq!(a[REVISION_HISTORY_ANNOTATION], "1");
    assert_eq!(
        w.d.metadata.annotations.as_ref().unwrap()[REVISION_ANNOTATION],
        "3"
    );
    let by_name: Vec<_> = w
        .rss
        .iter()
        .map(|rs| (rs.metadata.name.clone().unwrap(), spec_replicas(rs)))
        .collect();
    assert!(by_name.contains(&(first, 2)));
    assert_eq!(
        history(&w.d, &w.rss)
            .iter()
            .map(|e| e.revision)
            .collect::<Vec<_>>(),
        [2, 3]
    );
}

#[test]
fn paused_deployment_does_not_roll_out_until_resumed() {
    let mut w = settled_world(deployment("web", 3, "nginx:1"));
    w.d.spec.as_mut().unwrap().paused = Some(true);
    w.set_image("nginx:2");
    w.settle(5);
    assert_eq!(w.rss.len(), 1, "no new ReplicaSet while paused");
    assert_eq!(progressing_reason(&w).as_deref(), Some("DeploymentPaused"));
    let status = w.d.status.clone().unwrap();
    assert_eq!(
        get_condition(&status, PROGRESSING).unwrap().status,
        "Unknown"
    );
    // Scaling still works while paused.
    w.set_replicas(5);
    w.sync();
    assert_eq!(spec_replicas(&w.rss[0]), 5);

    w.d.spec.as_mut().unwrap().paused = Some(false);
    w.sync();
    assert_eq!(w.rss.len(), 2);
    w.settle(50);
    assert!(w.complete());
    assert!(w.pods_on_current_template());
    assert_eq!(
        progressing_reason(&w).as_deref(),
        Some("NewReplicaSetAvailable")
    );
}

#[test]
fn rollout_that_never_becomes_ready_exceeds_the_deadline() {
    let mut d = deployment("web", 2, "nginx:1");
    d.spec.as_mut().unwrap().progress_deadline_seconds = Some(60);
    let mut w = settled_world(d);
    w.set_image("broken:1");
    for _ in 0..5 {
        w.sync();
        for i in 0..w.rss.len() {
            w.reconcile_rs(i);
        }
    }
    assert_eq!(progressing_reason(&w).as_deref(), Some("ReplicaSetUpdated"));
    let plan = w.sync();
    let wait = plan
        .requeue_after
        .expect("a stuck rollout is checked again before its deadline");
    assert!(wait.as_secs() > 0 && wait.as_secs() <= 61);
    w.clock += 120;
    w.sync();
    assert_eq!(
        progressing_reason(&w).as_deref(),
        Some("ProgressDeadlineExceeded")
    );
    let status = w.d.status.clone().unwrap();
    let cond = get_condition(&status, PROGRESSING).unwrap();
    assert_eq!(cond.status, "False");
    assert!(
        cond.message
            .as_deref()
            .unwrap()
            .ends_with("has timed out progressing.")
    );
    // The old pods keep serving: maxUnavailable is honoured.
    assert!(w.available_count() >= 2 - fenceposts::max_unavailable(&w.d));
}

#[test]
fn revision_history_limit_deletes_the_oldest_empty_replica_sets() {
    let mut d = deployment("web", 1, "nginx:1");
    d.spec.as_mut().unwrap().revision_history_limit = Some(1);
    let mut w = settled_world(d);
    for image in 2..=5 {
        w.set_image(&format!("nginx:{image}"));
        w.settle(50);
        assert!(w.complete());
    }
    w.sync();
    assert_eq!(w.rss.len(), 2, "the new ReplicaSet and one old one remain");
    let revisions: Vec<i64> = w.rss.iter().map(annotations::revision).collect();
    assert!(
        revisions.contains(&5) && revisions.contains(&4),
        "{revisions:?}"
    );
}

#[test]
fn recreate_scales_old_to_zero_before_creating_the_new() {
    let mut d = deployment("web", 3, "nginx:1");
    d.spec.as_mut().unwrap().strategy = Some(DeploymentStrategy {
        type_: Some("Recreate".into()),
        rolling_update: None,
    });
    let mut w = settled_world(d);
    w.set_image("nginx:2");
    let plan = w.sync();
    assert!(creates(&plan).is_empty());
    assert_eq!(spec_replicas(&w.rss[0]), 0);
    w.reconcile_rs(0);
    w.refresh_rs(0);
    assert_eq!(w.pod_count(), 0);
    let plan = w.sync();
    assert_eq!(creates(&plan).len(), 1);
    assert_eq!(spec_replicas(&w.rss[1]), 3);
    w.settle(50);
    assert!(w.complete());
}

#[test]
fn recreate_waits_while_old_pods_still_run() {
    let mut d = deployment("web", 1, "nginx:1");
    d.spec.as_mut().unwrap().strategy = Some(DeploymentStrategy {
        type_: Some("Recreate".into()),
        rolling_update: None,
    });
    let w = settled_world(d);
    let mut d = w.d.clone();
    d.spec.as_mut().unwrap().template = crate::testutil::template("nginx:2", &[("app", "web")]);
    let mut rss = w.rss.clone();
    rss[0].spec.as_mut().unwrap().replicas = Some(0);
    rss[0].status.as_mut().unwrap().replicas = 0;
    // The cache still holds a running pod of the old ReplicaSet.
    let uid = rss[0].metadata.uid.clone().unwrap();
    let running = crate::testutil::pod("old")
        .labels(&[("app", "web")])
        .owner("ReplicaSet", "x", &uid)
        .running()
        .build();
    let input = |pods: &[k8s_openapi::api::core::v1::Pod]| {
        sync_deployment(DeploymentInput {
            deployment: &d,
            replica_sets: &rss,
            pods,
            now: ts(5000),
        })
        .unwrap()
    };
    assert!(creates(&input(std::slice::from_ref(&running))).is_empty());
    let mut done = running.clone();
    done.status.as_mut().unwrap().phase = Some("Succeeded".into());
    assert_eq!(creates(&input(&[done])).len(), 1);
}

#[test]
fn orphans_are_adopted_and_name_collisions_raise_collision_count() {
    let d = deployment("web", 1, "nginx:1");
    let mut orphan = replica_set("orphan", 0);
    orphan.spec.as_mut().unwrap().selector.match_labels =
        Some(crate::testutil::labels(&[("app", "web")]));
    orphan.metadata.labels = Some(crate::testutil::labels(&[("app", "web")]));
    let hash = hash::compute_hash(&d.spec.as_ref().unwrap().template, None).unwrap();
    let mut squatter = replica_set(&format!("web-{hash}"), 0);
    squatter.metadata.labels = Some(crate::testutil::labels(&[("app", "other")]));
    let rss = vec![orphan, squatter];
    let plan = sync_deployment(DeploymentInput {
        deployment: &d,
        replica_sets: &rss,
        pods: &[],
        now: ts(10),
    })
    .unwrap();
    assert!(plan.actions.iter().any(|a| matches!(a,
        DeploymentAction::PatchReplicaSet { name, patch }
            if name == "orphan" && patch["metadata"]["ownerReferences"][0]["uid"] == "web-uid")));
    assert!(creates(&plan).is_empty());
    assert_eq!(plan.status().unwrap().collision_count, Some(1));
    assert_eq!(
        plan.requeue_after,
        Some(k8s_openapi::jiff::SignedDuration::ZERO)
    );

    let mut d2 = d.clone();
    d2.status = plan.status().cloned();
    let plan = sync_deployment(DeploymentInput {
        deployment: &d2,
        replica_sets: &rss,
        pods: &[],
        now: ts(11),
    })
    .unwrap();
    let created = creates(&plan);
    assert_eq!(created.len(), 1);
    assert_ne!(
        created[0].metadata.name.as_deref(),
        Some(format!("web-{hash}").as_str())
    );
}

#[test]
fn deleting_deployment_only_syncs_status() {
    let mut d = deployment("web", 3, "nginx:2");
    d.metadata.deletion_timestamp =
        Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(ts(1)));
    let plan = sync_deployment(DeploymentInput {
        deployment: &d,
        replica_sets: &[],
        pods: &[],
        now: ts(10),
    })
    .unwrap();
    assert!(creates(&plan).is_empty());
    assert_eq!(plan.status().unwrap().observed_generation, Some(1));
}

/// Regression (e2e `rolling_update_stays_within_max_surge_and_max_unavailable`): the status a
/// ReplicaSet controller writes in the sync that deletes pods still counts them, so an old
/// ReplicaSet scaled 10 → 8 reports 10 available until its next sync. Trusting that number
/// scaled it on to 3 once the 3 new pods were ready: 3 + 3 = 6 available < 10 − 2.
#[test]
fn stale_available_count_of_a_scaled_down_replica_set_does_not_break_max_unavailable() {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    let mut w = settled_world(rolling_deployment(
        10,
        IntOrString::Int(3),
        IntOrString::Int(2),
    ));
    let old = 0;
    w.set_image("nginx:2");
    w.sync();
    let new = w.rss.len() - 1;
    assert_eq!(spec_replicas(&w.rss[new]), 3);
    assert_eq!(spec_replicas(&w.rss[old]), 8);
    // The old ReplicaSet deletes 2 pods; its status still says 10 available.
    w.reconcile_rs(old);
    assert_eq!(
        w.rss[old].status.as_ref().unwrap().available_replicas,
        Some(10)
    );
    // The new ReplicaSet creates its 3 pods and they become ready.
    w.reconcile_rs(new);
    while w.make_available(0) {}
    assert_eq!(w.available_count(), 11);
    w.sync();
    assert_eq!(
        spec_replicas(&w.rss[old]),
        5,
        "8 available old pods + 3 new ones allow 3 more to go, not 5"
    );
    w.reconcile_rs(old);
    assert!(
        w.available_count() >= 8,
        "{} available",
        w.available_count()
    );
    w.settle(50);
    assert!(w.complete());
}
