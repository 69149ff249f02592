//! Kubernetes protobuf decoding: real kubectl 1.32 bodies (captured into
//! `fixtures/protobuf/*.bin`) must decode to the JSON kubectl prints for the
//! same command with `--dry-run=client -o json` (`fixtures/protobuf/*.json`);
//! hand-encoded objects cover the special types; bad input gives clear errors
//! and never panics.

use api_types::protobuf::{ProtobufError, decode, supports};
use proptest::prelude::*;
use serde_json::{Value, json};

// ---- a tiny protobuf encoder for test vectors ----

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A message under construction.
#[derive(Default, Clone)]
struct Msg(Vec<u8>);

impl Msg {
    fn new() -> Self {
        Msg::default()
    }
    fn key(mut self, num: u32, wire: u64) -> Self {
        varint((u64::from(num) << 3) | wire, &mut self.0);
        self
    }
    fn int(self, num: u32, v: i64) -> Self {
        let mut m = self.key(num, 0);
        varint(v as u64, &mut m.0);
        m
    }
    fn bytes(self, num: u32, b: &[u8]) -> Self {
        let mut m = self.key(num, 2);
        varint(b.len() as u64, &mut m.0);
        m.0.extend_from_slice(b);
        m
    }
    fn str(self, num: u32, s: &str) -> Self {
        self.bytes(num, s.as_bytes())
    }
    fn msg(self, num: u32, inner: Msg) -> Self {
        self.bytes(num, &inner.0)
    }
    fn entry(self, num: u32, key: &str, value: Msg) -> Self {
        self.msg(num, Msg::new().str(1, key).msg(2, value))
    }
    fn str_entry(self, num: u32, key: &str, value: &str) -> Self {
        self.msg(num, Msg::new().str(1, key).str(2, value))
    }
}

fn envelope(api_version: &str, kind: &str, raw: Msg) -> Vec<u8> {
    let mut body = b"k8s\0".to_vec();
    let env = Msg::new()
        .msg(1, Msg::new().str(1, api_version).str(2, kind))
        .msg(2, raw)
        .str(3, "")
        .str(4, "");
    body.extend_from_slice(&env.0);
    body
}

fn quantity(s: &str) -> Msg {
    Msg::new().str(1, s)
}

// ---- real kubectl bodies ----

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/protobuf/");

fn fixture_bin(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{name}.bin")).expect("fixture .bin")
}

fn fixture(name: &str) -> (Vec<u8>, Value) {
    let json = std::fs::read(format!("{FIXTURES}{name}.json")).expect("fixture .json");
    (
        fixture_bin(name),
        serde_json::from_slice(&json).expect("fixture JSON"),
    )
}

fn assert_fixture(name: &str) {
    let (bin, expected) = fixture(name);
    let got = decode(&bin).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        got,
        expected,
        "{name}: decoded\n{}\nexpected\n{}",
        serde_json::to_string_pretty(&got).expect("print"),
        serde_json::to_string_pretty(&expected).expect("print")
    );
}

#[test]
fn kubectl_create_namespace() {
    assert_fixture("namespace");
}

#[test]
fn kubectl_create_deployment() {
    assert_fixture("deployment");
}

#[test]
fn kubectl_create_configmap() {
    assert_fixture("configmap");
}

#[test]
fn kubectl_create_secret_generic() {
    assert_fixture("secret");
}

#[test]
fn kubectl_create_secret_docker_registry() {
    assert_fixture("secret-docker-registry");
}

#[test]
fn kubectl_create_service_clusterip() {
    assert_fixture("service");
}

#[test]
fn kubectl_create_job_and_cronjob() {
    assert_fixture("job");
    assert_fixture("cronjob");
}

#[test]
fn kubectl_create_other_kinds() {
    for name in [
        "priorityclass",
        "resourcequota",
        "ingress",
        "poddisruptionbudget",
        "serviceaccount",
        "deployment-multi",
        "service-nodeport",
        "service-externalname",
        "configmap-multi",
        "rolebinding",
        "clusterrolebinding",
    ] {
        assert_fixture(name);
    }
}

// ---- hand-encoded objects ----

