//! The node lifecycle controller: a node whose Lease (and status) stops being renewed goes
//! `Ready=Unknown` after a grace period, gets the `node.kubernetes.io/unreachable` taints, and its
//! pods are evicted once their toleration runs out; a node that comes back loses the taints
//! (Kubernetes' `pkg/controller/nodelifecycle` and its taint-eviction manager).
//!
//! [`health`] decides the conditions, [`taints`] the controller's taints, [`eviction`] when each
//! pod goes; [`controller`] wires them.

pub mod eviction;
pub mod health;
pub mod taints;

pub mod controller;

use k8s_openapi::jiff::SignedDuration;

/// Tuning of the node lifecycle controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLifecycleConfig {
    /// How long without a heartbeat before a node is `Ready=Unknown` (Kubernetes 1.32: 50 s).
    pub grace_period: SignedDuration,
    /// Toleration for the not-ready/unreachable taints given to pods that declare none (what the
    /// DefaultTolerationSeconds admission plugin adds: 300 s).
    pub default_toleration_seconds: i64,
}

impl Default for NodeLifecycleConfig {
    fn default() -> Self {
        Self {
            grace_period: SignedDuration::from_secs(50),
            default_toleration_seconds: 300,
        }
    }
}
