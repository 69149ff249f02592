//! ReplicaSet and Deployment validation (`pkg/apis/apps/validation`).

use serde_json::Value;

use super::field::{
    BadValue, Path, forbidden, go_int_or_string, go_label_selector, go_map, invalid, not_supported,
    required,
};
use super::meta::{
    selector_matches, validate_immutable_selector, validate_label_selector, validate_object_meta,
    validate_object_meta_update,
};
use super::names::{is_valid_percent, name_is_dns_subdomain};
use super::pod::{validate_nonnegative, validate_pod_template};
use super::{NULL, int, obj_get, str_of};
use crate::registry::FieldError;

fn selector_is_empty(sel: &Value) -> bool {
    let n = |k: &str| {
        sel.get(k)
            .map(|v| match v {
                Value::Object(m) => m.len(),
                Value::Array(a) => a.len(),
                _ => 0,
            })
            .unwrap_or(0)
    };
    n("matchLabels") + n("matchExpressions") == 0
}

/// The selector and template checks ReplicaSets and Deployments share.
fn validate_selector_and_template(
    spec: &Value,
    path: &Path,
    template_required: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let sel = obj_get(spec, "selector");
    match sel {
        None => errs.push(required(&path.child("selector"), "")),
        Some(sel) => {
            errs.extend(validate_label_selector(sel, &path.child("selector")));
            if selector_is_empty(sel) {
                errs.push(invalid(
                    &path.child("selector"),
                    BadValue::Raw(go_label_selector(sel)),
                    "empty selector is invalid for deployment",
                ));
            }
        }
    }
    let tp = path.child("template");
    let Some(template) = obj_get(spec, "template") else {
        if template_required {
            errs.push(required(&tp, ""));
        }
        return errs;
    };
    let labels = template.pointer("/metadata/labels");
    if let Some(sel) = sel
        && !selector_is_empty(sel)
        && !selector_matches(sel, labels)
    {
        let map: Option<std::collections::BTreeMap<String, String>> =
            labels.and_then(|l| serde_json::from_value(l.clone()).ok());
        errs.push(invalid(
            &tp.child("metadata").child("labels"),
            BadValue::Raw(go_map(map.as_ref())),
            "`selector` does not match template `labels`",
        ));
    }
    errs.extend(validate_pod_template(template, &tp));
    let pod_spec = template.get("spec").unwrap_or(&NULL);
    let rp = str_of(pod_spec, "restartPolicy");
    if !rp.is_empty() && rp != "Always" {
        errs.push(not_supported(
            &tp.child("spec").child("restartPolicy"),
            rp,
            &["Always"],
        ));
    }
    if obj_get(pod_spec, "activeDeadlineSeconds").is_some() {
        errs.push(forbidden(
            &tp.child("spec").child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in ReplicaSet is not Supported",
        ));
    }
    errs
}

fn validate_replica_set_spec(spec: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_nonnegative(int(spec, "replicas"), &path.child("replicas"));
    errs.extend(validate_nonnegative(
        int(spec, "minReadySeconds"),
        &path.child("minReadySeconds"),
    ));
    errs.extend(validate_selector_and_template(spec, path, false));
    errs
}

/// Validation of a new ReplicaSet.
pub fn validate_replica_set_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let spec = obj.get("spec").unwrap_or(&NULL);
    errs.extend(validate_replica_set_spec(spec, &Path::new("spec")));
    errs
}

/// Validation of a ReplicaSet update (the selector is immutable in apps/v1).
pub fn validate_replica_set_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, true, name_is_dns_subdomain);
    let spec = obj.get("spec").unwrap_or(&NULL);
    errs.extend(validate_replica_set_spec(spec, &Path::new("spec")));
    errs.extend(immutable_selector(obj, old));
    errs
}

fn immutable_selector(obj: &Value, old: &Value) -> Vec<FieldError> {
    let null = Value::Null;
    validate_immutable_selector(
        obj.pointer("/spec/selector").unwrap_or(&null),
        old.pointer("/spec/selector").unwrap_or(&null),
        &Path::new("spec").child("selector"),
    )
}

/// The value of an int-or-percent (`getIntOrPercentValue`).
fn int_or_percent_value(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.trim_end_matches('%').parse().unwrap_or(0),
        v => v.as_i64().unwrap_or(0),
    }
}

