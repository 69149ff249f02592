//! Query parameters of API requests, parsed once with clear errors.

use std::collections::HashMap;

use crate::error::{ApiError, ApiResult};

/// How unknown or duplicate fields in a request body are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    /// Refuse the request (400).
    Strict,
    /// Accept it and answer a `Warning` header per problem.
    Warn,
    /// Accept it silently.
    Ignore,
}

/// Parsed query parameters.
#[derive(Clone, Debug)]
pub struct Params {
    /// `watch=1|true`.
    pub watch: bool,
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub resource_version_match: Option<String>,
    /// `limit`.
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `allowWatchBookmarks`.
    pub allow_bookmarks: bool,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `fieldValidation`.
    pub field_validation: FieldValidation,
    /// `fieldManager`.
    pub field_manager: Option<String>,
    /// `propagationPolicy` (DELETE).
    pub propagation_policy: Option<String>,
    /// `gracePeriodSeconds` (DELETE).
    pub grace_period_seconds: Option<i64>,
    /// `includeObject` for tables: `None`, `Metadata` (default), `Object`.
    pub include_object: String,
    /// `sendInitialEvents`.
    pub send_initial_events: Option<bool>,
}

fn parse_bool(name: &str, v: &str) -> ApiResult<bool> {
    match v {
        "1" | "true" | "True" | "TRUE" => Ok(true),
        "0" | "false" | "False" | "FALSE" | "" => Ok(false),
        other => Err(ApiError::bad_request(format!(
            "invalid value {other:?} for query parameter {name}: expected true or false"
        ))),
    }
}

fn parse_num<T: std::str::FromStr>(name: &str, v: &str) -> ApiResult<T> {
    v.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "invalid value {v:?} for query parameter {name}: expected an integer"
        ))
    })
}

impl Params {
    /// Parse a raw query string.
    pub fn parse(query: Option<&str>) -> ApiResult<Self> {
        let pairs: Vec<(String, String)> = match query {
            Some(q) if !q.is_empty() => serde_urlencoded::from_str(q)
                .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))?,
            _ => Vec::new(),
        };
        let raw: HashMap<String, String> = pairs.into_iter().collect();
        let get = |k: &str| raw.get(k).map(String::as_str);
        let non_empty = |k: &str| get(k).filter(|v| !v.is_empty()).map(str::to_string);
        let dry_run = match get("dryRun") {
            None | Some("") => false,
            Some("All") => true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "invalid dry run option {other:?}: only \"All\" is supported"
                )));
            }
        };
        let field_validation = match get("fieldValidation") {
            None | Some("") | Some("Warn") => FieldValidation::Warn,
            Some("Strict") => FieldValidation::Strict,
            Some("Ignore") => FieldValidation::Ignore,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "fieldValidation must be one of Ignore, Warn or Strict, got {other:?}"
                )));
            }
        };
        let propagation_policy = match non_empty("propagationPolicy") {
            None => None,
            Some(p) if ["Background", "Foreground", "Orphan"].contains(&p.as_str()) => Some(p),
            Some(p) => {
                return Err(ApiError::bad_request(format!(
                    "propagationPolicy must be one of Background, Foreground or Orphan, got {p:?}"
                )));
            }
        };
        let include_object = match non_empty("includeObject") {
            None => "Metadata".to_string(),
            Some(v) if ["None", "Metadata", "Object"].contains(&v.as_str()) => v,
            Some(v) => {
                return Err(ApiError::bad_request(format!(
                    "includeObject must be None, Metadata or Object, got {v:?}"
                )));
            }
        };
        Ok(Self {
            watch: get("watch")
                .map(|v| parse_bool("watch", v))
                .transpose()?
                .unwrap_or(false),
            label_selector: non_empty("labelSelector"),
            field_selector: non_empty("fieldSelector"),
            resource_version: non_empty("resourceVersion"),
            resource_version_match: non_empty("resourceVersionMatch"),
            limit: non_empty("limit")
                .map(|v| parse_num::<usize>("limit", &v))
                .transpose()?
                .filter(|l| *l > 0),
            continue_token: non_empty("continue"),
            allow_bookmarks: get("allowWatchBookmarks")
                .map(|v| parse_bool("allowWatchBookmarks", v))
                .transpose()?
                .unwrap_or(false),
            timeout_seconds: non_empty("timeoutSeconds")
                .map(|v| parse_num("timeoutSeconds", &v))
                .transpose()?,
            dry_run,
            field_validation,
            field_manager: non_empty("fieldManager"),
            propagation_policy,
            grace_period_seconds: non_empty("gracePeriodSeconds")
                .map(|v| parse_num("gracePeriodSeconds", &v))
                .transpose()?,
            include_object,
            send_initial_events: get("sendInitialEvents")
                .map(|v| parse_bool("sendInitialEvents", v))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_parameters() {
        let p = Params::parse(Some(
            "watch=1&labelSelector=app%3Dweb&limit=500&dryRun=All&fieldValidation=Strict",
        ))
        .unwrap();
        assert!(p.watch);
        assert_eq!(p.label_selector.as_deref(), Some("app=web"));
        assert_eq!(p.limit, Some(500));
        assert!(p.dry_run);
        assert_eq!(p.field_validation, FieldValidation::Strict);
    }

    #[test]
    fn rejects_bad_values_with_a_named_parameter() {
        let e = Params::parse(Some("limit=abc")).unwrap_err();
        assert_eq!(e.code, 400);
        assert!(e.message.contains("limit"));
        let e = Params::parse(Some("dryRun=Some")).unwrap_err();
        assert!(e.message.contains("dry run"));
        let e = Params::parse(Some("propagationPolicy=Later")).unwrap_err();
        assert!(e.message.contains("propagationPolicy"));
    }
}
