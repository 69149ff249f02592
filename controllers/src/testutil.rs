//! Builders shared by the unit tests: pods, ReplicaSets and Deployments with terse set-up.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, ReplicaSet, ReplicaSetSpec, ReplicaSetStatus,
    RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerStatus, Pod, PodCondition, PodSpec, PodStatus,
    PodTemplateSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, ObjectMeta, OwnerReference, Time,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;

/// A timestamp `secs` seconds after the epoch.
pub fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap()
}

pub fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub struct PodBuilder(Pod);

pub fn pod(name: &str) -> PodBuilder {
    PodBuilder(Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            uid: Some(format!("{name}-uid")),
            creation_timestamp: Some(Time(ts(0))),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "c".into(),
                image: Some("nginx".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some("Pending".into()),
            ..Default::default()
        }),
    })
}

impl PodBuilder {
    pub fn labels(mut self, pairs: &[(&str, &str)]) -> Self {
        self.0.metadata.labels = Some(labels(pairs));
        self
    }
    pub fn namespace(mut self, ns: &str) -> Self {
        self.0.metadata.namespace = Some(ns.into());
        self
    }
    pub fn owner(mut self, kind: &str, name: &str, uid: &str) -> Self {
        self.0
            .metadata
            .owner_references
            .get_or_insert_with(Vec::new)
            .push(OwnerReference {
                api_version: "apps/v1".into(),
                kind: kind.into(),
                name: name.into(),
                uid: uid.into(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            });
        self
    }
    pub fn node(mut self, node: &str) -> Self {
        self.0.spec.as_mut().unwrap().node_name = Some(node.into());
        self
    }
    pub fn phase(mut self, phase: &str) -> Self {
        self.0.status.as_mut().unwrap().phase = Some(phase.into());
        self
    }
    pub fn running(self) -> Self {
        self.node("n1").phase("Running")
    }
    pub fn ready_at(mut self, at: Timestamp) -> Self {
        self = self.running();
        self.0.status.as_mut().unwrap().conditions = Some(vec![PodCondition {
            type_: "Ready".into(),
            status: "True".into(),
            last_transition_time: Some(Time(at)),
            ..Default::default()
        }]);
        self
    }
    pub fn not_ready(mut self) -> Self {
        self = self.running();
        self.0.status.as_mut().unwrap().conditions = Some(vec![PodCondition {
            type_: "Ready".into(),
            status: "False".into(),
            ..Default::default()
        }]);
        self
    }
    pub fn created(mut self, at: i64) -> Self {
        self.0.metadata.creation_timestamp = Some(Time(ts(at)));
        self
    }
    pub fn restarts(mut self, n: i32) -> Self {
        self.0.status.as_mut().unwrap().container_statuses = Some(vec![ContainerStatus {
            name: "c".into(),
            restart_count: n,
            ..Default::default()
        }]);
        self
    }
    pub fn deleting(mut self, at: Timestamp) -> Self {
        self.0.metadata.deletion_timestamp = Some(Time(at));
        self
    }
    pub fn ip(mut self, ip: &str) -> Self {
        self.0.status.as_mut().unwrap().pod_ip = Some(ip.into());
        self
    }
    pub fn port(mut self, name: &str, port: i32) -> Self {
        self.0.spec.as_mut().unwrap().containers[0]
            .ports
            .get_or_insert_with(Vec::new)
            .push(ContainerPort {
                name: Some(name.into()),
                container_port: port,
                protocol: Some("TCP".into()),
                ..Default::default()
            });
        self
    }
    pub fn build(self) -> Pod {
        self.0
    }
}

pub fn template(image: &str, pairs: &[(&str, &str)]) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels(pairs)),
            ..Default::default()
        }),
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "c".into(),
                image: Some(image.into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
    }
}

