//! The rkube API server: a registry-driven axum [`Router`] serving
//! Kubernetes-compatible REST and watch streams.
//!
//! Start with [`AppState::new`] (a [`Store`], the kind [`Registry`], an
//! [`ApiServerConfig`]) and [`router`]. The router is a plain axum `Router`, so
//! tests drive it with `tower::ServiceExt::oneshot` without sockets; the
//! `rkube` binary wraps it with TLS ([`tls`]), bearer-token authentication
//! ([`auth`]) and request metrics ([`metrics`]).
//!
//! There is no handler per kind: [`rest`] parses a path into a
//! [`ResourceDef`](api_types::registry::ResourceDef) and runs the generic
//! read, write and watch logic with that kind's hooks.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use api_types::registry::{Registry, ResourceDef};
use axum::Router;
use storage::Store;

pub mod admission;
pub mod alloc;
pub mod auth;
pub mod discovery;
pub mod error;
pub mod filter;
pub mod keys;
pub mod metrics;
pub mod namespaces;
pub mod object;
pub mod openapi;
pub mod params;
pub mod rest;
pub mod table;
pub mod tls;
pub mod watch_cache;

pub use error::{ApiError, ApiResult};

use watch_cache::WatchCache;

/// Settings of the API server.
#[derive(Clone, Debug)]
pub struct ApiServerConfig {
    /// Service cluster IP range (IPv4 CIDR).
    pub service_cidr: String,
    /// NodePort range, inclusive.
    pub node_port_range: (u16, u16),
    /// Largest accepted request body.
    pub max_request_bytes: usize,
    /// Events each watch cache keeps for resuming watchers.
    pub watch_cache_events: usize,
    /// Events a watcher may fall behind before it is closed.
    pub watcher_queue: usize,
    /// Interval between bookmarks on watches that asked for them.
    pub bookmark_interval: Duration,
    /// Default watch duration when the client sets no `timeoutSeconds`
    /// (randomised between 1x and 2x, as kube-apiserver does).
    pub min_request_timeout: Duration,
    /// Where clients reach this API server (IP and port), published as the
    /// Endpoints of the `default/kubernetes` Service. `None` creates the
    /// Service without Endpoints.
    pub advertise: Option<std::net::SocketAddr>,
    /// How many times a write without a resourceVersion precondition is
    /// retried on conflict (each conflict means another writer made progress).
    pub patch_retries: usize,
}

impl Default for ApiServerConfig {
    fn default() -> Self {
        Self {
            service_cidr: "10.96.0.0/12".into(),
            node_port_range: (30000, 32767),
            max_request_bytes: 3 * 1024 * 1024,
            watch_cache_events: 1024,
            watcher_queue: 1024,
            bookmark_interval: Duration::from_secs(30),
            min_request_timeout: Duration::from_secs(1800),
            patch_retries: 1000,
            advertise: None,
        }
    }
}

/// Errors starting the API server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed during bootstrap.
    #[error("store: {0}")]
    Store(#[from] storage::StoreError),
    /// Bad configuration.
    #[error("configuration: {0}")]
    Config(String),
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) registry: Registry,
    pub(crate) config: ApiServerConfig,
    pub(crate) metrics: metrics::Metrics,
    pub(crate) caches: HashMap<(String, String), Arc<WatchCache>>,
    pub(crate) allocator: alloc::Allocator,
    pub(crate) openapi: openapi::OpenApiCache,
    pub(crate) namespaces: Option<Arc<namespaces::NamespaceLifecycle>>,
}

/// Shared state of the API server (cheap to clone).
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

impl AppState {
    /// Build the state: start one watch cache per kind and make sure the
    /// system namespaces (`default`, `kube-system`, `kube-public`,
    /// `kube-node-lease`) exist.
    pub async fn new(
        store: Arc<dyn Store>,
        registry: Registry,
        config: ApiServerConfig,
        metrics: metrics::Metrics,
    ) -> Result<Self, Error> {
        let allocator = alloc::Allocator::new(&config.service_cidr, config.node_port_range)
            .map_err(Error::Config)?;
        let start = store.current_revision().await?;
        let mut caches = HashMap::new();
        for def in registry.all() {
            caches.insert(
                (def.group.clone(), def.plural.clone()),
                WatchCache::start(
                    def.clone(),
                    store.clone(),
                    start,
                    config.watch_cache_events,
                    config.watcher_queue,
                ),
            );
        }
        let openapi = openapi::OpenApiCache::new(&registry);
        let namespaces = registry.get("", "v1", "namespaces").and_then(|def| {
            let cache = caches.get(&(def.group.clone(), def.plural.clone()))?;
            Some(namespaces::NamespaceLifecycle::start(
                def.clone(),
                store.clone(),
                cache.clone(),
            ))
        });
        let state = Self(Arc::new(Inner {
            store,
            registry,
            config,
            metrics,
            caches,
            allocator,
            openapi,
            namespaces,
        }));
        admission::bootstrap_namespaces(&state).await?;
        admission::bootstrap_kubernetes_service(&state).await?;
        Ok(state)
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.0.store
    }

    /// The kind registry.
    pub fn registry(&self) -> &Registry {
        &self.0.registry
    }

    /// The configuration.
    pub fn config(&self) -> &ApiServerConfig {
        &self.0.config
    }

    /// Request metrics.
    pub fn metrics(&self) -> &metrics::Metrics {
        &self.0.metrics
    }

    pub(crate) fn cache(&self, def: &ResourceDef) -> Option<&Arc<WatchCache>> {
        self.0.caches.get(&(def.group.clone(), def.plural.clone()))
    }
}

/// The API server's routes: health, version, metrics, discovery, OpenAPI and
/// every registered kind.
pub fn router(state: AppState) -> Router {
    use axum::routing::{any, get};
    Router::new()
        .route("/healthz", get(discovery::healthz))
        .route("/livez", get(discovery::healthz))
        .route("/readyz", get(discovery::readyz))
        .route("/healthz/{*rest}", get(discovery::healthz))
        .route("/livez/{*rest}", get(discovery::healthz))
        .route("/readyz/{*rest}", get(discovery::healthz))
        .route("/version", get(discovery::version))
        .route("/metrics", get(discovery::metrics))
        .route("/api", get(discovery::api_versions))
        .route("/apis", get(discovery::api_groups))
        .route("/openapi/v3", get(openapi::index))
        .route("/openapi/v3/{*path}", get(openapi::document))
        .route("/api/{*rest}", any(rest::handle_core))
        .route("/apis/{*rest}", any(rest::handle_groups))
        .fallback(rest::not_found)
        .with_state(state)
}
