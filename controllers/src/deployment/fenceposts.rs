//! The Deployment spec as the controller reads it, with the API server's defaults (replicas 1,
//! RollingUpdate with 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600), and
//! maxSurge/maxUnavailable resolved against the replica count: surge rounds up, unavailable
//! rounds down, and both zero makes unavailable 1 (Kubernetes' `ResolveFenceposts`).

use k8s_openapi::api::apps::v1::{Deployment, RollingUpdateDeployment};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Why an int-or-percent value cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FencepostError {
    /// A string that is not `<int>%`.
    #[error("invalid value for IntOrString: {0:?}")]
    InvalidPercent(String),
}

const DEFAULT_PERCENT: &str = "25%";

/// `spec.replicas` (default 1).
pub fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

/// Whether the strategy is RollingUpdate (the default).
pub fn is_rolling_update(d: &Deployment) -> bool {
    d.spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        .is_none_or(|t| t == "RollingUpdate")
}

/// `spec.paused`.
pub fn paused(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false)
}

/// `spec.minReadySeconds` (default 0).
pub fn min_ready_seconds(d: &Deployment) -> i32 {
    d.spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0)
}

/// `spec.revisionHistoryLimit` (default 10); `None` when unlimited (`MaxInt32`).
pub fn revision_history_limit(d: &Deployment) -> Option<i32> {
    let limit = d
        .spec
        .as_ref()
        .and_then(|s| s.revision_history_limit)
        .unwrap_or(10);
    (limit != i32::MAX).then_some(limit)
}

/// `spec.progressDeadlineSeconds` (default 600); `None` when there is no deadline (`MaxInt32`).
pub fn progress_deadline_seconds(d: &Deployment) -> Option<i32> {
    let secs = d
        .spec
        .as_ref()
        .and_then(|s| s.progress_deadline_seconds)
        .unwrap_or(600);
    (secs != i32::MAX).then_some(secs)
}

/// Resolves an int-or-percent against `total`, rounding percentages up or down.
pub fn scaled_value(
    value: &IntOrString,
    total: i32,
    round_up: bool,
) -> Result<i32, FencepostError> {
    match value {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let pct: i32 = s
                .strip_suffix('%')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| FencepostError::InvalidPercent(s.clone()))?;
            let exact = f64::from(pct) * f64::from(total) / 100.0;
            let v = if round_up {
                exact.ceil()
            } else {
                exact.floor()
            };
            Ok(v as i32)
        }
    }
}

/// (maxSurge, maxUnavailable) as absolute numbers for `desired` replicas.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> Result<(i32, i32), FencepostError> {
    let default = IntOrString::String(DEFAULT_PERCENT.into());
    let surge = scaled_value(max_surge.unwrap_or(&default), desired, true)?;
    let unavailable = scaled_value(max_unavailable.unwrap_or(&default), desired, false)?;
    if surge == 0 && unavailable == 0 {
        return Ok((0, 1));
    }
    Ok((surge, unavailable))
}

fn rolling_params(d: &Deployment) -> Option<RollingUpdateDeployment> {
    Some(
        d.spec
            .as_ref()
            .and_then(|s| s.strategy.as_ref())
            .and_then(|s| s.rolling_update.clone())
            .unwrap_or_default(),
    )
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    let Some(params) = rolling_params(d) else {
        return (0, 0);
    };
    resolve_fenceposts(
        params.max_surge.as_ref(),
        params.max_unavailable.as_ref(),
        replicas(d),
    )
    .unwrap_or((0, 0))
}

/// maxSurge in pods (0 for Recreate).
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling_update(d) {
        return 0;
    }
    fenceposts(d).0
}

/// maxUnavailable in pods, at most `replicas` (0 for Recreate or zero replicas).
pub fn max_unavailable(d: &Deployment) -> i32 {
    let desired = replicas(d);
    if !is_rolling_update(d) || desired == 0 {
        return 0;
    }
    fenceposts(d).1.min(desired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::deployment;

    fn s(v: &str) -> IntOrString {
        IntOrString::String(v.into())
    }

    #[test]
    fn kubernetes_rounding() {
        assert_eq!(
            resolve_fenceposts(Some(&s("25%")), Some(&s("25%")), 10),
            Ok((3, 2))
        );
        assert_eq!(
            resolve_fenceposts(Some(&s("25%")), Some(&s("25%")), 1),
            Ok((1, 0))
        );
        assert_eq!(
            resolve_fenceposts(Some(&IntOrString::Int(0)), Some(&s("10%")), 5),
            Ok((0, 1))
        );
        assert_eq!(
            resolve_fenceposts(Some(&IntOrString::Int(2)), Some(&IntOrString::Int(0)), 5),
            Ok((2, 0))
        );
        assert_eq!(resolve_fenceposts(None, None, 4), Ok((1, 1)));
        assert!(resolve_fenceposts(Some(&s("x")), None, 4).is_err());
    }

    #[test]
    fn deployment_accessors_default_like_the_api_server() {
        let mut d = deployment("web", 10, "nginx");
        assert_eq!((max_surge(&d), max_unavailable(&d)), (3, 2));
        d.spec.as_mut().unwrap().strategy = None;
        assert!(is_rolling_update(&d));
        assert_eq!((max_surge(&d), max_unavailable(&d)), (3, 2));
        d.spec.as_mut().unwrap().strategy = Some(k8s_openapi::api::apps::v1::DeploymentStrategy {
            type_: Some("Recreate".into()),
            rolling_update: None,
        });
        assert_eq!((max_surge(&d), max_unavailable(&d)), (0, 0));
        d.spec.as_mut().unwrap().replicas = None;
        assert_eq!(replicas(&d), 1);
        assert_eq!(revision_history_limit(&d), Some(10));
        d.spec.as_mut().unwrap().progress_deadline_seconds = Some(i32::MAX);
        assert_eq!(progress_deadline_seconds(&d), None);
    }
}
