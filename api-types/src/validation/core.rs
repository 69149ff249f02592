//! Validation of the smaller core kinds: Namespace, Node, Event,
//! ConfigMap, Secret, and coordination.k8s.io Lease.

use std::collections::HashSet;

use serde_json::Value;

use super::field::{Path, duplicate, forbidden, invalid, not_supported, required, too_long};
use super::meta::{
    validate_finalizer_name, validate_immutable_str, validate_label_name, validate_object_meta,
    validate_object_meta_update,
};
use super::names::{
    is_config_map_key, is_valid_label_value, name_is_dns_label, name_is_dns_subdomain,
};
use super::{arr, int, obj_get, str_of};
use crate::registry::FieldError;

/// Largest ConfigMap or Secret payload (1 MiB).
pub const MAX_SECRET_SIZE: usize = 1024 * 1024;

fn namespace_spec(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for f in obj
        .pointer("/spec/finalizers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        errs.extend(validate_finalizer_name(
            f.as_str().unwrap_or(""),
            &Path::new("spec").child("finalizers"),
        ));
    }
    errs
}

/// `ValidateNamespace`: a DNS-1123 label name, valid finalizers.
pub fn validate_namespace_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, false, name_is_dns_label);
    errs.extend(namespace_spec(obj));
    errs
}

/// `ValidateNamespaceUpdate`.
pub fn validate_namespace_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, false, name_is_dns_label);
    errs.extend(namespace_spec(obj));
    errs
}

/// `ValidateNamespaceStatusUpdate`: the phase follows `deletionTimestamp`.
pub fn validate_namespace_status_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, false, name_is_dns_label);
    let phase = obj
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("");
    let deleting = obj
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null());
    let p = Path::new("status").child("phase");
    if !deleting && phase != "Active" {
        errs.push(invalid(
            &p,
            phase,
            "may only be 'Active' if `deletionTimestamp` is empty",
        ));
    } else if deleting && phase != "Terminating" {
        errs.push(invalid(
            &p,
            phase,
            "may only be 'Terminating' if `deletionTimestamp` is not empty",
        ));
    }
    errs
}

fn node_spec(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let mut seen = HashSet::new();
    for (i, t) in arr(spec, "taints").iter().enumerate() {
        let tp = Path::new("spec").child("taints").index(i);
        let key = str_of(t, "key");
        errs.extend(validate_label_name(key, &tp.child("key")));
        let value = str_of(t, "value");
        for m in is_valid_label_value(value) {
            errs.push(invalid(&tp.child("value"), value, &m));
        }
        let effect = str_of(t, "effect");
        if effect.is_empty() {
            errs.push(required(&tp.child("effect"), ""));
        } else if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
            errs.push(not_supported(
                &tp.child("effect"),
                effect,
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
        if !seen.insert((key.to_string(), effect.to_string())) {
            errs.push(duplicate(
                &tp,
                "taints must be unique by key and effect pair",
            ));
        }
    }
    for (i, cidr) in arr(spec, "podCIDRs").iter().enumerate() {
        let c = cidr.as_str().unwrap_or("");
        let ok = c.split_once('/').is_some_and(|(ip, bits)| {
            ip.parse::<std::net::IpAddr>().is_ok() && bits.parse::<u8>().is_ok()
        });
        if !ok {
            errs.push(invalid(
                &Path::new("spec").child("podCIDRs").index(i),
                c,
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ));
        }
    }
    errs
}

/// `ValidateNode`: name, taints, pod CIDRs.
pub fn validate_node_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, false, name_is_dns_subdomain);
    errs.extend(node_spec(obj));
    errs
}

/// `ValidateNodeUpdate`: pod CIDRs and provider ID may only be set once.
pub fn validate_node_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, false, name_is_dns_subdomain);
    errs.extend(node_spec(obj));
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let old_spec = old.get("spec").unwrap_or(&null);
    let old_cidrs = arr(old_spec, "podCIDRs");
    let new_cidrs = arr(spec, "podCIDRs");
    let cp = Path::new("spec").child("podCIDRs");
    if !old_cidrs.is_empty() {
        if old_cidrs.len() != new_cidrs.len() {
            errs.push(forbidden(&cp, "may not change once set"));
        } else {
            for (i, (o, n)) in old_cidrs.iter().zip(new_cidrs).enumerate() {
                if o != n {
                    errs.push(forbidden(&cp.index(i), "may not change once set"));
                }
            }
        }
    }
    let old_pid = str_of(old_spec, "providerID");
    if !old_pid.is_empty() && old_pid != str_of(spec, "providerID") {
        errs.push(forbidden(
            &Path::new("spec").child("providerID"),
            "node updates may not change providerID except from \"\" to valid",
        ));
    }
    errs
}

