//! Controller references: who controls an object, and the claim rules a controller follows to
//! adopt orphans that match its selector and release objects it controls that no longer match
//! (Kubernetes' `ControllerRefManager`), plus the strategic-merge patches that do it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use serde_json::{Value, json};

/// The identity of a controlling object, enough to build an ownerReference to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerIdentity {
    /// `apiVersion` of the owner, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind` of the owner, e.g. `ReplicaSet`.
    pub kind: String,
    /// Name of the owner.
    pub name: String,
    /// Namespace of the owner (empty for cluster-scoped owners).
    pub namespace: String,
    /// UID of the owner.
    pub uid: String,
    /// Whether the owner has a deletionTimestamp: a deleting owner adopts and releases nothing.
    pub deleting: bool,
}

impl ControllerIdentity {
    /// The identity of a typed object, `None` when it lacks a name or uid (not yet stored).
    pub fn of<K>(obj: &K) -> Option<Self>
    where
        K: k8s_openapi::Resource + k8s_openapi::Metadata<Ty = ObjectMeta>,
    {
        let meta = obj.metadata();
        Some(Self {
            api_version: K::API_VERSION.to_owned(),
            kind: K::KIND.to_owned(),
            name: meta.name.clone()?,
            namespace: meta.namespace.clone().unwrap_or_default(),
            uid: meta.uid.clone()?,
            deleting: meta.deletion_timestamp.is_some(),
        })
    }

    /// An ownerReference naming this owner as controller, with `blockOwnerDeletion: true`.
    pub fn controller_ref(&self) -> OwnerReference {
        OwnerReference {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            uid: self.uid.clone(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }
}

/// The ownerReference with `controller: true`, if any.
pub fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
}

/// Whether `meta` is controlled by the object with this uid.
pub fn is_controlled_by(meta: &ObjectMeta, owner_uid: &str) -> bool {
    controller_of(meta).is_some_and(|r| r.uid == owner_uid)
}

/// What a controller does with one candidate object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimDecision {
    /// Already controlled by us and matching: ours.
    Owned,
    /// An orphan that matches: adopt it (it counts as ours once the patch succeeds).
    Adopt,
    /// Controlled by us but no longer matching: release it.
    Release,
    /// Not ours and not to be adopted.
    Ignore,
}

/// The claim rule for one object, given whether it matches the controller's selector.
pub fn claim_decision(
    owner: &ControllerIdentity,
    obj: &ObjectMeta,
    matches: bool,
) -> ClaimDecision {
    if let Some(cref) = controller_of(obj) {
        if cref.uid != owner.uid {
            return ClaimDecision::Ignore;
        }
        if matches {
            return ClaimDecision::Owned;
        }
        if owner.deleting {
            return ClaimDecision::Ignore;
        }
        return ClaimDecision::Release;
    }
    if owner.deleting || !matches || obj.deletion_timestamp.is_some() {
        return ClaimDecision::Ignore;
    }
    if !owner.namespace.is_empty()
        && obj.namespace.as_deref().unwrap_or_default() != owner.namespace
    {
        return ClaimDecision::Ignore;
    }
    ClaimDecision::Adopt
}

/// The result of claiming a set of candidates.
#[derive(Debug)]
pub struct Claimed<'a, T> {
    /// Objects already controlled by the owner and matching.
    pub owned: Vec<&'a T>,
    /// Orphans to adopt.
    pub adopt: Vec<&'a T>,
    /// Objects to release.
    pub release: Vec<&'a T>,
}

impl<'a, T> Claimed<'a, T> {
    /// Owned plus to-be-adopted objects: what the controller manages this round.
    pub fn claimed(&self) -> Vec<&'a T> {
        self.owned
            .iter()
            .chain(self.adopt.iter())
            .copied()
            .collect()
    }
}

