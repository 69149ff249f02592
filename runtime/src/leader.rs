//! Leader election on a `coordination.k8s.io/v1` Lease, in the manner of client-go's
//! `leaderelection`: several replicas of a component run, exactly one acts.
//!
//! A candidate acquires the Lease when it is free (no holder) or expired, and the leader
//! renews it every retry period. Every write is a compare-and-swap: a `replace` carrying the
//! `resourceVersion` that was read, so two candidates can never both succeed. Expiry is
//! judged on the local clock from when this candidate last saw the Lease change (not from
//! the `renewTime` written by another host), so clock skew between hosts does not matter.
//!
//! A leader that cannot renew within the renew deadline stops leading (its work is
//! cancelled) before its lease can expire (deadline < duration), so two leaders never act
//! at once. On shutdown the leader releases the Lease (clears the holder) so that another
//! candidate takes over at its next retry instead of waiting for the expiry.
//!
//! Defaults follow DECISIONS.md: lease 10 s, renew deadline 8 s, retry period 2 s.
//!
//! ```no_run
//! # async fn doc(client: rkube_client::Client) -> Result<(), rkube_runtime::leader::Error> {
//! use rkube_runtime::leader::{LeaderElectionConfig, LeaderElector, LeaseLock};
//!
//! let lock = LeaseLock::new("kube-system", "rkube-controller-manager");
//! let elector = LeaderElector::new(client, lock, LeaderElectionConfig::default());
//! let shutdown = async { tokio::signal::ctrl_c().await.ok(); };
//! elector
//!     .run(shutdown, |leading| async move {
//!         // Run the controllers until `leading` is cancelled (leadership lost or shutdown),
//!         // e.g. `Controller::new(..).shutdown_on(leading.cancelled_owned()).run(..).await`.
//!         leading.cancelled().await;
//!     })
//!     .await
//! # }
//! ```

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use futures::future::FusedFuture;
use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use rand::Rng;
use rkube_client::{Api, Client, PostParams};
use tokio::sync::watch;
use tokio::time::Instant;
pub use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

/// Errors of leader election.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration cannot work (the renew deadline must be shorter than the lease, and
    /// the retry period shorter than the renew deadline).
    #[error("invalid leader election configuration: {0}")]
    InvalidConfig(&'static str),
}

/// The Lease calls leader election makes. Implemented for [`Client`] and [`Api<Lease>`] (the
/// namespace always comes from the [`LeaseLock`]); tests use a fake.
pub trait LeaseApi: Send + Sync + 'static {
    /// Reads the Lease; `Ok(None)` if it does not exist.
    fn get<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<Option<Lease>>>;
    /// Creates the Lease (fails with AlreadyExists if someone was faster).
    fn create<'a>(
        &'a self,
        namespace: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>>;
    /// Replaces the Lease; the server refuses (409 Conflict) if `lease.metadata.resourceVersion`
    /// is not the current one.
    fn replace<'a>(
        &'a self,
        namespace: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>>;
}

impl LeaseApi for Client {
    fn get<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<Option<Lease>>> {
        async move {
            Api::<Lease>::namespaced(self.clone(), namespace)
                .get_opt(name)
                .await
        }
        .boxed()
    }

    fn create<'a>(
        &'a self,
        namespace: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>> {
        async move {
            Api::<Lease>::namespaced(self.clone(), namespace)
                .create(&PostParams::default(), lease)
                .await
        }
        .boxed()
    }

    fn replace<'a>(
        &'a self,
        namespace: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>> {
        async move {
            let name = lease.metadata.name.as_deref().unwrap_or_default();
            Api::<Lease>::namespaced(self.clone(), namespace)
                .replace(name, &PostParams::default(), lease)
                .await
        }
        .boxed()
    }
}

impl LeaseApi for Api<Lease> {
    fn get<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<Option<Lease>>> {
        LeaseApi::get(self.client(), namespace, name)
    }

    fn create<'a>(
        &'a self,
        namespace: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>> {
        LeaseApi::create(self.client(), namespace, lease)
    }

    fn replace<'a>(
        &'a self,
        namespace: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>> {
        LeaseApi::replace(self.client(), namespace, lease)
    }
}

/// Which Lease to compete for, and under which name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseLock {
    /// The Lease's namespace, such as `kube-system`.
    pub namespace: String,
    /// The Lease's name, such as `rkube-controller-manager`.
    pub name: String,
    /// This candidate's `holderIdentity`: unique per process.
    pub identity: String,
}

impl LeaseLock {
    /// The Lease `namespace/name`, with [`default_identity`] as identity.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            identity: default_identity(),
        }
    }

    /// Sets the identity.
    #[must_use]
    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = identity.into();
        self
    }
}

