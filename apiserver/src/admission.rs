//! Server-side preparation of objects: the parts of Kubernetes' registry
//! strategies and admission that are the server's job rather than a kind's
//! defaulting (which lives in `api-types`).
//!
//! On create: uid, creationTimestamp, generation, status reset (pods start
//! `Pending` with their QoS class, namespaces `Active`). On update: immutable
//! metadata kept, status kept unless through the `status` subresource,
//! generation bumped when the spec changes. At start: the system namespaces.

use api_types::k8s_openapi::api::core::v1::PodSpec;
use api_types::k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use storage::StoreError;

use crate::{AppState, keys, object};

/// Namespaces that always exist.
pub const SYSTEM_NAMESPACES: [&str; 4] =
    ["default", "kube-system", "kube-public", "kube-node-lease"];

/// Create the system namespaces if missing.
pub async fn bootstrap_namespaces(state: &AppState) -> Result<(), StoreError> {
    let Some(def) = state.registry().get("", "v1", "namespaces").cloned() else {
        return Ok(());
    };
    for ns in SYSTEM_NAMESPACES {
        let key = keys::object_key(&def, None, ns);
        if state.store().get(&key).await?.is_some() {
            continue;
        }
        let mut obj = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
            "spec": {"finalizers": ["kubernetes"]},
        });
        prepare_create(&def.kind, &mut obj);
        let bytes = Bytes::from(serde_json::to_vec(&obj).unwrap_or_default());
        match state.store().create(&key, bytes).await {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The `default/kubernetes` Service (the cluster's first service IP, port
/// 443) and, when the server knows its address, its Endpoints, as
/// kube-apiserver keeps them. Selectorless: the endpoints controller leaves
/// it alone.
pub async fn bootstrap_kubernetes_service(state: &AppState) -> Result<(), StoreError> {
    let (Some(svc_def), Some(ep_def)) = (
        state.registry().get("", "v1", "services").cloned(),
        state.registry().get("", "v1", "endpoints").cloned(),
    ) else {
        return Ok(());
    };
    let ip = state.0.allocator.first_ip().to_string();
    let port = state.config().advertise.map(|a| a.port()).unwrap_or(6443);
    let key = keys::object_key(&svc_def, Some("default"), "kubernetes");
    if state.store().get(&key).await?.is_none() {
        let mut svc = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip],
                "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]},
        });
        if svc_def.hooks.default(&mut svc).is_ok() {
            prepare_create(&svc_def.kind, &mut svc);
            let ops = vec![
                storage::TxnOp::Create {
                    key: key.clone(),
                    value: Bytes::from(serde_json::to_vec(&svc).unwrap_or_default()),
                },
                storage::TxnOp::Create {
                    key: crate::alloc::Allocator::ip_key(state.0.allocator.first_ip()),
                    value: Bytes::from(key.clone()),
                },
            ];
            match state.store().txn(ops).await {
                Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    let Some(addr) = state.config().advertise else {
        return Ok(());
    };
    let ep_key = keys::object_key(&ep_def, Some("default"), "kubernetes");
    let subsets = json!([{
        "addresses": [{"ip": addr.ip().to_string()}],
        "ports": [{"name": "https", "port": addr.port(), "protocol": "TCP"}],
    }]);
    match state.store().get(&ep_key).await? {
        Some(kv) => {
            let mut ep: Value = serde_json::from_slice(&kv.value).unwrap_or(Value::Null);
            if ep.get("subsets") != Some(&subsets) {
                ep["subsets"] = subsets;
                let bytes = Bytes::from(serde_json::to_vec(&ep).unwrap_or_default());
                match state.store().update(&ep_key, kv.mod_revision, bytes).await {
                    Ok(_) | Err(StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        None => {
            let mut ep = json!({
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": "kubernetes", "namespace": "default",
                    "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
                "subsets": subsets,
            });
            prepare_create(&ep_def.kind, &mut ep);
            let bytes = Bytes::from(serde_json::to_vec(&ep).unwrap_or_default());
            match state.store().create(&ep_key, bytes).await {
                Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Server-set fields of a new object.
pub fn prepare_create(kind: &str, obj: &mut Value) {
    let meta = object::meta_mut(obj);
    meta.insert("uid".into(), json!(new_uid()));
    meta.insert("creationTimestamp".into(), json!(object::now_rfc3339()));
    meta.insert("generation".into(), json!(1));
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    meta.remove("selfLink");
    meta.remove("managedFields");
    if kind == "Namespace" {
        let name = object::name(obj).to_string();
        let meta = object::meta_mut(obj);
        let labels = meta
            .entry("labels")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(l) = labels.as_object_mut() {
            l.insert("kubernetes.io/metadata.name".into(), json!(name));
        }
    }
    reset_status(kind, obj);
}

/// [`prepare_create`]'s metadata part on a typed object's metadata.
pub fn prepare_create_meta(meta: &mut ObjectMeta) {
    meta.uid = Some(new_uid());
    meta.creation_timestamp = Some(Time(object::now_second()));
    meta.generation = Some(1);
    meta.resource_version = None;
    meta.deletion_timestamp = None;
    meta.deletion_grace_period_seconds = None;
    meta.self_link = None;
    meta.managed_fields = None;
}

/// A random (version 4) UUID for `metadata.uid`, from the thread's
/// cryptographically seeded generator rather than a `getrandom` call per
/// object.
pub fn new_uid() -> String {
    use rand::Rng;
    uuid::Builder::from_random_bytes(rand::rng().random())
        .into_uuid()
        .to_string()
}

/// Status of a new object, as Kubernetes' strategies set it.
fn reset_status(kind: &str, obj: &mut Value) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    match kind {
        "Pod" => {
            // Pods with a JSON body take the typed path; this is YAML,
            // protobuf and the server's own objects.
            let spec = map.get("spec").and_then(|s| PodSpec::deserialize(s).ok());
            let status = api_types::kinds::new_pod_status(&spec.unwrap_or_default());
            map.insert(
                "status".into(),
                serde_json::to_value(status).unwrap_or_default(),
            );
        }
        "Namespace" => {
            map.insert("status".into(), json!({"phase": "Active"}));
        }
        "Service" => {
            map.insert("status".into(), json!({"loadBalancer": {}}));
        }
        "Deployment" | "ReplicaSet" => {
            map.insert("status".into(), json!({}));
        }
        _ => {}
    }
}

/// Carry server-owned fields from the stored object into an update of the
/// main resource: identity, timestamps, finalizer-driven deletion state, and
/// (for kinds with a status subresource) the status itself. Bumps
/// `generation` when the spec changed.
pub fn prepare_update(has_status_subresource: bool, old: &Value, new: &mut Value) {
    prepare_update_inner(has_status_subresource, false, old, new);
}

/// As [`prepare_update`], for a deletion that sets `deletionTimestamp`.
pub fn prepare_delete(old: &Value, new: &mut Value) {
    prepare_update_inner(false, true, old, new);
}

fn prepare_update_inner(
    has_status_subresource: bool,
    deleting: bool,
    old: &Value,
    new: &mut Value,
) {
    let old_meta = old.get("metadata").cloned().unwrap_or_else(|| json!({}));
    {
        let meta = object::meta_mut(new);
        let kept: &[&str] = if deleting {
            &["uid", "creationTimestamp", "namespace", "name"]
        } else {
            &[
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "namespace",
                "name",
            ]
        };
        for f in kept.iter().copied() {
            match old_meta.get(f) {
                Some(v) => {
                    meta.insert(f.into(), v.clone());
                }
                None => {
                    meta.remove(f);
                }
            }
        }
        meta.remove("resourceVersion");
        meta.remove("selfLink");
        meta.remove("managedFields");
        if old_meta.get("generateName").is_some() && meta.get("generateName").is_none() {
            meta.insert("generateName".into(), old_meta["generateName"].clone());
        }
    }
    if has_status_subresource {
        if let Some(map) = new.as_object_mut() {
            match old.get("status") {
                Some(s) => {
                    map.insert("status".into(), s.clone());
                }
                None => {
                    map.remove("status");
                }
            }
        }
    }
    let generation = old_meta
        .get("generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let generation = if object::spec_equal(old, new) {
        generation
    } else {
        generation + 1
    };
    object::meta_mut(new).insert("generation".into(), json!(generation));
}

/// An update through the `status` subresource: everything but `status` (and
/// labels/annotations, which Kubernetes also lets status writers change)
/// comes from the stored object.
pub fn prepare_status_update(old: &Value, new: &mut Value) {
    let mut merged = old.clone();
    if let Some(map) = merged.as_object_mut() {
        match new.get("status") {
            Some(s) => {
                map.insert("status".into(), s.clone());
            }
            None => {
                map.remove("status");
            }
        }
    }
    if let Some(meta) = merged.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
    }
    *new = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_version_4_and_differ() {
        let a = uuid::Uuid::parse_str(&new_uid()).unwrap();
        let b = uuid::Uuid::parse_str(&new_uid()).unwrap();
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }

    #[test]
    fn generation_bumps_only_on_spec_change() {
        let old = json!({"metadata": {"name": "a", "uid": "u", "generation": 3}, "spec": {"replicas": 1}, "status": {"replicas": 1}});
        let mut same = json!({"metadata": {"name": "a", "labels": {"x": "y"}}, "spec": {"replicas": 1}, "status": {"replicas": 9}});
        prepare_update(true, &old, &mut same);
        assert_eq!(same["metadata"]["generation"], 3);
        assert_eq!(same["metadata"]["uid"], "u");
        assert_eq!(
            same["status"]["replicas"], 1,
            "status comes from the stored object"
        );
        let mut changed = json!({"metadata": {"name": "a"}, "spec": {"replicas": 2}});
        prepare_update(true, &old, &mut changed);
        assert_eq!(changed["metadata"]["generation"], 4);
    }

    #[test]
    fn status_update_touches_only_status() {
        let old = json!({"metadata": {"name": "a", "resourceVersion": "5"}, "spec": {"replicas": 1}, "status": {"replicas": 1}});
        let mut new =
            json!({"metadata": {"name": "a"}, "spec": {"replicas": 7}, "status": {"replicas": 2}});
        prepare_status_update(&old, &mut new);
        assert_eq!(new["spec"]["replicas"], 1);
        assert_eq!(new["status"]["replicas"], 2);
    }
}
