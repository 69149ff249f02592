//! Pods: defaults (`pkg/apis/core/v1/defaults.go` plus the
//! DefaultTolerationSeconds, Priority and ServiceAccount admission defaults),
//! the `kubectl get pods` printer with the full STATUS logic, and the pod
//! field selectors.

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerStatus, Pod, PodSecurityContext, PodSpec, PodStatus, Probe, Toleration,
    Volume,
};
use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use super::util::{
    Typed, age_column, age_of, column, decode, decode_typed, decode_typed_defaulted, mutate_typed,
    name_column,
};
use crate::registry::{Column, FieldError, KindHooks, TypedObject};

/// Toleration keys added by DefaultTolerationSeconds.
const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// `tolerationSeconds` of the admission-added tolerations.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;
/// `status.reason` the node lifecycle controller sets on pods of lost nodes.
pub const NODE_UNREACHABLE_POD_REASON: &str = "NodeLost";

/// Image pull policy Kubernetes picks for an image: `Always` for `:latest`
/// or an untagged, undigested reference, else `IfNotPresent`.
pub fn default_pull_policy(image: &str) -> &'static str {
    let (name, has_digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = match last.split_once(':') {
        Some((_, t)) => Some(t),
        None if has_digest => None,
        None => Some("latest"),
    };
    if tag == Some("latest") {
        "Always"
    } else {
        "IfNotPresent"
    }
}

fn default_probe(p: &mut Probe) {
    p.timeout_seconds.get_or_insert(1);
    p.period_seconds.get_or_insert(10);
    p.success_threshold.get_or_insert(1);
    p.failure_threshold.get_or_insert(3);
    if let Some(h) = &mut p.http_get {
        h.path.get_or_insert_with(|| "/".to_string());
        h.scheme.get_or_insert_with(|| "HTTP".to_string());
    }
}

/// Rewrite parseable quantities in canonical form (`0.5` → `500m`), as
/// Kubernetes stores them; unparseable ones are left for validation.
fn canonicalize_resources(c: &mut Container) {
    if let Some(res) = &mut c.resources {
        for map in [&mut res.limits, &mut res.requests].into_iter().flatten() {
            for q in map.values_mut() {
                if let Ok(canon) = crate::quantity::canonicalize(q) {
                    *q = canon;
                }
            }
        }
    }
}

fn default_container(c: &mut Container) {
    canonicalize_resources(c);
    if c.image_pull_policy.as_deref().unwrap_or("").is_empty() {
        c.image_pull_policy = Some(default_pull_policy(c.image.as_deref().unwrap_or("")).into());
    }
    if c.termination_message_path
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        c.termination_message_path = Some("/dev/termination-log".to_string());
    }
    if c.termination_message_policy
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        c.termination_message_policy = Some("File".to_string());
    }
    for p in c.ports.iter_mut().flatten() {
        if p.protocol.as_deref().unwrap_or("").is_empty() {
            p.protocol = Some("TCP".to_string());
        }
    }
    for probe in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        default_probe(probe);
    }
    for env in c.env.iter_mut().flatten() {
        if let Some(fr) = env.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            fr.api_version.get_or_insert_with(|| "v1".to_string());
        }
    }
}

fn default_volume(v: &mut Volume) {
    let has_source = serde_json::to_value(&*v)
        .ok()
        .and_then(|j| j.as_object().map(|m| m.keys().any(|k| k != "name")))
        .unwrap_or(true);
    if !has_source {
        v.empty_dir = Some(Default::default());
    }
    if let Some(s) = &mut v.secret {
        s.default_mode.get_or_insert(0o644);
    }
    if let Some(s) = &mut v.config_map {
        s.default_mode.get_or_insert(0o644);
    }
    if let Some(s) = &mut v.downward_api {
        s.default_mode.get_or_insert(0o644);
        for item in s.items.iter_mut().flatten() {
            if let Some(fr) = &mut item.field_ref {
                fr.api_version.get_or_insert_with(|| "v1".to_string());
            }
        }
    }
    if let Some(s) = &mut v.projected {
        s.default_mode.get_or_insert(0o644);
    }
    if let Some(s) = &mut v.host_path {
        s.type_.get_or_insert_with(String::new);
    }
}

