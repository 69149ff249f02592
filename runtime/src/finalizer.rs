//! Finalizer handling for reconcilers: make sure clean-up runs before an object goes away.
//!
//! [`finalizer`] wraps a reconcile. For an object that is not being deleted, it first adds
//! the finalizer (and returns, since the patch triggers another reconcile), then runs
//! [`Event::Apply`]. Once the object has a `deletionTimestamp`, it runs [`Event::Cleanup`]
//! and, if that succeeds, removes the finalizer so that deletion completes.
//!
//! Both patches are JSON patches guarded by a `test` operation on `metadata.finalizers` (on
//! `metadata.resourceVersion` when the object has no finalizer list yet), so a concurrent
//! change of the list (another controller adding or removing its own finalizer) makes the
//! patch fail instead of clobbering it; the reconcile is then retried.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use k8s_openapi::api::core::v1::ConfigMap;
//! # use rkube_client::Api;
//! # use rkube_runtime::controller::Action;
//! use rkube_runtime::finalizer::{finalizer, Event};
//!
//! # #[derive(Debug, thiserror::Error)] #[error("e")] struct MyError;
//! async fn reconcile(cm: Arc<ConfigMap>, api: Arc<Api<ConfigMap>>) -> Result<Action, rkube_runtime::finalizer::Error<MyError>> {
//!     finalizer(&*api, "example.com/cleanup", cm, |event| async move {
//!         match event {
//!             Event::Apply(cm) => { /* create what cm needs */ Ok(Action::await_change()) }
//!             Event::Cleanup(cm) => { /* delete what was created */ Ok(Action::await_change()) }
//!         }
//!     })
//!     .await
//! }
//! ```

use std::future::Future;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use rkube_client::{Api, Patch, PatchParams};
use serde_json::json;

use crate::Object;
use crate::controller::Action;

/// What the wrapped reconcile is asked to do.
#[derive(Debug)]
pub enum Event<K> {
    /// The object is live (and carries our finalizer): make the world match it. Must be
    /// idempotent.
    Apply(Arc<K>),
    /// The object is being deleted: remove what was made for it. Must be idempotent and
    /// tolerate `Apply` never having run.
    Cleanup(Arc<K>),
}

/// Errors of [`finalizer`]; `E` is the wrapped reconcile's error.
#[derive(Debug, thiserror::Error)]
pub enum Error<E: std::error::Error + 'static> {
    /// The `Apply` reconcile failed.
    #[error("apply failed: {0}")]
    ApplyFailed(#[source] E),
    /// The `Cleanup` reconcile failed; the finalizer stays.
    #[error("cleanup failed: {0}")]
    CleanupFailed(#[source] E),
    /// Adding the finalizer failed (possibly a concurrent change of the finalizers: retry).
    #[error("adding the finalizer failed: {0}")]
    AddFinalizer(#[source] rkube_client::Error),
    /// Removing the finalizer failed (possibly a concurrent change of the finalizers: retry).
    #[error("removing the finalizer failed: {0}")]
    RemoveFinalizer(#[source] rkube_client::Error),
    /// The object has no name.
    #[error("the object has no name")]
    UnnamedObject,
}

/// The JSON patch call the finalizer helper makes. Implemented for [`Api<K>`] (the namespace
/// comes from the object, whatever the `Api`'s own); tests use a fake.
pub trait PatchJson<K>: Send + Sync {
    /// Applies the JSON patch `patch` to the object `name` in `namespace`.
    fn patch_json<'a>(
        &'a self,
        namespace: Option<&'a str>,
        name: &'a str,
        patch: json_patch::Patch,
    ) -> BoxFuture<'a, rkube_client::Result<K>>;
}

impl<K: Object> PatchJson<K> for Api<K> {
    fn patch_json<'a>(
        &'a self,
        namespace: Option<&'a str>,
        name: &'a str,
        patch: json_patch::Patch,
    ) -> BoxFuture<'a, rkube_client::Result<K>> {
        async move {
            let api = Api::<K>::new(self.client().clone(), namespace);
            api.patch(name, &PatchParams::default(), &Patch::<()>::Json(patch))
                .await
        }
        .boxed()
    }
}