fn object_meta() -> Msg {
    Msg::new()
        .str(1, "web")
        .str(2, "")
        .str(3, "prod")
        .str(5, "1234-abcd")
        .str(6, "42")
        .int(7, 3)
        .msg(8, Msg::new().int(1, 1_700_000_000))
        .int(10, 30)
        .str_entry(11, "app", "web")
        .str_entry(12, "note", "x")
        .msg(
            13,
            Msg::new()
                .str(5, "apps/v1")
                .str(1, "ReplicaSet")
                .str(3, "web-1")
                .str(4, "uid-1")
                .int(6, 1)
                .int(7, 0),
        )
        .str(14, "a/b")
        .str(14, "c/d")
        .msg(
            17,
            Msg::new()
                .str(1, "kubectl")
                .str(2, "Apply")
                .str(3, "v1")
                .msg(4, Msg::new().int(1, 1_700_000_000))
                .str(6, "FieldsV1")
                .msg(7, Msg::new().bytes(1, br#"{"f:metadata":{}}"#)),
        )
}

#[test]
fn object_meta_all_fields() {
    let body = envelope("v1", "ConfigMap", Msg::new().msg(1, object_meta()));
    let got = decode(&body).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "web",
                "namespace": "prod",
                "uid": "1234-abcd",
                "resourceVersion": "42",
                "generation": 3,
                "creationTimestamp": "2023-11-14T22:13:20Z",
                "deletionGracePeriodSeconds": 30,
                "labels": {"app": "web"},
                "annotations": {"note": "x"},
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                    "uid": "uid-1", "controller": true, "blockOwnerDeletion": false
                }],
                "finalizers": ["a/b", "c/d"],
                "managedFields": [{
                    "manager": "kubectl", "operation": "Apply", "apiVersion": "v1",
                    "time": "2023-11-14T22:13:20Z", "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:metadata": {}}
                }]
            }
        })
    );
}

#[test]
fn pod_with_volumes_probes_env_and_resources() {
    let container = Msg::new()
        .str(1, "app")
        .str(2, "nginx:1.27")
        .str(3, "sh")
        .str(4, "-c")
        .msg(6, Msg::new().str(1, "http").int(3, 8080).str(4, "TCP"))
        .msg(7, Msg::new().str(1, "MODE").str(2, "prod"))
        .msg(
            7,
            Msg::new().str(1, "POD_NAME").msg(
                3,
                Msg::new().msg(1, Msg::new().str(1, "v1").str(2, "metadata.name")),
            ),
        )
        .msg(
            8,
            Msg::new()
                .entry(1, "cpu", quantity("500m"))
                .entry(2, "memory", quantity("64Mi")),
        )
        .msg(9, Msg::new().str(1, "data").int(2, 1).str(3, "/data"))
        .msg(
            10,
            Msg::new()
                .msg(
                    1,
                    Msg::new().msg(
                        2,
                        Msg::new()
                            .str(1, "/healthz")
                            .msg(2, Msg::new().int(1, 1).str(3, "http")),
                    ),
                )
                .int(2, 5)
                .int(4, 10),
        )
        .str(14, "IfNotPresent")
        .int(16, 0);
    let spec = Msg::new()
        .msg(
            1,
            Msg::new()
                .str(1, "data")
                .msg(2, Msg::new().msg(2, Msg::new().str(1, "Memory"))),
        )
        .msg(
            1,
            Msg::new().str(1, "cfg").msg(
                2,
                Msg::new().msg(
                    19,
                    Msg::new()
                        .msg(1, Msg::new().str(1, "settings"))
                        .int(3, 0o644),
                ),
            ),
        )
        .msg(
            1,
            Msg::new().str(1, "host").msg(
                2,
                Msg::new().msg(1, Msg::new().str(1, "/var/log").str(2, "Directory")),
            ),
        )
        .msg(
            1,
            Msg::new()
                .str(1, "tls")
                .msg(2, Msg::new().msg(6, Msg::new().str(1, "tls-secret"))),
        )
        .msg(2, container)
        .str(3, "Always")
        .int(4, 0)
        .str(6, "ClusterFirst")
        .str_entry(7, "disk", "ssd")
        .str(10, "node-1")
        .msg(
            22,
            Msg::new()
                .str(1, "node.kubernetes.io/not-ready")
                .str(2, "Exists")
                .str(4, "NoExecute")
                .int(5, 300),
        );
    let pod = Msg::new()
        .msg(1, Msg::new().str(1, "p").str(3, "default"))
        .msg(2, spec)
        .msg(3, Msg::new());
    let got = decode(&envelope("v1", "Pod", pod)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {
                "volumes": [
                    {"name": "data", "emptyDir": {"medium": "Memory"}},
                    {"name": "cfg", "configMap": {"name": "settings", "defaultMode": 420}},
                    {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
                    {"name": "tls", "secret": {"secretName": "tls-secret"}}
                ],
                "containers": [{
                    "name": "app",
                    "image": "nginx:1.27",
                    "command": ["sh"],
                    "args": ["-c"],
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "env": [
                        {"name": "MODE", "value": "prod"},
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}
                    ],
                    "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}},
                    "volumeMounts": [{"name": "data", "readOnly": true, "mountPath": "/data"}],
                    "livenessProbe": {
                        "httpGet": {"path": "/healthz", "port": "http"},
                        "initialDelaySeconds": 5,
                        "periodSeconds": 10
                    },
                    "imagePullPolicy": "IfNotPresent"
                }],
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 0,
                "dnsPolicy": "ClusterFirst",
                "nodeSelector": {"disk": "ssd"},
                "nodeName": "node-1",
                "tolerations": [{
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300
                }]
            },
            "status": {}
        })
    );
}