/// Claims candidates: `matches` says whether an object matches the owner's selector.
pub fn claim<'a, T, I, F>(owner: &ControllerIdentity, candidates: I, matches: F) -> Claimed<'a, T>
where
    T: k8s_openapi::Metadata<Ty = ObjectMeta> + 'a,
    I: IntoIterator<Item = &'a T>,
    F: Fn(&T) -> bool,
{
    let mut out = Claimed {
        owned: Vec::new(),
        adopt: Vec::new(),
        release: Vec::new(),
    };
    for obj in candidates {
        match claim_decision(owner, obj.metadata(), matches(obj)) {
            ClaimDecision::Owned => out.owned.push(obj),
            ClaimDecision::Adopt => out.adopt.push(obj),
            ClaimDecision::Release => out.release.push(obj),
            ClaimDecision::Ignore => {}
        }
    }
    out
}

/// Strategic merge patch adding the owner as controller (guarded by the object's uid).
pub fn adopt_patch(owner: &ControllerIdentity, obj_uid: &str) -> Value {
    json!({
        "metadata": {
            "ownerReferences": [{
                "apiVersion": owner.api_version,
                "kind": owner.kind,
                "name": owner.name,
                "uid": owner.uid,
                "controller": true,
                "blockOwnerDeletion": true,
            }],
            "uid": obj_uid,
        }
    })
}

/// Strategic merge patch removing the ownerReference with `owner_uid` (guarded by the object's uid).
pub fn remove_owner_patch(owner_uid: &str, obj_uid: &str) -> Value {
    json!({
        "metadata": {
            "ownerReferences": [{ "$patch": "delete", "uid": owner_uid }],
            "uid": obj_uid,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> ControllerIdentity {
        ControllerIdentity {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: "rs".into(),
            namespace: "default".into(),
            uid: "rs-uid".into(),
            deleting: false,
        }
    }

    fn meta(controller_uid: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            namespace: Some("default".into()),
            owner_references: controller_uid.map(|uid| {
                vec![OwnerReference {
                    uid: uid.into(),
                    controller: Some(true),
                    ..Default::default()
                }]
            }),
            ..Default::default()
        }
    }

    #[test]
    fn claim_rules() {
        let o = owner();
        assert_eq!(
            claim_decision(&o, &meta(Some("rs-uid")), true),
            ClaimDecision::Owned
        );
        assert_eq!(
            claim_decision(&o, &meta(Some("rs-uid")), false),
            ClaimDecision::Release
        );
        assert_eq!(
            claim_decision(&o, &meta(Some("other")), true),
            ClaimDecision::Ignore
        );
        assert_eq!(claim_decision(&o, &meta(None), true), ClaimDecision::Adopt);
        assert_eq!(
            claim_decision(&o, &meta(None), false),
            ClaimDecision::Ignore
        );
        let mut elsewhere = meta(None);
        elsewhere.namespace = Some("other".into());
        assert_eq!(claim_decision(&o, &elsewhere, true), ClaimDecision::Ignore);
        let mut dying = meta(None);
        dying.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
        ));
        assert_eq!(claim_decision(&o, &dying, true), ClaimDecision::Ignore);
        let deleting_owner = ControllerIdentity {
            deleting: true,
            ..owner()
        };
        assert_eq!(
            claim_decision(&deleting_owner, &meta(None), true),
            ClaimDecision::Ignore
        );
        assert_eq!(
            claim_decision(&deleting_owner, &meta(Some("rs-uid")), false),
            ClaimDecision::Ignore
        );
    }

    #[test]
    fn patches_name_the_owner_by_uid() {
        let p = adopt_patch(&owner(), "pod-uid");
        assert_eq!(p["metadata"]["ownerReferences"][0]["uid"], "rs-uid");
        assert_eq!(p["metadata"]["ownerReferences"][0]["controller"], true);
        assert_eq!(p["metadata"]["uid"], "pod-uid");
        let r = remove_owner_patch("rs-uid", "pod-uid");
        assert_eq!(r["metadata"]["ownerReferences"][0]["$patch"], "delete");
    }
}
