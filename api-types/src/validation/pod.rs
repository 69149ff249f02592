//! Pod and pod-template validation (`pkg/apis/core/validation`:
//! `ValidatePodSpec`, `ValidatePodCreate`, `ValidatePodUpdate`).

use std::collections::HashSet;

use serde_json::Value;

use super::field::{
    BadValue, Path, duplicate, forbidden, invalid, not_found, not_supported, required,
};
use super::meta::{validate_labels, validate_object_meta, validate_object_meta_update};
use super::names::{
    inclusive_range_error, is_dns1123_label, is_env_var_name, is_qualified_name,
    is_valid_label_value, is_valid_port_name, is_valid_port_num, name_is_dns_subdomain,
};
use super::resources::validate_resources;
use super::{NULL, arr, int, obj_get, str_of};
use crate::registry::FieldError;

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// The order in which `validateVolumeSource` looks at volume sources: the
/// second one found is the one reported.
const VOLUME_SOURCE_ORDER: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// The fields `ValidatePodUpdate` lets change, as its message lists them.
pub const POD_UPDATABLE_FIELDS: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidateNonnegativeField`.
pub fn validate_nonnegative(v: Option<i64>, path: &Path) -> Vec<FieldError> {
    match v {
        Some(n) if n < 0 => vec![invalid(path, n, "must be greater than or equal to 0")],
        _ => Vec::new(),
    }
}

/// `ValidatePortNumOrName` on an int-or-string JSON value.
pub fn validate_port_num_or_name(v: Option<&Value>, path: &Path) -> Vec<FieldError> {
    match v {
        Some(Value::String(s)) => is_valid_port_name(s)
            .into_iter()
            .map(|m| invalid(path, s.as_str(), &m))
            .collect(),
        Some(v) => {
            let n = v.as_i64().unwrap_or(0);
            is_valid_port_num(n)
                .into_iter()
                .map(|m| invalid(path, n, &m))
                .collect()
        }
        None => is_valid_port_num(0)
            .into_iter()
            .map(|m| invalid(path, 0, &m))
            .collect(),
    }
}

fn validate_dns_label(value: &str, path: &Path) -> Vec<FieldError> {
    is_dns1123_label(value)
        .into_iter()
        .map(|m| invalid(path, value, &m))
        .collect()
}

fn validate_handler(h: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut n = 0;
    for kind in ["exec", "httpGet", "tcpSocket", "grpc"] {
        let Some(a) = obj_get(h, kind) else { continue };
        let p = path.child(kind);
        if n > 0 {
            errs.push(forbidden(&p, "may not specify more than 1 handler type"));
            continue;
        }
        n += 1;
        match kind {
            "exec" => {
                if arr(a, "command").is_empty() {
                    errs.push(required(&p.child("command"), ""));
                }
            }
            "httpGet" => {
                if str_of(a, "path").is_empty() {
                    errs.push(required(&p.child("path"), ""));
                }
                errs.extend(validate_port_num_or_name(a.get("port"), &p.child("port")));
                let scheme = str_of(a, "scheme");
                if scheme != "HTTP" && scheme != "HTTPS" {
                    errs.push(not_supported(
                        &p.child("scheme"),
                        scheme,
                        &["HTTP", "HTTPS"],
                    ));
                }
            }
            "tcpSocket" => {
                errs.extend(validate_port_num_or_name(a.get("port"), &p.child("port")));
            }
            _ => {
                let port = int(a, "port").unwrap_or(0);
                for m in is_valid_port_num(port) {
                    errs.push(invalid(&p.child("port"), port, &m));
                }
            }
        }
    }
    if n == 0 {
        errs.push(required(path, "must specify a handler type"));
    }
    errs
}

fn validate_probe(probe: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_handler(probe, path);
    for f in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        errs.extend(validate_nonnegative(int(probe, f), &path.child(f)));
    }
    if let Some(g) = int(probe, "terminationGracePeriodSeconds")
        && g <= 0
    {
        errs.push(invalid(
            &path.child("terminationGracePeriodSeconds"),
            g,
            "must be greater than 0",
        ));
    }
    errs
}

/// Which list a container belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ContainerKind {
    Regular,
    Init,
}

fn validate_container(
    c: &Value,
    path: &Path,
    kind: ContainerKind,
    volumes: &HashSet<String>,
    is_pod: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = str_of(c, "name");
    if name.is_empty() {
        errs.push(required(&path.child("name"), ""));
    } else {
        errs.extend(validate_dns_label(name, &path.child("name")));
    }
    let image = str_of(c, "image");
    if image.is_empty() {
        errs.push(required(&path.child("image"), ""));
    } else if is_pod && image.trim() != image {
        errs.push(invalid(
            &path.child("image"),
            image,
            "must not have leading or trailing whitespace",
        ));
    }
    let sidecar = kind == ContainerKind::Init && str_of(c, "restartPolicy") == "Always";
    match (kind, c.get("restartPolicy").and_then(Value::as_str)) {
        (ContainerKind::Regular, Some(_)) => errs.push(forbidden(
            &path.child("restartPolicy"),
            "may not be set for non-init containers",
        )),
        (ContainerKind::Init, Some(p)) if p != "Always" => {
            errs.push(not_supported(&path.child("restartPolicy"), p, &["Always"]))
        }
        _ => {}
    }
    // Ports.
    let mut port_names = HashSet::new();
    for (i, p) in arr(c, "ports").iter().enumerate() {
        let pp = path.child("ports").index(i);
        let pname = str_of(p, "name");
        if !pname.is_empty() {
            let msgs = is_valid_port_name(pname);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.push(invalid(&pp.child("name"), pname, &m));
                }
            } else if !port_names.insert(pname.to_string()) {
                errs.push(duplicate(&pp.child("name"), pname));
            }
        }
        match int(p, "containerPort").unwrap_or(0) {
            0 => errs.push(required(&pp.child("containerPort"), "")),
            n => {
                for m in is_valid_port_num(n) {
                    errs.push(invalid(&pp.child("containerPort"), n, &m));
                }
            }
        }
        if let Some(hp) = int(p, "hostPort").filter(|n| *n != 0) {
            for m in is_valid_port_num(hp) {
                errs.push(invalid(&pp.child("hostPort"), hp, &m));
            }
        }
        let proto = str_of(p, "protocol");
        if proto.is_empty() {
            errs.push(required(&pp.child("protocol"), ""));
        } else if !PROTOCOLS.contains(&proto) {
            errs.push(not_supported(&pp.child("protocol"), proto, PROTOCOLS));
        }
    }
    // Environment.
    for (i, e) in arr(c, "env").iter().enumerate() {
        let ep = path.child("env").index(i);
        let ename = str_of(e, "name");
        if ename.is_empty() {
            errs.push(required(&ep.child("name"), ""));
        } else {
            for m in is_env_var_name(ename) {
                errs.push(invalid(&ep.child("name"), ename, &m));
            }
        }
        if obj_get(e, "valueFrom").is_some() && !str_of(e, "value").is_empty() {
            errs.push(invalid(
                &ep.child("valueFrom"),
                "",
                "may not be specified when `value` is not empty",
            ));
        }
    }
    // Volume mounts.
    let mut mount_points = HashSet::new();
    for (i, m) in arr(c, "volumeMounts").iter().enumerate() {
        let mp = path.child("volumeMounts").index(i);
        let vname = str_of(m, "name");
        if vname.is_empty() {
            errs.push(required(&mp.child("name"), ""));
        }
        if !volumes.contains(vname) {
            errs.push(not_found(&mp.child("name"), vname));
        }
        let mount_path = str_of(m, "mountPath");
        if mount_path.is_empty() {
            errs.push(required(&mp.child("mountPath"), ""));
        }
        if !mount_points.insert(mount_path.to_string()) {
            errs.push(invalid(
                &mp.child("mountPath"),
                mount_path,
                "must be unique",
            ));
        }
    }
    // Probes.
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(p) = obj_get(c, probe) else { continue };
        if kind == ContainerKind::Init && (!sidecar || probe == "readinessProbe") {
            let detail = if probe == "readinessProbe" {
                "may not be set for init containers"
            } else {
                "may not be set for init containers without restartPolicy=Always"
            };
            errs.push(forbidden(&path.child(probe), detail));
            continue;
        }
        errs.extend(validate_probe(p, &path.child(probe)));
        if probe != "readinessProbe"
            && let Some(st) = int(p, "successThreshold")
            && st != 1
        {
            errs.push(invalid(
                &path.child(probe).child("successThreshold"),
                st,
                "must be 1",
            ));
        }
    }
    errs.extend(validate_resources(
        c.get("resources"),
        &path.child("resources"),
    ));
    // Policies.
    match str_of(c, "imagePullPolicy") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(required(&path.child("imagePullPolicy"), "")),
        p => errs.push(not_supported(
            &path.child("imagePullPolicy"),
            p,
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    match str_of(c, "terminationMessagePolicy") {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(required(&path.child("terminationMessagePolicy"), "")),
        p => errs.push(not_supported(
            &path.child("terminationMessagePolicy"),
            p,
            &["File", "FallbackToLogsOnError"],
        )),
    }
    errs
}

fn validate_volumes(spec: &Value, path: &Path) -> (Vec<FieldError>, HashSet<String>) {
    let mut errs = Vec::new();
    let mut names = HashSet::new();
    for (i, v) in arr(spec, "volumes").iter().enumerate() {
        let vp = path.index(i);
        let mut el = Vec::new();
        let mut sources: Vec<&String> = v
            .as_object()
            .map(|m| m.keys().filter(|k| *k != "name").collect())
            .unwrap_or_default();
        sources.sort_by_key(|k| {
            VOLUME_SOURCE_ORDER
                .iter()
                .position(|s| s == k)
                .unwrap_or(usize::MAX)
        });
        if sources.is_empty() {
            el.push(required(&vp, "must specify a volume type"));
        }
        for extra in sources.iter().skip(1) {
            el.push(forbidden(
                &vp.child(extra),
                "may not specify more than 1 volume type",
            ));
        }
        if let Some(hp) = obj_get(v, "hostPath")
            && str_of(hp, "path").is_empty()
        {
            el.push(required(&vp.child("hostPath").child("path"), ""));
        }
        if let Some(s) = obj_get(v, "secret")
            && str_of(s, "secretName").is_empty()
        {
            el.push(required(&vp.child("secret").child("secretName"), ""));
        }
        if let Some(s) = obj_get(v, "configMap")
            && str_of(s, "name").is_empty()
        {
            el.push(required(&vp.child("configMap").child("name"), ""));
        }
        if let Some(s) = obj_get(v, "persistentVolumeClaim")
            && str_of(s, "claimName").is_empty()
        {
            el.push(required(
                &vp.child("persistentVolumeClaim").child("claimName"),
                "",
            ));
        }
        let name = str_of(v, "name");
        if name.is_empty() {
            el.push(required(&vp.child("name"), ""));
        } else {
            el.extend(validate_dns_label(name, &vp.child("name")));
        }
        if names.contains(name) {
            el.push(duplicate(&vp.child("name"), name));
        }
        if el.is_empty() {
            names.insert(name.to_string());
        } else {
            errs.extend(el);
        }
    }
    // Mounts may refer to any named volume, even an invalid one.
    let all: HashSet<String> = arr(spec, "volumes")
        .iter()
        .map(|v| str_of(v, "name").to_string())
        .collect();
    (errs, all)
}

/// `ValidateTolerations`.
pub fn validate_tolerations(tols: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, t) in tols.iter().enumerate() {
        let tp = path.index(i);
        let key = str_of(t, "key");
        if !key.is_empty() {
            for m in is_qualified_name(key) {
                errs.push(invalid(&tp.child("key"), key, &m));
            }
        }
        let op = str_of(t, "operator");
        if key.is_empty() && op != "Exists" {
            errs.push(invalid(
                &tp.child("operator"),
                op,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        let effect = str_of(t, "effect");
        if t.get("tolerationSeconds").is_some_and(|v| !v.is_null()) && effect != "NoExecute" {
            errs.push(invalid(
                &tp.child("effect"),
                effect,
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        let value = str_of(t, "value");
        match op {
            "" | "Equal" => {
                for m in is_valid_label_value(value) {
                    errs.push(invalid(&tp.child("operator"), value, &m));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(invalid(
                        &tp.child("operator"),
                        BadValue::Raw(t.to_string()),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(not_supported(
                &tp.child("operator"),
                other,
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect)
        {
            errs.push(not_supported(
                &tp.child("effect"),
                effect,
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
    errs
}

/// `ValidatePodSpec` on a JSON pod spec. `is_pod` adds the checks only
/// pods (not templates) get.
pub fn validate_pod_spec(spec: &Value, path: &Path, is_pod: bool) -> Vec<FieldError> {
    let (mut errs, volumes) = validate_volumes(spec, &path.child("volumes"));
    let containers = arr(spec, "containers");
    if containers.is_empty() {
        errs.push(required(&path.child("containers"), ""));
    }
    let mut names = HashSet::new();
    for (i, c) in containers.iter().enumerate() {
        let cp = path.child("containers").index(i);
        errs.extend(validate_container(
            c,
            &cp,
            ContainerKind::Regular,
            &volumes,
            is_pod,
        ));
        let name = str_of(c, "name");
        if !name.is_empty() && !names.insert(name.to_string()) {
            errs.push(duplicate(&cp.child("name"), name));
        }
    }
    for (i, c) in arr(spec, "initContainers").iter().enumerate() {
        let cp = path.child("initContainers").index(i);
        errs.extend(validate_container(
            c,
            &cp,
            ContainerKind::Init,
            &volumes,
            is_pod,
        ));
        let name = str_of(c, "name");
        if !name.is_empty() && !names.insert(name.to_string()) {
            errs.push(duplicate(&cp.child("name"), name));
        }
    }
    // Host ports must be unique per protocol across containers.
    let mut host_ports = HashSet::new();
    for (kind, list) in [
        ("containers", containers),
        ("initContainers", arr(spec, "initContainers")),
    ] {
        for (i, c) in list.iter().enumerate() {
            for (j, p) in arr(c, "ports").iter().enumerate() {
                let Some(hp) = int(p, "hostPort").filter(|n| *n != 0) else {
                    continue;
                };
                let key = format!("{hp}/{}", str_of(p, "protocol"));
                if !host_ports.insert(key.clone()) {
                    let pp = path.child(kind).index(i).child("ports").index(j);
                    errs.push(duplicate(&pp.child("hostPort"), key));
                }
            }
        }
    }
    match str_of(spec, "restartPolicy") {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(required(&path.child("restartPolicy"), "")),
        p => errs.push(not_supported(
            &path.child("restartPolicy"),
            p,
            &["Always", "OnFailure", "Never"],
        )),
    }
    let dns = str_of(spec, "dnsPolicy");
    match dns {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(required(&path.child("dnsPolicy"), "")),
        p => errs.push(not_supported(
            &path.child("dnsPolicy"),
            p,
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    if dns == "None" && obj_get(spec, "dnsConfig").is_none() {
        errs.push(required(
            &path.child("dnsConfig"),
            "must provide `dnsConfig` when `dnsPolicy` is None",
        ));
    }
    errs.extend(validate_labels(
        spec.get("nodeSelector"),
        &path.child("nodeSelector"),
    ));
    for field in ["serviceAccountName", "nodeName"] {
        let v = str_of(spec, field);
        if !v.is_empty() {
            for m in name_is_dns_subdomain(v, false) {
                errs.push(invalid(&path.child(field), v, &m));
            }
        }
    }
    for field in ["hostname", "subdomain"] {
        let v = str_of(spec, field);
        if !v.is_empty() {
            errs.extend(validate_dns_label(v, &path.child(field)));
        }
    }
    if let Some(ads) = int(spec, "activeDeadlineSeconds")
        && !(1..=i64::from(u32::MAX)).contains(&ads)
    {
        errs.push(invalid(
            &path.child("activeDeadlineSeconds"),
            ads,
            &inclusive_range_error(1, i64::from(u32::MAX)),
        ));
    }
    errs.extend(validate_tolerations(
        arr(spec, "tolerations"),
        &path.child("tolerations"),
    ));
    errs
}

/// `ValidatePodTemplateSpec`: template labels and annotations, then the
/// spec.
pub fn validate_pod_template(template: &Value, path: &Path) -> Vec<FieldError> {
    let meta = template.get("metadata").unwrap_or(&NULL);
    let mut errs = validate_labels(meta.get("labels"), &path.child("metadata").child("labels"));
    errs.extend(super::meta::validate_annotations(
        meta.get("annotations"),
        &path.child("metadata").child("annotations"),
    ));
    let spec = template.get("spec").unwrap_or(&NULL);
    errs.extend(validate_pod_spec(spec, &path.child("spec"), false));
    errs
}

/// Validation of a new Pod.
pub fn validate_pod_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let spec = obj.get("spec").unwrap_or(&NULL);
    errs.extend(validate_pod_spec(spec, &Path::new("spec"), true));
    errs
}

fn diff_paths(old: &Value, new: &Value, path: &str, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let null = Value::Null;
                diff_paths(
                    a.get(k).unwrap_or(&null),
                    b.get(k).unwrap_or(&null),
                    &format!("{path}.{k}"),
                    out,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_paths(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a != b => {
            out.push(format!("- {path}: {a}\n+ {path}: {b}"));
        }
        _ => {}
    }
}

/// Validation of a Pod update: the new pod on its own, then
/// `ValidatePodUpdate`'s rule that only images, activeDeadlineSeconds,
/// added tolerations and a negative grace period may change.
pub fn validate_pod_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, true, name_is_dns_subdomain);
    let null = Value::Null;
    let new_spec = obj.get("spec").unwrap_or(&null);
    let old_spec = old.get("spec").unwrap_or(&null);
    let spec_path = Path::new("spec");
    errs.extend(validate_pod_spec(new_spec, &spec_path, true));

    let mut munged = new_spec.clone();
    for list in ["containers", "initContainers"] {
        let old_list = arr(old_spec, list);
        if let Some(items) = munged.get_mut(list).and_then(Value::as_array_mut) {
            for (i, c) in items.iter_mut().enumerate() {
                if let (Some(o), Some(m)) = (old_list.get(i), c.as_object_mut()) {
                    match o.get("image") {
                        Some(img) => m.insert("image".into(), img.clone()),
                        None => m.remove("image"),
                    };
                }
            }
        }
    }
    let new_ads = int(new_spec, "activeDeadlineSeconds");
    let old_ads = int(old_spec, "activeDeadlineSeconds");
    match (new_ads, old_ads) {
        (Some(n), Some(o)) if n > o => errs.push(invalid(
            &spec_path.child("activeDeadlineSeconds"),
            n,
            "must be less than or equal to previous value",
        )),
        (None, Some(_)) => errs.push(invalid(
            &spec_path.child("activeDeadlineSeconds"),
            BadValue::Null,
            "must not update from a positive integer to nil value",
        )),
        _ => {}
    }
    let new_tols = arr(new_spec, "tolerations");
    for o in arr(old_spec, "tolerations") {
        let found = new_tols.iter().any(|n| {
            let mut o = o.clone();
            if let Some(m) = o.as_object_mut() {
                match n.get("tolerationSeconds") {
                    Some(s) => m.insert("tolerationSeconds".into(), s.clone()),
                    None => m.remove("tolerationSeconds"),
                };
            }
            &o == n
        });
        if !found {
            errs.push(forbidden(
                &spec_path.child("tolerations"),
                "existing toleration can not be modified except its tolerationSeconds",
            ));
            break;
        }
    }
    if let Some(m) = munged.as_object_mut() {
        for key in ["activeDeadlineSeconds", "tolerations"] {
            match old_spec.get(key) {
                Some(v) => m.insert(key.into(), v.clone()),
                None => m.remove(key),
            };
        }
        let old_grace = int(old_spec, "terminationGracePeriodSeconds");
        if old_grace.is_some_and(|g| g < 0)
            && int(new_spec, "terminationGracePeriodSeconds") == Some(1)
            && let Some(g) = old_spec.get("terminationGracePeriodSeconds")
        {
            m.insert("terminationGracePeriodSeconds".into(), g.clone());
        }
    }
    if &munged != old_spec {
        let mut diff = Vec::new();
        diff_paths(old_spec, &munged, "spec", &mut diff);
        errs.push(forbidden(
            &spec_path,
            &format!(
                "pod updates may not change fields other than {POD_UPDATABLE_FIELDS}\n{}",
                diff.join("\n")
            ),
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::PodHooks;
    use crate::registry::KindHooks;
    use serde_json::json;

    fn defaulted(spec: Value) -> Value {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}, "spec": spec});
        PodHooks.default(&mut p).unwrap();
        p
    }

    fn fields(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter().map(|e| (e.field.as_str(), e.reason)).collect()
    }

    #[test]
    fn valid_pod_passes() {
        let p = defaulted(
            json!({"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "name": "http"}],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            "readinessProbe": {"httpGet": {"port": "http"}},
            "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}}],
            "volumes": [{"name": "data", "emptyDir": {}}]}),
        );
        assert_eq!(validate_pod_create(&p), vec![]);
    }

    #[test]
    fn containers_required_and_unique() {
        let p = defaulted(json!({"containers": []}));
        let errs = validate_pod_create(&p);
        assert_eq!(
            fields(&errs),
            vec![("spec.containers", "FieldValueRequired")]
        );
        assert_eq!(errs[0].message, "Required value");
        let p = defaulted(
            json!({"containers": [{"name": "a", "image": "x"}, {"name": "a", "image": "x"}],
            "initContainers": [{"name": "a", "image": "x"}]}),
        );
        let errs = validate_pod_create(&p);
        assert_eq!(
            fields(&errs),
            vec![
                ("spec.containers[1].name", "FieldValueDuplicate"),
                ("spec.initContainers[0].name", "FieldValueDuplicate")
            ]
        );
        assert_eq!(errs[0].message, "Duplicate value: \"a\"");
    }

    #[test]
    fn image_name_ports_protocol() {
        let p = defaulted(
            json!({"containers": [{"name": "Web", "ports": [{"containerPort": 70000, "protocol": "HTTP"}, {"containerPort": 0}]}]}),
        );
        let errs = validate_pod_create(&p);
        assert_eq!(
            fields(&errs),
            vec![
                ("spec.containers[0].name", "FieldValueInvalid"),
                ("spec.containers[0].image", "FieldValueRequired"),
                (
                    "spec.containers[0].ports[0].containerPort",
                    "FieldValueInvalid"
                ),
                (
                    "spec.containers[0].ports[0].protocol",
                    "FieldValueNotSupported"
                ),
                (
                    "spec.containers[0].ports[1].containerPort",
                    "FieldValueRequired"
                ),
            ]
        );
        assert_eq!(
            errs[2].message,
            "Invalid value: 70000: must be between 1 and 65535, inclusive"
        );
        assert_eq!(
            errs[3].message,
            "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""
        );
    }

    #[test]
    fn restart_policy_and_volumes() {
        let p = defaulted(
            json!({"restartPolicy": "Sometimes", "containers": [{"name": "a", "image": "x",
            "volumeMounts": [{"name": "missing", "mountPath": "/m"}, {"name": "v", "mountPath": "/m"}]}],
            "volumes": [{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}, {"name": "w", "emptyDir": {}, "hostPath": {"path": "/x"}},
                        {"name": "h", "hostPath": {"path": ""}}]}),
        );
        let errs = validate_pod_create(&p);
        let f = fields(&errs);
        assert!(
            f.contains(&("spec.restartPolicy", "FieldValueNotSupported")),
            "{f:?}"
        );
        assert!(f.contains(&("spec.volumes[3].hostPath.path", "FieldValueRequired")));
        assert!(f.contains(&("spec.volumes[1].name", "FieldValueDuplicate")));
        assert!(f.contains(&("spec.volumes[2].emptyDir", "FieldValueForbidden")));
        assert!(f.contains(&(
            "spec.containers[0].volumeMounts[0].name",
            "FieldValueNotFound"
        )));
        assert!(f.contains(&(
            "spec.containers[0].volumeMounts[1].mountPath",
            "FieldValueInvalid"
        )));
        let rp = errs
            .iter()
            .find(|e| e.field == "spec.restartPolicy")
            .unwrap();
        assert_eq!(
            rp.message,
            "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        );
    }

    #[test]
    fn probes_and_resources() {
        let p = defaulted(json!({"containers": [{"name": "a", "image": "x",
            "livenessProbe": {"periodSeconds": -1, "successThreshold": 2, "exec": {"command": []}, "tcpSocket": {"port": 80}},
            "resources": {"limits": {"memory": "1Gi"}, "requests": {"memory": "2Gi"}}}]}));
        let errs = validate_pod_create(&p);
        let f = fields(&errs);
        assert!(
            f.contains(&(
                "spec.containers[0].livenessProbe.exec.command",
                "FieldValueRequired"
            )),
            "{f:?}"
        );
        assert!(f.contains(&(
            "spec.containers[0].livenessProbe.tcpSocket",
            "FieldValueForbidden"
        )));
        assert!(f.contains(&(
            "spec.containers[0].livenessProbe.periodSeconds",
            "FieldValueInvalid"
        )));
        assert!(f.contains(&(
            "spec.containers[0].livenessProbe.successThreshold",
            "FieldValueInvalid"
        )));
        assert!(f.contains(&("spec.containers[0].resources.requests", "FieldValueInvalid")));
        let p =
            defaulted(json!({"containers": [{"name": "a", "image": "x", "readinessProbe": {}}]}));
        let errs = validate_pod_create(&p);
        assert_eq!(
            errs[0].message,
            "Required value: must specify a handler type"
        );
    }

    #[test]
    fn tolerations() {
        let p = defaulted(
            json!({"containers": [{"name": "a", "image": "x"}], "tolerations": [
            {"operator": "Equal", "value": "x"},
            {"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}]}),
        );
        let errs = validate_pod_create(&p);
        let f = fields(&errs);
        assert!(
            f.contains(&("spec.tolerations[0].operator", "FieldValueInvalid")),
            "{f:?}"
        );
        assert!(f.contains(&("spec.tolerations[1].effect", "FieldValueInvalid")));
    }

    #[test]
    fn pod_update_rules() {
        let old = defaulted(
            json!({"containers": [{"name": "a", "image": "nginx:1"}], "activeDeadlineSeconds": 100}),
        );
        let mut new = old.clone();
        new["spec"]["containers"][0]["image"] = json!("nginx:2");
        new["spec"]["activeDeadlineSeconds"] = json!(50);
        new["spec"]["tolerations"]
            .as_array_mut()
            .unwrap()
            .push(json!({"key": "x", "operator": "Exists"}));
        assert_eq!(validate_pod_update(&new, &old), vec![]);

        let mut moved = old.clone();
        moved["spec"]["nodeName"] = json!("n2");
        let errs = validate_pod_update(&moved, &old);
        assert_eq!(fields(&errs), vec![("spec", "FieldValueForbidden")]);
        assert!(errs[0].message.starts_with("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"));
        assert!(errs[0].message.contains("spec.nodeName"));

        let mut longer = old.clone();
        longer["spec"]["activeDeadlineSeconds"] = json!(200);
        let errs = validate_pod_update(&longer, &old);
        assert_eq!(
            fields(&errs),
            vec![("spec.activeDeadlineSeconds", "FieldValueInvalid")]
        );

        let mut dropped = old.clone();
        dropped["spec"]["tolerations"] = json!([]);
        let errs = validate_pod_update(&dropped, &old);
        assert_eq!(
            fields(&errs),
            vec![("spec.tolerations", "FieldValueForbidden")]
        );

        let mut renamed = old.clone();
        renamed["metadata"]["name"] = json!("q");
        assert_eq!(
            fields(&validate_pod_update(&renamed, &old)),
            vec![("metadata.name", "FieldValueInvalid")]
        );
    }
}