#[test]
fn deployment_strategy_selector_and_explicit_zero_replicas() {
    let spec = Msg::new()
        .int(1, 0)
        .msg(
            2,
            Msg::new().str_entry(1, "app", "web").msg(
                2,
                Msg::new()
                    .str(1, "tier")
                    .str(2, "In")
                    .str(3, "front")
                    .str(3, "edge"),
            ),
        )
        .msg(3, Msg::new().msg(1, Msg::new()).msg(2, Msg::new()))
        .msg(
            4,
            Msg::new().str(1, "RollingUpdate").msg(
                2,
                Msg::new()
                    .msg(1, Msg::new().int(1, 0).int(2, 1))
                    .msg(2, Msg::new().int(1, 1).str(3, "25%")),
            ),
        )
        .int(5, 0)
        .int(6, 10);
    let got = decode(&envelope(
        "apps/v1",
        "Deployment",
        Msg::new().msg(1, Msg::new().str(1, "web")).msg(2, spec),
    ))
    .unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 0,
                "selector": {
                    "matchLabels": {"app": "web"},
                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "edge"]}]
                },
                "template": {"metadata": {}, "spec": {}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
                "revisionHistoryLimit": 10
            }
        })
    );
}

#[test]
fn secret_bytes_are_base64_and_configmap_binary_data() {
    let secret = Msg::new()
        .msg(1, Msg::new().str(1, "s"))
        .msg(
            2,
            Msg::new().str(1, "password").bytes(2, &[0, 1, 0xfe, 0xff]),
        )
        .str(3, "Opaque")
        .str_entry(4, "user", "admin")
        .int(5, 1);
    let got = decode(&envelope("v1", "Secret", secret)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"password": "AAH+/w=="}, "type": "Opaque",
            "stringData": {"user": "admin"}, "immutable": true
        })
    );
    let cm = Msg::new()
        .msg(1, Msg::new().str(1, "c"))
        .str_entry(2, "a", "b")
        .msg(3, Msg::new().str(1, "bin").bytes(2, b"hi"));
    let got = decode(&envelope("v1", "ConfigMap", cm)).unwrap();
    assert_eq!(got["data"], json!({"a": "b"}));
    assert_eq!(got["binaryData"], json!({"bin": "aGk="}));
}

