//! A typed Kubernetes client for rkube (and any Kubernetes-compatible API server).
#![warn(missing_docs)]
