//! Runs the controller manager against the cluster of a kubeconfig (`KUBECONFIG` or
//! `~/.kube/config`) until Ctrl-C or SIGTERM (releasing the leader Lease): a way to try the controllers by hand against `rkube up`
//! before the `rkube controller-manager` subcommand exists.
//!
//! `KUBECONFIG=data/kubeconfig cargo run -p controllers --example controller_manager`

use controllers::{ControllerManagerConfig, run_controller_manager};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,controllers=debug".into()),
        )
        .init();
    let client = rkube_client::Client::try_default().await?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    };
    run_controller_manager(client, ControllerManagerConfig::default(), shutdown).await?;
    Ok(())
}
