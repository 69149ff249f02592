//! Endpoints and EndpointSlice validation.

use std::collections::HashSet;

use serde_json::Value;

use super::field::{Path, duplicate, invalid, not_supported, required, too_many};
use super::meta::{validate_immutable_str, validate_object_meta, validate_object_meta_update};
use super::names::{
    is_dns1123_label, is_valid_ip, is_valid_ipv4, is_valid_ipv6, is_valid_port_num,
    name_is_dns_subdomain,
};
use super::{arr, int, obj_get, str_of};
use crate::registry::FieldError;

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

fn validate_ports(
    ports: &[Value],
    path: &Path,
    require_name: bool,
    optional_port: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = HashSet::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = path.index(i);
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
        match int(p, "port") {
            None if optional_port => {}
            port => {
                let port = port.unwrap_or(0);
                for m in is_valid_port_num(port) {
                    errs.push(invalid(&pp.child("port"), port, &m));
                }
            }
        }
        let proto = str_of(p, "protocol");
        if proto.is_empty() {
            if !optional_port {
                errs.push(required(&pp.child("protocol"), ""));
            }
        } else if !PROTOCOLS.contains(&proto) {
            errs.push(not_supported(&pp.child("protocol"), proto, PROTOCOLS));
        }
    }
    errs
}

/// `ValidateEndpoints` (create and update alike).
pub fn validate_endpoints(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let subsets = arr(obj, "subsets");
    for (i, ss) in subsets.iter().enumerate() {
        let sp = Path::new("subsets").index(i);
        if arr(ss, "addresses").is_empty() && arr(ss, "notReadyAddresses").is_empty() {
            errs.push(required(
                &sp,
                "must specify `addresses` or `notReadyAddresses`",
            ));
        }
        for list in ["addresses", "notReadyAddresses"] {
            for (j, a) in arr(ss, list).iter().enumerate() {
                let ap = sp.child(list).index(j);
                let ip = str_of(a, "ip");
                for m in is_valid_ip(ip) {
                    errs.push(invalid(&ap.child("ip"), ip, &m));
                }
                let host = str_of(a, "hostname");
                if !host.is_empty() {
                    for m in is_dns1123_label(host) {
                        errs.push(invalid(&ap.child("hostname"), host, &m));
                    }
                }
                let node = str_of(a, "nodeName");
                if !node.is_empty() {
                    for m in name_is_dns_subdomain(node, false) {
                        errs.push(invalid(&ap.child("nodeName"), node, &m));
                    }
                }
            }
        }
        let ports = arr(ss, "ports");
        errs.extend(validate_ports(
            ports,
            &sp.child("ports"),
            ports.len() > 1,
            false,
        ));
    }
    errs
}

const ADDRESS_TYPES: &[&str] = &["FQDN", "IPv4", "IPv6"];

/// `ValidateEndpointSliceCreate`.
pub fn validate_endpoint_slice(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    errs.extend(validate_endpoint_slice_body(obj));
    errs
}

fn validate_endpoint_slice_body(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let at = str_of(obj, "addressType");
    if !ADDRESS_TYPES.contains(&at) {
        errs.push(not_supported(&Path::new("addressType"), at, ADDRESS_TYPES));
    }
    let endpoints = arr(obj, "endpoints");
    if endpoints.len() > 1000 {
        errs.push(too_many(&Path::new("endpoints"), endpoints.len(), 1000));
    }
    for (i, e) in endpoints.iter().enumerate() {
        let ep = Path::new("endpoints").index(i);
        let addrs = arr(e, "addresses");
        if addrs.is_empty() {
            errs.push(required(
                &ep.child("addresses"),
                "must contain at least 1 address",
            ));
        } else if addrs.len() > 100 {
            errs.push(too_many(&ep.child("addresses"), addrs.len(), 100));
        }
        for (j, a) in addrs.iter().enumerate() {
            let a = a.as_str().unwrap_or("");
            let ap = ep.child("addresses").index(j);
            let msgs = match at {
                "IPv4" => is_valid_ipv4(a),
                "IPv6" => is_valid_ipv6(a),
                "FQDN" => super::names::is_dns1123_subdomain(a),
                _ => Vec::new(),
            };
            for m in msgs {
                errs.push(invalid(&ap, a, &m));
            }
        }
        let node = obj_get(e, "nodeName").and_then(Value::as_str).unwrap_or("");
        if !node.is_empty() {
            for m in name_is_dns_subdomain(node, false) {
                errs.push(invalid(&ep.child("nodeName"), node, &m));
            }
        }
    }
    let ports = arr(obj, "ports");
    if ports.len() > 100 {
        errs.push(too_many(&Path::new("ports"), ports.len(), 100));
    }
    errs.extend(validate_ports(ports, &Path::new("ports"), false, true));
    errs
}

/// `ValidateEndpointSliceUpdate`: the address type is immutable.
pub fn validate_endpoint_slice_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, true, name_is_dns_subdomain);
    errs.extend(validate_endpoint_slice_body(obj));
    errs.extend(validate_immutable_str(
        str_of(obj, "addressType"),
        str_of(old, "addressType"),
        &Path::new("addressType"),
    ));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter().map(|e| (e.field.as_str(), e.reason)).collect()
    }

    #[test]
    fn endpoints() {
        let ok = json!({"metadata": {"name": "web", "namespace": "default"}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80, "protocol": "TCP"}]}]});
        assert_eq!(validate_endpoints(&ok), vec![]);
        let bad = json!({"metadata": {"name": "web", "namespace": "default"}, "subsets": [
            {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 0, "protocol": "TCP"}]},
            {"addresses": [{"ip": "nope"}]}]});
        assert_eq!(
            fields(&validate_endpoints(&bad)),
            vec![
                ("subsets[0]", "FieldValueRequired"),
                ("subsets[0].ports[0].name", "FieldValueRequired"),
                ("subsets[0].ports[1].name", "FieldValueRequired"),
                ("subsets[0].ports[1].port", "FieldValueInvalid"),
                ("subsets[1].addresses[0].ip", "FieldValueInvalid"),
            ]
        );
    }

    #[test]
    fn endpoint_slices() {
        let ok = json!({"metadata": {"name": "web-abc", "namespace": "default"}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"name": "", "port": 80, "protocol": "TCP"}]});
        assert_eq!(validate_endpoint_slice(&ok), vec![]);
        let bad = json!({"metadata": {"name": "web-abc", "namespace": "default"}, "addressType": "IPv5",
            "endpoints": [{"addresses": []}]});
        assert_eq!(
            fields(&validate_endpoint_slice(&bad)),
            vec![
                ("addressType", "FieldValueNotSupported"),
                ("endpoints[0].addresses", "FieldValueRequired")
            ]
        );
        let v4 = json!({"metadata": {"name": "x", "namespace": "d"}, "addressType": "IPv4", "endpoints": [{"addresses": ["fd00::1"]}]});
        assert_eq!(
            fields(&validate_endpoint_slice(&v4)),
            vec![("endpoints[0].addresses[0]", "FieldValueInvalid")]
        );
        let mut changed = ok.clone();
        changed["addressType"] = json!("IPv6");
        changed["endpoints"] = json!([{"addresses": ["fd00::1"]}]);
        assert_eq!(
            fields(&validate_endpoint_slice_update(&changed, &ok)),
            vec![("addressType", "FieldValueInvalid")]
        );
    }
}