/// Runs `reconcile` under the finalizer `finalizer_name` (see the [module docs](self)).
pub async fn finalizer<K, A, F, Fut, E>(
    api: &A,
    finalizer_name: &str,
    obj: Arc<K>,
    reconcile: F,
) -> Result<Action, Error<E>>
where
    K: Object,
    A: PatchJson<K> + ?Sized,
    F: FnOnce(Event<K>) -> Fut,
    Fut: Future<Output = Result<Action, E>>,
    E: std::error::Error + 'static,
{
    let meta = obj.metadata();
    let name = meta.name.clone().ok_or(Error::UnnamedObject)?;
    let namespace = meta.namespace.clone();
    let finalizers = meta.finalizers.clone().unwrap_or_default();
    let position = finalizers.iter().position(|f| f == finalizer_name);
    let deleting = meta.deletion_timestamp.is_some();
    match (position, deleting) {
        (Some(_), false) => reconcile(Event::Apply(obj))
            .await
            .map_err(Error::ApplyFailed),
        (Some(i), true) => {
            let action = reconcile(Event::Cleanup(obj))
                .await
                .map_err(Error::CleanupFailed)?;
            let path = format!("/metadata/finalizers/{i}");
            let patch = json_patch_of(json!([
                // Fails, rather than removing someone else's, if the list moved.
                { "op": "test", "path": path, "value": finalizer_name },
                { "op": "remove", "path": path },
            ]));
            api.patch_json(namespace.as_deref(), &name, patch)
                .await
                .map_err(Error::RemoveFinalizer)?;
            Ok(action)
        }
        (None, false) => {
            let patch = if meta.finalizers.is_none() {
                // `test` on a missing member fails on some servers (ours included), so guard
                // on the whole object's version instead: any concurrent change fails the patch.
                let mut ops = Vec::new();
                if let Some(rv) = &meta.resource_version {
                    ops.push(
                        json!({ "op": "test", "path": "/metadata/resourceVersion", "value": rv }),
                    );
                }
                ops.push(json!({ "op": "add", "path": "/metadata/finalizers", "value": [finalizer_name] }));
                json_patch_of(serde_json::Value::Array(ops))
            } else {
                json_patch_of(json!([
                    { "op": "test", "path": "/metadata/finalizers", "value": finalizers },
                    { "op": "add", "path": "/metadata/finalizers/-", "value": finalizer_name },
                ]))
            };
            api.patch_json(namespace.as_deref(), &name, patch)
                .await
                .map_err(Error::AddFinalizer)?;
            // The patch changes the object, which triggers the next reconcile.
            Ok(Action::await_change())
        }
        // Being deleted and our clean-up is done (or never started).
        (None, true) => Ok(Action::await_change()),
    }
}

