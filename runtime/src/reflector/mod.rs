//! An in-memory cache of one kind, fed by a [`watcher`](crate::watcher) stream.
//!
//! [`StoreBuilder`] makes a [`Writer`] and a [`Store`] reader sharing one cache, with the
//! indexes registered up front. The writer applies watcher events (a relist replaces the
//! whole content atomically, at `InitDone`); readers are cheap clones that look objects up
//! by [`ObjectRef`](crate::ObjectRef) or by index, and can wait for the first complete list.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use k8s_openapi::api::core::v1::Pod;
//! use rkube_runtime::reflector::{index, StoreBuilder};
//! use rkube_runtime::watcher::Event;
//!
//! let (store, mut writer) = StoreBuilder::<Pod>::new()
//!     .index(index::POD_NODE_NAME, index::pod_node_name)
//!     .build();
//! let mut pod = Pod::default();
//! pod.metadata.name = Some("p".into());
//! pod.metadata.namespace = Some("default".into());
//! pod.spec = Some(Default::default());
//! pod.spec.as_mut().unwrap().node_name = Some("node-1".into());
//! for event in [Event::Init, Event::InitApply(pod), Event::InitDone] {
//!     writer.apply_watcher_event(&event);
//! }
//! store.wait_until_ready().await.unwrap();
//! assert_eq!(store.by_index(index::POD_NODE_NAME, "node-1").unwrap().len(), 1);
//! # }
//! ```

pub mod index;
mod store;

pub use store::{Error, IndexFn, Store, StoreBuilder, Writer};

use futures::{Stream, StreamExt};

use crate::Object;
use crate::watcher::Event;

/// Passes a watcher stream through, applying each event to `writer` on the way, so that the
/// store is up to date with every event a consumer sees.
pub fn reflector<K, E, S>(
    mut writer: Writer<K>,
    stream: S,
) -> impl Stream<Item = Result<Event<K>, E>>
where
    K: Object,
    S: Stream<Item = Result<Event<K>, E>>,
{
    stream.map(move |event| {
        if let Ok(event) = &event {
            writer.apply_watcher_event(event);
        }
        event
    })
}