#[test]
fn service_ports_with_named_and_numeric_target_ports() {
    let spec = Msg::new()
        .msg(
            1,
            Msg::new()
                .str(1, "http")
                .str(2, "TCP")
                .int(3, 80)
                .msg(4, Msg::new().int(1, 1).str(3, "web")),
        )
        .msg(
            1,
            Msg::new()
                .str(1, "metrics")
                .str(2, "TCP")
                .int(3, 9090)
                .msg(4, Msg::new().int(1, 0).int(2, 9091)),
        )
        .str_entry(2, "app", "web")
        .str(3, "10.0.0.10")
        .str(4, "ClusterIP");
    let got = decode(&envelope(
        "v1",
        "Service",
        Msg::new().msg(1, Msg::new().str(1, "svc")).msg(2, spec),
    ))
    .unwrap();
    assert_eq!(
        got["spec"],
        json!({
            "ports": [
                {"name": "http", "protocol": "TCP", "port": 80, "targetPort": "web"},
                {"name": "metrics", "protocol": "TCP", "port": 9090, "targetPort": 9091}
            ],
            "selector": {"app": "web"},
            "clusterIP": "10.0.0.10",
            "type": "ClusterIP"
        })
    );
}

#[test]
fn scale_binding_and_delete_options() {
    let scale = Msg::new()
        .msg(1, Msg::new().str(1, "web").str(3, "default").str(6, "7"))
        .msg(2, Msg::new().int(1, 5))
        .msg(3, Msg::new().int(1, 0).str(2, ""));
    let got = decode(&envelope("autoscaling/v1", "Scale", scale)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "autoscaling/v1", "kind": "Scale",
            "metadata": {"name": "web", "namespace": "default", "resourceVersion": "7"},
            "spec": {"replicas": 5},
            "status": {"replicas": 0}
        })
    );

    let binding = Msg::new()
        .msg(1, Msg::new().str(1, "p"))
        .msg(2, Msg::new().str(1, "Node").str(3, "node-1"));
    let got = decode(&envelope("v1", "Binding", binding)).unwrap();
    assert_eq!(got["target"], json!({"kind": "Node", "name": "node-1"}));

    // DeleteOptions arrive under the client's group version.
    let opts = Msg::new()
        .int(1, 0)
        .msg(2, Msg::new().str(1, "uid-1").str(2, "9"))
        .int(3, 1)
        .str(4, "Foreground")
        .str(5, "All");
    let got = decode(&envelope("apps/v1", "DeleteOptions", opts)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "apps/v1", "kind": "DeleteOptions",
            "gracePeriodSeconds": 0,
            "preconditions": {"uid": "uid-1", "resourceVersion": "9"},
            "orphanDependents": true,
            "propagationPolicy": "Foreground",
            "dryRun": ["All"]
        })
    );
}

#[test]
fn lease_micro_time_event_time_and_node_quantities() {
    let lease = Msg::new()
        .msg(1, Msg::new().str(1, "node-1").str(3, "kube-node-lease"))
        .msg(
            2,
            Msg::new()
                .str(1, "node-1")
                .int(2, 40)
                .msg(4, Msg::new().int(1, 1_700_000_000).int(2, 123_456_789))
                .int(5, 2),
        );
    let got = decode(&envelope("coordination.k8s.io/v1", "Lease", lease)).unwrap();
    assert_eq!(
        got["spec"],
        json!({
            "holderIdentity": "node-1",
            "leaseDurationSeconds": 40,
            "renewTime": "2023-11-14T22:13:20.123456Z",
            "leaseTransitions": 2
        })
    );

    let event = Msg::new()
        .msg(1, Msg::new().str(1, "p.1"))
        .msg(2, Msg::new().str(1, "Pod").str(3, "p"))
        .str(3, "Scheduled")
        .str(4, "assigned")
        .msg(5, Msg::new().str(1, "scheduler"))
        .msg(6, Msg::new().int(1, 0))
        .msg(7, Msg::new())
        .int(8, 1)
        .str(9, "Normal")
        .msg(10, Msg::new());
    let got = decode(&envelope("v1", "Event", event)).unwrap();
    assert_eq!(got["firstTimestamp"], json!("1970-01-01T00:00:00Z"));
    assert_eq!(got["lastTimestamp"], Value::Null);
    assert_eq!(got["eventTime"], Value::Null);
    assert_eq!(got["involvedObject"], json!({"kind": "Pod", "name": "p"}));
    assert_eq!(got["count"], json!(1));
    assert_eq!(got["source"], json!({"component": "scheduler"}));

    let node = Msg::new()
        .msg(1, Msg::new().str(1, "node-1"))
        .msg(
            2,
            Msg::new().str(3, "fake://node-1").msg(
                5,
                Msg::new().str(1, "gpu").str(2, "yes").str(3, "NoSchedule"),
            ),
        )
        .msg(
            3,
            Msg::new()
                .entry(1, "cpu", quantity("4"))
                .entry(2, "pods", quantity("110"))
                .msg(4, Msg::new().str(1, "Ready").str(2, "True"))
                .msg(5, Msg::new().str(1, "InternalIP").str(2, "10.0.0.1")),
        );
    let got = decode(&envelope("v1", "Node", node)).unwrap();
    assert_eq!(
        got["spec"],
        json!({"providerID": "fake://node-1", "taints": [{"key": "gpu", "value": "yes", "effect": "NoSchedule"}]})
    );
    assert_eq!(got["status"]["capacity"], json!({"cpu": "4"}));
    assert_eq!(got["status"]["allocatable"], json!({"pods": "110"}));
    assert_eq!(
        got["status"]["conditions"],
        json!([{"type": "Ready", "status": "True"}])
    );
    assert_eq!(
        got["status"]["addresses"],
        json!([{"type": "InternalIP", "address": "10.0.0.1"}])
    );
}

