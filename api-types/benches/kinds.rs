//! Benchmarks of the per-request kind logic: defaulting and validating a
//! Pod (from a `Value` and from raw JSON, as creates take it), Pod validation
//! alone on the typed struct and on a `Value`, a Deployment, a pods table
//! row, the unknown-field walk and the duplicate-key scan.

#![allow(clippy::unwrap_used)] // benchmark inputs are constants

use std::hint::black_box;

use api_types::field_validation::{duplicate_fields, unknown_fields};
use api_types::k8s_openapi::api::core::v1::Pod;
use api_types::kinds::{builtin_registry, default_pod};
use api_types::openapi::openapi_v3_document;
use api_types::validation::pod::{validate_pod_create, validate_pod_create_typed};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

fn pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-7d9f8b6c5-abcde", "namespace": "default", "labels": {"app": "web", "pod-template-hash": "7d9f8b6c5"},
                     "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {
            "containers": [{
                "name": "web", "image": "registry.example.com/web:1.2.3",
                "ports": [{"containerPort": 8080, "name": "http"}],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}},
                "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                "volumeMounts": [{"name": "data", "mountPath": "/data"}]
            }],
            "volumes": [{"name": "data", "emptyDir": {}}]
        },
        "status": {"phase": "Running", "podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}],
                   "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": "web", "image": "registry.example.com/web:1.2.3", "imageID": "", "ready": true,
                                          "restartCount": 0, "state": {"running": {"startedAt": "2024-01-01T00:00:05Z"}}}]}
    })
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod()["spec"].clone()}}
    })
}

fn bench(c: &mut Criterion) {
    let reg = builtin_registry();
    let pods = reg.get("", "v1", "pods").unwrap().clone();
    let deployments = reg.get("apps", "v1", "deployments").unwrap().clone();

    c.bench_function("pod default+validate_create", |b| {
        b.iter(|| {
            let mut p = pod();
            pods.hooks.default(&mut p).unwrap();
            black_box(pods.hooks.validate_create(&p))
        })
    });
    // The API server's create path for a JSON Pod body: typed decode with
    // defaults (unknown fields named), then validation.
    let raw = serde_json::to_vec(&pod()).unwrap();
    c.bench_function("pod decode_defaulted+validate_create (raw JSON)", |b| {
        b.iter(|| {
            let (p, unknown) = pods.hooks.decode_defaulted(black_box(&raw)).unwrap();
            black_box((pods.hooks.validate_create(&p), unknown))
        })
    });
    // Validation alone on the same Pod, defaulted: on the typed struct (the
    // create path that never builds a `Value`) and on its JSON form.
    let mut typed: Pod = serde_json::from_value(pod()).unwrap();
    default_pod(&mut typed);
    let as_value = serde_json::to_value(&typed).unwrap();
    assert_eq!(validate_pod_create_typed(&typed), vec![]);
    assert_eq!(validate_pod_create(&as_value), vec![]);
    c.bench_function("pod validate_create (typed)", |b| {
        b.iter(|| black_box(validate_pod_create_typed(black_box(&typed))))
    });
    c.bench_function("pod validate_create (value)", |b| {
        b.iter(|| black_box(validate_pod_create(black_box(&as_value))))
    });
    c.bench_function("deployment default+validate_create", |b| {
        b.iter(|| {
            let mut d = deployment();
            deployments.hooks.default(&mut d).unwrap();
            black_box(deployments.hooks.validate_create(&d))
        })
    });
    let p = pod();
    c.bench_function("pod table row", |b| {
        b.iter(|| black_box(pods.hooks.row(black_box(&p), 1_704_067_300)))
    });
    let doc = openapi_v3_document(&reg, "apps", "v1");
    let d = deployment();
    c.bench_function("deployment unknown_fields", |b| {
        b.iter(|| {
            black_box(unknown_fields(
                &doc,
                "io.k8s.api.apps.v1.Deployment",
                black_box(&d),
            ))
        })
    });
    let raw = serde_json::to_vec(&d).unwrap();
    c.bench_function("deployment duplicate_fields", |b| {
        b.iter(|| black_box(duplicate_fields(black_box(&raw))))
    });
    c.bench_function("openapi_v3_document apps/v1", |b| {
        b.iter(|| black_box(openapi_v3_document(&reg, "apps", "v1")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
