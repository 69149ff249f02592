//! The built-in kinds: their registry entries (names, scope, short names,
//! categories, subresources, schema names) and [`KindHooks`]
//! implementations (Kubernetes 1.32 defaults, validation, `kubectl get`
//! printers, field selectors).
//!
//! Start at [`builtin_registry`].

mod apps;
mod config;
mod endpoints;
mod event;
mod lease;
mod namespace;
mod node;
mod pod;
mod service;
mod util;

use std::sync::Arc;

pub use apps::{DeploymentHooks, ReplicaSetHooks, default_deployment, default_replica_set};
pub use config::{ConfigMapHooks, SecretHooks};
pub use endpoints::{EndpointSliceHooks, EndpointsHooks, format_endpoints};
pub use event::EventHooks;
pub use lease::LeaseHooks;
pub use namespace::{LABEL_METADATA_NAME, NAMESPACE_FINALIZER, NamespaceHooks};
pub use node::{NodeHooks, node_roles};
pub use pod::{
    DEFAULT_TOLERATION_SECONDS, NODE_UNREACHABLE_POD_REASON, PodHooks, add_default_tolerations,
    default_pod, default_pod_spec, default_pull_policy, new_pod_status, pod_ready_status_restarts,
    qos_class,
};
pub use service::{ServiceHooks, default_service_spec};
pub use util::{
    format_label_selector, format_label_selector_or_none, format_labels, human_duration,
    label_selector_string,
};

use crate::registry::{KindHooks, Registry, ResourceDef, ScaleSpec, Subresources};

/// Static description of one kind, turned into a [`ResourceDef`].
struct KindSpec {
    group: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    categories: &'static [&'static str],
    subresources: Subresources,
    schema_name: &'static str,
}

impl KindSpec {
    fn into_def(self, hooks: Arc<dyn KindHooks>) -> ResourceDef {
        ResourceDef {
            group: self.group.to_string(),
            version: "v1".to_string(),
            kind: self.kind.to_string(),
            list_kind: format!("{}List", self.kind),
            plural: self.plural.to_string(),
            singular: self.kind.to_lowercase(),
            namespaced: self.namespaced,
            short_names: self.short_names.iter().map(|s| s.to_string()).collect(),
            categories: self.categories.iter().map(|s| s.to_string()).collect(),
            subresources: self.subresources,
            schema_name: self.schema_name.to_string(),
            hooks,
        }
    }
}

fn status_only() -> Subresources {
    Subresources {
        status: true,
        ..Subresources::default()
    }
}

fn scalable() -> Subresources {
    Subresources {
        status: true,
        scale: Some(ScaleSpec {
            spec_replicas: "/spec/replicas",
            status_replicas: "/status/replicas",
            label_selector: "/spec/selector",
        }),
        ..Subresources::default()
    }
}