/// The host name and a random suffix, such as `node-1_3f9a0c12`: unique per process, and
/// telling `kubectl get leases` readers which host leads.
pub fn default_identity() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "unknown-host".to_owned());
    let suffix: u32 = rand::rng().random();
    format!("{host}_{suffix:08x}")
}

/// Timing of leader election.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderElectionConfig {
    /// How long a Lease stays valid without renewal (default 10 s).
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it gives up leading (default 8 s).
    pub renew_deadline: Duration,
    /// How often candidates try to acquire, and the leader renews (default 2 s; candidates
    /// add up to 20 % jitter).
    pub retry_period: Duration,
    /// Release the Lease when shutting down (default `true`).
    pub release_on_shutdown: bool,
}

impl Default for LeaderElectionConfig {
    fn default() -> Self {
        Self {
            lease_duration: Duration::from_secs(10),
            renew_deadline: Duration::from_secs(8),
            retry_period: Duration::from_secs(2),
            release_on_shutdown: true,
        }
    }
}

impl LeaderElectionConfig {
    fn validate(&self) -> Result<(), Error> {
        if self.renew_deadline >= self.lease_duration {
            return Err(Error::InvalidConfig(
                "renew deadline must be shorter than the lease duration",
            ));
        }
        if self.retry_period.is_zero() || self.retry_period >= self.renew_deadline {
            return Err(Error::InvalidConfig(
                "retry period must be positive and shorter than the renew deadline",
            ));
        }
        if self.lease_duration.as_secs() < 1 || self.lease_duration.as_secs() > i32::MAX as u64 {
            return Err(Error::InvalidConfig("lease duration must be at least 1 s"));
        }
        Ok(())
    }
}

/// What one attempt to acquire or renew found.
#[derive(Debug, PartialEq, Eq)]
enum Attempt {
    /// We hold the Lease (acquired or renewed).
    Held,
    /// Someone else holds a valid Lease.
    HeldByOther,
    /// We lost a race (conflict) or the call failed: try again later.
    Failed,
}

/// Why leading ended.
enum Ended {
    Shutdown,
    WorkDone,
    Lost,
}

/// Competes for a Lease and runs work while leading. See the [module docs](self).
pub struct LeaderElector<A> {
    api: A,
    lock: LeaseLock,
    config: LeaderElectionConfig,
    /// The Lease spec last seen, and when (local clock) it was first seen like this.
    observed: Option<(LeaseSpec, Instant)>,
    is_leader: watch::Sender<bool>,
}

impl<A: LeaseApi> LeaderElector<A> {
    /// An elector for `lock` talking through `api`.
    pub fn new(api: A, lock: LeaseLock, config: LeaderElectionConfig) -> Self {
        Self {
            api,
            lock,
            config,
            observed: None,
            is_leader: watch::channel(false).0,
        }
    }

    /// A signal that is `true` while this candidate leads.
    pub fn subscribe(&self) -> watch::Receiver<bool> {
        self.is_leader.subscribe()
    }

    /// This candidate's identity.
    pub fn identity(&self) -> &str {
        &self.lock.identity
    }

