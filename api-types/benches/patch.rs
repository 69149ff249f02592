//! Benchmarks of the pure functions on the request path: strategic merge
//! patch of a Deployment as `kubectl apply` sends it, JSON merge patch, label
//! selector parsing and matching, quantity parsing.

#![allow(clippy::unwrap_used)] // benchmark inputs are constants

use std::collections::BTreeMap;
use std::hint::black_box;

use api_types::patch::{merge_patch, patch_meta_for, strategic_merge};
use api_types::quantity::Quantity;
use api_types::selector::Selector;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

fn deployment() -> Value {
    let containers: Vec<Value> = (0..4)
        .map(|i| {
            json!({
                "name": format!("c{i}"),
                "image": format!("registry.example.com/app/c{i}:1.0.{i}"),
                "args": ["--port=8080", "--verbose"],
                "env": (0..8).map(|e| json!({"name": format!("VAR_{e}"), "value": format!("v{e}")})).collect::<Vec<_>>(),
                "ports": [{"containerPort": 8080 + i, "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                "volumeMounts": [{"name": "data", "mountPath": format!("/data/{i}")}]
            })
        })
        .collect();
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", "tier": "fe"},
                     "finalizers": ["example.com/cleanup"]},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": containers, "volumes": [{"name": "data", "emptyDir": {}}]}
            }
        }
    })
}

fn apply_patch() -> Value {
    json!({
        "metadata": {"labels": {"tier": null, "version": "2"}},
        "spec": {
            "strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"},
            "template": {"spec": {
                "$setElementOrder/containers": [{"name": "c0"}, {"name": "c1"}, {"name": "c2"}, {"name": "c3"}],
                "containers": [{
                    "name": "c2",
                    "image": "registry.example.com/app/c2:2.0.0",
                    "$setElementOrder/env": [{"name": "VAR_0"}, {"name": "VAR_1"}, {"name": "VAR_2"}],
                    "env": [{"name": "VAR_3", "$patch": "delete"}, {"name": "VAR_2", "value": "changed"}]
                }]
            }}
        }
    })
}

fn bench_patches(c: &mut Criterion) {
    let original = deployment();
    let patch = apply_patch();
    let meta = patch_meta_for("apps", "Deployment");
    c.bench_function("strategic_merge/deployment_apply", |b| {
        b.iter(|| strategic_merge(black_box(&original), black_box(&patch), meta))
    });
    let scale = json!({"spec": {"replicas": 5}});
    c.bench_function("strategic_merge/deployment_scale", |b| {
        b.iter(|| strategic_merge(black_box(&original), black_box(&scale), meta))
    });
    c.bench_function("merge_patch/deployment_scale", |b| {
        b.iter(|| merge_patch(black_box(&original), black_box(&scale)))
    });
}

fn bench_selectors(c: &mut Criterion) {
    let text = "app=web,tier in (fe,be),!canary,env notin (dev)";
    c.bench_function("label_selector/parse", |b| {
        b.iter(|| Selector::parse(black_box(text)))
    });
    let selector = Selector::parse(text).unwrap();
    let labels: BTreeMap<String, String> = [
        ("app", "web"),
        ("tier", "fe"),
        ("env", "prod"),
        ("pod-template-hash", "5d8f7c9b6"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    c.bench_function("label_selector/matches", |b| {
        b.iter(|| selector.matches(black_box(&labels)))
    });
}

fn bench_quantities(c: &mut Criterion) {
    c.bench_function("quantity/parse_and_print", |b| {
        b.iter(|| {
            let q = Quantity::parse(black_box("1.5Gi")).unwrap();
            q.to_string()
        })
    });
}

criterion_group!(benches, bench_patches, bench_selectors, bench_quantities);
criterion_main!(benches);
