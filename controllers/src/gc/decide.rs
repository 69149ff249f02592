//! The collector's decision for one object, level-triggered from the graph.
//!
//! For an object being deleted with the `orphan` finalizer: release every dependent, then drop
//! the finalizer. With `foregroundDeletion`: drop the finalizer once no dependent with
//! `blockOwnerDeletion` remains (the dependents themselves are deleted by their own decisions).
//! For any other object, its ownerReferences are classified: solid (owner exists and is not
//! waiting for its dependents), dangling (owner gone) or waiting (owner deleting in the
//! foreground). With a solid owner it only loses its dangling and waiting references; otherwise
//! it is deleted: in the foreground when an owner waits and it has dependents of its own, else
//! with the policy its own finalizers ask for (Background by default).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use super::graph::{GcObject, Graph, ObjectId};
use super::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};

/// The deletion propagation policy of a delete the collector issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// Delete now; dependents are collected afterwards.
    Background,
    /// Keep the object until its blocking dependents are gone.
    Foreground,
    /// Release dependents instead of deleting them.
    Orphan,
}

impl Propagation {
    /// The `propagationPolicy` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Propagation::Background => "Background",
            Propagation::Foreground => "Foreground",
            Propagation::Orphan => "Orphan",
        }
    }
}

/// One write the collector issues.
#[derive(Debug, Clone, PartialEq)]
pub enum GcAction {
    /// Delete the object (with its uid as precondition).
    Delete {
        /// The object.
        object: ObjectId,
        /// The policy.
        propagation: Propagation,
        /// Owners the caches do not hold: confirm with the API server that they are really
        /// gone before acting (a cache may simply lag behind another).
        dangling: Vec<OwnerReference>,
    },
    /// Remove the ownerReferences with these owner uids from the object.
    RemoveOwnerRefs {
        /// The dependent.
        object: ObjectId,
        /// The owners to forget.
        owner_uids: Vec<String>,
        /// Of those, the owners the caches do not hold (to confirm as for `Delete`).
        dangling: Vec<OwnerReference>,
    },
    /// Remove a finalizer from the object.
    RemoveFinalizer {
        /// The owner being deleted.
        object: ObjectId,
        /// `orphan` or `foregroundDeletion`.
        finalizer: &'static str,
    },
}

fn references_to<'a>(graph: &'a Graph, owner_uid: &str) -> Vec<&'a GcObject> {
    graph.dependents_of(owner_uid)
}

fn blocks(dep: &GcObject, owner_uid: &str) -> bool {
    dep.owner_refs
        .iter()
        .any(|r| r.uid == owner_uid && r.block_owner_deletion == Some(true))
}

/// The decision for the object with `uid` (empty when there is nothing to do).
pub fn decide_for(graph: &Graph, uid: &str) -> Vec<GcAction> {
    let Some(item) = graph.get(uid) else {
        return Vec::new();
    };
    let mut actions = Vec::new();
    if item.deleting {
        if item.has_finalizer(ORPHAN_FINALIZER) {
            for dep in references_to(graph, uid) {
                actions.push(GcAction::RemoveOwnerRefs {
                    object: dep.id.clone(),
                    owner_uids: vec![uid.to_owned()],
                    dangling: Vec::new(),
                });
            }
            actions.push(GcAction::RemoveFinalizer {
                object: item.id.clone(),
                finalizer: ORPHAN_FINALIZER,
            });
        } else if item.has_finalizer(FOREGROUND_FINALIZER)
            && !references_to(graph, uid).iter().any(|d| blocks(d, uid))
        {
            actions.push(GcAction::RemoveFinalizer {
                object: item.id.clone(),
                finalizer: FOREGROUND_FINALIZER,
            });
        }
        return actions;
    }
    if item.owner_refs.is_empty() {
        return actions;
    }
    let mut solid = 0;
    let mut dangling: Vec<OwnerReference> = Vec::new();
    let mut waiting = Vec::new();
    for r in &item.owner_refs {
        match graph.owner(item, r) {
            Some(owner) if owner.deleting && owner.has_finalizer(FOREGROUND_FINALIZER) => {
                waiting.push(r.uid.clone());
            }
            Some(_) => solid += 1,
            None if graph.is_known_kind(&r.api_version, &r.kind) => dangling.push(r.clone()),
            // An owner of a kind we do not watch: we cannot tell it is gone.
            None => solid += 1,
        }
    }
    if solid > 0 {
        if !dangling.is_empty() || !waiting.is_empty() {
            let mut owner_uids: Vec<String> = dangling.iter().map(|r| r.uid.clone()).collect();
            owner_uids.extend(waiting);
            actions.push(GcAction::RemoveOwnerRefs {
                object: item.id.clone(),
                owner_uids,
                dangling,
            });
        }
        return actions;
    }
    let propagation = if !waiting.is_empty() && !graph.dependents_of(uid).is_empty() {
        Propagation::Foreground
    } else if item.has_finalizer(ORPHAN_FINALIZER) {
        Propagation::Orphan
    } else if item.has_finalizer(FOREGROUND_FINALIZER) {
        Propagation::Foreground
    } else {
        Propagation::Background
    };
    actions.push(GcAction::Delete {
        object: item.id.clone(),
        propagation,
        dangling,
    });
    actions
}