#[test]
fn endpoints_and_replicaset() {
    let ep = Msg::new().msg(1, Msg::new().str(1, "svc")).msg(
        2,
        Msg::new()
            .msg(
                1,
                Msg::new()
                    .str(1, "10.1.0.5")
                    .msg(2, Msg::new().str(1, "Pod").str(3, "p")),
            )
            .msg(3, Msg::new().str(1, "http").int(2, 8080).str(3, "TCP")),
    );
    let got = decode(&envelope("v1", "Endpoints", ep)).unwrap();
    assert_eq!(
        got["subsets"],
        json!([{
            "addresses": [{"ip": "10.1.0.5", "targetRef": {"kind": "Pod", "name": "p"}}],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]
        }])
    );
    let rs = Msg::new().msg(1, Msg::new().str(1, "web-1")).msg(
        2,
        Msg::new()
            .int(1, 3)
            .msg(2, Msg::new().str_entry(1, "app", "web"))
            .int(4, 0),
    );
    let got = decode(&envelope("apps/v1", "ReplicaSet", rs)).unwrap();
    assert_eq!(
        got["spec"],
        json!({"replicas": 3, "selector": {"matchLabels": {"app": "web"}}})
    );
}

#[test]
fn unknown_fields_are_skipped_and_negative_ints_decode() {
    let ns = Msg::new()
        .msg(1, Msg::new().str(1, "x").int(99, 5).bytes(100, b"junk"))
        .int(77, 1)
        .key(78, 5)
        .0;
    let mut raw = Msg(ns);
    raw.0.extend_from_slice(&[1, 2, 3, 4]);
    let raw = raw.key(79, 1);
    let mut raw = raw;
    raw.0.extend_from_slice(&[0; 8]);
    let got = decode(&envelope("v1", "Namespace", raw)).unwrap();
    assert_eq!(
        got,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    );

    let opts = Msg::new().int(1, -1);
    let got = decode(&envelope("v1", "DeleteOptions", opts)).unwrap();
    assert_eq!(got["gracePeriodSeconds"], json!(-1));
}

// ---- errors ----

