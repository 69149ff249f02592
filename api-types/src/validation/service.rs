//! Service validation (`ValidateService`, `ValidateServiceUpdate`). Names
//! are DNS-1035 labels, as in Kubernetes.

use std::collections::HashSet;

use serde_json::Value;

use super::field::{
    BadValue, Path, duplicate, forbidden, go_string_slice, invalid, not_supported, required,
};
use super::meta::{validate_object_meta, validate_object_meta_update};
use super::names::{
    is_dns1123_label, is_dns1123_subdomain, is_valid_ip, is_valid_port_num, name_is_dns1035_label,
};
use super::pod::validate_port_num_or_name;
use super::{NULL, arr, int, str_of};
use crate::registry::FieldError;

/// The NodePort range Kubernetes allocates from by default.
pub const NODE_PORT_RANGE: std::ops::RangeInclusive<i64> = 30000..=32767;

const SERVICE_TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

fn cluster_ips(spec: &Value) -> Vec<String> {
    let ips: Vec<String> = arr(spec, "clusterIPs")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if ips.is_empty() {
        let ip = str_of(spec, "clusterIP");
        if ip.is_empty() {
            Vec::new()
        } else {
            vec![ip.to_string()]
        }
    } else {
        ips
    }
}

fn validate_service_spec(spec: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ty = str_of(spec, "type");
    let headless = str_of(spec, "clusterIP") == "None";
    let ports = arr(spec, "ports");
    if ports.is_empty() && !headless && ty != "ExternalName" {
        errs.push(required(&path.child("ports"), ""));
    }
    if ty.is_empty() {
        errs.push(required(&path.child("type"), ""));
    } else if !SERVICE_TYPES.contains(&ty) {
        errs.push(not_supported(&path.child("type"), ty, SERVICE_TYPES));
    }
    if ty == "ExternalName" {
        let name = str_of(spec, "externalName");
        if name.is_empty() {
            errs.push(required(&path.child("externalName"), ""));
        } else {
            for m in is_dns1123_subdomain(name.trim_end_matches('.')) {
                errs.push(invalid(&path.child("externalName"), name, &m));
            }
        }
        if !cluster_ips(spec).is_empty() {
            errs.push(forbidden(
                &path.child("clusterIPs"),
                "may not be set for ExternalName services",
            ));
        }
    }
    let require_name = ports.len() > 1;
    let mut names = HashSet::new();
    let mut node_ports = HashSet::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = path.child("ports").index(i);
        let name = str_of(p, "name");
        if require_name && name.is_empty() {
            errs.push(required(&pp.child("name"), ""));
        } else if !name.is_empty() {
            for m in is_dns1123_label(name) {
                errs.push(invalid(&pp.child("name"), name, &m));
            }
            if !names.insert(name.to_string()) {
                errs.push(duplicate(&pp.child("name"), name));
            }
        }
        let port = int(p, "port").unwrap_or(0);
        for m in is_valid_port_num(port) {
            errs.push(invalid(&pp.child("port"), port, &m));
        }
        let proto = str_of(p, "protocol");
        if proto.is_empty() {
            errs.push(required(&pp.child("protocol"), ""));
        } else if !PROTOCOLS.contains(&proto) {
            errs.push(not_supported(&pp.child("protocol"), proto, PROTOCOLS));
        }
        errs.extend(validate_port_num_or_name(
            p.get("targetPort"),
            &pp.child("targetPort"),
        ));
        if let Some(np) = int(p, "nodePort").filter(|n| *n != 0) {
            if ty == "ClusterIP" {
                errs.push(forbidden(
                    &pp.child("nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            } else if !NODE_PORT_RANGE.contains(&np) {
                errs.push(invalid(
                    &pp.child("nodePort"),
                    np,
                    "provided port is not in the valid range. The range of valid ports is 30000-32767",
                ));
            } else if !node_ports.insert(format!("{np}/{proto}")) {
                errs.push(duplicate(&pp.child("nodePort"), np));
            }
        }
    }
    for (i, ip) in cluster_ips(spec).iter().enumerate() {
        if ip == "None" || ty == "ExternalName" {
            continue;
        }
        for m in is_valid_ip(ip) {
            errs.push(invalid(&path.child("clusterIPs").index(i), ip.as_str(), &m));
        }
    }
    match str_of(spec, "sessionAffinity") {
        "" | "None" | "ClientIP" => {}
        s => errs.push(not_supported(
            &path.child("sessionAffinity"),
            s,
            &["ClientIP", "None"],
        )),
    }
    errs.extend(super::meta::validate_labels(
        spec.get("selector"),
        &path.child("selector"),
    ));
    errs
}

/// Validation of a new Service.
pub fn validate_service_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns1035_label);
    let spec = obj.get("spec").unwrap_or(&NULL);
    errs.extend(validate_service_spec(spec, &Path::new("spec")));
    errs
}

