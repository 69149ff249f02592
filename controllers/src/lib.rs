//! rkube's controller manager: ReplicaSet, Deployment, garbage collector, endpoints, namespaces, node lifecycle.
#![warn(missing_docs)]