/// The registry of every built-in kind: core/v1 Namespace, Pod, Service,
/// Endpoints, Node, Event, ConfigMap, Secret; apps/v1 ReplicaSet,
/// Deployment; discovery.k8s.io/v1 EndpointSlice; coordination.k8s.io/v1
/// Lease.
pub fn builtin_registry() -> Registry {
    let mut reg = Registry::new();
    let kinds: Vec<(KindSpec, Arc<dyn KindHooks>)> = vec![
        (
            KindSpec {
                group: "",
                kind: "Namespace",
                plural: "namespaces",
                namespaced: false,
                short_names: &["ns"],
                categories: &[],
                subresources: Subresources {
                    status: true,
                    finalize: true,
                    ..Subresources::default()
                },
                schema_name: "io.k8s.api.core.v1.Namespace",
            },
            Arc::new(NamespaceHooks),
        ),
        (
            KindSpec {
                group: "",
                kind: "Pod",
                plural: "pods",
                namespaced: true,
                short_names: &["po"],
                categories: &["all"],
                subresources: Subresources {
                    status: true,
                    binding: true,
                    ..Subresources::default()
                },
                schema_name: "io.k8s.api.core.v1.Pod",
            },
            Arc::new(PodHooks),
        ),
        (
            KindSpec {
                group: "",
                kind: "Service",
                plural: "services",
                namespaced: true,
                short_names: &["svc"],
                categories: &["all"],
                subresources: status_only(),
                schema_name: "io.k8s.api.core.v1.Service",
            },
            Arc::new(ServiceHooks),
        ),
        (
            KindSpec {
                group: "",
                kind: "Endpoints",
                plural: "endpoints",
                namespaced: true,
                short_names: &["ep"],
                categories: &[],
                subresources: Subresources::default(),
                schema_name: "io.k8s.api.core.v1.Endpoints",
            },
            Arc::new(EndpointsHooks),
        ),
        (
            KindSpec {
                group: "",
                kind: "Node",
                plural: "nodes",
                namespaced: false,
                short_names: &["no"],
                categories: &[],
                subresources: status_only(),
                schema_name: "io.k8s.api.core.v1.Node",
            },
            Arc::new(NodeHooks),
        ),
        (
            KindSpec {
                group: "",
                kind: "Event",
                plural: "events",
                namespaced: true,
                short_names: &["ev"],
                categories: &[],
                subresources: Subresources::default(),
                schema_name: "io.k8s.api.core.v1.Event",
            },
            Arc::new(EventHooks),
        ),
        (
            KindSpec {
                group: "",
                kind: "ConfigMap",
                plural: "configmaps",
                namespaced: true,
                short_names: &["cm"],
                categories: &[],
                subresources: Subresources::default(),
                schema_name: "io.k8s.api.core.v1.ConfigMap",
            },
            Arc::new(ConfigMapHooks),
        ),
        (
            KindSpec {
                group: "",
                kind: "Secret",
                plural: "secrets",
                namespaced: true,
                short_names: &[],
                categories: &[],
                subresources: Subresources::default(),
                schema_name: "io.k8s.api.core.v1.Secret",
            },
            Arc::new(SecretHooks),
        ),
        (
            KindSpec {
                group: "apps",
                kind: "ReplicaSet",
                plural: "replicasets",
                namespaced: true,
                short_names: &["rs"],
                categories: &["all"],
                subresources: scalable(),
                schema_name: "io.k8s.api.apps.v1.ReplicaSet",
            },
            Arc::new(ReplicaSetHooks),
        ),
        (
            KindSpec {
                group: "apps",
                kind: "Deployment",
                plural: "deployments",
                namespaced: true,
                short_names: &["deploy"],
                categories: &["all"],
                subresources: scalable(),
                schema_name: "io.k8s.api.apps.v1.Deployment",
            },
            Arc::new(DeploymentHooks),
        ),
        (
            KindSpec {
                group: "discovery.k8s.io",
                kind: "EndpointSlice",
                plural: "endpointslices",
                namespaced: true,
                short_names: &[],
                categories: &[],
                subresources: Subresources::default(),
                schema_name: "io.k8s.api.discovery.v1.EndpointSlice",
            },
            Arc::new(EndpointSliceHooks),
        ),
        (
            KindSpec {
                group: "coordination.k8s.io",
                kind: "Lease",
                plural: "leases",
                namespaced: true,
                short_names: &[],
                categories: &[],
                subresources: Subresources::default(),
                schema_name: "io.k8s.api.coordination.v1.Lease",
            },
            Arc::new(LeaseHooks),
        ),
    ];
    for (spec, hooks) in kinds {
        reg.register(spec.into_def(hooks));
    }
    reg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_has_every_kind_with_kubernetes_names() {
        let reg = builtin_registry();
        let expect = [
            ("", "namespaces", "Namespace", "namespace", false, "ns"),
            ("", "pods", "Pod", "pod", true, "po"),
            ("", "services", "Service", "service", true, "svc"),
            ("", "endpoints", "Endpoints", "endpoints", true, "ep"),
            ("", "nodes", "Node", "node", false, "no"),
            ("", "events", "Event", "event", true, "ev"),
            ("", "configmaps", "ConfigMap", "configmap", true, "cm"),
            (
                "apps",
                "replicasets",
                "ReplicaSet",
                "replicaset",
                true,
                "rs",
            ),
            (
                "apps",
                "deployments",
                "Deployment",
                "deployment",
                true,
                "deploy",
            ),
        ];
        for (group, plural, kind, singular, namespaced, short) in expect {
            let d = reg.get(group, "v1", plural).unwrap();
            assert_eq!(d.kind, kind);
            assert_eq!(d.list_kind, format!("{kind}List"));
            assert_eq!(d.singular, singular);
            assert_eq!(d.namespaced, namespaced);
            assert_eq!(d.short_names, vec![short.to_string()]);
        }
        let es = reg.get("discovery.k8s.io", "v1", "endpointslices").unwrap();
        assert_eq!(es.singular, "endpointslice");
        assert_eq!(es.schema_name, "io.k8s.api.discovery.v1.EndpointSlice");
        let lease = reg.by_kind("coordination.k8s.io", "Lease").unwrap();
        assert_eq!(lease.api_version(), "coordination.k8s.io/v1");
        assert_eq!(reg.all().len(), 12);
    }

    #[test]
    fn categories_and_subresources() {
        let reg = builtin_registry();
        let all: Vec<&str> = reg
            .all()
            .iter()
            .filter(|d| d.categories.iter().any(|c| c == "all"))
            .map(|d| d.plural.as_str())
            .collect();
        assert_eq!(all, vec!["pods", "services", "replicasets", "deployments"]);
        let ns = reg.get("", "v1", "namespaces").unwrap();
        assert!(ns.subresources.status && ns.subresources.finalize);
        let pod = reg.get("", "v1", "pods").unwrap();
        assert!(pod.subresources.status && pod.subresources.binding);
        assert!(pod.subresources.scale.is_none());
        let deploy = reg.get("apps", "v1", "deployments").unwrap();
        let scale = deploy.subresources.scale.as_ref().unwrap();
        assert_eq!(scale.spec_replicas, "/spec/replicas");
        assert_eq!(scale.label_selector, "/spec/selector");
        assert!(!reg.get("", "v1", "events").unwrap().subresources.status);
    }

    #[test]
    fn every_kind_defaults_and_prints_a_minimal_object() {
        for def in builtin_registry().all() {
            let mut obj = serde_json::json!({
                "apiVersion": def.api_version(), "kind": def.kind,
                "metadata": {"name": "x", "namespace": "default", "creationTimestamp": "2024-01-01T00:00:00Z"}
            });
            if def.kind == "EndpointSlice" {
                obj["addressType"] = "IPv4".into();
                obj["endpoints"] = serde_json::json!([]);
            }
            def.hooks.default(&mut obj).unwrap();
            let cols = def.hooks.columns();
            let row = def.hooks.row(&obj, 1_704_067_205);
            assert_eq!(row.len(), cols.len(), "{}", def.kind);
            let age = cols.iter().position(|c| c.name == "Age");
            if let Some(i) = age {
                assert_eq!(row[i], "5s", "{}", def.kind);
            }
            for f in def.hooks.selectable_fields() {
                assert!(def.hooks.field_value(&obj, f).is_some(), "{} {f}", def.kind);
            }
        }
    }

    mod props {
        use super::super::builtin_registry;
        use proptest::prelude::*;
        use serde_json::{Value, json};

        fn any_json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-5i64..70000).prop_map(Value::from),
                "[a-zA-Z0-9:./-]{0,8}".prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 24, 4, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                    proptest::collection::btree_map(
                        prop_oneof![
                            Just("containers".to_string()),
                            Just("name".to_string()),
                            Just("image".to_string()),
                            Just("ports".to_string()),
                            Just("selector".to_string()),
                            Just("template".to_string()),
                            Just("spec".to_string()),
                            Just("replicas".to_string()),
                            "[a-z]{1,6}",
                        ],
                        inner,
                        0..4
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// Hooks never panic on arbitrary input; defaulting is idempotent
            /// whenever it succeeds, and rows always fit the columns.
            #[test]
            fn hooks_are_total_and_defaults_idempotent(spec in any_json(), status in any_json()) {
                for def in builtin_registry().all() {
                    let mut obj = json!({"apiVersion": def.api_version(), "kind": def.kind,
                        "metadata": {"name": "x", "namespace": "default"}, "spec": spec.clone(), "status": status.clone()});
                    let old = obj.clone();
                    if def.hooks.default(&mut obj).is_ok() {
                        let once = obj.clone();
                        prop_assert!(def.hooks.default(&mut obj).is_ok());
                        prop_assert_eq!(&once, &obj, "{}", def.kind);
                    }
                    let _ = def.hooks.validate_create(&obj);
                    let _ = def.hooks.validate_update(&obj, &old);
                    prop_assert_eq!(def.hooks.row(&obj, 0).len(), def.hooks.columns().len());
                }
            }
        }
    }
}
