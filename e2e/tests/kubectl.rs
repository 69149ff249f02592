//! Stock kubectl 1.32 against `rkube up`: the "Must show" list of issue 3.
//!
//! Each test starts its own rkube (own data directory, port, kubectl cache).
//! The binary must be built: `cargo test --workspace` does it, or run
//! `cargo build -p rkube` before `cargo test -p e2e`.

use std::time::Duration;

use e2e::{Cluster, ClusterOptions, manifests_dir};
use serde_json::Value;

const WATCH_TIMEOUT: Duration = Duration::from_secs(30);

fn cluster() -> Cluster {
    Cluster::start(ClusterOptions::default()).unwrap_or_else(|e| panic!("starting rkube: {e}"))
}

fn manifest(name: &str) -> String {
    manifests_dir().join(name).to_string_lossy().into_owned()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The whitespace-separated cells of each line of a kubectl table.
fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn row<'a>(table: &'a [Vec<String>], name: &str) -> &'a [String] {
    table
        .iter()
        .find(|r| r.first().map(String::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in {table:?}"))
}

fn resource_version(obj: &Value) -> u64 {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or_else(|| panic!("no numeric resourceVersion in {obj}"))
}

const CONFIGMAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
data:
  color: blue
";

#[test]
fn server_version_and_api_resources() {
    let c = cluster();
    let v = json(&c.kubectl_ok(&["version", "-o", "json"]));
    assert_eq!(v["serverVersion"]["major"], "1");
    assert_eq!(v["serverVersion"]["minor"], "32");

    let out = c.kubectl_ok(&["api-resources"]);
    let header = out.lines().next().unwrap_or_default();
    for col in ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"] {
        assert!(header.contains(col), "{header}");
    }
    let table = rows(&out);
    for expected in [
        "pods po v1 true Pod",
        "services svc v1 true Service",
        "namespaces ns v1 false Namespace",
        "nodes no v1 false Node",
        "endpoints ep v1 true Endpoints",
        "events ev v1 true Event",
        "deployments deploy apps/v1 true Deployment",
        "replicasets rs apps/v1 true ReplicaSet",
        "endpointslices discovery.k8s.io/v1 true EndpointSlice",
        "leases coordination.k8s.io/v1 true Lease",
    ] {
        let want: Vec<&str> = expected.split(' ').collect();
        assert!(
            table.iter().any(|r| r == &want),
            "no row {expected:?} in:\n{out}"
        );
    }
}

#[test]
fn apply_multi_document_manifest_then_get_tables() {
    let c = cluster();
    let out = c.kubectl_ok(&["apply", "-f", &manifest("guestbook.yaml")]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "namespace/guestbook created",
            "configmap/frontend-config created",
            "deployment.apps/redis created",
            "service/redis created",
            "deployment.apps/frontend created",
            "service/frontend created",
        ]
    );

    let deploys = rows(&c.kubectl_ok(&["get", "deployments", "-n", "guestbook"]));
    assert_eq!(
        deploys[0],
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    );
    // No node runs pods here, so nothing is ready or available; the
    // controllers may already have created the up-to-date ReplicaSets.
    for (name, replicas) in [("redis", 1), ("frontend", 2)] {
        let r = row(&deploys, name);
        assert_eq!(r[1], format!("0/{replicas}"), "{r:?}");
        assert!(
            ["0".to_string(), replicas.to_string()].contains(&r[2]),
            "{r:?}"
        );
        assert_eq!(r[3], "0", "{r:?}");
    }

    let wide = rows(&c.kubectl_ok(&["get", "deploy", "-n", "guestbook", "-o", "wide"]));
    assert_eq!(wide[0][5..], ["CONTAINERS", "IMAGES", "SELECTOR"]);
    assert_eq!(row(&wide, "redis")[5..7], ["redis", "redis:7.4"]);

    let services = rows(&c.kubectl_ok(&["get", "svc", "-n", "guestbook"]));
    assert_eq!(
        services[0],
        [
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE"
        ]
    );
    let redis = row(&services, "redis");
    assert_eq!(redis[1], "ClusterIP");
    assert!(redis[2].starts_with("10."), "{redis:?}");
    assert_eq!(redis[3..5], ["<none>", "6379/TCP"]);
    let frontend = row(&services, "frontend");
    assert_eq!(frontend[1], "NodePort");
    let (port, node_port) = frontend[4]
        .strip_suffix("/TCP")
        .and_then(|p| p.split_once(':'))
        .unwrap_or_else(|| panic!("{frontend:?}"));
    assert_eq!(port, "80");
    let node_port: u16 = node_port.parse().unwrap();
    assert!((30000..=32767).contains(&node_port), "{node_port}");

    let cms = rows(&c.kubectl_ok(&["get", "configmaps", "-n", "guestbook"]));
    assert_eq!(cms[0], ["NAME", "DATA", "AGE"]);
    assert_eq!(row(&cms, "frontend-config")[1], "2");

    // Applying the same manifest again changes nothing.
    let again = c.kubectl_ok(&["apply", "-f", &manifest("guestbook.yaml")]);
    assert!(again.lines().all(|l| l.ends_with(" unchanged")), "{again}");
}

