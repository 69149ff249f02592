//! The garbage collector: deletes objects whose owners are gone and carries out the three
//! propagation policies (Kubernetes' `pkg/controller/garbagecollector`).
//!
//! [`graph`] is the ownerReference graph over every object of the watched kinds (uid →
//! owners and dependents); [`decide`] says, per object, what to do: delete dependents of
//! vanished owners (Background), delete dependents and then drop the `foregroundDeletion`
//! finalizer once no dependent blocks (Foreground), strip ownerReferences and then drop the
//! `orphan` finalizer (Orphan). [`caches`] holds the shared informers it reads and
//! [`controller`] runs the loop.

pub mod decide;
pub mod graph;

pub mod caches;
pub mod controller;

/// The finalizer of an owner waiting for its dependents (Foreground).
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
/// The finalizer of an owner waiting for its dependents to be released (Orphan).
pub const ORPHAN_FINALIZER: &str = "orphan";
