//! A typed Kubernetes client for rkube (and any Kubernetes-compatible API server).
//!
//! Start with a [`Config`] (from a kubeconfig, in-cluster, or by hand), make a [`Client`]
//! (cheap to clone; one shared HTTP/2 connection pool), then an [`Api<K>`] per kind and
//! namespace for the typed verbs: get, list, create, replace, patch, delete, watch, and the
//! `status`/`scale` subresources. API errors come back as [`Error::Api`] with the server's
//! `Status`.
//!
//! ```no_run
//! use k8s_openapi::api::apps::v1::Deployment;
//! use rkube_client::{Api, Client, Patch, PatchParams, WatchEvent, WatchParams};
//! use futures::StreamExt;
//!
//! # async fn doc() -> Result<(), rkube_client::Error> {
//! let client = Client::try_default().await?;
//! let deploys: Api<Deployment> = Api::default_namespaced(client);
//!
//! // Scale through the scale subresource with a merge patch.
//! let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": 3}}));
//! deploys.patch_scale("web", &PatchParams::default(), &patch).await?;
//!
//! // Watch changes after a list.
//! let list = deploys.list(&Default::default()).await?;
//! let rv = list.resource_version().unwrap_or("0").to_owned();
//! let mut events = deploys.watch(&WatchParams::default(), &rv).await?;
//! while let Some(event) = events.next().await {
//!     match event? {
//!         WatchEvent::Added(d) | WatchEvent::Modified(d) => println!("{:?}", d.metadata.name),
//!         WatchEvent::Deleted(d) => println!("gone: {:?}", d.metadata.name),
//!         WatchEvent::Bookmark { resource_version } => println!("at {resource_version}"),
//!         WatchEvent::Error(status) => { println!("{status:?}"); break }
//!     }
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod api;
pub mod client;
pub mod config;
pub mod error;
pub mod params;
pub mod request;
pub mod watch;

pub use api::{Api, DeleteResponse, ObjectList};
pub use client::Client;
pub use config::{Config, ConfigError, KubeConfigOptions, Kubeconfig};
pub use error::{Error, Result};
pub use params::{
    DeleteParams, ListParams, Patch, PatchParams, PostParams, PropagationPolicy, VersionMatch,
    WatchParams,
};
pub use request::Request;
pub use watch::WatchEvent;

pub use k8s_openapi;