#[test]
fn get_output_yaml_shows_server_fields_and_defaults() {
    let c = cluster();
    c.kubectl_ok(&["apply", "--validate=false", "-f", &manifest("nginx.yaml")]);
    let yaml = c.kubectl_ok(&["get", "deployment", "nginx", "-o", "yaml"]);
    for needle in [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "  uid: ",
        "  resourceVersion: ",
        "  creationTimestamp: ",
        "  generation: 1",
        "kubectl.kubernetes.io/last-applied-configuration",
        "  revisionHistoryLimit: 10",
        "  progressDeadlineSeconds: 600",
        "      maxSurge: 25%",
        "      maxUnavailable: 25%",
        "        imagePullPolicy: IfNotPresent",
        "      restartPolicy: Always",
        "      terminationGracePeriodSeconds: 30",
    ] {
        assert!(yaml.contains(needle), "{needle:?} missing from:\n{yaml}");
    }
    let svc = json(&c.kubectl_ok(&["get", "service", "nginx", "-o", "json"]));
    assert_eq!(svc["spec"]["type"], "ClusterIP");
    assert_eq!(svc["spec"]["ports"][0]["protocol"], "TCP");
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], "http");
    assert!(
        svc["spec"]["clusterIP"]
            .as_str()
            .is_some_and(|ip| ip.starts_with("10."))
    );
}

#[test]
fn get_watch_shows_added_modified_deleted() {
    let c = cluster();
    let mut watch = c.kubectl_stream(&["get", "configmaps", "-w", "--output-watch-events"]);
    c.kubectl_stdin_ok(&["apply", "--validate=false", "-f", "-"], CONFIGMAP);
    let added = watch.wait_for_line(WATCH_TIMEOUT, |l| l.contains("settings"));
    assert!(added.starts_with("ADDED"), "{added}");

    c.kubectl_ok(&[
        "patch",
        "configmap",
        "settings",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"size":"large"}}"#,
    ]);
    let modified = watch.wait_for_line(WATCH_TIMEOUT, |l| l.starts_with("MODIFIED"));
    assert!(modified.contains("settings"), "{modified}");

    c.kubectl_ok(&["delete", "configmap", "settings"]);
    let deleted = watch.wait_for_line(WATCH_TIMEOUT, |l| l.starts_with("DELETED"));
    assert!(deleted.contains("settings"), "{deleted}");
    // Table columns in watch events too.
    assert!(
        watch
            .seen()
            .iter()
            .any(|l| l.contains("EVENT") && l.contains("DATA")),
        "{:?}",
        watch.seen()
    );
}

#[test]
fn server_side_dry_run_persists_nothing() {
    let c = cluster();
    let out = c.kubectl_ok(&["apply", "--dry-run=server", "-f", &manifest("nginx.yaml")]);
    assert!(
        out.contains("deployment.apps/nginx created (server dry run)"),
        "{out}"
    );
    assert!(
        out.contains("service/nginx created (server dry run)"),
        "{out}"
    );
    let err = c.kubectl_err(&["get", "deployment", "nginx"], None);
    assert!(err.contains("NotFound"), "{err}");
    let err = c.kubectl_err(&["get", "service", "nginx"], None);
    assert!(err.contains("NotFound"), "{err}");
}

