//! apps/v1 ReplicaSets and Deployments: defaults
//! (`pkg/apis/apps/v1/defaults.go`), printers and field selectors.

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::pod::default_pod_spec;
use super::util::{
    age_column, age_of, column, decode, decode_typed_defaulted, format_label_selector,
    format_label_selector_or_none, mutate_typed, name_column,
};
use crate::registry::{Column, FieldError, KindHooks};

fn default_template(t: &mut PodTemplateSpec) {
    default_pod_spec(t.spec.get_or_insert_with(Default::default));
}

/// `SetDefaults_ReplicaSet`: replicas 1, template pod defaults.
pub fn default_replica_set(rs: &mut ReplicaSet) {
    let spec = rs.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    if let Some(t) = &mut spec.template {
        default_template(t);
    }
}

/// `SetDefaults_Deployment`: replicas 1, RollingUpdate 25%/25%,
/// revisionHistoryLimit 10, progressDeadlineSeconds 600, template pod
/// defaults.
pub fn default_deployment(d: &mut Deployment) {
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    let strategy = spec
        .strategy
        .get_or_insert_with(DeploymentStrategy::default);
    if strategy.type_.as_deref().unwrap_or("").is_empty() {
        strategy.type_ = Some("RollingUpdate".to_string());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable
            .get_or_insert_with(|| IntOrString::String("25%".to_string()));
        ru.max_surge
            .get_or_insert_with(|| IntOrString::String("25%".to_string()));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    default_template(&mut spec.template);
}

fn has_selector(obj: &Value) -> bool {
    obj.pointer("/spec/selector").is_some_and(|s| !s.is_null())
}

/// The typed fast path for ReplicaSets and Deployments. The typed structs
/// turn a missing `spec.selector` into an empty one, which validation would
/// word differently: bodies without a non-empty selector take the generic
/// path.
fn decode_with_selector(typed: Option<(Value, Vec<String>)>) -> Option<(Value, Vec<String>)> {
    let (obj, unknown) = typed?;
    let selector = obj.pointer("/spec/selector")?.as_object()?;
    let non_empty = |k: &str| {
        selector.get(k).is_some_and(|v| match v {
            Value::Object(m) => !m.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => false,
        })
    };
    (non_empty("matchLabels") || non_empty("matchExpressions")).then_some((obj, unknown))
}

/// The typed structs make `spec.selector` required; keep a missing one
/// missing so that validation reports `Required value` as Kubernetes does.
fn keep_selector_absent(obj: &mut Value, had_selector: bool) {
    if !had_selector && let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
        spec.remove("selector");
    }
}

/// Container names and images of a template, comma-joined
/// (`layoutContainerCells`).
fn container_cells(t: Option<&PodTemplateSpec>) -> (String, String) {
    let containers = t
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = containers
        .iter()
        .map(|c| c.image.as_deref().unwrap_or(""))
        .collect();
    (names.join(","), images.join(","))
}

const CONTAINERS_DOC: &str = "Names of each container in the template.";
const IMAGES_DOC: &str = "Images referenced by each container in the template.";
const SELECTOR_DOC: &str = "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.";

/// Hooks for `replicasets`.
#[derive(Debug, Default)]
pub struct ReplicaSetHooks;