fn json_patch_of(value: serde_json::Value) -> json_patch::Patch {
    // The operations above are well-formed by construction.
    serde_json::from_value(value).unwrap_or_else(|_| json_patch::Patch(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Status, Time};
    use std::sync::Mutex;

    /// Holds one object and applies JSON patches to it like the API server (a failed `test`
    /// is a 422).
    struct Fake {
        obj: Mutex<ConfigMap>,
        patches: Mutex<Vec<serde_json::Value>>,
    }

    impl PatchJson<ConfigMap> for Fake {
        fn patch_json<'a>(
            &'a self,
            namespace: Option<&'a str>,
            name: &'a str,
            patch: json_patch::Patch,
        ) -> BoxFuture<'a, rkube_client::Result<ConfigMap>> {
            assert_eq!((namespace, name), (Some("ns"), "cm"));
            self.patches
                .lock()
                .unwrap()
                .push(serde_json::to_value(&patch).unwrap());
            let mut obj = self.obj.lock().unwrap();
            let mut doc = serde_json::to_value(&*obj).unwrap();
            let r = match json_patch::patch(&mut doc, &patch.0) {
                Ok(()) => {
                    *obj = serde_json::from_value(doc).unwrap();
                    let rv: u64 = obj
                        .metadata
                        .resource_version
                        .as_deref()
                        .unwrap()
                        .parse()
                        .unwrap();
                    obj.metadata.resource_version = Some((rv + 1).to_string());
                    Ok(obj.clone())
                }
                Err(e) => Err(rkube_client::Error::Api(Box::new(Status {
                    code: Some(422),
                    message: Some(e.to_string()),
                    ..Status::default()
                }))),
            };
            futures::future::ready(r).boxed()
        }
    }

    #[derive(Debug, thiserror::Error)]
    #[error("cleanup refused")]
    struct Refused;

    const NAME: &str = "example.com/cleanup";

    fn fake(finalizers: Option<Vec<&str>>, deleting: bool) -> Fake {
        let mut cm = ConfigMap::default();
        cm.metadata.name = Some("cm".into());
        cm.metadata.namespace = Some("ns".into());
        cm.metadata.resource_version = Some("1".into());
        cm.metadata.finalizers = finalizers.map(|f| f.into_iter().map(Into::into).collect());
        if deleting {
            cm.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::UNIX_EPOCH));
        }
        Fake {
            obj: Mutex::new(cm),
            patches: Mutex::new(Vec::new()),
        }
    }

    /// Runs one reconcile on the fake's current object; returns the result and which event ran.
    async fn step(f: &Fake, fail: bool) -> (Result<Action, Error<Refused>>, Option<&'static str>) {
        let obj = Arc::new(f.obj.lock().unwrap().clone());
        let mut ran = None;
        let r = finalizer(f, NAME, obj, |event| {
            ran = Some(match event {
                Event::Apply(_) => "apply",
                Event::Cleanup(_) => "cleanup",
            });
            async move {
                if fail {
                    Err(Refused)
                } else {
                    Ok(Action::requeue(std::time::Duration::from_secs(60)))
                }
            }
        })
        .await;
        (r, ran)
    }

    fn finalizers(f: &Fake) -> Option<Vec<String>> {
        f.obj.lock().unwrap().metadata.finalizers.clone()
    }

    #[test]
    fn the_error_can_be_a_controller_reconcile_error() {
        fn reconcile_error<T: std::error::Error + Send + Sync + 'static>() {}
        reconcile_error::<Error<Refused>>();
    }

    #[tokio::test]
    async fn adds_the_finalizer_before_applying() {
        let f = fake(None, false);
        let (r, ran) = step(&f, false).await;
        assert_eq!(r.unwrap(), Action::await_change());
        assert_eq!(ran, None, "no apply before the finalizer is in place");
        assert_eq!(finalizers(&f), Some(vec![NAME.to_string()]));
        assert_eq!(f.patches.lock().unwrap()[0][0]["op"], "test");
        let (r, ran) = step(&f, false).await;
        assert_eq!(
            r.unwrap().requeue_after(),
            Some(std::time::Duration::from_secs(60))
        );
        assert_eq!(ran, Some("apply"));
    }

    #[tokio::test]
    async fn appends_to_existing_finalizers_guarded_by_a_test() {
        let f = fake(Some(vec!["other"]), false);
        step(&f, false).await.0.unwrap();
        assert_eq!(
            finalizers(&f),
            Some(vec!["other".to_string(), NAME.to_string()])
        );
    }

    #[tokio::test]
    async fn a_concurrent_change_of_the_finalizers_fails_the_add() {
        let f = fake(Some(vec!["other"]), false);
        let stale = Arc::new(f.obj.lock().unwrap().clone());
        // Someone else adds theirs after we read the object.
        f.obj.lock().unwrap().metadata.finalizers = Some(vec!["other".into(), "third".into()]);
        let r = finalizer(&f, NAME, stale, |_| async {
            Ok::<_, Refused>(Action::await_change())
        })
        .await;
        assert!(matches!(r, Err(Error::AddFinalizer(_))));
        assert_eq!(
            finalizers(&f),
            Some(vec!["other".to_string(), "third".to_string()])
        );
    }

    #[tokio::test]
    async fn a_concurrent_change_fails_the_first_add() {
        let f = fake(None, false);
        let stale = Arc::new(f.obj.lock().unwrap().clone());
        f.obj.lock().unwrap().metadata.resource_version = Some("2".into());
        let r = finalizer(&f, NAME, stale, |_| async {
            Ok::<_, Refused>(Action::await_change())
        })
        .await;
        assert!(matches!(r, Err(Error::AddFinalizer(_))));
        assert_eq!(finalizers(&f), None);
    }

    #[tokio::test]
    async fn cleans_up_then_removes_only_our_finalizer() {
        let f = fake(Some(vec!["a", NAME, "b"]), true);
        let (r, ran) = step(&f, false).await;
        assert!(r.is_ok());
        assert_eq!(ran, Some("cleanup"));
        assert_eq!(finalizers(&f), Some(vec!["a".to_string(), "b".to_string()]));
        // Nothing left to do once our finalizer is gone.
        let (r, ran) = step(&f, false).await;
        assert_eq!(r.unwrap(), Action::await_change());
        assert_eq!(ran, None);
    }

    #[tokio::test]
    async fn a_failed_cleanup_keeps_the_finalizer() {
        let f = fake(Some(vec![NAME]), true);
        let (r, _) = step(&f, true).await;
        assert!(matches!(r, Err(Error::CleanupFailed(Refused))));
        assert_eq!(finalizers(&f), Some(vec![NAME.to_string()]));
    }

    #[tokio::test]
    async fn removal_fails_if_the_list_moved() {
        let f = fake(Some(vec!["a", NAME]), true);
        let stale = Arc::new(f.obj.lock().unwrap().clone());
        // "a" is removed meanwhile: index 1 is no longer ours.
        f.obj.lock().unwrap().metadata.finalizers = Some(vec![NAME.into()]);
        let r = finalizer(&f, NAME, stale, |_| async {
            Ok::<_, Refused>(Action::await_change())
        })
        .await;
        assert!(matches!(r, Err(Error::RemoveFinalizer(_))));
        assert_eq!(finalizers(&f), Some(vec![NAME.to_string()]));
    }
}
