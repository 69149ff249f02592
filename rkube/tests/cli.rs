//! The `rkube` binary as a user runs it: flags, errors, start-up, HTTPS with
//! tokens, SIGTERM. (Being an integration test, this also makes
//! `cargo test --workspace` build `target/<profile>/rkube` for the e2e crate.)
// A test file: its helpers may unwrap too.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RKUBE: &str = env!("CARGO_BIN_EXE_rkube");

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!("rkube-cli-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(RKUBE)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_lists_the_subcommands() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("up"), "{text}");
    assert!(text.contains("apiserver"), "{text}");
    let out = run(&["up", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--data-dir",
        "--port",
        "--bind-address",
        "--store",
        "--etcd-endpoints",
        "--etcd-compaction-interval",
    ] {
        assert!(text.contains(flag), "{flag} missing from:\n{text}");
    }
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let out = run(&["up", "--data-dir", "/tmp/x", "--port", "99999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--port"), "{}", stderr(&out));
    let out = run(&["up", "--data-dir", "/tmp/x", "--store", "mysql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("mysql"), "{}", stderr(&out));
    let out = run(&["up"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--data-dir"), "{}", stderr(&out));
}

#[test]
fn etcd_without_endpoints_is_refused() {
    let dir = temp_dir("etcd-flags");
    let out = run(&[
        "apiserver",
        "--data-dir",
        dir.to_str().unwrap(),
        "--store",
        "etcd",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--etcd-endpoints"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unusable_data_dir_exits_1_naming_it() {
    let dir = temp_dir("bad-data-dir");
    let file = dir.join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let data = file.join("data");
    let out = run(&["up", "--data-dir", data.to_str().unwrap(), "--port", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("rkube: error: data directory"), "{err}");
    assert!(err.contains(data.to_str().unwrap()), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn busy_port_exits_1_with_a_hint() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = temp_dir("busy-port");
    let out = run(&[
        "apiserver",
        "--data-dir",
        dir.to_str().unwrap(),
        "--port",
        &port,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("in use"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A running rkube, killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(subcommand: &str, data: &Path) -> (Running, String) {
    let mut child = Command::new(RKUBE)
        .args([
            subcommand,
            "--data-dir",
            data.to_str().unwrap(),
            "--port",
            "0",
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(90))
        .expect("rkube printed nothing within 90 s");
    (running, line)
}

fn server_addr(kubeconfig: &str) -> SocketAddr {
    let url = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .unwrap()
        .trim_matches('"');
    url.strip_prefix("https://").unwrap().parse().unwrap()
}

fn sigterm(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn serves_https_with_tokens_then_stops_on_sigterm() {
    let dir = temp_dir("serve");
    let data = dir.join("data");
    let (mut running, line) = start("up", &data);
    let kubeconfig_path = data.join("kubeconfig");
    assert_eq!(
        line,
        format!(
            "rkube is up: export KUBECONFIG={}",
            kubeconfig_path.display()
        )
    );
    let kubeconfig = std::fs::read_to_string(&kubeconfig_path).unwrap();
    assert!(kubeconfig.contains("current-context: rkube"));
    assert!(data.join("controller-manager.kubeconfig").is_file());
    let addr = server_addr(&kubeconfig);
    let ca = std::fs::read_to_string(data.join("pki").join("ca.crt")).unwrap();
    let token = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .trim_matches('"')
        .to_string();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let config = Arc::new(rkube::probe::client_config(&ca).unwrap());
        let get = |path: &'static str, token: Option<String>| {
            let config = config.clone();
            async move {
                rkube::probe::get(addr, config, path, token.as_deref())
                    .await
                    .unwrap()
            }
        };
        let (status, body) = get("/readyz", None).await;
        assert_eq!(status, 200, "{body:?}");
        let (status, body) = get("/version", None).await;
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&body).contains("\"minor\":\"32\""));
        let (status, body) = get("/api/v1/namespaces", None).await;
        assert_eq!(status, 401);
        assert!(String::from_utf8_lossy(&body).contains("\"reason\":\"Unauthorized\""));
        let (status, _) = get("/api/v1/namespaces", Some("wrong".to_string())).await;
        assert_eq!(status, 401);
        let (status, body) = get("/api/v1/namespaces", Some(token.clone())).await;
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&body).contains("kube-system"));
        let (status, body) = get("/metrics", Some(token.clone())).await;
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&body).contains("apiserver_request_total"));
    });

    let pid = running.0.id();
    sigterm(pid);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = running.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "rkube did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));

    // A second start reuses the CA and the tokens.
    let ca_before = std::fs::read_to_string(data.join("pki").join("ca.crt")).unwrap();
    let (running2, line) = start("apiserver", &data);
    assert!(
        line.starts_with("rkube apiserver is up: export KUBECONFIG="),
        "{line}"
    );
    let kubeconfig2 = std::fs::read_to_string(&kubeconfig_path).unwrap();
    assert!(kubeconfig2.contains(&format!("token: \"{token}\"")));
    assert_eq!(
        std::fs::read_to_string(data.join("pki").join("ca.crt")).unwrap(),
        ca_before
    );
    drop(running2);
    std::fs::remove_dir_all(&dir).unwrap();
}
