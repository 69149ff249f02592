//! rkube's controller manager: ReplicaSet, Deployment, garbage collector, endpoints, namespaces, node lifecycle.
//!
//! Each controller is a module folder mirroring `kubernetes/pkg/controller`: its decision logic lives
//! in pure functions over k8s-openapi types (one file per concern, unit- and property-tested), so
//! that a reconcile is "read the caches, decide, write the decisions through the client".
//!
//! Where to start: [`replicaset`] (pods for a ReplicaSet), [`deployment`] (rollouts over
//! ReplicaSets), [`gc`] (ownerReference cascades), [`endpoints`] (Endpoints and EndpointSlices for
//! Services), [`namespace`] (emptying a terminating namespace), [`nodelifecycle`] (unreachable
//! nodes and evictions). The shared helpers are [`labels`], [`ownership`] and [`pods`].
//!
//! Each controller's `controller.rs` wires its decisions to the runtime: a
//! [`Controller`](rkube_runtime::Controller) reading reflector caches, writes through a small
//! trait implemented for the API client by [`wiring::ClientWrites`] (and by fakes in tests).
//! [`manager::run_controller_manager`] starts them all under leader election.
#![warn(missing_docs)]

pub mod deployment;
pub mod endpoints;
pub mod gc;
pub mod labels;
pub mod manager;
pub mod namespace;
pub mod nodelifecycle;
pub mod ownership;
pub mod pods;
pub mod replicaset;
pub mod wiring;

#[cfg(test)]
pub(crate) mod testutil;

pub use manager::{ControllerManagerConfig, ManagerError, run_controller_manager};
