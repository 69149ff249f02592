//! Running the controller manager: as `rkube controller-manager` against any
//! API server named by a kubeconfig, or in-process inside `rkube up` with its
//! own identity (as k3s does). Either way it talks to the API server only
//! through our client crate.

use std::path::Path;
use std::time::Duration;

use controllers::manager::{ControllerManagerConfig, run_controller_manager};
use controllers::nodelifecycle::NodeLifecycleConfig;
use rkube_client::{Client, Config, KubeConfigOptions, Kubeconfig};
use rkube_runtime::leader::LeaderElectionConfig;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::cli::ControllerFlags;

/// Why the controller manager could not start.
#[derive(Debug, thiserror::Error)]
pub enum ControllerManagerError {
    /// The kubeconfig could not be read or used.
    #[error("kubeconfig {path}: {message}")]
    Kubeconfig {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// Bad flag combination.
    #[error("{0}")]
    Flags(String),
    /// The controllers stopped with an error.
    #[error("controller manager: {0}")]
    Run(String),
}

/// The controller manager configuration the flags describe.
pub fn config_from_flags(flags: &ControllerFlags) -> ControllerManagerConfig {
    ControllerManagerConfig {
        leader_election: flags.leader_elect.then(|| LeaderElectionConfig {
            lease_duration: flags.leader_elect_lease_duration,
            renew_deadline: flags.leader_elect_renew_deadline,
            retry_period: flags.leader_elect_retry_period,
            ..LeaderElectionConfig::default()
        }),
        identity: flags.identity.clone(),
        node_lifecycle: NodeLifecycleConfig {
            grace_period: jiff::SignedDuration::try_from(flags.node_monitor_grace_period)
                .unwrap_or(jiff::SignedDuration::from_secs(50)),
            default_toleration_seconds: flags.default_unreachable_toleration_seconds,
        },
        ..ControllerManagerConfig::default()
    }
}

/// A client for the API server named in `kubeconfig`.
pub fn client_from_kubeconfig(kubeconfig: &Path) -> Result<Client, ControllerManagerError> {
    let err = |message: String| ControllerManagerError::Kubeconfig {
        path: kubeconfig.display().to_string(),
        message,
    };
    let kc = Kubeconfig::read_from(kubeconfig).map_err(|e| err(e.to_string()))?;
    let config = Config::from_custom_kubeconfig(&kc, &KubeConfigOptions::default())
        .map_err(|e| err(e.to_string()))?;
    Client::try_from_config(config).map_err(|e| err(e.to_string()))
}

/// An in-process controller manager, stopped by [`InProcess::shutdown`].
pub struct InProcess {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl InProcess {
    /// Start the controllers with the identity of `kubeconfig`.
    pub fn start(
        kubeconfig: &Path,
        flags: &ControllerFlags,
    ) -> Result<Self, ControllerManagerError> {
        flags.validate().map_err(ControllerManagerError::Flags)?;
        let client = client_from_kubeconfig(kubeconfig)?;
        let config = config_from_flags(flags);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = run_controller_manager(client, config, shutdown).await {
                tracing::error!(error = %e, "controller manager stopped");
            }
        });
        Ok(Self {
            stop: Some(stop),
            task,
        })
    }

    /// Stop the controllers (in-flight reconciles finish, the leader Lease is
    /// released) and wait for them, at most `grace`.
    pub async fn shutdown(mut self, grace: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            tracing::warn!("controller manager did not stop in time");
            self.task.abort();
        }
    }
}

/// `rkube controller-manager`: run until `shutdown`.
pub async fn run(
    kubeconfig: &Path,
    flags: &ControllerFlags,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ControllerManagerError> {
    flags.validate().map_err(ControllerManagerError::Flags)?;
    let client = client_from_kubeconfig(kubeconfig)?;
    run_controller_manager(client, config_from_flags(flags), shutdown)
        .await
        .map_err(|e| ControllerManagerError::Run(e.to_string()))
}
