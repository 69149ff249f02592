//! Container resource requirements: names, non-negative quantities and
//! requests not above limits, with quantities printed in canonical form as
//! Kubernetes does (`quantity.String()`).

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

/// `ValidateContainerResourceRequirements` on a container's `resources`.
pub fn validate_resources(res: Option<&Value>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(res) = res else {
        return errs;
    };
    let lim_path = path.child("limits");
    let req_path = path.child("requests");
    let limits = res.get("limits").and_then(Value::as_object);
    let requests = res.get("requests").and_then(Value::as_object);
    let mut check = |map: Option<&serde_json::Map<String, Value>>, base: &Path| {
        let mut parsed = Vec::new();
        for (name, q) in map.into_iter().flatten() {
            let p = base.key(name);
            errs.extend(validate_resource_name(name, &p));
            let text = q
                .as_str()
                .map_or_else(|| q.to_string(), |s| s.trim().to_string());
            match Quantity::parse(&text) {
                Err(_) => errs.push(invalid(&p, text.as_str(), QUANTITY_REGEX_MSG)),
                Ok(v) if v.as_nanos() < 0 => errs.push(invalid(
                    &p,
                    v.to_string(),
                    "must be greater than or equal to 0",
                )),
                Ok(v) => parsed.push((name.clone(), v.to_string(), v)),
            }
        }
        parsed
    };
    let lims = check(limits, &lim_path);
    let reqs = check(requests, &req_path);
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
