//! Whole-system tests and benchmarks for rkube.
//!
//! The harness runs the built `rkube` binary as a child process, with its own
//! temporary data directory and a free loopback port, and drives it with the
//! stock `kubectl` (`/usr/bin/kubectl`), each cluster with its own
//! `KUBECONFIG`, `KUBECACHEDIR` and `HOME`, so runs never share discovery
//! caches or touch the user's configuration.
//!
//! ```no_run
//! let cluster = e2e::Cluster::start(e2e::ClusterOptions::default()).unwrap();
//! let out = cluster.kubectl_ok(&["get", "namespaces"]);
//! assert!(out.contains("kube-system"));
//! ```
//!
//! `cargo test --workspace` builds the binary before running tests; with
//! `cargo test -p e2e` alone, build it first (`cargo build -p rkube`) or point
//! `RKUBE_BIN` at it.
#![warn(missing_docs)]

pub mod bench_pod;
pub mod node_sim;
pub mod procfs;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Where the stock kubectl is expected.
pub const KUBECTL: &str = "/usr/bin/kubectl";

/// How long a cluster may take to write its kubeconfig.
pub const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a cluster may take to exit after SIGTERM.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one kubectl invocation may take.
pub const KUBECTL_TIMEOUT: Duration = Duration::from_secs(60);

/// Errors of the harness.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The rkube binary was not found.
    #[error(
        "rkube binary not found (looked at {0:?}); build it with `cargo build -p rkube` or set RKUBE_BIN"
    )]
    NoBinary(Vec<PathBuf>),
    /// A process or file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// rkube exited before it was ready.
    #[error("rkube exited with {status} before it was ready; log:\n{log}")]
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// Its output.
        log: String,
    },
    /// rkube did not become ready in time.
    #[error("rkube did not write its kubeconfig within {0:?}; log:\n{1}")]
    Timeout(Duration, String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> HarnessError {
    let what = what.into();
    move |source| HarnessError::Io { what, source }
}

/// Which store the cluster uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StoreBackend {
    /// The embedded store (default).
    #[default]
    Embedded,
    /// etcd at these endpoints.
    Etcd(Vec<String>),
}

/// How to start a cluster.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// `up` (default) or `apiserver`.
    pub subcommand: &'static str,
    /// The store.
    pub store: StoreBackend,
    /// More flags for rkube.
    pub extra_args: Vec<String>,
    /// `RUST_LOG` for rkube (default `info`).
    pub rust_log: String,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            subcommand: "up",
            store: StoreBackend::Embedded,
            extra_args: Vec::new(),
            rust_log: "info".to_string(),
        }
    }
}

impl ClusterOptions {
    /// The etcd store at the endpoints in `RKUBE_TEST_ETCD_ENDPOINTS`
    /// (`scripts/test` starts one), under a key prefix of its own so that
    /// clusters sharing the etcd don't see each other; `None` when the
    /// variable is unset.
    pub fn etcd_from_env() -> Option<ClusterOptions> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let endpoints = std::env::var("RKUBE_TEST_ETCD_ENDPOINTS").ok()?;
        let endpoints: Vec<String> = endpoints
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if endpoints.is_empty() {
            return None;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let prefix = format!(
            "/rkube-e2e/{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        Some(ClusterOptions {
            store: StoreBackend::Etcd(endpoints),
            extra_args: vec!["--etcd-prefix".to_string(), prefix],
            ..ClusterOptions::default()
        })
    }
}

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a new, empty directory under the system's temp dir.
    pub fn new(prefix: &str) -> Result<TempDir, HarnessError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).map_err(io(format!("create {}", path.display())))?;
        Ok(TempDir(path))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("bind a free port"))?;
    Ok(listener
        .local_addr()
        .map_err(io("read the free port"))?
        .port())
}

/// The built `rkube` binary: `RKUBE_BIN`, else next to the running
/// executable (`target/<profile>/deps/<test>` → `target/<profile>/rkube`;
/// `target/<profile>/bench` → `target/<profile>/rkube`).
pub fn rkube_binary() -> Result<PathBuf, HarnessError> {
    if let Ok(bin) = std::env::var("RKUBE_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe().map_err(io("find the current executable"))?;
    let mut candidates = Vec::new();
    let mut dir = exe.parent();
    for _ in 0..2 {
        if let Some(d) = dir {
            candidates.push(d.join("rkube"));
            dir = d.parent();
        }
    }
    let found = candidates
        .iter()
        .find(|c| c.is_file())
        .cloned()
        .ok_or(HarnessError::NoBinary(candidates))?;
    warn_if_stale(&found);
    Ok(found)
}

/// Warns (once) when the binary is older than the server crates' sources,
/// as after `cargo test -p e2e` without `cargo build -p rkube`.
fn warn_if_stale(binary: &Path) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        let Ok(built) = std::fs::metadata(binary).and_then(|m| m.modified()) else {
            return;
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let newer = ["rkube", "apiserver", "storage", "api-types"]
            .iter()
            .filter_map(|krate| newest_mtime(&root.join(krate).join("src")))
            .any(|t| t > built);
        if newer {
            eprintln!(
                "warning: {} is older than the server sources; run `cargo build -p rkube` \
                 (or `cargo test --workspace`) to test the current code",
                binary.display()
            );
        }
    });
}