/// `SetDefaults_PodSpec` and the per-container, probe, port and volume
/// defaults: what both pods and pod templates get.
pub fn default_pod_spec(spec: &mut PodSpec) {
    if spec.dns_policy.as_deref().unwrap_or("").is_empty() {
        spec.dns_policy = Some("ClusterFirst".to_string());
    }
    if spec.restart_policy.as_deref().unwrap_or("").is_empty() {
        spec.restart_policy = Some("Always".to_string());
    }
    spec.security_context
        .get_or_insert_with(PodSecurityContext::default);
    spec.termination_grace_period_seconds.get_or_insert(30);
    if spec.scheduler_name.as_deref().unwrap_or("").is_empty() {
        spec.scheduler_name = Some("default-scheduler".to_string());
    }
    let host_network = spec.host_network.unwrap_or(false);
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        default_container(c);
        if host_network {
            for p in c.ports.iter_mut().flatten() {
                if p.host_port.unwrap_or(0) == 0 {
                    p.host_port = Some(p.container_port);
                }
            }
        }
    }
    for v in spec.volumes.iter_mut().flatten() {
        default_volume(v);
    }
}

fn tolerates(tols: &[Toleration], key: &str) -> bool {
    tols.iter().any(|t| {
        let tkey = t.key.as_deref().unwrap_or("");
        let effect = t.effect.as_deref().unwrap_or("");
        (tkey == key || tkey.is_empty()) && (effect == "NoExecute" || effect.is_empty())
    })
}

/// DefaultTolerationSeconds admission: add the `not-ready` and `unreachable`
/// NoExecute tolerations (300 s) unless the pod tolerates them already.
pub fn add_default_tolerations(spec: &mut PodSpec) {
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [TAINT_NOT_READY, TAINT_UNREACHABLE] {
        if !tolerates(tols, key) {
            tols.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                effect: Some("NoExecute".to_string()),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
                value: None,
            });
        }
    }
}

/// Everything a Pod (not a template) gets: the spec defaults, requests
/// defaulted from limits, `enableServiceLinks`, and the admission defaults
/// (service account `default`, priority 0, DefaultTolerationSeconds).
pub fn default_pod(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    default_pod_spec(spec);
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        if let Some(res) = &mut c.resources
            && let Some(limits) = &res.limits
        {
            let requests = res.requests.get_or_insert_with(Default::default);
            for (k, v) in limits {
                requests.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    spec.enable_service_links.get_or_insert(true);
    if spec
        .service_account_name
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        let sa = spec
            .service_account
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "default".to_string());
        spec.service_account_name = Some(sa);
    }
    if spec.service_account.as_deref().unwrap_or("").is_empty() {
        spec.service_account = spec.service_account_name.clone();
    }
    if spec.priority_class_name.as_deref().unwrap_or("").is_empty() {
        spec.priority.get_or_insert(0);
    }
    spec.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".to_string());
    add_default_tolerations(spec);
}