impl KindHooks for ReplicaSetHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let had_selector = has_selector(obj);
        mutate_typed::<ReplicaSet, _>(obj, &["spec"], default_replica_set)?;
        keep_selector_absent(obj, had_selector);
        Ok(())
    }

    fn decode_defaulted(&self, raw: &[u8]) -> Option<(Value, Vec<String>)> {
        decode_with_selector(decode_typed_defaulted::<ReplicaSet, _>(
            raw,
            default_replica_set,
        ))
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::apps::validate_replica_set_create(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::apps::validate_replica_set_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column(
                "Desired",
                "integer",
                0,
                "Replicas is the number of desired pods.",
            ),
            column(
                "Current",
                "integer",
                0,
                "Replicas is the most recently observed number of replicas.",
            ),
            column(
                "Ready",
                "integer",
                0,
                "The number of ready replicas for this replica set.",
            ),
            age_column(),
            column("Containers", "string", 1, CONTAINERS_DOC),
            column("Images", "string", 1, IMAGES_DOC),
            column(
                "Selector",
                "string",
                1,
                "Selector is a label query over pods that should match the replica count.",
            ),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let rs: ReplicaSet = decode(obj).unwrap_or_default();
        let spec = rs.spec.unwrap_or_default();
        let status = rs.status.unwrap_or_default();
        let (containers, images) = container_cells(spec.template.as_ref());
        vec![
            Value::from(rs.metadata.name.unwrap_or_default()),
            Value::from(spec.replicas.unwrap_or(0)),
            Value::from(status.replicas),
            Value::from(status.ready_replicas.unwrap_or(0)),
            Value::from(age_of(rs.metadata.creation_timestamp.map(|t| t.0), now)),
            Value::from(containers),
            Value::from(images),
            Value::from(format_label_selector_or_none(Some(&spec.selector))),
        ]
    }

    fn selectable_fields(&self) -> &'static [&'static str] {
        &["status.replicas"]
    }

    fn field_value(&self, obj: &Value, field: &str) -> Option<String> {
        match field {
            "status.replicas" => Some(
                obj.pointer("/status/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
                    .to_string(),
            ),
            _ => None,
        }
    }
}

/// Hooks for `deployments`.
#[derive(Debug, Default)]
pub struct DeploymentHooks;

impl KindHooks for DeploymentHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let had_selector = has_selector(obj);
        mutate_typed::<Deployment, _>(obj, &["spec"], default_deployment)?;
        keep_selector_absent(obj, had_selector);
        Ok(())
    }

    fn decode_defaulted(&self, raw: &[u8]) -> Option<(Value, Vec<String>)> {
        decode_with_selector(decode_typed_defaulted::<Deployment, _>(
            raw,
            default_deployment,
        ))
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::apps::validate_deployment_create(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::apps::validate_deployment_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column("Ready", "string", 0, "Number of the pod with ready state"),
            column(
                "Up-to-date",
                "integer",
                0,
                "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
            ),
            column(
                "Available",
                "integer",
                0,
                "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
            ),
            age_column(),
            column("Containers", "string", 1, CONTAINERS_DOC),
            column("Images", "string", 1, IMAGES_DOC),
            column("Selector", "string", 1, SELECTOR_DOC),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let d: Deployment = decode(obj).unwrap_or_default();
        let spec = d.spec.unwrap_or_default();
        let status = d.status.unwrap_or_default();
        let (containers, images) = container_cells(Some(&spec.template));
        vec![
            Value::from(d.metadata.name.unwrap_or_default()),
            Value::from(format!(
                "{}/{}",
                status.ready_replicas.unwrap_or(0),
                spec.replicas.unwrap_or(0)
            )),
            Value::from(status.updated_replicas.unwrap_or(0)),
            Value::from(status.available_replicas.unwrap_or(0)),
            Value::from(age_of(d.metadata.creation_timestamp.map(|t| t.0), now)),
            Value::from(containers),
            Value::from(images),
            Value::from(format_label_selector(Some(&spec.selector))),
        ]
    }
}

#[cfg(test)]
mod tests {