fn newest_mtime(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let t = if path.is_dir() {
            newest_mtime(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(t);
    }
    newest
}

/// Sends `signal` (e.g. `TERM`, `KILL`) to a process with `kill(1)`.
fn send_signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits for `child` to exit, up to `timeout`.
fn wait_with_deadline(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running (or stopped) rkube with its own data directory. Dropping it
/// kills the process and removes the directory.
#[derive(Debug)]
pub struct Cluster {
    opts: ClusterOptions,
    binary: PathBuf,
    dir: TempDir,
    port: u16,
    child: Option<Child>,
    starts: u32,
}

impl Cluster {
    /// Starts rkube on a free port with a new data directory and waits until
    /// it has written its kubeconfig (which it does once `/readyz` answers).
    pub fn start(opts: ClusterOptions) -> Result<Cluster, HarnessError> {
        let binary = rkube_binary()?;
        let dir = TempDir::new("rkube-e2e")?;
        let port = free_port()?;
        let mut cluster = Cluster {
            opts,
            binary,
            dir,
            port,
            child: None,
            starts: 0,
        };
        cluster.launch()?;
        Ok(cluster)
    }

    /// The data directory given to rkube.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The admin kubeconfig rkube writes.
    pub fn kubeconfig(&self) -> PathBuf {
        self.data_dir().join("kubeconfig")
    }

    /// The API server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The admin's bearer token, read from the token file.
    pub fn admin_token(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.data_dir().join("tokens.csv")).ok()?;
        text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
            let mut f = l.split(',');
            let token = f.next()?;
            (f.next()? == "admin").then(|| token.to_string())
        })
    }

    /// The path of the log of the `n`th start (0-based).
    fn log_path(&self, n: u32) -> PathBuf {
        self.dir.path().join(format!("rkube-{n}.log"))
    }

    /// Everything rkube printed during its latest start.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path(self.starts.saturating_sub(1))).unwrap_or_default()
    }

    /// The rkube process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn launch(&mut self) -> Result<(), HarnessError> {
        let data = self.data_dir();
        let log_path = self.log_path(self.starts);
        self.starts += 1;
        let log = std::fs::File::create(&log_path)
            .map_err(io(format!("create {}", log_path.display())))?;
        let log2 = log.try_clone().map_err(io("clone the log file"))?;
        let mut cmd = Command::new(&self.binary);
        cmd.arg(self.opts.subcommand)
            .arg("--data-dir")
            .arg(&data)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--bind-address")
            .arg("127.0.0.1");
        if let StoreBackend::Etcd(endpoints) = &self.opts.store {
            cmd.arg("--store")
                .arg("etcd")
                .arg("--etcd-endpoints")
                .arg(endpoints.join(","));
        }
        cmd.args(&self.opts.extra_args)
            .env("RUST_LOG", &self.opts.rust_log)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        // A kubeconfig left by a killed run must not count as "ready".
        let _ = std::fs::remove_file(self.kubeconfig());
        let child = cmd
            .spawn()
            .map_err(io(format!("start {}", self.binary.display())))?;
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<(), HarnessError> {
        let kubeconfig = self.kubeconfig();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if kubeconfig.is_file() {
                return Ok(());
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(HarnessError::Exited {
                    status,
                    log: self.log(),
                });
            }
            if Instant::now() >= deadline {
                self.kill();
                return Err(HarnessError::Timeout(START_TIMEOUT, self.log()));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after [`STOP_TIMEOUT`]).
    /// Returns the exit status, or `None` if it had to be killed or was not
    /// running.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        send_signal(child.id(), "TERM");
        match wait_with_deadline(&mut child, STOP_TIMEOUT) {
            Some(status) => Some(status),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                None
            }
        }
    }

    /// Kills rkube with SIGKILL (no chance to clean up), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts rkube again on the same data directory and port (stopping it
    /// first with SIGTERM if it runs).
    pub fn restart(&mut self) -> Result<(), HarnessError> {
        self.stop();
        self.launch()
    }

    /// Starts rkube again after a [`Cluster::kill`] or [`Cluster::stop`].
    pub fn start_again(&mut self) -> Result<(), HarnessError> {
        if self.child.is_some() {
            self.stop();
        }
        self.launch()
    }

    /// A kubectl command for this cluster (own KUBECONFIG, cache and HOME).
    /// Panics with a clear message if kubectl is missing.
    pub fn kubectl_command(&self, args: &[&str]) -> Command {
        assert!(
            Path::new(KUBECTL).is_file(),
            "kubectl is required for the e2e tests but {KUBECTL} does not exist: install kubectl 1.32"
        );
        let home = self.dir.path().join("home");
        let _ = std::fs::create_dir_all(&home);
        let mut cmd = Command::new(KUBECTL);
        cmd.args(args)
            .env("KUBECONFIG", self.kubeconfig())
            .env("KUBECACHEDIR", self.dir.path().join("kubecache"))
            .env("HOME", &home)
            .env_remove("KUBERNETES_SERVICE_HOST");
        cmd
    }

    /// Runs kubectl to completion (at most [`KUBECTL_TIMEOUT`]).
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_with_stdin(args, None)
    }

    /// Runs kubectl with `stdin` as its standard input (for `-f -`).
    pub fn kubectl_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.kubectl_command(args);
        run_with_timeout(&mut cmd, stdin, KUBECTL_TIMEOUT)
            .unwrap_or_else(|e| panic!("kubectl {args:?}: {e}"))
    }

    /// Runs kubectl and returns its stdout; panics (showing stderr and the
    /// rkube log) if it fails.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        self.expect_ok(args, self.kubectl(args))
    }

    /// As [`Cluster::kubectl_ok`] with standard input.
    pub fn kubectl_stdin_ok(&self, args: &[&str], stdin: &str) -> String {
        self.expect_ok(args, self.kubectl_with_stdin(args, Some(stdin)))
    }

    /// Runs kubectl, expects it to fail, and returns its stderr.
    pub fn kubectl_err(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.kubectl_with_stdin(args, stdin);
        assert!(
            !out.status.success(),
            "kubectl {args:?} unexpectedly succeeded:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn expect_ok(&self, args: &[&str], out: Output) -> String {
        if !out.status.success() {
            panic!(
                "kubectl {args:?} failed ({}):\nstdout:\n{}\nstderr:\n{}\nrkube log (tail):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                tail(&self.log(), 40)
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts a long-running kubectl (e.g. `get -w`) whose output lines can
    /// be awaited; killed on drop.
    pub fn kubectl_stream(&self, args: &[&str]) -> KubectlStream {
        let mut cmd = self.kubectl_command(args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("start kubectl {args:?}: {e}"));
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let stderr = child.stderr.take().map(|mut err| {
            std::thread::spawn(move || {
                let mut s = String::new();
                let _ = err.read_to_string(&mut s);
                s
            })
        });
        KubectlStream {
            child,
            lines: rx,
            seen: Vec::new(),
            stderr,
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs `cmd` with optional stdin, capturing output, killing it after `timeout`.
pub fn run_with_timeout(
    cmd: &mut Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<Output, HarnessError> {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(io("spawn"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let input = input.to_string();
        std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
    }
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = match wait_with_deadline(&mut child, timeout) {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(HarnessError::Io {
                what: format!("timed out after {timeout:?}"),
                source: std::io::Error::from(std::io::ErrorKind::TimedOut),
            });
        }
    };
    Ok(Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// A running kubectl whose stdout lines arrive as they are printed.
#[derive(Debug)]
pub struct KubectlStream {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl KubectlStream {
    /// Waits until a line satisfying `pred` arrives (lines before it are kept
    /// in [`KubectlStream::seen`]); panics after `timeout` with everything
    /// seen so far.
    pub fn wait_for_line(&mut self, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    let stderr = self
                        .stderr
                        .take()
                        .and_then(|h| h.join().ok())
                        .unwrap_or_default();
                    panic!(
                        "no matching line within {timeout:?}; seen:\n{}\nstderr:\n{stderr}",
                        self.seen.join("\n")
                    );
                }
            }
        }
    }

    /// Every line received so far.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }
}

impl Drop for KubectlStream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The repository's `manifests/` directory.
pub fn manifests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("manifests")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_dirs_are_distinct_and_removed() {
        let a = TempDir::new("e2e-unit").unwrap();
        let b = TempDir::new("e2e-unit").unwrap();
        assert_ne!(a.path(), b.path());
        let path = a.path().to_path_buf();
        drop(a);
        assert!(!path.exists());
    }

    #[test]
    fn run_with_timeout_captures_and_bounds() {
        let out = run_with_timeout(
            Command::new("sh").args(["-c", "cat; echo err >&2; exit 3"]),
            Some("hello"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"hello");
        assert_eq!(out.stderr, b"err\n");
        let err = run_with_timeout(
            Command::new("sleep").arg("30"),
            None,
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(err.to_string().contains("timed out"), "{err}");
    }

    #[test]
    fn manifests_are_there() {
        assert!(manifests_dir().join("guestbook.yaml").is_file());
    }
}