/// The pod's QoS class from its containers' cpu and memory requests and
/// limits (`GetPodQOS`): `BestEffort` with none at all, `Guaranteed` when
/// every container limits both and requests what it limits, else
/// `Burstable`. Requests were defaulted from limits already.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    for c in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
    {
        let res = c.resources.as_ref();
        let requests = res.and_then(|r| r.requests.as_ref());
        let limits = res.and_then(|r| r.limits.as_ref());
        for r in ["cpu", "memory"] {
            let limit = limits.and_then(|m| m.get(r));
            let request = requests.and_then(|m| m.get(r));
            if request.is_some() || limit.is_some() {
                any = true;
            }
            if limit.is_none() || request.or(limit) != limit {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The status a new pod starts with: `Pending`, with its QoS class.
pub fn new_pod_status(spec: &PodSpec) -> PodStatus {
    PodStatus {
        phase: Some("Pending".to_string()),
        qos_class: Some(qos_class(spec).to_string()),
        ..PodStatus::default()
    }
}

fn reset_pod_status(pod: &mut Pod) {
    let status = new_pod_status(pod.spec.as_ref().unwrap_or(&PodSpec::default()));
    pod.status = Some(status);
}

fn is_restartable_init(c: Option<&&Container>) -> bool {
    c.and_then(|c| c.restart_policy.as_deref()) == Some("Always")
}

fn condition_true(status: &PodStatus, type_: &str) -> bool {
    status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == type_ && c.status == "True")
}

fn last_terminated(cs: &ContainerStatus) -> Option<Timestamp> {
    cs.last_state
        .as_ref()?
        .terminated
        .as_ref()?
        .finished_at
        .as_ref()
        .map(|t| t.0)
}

/// The READY, STATUS and RESTARTS cells of `kubectl get pods`, ported from
/// `printPod` in `pkg/printers/internalversion/printers.go`.
pub fn pod_ready_status_restarts(pod: &Pod, now: i64) -> (String, String, String) {
    let empty_spec = PodSpec::default();
    let empty_status = PodStatus::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty_spec);
    let status = pod.status.as_ref().unwrap_or(&empty_status);

    let mut restarts: i64 = 0;
    let mut restartable_init_restarts: i64 = 0;
    let mut total = spec.containers.len();
    let mut ready = 0usize;
    let mut last_restart: Option<Timestamp> = None;
    let mut last_restartable_init_restart: Option<Timestamp> = None;

    let phase = status.phase.clone().unwrap_or_default();
    let mut reason = match status.reason.as_deref() {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => phase.clone(),
    };
    if status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_string();
    }

    let init_containers: HashMap<&str, &Container> = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| (c.name.as_str(), c))
        .collect();
    let n_init = spec.init_containers.as_ref().map_or(0, Vec::len);
    total += spec
        .init_containers
        .iter()
        .flatten()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .count();

    let mut initializing = false;
    for (i, cs) in status.init_container_statuses.iter().flatten().enumerate() {
        restarts += i64::from(cs.restart_count);
        let term_date = last_terminated(cs);
        if term_date > last_restart {
            last_restart = term_date;
        }
        let restartable = is_restartable_init(init_containers.get(cs.name.as_str()));
        if restartable {
            restartable_init_restarts += i64::from(cs.restart_count);
            if term_date > last_restartable_init_restart {
                last_restartable_init_restart = term_date;
            }
        }
        let state = cs.state.clone().unwrap_or_default();
        let terminated = state.terminated.as_ref();
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            reason = match t.reason.as_deref() {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ => match t.signal {
                    Some(s) if s != 0 => format!("Init:Signal:{s}"),
                    _ => format!("Init:ExitCode:{}", t.exit_code),
                },
            };
        } else if let Some(r) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{n_init}");
        }
        initializing = true;
        break;
    }

    if !initializing || condition_true(status, "Initialized") {
        restarts = restartable_init_restarts;
        last_restart = last_restartable_init_restart;
        let mut has_running = false;
        for cs in status.container_statuses.iter().flatten().rev() {
            restarts += i64::from(cs.restart_count);
            let term_date = last_terminated(cs);
            if term_date > last_restart {
                last_restart = term_date;
            }
            let state = cs.state.clone().unwrap_or_default();
            let waiting_reason = state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.as_deref())
                .filter(|r| !r.is_empty());
            if let Some(r) = waiting_reason {
                reason = r.to_string();
            } else if let Some(t) = &state.terminated {
                reason = match t.reason.as_deref() {
                    Some(r) if !r.is_empty() => r.to_string(),
                    _ => match t.signal {
                        Some(s) if s != 0 => format!("Signal:{s}"),
                        _ => format!("ExitCode:{}", t.exit_code),
                    },
                };
            } else if cs.ready && state.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true(status, "Ready") {
                "Running".to_string()
            } else {
                "NotReady".to_string()
            };
        }
    }

    let deleting = pod.metadata.deletion_timestamp.is_some();
    if deleting && status.reason.as_deref() == Some(NODE_UNREACHABLE_POD_REASON) {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }

    let restarts_str = match last_restart {
        Some(ts) if restarts != 0 => format!("{restarts} ({} ago)", age_of(Some(ts), now)),
        _ => restarts.to_string(),
    };
    (format!("{ready}/{total}"), reason, restarts_str)
}

