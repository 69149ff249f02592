//! Nodes: defaults (allocatable from capacity), the printer (status,
//! roles, addresses, system info) and the `spec.unschedulable` field.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Node;
use serde_json::Value;

use super::util::{age_column, age_of, column, decode, mutate_typed, name_column};
use crate::registry::{Column, FieldError, KindHooks};

const LABEL_NODE_ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const LABEL_ROLE: &str = "kubernetes.io/role";

/// Roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role`
/// labels, sorted.
pub fn node_roles(node: &Node) -> Vec<String> {
    let mut roles = BTreeSet::new();
    for (k, v) in node.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix(LABEL_NODE_ROLE_PREFIX) {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == LABEL_ROLE && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    roles.into_iter().collect()
}

fn address(node: &Node, ty: &str) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == ty))
        .map(|a| a.address.clone())
        .unwrap_or_else(|| "<none>".to_string())
}

/// Hooks for `nodes`.
#[derive(Debug, Default)]
pub struct NodeHooks;

impl KindHooks for NodeHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        if obj.get("status").is_none_or(Value::is_null) {
            let _: Node = decode(obj)?;
            return Ok(());
        }
        mutate_typed::<Node, _>(obj, &["status"], |n| {
            if let Some(st) = &mut n.status
                && st.allocatable.is_none()
            {
                st.allocatable = st.capacity.clone();
            }
        })
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_node_create(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_node_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column("Status", "string", 0, "The status of the node"),
            column("Roles", "string", 0, "The roles of the node"),
            age_column(),
            column(
                "Version",
                "string",
                0,
                "Kubelet Version reported by the node.",
            ),
            column(
                "Internal-IP",
                "string",
                1,
                "List of addresses reachable to the node. Queried from cloud provider, if available.",
            ),
            column(
                "External-IP",
                "string",
                1,
                "List of addresses reachable to the node. Queried from cloud provider, if available.",
            ),
            column(
                "OS-Image",
                "string",
                1,
                "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
            ),
            column(
                "Kernel-Version",
                "string",
                1,
                "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            ),
            column(
                "Container-Runtime",
                "string",
                1,
                "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
            ),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let node: Node = decode(obj).unwrap_or_default();
        let status = node.status.clone().unwrap_or_default();
        let mut states: Vec<String> = status
            .conditions
            .iter()
            .flatten()
            .filter(|c| c.type_ == "Ready")
            .take(1)
            .map(|c| {
                if c.status == "True" {
                    "Ready".to_string()
                } else {
                    "NotReady".to_string()
                }
            })
            .collect();
        if states.is_empty() {
            states.push("Unknown".to_string());
        }
        if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
            states.push("SchedulingDisabled".to_string());
        }
        let mut roles = node_roles(&node).join(",");
        if roles.is_empty() {
            roles = "<none>".to_string();
        }
        let info = status.node_info.clone().unwrap_or_default();
        let unknown = |s: String| {
            if s.is_empty() {
                "<unknown>".to_string()
            } else {
                s
            }
        };
        vec![
            Value::from(node.metadata.name.clone().unwrap_or_default()),
            Value::from(states.join(",")),
            Value::from(roles),
            Value::from(age_of(
                node.metadata.creation_timestamp.as_ref().map(|t| t.0),
                now,
            )),
            Value::from(info.kubelet_version.clone()),
            Value::from(address(&node, "InternalIP")),
            Value::from(address(&node, "ExternalIP")),
            Value::from(unknown(info.os_image)),
            Value::from(unknown(info.kernel_version)),
            Value::from(unknown(info.container_runtime_version)),
        ]
    }

    fn selectable_fields(&self) -> &'static [&'static str] {
        &["spec.unschedulable"]
    }

    fn field_value(&self, obj: &Value, field: &str) -> Option<String> {
        (field == "spec.unschedulable").then(|| {
            obj.pointer("/spec/unschedulable")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn node_defaults_allocatable() {
        let mut n = json!({"metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "4", "pods": "110"}}});
        NodeHooks.default(&mut n).unwrap();
        assert_eq!(
            n["status"]["allocatable"],
            json!({"cpu": "4", "pods": "110"})
        );
        let mut bare = json!({"metadata": {"name": "n1"}});
        NodeHooks.default(&mut bare).unwrap();
        assert!(bare.get("status").is_none());
    }

    #[test]
    fn node_rows() {
        let n = json!({"metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "worker", "node-role.kubernetes.io/": "x"}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "Hostname", "address": "n1"}],
                "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian", "kernelVersion": "6.1", "containerRuntimeVersion": "docker://20",
                    "architecture": "amd64", "bootID": "", "kubeProxyVersion": "", "machineID": "", "operatingSystem": "linux", "systemUUID": ""}}});
        let row = NodeHooks.row(&n, 0);
        assert_eq!(row.len(), NodeHooks.columns().len());
        assert_eq!(
            row,
            vec![
                json!("n1"),
                json!("Ready,SchedulingDisabled"),
                json!("control-plane,worker"),
                json!("<unknown>"),
                json!("v1.32.0"),
                json!("10.0.0.1"),
                json!("<none>"),
                json!("Debian"),
                json!("6.1"),
                json!("docker://20")
            ]
        );
        let bare = json!({"metadata": {"name": "n2"}, "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}});
        let row = NodeHooks.row(&bare, 0);
        assert_eq!(row[1], "NotReady");
        assert_eq!(row[2], "<none>");
        assert_eq!(row[7], "<unknown>");
        assert_eq!(
            NodeHooks.row(&json!({"metadata": {"name": "n3"}}), 0)[1],
            "Unknown"
        );
        assert_eq!(
            NodeHooks.field_value(&n, "spec.unschedulable").as_deref(),
            Some("true")
        );
    }
}
