//! Records core/v1 Events about objects, as `kubectl describe` shows them.
//!
//! A [`Recorder`] writes an Event per (object, type, reason, message); repeats of the same
//! one are aggregated like client-go's event correlator does: the existing Event's `count`
//! and `lastTimestamp` are patched instead of creating another Event. Event names follow
//! Kubernetes: `<object name>.<hex nanosecond timestamp>`, in the object's namespace
//! (`default` for cluster-scoped objects).
//!
//! ```no_run
//! # async fn doc(client: rkube_client::Client, rs: k8s_openapi::api::apps::v1::ReplicaSet) -> Result<(), rkube_runtime::events::Error> {
//! use rkube_runtime::events::{EventType, Recorder, Reporter};
//!
//! let recorder = Recorder::new(client, Reporter::new("replicaset-controller"));
//! recorder
//!     .publish_for(&rs, EventType::Normal, "SuccessfulCreate", "Created pod: web-x7k2p")
//!     .await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;
use futures::future::BoxFuture;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};
use rkube_client::{Api, Client, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::Object;

/// How many distinct events the recorder remembers for aggregation.
const CACHE_SIZE: usize = 4096;

/// Errors of event recording.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Creating the Event failed.
    #[error("creating event failed: {0}")]
    Create(#[source] rkube_client::Error),
    /// Updating the count of an existing Event failed.
    #[error("updating event failed: {0}")]
    Update(#[source] rkube_client::Error),
}

/// The Event calls a [`Recorder`] makes. Implemented for [`Client`]; tests use a fake.
pub trait EventApi: Send + Sync + 'static {
    /// Creates `event` in `namespace`.
    fn create<'a>(
        &'a self,
        namespace: &'a str,
        event: &'a Event,
    ) -> BoxFuture<'a, rkube_client::Result<Event>>;
    /// Merge-patches the Event `name` in `namespace`.
    fn patch<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        merge_patch: &'a serde_json::Value,
    ) -> BoxFuture<'a, rkube_client::Result<Event>>;
}

impl EventApi for Client {
    fn create<'a>(
        &'a self,
        namespace: &'a str,
        event: &'a Event,
    ) -> BoxFuture<'a, rkube_client::Result<Event>> {
        async move {
            Api::<Event>::namespaced(self.clone(), namespace)
                .create(&PostParams::default(), event)
                .await
        }
        .boxed()
    }

    fn patch<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        merge_patch: &'a serde_json::Value,
    ) -> BoxFuture<'a, rkube_client::Result<Event>> {
        async move {
            Api::<Event>::namespaced(self.clone(), namespace)
                .patch(name, &PatchParams::default(), &Patch::Merge(merge_patch))
                .await
        }
        .boxed()
    }
}

/// Who reports the events: `source.component` (and `reportingComponent`), and optionally
/// the instance (`source.host`, `reportingInstance`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reporter {
    /// The component, such as `replicaset-controller`.
    pub component: String,
    /// The instance, such as the host name.
    pub instance: Option<String>,
}

impl Reporter {
    /// A reporter with no instance.
    pub fn new(component: impl Into<String>) -> Self {
        Self {
            component: component.into(),
            instance: None,
        }
    }
}

/// The type of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Things going as they should.
    Normal,
    /// Something to look at.
    Warning,
}

impl EventType {
    /// `"Normal"` or `"Warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "Normal",
            Self::Warning => "Warning",
        }
    }
}

/// The `involvedObject` reference of `obj`.
pub fn object_reference<K: Object>(obj: &K) -> ObjectReference {
    let meta = obj.metadata();
    ObjectReference {
        api_version: Some(K::API_VERSION.to_owned()),
        kind: Some(K::KIND.to_owned()),
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        field_path: None,
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct EventKey {
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    uid: Option<String>,
    type_: EventType,
    reason: String,
    message: String,
}

struct Seen {
    namespace: String,
    name: String,
    count: i32,
    last_used: u64,
}

#[derive(Default)]
struct Cache {
    events: HashMap<EventKey, Seen>,
    tick: u64,
    last_nanos: i128,
}

/// Writes Events. Cheap to clone; clones share the aggregation cache.
#[derive(Clone)]
pub struct Recorder<A = Client> {
    api: Arc<A>,
    reporter: Reporter,
    cache: Arc<Mutex<Cache>>,
}

impl<A> std::fmt::Debug for Recorder<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("reporter", &self.reporter)
            .finish_non_exhaustive()
    }
}