#[test]
fn bad_magic_is_reported() {
    let err = decode(br#"{"kind":"Pod"}"#).unwrap_err();
    assert_eq!(err, ProtobufError::BadMagic);
    assert!(err.to_string().contains("magic"));
}

#[test]
fn unknown_kind_says_send_json() {
    assert!(!supports("apps/v1", "Foo"));
    let err = decode(&envelope("apps/v1", "Foo", Msg::new())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown message type `apps/v1 Foo` cannot be decoded from protobuf; send JSON"
    );
}

#[test]
fn wrong_wire_type_names_field_and_message() {
    // Namespace.metadata (field 1) sent as a varint.
    let err = decode(&envelope("v1", "Namespace", Msg::new().int(1, 5))).unwrap_err();
    assert!(
        matches!(err, ProtobufError::WrongWireType { field: 1, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("field 1 (metadata) of core/v1 Namespace"),
        "{text}"
    );
}

#[test]
fn truncated_varint_and_length_are_reported() {
    // The raw object's last bytes are cut off.
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(
        &Msg::new()
            .msg(1, Msg::new().str(1, "v1").str(2, "Namespace"))
            .msg(2, Msg::new().msg(1, Msg::new().str(1, "abc")))
            .0,
    );
    body.truncate(body.len() - 2);
    let err = decode(&body).unwrap_err();
    assert!(matches!(err, ProtobufError::Truncated { .. }), "{err:?}");

    let mut body = b"k8s\0".to_vec();
    body.push(0x0a);
    body.push(0x80);
    let err = decode(&body).unwrap_err();
    assert!(err.to_string().contains("truncated varint"), "{err}");
}

#[test]
fn missing_type_meta_and_compressed_envelopes_are_refused() {
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(&Msg::new().msg(2, Msg::new()).0);
    assert_eq!(decode(&body).unwrap_err(), ProtobufError::MissingTypeMeta);

    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(
        &Msg::new()
            .msg(1, Msg::new().str(1, "v1").str(2, "Namespace"))
            .str(3, "gzip")
            .0,
    );
    assert!(
        matches!(decode(&body).unwrap_err(), ProtobufError::UnsupportedEncoding(e) if e == "gzip")
    );
}

#[test]
fn invalid_utf8_is_reported() {
    let err = decode(&envelope(
        "v1",
        "Namespace",
        Msg::new().msg(1, Msg::new().bytes(1, &[0xff])),
    ))
    .unwrap_err();
    assert!(
        matches!(
            err,
            ProtobufError::InvalidUtf8 {
                field: 1,
                json: "name",
                ..
            }
        ),
        "{err:?}"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut body = b"k8s\0".to_vec();
        body.extend_from_slice(&tail);
        let _ = decode(&body);
        let _ = decode(&tail);
    }

    #[test]
    fn arbitrary_object_bytes_never_panic(
        kind in prop::sample::select(vec![("v1", "Pod"), ("apps/v1", "Deployment"), ("v1", "Secret"),
            ("v1", "Service"), ("coordination.k8s.io/v1", "Lease"), ("v1", "Event"), ("v1", "Node")]),
        raw in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut body = b"k8s\0".to_vec();
        body.extend_from_slice(&Msg::new().msg(1, Msg::new().str(1, kind.0).str(2, kind.1)).bytes(2, &raw).0);
        let _ = decode(&body);
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    // ControllerRevision.data is a RawExtension, which may hold another
    // protobuf object: nest them far past the depth limit.
    let mut inner = envelope("apps/v1", "ControllerRevision", Msg::new());
    for _ in 0..300 {
        inner = envelope(
            "apps/v1",
            "ControllerRevision",
            Msg::new().msg(2, Msg::new().bytes(1, &inner)),
        );
    }
    let result = decode(&inner);
    assert!(
        matches!(result, Err(ProtobufError::TooDeep { .. })),
        "{result:?}"
    );

    // A few levels are fine.
    let nested = envelope("v1", "Namespace", Msg::new().msg(1, Msg::new().str(1, "n")));
    let outer = envelope(
        "apps/v1",
        "ControllerRevision",
        Msg::new().msg(2, Msg::new().bytes(1, &nested)).int(3, 2),
    );
    assert_eq!(
        decode(&outer).unwrap(),
        json!({
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "data": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}},
            "revision": 2
        })
    );
}

#[test]
fn kubectl_create_token_and_auth_can_i() {
    // Bodies of `kubectl create token sa --duration=1h` and `kubectl auth can-i get pods`
    // (no --dry-run for these; the expected JSON is Go's encoding of the same structs).
    let bin = fixture_bin("token");
    assert_eq!(
        decode(&bin).unwrap(),
        json!({
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "metadata": {"creationTimestamp": null},
            "spec": {"expirationSeconds": 3600},
            "status": {"token": "", "expirationTimestamp": null}
        })
    );
    let bin = fixture_bin("selfsubjectaccessreview");
    assert_eq!(
        decode(&bin).unwrap(),
        json!({
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "metadata": {"creationTimestamp": null},
            "spec": {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}},
            "status": {"allowed": false}
        })
    );
}