/// Hooks for `pods`.
#[derive(Debug, Default)]
pub struct PodHooks;

const POD_FIELDS: &[&str] = &[
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
];

impl KindHooks for PodHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        mutate_typed::<Pod, _>(obj, &["spec"], default_pod)
    }

    fn decode_defaulted(&self, raw: &[u8]) -> Option<(Value, Vec<String>)> {
        decode_typed_defaulted::<Pod, _>(raw, default_pod)
    }

    fn decode_new(&self, raw: &[u8]) -> Option<(Box<dyn TypedObject>, Vec<String>)> {
        let (mut pod, unknown) = decode_typed::<Pod>(raw)?;
        default_pod(&mut pod);
        let typed = Typed {
            obj: pod,
            validate: crate::validation::pod::validate_pod_create_typed,
            reset_status: reset_pod_status,
        };
        Some((Box::new(typed), unknown))
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::pod::validate_pod_create(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::pod::validate_pod_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column(
                "Ready",
                "string",
                0,
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            column(
                "Status",
                "string",
                0,
                "The aggregate status of the containers in this pod.",
            ),
            column(
                "Restarts",
                "string",
                0,
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            ),
            age_column(),
            column(
                "IP",
                "string",
                1,
                "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
            ),
            column(
                "Node",
                "string",
                1,
                "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.",
            ),
            column(
                "Nominated Node",
                "string",
                1,
                "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.",
            ),
            column(
                "Readiness Gates",
                "string",
                1,
                "If specified, all readiness gates will be evaluated for pod readiness.",
            ),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let pod: Pod = decode(obj).unwrap_or_default();
        let (ready, reason, restarts) = pod_ready_status_restarts(&pod, now);
        let spec = pod.spec.clone().unwrap_or_default();
        let status = pod.status.clone().unwrap_or_default();
        let or_none = |s: Option<String>| {
            s.filter(|s| !s.is_empty())
                .unwrap_or_else(|| "<none>".to_string())
        };
        let ip = or_none(
            status
                .pod_ips
                .as_ref()
                .and_then(|ips| ips.first())
                .map(|p| p.ip.clone()),
        );
        let gates = match spec.readiness_gates.as_deref() {
            Some(gates) if !gates.is_empty() => {
                let true_count = gates
                    .iter()
                    .filter(|g| {
                        status
                            .conditions
                            .iter()
                            .flatten()
                            .find(|c| c.type_ == g.condition_type)
                            .is_some_and(|c| c.status == "True")
                    })
                    .count();
                format!("{true_count}/{}", gates.len())
            }
            _ => "<none>".to_string(),
        };
        vec![
            Value::from(pod.metadata.name.clone().unwrap_or_default()),
            Value::from(ready),
            Value::from(reason),
            Value::from(restarts),
            Value::from(age_of(
                pod.metadata.creation_timestamp.as_ref().map(|t| t.0),
                now,
            )),
            Value::from(ip),
            Value::from(or_none(spec.node_name)),
            Value::from(or_none(status.nominated_node_name)),
            Value::from(gates),
        ]
    }

    fn selectable_fields(&self) -> &'static [&'static str] {
        POD_FIELDS
    }

    fn field_value(&self, obj: &Value, field: &str) -> Option<String> {
        let s = |p: &str| super::util::str_at(obj, p).to_string();
        Some(match field {
            "spec.nodeName" => s("/spec/nodeName"),
            "spec.restartPolicy" => s("/spec/restartPolicy"),
            "spec.schedulerName" => s("/spec/schedulerName"),
            "spec.serviceAccountName" => s("/spec/serviceAccountName"),
            "spec.hostNetwork" => obj
                .pointer("/spec/hostNetwork")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
            "status.phase" => s("/status/phase"),
            "status.podIP" => {
                let first = s("/status/podIPs/0/ip");
                if first.is_empty() {
                    s("/status/podIP")
                } else {
                    first
                }
            }
            "status.nominatedNodeName" => s("/status/nominatedNodeName"),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    /// The typed fast path gives the same object as parsing, dropping the
    /// unknown fields and defaulting, and names what it dropped.
    #[test]
    fn typed_fast_path_matches_the_generic_defaulting() {
        let body = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "bogus": true,
            "metadata": {"name": "p", "colour": "red", "labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "nginx", "imagePullPolcy": "Never",
                "resources": {"limits": {"cpu": "1"}},
                "ports": [{"containerPort": 80, "hostIP2": "x"}]}]}});
        let raw = serde_json::to_vec(&body).unwrap();
        let (fast, unknown) = PodHooks.decode_defaulted(&raw).expect("decodes");
        assert_eq!(
            unknown,
            [
                "unknown field \"bogus\"",
                "unknown field \"metadata.colour\"",
                "unknown field \"spec.containers[0].imagePullPolcy\"",
                "unknown field \"spec.containers[0].ports[0].hostIP2\"",
            ]
        );
        let mut slow = body.clone();
        let m = slow.as_object_mut().unwrap();
        m.remove("bogus");
        slow["metadata"].as_object_mut().unwrap().remove("colour");
        let c = &mut slow["spec"]["containers"][0];
        c.as_object_mut().unwrap().remove("imagePullPolcy");
        c["ports"][0].as_object_mut().unwrap().remove("hostIP2");
        PodHooks.default(&mut slow).unwrap();
        assert_eq!(fast, slow);
        assert_eq!(
            fast["spec"]["containers"][0]["resources"]["requests"]["cpu"],
            "1"
        );
        // Not a Pod, or not decodable: the generic path will word the error.
        assert!(
            PodHooks
                .decode_defaulted(br#"{"apiVersion": "apps/v1", "kind": "Pod"}"#)
                .is_none()
        );
        assert!(
            PodHooks
                .decode_defaulted(br#"{"spec": {"containers": 3}}"#)
                .is_none()
        );
        assert!(PodHooks.decode_defaulted(br#"{"kind": "Pod"} x"#).is_none());
    }

    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn ts(offset: i64) -> String {
        Timestamp::from_second(NOW - offset).unwrap().to_string()
    }

    fn status_of(pod: Value) -> (String, String, String) {
        let pod: Pod = serde_json::from_value(pod).unwrap();
        pod_ready_status_restarts(&pod, NOW)
    }

    fn pod_with(spec: Value, status: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec, "status": status})
    }

    fn one_container() -> Value {
        json!({"containers": [{"name": "c", "image": "nginx"}]})
    }

    #[test]
    fn qos_classes() {
        let qos = |spec: Value| {
            let mut pod = json!({"metadata": {"name": "p"}, "spec": spec});
            PodHooks.default(&mut pod).unwrap();
            let pod: Pod = serde_json::from_value(pod).unwrap();
            new_pod_status(pod.spec.as_ref().unwrap())
                .qos_class
                .unwrap()
        };
        assert_eq!(qos(json!({"containers": [{"name": "a"}]})), "BestEffort");
        let limits = json!({"limits": {"cpu": "1", "memory": "1Gi"}});
        assert_eq!(
            qos(json!({"containers": [{"name": "a", "resources": limits}]})),
            "Guaranteed"
        );
        // Requests below the limits, or a limit missing somewhere.
        let below = json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}});
        assert_eq!(
            qos(json!({"containers": [{"name": "a", "resources": below}]})),
            "Burstable"
        );
        assert_eq!(
            qos(json!({"containers": [{"name": "a", "resources": limits},
                {"name": "b", "resources": {"requests": {"cpu": "1"}}}]})),
            "Burstable"
        );
        assert_eq!(
            qos(
                json!({"initContainers": [{"name": "i", "resources": {"requests": {"memory": "1Mi"}}}],
                "containers": [{"name": "a"}]})
            ),
            "Burstable"
        );
        let status = new_pod_status(&PodSpec::default());
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            json!({"phase": "Pending", "qosClass": "BestEffort"})
        );
    }

    #[test]
    fn pull_policy_follows_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.25"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/nginx"), "Always");
        assert_eq!(
            default_pull_policy("localhost:5000/nginx:v1"),
            "IfNotPresent"
        );
        assert_eq!(default_pull_policy("nginx@sha256:abcd"), "IfNotPresent");
        assert_eq!(default_pull_policy("nginx:latest@sha256:abcd"), "Always");
    }

    #[test]
    fn pod_defaults() {
        let mut obj = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"containers": [{
                "name": "c", "image": "nginx:1.25",
                "ports": [{"containerPort": 80}],
                "resources": {"limits": {"cpu": "1000m", "memory": 1073741824u64}, "requests": {"cpu": 0.5}},
                "livenessProbe": {"httpGet": {"port": 80}}
            }, {"name": "d", "image": "busybox"}],
            "volumes": [{"name": "v"}, {"name": "s", "secret": {"secretName": "x"}}]}
        });
        PodHooks.default(&mut obj).unwrap();
        let spec = &obj["spec"];
        assert_eq!(obj["metadata"]["creationTimestamp"], "2024-01-01T00:00:00Z");
        assert_eq!(spec["restartPolicy"], "Always");
        assert_eq!(spec["dnsPolicy"], "ClusterFirst");
        assert_eq!(spec["schedulerName"], "default-scheduler");
        assert_eq!(spec["terminationGracePeriodSeconds"], 30);
        assert_eq!(spec["securityContext"], json!({}));
        assert_eq!(spec["enableServiceLinks"], true);
        assert_eq!(spec["serviceAccountName"], "default");
        assert_eq!(spec["serviceAccount"], "default");
        assert_eq!(spec["priority"], 0);
        assert_eq!(spec["preemptionPolicy"], "PreemptLowerPriority");
        let c = &spec["containers"][0];
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(spec["containers"][1]["imagePullPolicy"], "Always");
        assert_eq!(c["terminationMessagePath"], "/dev/termination-log");
        assert_eq!(c["terminationMessagePolicy"], "File");
        assert_eq!(c["ports"][0]["protocol"], "TCP");
        assert_eq!(c["resources"]["requests"]["cpu"], "500m");
        assert_eq!(c["resources"]["limits"]["cpu"], "1");
        // A plain number stays decimal, as in Kubernetes.
        assert_eq!(c["resources"]["limits"]["memory"], "1073741824");
        assert_eq!(c["resources"]["requests"]["memory"], "1073741824");
        let probe = &c["livenessProbe"];
        assert_eq!(probe["timeoutSeconds"], 1);
        assert_eq!(probe["periodSeconds"], 10);
        assert_eq!(probe["successThreshold"], 1);
        assert_eq!(probe["failureThreshold"], 3);
        assert_eq!(probe["httpGet"]["path"], "/");
        assert_eq!(probe["httpGet"]["scheme"], "HTTP");
        assert_eq!(spec["volumes"][0]["emptyDir"], json!({}));
        assert_eq!(spec["volumes"][1]["secret"]["defaultMode"], 420);
        assert_eq!(
            spec["tolerations"],
            json!([
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ])
        );
        // Idempotent.
        let before = obj.clone();
        PodHooks.default(&mut obj).unwrap();
        assert_eq!(obj, before);
    }

    #[test]
    fn default_tolerations_respect_existing() {
        let mut obj = pod_with(
            json!({"containers": [{"name": "c", "image": "x"}],
                   "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 10}]}),
            json!({}),
        );
        PodHooks.default(&mut obj).unwrap();
        let tols = obj["spec"]["tolerations"].as_array().unwrap();
        assert_eq!(tols.len(), 2);
        assert_eq!(tols[0]["tolerationSeconds"], 10);
        assert_eq!(tols[1]["key"], "node.kubernetes.io/unreachable");

        let mut all = pod_with(
            json!({"containers": [{"name": "c", "image": "x"}], "tolerations": [{"operator": "Exists"}]}),
            json!({}),
        );
        PodHooks.default(&mut all).unwrap();
        assert_eq!(all["spec"]["tolerations"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn default_rejects_non_pod() {
        let mut obj = json!({"spec": {"containers": "nope"}});
        assert!(PodHooks.default(&mut obj).is_err());
        assert!(PodHooks.default(&mut json!(3)).is_err());
    }

    #[test]
    fn status_pending_and_running() {
        assert_eq!(
            status_of(pod_with(one_container(), json!({"phase": "Pending"}))),
            ("0/1".into(), "Pending".into(), "0".into())
        );
        let running = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "c", "image": "nginx", "imageID": "", "ready": true, "restartCount": 0,
                "state": {"running": {"startedAt": ts(10)}}}]});
        assert_eq!(
            status_of(pod_with(one_container(), running)),
            ("1/1".into(), "Running".into(), "0".into())
        );
    }

    #[test]
    fn status_container_creating_and_crashloop() {
        let creating = json!({"phase": "Pending", "containerStatuses": [{"name": "c", "image": "nginx", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]});
        assert_eq!(
            status_of(pod_with(one_container(), creating)).1,
            "ContainerCreating"
        );
        let crash = json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "nginx", "imageID": "",
            "ready": false, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 1, "finishedAt": ts(182)}}}]});
        assert_eq!(
            status_of(pod_with(one_container(), crash)),
            (
                "0/1".into(),
                "CrashLoopBackOff".into(),
                "4 (3m2s ago)".into()
            )
        );
    }

    #[test]
    fn status_completed_error_signal() {
        let done = json!({"phase": "Succeeded", "containerStatuses": [{"name": "c", "image": "x", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]});
        assert_eq!(status_of(pod_with(one_container(), done)).1, "Completed");
        let sig = json!({"phase": "Failed", "containerStatuses": [{"name": "c", "image": "x", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 137, "signal": 9}}}]});
        assert_eq!(status_of(pod_with(one_container(), sig)).1, "Signal:9");
        let code = json!({"phase": "Failed", "containerStatuses": [{"name": "c", "image": "x", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}]});
        assert_eq!(status_of(pod_with(one_container(), code)).1, "ExitCode:2");
    }

    #[test]
    fn status_completed_with_running_sidecar() {
        let spec =
            json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "x"}]});
        let st = |ready_cond: &str| {
            json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": ready_cond}],
            "containerStatuses": [
                {"name": "a", "image": "x", "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {}}},
                {"name": "b", "image": "x", "imageID": "", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
            ]})
        };
        assert_eq!(status_of(pod_with(spec.clone(), st("True"))).1, "Running");
        assert_eq!(status_of(pod_with(spec, st("False"))).1, "NotReady");
    }

    #[test]
    fn status_init_containers() {
        let spec = json!({"initContainers": [{"name": "i1", "image": "x"}, {"name": "i2", "image": "x"}],
                          "containers": [{"name": "c", "image": "x"}]});
        let waiting = json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "image": "x", "imageID": "", "ready": false, "restartCount": 0, "state": {"running": {}}},
            {"name": "i2", "image": "x", "imageID": "", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}
        ]});
        assert_eq!(status_of(pod_with(spec.clone(), waiting)).1, "Init:0/2");
        let second = json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "image": "x", "imageID": "", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0}}},
            {"name": "i2", "image": "x", "imageID": "", "ready": false, "restartCount": 0, "state": {"running": {}}}
        ]});
        assert_eq!(status_of(pod_with(spec.clone(), second)).1, "Init:1/2");
        let failed = json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "image": "x", "imageID": "", "ready": false, "restartCount": 3, "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}
        ]});
        assert_eq!(
            status_of(pod_with(spec.clone(), failed)),
            ("0/1".into(), "Init:Error".into(), "3".into())
        );
        let crash = json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "image": "x", "imageID": "", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
        ]});
        assert_eq!(
            status_of(pod_with(spec.clone(), crash)).1,
            "Init:CrashLoopBackOff"
        );
        let code = json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "image": "x", "imageID": "", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 7}}}
        ]});
        assert_eq!(status_of(pod_with(spec, code)).1, "Init:ExitCode:7");
    }

    #[test]
    fn status_sidecar_counts_as_container() {
        let spec = json!({"initContainers": [{"name": "side", "image": "x", "restartPolicy": "Always"}],
                          "containers": [{"name": "c", "image": "x"}]});
        let st = json!({"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}],
            "initContainerStatuses": [{"name": "side", "image": "x", "imageID": "", "ready": true, "started": true,
                "restartCount": 2, "state": {"running": {}}}],
            "containerStatuses": [{"name": "c", "image": "x", "imageID": "", "ready": true, "restartCount": 1, "state": {"running": {}}}]});
        assert_eq!(
            status_of(pod_with(spec, st)),
            ("2/2".into(), "Running".into(), "3".into())
        );
    }

    #[test]
    fn status_terminating_and_node_lost() {
        let mut p = pod_with(one_container(), json!({"phase": "Running"}));
        p["metadata"]["deletionTimestamp"] = json!(ts(1));
        assert_eq!(status_of(p.clone()).1, "Terminating");
        p["status"]["reason"] = json!("NodeLost");
        assert_eq!(status_of(p.clone()).1, "Unknown");
        let mut done = pod_with(one_container(), json!({"phase": "Succeeded"}));
        done["metadata"]["deletionTimestamp"] = json!(ts(1));
        assert_eq!(status_of(done).1, "Succeeded");
        let evicted = pod_with(
            one_container(),
            json!({"phase": "Failed", "reason": "Evicted"}),
        );
        assert_eq!(status_of(evicted).1, "Evicted");
    }

    #[test]
    fn status_scheduling_gated() {
        let p = pod_with(
            one_container(),
            json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
        );
        assert_eq!(status_of(p).1, "SchedulingGated");
    }

    #[test]
    fn row_has_one_cell_per_column() {
        let mut p = pod_with(
            json!({"containers": [{"name": "c", "image": "x"}], "nodeName": "n1",
                   "readinessGates": [{"conditionType": "g1"}, {"conditionType": "g2"}]}),
            json!({"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}],
                   "conditions": [{"type": "g1", "status": "True"}]}),
        );
        p["metadata"]["creationTimestamp"] = json!(ts(5 * 3600));
        let row = PodHooks.row(&p, NOW);
        assert_eq!(row.len(), PodHooks.columns().len());
        assert_eq!(
            row,
            vec![
                json!("p"),
                json!("0/1"),
                json!("Running"),
                json!("0"),
                json!("5h"),
                json!("10.0.0.5"),
                json!("n1"),
                json!("<none>"),
                json!("1/2")
            ]
        );
    }

    #[test]
    fn field_values() {
        let p = pod_with(
            json!({"containers": [], "nodeName": "n1"}),
            json!({"phase": "Running", "podIPs": [{"ip": "10.0.0.5"}]}),
        );
        assert_eq!(
            PodHooks.field_value(&p, "spec.nodeName").as_deref(),
            Some("n1")
        );
        assert_eq!(
            PodHooks.field_value(&p, "status.phase").as_deref(),
            Some("Running")
        );
        assert_eq!(
            PodHooks.field_value(&p, "status.podIP").as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(
            PodHooks.field_value(&p, "spec.restartPolicy").as_deref(),
            Some("")
        );
        assert_eq!(
            PodHooks.field_value(&p, "spec.hostNetwork").as_deref(),
            Some("false")
        );
        assert_eq!(PodHooks.field_value(&p, "spec.bogus"), None);
        assert!(
            PodHooks
                .selectable_fields()
                .contains(&"status.nominatedNodeName")
        );
    }
}
