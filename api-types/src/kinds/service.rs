//! Services: defaults (`SetDefaults_Service`), the printer and hooks.
//! ClusterIP, NodePort and IP family allocation are the server's job.

use k8s_openapi::api::core::v1::{ClientIPConfig, Service, ServiceSpec, SessionAffinityConfig};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::util::{
    age_column, age_of, column, decode, decode_typed_defaulted, format_labels, mutate_typed,
    name_column,
};
use crate::registry::{Column, FieldError, KindHooks};

/// `SetDefaults_Service`.
pub fn default_service_spec(spec: &mut ServiceSpec) {
    if spec.session_affinity.as_deref().unwrap_or("").is_empty() {
        spec.session_affinity = Some("None".to_string());
    }
    match spec.session_affinity.as_deref() {
        Some("None") => spec.session_affinity_config = None,
        Some("ClientIP") => {
            let cfg = spec
                .session_affinity_config
                .get_or_insert_with(SessionAffinityConfig::default);
            let ip = cfg.client_ip.get_or_insert_with(ClientIPConfig::default);
            ip.timeout_seconds.get_or_insert(10800);
        }
        _ => {}
    }
    if spec.type_.as_deref().unwrap_or("").is_empty() {
        spec.type_ = Some("ClusterIP".to_string());
    }
    for p in spec.ports.iter_mut().flatten() {
        if p.protocol.as_deref().unwrap_or("").is_empty() {
            p.protocol = Some("TCP".to_string());
        }
        let unset = match &p.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            Some(IntOrString::Int(_)) => false,
        };
        if unset {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    let ty = spec.type_.clone().unwrap_or_default();
    let external = ty == "NodePort" || ty == "LoadBalancer";
    if external
        && spec
            .external_traffic_policy
            .as_deref()
            .unwrap_or("")
            .is_empty()
    {
        spec.external_traffic_policy = Some("Cluster".to_string());
    }
    if spec.internal_traffic_policy.is_none() && (external || ty == "ClusterIP") {
        spec.internal_traffic_policy = Some("Cluster".to_string());
    }
    if ty == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
}

/// `makePortString`: `80/TCP,443:30443/TCP`.
fn port_string(spec: &ServiceSpec) -> String {
    spec.ports
        .iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.as_deref().unwrap_or("");
            match p.node_port {
                Some(np) if np > 0 => format!("{}:{}/{}", p.port, np, proto),
                _ => format!("{}/{}", p.port, proto),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `getServiceExternalIP` (wide form, no truncation).
fn external_ip(svc: &Service) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let external_ips = spec.external_ips.unwrap_or_default();
    match spec.type_.as_deref().unwrap_or("") {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            // A sorted set, as `loadBalancerStatusStringer` builds it.
            let lb: std::collections::BTreeSet<String> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    i.ip.clone()
                        .filter(|s| !s.is_empty())
                        .or_else(|| i.hostname.clone().filter(|s| !s.is_empty()))
                })
                .collect();
            let mut all: Vec<String> = lb.into_iter().collect();
            all.extend(external_ips);
            if all.is_empty() {
                "<pending>".to_string()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => spec.external_name.unwrap_or_default(),
        _ => "<unknown>".to_string(),
    }
}

/// Hooks for `services`.
#[derive(Debug, Default)]
pub struct ServiceHooks;

impl KindHooks for ServiceHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        mutate_typed::<Service, _>(obj, &["spec"], |s| {
            default_service_spec(s.spec.get_or_insert_with(Default::default))
        })
    }

    fn decode_defaulted(&self, raw: &[u8]) -> Option<(Value, Vec<String>)> {
        decode_typed_defaulted::<Service, _>(raw, |s| {
            default_service_spec(s.spec.get_or_insert_with(Default::default))
        })
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::service::validate_service_create(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::service::validate_service_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column(
                "Type",
                "string",
                0,
                "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.",
            ),
            column(
                "Cluster-IP",
                "string",
                0,
                "clusterIP is the IP address of the service and is usually assigned randomly.",
            ),
            column(
                "External-IP",
                "string",
                0,
                "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
            ),
            column(
                "Port(s)",
                "string",
                0,
                "The list of ports that are exposed by this service.",
            ),
            age_column(),
            column(
                "Selector",
                "string",
                1,
                "Route service traffic to pods with label keys and values matching this selector.",
            ),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let svc: Service = decode(obj).unwrap_or_default();
        let spec = svc.spec.clone().unwrap_or_default();
        let cluster_ip = spec
            .cluster_ips
            .as_ref()
            .and_then(|ips| ips.first().cloned())
            .or_else(|| spec.cluster_ip.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "<none>".to_string());
        let mut ports = port_string(&spec);
        if ports.is_empty() {
            ports = "<none>".to_string();
        }
        vec![
            Value::from(svc.metadata.name.clone().unwrap_or_default()),
            Value::from(spec.type_.clone().unwrap_or_default()),
            Value::from(cluster_ip),
            Value::from(external_ip(&svc)),
            Value::from(ports),
            Value::from(age_of(
                svc.metadata.creation_timestamp.as_ref().map(|t| t.0),
                now,
            )),
            Value::from(format_labels(spec.selector.as_ref())),
        ]
    }
}

