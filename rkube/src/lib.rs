//! The rkube binary's library: command-line flags ([`cli`]), starting and
//! stopping the control plane ([`server`]), and the small HTTPS probe used to
//! wait for readiness ([`probe`]). `main.rs` only parses flags, sets up logs
//! and signals, and calls [`run`].
#![warn(missing_docs)]

pub mod cli;
pub mod controller_manager;
pub mod duration;
pub mod probe;
pub mod server;

use cli::{Cli, Command};
use server::Role;

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
pub struct ShutdownSignal {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    /// Installs the handlers now, so a signal that arrives during start-up
    /// is not lost (it shuts down right after start-up).
    pub fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(ShutdownSignal {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// Waits for the first signal and returns its name.
    pub async fn wait(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}

/// Runs a subcommand until a shutdown signal.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut signal = ShutdownSignal::install()?;
    let (args, role) = match cli.command {
        Command::Up(args) => (args, Role::Up),
        Command::Apiserver(args) => (args, Role::ApiServer),
        Command::ControllerManager(cm) => {
            let shutdown = async move {
                let name = signal.wait().await;
                tracing::info!(signal = name, "shutting down");
            };
            controller_manager::run(&cm.kubeconfig, &cm.controllers, shutdown).await?;
            tracing::info!("stopped");
            return Ok(());
        }
    };
    let running = tokio::select! {
        started = server::start(&args, role) => started?,
        name = signal.wait() => {
            tracing::info!(signal = name, "interrupted during start-up");
            return Ok(());
        }
    };
    let what = match role {
        Role::Up => "rkube",
        Role::ApiServer => "rkube apiserver",
    };
    println!(
        "{what} is up: export KUBECONFIG={}",
        running.kubeconfig.display()
    );
    let name = signal.wait().await;
    tracing::info!(signal = name, "shutting down");
    running.shutdown().await?;
    tracing::info!("stopped");
    Ok(())
}