/// `ValidateEventCreate`/`Update` basics: the involved object's namespace
/// matches the event's, and new-style events (with `eventTime`) name their
/// reporter, action and reason.
pub fn validate_event(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let io_ns = obj
        .pointer("/involvedObject/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mismatch = if io_ns.is_empty() {
        !ns.is_empty() && ns != "default"
    } else {
        io_ns != ns
    };
    if mismatch {
        errs.push(invalid(
            &Path::new("involvedObject").child("namespace"),
            io_ns,
            "does not match event.namespace",
        ));
    }
    if obj_get(obj, "eventTime").is_some() {
        for f in [
            "reportingComponent",
            "reportingInstance",
            "action",
            "reason",
        ] {
            if str_of(obj, f).is_empty() {
                let name = if f == "reportingComponent" {
                    "reportingController"
                } else {
                    f
                };
                errs.push(required(&Path::new(name), ""));
            }
        }
    }
    errs
}

/// `ValidateLease`.
pub fn validate_lease(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let sp = Path::new("spec");
    if let Some(d) = int(spec, "leaseDurationSeconds")
        && d <= 0
    {
        errs.push(invalid(
            &sp.child("leaseDurationSeconds"),
            d,
            "must be greater than 0",
        ));
    }
    if let Some(t) = int(spec, "leaseTransitions")
        && t < 0
    {
        errs.push(invalid(
            &sp.child("leaseTransitions"),
            t,
            "must be greater than or equal to 0",
        ));
    }
    errs
}

fn data_keys(obj: &Value, field: &str, errs: &mut Vec<FieldError>) -> (HashSet<String>, usize) {
    let mut keys = HashSet::new();
    let mut size = 0;
    for (k, v) in obj
        .get(field)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for m in is_config_map_key(k) {
            errs.push(invalid(&Path::new(field).key(k), k.as_str(), &m));
        }
        keys.insert(k.clone());
        size += v.as_str().map_or(0, str::len);
    }
    (keys, size)
}

/// `ValidateConfigMap`: keys and the 1 MiB limit.
pub fn validate_config_map(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let (data, s1) = data_keys(obj, "data", &mut errs);
    let (binary, s2) = data_keys(obj, "binaryData", &mut errs);
    let mut dups: Vec<&String> = data.intersection(&binary).collect();
    dups.sort();
    for k in dups {
        errs.push(invalid(
            &Path::new("binaryData").key(k),
            k.as_str(),
            "duplicate of key present in data",
        ));
    }
    if s1 + s2 > MAX_SECRET_SIZE {
        errs.push(too_long(&Path::new(""), MAX_SECRET_SIZE));
    }
    errs
}

fn immutable_data(obj: &Value, old: &Value, fields: &[&str]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if old.get("immutable").and_then(Value::as_bool) != Some(true) {
        return errs;
    }
    if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
        errs.push(forbidden(
            &Path::new("immutable"),
            "field is immutable when `immutable` is set",
        ));
    }
    for f in fields {
        if obj.get(*f) != old.get(*f) {
            errs.push(forbidden(
                &Path::new(f),
                "field is immutable when `immutable` is set",
            ));
        }
    }
    errs
}

/// `ValidateConfigMapUpdate`: immutable ConfigMaps keep their data.
pub fn validate_config_map_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, true, name_is_dns_subdomain);
    errs.retain(|e| e.field.starts_with("metadata."));
    let mut body = validate_config_map(obj);
    body.retain(|e| !e.field.starts_with("metadata."));
    errs.extend(body);
    errs.extend(immutable_data(obj, old, &["data", "binaryData"]));
    errs
}

/// `ValidateSecret`: keys, size, and the required keys of well-known types.
pub fn validate_secret(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let (keys, size) = data_keys(obj, "data", &mut errs);
    if size > MAX_SECRET_SIZE {
        errs.push(too_long(&Path::new("data"), MAX_SECRET_SIZE));
    }
    let need: &[&str] = match str_of(obj, "type") {
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/basic-auth" => &[],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        _ => &[],
    };
    for k in need {
        if !keys.contains(*k) {
            errs.push(required(&Path::new("data").key(k), ""));
        }
    }
    errs
}

