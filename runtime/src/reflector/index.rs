//! Ready-made index functions for [`StoreBuilder::index`](super::StoreBuilder::index).
//!
//! An index function returns the values an object is filed under; the store then answers
//! [`Store::by_index`](super::Store::by_index)`(name, value)` with every object filed under
//! `value` in index `name`.

use k8s_openapi::api::core::v1::Pod;

use crate::Object;

/// Name of the [`namespace`] index.
pub const NAMESPACE: &str = "namespace";
/// Name of the [`label`] index.
pub const LABEL: &str = "label";
/// Name of the [`controller_owner_uid`] index.
pub const CONTROLLER_OWNER_UID: &str = "controller-owner-uid";
/// Name of the [`owner_uid`] index.
pub const OWNER_UID: &str = "owner-uid";
/// Name of the [`pod_node_name`] index.
pub const POD_NODE_NAME: &str = "spec.nodeName";

/// Files an object under its namespace (cluster-scoped objects under nothing).
pub fn namespace<K: Object>(obj: &K) -> Vec<String> {
    obj.metadata()
        .namespace
        .iter()
        .filter(|ns| !ns.is_empty())
        .cloned()
        .collect()
}

/// Files an object under each of its labels, as `key=value`.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use rkube_runtime::reflector::index;
///
/// let mut pod = Pod::default();
/// pod.metadata.labels = Some([("app".to_string(), "web".to_string())].into());
/// assert_eq!(index::label(&pod), vec!["app=web".to_string()]);
/// ```
pub fn label<K: Object>(obj: &K) -> Vec<String> {
    obj.metadata()
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

/// Files an object under the uid of its controller (the owner reference with
/// `controller: true`), if it has one.
pub fn controller_owner_uid<K: Object>(obj: &K) -> Vec<String> {
    obj.metadata()
        .owner_references
        .iter()
        .flatten()
        .filter(|o| o.controller == Some(true))
        .map(|o| o.uid.clone())
        .take(1)
        .collect()
}

/// Files an object under the uid of each of its owners.
pub fn owner_uid<K: Object>(obj: &K) -> Vec<String> {
    obj.metadata()
        .owner_references
        .iter()
        .flatten()
        .map(|o| o.uid.clone())
        .collect()
}

/// Files a pod under its `spec.nodeName`; an unscheduled pod under the empty string.
pub fn pod_node_name(pod: &Pod) -> Vec<String> {
    vec![
        pod.spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default(),
    ]
}