pub fn replica_set(name: &str, replicas: i32) -> ReplicaSet {
    ReplicaSet {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            uid: Some(format!("{name}-uid")),
            generation: Some(1),
            creation_timestamp: Some(Time(ts(0))),
            ..Default::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(labels(&[("app", "web")])),
                ..Default::default()
            },
            template: Some(template("nginx", &[("app", "web")])),
            ..Default::default()
        }),
        status: Some(ReplicaSetStatus::default()),
    }
}

pub fn deployment(name: &str, replicas: i32, image: &str) -> Deployment {
    Deployment {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            uid: Some(format!("{name}-uid")),
            generation: Some(1),
            creation_timestamp: Some(Time(ts(0))),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(labels(&[("app", name)])),
                ..Default::default()
            },
            template: template(image, &[("app", name)]),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::String("25%".into())),
                    max_unavailable: Some(IntOrString::String("25%".into())),
                }),
            }),
            revision_history_limit: Some(10),
            progress_deadline_seconds: Some(600),
            ..Default::default()
        }),
        status: None,
    }
}

/// Polls `cond` every 10 ms until it holds or `secs` seconds pass.
pub async fn eventually(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if cond() {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Applies an adoption or release patch (the first `ownerReferences` entry, removed when
/// it carries `$patch: delete`) to the pod `ns/name` of `pods`, as the API server would.
pub fn apply_owner_patch(
    pods: &rkube_runtime::fake::FakeApi<Pod>,
    ns: &str,
    name: &str,
    patch: &serde_json::Value,
) -> rkube_client::Result<()> {
    pods.modify(Some(ns), name, |pod| {
        let mut pod = pod.clone();
        let oref = &patch["metadata"]["ownerReferences"][0];
        let refs = pod.metadata.owner_references.get_or_insert_with(Vec::new);
        if oref["$patch"] == "delete" {
            refs.retain(|r| r.uid != oref["uid"]);
        } else {
            refs.push(serde_json::from_value::<OwnerReference>(oref.clone()).unwrap());
        }
        Ok(pod)
    })
    .ok_or_else(|| api_error(404, "NotFound"))?
    .map(|_| ())
}

/// An API error with this HTTP code, as the client reports it.
pub fn api_error(code: u16, reason: &str) -> rkube_client::Error {
    rkube_client::Error::Api(Box::new(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Status {
            code: Some(i32::from(code)),
            reason: Some(reason.into()),
            message: Some(reason.into()),
            status: Some("Failure".into()),
            ..Default::default()
        },
    ))
}

/// Removes `null` members (a merge patch's deletions) before decoding a patched status.
pub fn strip_nulls(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An event sink keeping (reason, message) pairs.
#[derive(Default)]
pub struct RecordedEvents(pub std::sync::Mutex<Vec<(String, String)>>);

impl crate::wiring::EventSink for RecordedEvents {
    fn publish<'a>(
        &'a self,
        _reference: k8s_openapi::api::core::v1::ObjectReference,
        _type_: rkube_runtime::events::EventType,
        reason: &'a str,
        message: String,
    ) -> futures::future::BoxFuture<'a, ()> {
        self.0.lock().unwrap().push((reason.to_owned(), message));
        Box::pin(async {})
    }
}

/// An in-memory cluster for wiring tests: fake API servers for Deployments, ReplicaSets and
/// pods, writes applied to them (JSON merge patches as the server would), and a kubelet that
/// makes a created pod ready after `ready_after` (unless its image starts with `broken`).
pub struct FakeCluster {
    pub deployments: rkube_runtime::fake::FakeApi<Deployment>,
    pub rss: rkube_runtime::fake::FakeApi<ReplicaSet>,
    pub pods: rkube_runtime::fake::FakeApi<Pod>,
    pub ready_after: std::time::Duration,
    counter: std::sync::atomic::AtomicUsize,
    live_pods: std::sync::atomic::AtomicUsize,
    /// The most pods that existed at once.
    pub max_live_pods: std::sync::atomic::AtomicUsize,
    pub pod_creates: std::sync::atomic::AtomicUsize,
    specs: std::sync::Mutex<BTreeMap<String, i32>>,
    /// The largest sum of ReplicaSet `spec.replicas` ever stored.
    pub max_spec_sum: std::sync::atomic::AtomicI32,
}

impl FakeCluster {
    pub fn new(ready_after: std::time::Duration) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            deployments: Default::default(),
            rss: Default::default(),
            pods: Default::default(),
            ready_after,
            counter: Default::default(),
            live_pods: Default::default(),
            max_live_pods: Default::default(),
            pod_creates: Default::default(),
            specs: Default::default(),
            max_spec_sum: Default::default(),
        })
    }

    fn record_spec(&self, rs: &ReplicaSet, gone: bool) {
        let mut specs = self.specs.lock().unwrap();
        let name = rs.metadata.name.clone().unwrap_or_default();
        if gone {
            specs.remove(&name);
        } else {
            specs.insert(name, rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1));
        }
        let sum: i32 = specs.values().sum();
        self.max_spec_sum
            .fetch_max(sum, std::sync::atomic::Ordering::SeqCst);
    }

    fn next(&self) -> usize {
        self.counter
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }
}