#[test]
fn diff_shows_what_apply_would_change() {
    let c = cluster();
    c.kubectl_ok(&["apply", "--validate=false", "-f", &manifest("nginx.yaml")]);
    let same = c.kubectl(&["diff", "-f", &manifest("nginx.yaml")]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "no differences expected:\n{}{}",
        String::from_utf8_lossy(&same.stdout),
        String::from_utf8_lossy(&same.stderr)
    );

    let text = std::fs::read_to_string(manifest("nginx.yaml")).unwrap();
    let changed = text
        .replace("replicas: 3", "replicas: 5")
        .replace("image: nginx:1.27", "image: nginx:1.28");
    let diff = c.kubectl_with_stdin(&["diff", "-f", "-"], Some(&changed));
    let stdout = String::from_utf8_lossy(&diff.stdout);
    assert_eq!(
        diff.status.code(),
        Some(1),
        "differences expected:\n{stdout}{}",
        String::from_utf8_lossy(&diff.stderr)
    );
    assert!(stdout.contains("-  replicas: 3"), "{stdout}");
    assert!(stdout.contains("+  replicas: 5"), "{stdout}");
    assert!(
        stdout.contains("+      - image: nginx:1.28")
            || stdout.contains("+        image: nginx:1.28"),
        "{stdout}"
    );
    // diff changes nothing.
    let live = json(&c.kubectl_ok(&["get", "deploy", "nginx", "-o", "json"]));
    assert_eq!(live["spec"]["replicas"], 3);
}

#[test]
fn explain_describes_nested_fields() {
    let c = cluster();
    let out = c.kubectl_ok(&["explain", "deploy.spec.template.spec.containers"]);
    assert!(out.contains("KIND:       Deployment"), "{out}");
    assert!(out.contains("VERSION:    v1"), "{out}");
    assert!(out.contains("FIELD: containers <[]Container>"), "{out}");
    assert!(out.contains("FIELDS:"), "{out}");
    for field in [
        "image\t<string>",
        "name\t<string> -required-",
        "ports\t<[]ContainerPort>",
    ] {
        assert!(out.contains(field), "{field:?} missing from:\n{out}");
    }
    let svc = c.kubectl_ok(&["explain", "service.spec.type"]);
    assert!(svc.contains("ClusterIP"), "{svc}");
}

#[test]
fn delete_removes_objects() {
    let c = cluster();
    c.kubectl_ok(&["apply", "--validate=false", "-f", &manifest("nginx.yaml")]);
    let out = c.kubectl_ok(&["delete", "-f", &manifest("nginx.yaml")]);
    assert!(out.contains("deployment.apps \"nginx\" deleted"), "{out}");
    assert!(out.contains("service \"nginx\" deleted"), "{out}");
    let err = c.kubectl_err(&["get", "deployment", "nginx"], None);
    assert!(
        err.contains("Error from server (NotFound): deployments.apps \"nginx\" not found"),
        "{err}"
    );
    let err = c.kubectl_err(&["delete", "service", "nginx"], None);
    assert!(err.contains("NotFound"), "{err}");
}

#[test]
fn stale_update_is_refused() {
    let c = cluster();
    c.kubectl_stdin_ok(&["apply", "--validate=false", "-f", "-"], CONFIGMAP);
    let old = c.kubectl_ok(&["get", "configmap", "settings", "-o", "json"]);
    let old_rv = resource_version(&json(&old));
    c.kubectl_ok(&[
        "patch",
        "configmap",
        "settings",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"color":"green"}}"#,
    ]);
    let mut stale = json(&old);
    stale["data"]["color"] = "red".into();
    let err = c.kubectl_err(
        &["replace", "--validate=false", "-f", "-"],
        Some(&stale.to_string()),
    );
    assert!(err.contains("Conflict"), "{err}");
    assert!(
        err.contains("the object has been modified; please apply your changes to the latest version and try again"),
        "{err}"
    );
    let live = json(&c.kubectl_ok(&["get", "configmap", "settings", "-o", "json"]));
    assert_eq!(live["data"]["color"], "green");
    assert!(resource_version(&live) > old_rv);

    // With the current resourceVersion the same replace succeeds.
    let mut fresh = live.clone();
    fresh["data"]["color"] = "red".into();
    c.kubectl_stdin_ok(
        &["replace", "--validate=false", "-f", "-"],
        &fresh.to_string(),
    );
}

