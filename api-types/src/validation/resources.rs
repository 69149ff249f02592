//! Container resource requirements: names, non-negative quantities and
//! requests not above limits. Quantities are compared with a small exact
//! parser (nano-units in an `i128`), enough for validation.

use serde_json::Value;

use super::field::{Path, invalid, required};
use crate::registry::FieldError;

const QUANTITY_REGEX_MSG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// A quantity in nano-units (10^-9), or `None` when it does not parse or
/// overflows.
pub fn quantity_nanos(s: &str) -> Option<i128> {
    let s = s.trim();
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let num_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (num, suffix) = rest.split_at(num_end);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return None;
    }
    let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
    let mut nanos: i128 = 0;
    for c in int_part.bytes() {
        nanos = nanos.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
    }
    nanos = nanos.checked_mul(1_000_000_000)?;
    let mut scale: i128 = 100_000_000;
    for c in frac_part.bytes().take(9) {
        nanos += i128::from(c - b'0') * scale;
        scale /= 10;
    }
    let binary = |p: u32| -> Option<i128> { nanos.checked_mul(1024i128.checked_pow(p)?) };
    let decimal = |e: i32| -> Option<i128> {
        if e >= 0 {
            nanos.checked_mul(10i128.checked_pow(e.unsigned_abs())?)
        } else {
            Some(nanos / 10i128.checked_pow(e.unsigned_abs())?)
        }
    };
    let value = match suffix {
        "" => Some(nanos),
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        s if s.starts_with(['e', 'E']) => {
            let e: i32 = s[1..].parse().ok()?;
            if !(-30..=30).contains(&e) {
                return None;
            }
            decimal(e)
        }
        _ => None,
    }?;
    Some(if neg { -value } else { value })
}

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
            let text = q.as_str().map_or_else(|| q.to_string(), str::to_string);
            match quantity_nanos(&text) {
                None => errs.push(invalid(&p, text.as_str(), QUANTITY_REGEX_MSG)),
                Some(v) if v < 0 => errs.push(invalid(
                    &p,
                    text.as_str(),
                    "must be greater than or equal to 0",
                )),
                Some(v) => parsed.push((name.clone(), text, v)),
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
    fn quantities_compare() {
        assert_eq!(quantity_nanos("1"), Some(1_000_000_000));
        assert_eq!(quantity_nanos("500m"), Some(500_000_000));
        assert_eq!(quantity_nanos("0.5"), Some(500_000_000));
        assert_eq!(quantity_nanos("1Ki"), Some(1024 * 1_000_000_000));
        assert_eq!(quantity_nanos("1e3"), quantity_nanos("1k"));
        assert_eq!(quantity_nanos("128Mi"), quantity_nanos("134217728"));
        assert!(quantity_nanos("1Gi") > quantity_nanos("1G"));
        assert_eq!(quantity_nanos("-1"), Some(-1_000_000_000));
        assert_eq!(quantity_nanos("abc"), None);
        assert_eq!(quantity_nanos("1Qi"), None);
        assert_eq!(quantity_nanos(""), None);
    }

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