#[cfg(test)]
mod tests {

    /// The typed fast path gives what parsing and the generic defaulting give.
    #[test]
    fn typed_fast_path_matches_the_generic_defaulting() {
        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
                "sessionAffinity2": "x"}});
        let raw = serde_json::to_vec(&svc).unwrap();
        let (fast, unknown) = ServiceHooks.decode_defaulted(&raw).expect("decodes");
        assert_eq!(unknown, ["unknown field \"spec.sessionAffinity2\""]);
        let mut slow = svc.clone();
        slow["spec"]
            .as_object_mut()
            .unwrap()
            .remove("sessionAffinity2");
        ServiceHooks.default(&mut slow).unwrap();
        assert_eq!(fast, slow);
        assert_eq!(fast["spec"]["type"], "ClusterIP");
    }
    use super::*;
    use serde_json::json;

    #[test]
    fn service_defaults() {
        let mut s = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}, {"port": 443, "targetPort": "https", "protocol": "UDP"}]}});
        ServiceHooks.default(&mut s).unwrap();
        let spec = &s["spec"];
        assert_eq!(spec["type"], "ClusterIP");
        assert_eq!(spec["sessionAffinity"], "None");
        assert_eq!(spec["internalTrafficPolicy"], "Cluster");
        assert!(spec.get("externalTrafficPolicy").is_none());
        assert_eq!(
            spec["ports"][0],
            json!({"port": 80, "protocol": "TCP", "targetPort": 80})
        );
        assert_eq!(spec["ports"][1]["targetPort"], "https");
        assert_eq!(spec["ports"][1]["protocol"], "UDP");
    }

    #[test]
    fn node_port_and_lb_defaults() {
        let mut s = json!({"metadata": {"name": "web"},
            "spec": {"type": "LoadBalancer", "sessionAffinity": "ClientIP", "ports": [{"port": 80, "targetPort": 0}]}});
        ServiceHooks.default(&mut s).unwrap();
        let spec = &s["spec"];
        assert_eq!(spec["externalTrafficPolicy"], "Cluster");
        assert_eq!(spec["allocateLoadBalancerNodePorts"], true);
        assert_eq!(
            spec["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"],
            10800
        );
        assert_eq!(spec["ports"][0]["targetPort"], 80);
    }

    #[test]
    fn service_rows() {
        let s = json!({"metadata": {"name": "web"},
            "spec": {"type": "NodePort", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                     "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}],
                     "selector": {"app": "web", "a": "b"}}});
        let row = ServiceHooks.row(&s, 0);
        assert_eq!(row.len(), ServiceHooks.columns().len());
        assert_eq!(
            row,
            vec![
                json!("web"),
                json!("NodePort"),
                json!("10.96.0.10"),
                json!("<none>"),
                json!("80:30080/TCP,53/UDP"),
                json!("<unknown>"),
                json!("a=b,app=web")
            ]
        );
        let lb = json!({"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer"}});
        assert_eq!(ServiceHooks.row(&lb, 0)[3], "<pending>");
        assert_eq!(ServiceHooks.row(&lb, 0)[4], "<none>");
        let lb_ip = json!({"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "externalIPs": ["5.6.7.8"]},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.9"}, {"hostname": "lb.example.com"}, {"ip": "1.2.3.4"}]}}});
        assert_eq!(
            ServiceHooks.row(&lb_ip, 0)[3],
            "1.2.3.4,1.2.3.9,lb.example.com,5.6.7.8"
        );
        let ext = json!({"metadata": {"name": "x"}, "spec": {"type": "ExternalName", "externalName": "example.com"}});
        assert_eq!(ServiceHooks.row(&ext, 0)[3], "example.com");
        let headless = json!({"metadata": {"name": "h"}, "spec": {"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"]}});
        assert_eq!(ServiceHooks.row(&headless, 0)[2], "None");
    }
}