/// Decisions for every object of the graph, in a stable order (by uid).
pub fn decide_all(graph: &Graph) -> Vec<GcAction> {
    let mut uids: Vec<&str> = graph.objects().map(|o| o.id.uid.as_str()).collect();
    uids.sort_unstable();
    uids.into_iter()
        .flat_map(|u| decide_for(graph, u))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    fn obj(kind: &str, uid: &str, owners: &[(&str, &str, bool)]) -> GcObject {
        GcObject {
            id: ObjectId {
                api_version: if kind == "Pod" {
                    "v1".into()
                } else {
                    "apps/v1".into()
                },
                kind: kind.into(),
                namespace: "default".into(),
                name: uid.into(),
                uid: uid.into(),
            },
            owner_refs: owners
                .iter()
                .map(|(k, u, block)| OwnerReference {
                    api_version: if *k == "Pod" {
                        "v1".into()
                    } else {
                        "apps/v1".into()
                    },
                    kind: (*k).into(),
                    name: (*u).into(),
                    uid: (*u).into(),
                    controller: Some(true),
                    block_owner_deletion: Some(*block),
                })
                .collect(),
            deleting: false,
            finalizers: Vec::new(),
        }
    }

    fn deleting(mut o: GcObject, finalizer: &str) -> GcObject {
        o.deleting = true;
        o.finalizers.push(finalizer.into());
        o
    }

    fn known() -> Vec<(String, String)> {
        vec![
            ("apps".into(), "Deployment".into()),
            ("apps".into(), "ReplicaSet".into()),
            ("".into(), "Pod".into()),
        ]
    }

    fn graph(objs: Vec<GcObject>) -> Graph {
        Graph::new(objs, known())
    }

    #[test]
    fn background_deletes_dependents_of_vanished_owners() {
        // The Deployment is gone; its ReplicaSet is dangling, the pod still has its owner.
        let g = graph(vec![
            obj("ReplicaSet", "rs", &[("Deployment", "d", true)]),
            obj("Pod", "p", &[("ReplicaSet", "rs", true)]),
        ]);
        assert_eq!(
            decide_for(&g, "rs"),
            [GcAction::Delete {
                object: g.get("rs").unwrap().id.clone(),
                propagation: Propagation::Background,
                dangling: g.get("rs").unwrap().owner_refs.clone()
            }]
        );
        assert!(decide_for(&g, "p").is_empty());
        assert_eq!(decide_all(&g).len(), 1);
    }

    #[test]
    fn unknown_owner_kinds_are_not_dangling_and_extra_solid_owner_keeps_object() {
        let g = graph(vec![obj("Pod", "p", &[("Job", "j", true)])]);
        assert!(decide_for(&g, "p").is_empty());
        let g = graph(vec![
            obj("ReplicaSet", "alive", &[]),
            obj(
                "Pod",
                "p",
                &[
                    ("ReplicaSet", "alive", false),
                    ("ReplicaSet", "gone", false),
                ],
            ),
        ]);
        assert_eq!(
            decide_for(&g, "p"),
            [GcAction::RemoveOwnerRefs {
                object: g.get("p").unwrap().id.clone(),
                owner_uids: vec!["gone".into()],
                dangling: vec![g.get("p").unwrap().owner_refs[1].clone()],
            }]
        );
    }

    #[test]
    fn foreground_deletes_dependents_then_releases_the_owner() {
        let d = deleting(obj("Deployment", "d", &[]), FOREGROUND_FINALIZER);
        let rs = obj("ReplicaSet", "rs", &[("Deployment", "d", true)]);
        let pod = obj("Pod", "p", &[("ReplicaSet", "rs", true)]);
        let g = graph(vec![d.clone(), rs.clone(), pod.clone()]);
        // The owner waits; the ReplicaSet (which has dependents) is deleted in the foreground.
        assert!(decide_for(&g, "d").is_empty());
        assert_eq!(
            decide_for(&g, "rs"),
            [GcAction::Delete {
                object: rs.id.clone(),
                propagation: Propagation::Foreground,
                dangling: vec![]
            }]
        );
        // The ReplicaSet is now deleting in the foreground: its pod goes in the background.
        let rs_deleting = deleting(rs.clone(), FOREGROUND_FINALIZER);
        let g = graph(vec![d.clone(), rs_deleting.clone(), pod.clone()]);
        assert_eq!(
            decide_for(&g, "p"),
            [GcAction::Delete {
                object: pod.id.clone(),
                propagation: Propagation::Background,
                dangling: vec![]
            }]
        );
        assert!(decide_for(&g, "rs").is_empty());
        // Pod gone: the ReplicaSet's finalizer goes; then the Deployment's.
        let g = graph(vec![d.clone(), rs_deleting]);
        assert_eq!(
            decide_for(&g, "rs"),
            [GcAction::RemoveFinalizer {
                object: rs.id.clone(),
                finalizer: FOREGROUND_FINALIZER
            }]
        );
        let g = graph(vec![d.clone()]);
        assert_eq!(
            decide_for(&g, "d"),
            [GcAction::RemoveFinalizer {
                object: d.id.clone(),
                finalizer: FOREGROUND_FINALIZER
            }]
        );
    }

    #[test]
    fn foreground_does_not_wait_for_non_blocking_dependents() {
        let d = deleting(obj("Deployment", "d", &[]), FOREGROUND_FINALIZER);
        let rs = obj("ReplicaSet", "rs", &[("Deployment", "d", false)]);
        let g = graph(vec![d.clone(), rs.clone()]);
        assert_eq!(
            decide_for(&g, "d"),
            [GcAction::RemoveFinalizer {
                object: d.id.clone(),
                finalizer: FOREGROUND_FINALIZER
            }]
        );
        // The dependent is still deleted.
        assert_eq!(
            decide_for(&g, "rs"),
            [GcAction::Delete {
                object: rs.id.clone(),
                propagation: Propagation::Background,
                dangling: vec![]
            }]
        );
    }

    #[test]
    fn orphan_releases_dependents_then_drops_the_finalizer() {
        let d = deleting(obj("Deployment", "d", &[]), ORPHAN_FINALIZER);
        let rs = obj("ReplicaSet", "rs", &[("Deployment", "d", true)]);
        let g = graph(vec![d.clone(), rs.clone()]);
        assert_eq!(
            decide_for(&g, "d"),
            [
                GcAction::RemoveOwnerRefs {
                    object: rs.id.clone(),
                    owner_uids: vec!["d".into()],
                    dangling: vec![]
                },
                GcAction::RemoveFinalizer {
                    object: d.id.clone(),
                    finalizer: ORPHAN_FINALIZER
                },
            ]
        );
        // Orphaned dependents are never deleted while the owner still exists.
        assert!(decide_for(&g, "rs").is_empty());
    }

    #[test]
    fn owner_in_another_namespace_is_dangling() {
        let mut owner = obj("ReplicaSet", "rs", &[]);
        owner.id.namespace = "other".into();
        let pod = obj("Pod", "p", &[("ReplicaSet", "rs", true)]);
        let g = graph(vec![owner, pod.clone()]);
        assert_eq!(
            decide_for(&g, "p"),
            [GcAction::Delete {
                object: pod.id,
                propagation: Propagation::Background,
                dangling: pod.owner_refs.clone()
            }]
        );
    }
}