#[test]
fn invalid_objects_are_refused_with_field_causes() {
    let c = cluster();
    let bad_deploy = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  replicas: 1
  selector:
    matchLabels:
      app: broken
  template:
    metadata:
      labels:
        app: broken
    spec:
      containers:
        - name: main
";
    let err = c.kubectl_err(&["apply", "-f", "-"], Some(bad_deploy));
    assert!(
        err.contains("The Deployment \"broken\" is invalid"),
        "{err}"
    );
    assert!(
        err.contains("spec.template.spec.containers[0].image: Required value"),
        "{err}"
    );

    let bad_service = "apiVersion: v1
kind: Service
metadata:
  name: Bad_Name
spec:
  ports:
    - port: 70000
";
    let err = c.kubectl_err(&["create", "-f", "-"], Some(bad_service));
    assert!(err.contains("is invalid"), "{err}");
    assert!(
        err.contains("metadata.name: Invalid value: \"Bad_Name\""),
        "{err}"
    );
    assert!(
        err.contains("spec.ports[0].port: Invalid value: 70000"),
        "{err}"
    );

    let unknown_field = "apiVersion: v1
kind: ConfigMap
metadata:
  name: strict
bogusField: true
";
    let err = c.kubectl_err(&["apply", "-f", "-"], Some(unknown_field));
    assert!(err.contains("unknown field \"bogusField\""), "{err}");

    // Nothing was persisted.
    for (kind, name) in [("deployment", "broken"), ("configmap", "strict")] {
        let err = c.kubectl_err(&["get", kind, name], None);
        assert!(err.contains("NotFound"), "{err}");
    }
}

#[test]
fn bad_tokens_get_401_but_health_and_version_are_open() {
    let c = cluster();
    let err = c.kubectl_err(&["get", "pods", "--token=not-a-token"], None);
    // kubectl words it as for a real kube-apiserver: discovery's 401 comes
    // back as "the server has asked for the client to provide credentials".
    assert!(
        err.contains("error: You must be logged in to the server"),
        "{err}"
    );
    let readyz = c.kubectl_ok(&["get", "--raw", "/readyz", "--token=not-a-token"]);
    assert_eq!(readyz.trim(), "ok");
    let version = json(&c.kubectl_ok(&["get", "--raw", "/version", "--token=not-a-token"]));
    assert_eq!(version["minor"], "32");
}

#[test]
fn metrics_count_requests() {
    let c = cluster();
    c.kubectl_ok(&["get", "namespaces"]);
    let _ = c.kubectl(&["get", "pods", "--token=not-a-token"]);
    let text = c.kubectl_ok(&["get", "--raw", "/metrics"]);
    assert!(
        text.lines().any(|l| l.starts_with(
            "apiserver_request_total{verb=\"LIST\",resource=\"namespaces\",subresource=\"\",code=\"200\"}"
        )),
        "{text}"
    );
    assert!(text.contains("code=\"401\""), "{text}");
    assert!(text.contains("apiserver_request_duration_seconds_bucket{verb=\"LIST\",resource=\"namespaces\",le=\"+Inf\"}"));
    assert!(text.contains("process_resident_memory_bytes "));
    assert!(text.contains("process_start_time_seconds "));
}

