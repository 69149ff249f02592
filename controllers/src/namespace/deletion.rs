//! What to do for a namespace: nothing while it lives; once terminating, delete what is left in
//! it, report progress in its conditions (NamespaceContentRemaining,
//! NamespaceFinalizersRemaining, ...), and when nothing is left remove the `kubernetes`
//! finalizer.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, NamespaceCondition, NamespaceSpec, NamespaceStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::KUBERNETES_FINALIZER;

/// An object still in the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remaining {
    /// The resource, as `plural[.group]` (`pods`, `replicasets.apps`).
    pub resource: String,
    /// The object's name.
    pub name: String,
    /// Whether it already has a deletionTimestamp.
    pub deleting: bool,
    /// Its finalizers.
    pub finalizers: Vec<String>,
}

/// The decision for one namespace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamespaceDecision {
    /// Objects to delete: (resource, name).
    pub delete: Vec<(String, String)>,
    /// The namespace to PUT to `namespaces/{name}/finalize`, without our finalizer.
    pub finalize: Option<Namespace>,
    /// New status conditions to write, when they changed.
    pub status: Option<NamespaceStatus>,
    /// Look again after this long (content is still going away).
    pub requeue_after: Option<SignedDuration>,
}

/// How often to look again while content remains (watch events usually come sooner).
pub const CONTENT_REMAINING_RECHECK: SignedDuration = SignedDuration::from_secs(2);

fn condition(
    type_: &str,
    status: bool,
    reason: &str,
    message: String,
    now: Timestamp,
) -> NamespaceCondition {
    NamespaceCondition {
        type_: type_.to_owned(),
        status: if status { "True" } else { "False" }.to_owned(),
        reason: Some(reason.to_owned()),
        message: Some(message),
        last_transition_time: Some(Time(now)),
    }
}

fn deletion_conditions(remaining: &[Remaining], now: Timestamp) -> Vec<NamespaceCondition> {
    let mut per_resource: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_finalizer: BTreeMap<&str, usize> = BTreeMap::new();
    for r in remaining {
        *per_resource.entry(&r.resource).or_default() += 1;
        for f in &r.finalizers {
            *per_finalizer.entry(f).or_default() += 1;
        }
    }
    let content = if per_resource.is_empty() {
        condition(
            "NamespaceContentRemaining",
            false,
            "ContentRemoved",
            "All content successfully removed".into(),
            now,
        )
    } else {
        let parts: Vec<String> = per_resource
            .iter()
            .map(|(r, n)| format!("{r} has {n} resource instances"))
            .collect();
        condition(
            "NamespaceContentRemaining",
            true,
            "SomeResourcesRemain",
            format!("Some resources are remaining: {}", parts.join(", ")),
            now,
        )
    };
    let finalizers = if per_finalizer.is_empty() {
        condition(
            "NamespaceFinalizersRemaining",
            false,
            "ContentHasNoFinalizers",
            "All content-preserving finalizers finished".into(),
            now,
        )
    } else {
        let parts: Vec<String> = per_finalizer
            .iter()
            .map(|(f, n)| format!("{f} in {n} resource instances"))
            .collect();
        condition(
            "NamespaceFinalizersRemaining",
            true,
            "SomeFinalizersRemain",
            format!(
                "Some content in the namespace has finalizers remaining: {}",
                parts.join(", ")
            ),
            now,
        )
    };
    vec![
        condition(
            "NamespaceDeletionDiscoveryFailure",
            false,
            "ResourcesDiscovered",
            "All resources successfully discovered".into(),
            now,
        ),
        condition(
            "NamespaceDeletionGroupVersionParsingFailure",
            false,
            "ParsedGroupVersions",
            "All legacy kube types successfully parsed".into(),
            now,
        ),
        condition(
            "NamespaceDeletionContentFailure",
            false,
            "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization".into(),
            now,
        ),
        content,
        finalizers,
    ]
}

/// Merges new conditions into old ones, keeping transition times of unchanged statuses; `None`
/// when nothing but times would change.
fn merge_conditions(
    old: &[NamespaceCondition],
    new: Vec<NamespaceCondition>,
) -> Option<Vec<NamespaceCondition>> {
    let mut changed = false;
    let mut merged: Vec<NamespaceCondition> = old
        .iter()
        .filter(|c| !new.iter().any(|n| n.type_ == c.type_))
        .cloned()
        .collect();
    for mut n in new {
        match old.iter().find(|c| c.type_ == n.type_) {
            Some(o) if o.status == n.status && o.reason == n.reason && o.message == n.message => {
                n = o.clone();
            }
            Some(o) if o.status == n.status => {
                n.last_transition_time = o.last_transition_time.clone();
                changed = true;
            }
            _ => changed = true,
        }
        merged.push(n);
    }
    changed.then_some(merged)
}