    /// Competes for the Lease until `shutdown` completes. Each time this candidate becomes
    /// leader, it calls `on_leading(token)` and runs the returned future; `token` is cancelled
    /// when leadership is lost or on shutdown, and the future must then finish promptly.
    /// After losing leadership, the candidate competes again. Returns after `shutdown` (having
    /// released the Lease if it led), or when a leading future finishes by itself (the Lease
    /// is then released too).
    pub async fn run<S, F, Fut>(mut self, shutdown: S, mut on_leading: F) -> Result<(), Error>
    where
        S: Future<Output = ()>,
        F: FnMut(CancellationToken) -> Fut,
        Fut: Future<Output = ()>,
    {
        self.config.validate()?;
        let mut shutdown = pin!(shutdown.fuse());
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => return Ok(()),
                () = self.acquire() => {}
            }
            info!(identity = %self.lock.identity, lease = %self.lock.name, "became leader");
            self.is_leader.send_replace(true);
            let token = CancellationToken::new();
            let mut work = pin!(on_leading(token.clone()).fuse());
            let ended = {
                let renew = pin!(self.keep_renewing());
                tokio::select! {
                    biased;
                    () = &mut shutdown => Ended::Shutdown,
                    () = renew => Ended::Lost,
                    () = &mut work => Ended::WorkDone,
                }
            };
            self.is_leader.send_replace(false);
            token.cancel();
            if !work.is_terminated() {
                work.await;
            }
            match ended {
                Ended::Lost => warn!(identity = %self.lock.identity, "lost leadership"),
                Ended::Shutdown | Ended::WorkDone => {
                    if self.config.release_on_shutdown {
                        self.release().await;
                    }
                    return Ok(());
                }
            }
        }
    }

    /// Tries until the Lease is ours.
    async fn acquire(&mut self) {
        loop {
            if self.try_acquire_or_renew().await == Attempt::Held {
                return;
            }
            let jitter: f64 = rand::rng().random_range(0.0..0.2);
            tokio::time::sleep(self.config.retry_period.mul_f64(1.0 + jitter)).await;
        }
    }

    /// Renews every retry period; returns when leadership is lost: another holder took the
    /// Lease, or no renewal succeeded within the renew deadline.
    async fn keep_renewing(&mut self) {
        let mut last_renewal = Instant::now();
        loop {
            tokio::time::sleep(self.config.retry_period).await;
            let deadline = last_renewal + self.config.renew_deadline;
            let attempt = tokio::time::timeout_at(deadline, self.try_acquire_or_renew()).await;
            match attempt {
                Ok(Attempt::Held) => last_renewal = Instant::now(),
                Ok(Attempt::HeldByOther) => return,
                Ok(Attempt::Failed) | Err(_) => {
                    if Instant::now() >= deadline {
                        return;
                    }
                }
            }
        }
    }

    /// One client-go `tryAcquireOrRenew`.
    async fn try_acquire_or_renew(&mut self) -> Attempt {
        let (ns, name) = (self.lock.namespace.clone(), self.lock.name.clone());
        let (ns, name) = (ns.as_str(), name.as_str());
        let now = Instant::now();
        let wall = MicroTime(Timestamp::now());
        let duration_secs = i32::try_from(self.config.lease_duration.as_secs()).unwrap_or(i32::MAX);
        let current = match self.api.get(ns, name).await {
            Ok(current) => current,
            Err(e) => {
                debug!("reading lease {ns}/{name} failed: {e}");
                return Attempt::Failed;
            }
        };
        let Some(current) = current else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(name.to_owned()),
                    namespace: Some(ns.to_owned()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(self.lock.identity.clone()),
                    lease_duration_seconds: Some(duration_secs),
                    acquire_time: Some(wall.clone()),
                    renew_time: Some(wall),
                    lease_transitions: Some(0),
                    ..LeaseSpec::default()
                }),
            };
            return match self.api.create(ns, &lease).await {
                Ok(created) => {
                    self.observe(&created, Instant::now());
                    Attempt::Held
                }
                Err(e) => {
                    debug!("creating lease {ns}/{name} failed: {e}");
                    Attempt::Failed
                }
            };
        };

        let old = current.spec.clone().unwrap_or_default();
        self.observe(&current, now);
        let holder = old.holder_identity.as_deref().filter(|h| !h.is_empty());
        let mine = holder == Some(self.lock.identity.as_str());
        if let (Some(_), false) = (holder, mine) {
            let lease_secs = old
                .lease_duration_seconds
                .and_then(|s| u64::try_from(s).ok())
                .map_or(self.config.lease_duration, Duration::from_secs);
            let seen_at = self.observed.as_ref().map_or(now, |(_, at)| *at);
            if seen_at + lease_secs > now {
                return Attempt::HeldByOther;
            }
        }

        let mut spec = old.clone();
        spec.holder_identity = Some(self.lock.identity.clone());
        spec.lease_duration_seconds = Some(duration_secs);
        spec.renew_time = Some(wall.clone());
        if !mine {
            spec.acquire_time = Some(wall);
            spec.lease_transitions = Some(old.lease_transitions.unwrap_or(0).saturating_add(1));
        }
        let mut lease = current;
        lease.spec = Some(spec);
        // `lease.metadata.resourceVersion` is the one just read: the replace is a CAS.
        match self.api.replace(ns, &lease).await {
            Ok(updated) => {
                self.observe(&updated, Instant::now());
                Attempt::Held
            }
            Err(e) => {
                debug!("updating lease {ns}/{name} failed: {e}");
                Attempt::Failed
            }
        }
    }

    fn observe(&mut self, lease: &Lease, at: Instant) {
        let spec = lease.spec.clone().unwrap_or_default();
        match &self.observed {
            Some((seen, _)) if *seen == spec => {}
            _ => self.observed = Some((spec, at)),
        }
    }

    /// Clears the holder if it is still us, so that others need not wait for the expiry.
    async fn release(&mut self) {
        let (ns, name) = (self.lock.namespace.as_str(), self.lock.name.as_str());
        let Ok(Some(mut lease)) = self.api.get(ns, name).await else {
            return;
        };
        let Some(spec) = lease.spec.as_mut() else {
            return;
        };
        if spec.holder_identity.as_deref() != Some(self.lock.identity.as_str()) {
            return;
        }
        let wall = MicroTime(Timestamp::now());
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(wall.clone());
        spec.acquire_time = Some(wall);
        match self.api.replace(ns, &lease).await {
            Ok(_) => info!(identity = %self.lock.identity, "released leadership"),
            Err(e) => warn!("releasing lease {ns}/{name} failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests;