    /// The typed fast path gives what parsing and the generic defaulting
    /// give, and leaves bodies without a selector to the generic path.
    #[test]
    fn typed_fast_path_matches_the_generic_defaulting() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"rollingUpdate": {"maxSurge": "50%"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "bogus": 1}]}}}});
        let raw = serde_json::to_vec(&d).unwrap();
        let (fast, unknown) = DeploymentHooks.decode_defaulted(&raw).expect("decodes");
        assert_eq!(
            unknown,
            ["unknown field \"spec.template.spec.containers[0].bogus\""]
        );
        let mut slow = d.clone();
        slow["spec"]["template"]["spec"]["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("bogus");
        DeploymentHooks.default(&mut slow).unwrap();
        assert_eq!(fast, slow);

        let mut rs = d.clone();
        rs["kind"] = json!("ReplicaSet");
        rs["spec"].as_object_mut().unwrap().remove("strategy");
        let raw = serde_json::to_vec(&rs).unwrap();
        let (fast, _) = ReplicaSetHooks.decode_defaulted(&raw).expect("decodes");
        let mut slow = rs.clone();
        slow["spec"]["template"]["spec"]["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("bogus");
        ReplicaSetHooks.default(&mut slow).unwrap();
        assert_eq!(fast, slow);

        for selector in [None, Some(json!({})), Some(json!({"matchLabels": {}}))] {
            let mut d = d.clone();
            match selector {
                Some(s) => d["spec"]["selector"] = s,
                None => {
                    d["spec"].as_object_mut().unwrap().remove("selector");
                }
            }
            let raw = serde_json::to_vec(&d).unwrap();
            assert!(DeploymentHooks.decode_defaulted(&raw).is_none(), "{d}");
        }
    }
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({"metadata": {"labels": {"app": "web"}},
               "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}, {"name": "side", "image": "busybox"}]}})
    }

    #[test]
    fn deployment_defaults() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()}});
        DeploymentHooks.default(&mut d).unwrap();
        let spec = &d["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        assert_eq!(spec["revisionHistoryLimit"], 10);
        assert_eq!(spec["progressDeadlineSeconds"], 600);
        let pod = &spec["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Always");
        assert_eq!(pod["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(pod["containers"][1]["imagePullPolicy"], "Always");
        // Pod-only defaults stay off templates.
        assert!(pod.get("enableServiceLinks").is_none());
        assert!(pod.get("tolerations").is_none());
    }

    #[test]
    fn deployment_recreate_keeps_no_rolling_update() {
        let mut d = json!({"metadata": {"name": "web"},
            "spec": {"replicas": 3, "strategy": {"type": "Recreate"}, "selector": {"matchLabels": {"app": "web"}}, "template": template()}});
        DeploymentHooks.default(&mut d).unwrap();
        assert_eq!(d["spec"]["replicas"], 3);
        assert_eq!(d["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn replica_set_defaults() {
        let mut rs = json!({"metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()}});
        ReplicaSetHooks.default(&mut rs).unwrap();
        assert_eq!(rs["spec"]["replicas"], 1);
        assert_eq!(rs["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
    }

    #[test]
    fn deployment_row() {
        let d = json!({"metadata": {"name": "web", "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template()},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        let now = "2024-01-01T00:03:02Z"
            .parse::<k8s_openapi::jiff::Timestamp>()
            .unwrap()
            .as_second();
        let row = DeploymentHooks.row(&d, now);
        assert_eq!(row.len(), DeploymentHooks.columns().len());
        assert_eq!(
            row,
            vec![
                json!("web"),
                json!("2/3"),
                json!(3),
                json!(2),
                json!("3m2s"),
                json!("web,side"),
                json!("nginx:1.25,busybox"),
                json!("app=web")
            ]
        );
    }

    #[test]
    fn replica_set_row_and_fields() {
        let rs = json!({"metadata": {"name": "web-1"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template()},
            "status": {"replicas": 2, "readyReplicas": 1}});
        let row = ReplicaSetHooks.row(&rs, 0);
        assert_eq!(row.len(), ReplicaSetHooks.columns().len());
        assert_eq!(
            &row[..5],
            &[
                json!("web-1"),
                json!(3),
                json!(2),
                json!(1),
                json!("<unknown>")
            ]
        );
        assert_eq!(
            ReplicaSetHooks
                .field_value(&rs, "status.replicas")
                .as_deref(),
            Some("2")
        );
        assert_eq!(ReplicaSetHooks.field_value(&rs, "spec.replicas"), None);
    }
}