/// Applies a JSON merge patch to an object, as the API server would.
pub fn merge_patched<K: serde::Serialize + serde::de::DeserializeOwned>(
    obj: &K,
    patch: &serde_json::Value,
) -> K {
    let mut v = serde_json::to_value(obj).unwrap();
    json_patch::merge(&mut v, patch);
    serde_json::from_value(v).unwrap()
}

mod fake_cluster_writes {
    use super::*;
    use crate::deployment::controller::DeploymentWrites;
    use crate::replicaset::controller::ReplicaSetWrites;
    use futures::FutureExt;
    use futures::future::BoxFuture;
    use serde_json::Value;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    type R<'a, T> = BoxFuture<'a, rkube_client::Result<T>>;

    impl ReplicaSetWrites for Arc<FakeCluster> {
        fn create_pod<'a>(&'a self, _ns: &'a str, pod: &'a Pod) -> R<'a, Pod> {
            async move {
                let n = self.next();
                let mut pod = pod.clone();
                pod.metadata.name = Some(format!(
                    "{}{n}",
                    pod.metadata.generate_name.clone().unwrap_or_default()
                ));
                pod.metadata.uid = Some(format!("pod-uid-{n}"));
                pod.metadata.creation_timestamp = Some(Time(Timestamp::now()));
                let stored = self.pods.apply(pod);
                self.pod_creates.fetch_add(1, Ordering::SeqCst);
                let live = self.live_pods.fetch_add(1, Ordering::SeqCst) + 1;
                self.max_live_pods.fetch_max(live, Ordering::SeqCst);
                let (api, delay) = (self.pods.clone(), self.ready_after);
                let ns = stored.metadata.namespace.clone();
                let name = stored.metadata.name.clone().unwrap_or_default();
                let broken = stored.spec.as_ref().is_some_and(|s| {
                    s.containers
                        .iter()
                        .any(|c| c.image.as_deref().unwrap_or_default().starts_with("broken"))
                });
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    // Atomically, as a kubelet's status update is: a pod deleted meanwhile
                    // stays deleted and other writes are not lost.
                    let _ = api.modify(ns.as_deref(), &name, |p| {
                        let mut p = p.clone();
                        p.spec.get_or_insert_with(Default::default).node_name = Some("n1".into());
                        let status = p.status.get_or_insert_with(Default::default);
                        status.phase = Some("Running".into());
                        status.pod_ip = Some(format!("10.0.{}.{}", n / 250, n % 250 + 1));
                        if !broken {
                            status.conditions = Some(vec![PodCondition {
                                type_: "Ready".into(),
                                status: "True".into(),
                                last_transition_time: Some(Time(Timestamp::now())),
                                ..Default::default()
                            }]);
                        }
                        Ok::<_, ()>(p)
                    });
                });
                Ok(stored)
            }
            .boxed()
        }
        fn delete_pod<'a>(&'a self, ns: &'a str, name: &'a str, _uid: &'a str) -> R<'a, ()> {
            async move {
                let gone = self
                    .pods
                    .delete(Some(ns), name)
                    .ok_or_else(|| api_error(404, "NotFound"))?;
                let _ = gone;
                self.live_pods.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
            .boxed()
        }
        fn patch_pod<'a>(&'a self, ns: &'a str, name: &'a str, patch: &'a Value) -> R<'a, ()> {
            async move { crate::testutil::apply_owner_patch(&self.pods, ns, name, patch) }.boxed()
        }
        fn patch_status<'a>(&'a self, ns: &'a str, name: &'a str, patch: &'a Value) -> R<'a, ()> {
            async move {
                self.rss
                    .modify(Some(ns), name, |rs| Ok(merge_patched(rs, patch)))
                    .ok_or_else(|| api_error(404, "NotFound"))?
                    .map(|_| ())
            }
            .boxed()
        }
    }

    impl DeploymentWrites for Arc<FakeCluster> {
        fn create_rs<'a>(&'a self, ns: &'a str, rs: &'a ReplicaSet) -> R<'a, ()> {
            async move {
                let name = rs.metadata.name.clone().unwrap_or_default();
                if self.rss.get(Some(ns), &name).is_some() {
                    return Err(api_error(409, "AlreadyExists"));
                }
                let mut rs = rs.clone();
                rs.metadata.uid = Some(format!("rs-uid-{}", self.next()));
                rs.metadata.generation = Some(1);
                rs.metadata.creation_timestamp = Some(Time(Timestamp::now()));
                self.record_spec(&rs, false);
                self.rss.apply(rs);
                Ok(())
            }
            .boxed()
        }
        fn patch_rs<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            patch: &'a Value,
            _strategic: bool,
        ) -> R<'a, ()> {
            async move {
                self.rss
                    .modify(Some(ns), name, |rs| {
                        let precondition = &patch["metadata"]["resourceVersion"];
                        if precondition.is_string()
                            && precondition.as_str() != rs.metadata.resource_version.as_deref()
                        {
                            return Err(api_error(409, "Conflict"));
                        }
                        let mut patched: ReplicaSet = merge_patched(rs, patch);
                        if patched.spec != rs.spec {
                            *patched.metadata.generation.get_or_insert(0) += 1;
                        }
                        self.record_spec(&patched, false);
                        Ok(patched)
                    })
                    .ok_or_else(|| api_error(404, "NotFound"))?
                    .map(|_| ())
            }
            .boxed()
        }
        fn delete_rs<'a>(&'a self, ns: &'a str, name: &'a str, _uid: Option<&'a str>) -> R<'a, ()> {
            async move {
                let gone = self
                    .rss
                    .delete(Some(ns), name)
                    .ok_or_else(|| api_error(404, "NotFound"))?;
                self.record_spec(&gone, true);
                Ok(())
            }
            .boxed()
        }
        fn patch_deployment<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            patch: &'a Value,
        ) -> R<'a, ()> {
            async move {
                self.deployments
                    .modify(Some(ns), name, |d| Ok(merge_patched(d, patch)))
                    .ok_or_else(|| api_error(404, "NotFound"))?
                    .map(|_| ())
            }
            .boxed()
        }
        fn patch_deployment_status<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            patch: &'a Value,
        ) -> R<'a, ()> {
            // The fake keeps no separate status: both patches merge into the object.
            self.patch_deployment(ns, name, patch)
        }
    }
}

/// References to each item, for functions taking `&[&T]`.
pub fn refs<T>(v: &[T]) -> Vec<&T> {
    v.iter().collect()
}