/// Validation of a Service update: the cluster IPs may not change once
/// set (except to or from ExternalName, or between headless forms).
pub fn validate_service_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, true, name_is_dns1035_label);
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let old_spec = old.get("spec").unwrap_or(&null);
    errs.extend(validate_service_spec(spec, &Path::new("spec")));
    if str_of(spec, "type") == "ExternalName" || str_of(old_spec, "type") == "ExternalName" {
        return errs;
    }
    if str_of(spec, "clusterIP") == "None" && str_of(old_spec, "clusterIP") == "None" {
        return errs;
    }
    let new_ips = cluster_ips(spec);
    let old_ips = cluster_ips(old_spec);
    let path = Path::new("spec").child("clusterIPs");
    let value = || BadValue::Raw(go_string_slice(Some(&new_ips)));
    if old_ips.len() == new_ips.len() {
        for (i, ip) in old_ips.iter().enumerate() {
            if *ip != new_ips[i] {
                errs.push(invalid(&path.index(i), value(), "may not change once set"));
            }
        }
    } else if old_ips.len() > new_ips.len() {
        if new_ips.is_empty() {
            errs.push(invalid(
                &path.index(0),
                value(),
                "primary clusterIP can not be unset",
            ));
        } else if new_ips[0] != old_ips[0] {
            errs.push(invalid(&path.index(0), value(), "may not change once set"));
        }
    } else if !old_ips.is_empty() && new_ips[0] != old_ips[0] {
        errs.push(invalid(&path.index(0), value(), "may not change once set"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::ServiceHooks;
    use crate::registry::KindHooks;
    use serde_json::json;

    fn svc(spec: Value) -> Value {
        let mut s = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"}, "spec": spec});
        ServiceHooks.default(&mut s).unwrap();
        s
    }

    fn fields(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter().map(|e| (e.field.as_str(), e.reason)).collect()
    }

    #[test]
    fn valid_services() {
        assert_eq!(
            validate_service_create(&svc(
                json!({"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]})
            )),
            vec![]
        );
        assert_eq!(
            validate_service_create(&svc(json!({"clusterIP": "None"}))),
            vec![]
        );
        assert_eq!(
            validate_service_create(&svc(
                json!({"type": "ExternalName", "externalName": "example.com"})
            )),
            vec![]
        );
        assert_eq!(
            validate_service_create(&svc(
                json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]})
            )),
            vec![]
        );
    }

    #[test]
    fn service_errors() {
        assert_eq!(
            fields(&validate_service_create(&svc(json!({})))),
            vec![("spec.ports", "FieldValueRequired")]
        );
        let errs = validate_service_create(&svc(json!({"type": "Weird", "ports": [
            {"port": 0}, {"name": "a", "port": 80, "targetPort": "bad--name"}, {"name": "a", "port": 81, "protocol": "HTTP", "nodePort": 30001}]})));
        assert_eq!(
            fields(&errs),
            vec![
                ("spec.type", "FieldValueNotSupported"),
                ("spec.ports[0].name", "FieldValueRequired"),
                ("spec.ports[0].port", "FieldValueInvalid"),
                ("spec.ports[0].targetPort", "FieldValueInvalid"),
                ("spec.ports[1].targetPort", "FieldValueInvalid"),
                ("spec.ports[2].name", "FieldValueDuplicate"),
                ("spec.ports[2].protocol", "FieldValueNotSupported"),
            ]
        );
        assert_eq!(
            errs[0].message,
            "Unsupported value: \"Weird\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        );
        let errs =
            validate_service_create(&svc(json!({"ports": [{"port": 80, "nodePort": 30080}]})));
        assert_eq!(
            errs[0].message,
            "Forbidden: may not be used when `type` is 'ClusterIP'"
        );
        let errs = validate_service_create(&svc(
            json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]}),
        ));
        assert_eq!(
            fields(&errs),
            vec![("spec.ports[0].nodePort", "FieldValueInvalid")]
        );
        let mut bad_name = svc(json!({"ports": [{"port": 80}]}));
        bad_name["metadata"]["name"] = json!("1web");
        assert!(
            validate_service_create(&bad_name)[0]
                .message
                .contains("a DNS-1035 label")
        );
    }

    #[test]
    fn cluster_ip_immutable() {
        let old = svc(
            json!({"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "ports": [{"port": 80}]}),
        );
        let mut same = old.clone();
        same["spec"]["ports"][0]["port"] = json!(81);
        same["spec"]["ports"][0]["targetPort"] = json!(81);
        assert_eq!(validate_service_update(&same, &old), vec![]);
        let mut changed = old.clone();
        changed["spec"]["clusterIP"] = json!("10.96.0.11");
        changed["spec"]["clusterIPs"] = json!(["10.96.0.11"]);
        let errs = validate_service_update(&changed, &old);
        assert_eq!(
            fields(&errs),
            vec![("spec.clusterIPs[0]", "FieldValueInvalid")]
        );
        assert_eq!(
            errs[0].message,
            "Invalid value: []string{\"10.96.0.11\"}: may not change once set"
        );
        let mut unset = old.clone();
        unset["spec"].as_object_mut().unwrap().remove("clusterIP");
        unset["spec"].as_object_mut().unwrap().remove("clusterIPs");
        assert!(
            validate_service_update(&unset, &old)[0]
                .message
                .ends_with("primary clusterIP can not be unset")
        );
    }
}
