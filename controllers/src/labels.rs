//! Label selector matching with `metav1.LabelSelector` semantics (matchLabels and the four
//! matchExpressions operators), used by every controller to select objects from its caches.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

/// Why a label selector cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// The operator is not one of `In`, `NotIn`, `Exists`, `DoesNotExist`.
    #[error("unknown label selector operator {operator:?} for key {key:?}")]
    UnknownOperator {
        /// The key of the expression.
        key: String,
        /// The operator found.
        operator: String,
    },
    /// `In`/`NotIn` without values, or `Exists`/`DoesNotExist` with values.
    #[error("label selector operator {operator} for key {key:?} has an invalid set of values")]
    InvalidValues {
        /// The key of the expression.
        key: String,
        /// The operator found.
        operator: String,
    },
}

static EMPTY_LABELS: BTreeMap<String, String> = BTreeMap::new();

/// The labels of an object, empty when it has none.
pub fn labels_of(meta: &ObjectMeta) -> &BTreeMap<String, String> {
    meta.labels.as_ref().unwrap_or(&EMPTY_LABELS)
}

/// The annotations of an object, empty when it has none.
pub fn annotations_of(meta: &ObjectMeta) -> &BTreeMap<String, String> {
    meta.annotations.as_ref().unwrap_or(&EMPTY_LABELS)
}

/// True when the selector has neither matchLabels nor matchExpressions: it selects everything.
pub fn selector_is_empty(selector: &LabelSelector) -> bool {
    selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty)
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
}

/// Checks that a selector is well formed (known operators, values present where needed).
pub fn validate_selector(selector: &LabelSelector) -> Result<(), SelectorError> {
    for expr in selector.match_expressions.iter().flatten() {
        let has_values = expr.values.as_ref().is_some_and(|v| !v.is_empty());
        let ok = match expr.operator.as_str() {
            "In" | "NotIn" => has_values,
            "Exists" | "DoesNotExist" => !has_values,
            other => {
                return Err(SelectorError::UnknownOperator {
                    key: expr.key.clone(),
                    operator: other.to_owned(),
                });
            }
        };
        if !ok {
            return Err(SelectorError::InvalidValues {
                key: expr.key.clone(),
                operator: expr.operator.clone(),
            });
        }
    }
    Ok(())
}

/// Whether `labels` satisfy the selector (all matchLabels and all expressions, ANDed).
pub fn selector_matches(
    selector: &LabelSelector,
    labels: &BTreeMap<String, String>,
) -> Result<bool, SelectorError> {
    validate_selector(selector)?;
    let labels_ok = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    if !labels_ok {
        return Ok(false);
    }
    for expr in selector.match_expressions.iter().flatten() {
        let value = labels.get(&expr.key);
        let values = expr.values.as_deref().unwrap_or_default();
        let ok = match expr.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            _ => value.is_none(),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `labels` contain every pair of a Service-style equality selector (a plain map).
pub fn map_selector_matches(
    selector: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: (!values.is_empty()).then(|| values.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn match_labels_and_expressions_are_anded() {
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: Some(vec![
                expr("tier", "In", &["front", "edge"]),
                expr("canary", "DoesNotExist", &[]),
                expr("env", "NotIn", &["dev"]),
                expr("team", "Exists", &[]),
            ]),
        };
        let good = labels(&[("app", "web"), ("tier", "edge"), ("team", "a")]);
        assert!(selector_matches(&sel, &good).unwrap());
        let mut bad = good.clone();
        bad.insert("canary".into(), "1".into());
        assert!(!selector_matches(&sel, &bad).unwrap());
        let mut dev = good.clone();
        dev.insert("env".into(), "dev".into());
        assert!(!selector_matches(&sel, &dev).unwrap());
        assert!(!selector_matches(&sel, &labels(&[("app", "web"), ("team", "a")])).unwrap());
    }

    #[test]
    fn empty_selector_matches_everything_and_bad_operators_error() {
        let sel = LabelSelector::default();
        assert!(selector_is_empty(&sel));
        assert!(selector_matches(&sel, &labels(&[("x", "y")])).unwrap());
        let bad = LabelSelector {
            match_expressions: Some(vec![expr("a", "Near", &["b"])]),
            ..Default::default()
        };
        assert!(matches!(
            selector_matches(&bad, &BTreeMap::new()),
            Err(SelectorError::UnknownOperator { .. })
        ));
        let no_values = LabelSelector {
            match_expressions: Some(vec![expr("a", "In", &[])]),
            ..Default::default()
        };
        assert!(validate_selector(&no_values).is_err());
    }

    #[test]
    fn map_selector_is_subset_match() {
        let sel = labels(&[("app", "db")]);
        assert!(map_selector_matches(
            &sel,
            &labels(&[("app", "db"), ("x", "1")])
        ));
        assert!(!map_selector_matches(&sel, &labels(&[("app", "web")])));
        assert!(map_selector_matches(&BTreeMap::new(), &labels(&[])));
    }
}
