//! Which pods a ReplicaSet manages: active pods it controls and matching orphans it adopts;
//! pods it controls that stopped matching its selector are released.

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;

use super::ReplicaSetError;
use crate::labels::{labels_of, selector_matches, validate_selector};
use crate::ownership::{Claimed, ControllerIdentity, claim};
use crate::pods::is_pod_active;

/// The identity of a ReplicaSet as a pod controller.
pub fn identity(rs: &ReplicaSet) -> Result<ControllerIdentity, ReplicaSetError> {
    ControllerIdentity::of(rs).ok_or_else(|| ReplicaSetError::MissingField {
        name: rs.metadata.name.clone().unwrap_or_default(),
        field: "metadata.name or metadata.uid",
    })
}

/// Claims among `pods` (typically every pod of the namespace from the cache): only active pods
/// are considered, as in Kubernetes.
pub fn claim_pods<'a, I>(rs: &ReplicaSet, pods: I) -> Result<Claimed<'a, Pod>, ReplicaSetError>
where
    I: IntoIterator<Item = &'a Pod>,
{
    let owner = identity(rs)?;
    let spec = rs
        .spec
        .as_ref()
        .ok_or_else(|| ReplicaSetError::MissingField {
            name: owner.name.clone(),
            field: "spec",
        })?;
    validate_selector(&spec.selector).map_err(|source| ReplicaSetError::InvalidSelector {
        name: owner.name.clone(),
        source,
    })?;
    let active = pods.into_iter().filter(|p| is_pod_active(p));
    Ok(claim(&owner, active, |p: &Pod| {
        selector_matches(&spec.selector, labels_of(&p.metadata)).unwrap_or(false)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{pod, replica_set, ts};

    #[test]
    fn adopts_orphans_releases_mismatches_ignores_others() {
        let rs = replica_set("rs", 3);
        let pods = vec![
            pod("owned")
                .labels(&[("app", "web")])
                .owner("ReplicaSet", "rs", "rs-uid")
                .build(),
            pod("orphan").labels(&[("app", "web")]).build(),
            pod("relabelled")
                .labels(&[("app", "db")])
                .owner("ReplicaSet", "rs", "rs-uid")
                .build(),
            pod("foreign")
                .labels(&[("app", "web")])
                .owner("ReplicaSet", "x", "x-uid")
                .build(),
            pod("done")
                .labels(&[("app", "web")])
                .phase("Succeeded")
                .build(),
            pod("other-ns")
                .namespace("kube-system")
                .labels(&[("app", "web")])
                .build(),
            pod("dying")
                .labels(&[("app", "web")])
                .deleting(ts(5))
                .build(),
        ];
        let c = claim_pods(&rs, &pods).unwrap();
        let names = |v: &[&Pod]| -> Vec<String> {
            v.iter().map(|p| p.metadata.name.clone().unwrap()).collect()
        };
        assert_eq!(names(&c.owned), ["owned"]);
        assert_eq!(names(&c.adopt), ["orphan"]);
        assert_eq!(names(&c.release), ["relabelled"]);
        assert_eq!(names(&c.claimed()), ["owned", "orphan"]);
    }
}
