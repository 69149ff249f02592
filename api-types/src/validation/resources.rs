//! Container resource requirements: names, non-negative quantities and
//! requests not above limits, with quantities printed in canonical form as
//! Kubernetes does (`quantity.String()`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use serde_json::Value;

use super::field::{Path, invalid, required};
use crate::quantity::Quantity;
use crate::registry::FieldError;

const QUANTITY_REGEX_MSG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

fn is_standard_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}

fn validate_resource_name(name: &str, path: &Path) -> Vec<FieldError> {
    if name.contains('/') {
        let mut errs: Vec<FieldError> = super::names::is_qualified_name(name)
            .into_iter()
            .map(|m| invalid(path, name, &m))
            .collect();
        if errs.is_empty() && name.starts_with("requests.") {
            errs.push(invalid(
                path,
                name,
                "must be a standard resource for containers",
            ));
        }
        errs
    } else if is_standard_container_resource(name) {
        Vec::new()
    } else {
        vec![invalid(
            path,
            name,
            "must be a standard resource for containers",
        )]
    }
}

/// `IsOvercommitAllowed`: native resources other than huge pages.
fn overcommit_allowed(name: &str) -> bool {
    let native = !name.contains('/') || name.contains("kubernetes.io/");
    native && !name.starts_with("hugepages-")
}

/// One parsed quantity of a resource list: name, canonical text, value.
type Parsed<'a> = (&'a str, String, Quantity);

/// Names and quantities of one resource list (`limits` or `requests`).
fn check_list<'a>(
    items: impl Iterator<Item = (&'a str, Cow<'a, str>)>,
    base: &Path,
    errs: &mut Vec<FieldError>,
) -> Vec<Parsed<'a>> {
    let mut parsed = Vec::new();
    for (name, text) in items {
        let p = base.key(name);
        errs.extend(validate_resource_name(name, &p));
        let text = text.trim();
        match Quantity::parse(text) {
            Err(_) => errs.push(invalid(&p, text, QUANTITY_REGEX_MSG)),
            Ok(v) if v.as_nanos() < 0 => errs.push(invalid(
                &p,
                v.to_string(),
                "must be greater than or equal to 0",
            )),
            Ok(v) => parsed.push((name, v.to_string(), v)),
        }
    }
    parsed
}

/// The one implementation: `limits` and `requests` as `(name, quantity
/// text)` pairs in map order.
fn validate_resource_lists<'a>(
    limits: impl Iterator<Item = (&'a str, Cow<'a, str>)>,
    requests: impl Iterator<Item = (&'a str, Cow<'a, str>)>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let lim_path = path.child("limits");
    let req_path = path.child("requests");
    let lims = check_list(limits, &lim_path, &mut errs);
    let reqs = check_list(requests, &req_path, &mut errs);
    for (name, text, v) in &reqs {
        match lims.iter().find(|(n, _, _)| n == name) {
            Some((_, ltext, lv)) => {
                if v != lv && !overcommit_allowed(name) {
                    errs.push(invalid(
                        &req_path,
                        text.as_str(),
                        &format!("must be equal to {name} limit of {ltext}"),
                    ));
                } else if v > lv {
                    errs.push(invalid(
                        &req_path,
                        text.as_str(),
                        &format!("must be less than or equal to {name} limit of {ltext}"),
                    ));
                }
            }
            None if !overcommit_allowed(name) => errs.push(required(
                &lim_path,
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
    errs
}

/// `ValidateContainerResourceRequirements` on a container's `resources`
/// as JSON (a quantity that is a JSON number is read as its text).
pub fn validate_resources(res: Option<&Value>, path: &Path) -> Vec<FieldError> {
    let Some(res) = res else {
        return Vec::new();
    };
    let list = |key: &str| {
        res.get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, q)| {
                let text = q
                    .as_str()
                    .map_or_else(|| Cow::Owned(q.to_string()), Cow::Borrowed);
                (name.as_str(), text)
            })
    };
    validate_resource_lists(list("limits"), list("requests"), path)
}

/// The `(name, quantity text)` pairs of a typed resource list.
fn typed_list(
    map: Option<&BTreeMap<String, K8sQuantity>>,
) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
    map.into_iter()
        .flatten()
        .map(|(name, q)| (name.as_str(), Cow::Borrowed(q.0.as_str())))
}

/// `ValidateContainerResourceRequirements` on a typed container's
/// `resources`.
pub fn validate_resource_requirements(
    res: Option<&ResourceRequirements>,
    path: &Path,
) -> Vec<FieldError> {
    let Some(res) = res else {
        return Vec::new();
    };
    validate_resource_lists(
        typed_list(res.limits.as_ref()),
        typed_list(res.requests.as_ref()),
        path,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_above_limits() {
        let p = Path::new("spec")
            .child("containers")
            .index(0)
            .child("resources");
        let errs = validate_resources(
            Some(
                &json!({"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}),
            ),
            &p,
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec.containers[0].resources.requests");
        assert_eq!(
            errs[0].message,
            "Invalid value: \"1\": must be less than or equal to cpu limit of 500m"
        );
        // Canonical forms in messages, numbers accepted.
        let errs = validate_resources(
            Some(&json!({"limits": {"memory": "1Gi"}, "requests": {"memory": "2048Mi"}})),
            &p,
        );
        assert_eq!(
            errs[0].message,
            "Invalid value: \"2Gi\": must be less than or equal to memory limit of 1Gi"
        );
        let errs = validate_resources(Some(&json!({"requests": {"cpu": "1Qi"}})), &p);
        assert_eq!(errs[0].field, "spec.containers[0].resources.requests[cpu]");
        let errs = validate_resources(Some(&json!({"requests": {"cpu": "-1", "bogus": "1"}})), &p);
        assert_eq!(errs.len(), 2);
        assert!(
            errs.iter().any(|e| e.message
                == "Invalid value: \"bogus\": must be a standard resource for containers")
        );
        assert!(
            errs.iter()
                .any(|e| e.field == "spec.containers[0].resources.requests[cpu]"
                    && e.message == "Invalid value: \"-1\": must be greater than or equal to 0")
        );
        assert!(validate_resources(Some(&json!({"limits": {"example.com/gpu": "1"}, "requests": {"example.com/gpu": "1"}})), &p).is_empty());
        let errs = validate_resources(Some(&json!({"requests": {"example.com/gpu": "1"}})), &p);
        assert_eq!(
            errs[0].message,
            "Required value: Limit must be set for non overcommitable resources"
        );
    }
}