/// `ValidateSecretUpdate`: the type is immutable; immutable Secrets keep
/// their data.
pub fn validate_secret_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, true, name_is_dns_subdomain);
    errs.retain(|e| e.field.starts_with("metadata."));
    let mut body = validate_secret(obj);
    body.retain(|e| !e.field.starts_with("metadata."));
    errs.extend(body);
    errs.extend(validate_immutable_str(
        str_of(obj, "type"),
        str_of(old, "type"),
        &Path::new("type"),
    ));
    errs.extend(immutable_data(obj, old, &["data"]));
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
    fn namespaces() {
        let ok = json!({"metadata": {"name": "team-a"}, "spec": {"finalizers": ["kubernetes"]}});
        assert_eq!(validate_namespace_create(&ok), vec![]);
        let bad = json!({"metadata": {"name": "team.a"}, "spec": {"finalizers": ["nope"]}});
        let errs = validate_namespace_create(&bad);
        assert_eq!(
            fields(&errs),
            vec![
                ("metadata.name", "FieldValueInvalid"),
                ("spec.finalizers", "FieldValueInvalid")
            ]
        );
        assert!(errs[0].message.contains("a lowercase RFC 1123 label"));
        let mut term = ok.clone();
        term["status"] = json!({"phase": "Terminating"});
        assert_eq!(
            fields(&validate_namespace_status_update(&term, &ok)),
            vec![("status.phase", "FieldValueInvalid")]
        );
        term["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
        assert_eq!(validate_namespace_status_update(&term, &ok), vec![]);
    }

    #[test]
    fn nodes() {
        let ok = json!({"metadata": {"name": "n1"}, "spec": {"podCIDRs": ["10.244.0.0/24"],
            "taints": [{"key": "k", "effect": "NoSchedule"}]}});
        assert_eq!(validate_node_create(&ok), vec![]);
        let bad = json!({"metadata": {"name": "n1"}, "spec": {"podCIDRs": ["x"],
            "taints": [{"key": "k", "effect": "Never"}, {"key": "k", "effect": "Never"}, {"key": "j"}]}});
        assert_eq!(
            fields(&validate_node_create(&bad)),
            vec![
                ("spec.taints[0].effect", "FieldValueNotSupported"),
                ("spec.taints[1].effect", "FieldValueNotSupported"),
                ("spec.taints[1]", "FieldValueDuplicate"),
                ("spec.taints[2].effect", "FieldValueRequired"),
                ("spec.podCIDRs[0]", "FieldValueInvalid"),
            ]
        );
        let mut moved = ok.clone();
        moved["spec"]["podCIDRs"] = json!(["10.245.0.0/24"]);
        assert_eq!(
            fields(&validate_node_update(&moved, &ok)),
            vec![("spec.podCIDRs[0]", "FieldValueForbidden")]
        );
    }

    #[test]
    fn events_and_leases() {
        let ok = json!({"metadata": {"name": "e1", "namespace": "default"}, "involvedObject": {"kind": "Pod", "namespace": "default"}});
        assert_eq!(validate_event(&ok), vec![]);
        let bad = json!({"metadata": {"name": "e1", "namespace": "a"}, "involvedObject": {"kind": "Pod", "namespace": "b"},
            "eventTime": "2024-01-01T00:00:00.000000Z"});
        assert_eq!(
            fields(&validate_event(&bad)),
            vec![
                ("involvedObject.namespace", "FieldValueInvalid"),
                ("reportingController", "FieldValueRequired"),
                ("reportingInstance", "FieldValueRequired"),
                ("action", "FieldValueRequired"),
                ("reason", "FieldValueRequired"),
            ]
        );
        let lease = json!({"metadata": {"name": "l", "namespace": "kube-system"}, "spec": {"leaseDurationSeconds": 0, "leaseTransitions": -1}});
        assert_eq!(
            fields(&validate_lease(&lease)),
            vec![
                ("spec.leaseDurationSeconds", "FieldValueInvalid"),
                ("spec.leaseTransitions", "FieldValueInvalid")
            ]
        );
    }

    #[test]
    fn config_maps_and_secrets() {
        let cm = json!({"metadata": {"name": "c", "namespace": "d"}, "data": {"a.b": "1", "bad/key": "2"}, "binaryData": {"a.b": "eA=="}});
        assert_eq!(
            fields(&validate_config_map(&cm)),
            vec![
                ("data[bad/key]", "FieldValueInvalid"),
                ("binaryData[a.b]", "FieldValueInvalid")
            ]
        );
        let frozen = json!({"metadata": {"name": "c", "namespace": "d"}, "data": {"a": "1"}, "immutable": true});
        let mut changed = frozen.clone();
        changed["data"]["a"] = json!("2");
        assert_eq!(
            fields(&validate_config_map_update(&changed, &frozen)),
            vec![("data", "FieldValueForbidden")]
        );
        let tls = json!({"metadata": {"name": "s", "namespace": "d"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "eA=="}});
        assert_eq!(
            fields(&validate_secret(&tls)),
            vec![("data[tls.key]", "FieldValueRequired")]
        );
        let opaque = json!({"metadata": {"name": "s", "namespace": "d"}, "type": "Opaque"});
        let mut retyped = opaque.clone();
        retyped["type"] = json!("other");
        assert_eq!(
            fields(&validate_secret_update(&retyped, &opaque)),
            vec![("type", "FieldValueInvalid")]
        );
    }
}
