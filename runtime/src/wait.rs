//! Waiting for an object to reach a condition, for tests and command-line tools.
//!
//! ```no_run
//! # async fn doc(client: rkube_client::Client) -> Result<(), rkube_runtime::wait::Error> {
//! use std::time::Duration;
//! use k8s_openapi::api::apps::v1::Deployment;
//! use rkube_client::Api;
//! use rkube_runtime::wait::{await_condition, conditions};
//!
//! let deployments: Api<Deployment> = Api::namespaced(client, "default");
//! let wait = await_condition(deployments, "web", |d: Option<&Deployment>| {
//!     d.and_then(|d| d.status.as_ref()).and_then(|s| s.ready_replicas) == Some(3)
//! });
//! tokio::time::timeout(Duration::from_secs(60), wait).await.expect("timed out")?;
//! # let _ = conditions::is_deleted::<Deployment>("uid");
//! # Ok(()) }
//! ```

use futures::StreamExt;

use crate::watcher::{self, Event, ListWatch};
use crate::{Object, ObjectRef};

/// Errors of [`await_condition`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The watch stream ended (it normally never does).
    #[error("the watch ended before the condition was met")]
    WatchEnded,
}

/// Watches the object `name` that `api` serves until `condition` holds for it (`None` while
/// the object does not exist), and returns the object as it was then. Watch errors are
/// retried; bound the wait with a timeout.
pub async fn await_condition<K, A>(
    api: A,
    name: &str,
    condition: impl Fn(Option<&K>) -> bool,
) -> Result<Option<K>, Error>
where
    K: Object,
    A: ListWatch<K>,
{
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let mut events = std::pin::pin!(watcher::watcher(api, config));
    // The object as last seen (filtering by name here too, in case the server ignores the
    // field selector).
    let mut current: Option<K>;
    let mut relist: Option<Option<K>> = None;
    while let Some(event) = events.next().await {
        let Ok(event) = event else { continue };
        let named = |obj: &K| obj.metadata().name.as_deref() == Some(name);
        match event {
            Event::Init => {
                relist = Some(None);
                continue;
            }
            Event::InitApply(obj) => {
                if named(&obj)
                    && let Some(slot) = &mut relist
                {
                    *slot = Some(obj);
                }
                continue;
            }
            Event::InitDone => current = relist.take().flatten(),
            Event::Apply(obj) if named(&obj) => current = Some(obj),
            Event::Delete(obj) if named(&obj) => current = None,
            Event::Apply(_) | Event::Delete(_) => continue,
        }
        if condition(current.as_ref()) {
            return Ok(current);
        }
    }
    Err(Error::WatchEnded)
}

/// Ready-made conditions.
pub mod conditions {
    use super::*;

    /// The object is gone, or was replaced by another of the same name (a different uid).
    pub fn is_deleted<K: Object>(uid: &str) -> impl Fn(Option<&K>) -> bool + '_ {
        move |obj| obj.is_none_or(|o| o.metadata().uid.as_deref() != Some(uid))
    }

    /// The object exists.
    pub fn exists<K: Object>(obj: Option<&K>) -> bool {
        obj.is_some()
    }

    /// The reference of an object, for messages.
    pub fn describe<K: Object>(obj: &K) -> String {
        ObjectRef::from_obj(obj).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeApi;
    use k8s_openapi::api::core::v1::ConfigMap;
    use std::time::Duration;

    fn cm(name: &str, v: &str) -> ConfigMap {
        let mut c = ConfigMap::default();
        c.metadata.name = Some(name.into());
        c.metadata.namespace = Some("ns".into());
        c.metadata.uid = Some(format!("uid-{name}-{v}"));
        c.data = Some([("v".to_string(), v.to_string())].into());
        c
    }

    fn has_v(v: &'static str) -> impl Fn(Option<&ConfigMap>) -> bool {
        move |c| c.and_then(|c| c.data.as_ref()).is_some_and(|d| d["v"] == v)
    }

    #[tokio::test(start_paused = true)]
    async fn returns_at_once_when_the_condition_already_holds() {
        let api = FakeApi::<ConfigMap>::new();
        api.apply(cm("a", "1"));
        let got = await_condition(api, "a", has_v("1")).await.unwrap();
        assert!(got.is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_a_change_of_the_named_object_only() {
        let api = FakeApi::<ConfigMap>::new();
        api.apply(cm("a", "1"));
        let waiter = tokio::spawn(await_condition(api.clone(), "a", has_v("2")));
        tokio::time::sleep(Duration::from_secs(1)).await;
        api.apply(cm("b", "2"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished());
        api.apply(cm("a", "2"));
        let got = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.unwrap().unwrap().metadata.name.as_deref(), Some("a"));
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_deletion() {
        let api = FakeApi::<ConfigMap>::new();
        api.apply(cm("a", "1"));
        let watch_api = api.clone();
        let waiter = tokio::spawn(async move {
            await_condition(
                watch_api,
                "a",
                conditions::is_deleted::<ConfigMap>("uid-a-1"),
            )
            .await
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished());
        api.delete(Some("ns"), "a");
        let got = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert!(got.unwrap().is_none());
    }
}
