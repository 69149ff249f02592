//! Controller runtime for rkube: the machinery between the typed client
//! ([`rkube_client`]) and the controllers.
//!
//! Where to start:
//!
//! - Writing a controller? Read [`controller`]: `Controller::new(api, config).owns(...)
//!   .run(reconcile, error_policy, ctx)`. A reconcile is `async fn(Arc<K>, Arc<Ctx>) ->
//!   Result<Action, E>`, level-triggered and idempotent: it reads the world (the caches via
//!   [`Controller::store`](controller::Controller::store) and
//!   [`store_for`](controller::Controller::store_for)) and never trusts the event.
//! - Caches and indexes: [`reflector`] (a [`Store`] fed by a [`watcher`],
//!   with indexes by namespace, label, controller owner uid, pod node name...).
//! - The raw event stream with resume, relist on 410 and backoff: [`watcher`].
//! - The de-duplicating, rate-limited work queue: [`queue`].
//! - Several replicas, one active: [`leader`] election on a Lease.
//! - `kubectl describe` events: [`events`]; clean-up before deletion: [`finalizer`].
//! - Several controllers watching one kind: share an [`informer::Informer`].
//! - Tests: [`fake::FakeApi`] is an in-memory list/watch server for one kind;
//!   [`wait::await_condition`] waits for an object to reach a condition.
//!
//! Objects are typed `k8s_openapi` kinds (see [`Object`]); objects are named by the
//! kind-typed [`ObjectRef<K>`].
#![warn(missing_docs)]

pub mod backoff;
pub mod controller;
pub mod events;
pub mod fake;
pub mod finalizer;
pub mod informer;
pub mod leader;
mod object_ref;
pub mod queue;
pub mod reflector;
pub mod wait;
pub mod watcher;

pub use controller::{Action, Controller};
pub use object_ref::{Object, ObjectRef};
pub use reflector::Store;
