//! The rkube API server: a registry-driven axum Router serving Kubernetes-compatible REST and watches.
#![warn(missing_docs)]
