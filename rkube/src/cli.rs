//! Command-line interface: `rkube up`, `rkube apiserver` and their flags.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::duration::parse_duration;

/// rkube: a Kubernetes-compatible control plane in one binary.
#[derive(Debug, Parser)]
#[command(name = "rkube", version, about, long_about = None)]
pub struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the control plane: the API server and the controller manager
    /// in-process (the scheduler and node agent follow in later releases).
    /// Writes <data-dir>/kubeconfig once the API server is ready.
    Up(ServerArgs),
    /// Run the API server alone.
    Apiserver(ServerArgs),
    /// Run the controller manager against the API server named in a
    /// kubeconfig. Several may run; a Lease elects the one that acts.
    ControllerManager(ControllerManagerArgs),
}

/// Flags of `rkube controller-manager`.
#[derive(Debug, Clone, Args)]
pub struct ControllerManagerArgs {
    /// Kubeconfig with the API server's address, CA and a token.
    #[arg(long, env = "KUBECONFIG")]
    pub kubeconfig: PathBuf,

    /// Controller settings.
    #[command(flatten)]
    pub controllers: ControllerFlags,
}

/// Controller manager settings (also taken by `rkube up`).
#[derive(Debug, Clone, Args)]
pub struct ControllerFlags {
    /// Compete for the `kube-system/rkube-controller-manager` Lease and act
    /// only while holding it (`--leader-elect=false` acts at once).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub leader_elect: bool,

    /// How long a leader's Lease stays valid without renewal.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub leader_elect_lease_duration: Duration,

    /// How long the leader keeps trying to renew before it stops acting.
    #[arg(long, default_value = "8s", value_parser = parse_duration)]
    pub leader_elect_renew_deadline: Duration,

    /// How often candidates try to acquire and the leader renews.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub leader_elect_retry_period: Duration,

    /// How long a node may go without renewing its Lease before it is
    /// marked `Ready=Unknown` and tainted unreachable.
    #[arg(long, default_value = "50s", value_parser = parse_duration)]
    pub node_monitor_grace_period: Duration,

    /// How long pods without their own toleration stay on an unreachable
    /// node before they are evicted.
    #[arg(long, default_value_t = 300)]
    pub default_unreachable_toleration_seconds: i64,

    /// This manager's identity in the leader Lease (default: host name and a
    /// unique suffix).
    #[arg(long)]
    pub identity: Option<String>,
}

impl ControllerFlags {
    /// Checks combinations clap cannot express.
    pub fn validate(&self) -> Result<(), String> {
        if self.leader_elect_renew_deadline >= self.leader_elect_lease_duration {
            return Err(
                "--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration"
                    .to_string(),
            );
        }
        if self.leader_elect_retry_period.is_zero() {
            return Err("--leader-elect-retry-period must be positive".to_string());
        }
        if self.default_unreachable_toleration_seconds < 0 {
            return Err(
                "--default-unreachable-toleration-seconds must not be negative".to_string(),
            );
        }
        Ok(())
    }
}

/// Which store backend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// The embedded store under the data directory (default).
    Embedded,
    /// An etcd cluster (`--etcd-endpoints`).
    Etcd,
}

/// Flags shared by `up` and `apiserver`.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Directory for the store, certificates, tokens and the kubeconfig.
    #[arg(long)]
    pub data_dir: PathBuf,

    /// HTTPS port of the API server (0 picks a free one).
    #[arg(long, default_value_t = 6443)]
    pub port: u16,

    /// Address the API server listens on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_address: IpAddr,

    /// Store backend.
    #[arg(long, value_enum, default_value_t = StoreKind::Embedded)]
    pub store: StoreKind,

    /// etcd client URLs, comma-separated (with `--store etcd`).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub etcd_endpoints: Vec<String>,

    /// Prefix for every etcd key, so that several clusters can share one etcd.
    #[arg(long, default_value = "")]
    pub etcd_prefix: String,

    /// How often the etcd store compacts old revisions (Go-style: 5m, 30s;
    /// 0 disables compaction).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub etcd_compaction_interval: Duration,

    /// Extra subject alternative names for the serving certificate
    /// (DNS names or IP addresses), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub tls_san: Vec<String>,

    /// Controller manager settings (used by `rkube up`).
    #[command(flatten)]
    pub controllers: ControllerFlags,
}

impl ServerArgs {
    /// Checks combinations clap cannot express.
    pub fn validate(&self) -> Result<(), String> {
        match self.store {
            StoreKind::Etcd if self.etcd_endpoints.is_empty() => {
                Err("--store etcd needs --etcd-endpoints URL[,URL...]".to_string())
            }
            StoreKind::Embedded if !self.etcd_endpoints.is_empty() => {
                Err("--etcd-endpoints is only used with --store etcd".to_string())
            }
            _ => self.controllers.validate(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("rkube").chain(args.iter().copied()))
    }

    #[test]
    fn up_defaults() {
        let cli = parse(&["up", "--data-dir", "/tmp/x"]).unwrap();
        let Command::Up(args) = cli.command else {
            panic!("not up")
        };
        assert_eq!(args.port, 6443);
        assert_eq!(args.bind_address.to_string(), "127.0.0.1");
        assert_eq!(args.store, StoreKind::Embedded);
        assert_eq!(args.etcd_compaction_interval, Duration::from_secs(300));
        args.validate().unwrap();
    }

    #[test]
    fn apiserver_with_etcd() {
        let cli = parse(&[
            "apiserver",
            "--data-dir",
            "d",
            "--port",
            "0",
            "--store",
            "etcd",
            "--etcd-endpoints",
            "http://127.0.0.1:2379,http://127.0.0.1:2380",
            "--etcd-compaction-interval",
            "30s",
        ])
        .unwrap();
        let Command::Apiserver(args) = cli.command else {
            panic!("not apiserver")
        };
        assert_eq!(args.etcd_endpoints.len(), 2);
        assert_eq!(args.etcd_compaction_interval, Duration::from_secs(30));
        args.validate().unwrap();
    }

    #[test]
    fn bad_flags_are_refused_clearly() {
        let err = parse(&["up", "--data-dir", "d", "--port", "99999"]).unwrap_err();
        assert!(err.to_string().contains("--port"), "{err}");
        let err = parse(&["up", "--data-dir", "d", "--store", "redis"]).unwrap_err();
        assert!(err.to_string().contains("redis"), "{err}");
        let err =
            parse(&["up", "--data-dir", "d", "--etcd-compaction-interval", "5x"]).unwrap_err();
        assert!(err.to_string().contains("invalid duration"), "{err}");
        let err = parse(&["up", "--data-dir", "d", "--bind-address", "localhost"]).unwrap_err();
        assert!(err.to_string().contains("--bind-address"), "{err}");
        assert!(parse(&["up"]).is_err(), "--data-dir is required");

        let cli = parse(&["up", "--data-dir", "d", "--store", "etcd"]).unwrap();
        let Command::Up(args) = cli.command else {
            panic!("not up")
        };
        assert!(args.validate().unwrap_err().contains("--etcd-endpoints"));
    }
}
