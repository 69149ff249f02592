//! Pod and pod-template validation (`pkg/apis/core/validation`:
//! `ValidatePodSpec`, `ValidatePodCreate`, `ValidatePodUpdate`).
//!
//! The rules are written once, on the typed k8s-openapi structs
//! ([`PodSpec`], [`Container`], [`Volume`], [`Toleration`], ...): the API
//! server's Pod create path decodes the body straight into a [`Pod`] and
//! calls [`validate_pod_create_typed`], which builds no `serde_json::Value`
//! unless it has to render one inside an error.
//!
//! The JSON entry points ([`validate_pod_create`], [`validate_pod_update`],
//! [`validate_pod_template`], [`validate_tolerations`]) keep their
//! signatures: they decode the spec `Value` into a [`PodSpec`] and call the
//! typed rules. A spec has always been through the typed struct by then
//! (defaulting goes through it), so the decode loses nothing; a spec that
//! does not decode gives one `FieldValueInvalid` on `spec` naming the decode
//! error. Metadata stays on its JSON form in those entry points (see
//! [`super::meta`] for why both forms share one implementation).

use std::collections::HashSet;

use k8s_openapi::api::core::v1::{
    Container, ExecAction, GRPCAction, HTTPGetAction, Pod, PodSpec, Probe, TCPSocketAction,
    Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use serde_json::Value;

use super::field::{
    BadValue, Path, duplicate, forbidden, invalid, not_found, not_supported, required,
};
use super::meta::{
    validate_annotations, validate_label_map, validate_labels, validate_object_meta,
    validate_object_meta_typed, validate_object_meta_update,
};
use super::names::{
    inclusive_range_error, is_dns1123_label, is_env_var_name, is_qualified_name,
    is_valid_label_value, is_valid_port_name, is_valid_port_num, name_is_dns_subdomain,
};
use super::resources::validate_resource_requirements;
use super::{NULL, arr, int};
use crate::registry::FieldError;

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// The order in which `validateVolumeSource` looks at volume sources: the
/// second one found is the one reported. These are all the sources of
/// [`Volume`] (a test checks it against the struct's JSON encoding).
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

/// Whether a volume has the source named `key` (a [`VOLUME_SOURCE_ORDER`]
/// entry, in its JSON spelling).
fn has_volume_source(v: &Volume, key: &str) -> bool {
    match key {
        "hostPath" => v.host_path.is_some(),
        "emptyDir" => v.empty_dir.is_some(),
        "gitRepo" => v.git_repo.is_some(),
        "gcePersistentDisk" => v.gce_persistent_disk.is_some(),
        "awsElasticBlockStore" => v.aws_elastic_block_store.is_some(),
        "secret" => v.secret.is_some(),
        "nfs" => v.nfs.is_some(),
        "iscsi" => v.iscsi.is_some(),
        "glusterfs" => v.glusterfs.is_some(),
        "flocker" => v.flocker.is_some(),
        "persistentVolumeClaim" => v.persistent_volume_claim.is_some(),
        "rbd" => v.rbd.is_some(),
        "flexVolume" => v.flex_volume.is_some(),
        "cinder" => v.cinder.is_some(),
        "cephfs" => v.cephfs.is_some(),
        "downwardAPI" => v.downward_api.is_some(),
        "fc" => v.fc.is_some(),
        "azureFile" => v.azure_file.is_some(),
        "configMap" => v.config_map.is_some(),
        "vsphereVolume" => v.vsphere_volume.is_some(),
        "quobyte" => v.quobyte.is_some(),
        "azureDisk" => v.azure_disk.is_some(),
        "photonPersistentDisk" => v.photon_persistent_disk.is_some(),
        "projected" => v.projected.is_some(),
        "portworxVolume" => v.portworx_volume.is_some(),
        "scaleIO" => v.scale_io.is_some(),
        "storageos" => v.storageos.is_some(),
        "csi" => v.csi.is_some(),
        "ephemeral" => v.ephemeral.is_some(),
        "image" => v.image.is_some(),
        _ => false,
    }
}

/// The fields `ValidatePodUpdate` lets change, as its message lists them.
pub const POD_UPDATABLE_FIELDS: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidateNonnegativeField`.
pub fn validate_nonnegative(v: Option<i64>, path: &Path) -> Vec<FieldError> {
    match v {
        Some(n) if n < 0 => vec![invalid(path, n, "must be greater than or equal to 0")],
        _ => Vec::new(),
    }
}

fn port_name_errors(name: &str, path: &Path) -> Vec<FieldError> {
    is_valid_port_name(name)
        .into_iter()
        .map(|m| invalid(path, name, &m))
        .collect()
}

fn port_num_errors(n: i64, path: &Path) -> Vec<FieldError> {
    is_valid_port_num(n)
        .into_iter()
        .map(|m| invalid(path, n, &m))
        .collect()
}

/// `ValidatePortNumOrName` on an int-or-string JSON value.
pub fn validate_port_num_or_name(v: Option<&Value>, path: &Path) -> Vec<FieldError> {
    match v {
        Some(Value::String(s)) => port_name_errors(s, path),
        Some(v) => port_num_errors(v.as_i64().unwrap_or(0), path),
        None => port_num_errors(0, path),
    }
}

/// `ValidatePortNumOrName` on a typed int-or-string.
pub fn validate_int_or_string_port(v: &IntOrString, path: &Path) -> Vec<FieldError> {
    match v {
        IntOrString::String(s) => port_name_errors(s, path),
        IntOrString::Int(n) => port_num_errors(i64::from(*n), path),
    }
}

/// One `FieldValueInvalid` for a JSON value that does not decode as the
/// typed struct `what` (the value is named by its JSON type only, as it may
/// be large).
fn decode_error(path: &Path, v: &Value, what: &str, err: &serde_json::Error) -> FieldError {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    invalid(
        path,
        BadValue::Raw(kind.to_string()),
        &format!("cannot be decoded as a {what}: {err}"),
    )
}

/// A JSON pod spec as a [`PodSpec`]: `null` (or absent) is the empty spec,
/// as the JSON rules read it.
fn decode_pod_spec(spec: &Value, path: &Path) -> Result<PodSpec, FieldError> {
    if spec.is_null() {
        return Ok(PodSpec::default());
    }
    PodSpec::deserialize(spec).map_err(|e| decode_error(path, spec, "PodSpec", &e))
}

fn validate_dns_label(value: &str, path: &Path) -> Vec<FieldError> {
    is_dns1123_label(value)
        .into_iter()
        .map(|m| invalid(path, value, &m))
        .collect()
}

/// One of a probe's handlers.
enum Handler<'a> {
    Exec(&'a ExecAction),
    HttpGet(&'a HTTPGetAction),
    TcpSocket(&'a TCPSocketAction),
    Grpc(&'a GRPCAction),
}

impl Handler<'_> {
    fn name(&self) -> &'static str {
        match self {
            Handler::Exec(_) => "exec",
            Handler::HttpGet(_) => "httpGet",
            Handler::TcpSocket(_) => "tcpSocket",
            Handler::Grpc(_) => "grpc",
        }
    }
}

fn validate_handler(probe: &Probe, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut n = 0;
    let handlers = [
        probe.exec.as_ref().map(Handler::Exec),
        probe.http_get.as_ref().map(Handler::HttpGet),
        probe.tcp_socket.as_ref().map(Handler::TcpSocket),
        probe.grpc.as_ref().map(Handler::Grpc),
    ];
    for h in handlers.into_iter().flatten() {
        let p = path.child(h.name());
        if n > 0 {
            errs.push(forbidden(&p, "may not specify more than 1 handler type"));
            continue;
        }
        n += 1;
        match h {
            Handler::Exec(a) => {
                if a.command.as_ref().is_none_or(Vec::is_empty) {
                    errs.push(required(&p.child("command"), ""));
                }
            }
            Handler::HttpGet(a) => {
                if a.path.as_deref().unwrap_or("").is_empty() {
                    errs.push(required(&p.child("path"), ""));
                }
                errs.extend(validate_int_or_string_port(&a.port, &p.child("port")));
                let scheme = a.scheme.as_deref().unwrap_or("");
                if scheme != "HTTP" && scheme != "HTTPS" {
                    errs.push(not_supported(
                        &p.child("scheme"),
                        scheme,
                        &["HTTP", "HTTPS"],
                    ));
                }
            }
            Handler::TcpSocket(a) => {
                errs.extend(validate_int_or_string_port(&a.port, &p.child("port")));
            }
            Handler::Grpc(a) => {
                errs.extend(port_num_errors(i64::from(a.port), &p.child("port")));
            }
        }
    }
    if n == 0 {
        errs.push(required(path, "must specify a handler type"));
    }
    errs
}

fn validate_probe(probe: &Probe, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_handler(probe, path);
    for (f, v) in [
        ("initialDelaySeconds", probe.initial_delay_seconds),
        ("timeoutSeconds", probe.timeout_seconds),
        ("periodSeconds", probe.period_seconds),
        ("successThreshold", probe.success_threshold),
        ("failureThreshold", probe.failure_threshold),
    ] {
        errs.extend(validate_nonnegative(v.map(i64::from), &path.child(f)));
    }
    if let Some(g) = probe.termination_grace_period_seconds
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
    c: &Container,
    path: &Path,
    kind: ContainerKind,
    volumes: &HashSet<&str>,
    is_pod: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = c.name.as_str();
    if name.is_empty() {
        errs.push(required(&path.child("name"), ""));
    } else {
        errs.extend(validate_dns_label(name, &path.child("name")));
    }
    let image = c.image.as_deref().unwrap_or("");
    if image.is_empty() {
        errs.push(required(&path.child("image"), ""));
    } else if is_pod && image.trim() != image {
        errs.push(invalid(
            &path.child("image"),
            image,
            "must not have leading or trailing whitespace",
        ));
    }
    let restart_policy = c.restart_policy.as_deref();
    let sidecar = kind == ContainerKind::Init && restart_policy == Some("Always");
    match (kind, restart_policy) {
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
    for (i, p) in c.ports.iter().flatten().enumerate() {
        let pp = path.child("ports").index(i);
        let pname = p.name.as_deref().unwrap_or("");
        if !pname.is_empty() {
            let msgs = is_valid_port_name(pname);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.push(invalid(&pp.child("name"), pname, &m));
                }
            } else if !port_names.insert(pname) {
                errs.push(duplicate(&pp.child("name"), pname));
            }
        }
        match i64::from(p.container_port) {
            0 => errs.push(required(&pp.child("containerPort"), "")),
            n => errs.extend(port_num_errors(n, &pp.child("containerPort"))),
        }
        if let Some(hp) = p.host_port.filter(|n| *n != 0) {
            errs.extend(port_num_errors(i64::from(hp), &pp.child("hostPort")));
        }
        let proto = p.protocol.as_deref().unwrap_or("");
        if proto.is_empty() {
            errs.push(required(&pp.child("protocol"), ""));
        } else if !PROTOCOLS.contains(&proto) {
            errs.push(not_supported(&pp.child("protocol"), proto, PROTOCOLS));
        }
    }
    // Environment.
    for (i, e) in c.env.iter().flatten().enumerate() {
        let ep = path.child("env").index(i);
        let ename = e.name.as_str();
        if ename.is_empty() {
            errs.push(required(&ep.child("name"), ""));
        } else {
            for m in is_env_var_name(ename) {
                errs.push(invalid(&ep.child("name"), ename, &m));
            }
        }
        if e.value_from.is_some() && !e.value.as_deref().unwrap_or("").is_empty() {
            errs.push(invalid(
                &ep.child("valueFrom"),
                "",
                "may not be specified when `value` is not empty",
            ));
        }
    }
    // Volume mounts.
    let mut mount_points = HashSet::new();
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        let mp = path.child("volumeMounts").index(i);
        let vname = m.name.as_str();
        if vname.is_empty() {
            errs.push(required(&mp.child("name"), ""));
        }
        if !volumes.contains(vname) {
            errs.push(not_found(&mp.child("name"), vname));
        }
        let mount_path = m.mount_path.as_str();
        if mount_path.is_empty() {
            errs.push(required(&mp.child("mountPath"), ""));
        }
        if !mount_points.insert(mount_path) {
            errs.push(invalid(
                &mp.child("mountPath"),
                mount_path,
                "must be unique",
            ));
        }
    }
    // Probes.
    for (probe, p) in [
        ("livenessProbe", &c.liveness_probe),
        ("readinessProbe", &c.readiness_probe),
        ("startupProbe", &c.startup_probe),
    ] {
        let Some(p) = p else { continue };
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
            && let Some(st) = p.success_threshold
            && st != 1
        {
            errs.push(invalid(
                &path.child(probe).child("successThreshold"),
                st,
                "must be 1",
            ));
        }
    }
    errs.extend(validate_resource_requirements(
        c.resources.as_ref(),
        &path.child("resources"),
    ));
    // Policies.
    match c.image_pull_policy.as_deref().unwrap_or("") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(required(&path.child("imagePullPolicy"), "")),
        p => errs.push(not_supported(
            &path.child("imagePullPolicy"),
            p,
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    match c.termination_message_policy.as_deref().unwrap_or("") {
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

/// The volumes' errors, and the names mounts may refer to: every named
/// volume, even an invalid one.
fn validate_volumes<'a>(volumes: &'a [Volume], path: &Path) -> (Vec<FieldError>, HashSet<&'a str>) {
    let mut errs = Vec::new();
    let mut names = HashSet::new();
    for (i, v) in volumes.iter().enumerate() {
        let vp = path.index(i);
        let mut el = Vec::new();
        let mut sources = VOLUME_SOURCE_ORDER
            .iter()
            .filter(|k| has_volume_source(v, k));
        match sources.next() {
            None => el.push(required(&vp, "must specify a volume type")),
            Some(_) => {
                for extra in sources {
                    el.push(forbidden(
                        &vp.child(extra),
                        "may not specify more than 1 volume type",
                    ));
                }
            }
        }
        if let Some(hp) = &v.host_path
            && hp.path.is_empty()
        {
            el.push(required(&vp.child("hostPath").child("path"), ""));
        }
        if let Some(s) = &v.secret
            && s.secret_name.as_deref().unwrap_or("").is_empty()
        {
            el.push(required(&vp.child("secret").child("secretName"), ""));
        }
        if let Some(s) = &v.config_map
            && s.name.is_empty()
        {
            el.push(required(&vp.child("configMap").child("name"), ""));
        }
        if let Some(s) = &v.persistent_volume_claim
            && s.claim_name.is_empty()
        {
            el.push(required(
                &vp.child("persistentVolumeClaim").child("claimName"),
                "",
            ));
        }
        let name = v.name.as_str();
        if name.is_empty() {
            el.push(required(&vp.child("name"), ""));
        } else {
            el.extend(validate_dns_label(name, &vp.child("name")));
        }
        if names.contains(name) {
            el.push(duplicate(&vp.child("name"), name));
        }
        if el.is_empty() {
            names.insert(name);
        } else {
            errs.extend(el);
        }
    }
    let all = volumes.iter().map(|v| v.name.as_str()).collect();
    (errs, all)
}

/// `ValidateTolerations` on JSON tolerations: decoded, then
/// [`validate_tolerations_typed`].
pub fn validate_tolerations(tols: &[Value], path: &Path) -> Vec<FieldError> {
    let mut typed = Vec::with_capacity(tols.len());
    for (i, t) in tols.iter().enumerate() {
        match Toleration::deserialize(t) {
            Ok(t) => typed.push(t),
            Err(e) => return vec![decode_error(&path.index(i), t, "Toleration", &e)],
        }
    }
    validate_tolerations_typed(&typed, path)
}

/// `ValidateTolerations`.
pub fn validate_tolerations_typed(tols: &[Toleration], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, t) in tols.iter().enumerate() {
        let tp = path.index(i);
        let key = t.key.as_deref().unwrap_or("");
        if !key.is_empty() {
            for m in is_qualified_name(key) {
                errs.push(invalid(&tp.child("key"), key, &m));
            }
        }
        let op = t.operator.as_deref().unwrap_or("");
        if key.is_empty() && op != "Exists" {
            errs.push(invalid(
                &tp.child("operator"),
                op,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        let effect = t.effect.as_deref().unwrap_or("");
        if t.toleration_seconds.is_some() && effect != "NoExecute" {
            errs.push(invalid(
                &tp.child("effect"),
                effect,
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        let value = t.value.as_deref().unwrap_or("");
        match op {
            "" | "Equal" => {
                for m in is_valid_label_value(value) {
                    errs.push(invalid(&tp.child("operator"), value, &m));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    // The toleration's JSON, as the JSON rules printed it.
                    let json = serde_json::to_value(t).unwrap_or(Value::Null);
                    errs.push(invalid(
                        &tp.child("operator"),
                        BadValue::Raw(json.to_string()),
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

/// `ValidatePodSpec`. `is_pod` adds the checks only pods (not templates)
/// get.
pub fn validate_pod_spec(spec: &PodSpec, path: &Path, is_pod: bool) -> Vec<FieldError> {
    let (mut errs, volumes) = validate_volumes(
        spec.volumes.as_deref().unwrap_or_default(),
        &path.child("volumes"),
    );
    let containers = spec.containers.as_slice();
    let init_containers = spec.init_containers.as_deref().unwrap_or_default();
    if containers.is_empty() {
        errs.push(required(&path.child("containers"), ""));
    }
    let mut names = HashSet::new();
    for (list, kind, items) in [
        ("containers", ContainerKind::Regular, containers),
        ("initContainers", ContainerKind::Init, init_containers),
    ] {
        for (i, c) in items.iter().enumerate() {
            let cp = path.child(list).index(i);
            errs.extend(validate_container(c, &cp, kind, &volumes, is_pod));
            let name = c.name.as_str();
            if !name.is_empty() && !names.insert(name) {
                errs.push(duplicate(&cp.child("name"), name));
            }
        }
    }
    // Host ports must be unique per protocol across containers.
    let mut host_ports = HashSet::new();
    for (kind, list) in [
        ("containers", containers),
        ("initContainers", init_containers),
    ] {
        for (i, c) in list.iter().enumerate() {
            for (j, p) in c.ports.iter().flatten().enumerate() {
                let Some(hp) = p.host_port.filter(|n| *n != 0) else {
                    continue;
                };
                let key = format!("{hp}/{}", p.protocol.as_deref().unwrap_or(""));
                if !host_ports.insert(key.clone()) {
                    let pp = path.child(kind).index(i).child("ports").index(j);
                    errs.push(duplicate(&pp.child("hostPort"), key));
                }
            }
        }
    }
    match spec.restart_policy.as_deref().unwrap_or("") {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(required(&path.child("restartPolicy"), "")),
        p => errs.push(not_supported(
            &path.child("restartPolicy"),
            p,
            &["Always", "OnFailure", "Never"],
        )),
    }
    let dns = spec.dns_policy.as_deref().unwrap_or("");
    match dns {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(required(&path.child("dnsPolicy"), "")),
        p => errs.push(not_supported(
            &path.child("dnsPolicy"),
            p,
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    if dns == "None" && spec.dns_config.is_none() {
        errs.push(required(
            &path.child("dnsConfig"),
            "must provide `dnsConfig` when `dnsPolicy` is None",
        ));
    }
    errs.extend(validate_label_map(
        spec.node_selector.as_ref(),
        &path.child("nodeSelector"),
    ));
    for (field, v) in [
        ("serviceAccountName", &spec.service_account_name),
        ("nodeName", &spec.node_name),
    ] {
        let v = v.as_deref().unwrap_or("");
        if !v.is_empty() {
            for m in name_is_dns_subdomain(v, false) {
                errs.push(invalid(&path.child(field), v, &m));
            }
        }
    }
    for (field, v) in [("hostname", &spec.hostname), ("subdomain", &spec.subdomain)] {
        let v = v.as_deref().unwrap_or("");
        if !v.is_empty() {
            errs.extend(validate_dns_label(v, &path.child(field)));
        }
    }
    if let Some(ads) = spec.active_deadline_seconds
        && !(1..=i64::from(u32::MAX)).contains(&ads)
    {
        errs.push(invalid(
            &path.child("activeDeadlineSeconds"),
            ads,
            &inclusive_range_error(1, i64::from(u32::MAX)),
        ));
    }
    errs.extend(validate_tolerations_typed(
        spec.tolerations.as_deref().unwrap_or_default(),
        &path.child("tolerations"),
    ));
    errs
}

/// [`validate_pod_spec`] on a JSON spec (`null` reads as the empty spec).
fn validate_pod_spec_json(spec: &Value, path: &Path, is_pod: bool) -> Vec<FieldError> {
    match decode_pod_spec(spec, path) {
        Ok(spec) => validate_pod_spec(&spec, path, is_pod),
        Err(e) => vec![e],
    }
}

/// `ValidatePodTemplateSpec`: template labels and annotations, then the
/// spec.
pub fn validate_pod_template(template: &Value, path: &Path) -> Vec<FieldError> {
    let meta = template.get("metadata").unwrap_or(&NULL);
    let mut errs = validate_labels(meta.get("labels"), &path.child("metadata").child("labels"));
    errs.extend(validate_annotations(
        meta.get("annotations"),
        &path.child("metadata").child("annotations"),
    ));
    let spec = template.get("spec").unwrap_or(&NULL);
    errs.extend(validate_pod_spec_json(spec, &path.child("spec"), false));
    errs
}

/// Validation of a new Pod given as JSON: metadata on its JSON form, the
/// spec decoded and checked by [`validate_pod_spec`].
pub fn validate_pod_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let spec = obj.get("spec").unwrap_or(&NULL);
    errs.extend(validate_pod_spec_json(spec, &Path::new("spec"), true));
    errs
}

/// Validation of a new, defaulted, typed Pod: the same errors, in the same
/// order, as [`validate_pod_create`] on `serde_json::to_value(pod)`, without
/// building a `Value`.
pub fn validate_pod_create_typed(pod: &Pod) -> Vec<FieldError> {
    let mut errs = validate_object_meta_typed(&pod.metadata, true, name_is_dns_subdomain);
    let path = Path::new("spec");
    match &pod.spec {
        Some(spec) => errs.extend(validate_pod_spec(spec, &path, true)),
        None => errs.extend(validate_pod_spec(&PodSpec::default(), &path, true)),
    }
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
    errs.extend(validate_pod_spec_json(new_spec, &spec_path, true));

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

    /// A typed, defaulted Pod from JSON metadata and spec, as the API
    /// server's create path builds it.
    fn typed_pod(meta: Value, spec: Value) -> Pod {
        let mut pod: Pod = serde_json::from_value(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}),
        )
        .unwrap();
        crate::kinds::default_pod(&mut pod);
        pod
    }

    fn assert_typed_matches_json(pod: &Pod) -> Vec<FieldError> {
        let typed = validate_pod_create_typed(pod);
        let json = validate_pod_create(&serde_json::to_value(pod).unwrap());
        assert_eq!(typed, json, "{}", serde_json::to_string(pod).unwrap());
        typed
    }

    fn ok_meta() -> Value {
        json!({"name": "p", "namespace": "default"})
    }

    fn ok_spec() -> Value {
        json!({"containers": [{"name": "a", "image": "x"}]})
    }

    #[test]
    fn typed_and_json_agree_on_a_corpus() {
        let valid_specs = [
            ok_spec(),
            json!({"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "name": "http"}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "readinessProbe": {"httpGet": {"port": "http"}},
                "livenessProbe": {"tcpSocket": {"port": 80}},
                "startupProbe": {"grpc": {"port": 9090}},
                "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1", "memory": "1Gi"}}}],
                "initContainers": [{"name": "init", "image": "busybox", "restartPolicy": "Always",
                    "livenessProbe": {"exec": {"command": ["true"]}}}],
                "volumes": [{"name": "data", "emptyDir": {}}, {"name": "s", "secret": {"secretName": "s"}},
                            {"name": "c", "configMap": {"name": "c"}}, {"name": "pvc", "persistentVolumeClaim": {"claimName": "c"}},
                            {"name": "h", "hostPath": {"path": "/x"}}, {"name": "d"}],
                "nodeSelector": {"disk": "ssd"}, "hostname": "h", "subdomain": "s", "nodeName": "node-1",
                "activeDeadlineSeconds": 10, "dnsPolicy": "None", "dnsConfig": {"nameservers": ["1.1.1.1"]},
                "tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}]}),
        ];
        for spec in valid_specs {
            let pod = typed_pod(ok_meta(), spec);
            assert_eq!(assert_typed_matches_json(&pod), vec![]);
        }
        let bad_specs = [
            json!({"containers": []}),
            json!({}),
            // Duplicate container names, across both lists.
            json!({"containers": [{"name": "a", "image": "x"}, {"name": "a", "image": "x"}],
                "initContainers": [{"name": "a", "image": "x"}]}),
            // Bad names, images, ports and protocols.
            json!({"containers": [{"name": "Web", "ports": [{"containerPort": 70000, "protocol": "HTTP"}, {"containerPort": 0}]}]}),
            json!({"containers": [{"name": "", "image": " nginx "}]}),
            json!({"containers": [{"name": "a", "image": "x", "ports": [
                {"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"},
                {"containerPort": 82, "name": "Bad_Name"}, {"containerPort": -1, "hostPort": 70000, "protocol": ""},
                {"containerPort": 83, "hostPort": 8080}, {"containerPort": 84, "hostPort": 8080}]}],
                "initContainers": [{"name": "i", "image": "x", "ports": [{"containerPort": 85, "hostPort": 8080}]}]}),
            json!({"hostNetwork": true, "containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80}]},
                {"name": "b", "image": "x", "ports": [{"containerPort": 80}]}]}),
            // Env.
            json!({"containers": [{"name": "a", "image": "x", "env": [{"name": ""}, {"name": "1=x"},
                {"name": "A", "value": "v", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]}),
            // Restart policies, volumes, mounts.
            json!({"restartPolicy": "Sometimes", "containers": [{"name": "a", "image": "x",
                "volumeMounts": [{"name": "missing", "mountPath": "/m"}, {"name": "v", "mountPath": "/m"}, {"name": "", "mountPath": ""}]}],
                "volumes": [{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}, {"name": "w", "emptyDir": {}, "hostPath": {"path": "/x"}},
                            {"name": "h", "hostPath": {"path": ""}}, {"name": "Bad"}, {"name": ""},
                            {"name": "s", "secret": {}}, {"name": "c", "configMap": {}}, {"name": "p", "persistentVolumeClaim": {"claimName": ""}},
                            {"name": "many", "nfs": {"server": "s", "path": "/"}, "csi": {"driver": "d"}, "image": {}, "hostPath": {"path": "/"}, "gitRepo": {"repository": "r"}}]}),
            json!({"containers": [{"name": "a", "image": "x", "restartPolicy": "Always"}],
                "initContainers": [{"name": "b", "image": "x", "restartPolicy": "Never"}, {"name": "c", "image": "x", "restartPolicy": ""}]}),
            json!({"containers": [{"name": "a", "image": "x", "restartPolicy": ""}]}),
            // Probes and handlers.
            json!({"containers": [{"name": "a", "image": "x",
                "livenessProbe": {"periodSeconds": -1, "successThreshold": 2, "exec": {"command": []}, "tcpSocket": {"port": 80}},
                "resources": {"limits": {"memory": "1Gi"}, "requests": {"memory": "2Gi"}}}]}),
            json!({"containers": [{"name": "a", "image": "x", "readinessProbe": {}}]}),
            json!({"containers": [{"name": "a", "image": "x",
                "readinessProbe": {"httpGet": {"port": "no_such", "scheme": "FTP", "path": ""}, "initialDelaySeconds": -3, "timeoutSeconds": -1,
                    "failureThreshold": -2, "successThreshold": 5, "terminationGracePeriodSeconds": 0},
                "startupProbe": {"grpc": {"port": 0}, "httpGet": {"port": 1}, "exec": {}, "successThreshold": 0, "terminationGracePeriodSeconds": -5},
                "livenessProbe": {"tcpSocket": {"port": 70000}}}]}),
            json!({"containers": [{"name": "a", "image": "x"}], "initContainers": [
                {"name": "i", "image": "x", "livenessProbe": {"exec": {"command": ["x"]}}, "readinessProbe": {"exec": {"command": ["x"]}}},
                {"name": "j", "image": "x", "restartPolicy": "Always", "readinessProbe": {"exec": {"command": ["x"]}},
                    "startupProbe": {"exec": {"command": ["x"]}, "successThreshold": 3}}]}),
            // Resources.
            json!({"containers": [{"name": "a", "image": "x", "resources": {
                "limits": {"cpu": "500m", "memory": "1Gi", "hugepages-2Mi": "1Gi", "example.com/gpu": "1", "bogus": "1", "cpu2": "x"},
                "requests": {"cpu": "1", "memory": "2048Mi", "hugepages-2Mi": "2Gi", "example.com/gpu": "2", "example.com/fpga": "1",
                    "ephemeral-storage": "-1", "requests.foo/bar": "1", "a/b/c": "1", "cpu3": "1Qi"}}}]}),
            // Pod-level fields.
            json!({"containers": [{"name": "a", "image": "x"}], "dnsPolicy": "Maybe", "nodeSelector": {"bad key": "-v"},
                "serviceAccountName": "Bad_SA", "nodeName": "Node!", "hostname": "Host", "subdomain": "sub.domain",
                "activeDeadlineSeconds": 0}),
            json!({"containers": [{"name": "a", "image": "x"}], "dnsPolicy": "None", "activeDeadlineSeconds": 5_000_000_000_i64}),
            json!({"containers": [{"name": "a", "image": "x", "imagePullPolicy": "Sometimes", "terminationMessagePolicy": "Never"}]}),
            // Tolerations.
            json!({"containers": [{"name": "a", "image": "x"}], "tolerations": [
                {"operator": "Equal", "value": "x"},
                {"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5},
                {"key": "bad key!", "operator": "Exists", "value": "v"},
                {"key": "k", "operator": "Maybe", "effect": "Sometimes"},
                {"key": "k", "value": "-bad-"},
                {"operator": "Exists", "value": "v", "tolerationSeconds": 1, "effect": "NoExecute"}]}),
        ];
        for spec in bad_specs {
            let pod = typed_pod(ok_meta(), spec.clone());
            assert_ne!(assert_typed_matches_json(&pod), vec![], "{spec}");
        }
        let owner = |name: &str, controller: bool| json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": "u", "controller": controller});
        let bad_metas = [
            json!({"namespace": "default"}),
            json!({"name": "Foo", "namespace": "default"}),
            json!({"name": "p"}),
            json!({"name": "p", "namespace": "Bad_NS"}),
            json!({"generateName": "Web-", "namespace": "default"}),
            json!({"name": "p", "generateName": "-x", "namespace": "default"}),
            json!({"name": "p", "namespace": "default", "labels": {"app": "web", "bad key": "v", "k": "-bad"}}),
            json!({"name": "p", "namespace": "default", "annotations": {"ok/x": "y", "bad key": "v", "Upper/Case": "x"}}),
            json!({"name": "p", "namespace": "default", "annotations": {"a": "x".repeat(super::super::meta::TOTAL_ANNOTATION_SIZE_LIMIT)}}),
            json!({"name": "p", "namespace": "default", "finalizers": ["kubernetes", "foo", "example.com/x", "bad name/"]}),
            json!({"name": "p", "namespace": "default", "ownerReferences": [
                {"apiVersion": "", "kind": "", "name": "", "uid": ""}, owner("a", true), owner("b", true)]}),
        ];
        for meta in bad_metas {
            let pod = typed_pod(meta.clone(), ok_spec());
            assert_ne!(assert_typed_matches_json(&pod), vec![], "{meta}");
        }
        // A pod without a spec at all.
        let pod = Pod {
            metadata: serde_json::from_value(ok_meta()).unwrap(),
            ..Pod::default()
        };
        assert_ne!(assert_typed_matches_json(&pod), vec![]);
    }

    #[test]
    fn volume_source_order_names_every_source() {
        // Every source set: the JSON keys other than `name` are exactly
        // VOLUME_SOURCE_ORDER, and `has_volume_source` sees each.
        let mut all = serde_json::Map::new();
        all.insert("name".into(), json!("v"));
        for k in VOLUME_SOURCE_ORDER {
            all.insert((*k).to_string(), json!({}));
        }
        let v: Volume = serde_json::from_value(Value::Object(all)).unwrap();
        let encoded = serde_json::to_value(&v).unwrap();
        let mut keys: Vec<&str> = encoded
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "name")
            .collect();
        keys.sort_unstable();
        let mut order = VOLUME_SOURCE_ORDER.to_vec();
        order.sort_unstable();
        assert_eq!(keys, order);
        assert!(VOLUME_SOURCE_ORDER.iter().all(|k| has_volume_source(&v, k)));
        let errs = validate_volumes(std::slice::from_ref(&v), &Path::new("spec.volumes")).0;
        let forbidden: Vec<&str> = errs
            .iter()
            .filter(|e| e.reason == "FieldValueForbidden")
            .map(|e| e.field.as_str())
            .collect();
        let expected: Vec<String> = VOLUME_SOURCE_ORDER[1..]
            .iter()
            .map(|k| format!("spec.volumes[0].{k}"))
            .collect();
        assert_eq!(forbidden, expected);
    }

    #[test]
    fn json_entry_points_report_undecodable_specs() {
        let p = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": "nope"}});
        let errs = validate_pod_create(&p);
        assert_eq!(fields(&errs), vec![("spec", "FieldValueInvalid")]);
        assert!(
            errs[0]
                .message
                .starts_with("Invalid value: object: cannot be decoded as a PodSpec: "),
            "{}",
            errs[0].message
        );
        let errs = validate_pod_template(&json!({"spec": 5}), &Path::new("spec").child("template"));
        assert_eq!(
            fields(&errs),
            vec![("spec.template.spec", "FieldValueInvalid")]
        );
        let errs = validate_tolerations(&[json!({}), json!({"key": 1})], &Path::new("tolerations"));
        assert_eq!(fields(&errs), vec![("tolerations[1]", "FieldValueInvalid")]);
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        fn pick<T: Clone + std::fmt::Debug + 'static>(
            xs: &[T],
        ) -> impl Strategy<Value = T> + use<T> {
            proptest::sample::select(xs.to_vec())
        }

        fn opt_str(xs: &'static [&'static str]) -> impl Strategy<Value = Option<&'static str>> {
            proptest::option::of(pick(xs))
        }

        fn port() -> impl Strategy<Value = Value> {
            prop_oneof![
                pick(&[0_i64, 80, 65535, 70000, -1]).prop_map(Value::from),
                pick(&["http", "", "Bad_Name", "toolongportname1"]).prop_map(Value::from),
            ]
        }

        fn probe() -> impl Strategy<Value = Value> {
            (
                proptest::option::of(proptest::collection::vec(pick(&["true"]), 0..2)),
                proptest::option::of((
                    opt_str(&["/", ""]),
                    port(),
                    opt_str(&["HTTP", "HTTPS", "FTP"]),
                )),
                proptest::option::of(port()),
                proptest::option::of(pick(&[0_i64, 9090, 70000])),
                proptest::option::of(pick(&[-1_i64, 0, 1, 3])),
                proptest::option::of(pick(&[-1_i64, 0, 30])),
            )
                .prop_map(|(exec, http, tcp, grpc, threshold, grace)| {
                    let mut p = serde_json::Map::new();
                    if let Some(c) = exec {
                        p.insert("exec".into(), json!({"command": c}));
                    }
                    if let Some((path, port, scheme)) = http {
                        p.insert(
                            "httpGet".into(),
                            json!({"path": path, "port": port, "scheme": scheme}),
                        );
                    }
                    if let Some(port) = tcp {
                        p.insert("tcpSocket".into(), json!({"port": port}));
                    }
                    if let Some(port) = grpc {
                        p.insert("grpc".into(), json!({"port": port}));
                    }
                    if let Some(t) = threshold {
                        p.insert("successThreshold".into(), json!(t));
                        p.insert("periodSeconds".into(), json!(t));
                    }
                    if let Some(g) = grace {
                        p.insert("terminationGracePeriodSeconds".into(), json!(g));
                    }
                    Value::Object(p)
                })
        }

        fn container() -> impl Strategy<Value = Value> {
            (
                (
                    pick(&["a", "b", "", "Web"]),
                    opt_str(&["nginx", "", " nginx", "nginx:latest"]),
                    opt_str(&["Always", "Never", ""]),
                    proptest::collection::vec(
                        (
                            pick(&[0_i64, 80, 8080, 70000]),
                            opt_str(&["http", "Bad_Name", ""]),
                            proptest::option::of(pick(&[0_i64, 8080, 70000])),
                            opt_str(&["TCP", "UDP", "HTTP", ""]),
                        ),
                        0..3,
                    ),
                    proptest::collection::vec(
                        (pick(&["A", "", "1x"]), opt_str(&["v", ""]), any::<bool>()),
                        0..3,
                    ),
                ),
                (
                    proptest::collection::vec((pick(&["v", "w", "", "x"]), pick(&["/m", "/n", ""])), 0..3),
                    proptest::option::of(probe()),
                    proptest::option::of(probe()),
                    proptest::option::of(probe()),
                    proptest::collection::btree_map(
                        pick(&["cpu", "memory", "hugepages-2Mi", "example.com/gpu", "bogus"]),
                        pick(&["1", "500m", "2Gi", "-1", "1Qi"]),
                        0..3,
                    ),
                    proptest::collection::btree_map(
                        pick(&["cpu", "memory", "hugepages-2Mi", "example.com/gpu"]),
                        pick(&["1", "500m", "2Gi"]),
                        0..3,
                    ),
                    opt_str(&["Always", "Sometimes", ""]),
                ),
            )
                .prop_map(
                    |((name, image, rp, ports, env), (mounts, live, ready, start, req, lim, pull))| {
                        let ports: Vec<Value> = ports
                            .into_iter()
                            .map(|(cp, n, hp, proto)| json!({"containerPort": cp, "name": n, "hostPort": hp, "protocol": proto}))
                            .collect();
                        let env: Vec<Value> = env
                            .into_iter()
                            .map(|(n, v, from)| {
                                let mut e = json!({"name": n, "value": v});
                                if from {
                                    e["valueFrom"] = json!({"configMapKeyRef": {"name": "c", "key": "k"}});
                                }
                                e
                            })
                            .collect();
                        let mounts: Vec<Value> = mounts
                            .into_iter()
                            .map(|(n, p)| json!({"name": n, "mountPath": p}))
                            .collect();
                        json!({"name": name, "image": image, "restartPolicy": rp, "ports": ports, "env": env,
                            "volumeMounts": mounts, "livenessProbe": live, "readinessProbe": ready, "startupProbe": start,
                            "resources": {"requests": req, "limits": lim}, "imagePullPolicy": pull})
                    },
                )
        }

        fn volume() -> impl Strategy<Value = Value> {
            (
                pick(&["v", "w", "", "Bad"]),
                proptest::sample::subsequence(
                    vec![
                        "emptyDir",
                        "hostPath",
                        "secret",
                        "configMap",
                        "persistentVolumeClaim",
                        "nfs",
                        "image",
                    ],
                    0..3,
                ),
                any::<bool>(),
            )
                .prop_map(|(name, sources, filled)| {
                    let mut v = json!({"name": name});
                    for s in sources {
                        v[s] = match (s, filled) {
                            ("hostPath", true) => json!({"path": "/x"}),
                            ("secret", true) => json!({"secretName": "s"}),
                            ("configMap", true) => json!({"name": "c"}),
                            ("persistentVolumeClaim", true) => json!({"claimName": "c"}),
                            ("nfs", _) => json!({"server": "s", "path": "/"}),
                            _ => json!({}),
                        };
                    }
                    v
                })
        }

        fn toleration() -> impl Strategy<Value = Value> {
            (
                opt_str(&["k", "", "bad key!"]),
                opt_str(&["Equal", "Exists", "Maybe", ""]),
                opt_str(&["v", "", "-bad-"]),
                opt_str(&["NoSchedule", "NoExecute", "Sometimes", ""]),
                proptest::option::of(pick(&[0_i64, 5])),
            )
                .prop_map(|(k, op, v, e, s)| {
                    json!({"key": k, "operator": op, "value": v, "effect": e, "tolerationSeconds": s})
                })
        }

        fn spec() -> impl Strategy<Value = Value> {
            (
                proptest::collection::vec(container(), 0..3),
                proptest::collection::vec(container(), 0..2),
                proptest::collection::vec(volume(), 0..4),
                proptest::collection::vec(toleration(), 0..3),
                opt_str(&["Always", "OnFailure", "Sometimes"]),
                opt_str(&["ClusterFirst", "None", "Maybe"]),
                proptest::option::of(pick(&[0_i64, 10, 5_000_000_000])),
                opt_str(&["node-1", "Node!"]),
                any::<bool>(),
            )
                .prop_map(|(cs, inits, vols, tols, rp, dns, ads, node, host_net)| {
                    json!({"containers": cs, "initContainers": inits, "volumes": vols, "tolerations": tols,
                        "restartPolicy": rp, "dnsPolicy": dns, "activeDeadlineSeconds": ads, "nodeName": node,
                        "hostNetwork": host_net})
                })
        }

        fn meta() -> impl Strategy<Value = Value> {
            (
                opt_str(&["p", "", "Foo"]),
                opt_str(&["web-", "Web-"]),
                opt_str(&["default", "Bad_NS"]),
                proptest::collection::btree_map(pick(&["app", "bad key"]), pick(&["web", "-bad"]), 0..2),
                proptest::collection::vec(pick(&["kubernetes", "foo", "example.com/x"]), 0..2),
                proptest::collection::vec((pick(&["", "a", "b"]), any::<bool>()), 0..3),
            )
                .prop_map(|(name, gen_name, ns, labels, fins, owners)| {
                    let owners: Vec<Value> = owners
                        .into_iter()
                        .map(|(n, c)| json!({"apiVersion": "v1", "kind": "X", "name": n, "uid": n, "controller": c}))
                        .collect();
                    json!({"name": name, "generateName": gen_name, "namespace": ns, "labels": labels,
                        "finalizers": fins, "ownerReferences": owners})
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Typed and JSON Pod create validation agree on generated,
            /// defaulted pods.
            #[test]
            fn typed_matches_json(meta in meta(), spec in spec()) {
                let pod = typed_pod(meta, spec);
                let typed = validate_pod_create_typed(&pod);
                let json = validate_pod_create(&serde_json::to_value(&pod).unwrap());
                prop_assert_eq!(typed, json);
            }
        }
    }
}