/// Decides for `ns` given what remains in it.
pub fn decide(ns: &Namespace, remaining: &[Remaining], now: Timestamp) -> NamespaceDecision {
    let mut decision = NamespaceDecision::default();
    if ns.metadata.deletion_timestamp.is_none() {
        return decision;
    }
    let finalizers = ns
        .spec
        .as_ref()
        .and_then(|s| s.finalizers.clone())
        .unwrap_or_default();
    if !finalizers.iter().any(|f| f == KUBERNETES_FINALIZER) {
        return decision;
    }
    decision.delete = remaining
        .iter()
        .filter(|r| !r.deleting)
        .map(|r| (r.resource.clone(), r.name.clone()))
        .collect();
    let old_status = ns.status.clone().unwrap_or_default();
    if let Some(conditions) = merge_conditions(
        old_status.conditions.as_deref().unwrap_or_default(),
        deletion_conditions(remaining, now),
    ) {
        decision.status = Some(NamespaceStatus {
            conditions: Some(conditions),
            ..old_status
        });
    }
    if remaining.is_empty() {
        let mut finalized = ns.clone();
        finalized.spec = Some(NamespaceSpec {
            finalizers: Some(
                finalizers
                    .into_iter()
                    .filter(|f| f != KUBERNETES_FINALIZER)
                    .collect(),
            ),
        });
        if let Some(status) = &decision.status {
            finalized.status = Some(status.clone());
        }
        decision.finalize = Some(finalized);
    } else {
        decision.requeue_after = Some(CONTENT_REMAINING_RECHECK);
    }
    decision
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::ts;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn namespace(terminating: bool) -> Namespace {
        Namespace {
            metadata: ObjectMeta {
                name: Some("team".into()),
                deletion_timestamp: terminating.then(|| Time(ts(1))),
                ..Default::default()
            },
            spec: Some(NamespaceSpec {
                finalizers: Some(vec![KUBERNETES_FINALIZER.into()]),
            }),
            status: Some(NamespaceStatus {
                phase: Some(if terminating { "Terminating" } else { "Active" }.into()),
                conditions: None,
            }),
        }
    }

    fn remaining(resource: &str, name: &str, deleting: bool, finalizers: &[&str]) -> Remaining {
        Remaining {
            resource: resource.into(),
            name: name.into(),
            deleting,
            finalizers: finalizers.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[test]
    fn live_namespace_is_left_alone() {
        let d = decide(
            &namespace(false),
            &[remaining("pods", "a", false, &[])],
            ts(2),
        );
        assert_eq!(d, NamespaceDecision::default());
    }

    #[test]
    fn terminating_namespace_deletes_content_then_finalizes() {
        let ns = namespace(true);
        let left = vec![
            remaining("pods", "a", false, &[]),
            remaining("pods", "b", true, &["example.com/hold"]),
            remaining("replicasets.apps", "rs", false, &[]),
        ];
        let d = decide(&ns, &left, ts(2));
        assert_eq!(
            d.delete,
            [
                ("pods".to_owned(), "a".to_owned()),
                ("replicasets.apps".to_owned(), "rs".to_owned())
            ]
        );
        assert!(d.finalize.is_none());
        assert_eq!(d.requeue_after, Some(CONTENT_REMAINING_RECHECK));
        let status = d.status.clone().unwrap();
        let conds = status.conditions.as_ref().unwrap();
        let content = conds
            .iter()
            .find(|c| c.type_ == "NamespaceContentRemaining")
            .unwrap();
        assert_eq!(content.status, "True");
        assert_eq!(
            content.message.as_deref(),
            Some(
                "Some resources are remaining: pods has 2 resource instances, replicasets.apps has 1 resource instances"
            )
        );
        let fin = conds
            .iter()
            .find(|c| c.type_ == "NamespaceFinalizersRemaining")
            .unwrap();
        assert_eq!(
            fin.message.as_deref(),
            Some(
                "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
            )
        );

        // Same content again: no status churn.
        let mut ns2 = ns.clone();
        ns2.status = Some(status);
        assert!(decide(&ns2, &left, ts(3)).status.is_none());

        let done = decide(&ns2, &[], ts(4));
        assert!(done.delete.is_empty());
        let fin = done.finalize.unwrap();
        assert_eq!(fin.spec.unwrap().finalizers, Some(vec![]));
        assert!(done.requeue_after.is_none());
    }

    #[test]
    fn other_finalizers_are_not_ours_to_clear() {
        let mut ns = namespace(true);
        ns.spec.as_mut().unwrap().finalizers = Some(vec!["example.com/x".into()]);
        assert_eq!(decide(&ns, &[], ts(2)), NamespaceDecision::default());
    }
}
