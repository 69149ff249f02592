//! A new pod from a ReplicaSet's template: `generateName: <rs>-`, the template's labels,
//! annotations and finalizers, and a controller ownerReference with `blockOwnerDeletion`.

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::ReplicaSetError;
use super::adoption::identity;

/// Builds the pod to create for `rs`.
pub fn pod_from_template(rs: &ReplicaSet) -> Result<Pod, ReplicaSetError> {
    let owner = identity(rs)?;
    let template = rs
        .spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .ok_or_else(|| ReplicaSetError::MissingField {
            name: owner.name.clone(),
            field: "spec.template",
        })?;
    let tmeta = template.metadata.clone().unwrap_or_default();
    Ok(Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", owner.name)),
            namespace: rs.metadata.namespace.clone(),
            labels: tmeta.labels,
            annotations: tmeta.annotations,
            finalizers: tmeta.finalizers,
            owner_references: Some(vec![owner.controller_ref()]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::replica_set;

    #[test]
    fn pod_carries_template_and_controller_ref() {
        let rs = replica_set("web-abc", 1);
        let pod = pod_from_template(&rs).unwrap();
        assert_eq!(pod.metadata.generate_name.as_deref(), Some("web-abc-"));
        assert_eq!(pod.metadata.namespace.as_deref(), Some("default"));
        assert_eq!(pod.metadata.labels.as_ref().unwrap()["app"], "web");
        let oref = &pod.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(oref.kind, "ReplicaSet");
        assert_eq!(oref.api_version, "apps/v1");
        assert_eq!(oref.uid, "web-abc-uid");
        assert_eq!(oref.controller, Some(true));
        assert_eq!(oref.block_owner_deletion, Some(true));
        assert_eq!(
            pod.spec.as_ref().unwrap().containers[0].image.as_deref(),
            Some("nginx")
        );
    }

    #[test]
    fn missing_uid_is_an_error() {
        let mut rs = replica_set("x", 1);
        rs.metadata.uid = None;
        assert!(pod_from_template(&rs).is_err());
    }
}
