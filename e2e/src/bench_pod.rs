//! The Pod the benchmarks create: about 1.5 KB of JSON, with the labels,
//! annotations, probes, resources and tolerations of a real workload.

use bytes::Bytes;
use serde_json::json;

/// A realistic Pod of about 1.5 KB of JSON.
pub fn pod_json(name: &str) -> Bytes {
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {
                "app": "bench-web",
                "tier": "frontend",
                "release": "stable",
                "pod-template-hash": "7d9f8b6c5d"
            },
            "annotations": {
                "bench.rkube.io/owner": "team-platform@example.com",
                "bench.rkube.io/description": "a pod of realistic size for the rkube benchmark",
                "bench.rkube.io/commit": "3f9c2e1b7a6d5c4b3a291807f6e5d4c3b2a19087"
            }
        },
        "spec": {
            "containers": [{
                "name": "web",
                "image": "registry.example.com/team/web-frontend:1.27.3",
                "command": ["/usr/local/bin/web-frontend"],
                "args": ["--listen=:8080", "--log-level=info", "--metrics-addr=:9090"],
                "ports": [
                    {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                    {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}
                ],
                "env": [
                    {"name": "GOMAXPROCS", "value": "2"},
                    {"name": "CACHE_SIZE", "value": "256Mi"},
                    {"name": "UPSTREAM_URL", "value": "http://backend.default.svc.cluster.local:8080"}
                ],
                "resources": {
                    "requests": {"cpu": "250m", "memory": "256Mi"},
                    "limits": {"cpu": "1", "memory": "512Mi"}
                },
                "readinessProbe": {
                    "httpGet": {"path": "/healthz", "port": "http"},
                    "initialDelaySeconds": 5,
                    "periodSeconds": 10
                },
                "livenessProbe": {
                    "httpGet": {"path": "/livez", "port": "http"},
                    "initialDelaySeconds": 15,
                    "periodSeconds": 20
                },
                "volumeMounts": [{"name": "cache", "mountPath": "/var/cache/web"}]
            }],
            "volumes": [{"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}}],
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [{
                "key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"
            }],
            "terminationGracePeriodSeconds": 30,
            "restartPolicy": "Always"
        }
    });
    Bytes::from(pod.to_string())
}
