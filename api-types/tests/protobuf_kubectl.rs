//! Live check against a real kubectl: a throwaway HTTP listener records the
//! protobuf bodies kubectl's typed clients POST, and each must decode to what
//! the same command prints with `--dry-run=client -o json`.
//!
//! Needs the stock `kubectl` on PATH (preinstalled on these machines, CI's
//! included); without it the test fails saying so.
//! With `PROTOBUF_FIXTURES_UPDATE=1` it also rewrites `tests/fixtures/protobuf/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use api_types::protobuf::{MEDIA_TYPE, decode};
use serde_json::{Value, json};

/// One recorded request body.
struct Recorded {
    path: String,
    content_type: String,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Recorded>>>;

fn reply(stream: &mut TcpStream, code: u16, body: &Value) -> std::io::Result<()> {
    let body = body.to_string();
    let reason = if code == 201 { "Created" } else { "Not Found" };
    write!(
        stream,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Serves one connection (kubectl keeps it alive across requests).
fn serve(stream: TcpStream, log: &Log) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let (mut length, mut content_type) = (0usize, String::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "content-type" => content_type = value.trim().to_string(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        if method == "GET" {
            reply(
                &mut writer,
                404,
                &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}),
            )?;
            continue;
        }
        // Answer like a server would: with the object it was sent.
        let object = decode(&body).unwrap_or_else(|e| json!({"error": e.to_string()}));
        log.lock().expect("log").push(Recorded {
            path,
            content_type,
            body,
        });
        reply(&mut writer, 201, &object)?;
    }
}

fn start_listener() -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let log: Log = Arc::default();
    let shared = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = shared.clone();
            std::thread::spawn(move || serve(stream, &log));
        }
    });
    (port, log)
}

fn kubeconfig(dir: &Path, port: u16) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: default\n\
         current-context: c\nusers:\n- name: u\n  user: {{}}\n"
    );
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

fn kubectl(config: &Path, args: &[&str]) -> std::process::Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(config)
        .args(args)
        .output()
        .expect("run kubectl")
}

/// (fixture name, `kubectl` arguments after `create`; `--` separates a command).
const COMMANDS: &[(&str, &[&str])] = &[
    ("namespace", &["namespace", "team"]),
    (
        "deployment",
        &[
            "deployment",
            "d",
            "--image=nginx",
            "--replicas=2",
            "--port=80",
        ],
    ),
    ("configmap", &["configmap", "c", "--from-literal=a=b"]),
    ("secret", &["secret", "generic", "s", "--from-literal=a=b"]),
    ("service", &["service", "clusterip", "s", "--tcp=80:8080"]),
    ("job", &["job", "j", "--image=busybox", "--", "echo", "hi"]),
    (
        "secret-docker-registry",
        &[
            "secret",
            "docker-registry",
            "reg",
            "--docker-server=r.io",
            "--docker-username=u",
            "--docker-password=p",
        ],
    ),
    (
        "priorityclass",
        &["priorityclass", "high", "--value=1000", "--description=x"],
    ),
    ("resourcequota", &["quota", "q", "--hard=cpu=1,pods=2"]),
    ("ingress", &["ingress", "ing", "--rule=foo.com/bar=svc:80"]),
    (
        "poddisruptionbudget",
        &[
            "poddisruptionbudget",
            "pdb",
            "--selector=app=x",
            "--min-available=50%",
        ],
    ),
    (
        "cronjob",
        &["cronjob", "cj", "--image=busybox", "--schedule=*/1 * * * *"],
    ),
    ("serviceaccount", &["serviceaccount", "sa"]),
    (
        "deployment-multi",
        &["deployment", "m", "--image=nginx", "--image=redis"],
    ),
    (
        "service-nodeport",
        &[
            "service",
            "nodeport",
            "np",
            "--tcp=80:8080",
            "--node-port=30080",
        ],
    ),
    (
        "service-externalname",
        &[
            "service",
            "externalname",
            "en",
            "--external-name=example.com",
        ],
    ),
    (
        "configmap-multi",
        &[
            "configmap",
            "c2",
            "--from-literal=a=b",
            "--from-literal=c=d",
        ],
    ),
    (
        "rolebinding",
        &["rolebinding", "rb", "--clusterrole=view", "--user=bob"],
    ),
    (
        "clusterrolebinding",
        &[
            "clusterrolebinding",
            "crb",
            "--clusterrole=view",
            "--group=devs",
        ],
    ),
];

/// Splits `create` arguments around `--` so flags go before the command.
fn with_flags<'a>(args: &[&'a str], flags: &[&'a str]) -> Vec<&'a str> {
    let split = args.iter().position(|a| *a == "--").unwrap_or(args.len());
    let mut out = vec!["create"];
    out.extend_from_slice(&args[..split]);
    out.extend_from_slice(flags);
    out.extend_from_slice(&args[split..]);
    out
}

#[test]
fn kubectl_protobuf_bodies_decode_like_dry_run_json() {
    let dir = std::env::temp_dir().join(format!("rkube-protobuf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (port, log) = start_listener();
    let config = kubeconfig(&dir, port);
    let update = std::env::var_os("PROTOBUF_FIXTURES_UPDATE").is_some();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/protobuf");

    for (name, args) in COMMANDS {
        let before = log.lock().expect("log").len();
        let out = kubectl(&config, &with_flags(args, &[]));
        let recorded = log.lock().expect("log");
        assert_eq!(
            recorded.len(),
            before + 1,
            "{name}: kubectl sent no body: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let last = &recorded[before];
        assert_eq!(last.content_type, MEDIA_TYPE, "{name}: {}", last.path);
        let got = decode(&last.body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        let dry = kubectl(
            &config,
            &with_flags(args, &["--dry-run=client", "-o", "json"]),
        );
        assert!(
            dry.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&dry.stderr)
        );
        let expected: Value = serde_json::from_slice(&dry.stdout).expect("dry-run JSON");
        assert_eq!(got, expected, "{name}");

        if update {
            std::fs::write(fixtures.join(format!("{name}.bin")), &last.body).expect("write .bin");
            std::fs::write(fixtures.join(format!("{name}.json")), &dry.stdout)
                .expect("write .json");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