impl<A: EventApi> Recorder<A> {
    /// A recorder writing through `api` on behalf of `reporter`.
    pub fn new(api: A, reporter: Reporter) -> Self {
        Self {
            api: Arc::new(api),
            reporter,
            cache: Arc::new(Mutex::new(Cache::default())),
        }
    }

    /// Records an event about `obj`.
    pub async fn publish_for<K: Object>(
        &self,
        obj: &K,
        type_: EventType,
        reason: &str,
        message: &str,
    ) -> Result<(), Error> {
        self.publish(&object_reference(obj), type_, reason, message)
            .await
    }

    /// Records an event about the object `reference` names: a new Event, or one more
    /// occurrence of the same event (same object, type, reason and message) if this recorder
    /// wrote it before.
    pub async fn publish(
        &self,
        reference: &ObjectReference,
        type_: EventType,
        reason: &str,
        message: &str,
    ) -> Result<(), Error> {
        let key = EventKey {
            kind: reference.kind.clone(),
            namespace: reference.namespace.clone(),
            name: reference.name.clone(),
            uid: reference.uid.clone(),
            type_,
            reason: reason.to_owned(),
            message: message.to_owned(),
        };
        let now = Timestamp::now();
        let repeat = {
            let mut cache = self.lock();
            cache.tick += 1;
            let tick = cache.tick;
            cache.events.get_mut(&key).map(|seen| {
                seen.count = seen.count.saturating_add(1);
                seen.last_used = tick;
                (seen.namespace.clone(), seen.name.clone(), seen.count)
            })
        };
        if let Some((namespace, name, count)) = repeat {
            let patch = json!({
                "count": count,
                "lastTimestamp": Time(now),
            });
            match self.api.patch(&namespace, &name, &patch).await {
                Ok(_) => return Ok(()),
                // The Event expired (or was deleted): start a new one.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(Error::Update(e)),
            }
        }

        let namespace = reference
            .namespace
            .clone()
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_owned());
        let name = {
            let mut cache = self.lock();
            // Unique even for two events in the same nanosecond.
            let nanos = now.as_nanosecond().max(cache.last_nanos + 1);
            cache.last_nanos = nanos;
            format!(
                "{}.{:x}",
                reference.name.as_deref().unwrap_or("object"),
                nanos
            )
        };
        let event = Event {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(namespace.clone()),
                ..ObjectMeta::default()
            },
            involved_object: reference.clone(),
            reason: Some(reason.to_owned()),
            message: Some(message.to_owned()),
            type_: Some(type_.as_str().to_owned()),
            source: Some(EventSource {
                component: Some(self.reporter.component.clone()),
                host: self.reporter.instance.clone(),
            }),
            reporting_component: Some(self.reporter.component.clone()),
            reporting_instance: self.reporter.instance.clone(),
            first_timestamp: Some(Time(now)),
            last_timestamp: Some(Time(now)),
            event_time: None::<MicroTime>,
            count: Some(1),
            ..Event::default()
        };
        self.api
            .create(&namespace, &event)
            .await
            .map_err(Error::Create)?;
        let mut cache = self.lock();
        cache.tick += 1;
        let tick = cache.tick;
        cache.events.insert(
            key,
            Seen {
                namespace,
                name,
                count: 1,
                last_used: tick,
            },
        );
        if cache.events.len() > CACHE_SIZE
            && let Some(oldest) = cache
                .events
                .iter()
                .min_by_key(|(_, s)| s.last_used)
                .map(|(k, _)| k.clone())
        {
            cache.events.remove(&oldest);
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSet;
    use k8s_openapi::api::core::v1::Node;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

    /// Stores events by (namespace, name), applying merge patches.
    #[derive(Default)]
    struct Fake {
        events: Mutex<HashMap<(String, String), Event>>,
        creates: Mutex<usize>,
        patches: Mutex<usize>,
    }

    impl EventApi for Arc<Fake> {
        fn create<'a>(
            &'a self,
            ns: &'a str,
            event: &'a Event,
        ) -> BoxFuture<'a, rkube_client::Result<Event>> {
            *self.creates.lock().unwrap() += 1;
            let name = event.metadata.name.clone().unwrap();
            assert_eq!(event.metadata.namespace.as_deref(), Some(ns));
            self.events
                .lock()
                .unwrap()
                .insert((ns.into(), name), event.clone());
            futures::future::ready(Ok(event.clone())).boxed()
        }

        fn patch<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            patch: &'a serde_json::Value,
        ) -> BoxFuture<'a, rkube_client::Result<Event>> {
            *self.patches.lock().unwrap() += 1;
            let mut events = self.events.lock().unwrap();
            let r = match events.get_mut(&(ns.to_owned(), name.to_owned())) {
                None => Err(rkube_client::Error::Api(Box::new(Status {
                    code: Some(404),
                    reason: Some("NotFound".into()),
                    ..Status::default()
                }))),
                Some(event) => {
                    let mut value = serde_json::to_value(&*event).unwrap();
                    json_merge(&mut value, patch);
                    *event = serde_json::from_value(value).unwrap();
                    Ok(event.clone())
                }
            };
            futures::future::ready(r).boxed()
        }
    }

    fn json_merge(target: &mut serde_json::Value, patch: &serde_json::Value) {
        if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
            for (k, v) in p {
                t.insert(k.clone(), v.clone());
            }
        }
    }

    fn rs() -> ReplicaSet {
        let mut r = ReplicaSet::default();
        r.metadata.name = Some("web".into());
        r.metadata.namespace = Some("prod".into());
        r.metadata.uid = Some("u1".into());
        r
    }

    #[tokio::test]
    async fn first_event_is_created_with_kubernetes_fields() {
        let fake = Arc::new(Fake::default());
        let recorder = Recorder::new(Arc::clone(&fake), Reporter::new("replicaset-controller"));
        recorder
            .publish_for(
                &rs(),
                EventType::Normal,
                "SuccessfulCreate",
                "Created pod: web-1",
            )
            .await
            .unwrap();
        let events = fake.events.lock().unwrap();
        let ((ns, name), e) = events.iter().next().unwrap();
        assert_eq!(ns, "prod");
        let suffix = name.strip_prefix("web.").expect("named <object>.<hex>");
        assert!(!suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(e.involved_object.kind.as_deref(), Some("ReplicaSet"));
        assert_eq!(e.involved_object.api_version.as_deref(), Some("apps/v1"));
        assert_eq!(e.involved_object.uid.as_deref(), Some("u1"));
        assert_eq!(e.type_.as_deref(), Some("Normal"));
        assert_eq!(e.reason.as_deref(), Some("SuccessfulCreate"));
        assert_eq!(e.message.as_deref(), Some("Created pod: web-1"));
        assert_eq!(e.count, Some(1));
        assert_eq!(
            e.source.as_ref().and_then(|s| s.component.as_deref()),
            Some("replicaset-controller")
        );
        assert!(e.first_timestamp.is_some() && e.last_timestamp.is_some());
    }

    #[tokio::test]
    async fn repeats_are_aggregated_into_a_count() {
        let fake = Arc::new(Fake::default());
        let recorder = Recorder::new(Arc::clone(&fake), Reporter::new("c"));
        for _ in 0..3 {
            recorder
                .publish_for(&rs(), EventType::Warning, "FailedCreate", "quota exceeded")
                .await
                .unwrap();
        }
        recorder
            .publish_for(&rs(), EventType::Warning, "FailedCreate", "other message")
            .await
            .unwrap();
        assert_eq!(*fake.creates.lock().unwrap(), 2);
        assert_eq!(*fake.patches.lock().unwrap(), 2);
        let events = fake.events.lock().unwrap();
        let quota = events
            .values()
            .find(|e| e.message.as_deref() == Some("quota exceeded"))
            .unwrap();
        assert_eq!(quota.count, Some(3));
    }

    #[tokio::test]
    async fn an_expired_event_is_created_anew() {
        let fake = Arc::new(Fake::default());
        let recorder = Recorder::new(Arc::clone(&fake), Reporter::new("c"));
        recorder
            .publish_for(&rs(), EventType::Normal, "R", "m")
            .await
            .unwrap();
        fake.events.lock().unwrap().clear();
        recorder
            .publish_for(&rs(), EventType::Normal, "R", "m")
            .await
            .unwrap();
        assert_eq!(*fake.creates.lock().unwrap(), 2);
        let events = fake.events.lock().unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events.values().next().unwrap().count, Some(1));
    }

    #[tokio::test]
    async fn cluster_scoped_objects_get_events_in_default() {
        let fake = Arc::new(Fake::default());
        let recorder = Recorder::new(Arc::clone(&fake), Reporter::new("node-controller"));
        let mut node = Node::default();
        node.metadata.name = Some("n1".into());
        recorder
            .publish_for(&node, EventType::Normal, "NodeNotReady", "n1 is not ready")
            .await
            .unwrap();
        recorder
            .publish_for(&node, EventType::Normal, "NodeReady", "n1 is ready")
            .await
            .unwrap();
        let events = fake.events.lock().unwrap();
        assert!(events.keys().all(|(ns, _)| ns == "default"));
        assert_eq!(events.len(), 2, "distinct names even within one nanosecond");
    }
}
