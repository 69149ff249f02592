//! Benchmarks of `fieldValidation`: the duplicate-key scan over raw bytes
//! and the unknown-field walk (direct and compiled), on a realistic
//! ~1.5 KB Pod create body.

#![allow(clippy::unwrap_used)] // benchmark inputs are constants

use std::hint::black_box;

use api_types::field_validation::{CompiledSchema, duplicate_fields, unknown_fields};
use api_types::kinds::builtin_registry;
use api_types::openapi::openapi_v3_document;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

/// A Pod as a client would create it: labels, annotations, one container
/// with command, args, ports, env, resources and probes.
fn pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "bench-pod-000042", "namespace": "bench",
            "labels": {"app": "bench", "tier": "backend", "release": "stable", "pod-template-hash": "7d9f8b6c5"},
            "annotations": {"example.com/owner": "team-a", "example.com/build": "2024-01-01T00:00:00Z",
                            "prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
        },
        "spec": {
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "nodeSelector": {"kubernetes.io/os": "linux"},
            "containers": [{
                "name": "app", "image": "registry.example.com/team-a/app:1.2.3", "imagePullPolicy": "IfNotPresent",
                "command": ["/bin/app"], "args": ["--port=8080", "--metrics-port=9090", "--log-level=info"],
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                          {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
                "env": [{"name": "MODE", "value": "production"}, {"name": "REGION", "value": "eu-west-1"},
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 10, "periodSeconds": 10},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5, "failureThreshold": 3},
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "securityContext": {"runAsNonRoot": true, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }],
            "volumes": [{"name": "data", "emptyDir": {}}],
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "bench", "effect": "NoSchedule"}]
        }
    })
}

fn bench(c: &mut Criterion) {
    let reg = builtin_registry();
    let doc = openapi_v3_document(&reg, "", "v1");
    let p = pod();
    let raw = serde_json::to_vec(&p).unwrap();
    eprintln!("pod body: {} bytes", raw.len());
    assert!(duplicate_fields(&raw).is_empty());
    assert!(unknown_fields(&doc, "io.k8s.api.core.v1.Pod", &p).is_empty());

    c.bench_function("pod duplicate_fields", |b| {
        b.iter(|| black_box(duplicate_fields(black_box(&raw))))
    });
    c.bench_function("pod unknown_fields", |b| {
        b.iter(|| {
            black_box(unknown_fields(
                &doc,
                "io.k8s.api.core.v1.Pod",
                black_box(&p),
            ))
        })
    });
    let compiled = CompiledSchema::compile(&doc, "io.k8s.api.core.v1.Pod").unwrap();
    assert!(compiled.unknown_fields(&p).is_empty());
    c.bench_function("pod compiled unknown_fields", |b| {
        b.iter(|| black_box(compiled.unknown_fields(black_box(&p))))
    });
    c.bench_function("compile pod schema", |b| {
        b.iter(|| {
            black_box(CompiledSchema::compile(
                black_box(&doc),
                "io.k8s.api.core.v1.Pod",
            ))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
