//! A simulated cluster for property tests of the rollout arithmetic: the Deployment controller's
//! plans are applied to stored ReplicaSets (spec only, as the API server does), a ReplicaSet
//! controller creates missing and deletes surplus pods (not-ready first) when it syncs, writing
//! a status computed from the pods it saw *before* (as Kubernetes' and ours do), and pods become
//! available in an arbitrary order chosen by proptest.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentStrategy, ReplicaSet, ReplicaSetStatus, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use proptest::prelude::*;

use super::fenceposts::{max_surge, max_unavailable, replicas};
use super::hash::equal_ignore_hash;
use super::plan::{DeploymentAction, DeploymentPlan};
use super::progress::{PROGRESSING, deployment_complete, get_condition};
use super::replicasets::spec_replicas;
use super::sync::{DeploymentInput, sync_deployment};
use crate::testutil::{deployment, pod, template, ts};

#[derive(Debug, Clone)]
struct SimPod {
    name: String,
    rs_uid: String,
    available: bool,
}

#[derive(Debug)]
pub(crate) struct World {
    pub d: Deployment,
    pub rss: Vec<ReplicaSet>,
    pods: Vec<SimPod>,
    pub clock: i64,
    next_id: u64,
}

impl World {
    pub fn new(d: Deployment) -> Self {
        World {
            d,
            rss: Vec::new(),
            pods: Vec::new(),
            clock: 1000,
            next_id: 0,
        }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn pods(&self) -> Vec<Pod> {
        self.pods
            .iter()
            .map(|p| {
                let rs = self
                    .rss
                    .iter()
                    .find(|rs| rs.metadata.uid.as_deref() == Some(&p.rs_uid));
                let labels: Vec<(String, String)> = rs
                    .and_then(|rs| {
                        rs.spec
                            .as_ref()?
                            .template
                            .as_ref()?
                            .metadata
                            .as_ref()?
                            .labels
                            .clone()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                let pairs: Vec<(&str, &str)> = labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let b = pod(&p.name)
                    .labels(&pairs)
                    .owner("ReplicaSet", "rs", &p.rs_uid);
                if p.available {
                    b.ready_at(ts(0)).build()
                } else {
                    b.not_ready().build()
                }
            })
            .collect()
    }

    pub fn sync(&mut self) -> DeploymentPlan {
        self.clock += 1;
        let pods = self.pods();
        let plan = sync_deployment(DeploymentInput {
            deployment: &self.d,
            replica_sets: &self.rss,
            pods: &pods,
            now: ts(self.clock),
        })
        .expect("sync");
        self.apply(&plan);
        plan
    }

    fn apply(&mut self, plan: &DeploymentPlan) {
        for action in &plan.actions {
            match action {
                DeploymentAction::CreateReplicaSet(rs) => {
                    let mut rs = rs.clone();
                    let id = self.id();
                    rs.metadata.uid = Some(format!("rs-uid-{id}"));
                    rs.metadata.generation = Some(1);
                    rs.metadata.creation_timestamp = Some(Time(ts(self.clock * 1000 + id as i64)));
                    rs.status = Some(ReplicaSetStatus::default());
                    self.rss.push(rs);
                    let i = self.rss.len() - 1;
                    self.refresh_status(i);
                }
                DeploymentAction::UpdateReplicaSet(rs) => {
                    let i = self
                        .rss
                        .iter()
                        .position(|r| r.metadata.name == rs.metadata.name)
                        .expect("updated rs exists");
                    let stored = &mut self.rss[i];
                    stored.spec = rs.spec.clone();
                    stored.metadata.annotations = rs.metadata.annotations.clone();
                    *stored.metadata.generation.get_or_insert(0) += 1;
                    // Like the API server: the spec changes, pods and status stay as they were
                    // until the ReplicaSet controller syncs.
                }
                DeploymentAction::DeleteReplicaSet { name, .. } => {
                    self.rss.retain(|r| r.metadata.name.as_ref() != Some(name));
                }
                DeploymentAction::UpdateDeploymentAnnotations(a) => {
                    self.d.metadata.annotations = Some(a.clone());
                }
                DeploymentAction::UpdateDeploymentStatus(s) => self.d.status = Some(s.clone()),
                DeploymentAction::PatchReplicaSet { .. } | DeploymentAction::Event { .. } => {}
            }
        }
    }

    fn uid(&self, i: usize) -> String {
        self.rss[i].metadata.uid.clone().unwrap_or_default()
    }

    fn delete_surplus(&mut self, i: usize) {
        let uid = self.uid(i);
        let want = usize::try_from(spec_replicas(&self.rss[i])).unwrap_or(0);
        loop {
            let mine: Vec<usize> = (0..self.pods.len())
                .filter(|&k| self.pods[k].rs_uid == uid)
                .collect();
            if mine.len() <= want {
                break;
            }
            let victim = mine
                .iter()
                .copied()
                .find(|&k| !self.pods[k].available)
                .unwrap_or(mine[mine.len() - 1]);
            self.pods.remove(victim);
        }
    }

    /// The ReplicaSet controller's sync of rss[i]: create missing pods, delete surplus ones.
    /// Like Kubernetes' (and ours), the status it writes is computed from the pods it saw
    /// *before* creating and deleting, so after a scale-down it still counts the deleted pods
    /// as available until the next sync ([`World::refresh_rs`]).
    pub fn reconcile_rs(&mut self, i: usize) {
        self.refresh_status(i);
        let uid = self.uid(i);
        let want = usize::try_from(spec_replicas(&self.rss[i])).unwrap_or(0);
        let have = self.pods.iter().filter(|p| p.rs_uid == uid).count();
        for _ in have..want {
            let id = self.id();
            self.pods.push(SimPod {
                name: format!("pod-{id}"),
                rs_uid: uid.clone(),
                available: false,
            });
        }
        self.delete_surplus(i);
    }

    /// A ReplicaSet sync with nothing to create or delete: its status catches up with its pods.
    pub fn refresh_rs(&mut self, i: usize) {
        self.refresh_status(i);
    }

    fn refresh_status(&mut self, i: usize) {
        let uid = self.uid(i);
        let count = self.pods.iter().filter(|p| p.rs_uid == uid).count() as i32;
        let available = self
            .pods
            .iter()
            .filter(|p| p.rs_uid == uid && p.available)
            .count() as i32;
        let generation = self.rss[i].metadata.generation;
        self.rss[i].status = Some(ReplicaSetStatus {
            replicas: count,
            ready_replicas: Some(available),
            available_replicas: Some(available),
            observed_generation: generation,
            ..Default::default()
        });
    }

    pub fn make_available(&mut self, pick: usize) -> bool {
        let waiting: Vec<usize> = (0..self.pods.len())
            .filter(|&k| !self.pods[k].available)
            .collect();
        if waiting.is_empty() {
            return false;
        }
        let k = waiting[pick % waiting.len()];
        self.pods[k].available = true;
        let uid = self.pods[k].rs_uid.clone();
        if let Some(i) = self
            .rss
            .iter()
            .position(|r| r.metadata.uid.as_deref() == Some(&uid))
        {
            self.refresh_status(i);
        }
        true
    }

    pub fn pod_count(&self) -> i32 {
        self.pods.len() as i32
    }

    pub fn available_count(&self) -> i32 {
        self.pods.iter().filter(|p| p.available).count() as i32
    }

    pub fn spec_sum(&self) -> i32 {
        self.rss.iter().map(spec_replicas).sum()
    }

    /// Syncs, reconciles and readies everything until the rollout completes.
    pub fn settle(&mut self, rounds: usize) {
        for _ in 0..rounds {
            self.sync();
            for i in 0..self.rss.len() {
                self.reconcile_rs(i);
                self.refresh_rs(i);
            }
            while self.make_available(0) {}
            if self.complete() {
                // One more sync records the final conditions.
                self.sync();
                return;
            }
        }
    }

    pub fn complete(&self) -> bool {
        let status = self.d.status.clone().unwrap_or_default();
        deployment_complete(&self.d, &status)
            && self
                .rss
                .iter()
                .all(|rs| is_current(&self.d, rs) || spec_replicas(rs) == 0)
            && self.pod_count() == replicas(&self.d)
    }

    pub fn set_image(&mut self, image: &str) {
        let name = self.d.metadata.name.clone().unwrap_or_default();
        self.d.spec.as_mut().unwrap().template = template(image, &[("app", &name)]);
        *self.d.metadata.generation.get_or_insert(0) += 1;
    }

    pub fn set_replicas(&mut self, n: i32) {
        self.d.spec.as_mut().unwrap().replicas = Some(n);
        *self.d.metadata.generation.get_or_insert(0) += 1;
    }

    pub fn pods_on_current_template(&self) -> bool {
        self.pods.iter().all(|p| {
            self.rss
                .iter()
                .find(|rs| rs.metadata.uid.as_deref() == Some(&p.rs_uid))
                .is_some_and(|rs| is_current(&self.d, rs))
        })
    }
}

fn is_current(d: &Deployment, rs: &ReplicaSet) -> bool {
    let t = rs.spec.as_ref().and_then(|s| s.template.as_ref());
    t.is_some_and(|t| equal_ignore_hash(&d.spec.as_ref().unwrap().template, t))
}

fn int_or_percent() -> impl Strategy<Value = IntOrString> {
    prop_oneof![
        (0i32..4).prop_map(IntOrString::Int),
        prop::sample::select(vec!["0%", "10%", "25%", "50%", "100%"])
            .prop_map(|s| IntOrString::String(s.to_owned())),
    ]
}

pub(crate) fn rolling_deployment(
    replicas: i32,
    surge: IntOrString,
    unavailable: IntOrString,
) -> Deployment {
    let mut d = deployment("web", replicas, "nginx:1");
    d.spec.as_mut().unwrap().strategy = Some(DeploymentStrategy {
        type_: Some("RollingUpdate".into()),
        rolling_update: Some(RollingUpdateDeployment {
            max_surge: Some(surge),
            max_unavailable: Some(unavailable),
        }),
    });
    d
}

/// A deployment rolled out completely at nginx:1.
pub(crate) fn settled_world(d: Deployment) -> World {
    let mut w = World::new(d);
    w.settle(100);
    assert!(
        w.complete(),
        "initial rollout did not complete: {:?}",
        w.d.status
    );
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// During a rolling update (with rollovers to further templates mid-way), the ReplicaSets
    /// never ask for more than replicas+maxSurge pods, there are never more pods than that, never
    /// fewer than replicas−maxUnavailable available, and the rollout ends with every pod on the
    /// final template.
    #[test]
    fn rolling_update_respects_surge_and_unavailability(
        want in 1i32..12,
        surge in int_or_percent(),
        unavailable in int_or_percent(),
        steps in prop::collection::vec((0u8..10, any::<u16>()), 0..300),
    ) {
        let mut w = settled_world(rolling_deployment(want, surge, unavailable));
        let max_pods = want + max_surge(&w.d);
        let min_available = want - max_unavailable(&w.d);
        w.set_image("nginx:2");
        let mut image = 2;
        let mut history = Vec::new();
        for (kind, pick) in steps {
            match kind {
                0..=2 => { w.sync(); }
                3..=4 => {
                    if !w.rss.is_empty() {
                        let i = usize::from(pick) % w.rss.len();
                        w.reconcile_rs(i);
                    }
                }
                5 => {
                    if !w.rss.is_empty() {
                        let i = usize::from(pick) % w.rss.len();
                        w.refresh_rs(i);
                    }
                }
                6..=8 => { w.make_available(usize::from(pick)); }
                _ => {
                    if image < 4 && pick % 8 == 0 {
                        image += 1;
                        w.set_image(&format!("nginx:{image}"));
                    }
                }
            }
            history.push((kind, w.spec_sum(), w.pod_count(), w.available_count()));
            prop_assert!(w.spec_sum() <= max_pods, "specs {} > {max_pods}: {history:?}", w.spec_sum());
            prop_assert!(w.pod_count() <= max_pods, "pods {} > {max_pods}: {history:?}", w.pod_count());
            prop_assert!(w.available_count() >= min_available,
                "available {} < {min_available}: {history:?}", w.available_count());
        }
        w.settle(200);
        prop_assert!(w.complete(), "rollout did not complete: {:?} {:?}", w.d.status, w.rss);
        prop_assert!(w.pods_on_current_template());
        prop_assert!(w.pod_count() == want);
        let status = w.d.status.clone().unwrap();
        let cond = get_condition(&status, PROGRESSING).unwrap();
        prop_assert_eq!(cond.reason.as_deref(), Some("NewReplicaSetAvailable"));
        prop_assert_eq!(status.updated_replicas, Some(want));
        prop_assert_eq!(status.available_replicas, Some(want));
    }

    /// Scaling in the middle of a rollout spreads the change across the ReplicaSets without
    /// exceeding the new replicas+maxSurge, and the rollout still completes at the new size.
    #[test]
    fn proportional_scaling_mid_rollout(
        want in 2i32..20,
        new_want in 0i32..30,
        readied in 0usize..20,
    ) {
        let mut w = settled_world(rolling_deployment(
            want,
            IntOrString::String("25%".into()),
            IntOrString::String("25%".into()),
        ));
        w.set_image("nginx:2");
        w.sync();
        for i in 0..w.rss.len() { w.reconcile_rs(i); }
        for k in 0..readied { w.make_available(k); }
        w.sync();
        w.set_replicas(new_want);
        w.sync();
        let max_pods = new_want + max_surge(&w.d);
        prop_assert!(w.spec_sum() <= max_pods.max(0), "specs {} > {max_pods}", w.spec_sum());
        w.settle(200);
        prop_assert!(w.complete(), "did not complete: {:?}", w.d.status);
        prop_assert_eq!(w.pod_count(), new_want);
    }
}

/// Annotations of every ReplicaSet by name, for scenario assertions.
pub(crate) fn annotations_by_name(w: &World) -> BTreeMap<String, BTreeMap<String, String>> {
    w.rss
        .iter()
        .map(|rs| {
            (
                rs.metadata.name.clone().unwrap_or_default(),
                rs.metadata.annotations.clone().unwrap_or_default(),
            )
        })
        .collect()
}