#[test]
fn graceful_restart_keeps_objects_and_revisions() {
    // The API server alone: with controllers running, a Deployment's status
    // (and so its resourceVersion) legitimately changes after a restart.
    let mut c = Cluster::start(ClusterOptions {
        subcommand: "apiserver",
        ..ClusterOptions::default()
    })
    .unwrap_or_else(|e| panic!("starting rkube apiserver: {e}"));
    // Not a validation test: don't depend on OpenAPI.
    c.kubectl_ok(&[
        "apply",
        "--validate=false",
        "-f",
        &manifest("guestbook.yaml"),
    ]);
    let before =
        json(&c.kubectl_ok(&["get", "deploy", "frontend", "-n", "guestbook", "-o", "json"]));

    // A watch in progress ends when the server stops, and the server exits 0.
    let mut watch = c.kubectl_stream(&["get", "configmaps", "-A", "-w"]);
    watch.wait_for_line(WATCH_TIMEOUT, |l| l.contains("frontend-config"));
    let status = c.stop().expect("rkube did not stop within the timeout");
    assert!(status.success(), "rkube exited with {status}:\n{}", c.log());
    drop(watch);

    c.start_again().unwrap();
    let after =
        json(&c.kubectl_ok(&["get", "deploy", "frontend", "-n", "guestbook", "-o", "json"]));
    assert_eq!(after["metadata"]["uid"], before["metadata"]["uid"]);
    assert_eq!(resource_version(&after), resource_version(&before));
    let svc_before = c.kubectl_ok(&["get", "svc", "-n", "guestbook", "-o", "name"]);
    assert_eq!(svc_before.lines().count(), 2, "{svc_before}");

    // The revision sequence goes on from where it was.
    c.kubectl_stdin_ok(&["apply", "--validate=false", "-f", "-"], CONFIGMAP);
    let cm = json(&c.kubectl_ok(&["get", "configmap", "settings", "-o", "json"]));
    assert!(resource_version(&cm) > resource_version(&before));
}

#[test]
fn kill_9_keeps_acknowledged_objects() {
    let mut c = cluster();
    let many: String = (0..20)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  i: \"{i}\"\n---\n"))
        .collect();
    c.kubectl_stdin_ok(&["apply", "--validate=false", "-f", "-"], &many);
    c.kill();
    c.start_again().unwrap();
    let names = c.kubectl_ok(&["get", "configmaps", "-o", "name"]);
    for i in 0..20 {
        assert!(
            names.lines().any(|l| l == format!("configmap/cm-{i}")),
            "cm-{i} lost after kill -9:\n{names}"
        );
    }
}

/// Needs a running etcd at `RKUBE_TEST_ETCD_ENDPOINTS` (`scripts/test` starts
/// one); fails, never skips, without it.
#[test]
fn etcd_backend_serves_kubectl_and_survives_restart() {
    let opts = ClusterOptions::etcd_from_env().expect(
        "RKUBE_TEST_ETCD_ENDPOINTS is not set: run ./scripts/test (it starts etcd), \
         or start etcd and export RKUBE_TEST_ETCD_ENDPOINTS=http://127.0.0.1:PORT",
    );
    let mut c = Cluster::start(opts).unwrap_or_else(|e| panic!("starting rkube on etcd: {e}"));
    let ns = format!("etcd-e2e-{}", std::process::id());
    c.kubectl_stdin_ok(
        &["apply", "--validate=false", "-f", "-"],
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    c.kubectl_stdin_ok(
        &["apply", "--validate=false", "-n", &ns, "-f", "-"],
        &CONFIGMAP.replace("  namespace: default\n", ""),
    );
    let out = rows(&c.kubectl_ok(&["get", "configmaps", "-n", &ns]));
    assert_eq!(row(&out, "settings")[1], "1");

    let before = json(&c.kubectl_ok(&["get", "configmap", "settings", "-n", &ns, "-o", "json"]));
    let status = c.stop().expect("rkube did not stop");
    assert!(status.success(), "{status}");
    c.start_again().unwrap();
    let after = json(&c.kubectl_ok(&["get", "configmap", "settings", "-n", &ns, "-o", "json"]));
    assert_eq!(after["metadata"]["uid"], before["metadata"]["uid"]);
    assert_eq!(resource_version(&after), resource_version(&before));
}