fn validate_positive_int_or_percent(v: &Value, path: &Path) -> Vec<FieldError> {
    match v {
        Value::String(s) => is_valid_percent(s)
            .into_iter()
            .map(|m| invalid(path, BadValue::Raw(go_int_or_string(v)), &m))
            .collect(),
        v => validate_nonnegative(v.as_i64(), path),
    }
}

fn validate_strategy(strategy: Option<&Value>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let null = Value::Null;
    let strategy = strategy.unwrap_or(&null);
    let ru = obj_get(strategy, "rollingUpdate");
    match str_of(strategy, "type") {
        "Recreate" => {
            if ru.is_some() {
                errs.push(forbidden(
                    &path.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match ru {
            None => errs.push(required(
                &path.child("rollingUpdate"),
                "this should be defaulted and never be nil",
            )),
            Some(ru) => {
                let rp = path.child("rollingUpdate");
                let zero = Value::from(0);
                let mu = obj_get(ru, "maxUnavailable").unwrap_or(&zero);
                let ms = obj_get(ru, "maxSurge").unwrap_or(&zero);
                errs.extend(validate_positive_int_or_percent(
                    mu,
                    &rp.child("maxUnavailable"),
                ));
                errs.extend(validate_positive_int_or_percent(ms, &rp.child("maxSurge")));
                if int_or_percent_value(mu) == 0 && int_or_percent_value(ms) == 0 {
                    errs.push(invalid(
                        &rp.child("maxUnavailable"),
                        BadValue::Raw(go_int_or_string(mu)),
                        "may not be 0 when `maxSurge` is 0",
                    ));
                }
                if mu.is_string() && int_or_percent_value(mu) > 100 {
                    errs.push(invalid(
                        &rp.child("maxUnavailable"),
                        BadValue::Raw(go_int_or_string(mu)),
                        "must not be greater than 100%",
                    ));
                }
            }
        },
        other => errs.push(not_supported(path, other, &["Recreate", "RollingUpdate"])),
    }
    errs
}

fn validate_deployment_spec(spec: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_nonnegative(int(spec, "replicas"), &path.child("replicas"));
    errs.extend(validate_selector_and_template(spec, path, true));
    errs.extend(validate_strategy(
        spec.get("strategy"),
        &path.child("strategy"),
    ));
    let min_ready = int(spec, "minReadySeconds").unwrap_or(0);
    errs.extend(validate_nonnegative(
        Some(min_ready),
        &path.child("minReadySeconds"),
    ));
    errs.extend(validate_nonnegative(
        int(spec, "revisionHistoryLimit"),
        &path.child("revisionHistoryLimit"),
    ));
    if let Some(pds) = int(spec, "progressDeadlineSeconds") {
        errs.extend(validate_nonnegative(
            Some(pds),
            &path.child("progressDeadlineSeconds"),
        ));
        if pds <= min_ready {
            errs.push(invalid(
                &path.child("progressDeadlineSeconds"),
                pds,
                "must be greater than minReadySeconds",
            ));
        }
    }
    errs
}

/// Validation of a new Deployment.
pub fn validate_deployment_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta(obj, true, name_is_dns_subdomain);
    let spec = obj.get("spec").unwrap_or(&NULL);
    errs.extend(validate_deployment_spec(spec, &Path::new("spec")));
    errs
}

/// Validation of a Deployment update (the selector is immutable in apps/v1).
pub fn validate_deployment_update(obj: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_object_meta_update(obj, old, true, name_is_dns_subdomain);
    let spec = obj.get("spec").unwrap_or(&NULL);
    errs.extend(validate_deployment_spec(spec, &Path::new("spec")));
    errs.extend(immutable_selector(obj, old));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{DeploymentHooks, ReplicaSetHooks};
    use crate::registry::KindHooks;
    use serde_json::json;

    fn deployment(spec_patch: impl FnOnce(&mut Value)) -> Value {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}});
        spec_patch(&mut d["spec"]);
        DeploymentHooks.default(&mut d).unwrap();
        d
    }

    fn fields(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter().map(|e| (e.field.as_str(), e.reason)).collect()
    }

    #[test]
    fn valid_deployment_passes() {
        assert_eq!(validate_deployment_create(&deployment(|_| {})), vec![]);
    }

    #[test]
    fn selector_must_match_template() {
        let d = deployment(|s| s["template"]["metadata"]["labels"] = json!({"app": "other"}));
        let errs = validate_deployment_create(&d);
        assert_eq!(
            fields(&errs),
            vec![("spec.template.metadata.labels", "FieldValueInvalid")]
        );
        assert_eq!(
            errs[0].message,
            "Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"
        );
    }

    #[test]
    fn selector_required_and_non_empty() {
        let d = deployment(|s| {
            s.as_object_mut().unwrap().remove("selector");
        });
        assert_eq!(
            fields(&validate_deployment_create(&d)),
            vec![("spec.selector", "FieldValueRequired")]
        );
        let d = deployment(|s| s["selector"] = json!({}));
        let errs = validate_deployment_create(&d);
        assert_eq!(fields(&errs), vec![("spec.selector", "FieldValueInvalid")]);
        assert!(
            errs[0]
                .message
                .ends_with("empty selector is invalid for deployment")
        );
    }

    #[test]
    fn replicas_strategy_limits() {
        let d = deployment(|s| {
            s["replicas"] = json!(-1);
            s["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}});
            s["revisionHistoryLimit"] = json!(-2);
            s["minReadySeconds"] = json!(700);
        });
        let errs = validate_deployment_create(&d);
        assert_eq!(
            fields(&errs),
            vec![
                ("spec.replicas", "FieldValueInvalid"),
                (
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    "FieldValueInvalid"
                ),
                ("spec.revisionHistoryLimit", "FieldValueInvalid"),
                ("spec.progressDeadlineSeconds", "FieldValueInvalid"),
            ]
        );
        assert_eq!(
            errs[0].message,
            "Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            errs[1].message,
            "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when `maxSurge` is 0"
        );
        assert_eq!(
            errs[3].message,
            "Invalid value: 600: must be greater than minReadySeconds"
        );
        let d = deployment(
            |s| s["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "abc", "maxUnavailable": "150%"}}),
        );
        let errs = validate_deployment_create(&d);
        assert_eq!(
            fields(&errs),
            vec![
                ("spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid"),
                (
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    "FieldValueInvalid"
                ),
            ]
        );
        assert!(
            errs[0].message.contains(
                "a valid percent string must be a numeric string followed by an ending '%'"
            )
        );
        let d = deployment(|s| s["strategy"] = json!({"type": "Recreate", "rollingUpdate": {}}));
        assert_eq!(
            fields(&validate_deployment_create(&d)),
            vec![("spec.strategy.rollingUpdate", "FieldValueForbidden")]
        );
        let d = deployment(|s| s["template"]["spec"]["restartPolicy"] = json!("Never"));
        assert_eq!(
            fields(&validate_deployment_create(&d)),
            vec![("spec.template.spec.restartPolicy", "FieldValueNotSupported")]
        );
        let d = deployment(|s| s["template"]["spec"]["containers"][0]["image"] = json!(""));
        assert_eq!(
            fields(&validate_deployment_create(&d)),
            vec![(
                "spec.template.spec.containers[0].image",
                "FieldValueRequired"
            )]
        );
    }

    #[test]
    fn selector_immutable_on_update() {
        let old = deployment(|_| {});
        let new = deployment(|s| {
            s["selector"] = json!({"matchLabels": {"app": "web2"}});
            s["template"]["metadata"]["labels"] = json!({"app": "web2"});
        });
        let errs = validate_deployment_update(&new, &old);
        assert_eq!(fields(&errs), vec![("spec.selector", "FieldValueInvalid")]);
        assert_eq!(
            errs[0].message,
            "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        );
        let mut scaled = old.clone();
        scaled["spec"]["replicas"] = json!(5);
        assert_eq!(validate_deployment_update(&scaled, &old), vec![]);
    }

    #[test]
    fn replica_sets() {
        let mut rs = json!({"metadata": {"name": "web-1", "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}});
        ReplicaSetHooks.default(&mut rs).unwrap();
        assert_eq!(validate_replica_set_create(&rs), vec![]);
        let mut bad = rs.clone();
        bad["spec"]["replicas"] = json!(-3);
        assert_eq!(
            fields(&validate_replica_set_create(&bad)),
            vec![("spec.replicas", "FieldValueInvalid")]
        );
        let mut moved = rs.clone();
        moved["spec"]["selector"] = json!({"matchLabels": {"app": "web", "x": "y"}});
        moved["spec"]["template"]["metadata"]["labels"]["x"] = json!("y");
        assert_eq!(
            fields(&validate_replica_set_update(&moved, &rs)),
            vec![("spec.selector", "FieldValueInvalid")]
        );
    }
}
