//! Typed references to Kubernetes objects.
//!
//! An [`ObjectRef<K>`] names one object of kind `K` by namespace and name. The kind lives in
//! the type, so a `ObjectRef<Pod>` can never be confused with an `ObjectRef<ReplicaSet>`:
//! work queues, reflector stores and controllers are all keyed by it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The bound every object handled by the runtime satisfies: a typed Kubernetes resource with
/// standard object metadata, (de)serializable, that can be shared between threads.
///
/// It is implemented automatically for every `k8s_openapi` kind.
pub trait Object:
    k8s_openapi::Resource
    + k8s_openapi::Metadata<Ty = ObjectMeta>
    + Clone
    + fmt::Debug
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
}

impl<T> Object for T where
    T: k8s_openapi::Resource
        + k8s_openapi::Metadata<Ty = ObjectMeta>
        + Clone
        + fmt::Debug
        + Serialize
        + DeserializeOwned
        + Send
        + Sync
        + 'static
{
}

/// A reference to an object of kind `K`: its name, and its namespace for namespaced kinds.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use rkube_runtime::ObjectRef;
///
/// let r = ObjectRef::<Pod>::new("web-0").within("default");
/// assert_eq!(r.to_string(), "Pod default/web-0");
/// ```
pub struct ObjectRef<K> {
    /// The object's `metadata.name`.
    pub name: String,
    /// The object's `metadata.namespace`; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    kind: PhantomData<fn() -> K>,
}

impl<K> ObjectRef<K> {
    /// A reference to a cluster-scoped object (or a namespaced one, with [`within`](Self::within)).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            namespace: None,
            kind: PhantomData,
        }
    }

    /// Sets the namespace.
    #[must_use]
    pub fn within(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Sets the namespace from an optional value (for code generic over the scope).
    #[must_use]
    pub fn within_opt(mut self, namespace: Option<String>) -> Self {
        self.namespace = namespace;
        self
    }

    /// Re-types the reference (same name and namespace, another kind).
    pub fn cast<K2>(self) -> ObjectRef<K2> {
        ObjectRef {
            name: self.name,
            namespace: self.namespace,
            kind: PhantomData,
        }
    }
}

impl<K: Object> ObjectRef<K> {
    /// The reference of an object, taken from its metadata (an unnamed object gives an
    /// empty name).
    pub fn from_obj(obj: &K) -> Self {
        let meta = obj.metadata();
        Self {
            name: meta.name.clone().unwrap_or_default(),
            namespace: meta.namespace.clone().filter(|ns| !ns.is_empty()),
            kind: PhantomData,
        }
    }

    /// The reference to the owner named by `owner`, if that owner reference is of kind `K`
    /// (same `kind` and `apiVersion`). Owners live in their dependent's namespace, so
    /// `namespace` is the dependent's.
    pub fn from_owner_ref(namespace: Option<&str>, owner: &OwnerReference) -> Option<Self> {
        if owner.kind == K::KIND && owner.api_version == K::API_VERSION {
            Some(Self {
                name: owner.name.clone(),
                namespace: namespace.filter(|ns| !ns.is_empty()).map(str::to_owned),
                kind: PhantomData,
            })
        } else {
            None
        }
    }

    /// The kind `K`, such as `"Pod"`.
    pub fn kind(&self) -> &'static str {
        K::KIND
    }
}

impl<K> Clone for ObjectRef<K> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> PartialEq for ObjectRef<K> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.namespace == other.namespace
    }
}

impl<K> Eq for ObjectRef<K> {}

impl<K> Hash for ObjectRef<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.namespace.hash(state);
        self.name.hash(state);
    }
}

impl<K> PartialOrd for ObjectRef<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for ObjectRef<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.namespace, &self.name).cmp(&(&other.namespace, &other.name))
    }
}

impl<K: k8s_openapi::Resource> fmt::Display for ObjectRef<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", K::KIND, ns, self.name),
            None => write!(f, "{} {}", K::KIND, self.name),
        }
    }
}

impl<K> fmt::Debug for ObjectRef<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectRef")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSet;
    use k8s_openapi::api::core::v1::{Node, Pod};

    #[test]
    fn from_obj_and_display() {
        let mut pod = Pod::default();
        pod.metadata.name = Some("p".into());
        pod.metadata.namespace = Some("ns".into());
        let r = ObjectRef::from_obj(&pod);
        assert_eq!(r, ObjectRef::new("p").within("ns"));
        assert_eq!(r.to_string(), "Pod ns/p");
        assert_eq!(ObjectRef::<Node>::new("n1").to_string(), "Node n1");
    }

    #[test]
    fn owner_ref_must_match_kind_and_version() {
        let owner = OwnerReference {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: "rs".into(),
            uid: "u".into(),
            ..OwnerReference::default()
        };
        let r = ObjectRef::<ReplicaSet>::from_owner_ref(Some("ns"), &owner);
        assert_eq!(r, Some(ObjectRef::new("rs").within("ns")));
        assert_eq!(ObjectRef::<Pod>::from_owner_ref(Some("ns"), &owner), None);
        let wrong_version = OwnerReference {
            api_version: "extensions/v1beta1".into(),
            ..owner
        };
        assert_eq!(
            ObjectRef::<ReplicaSet>::from_owner_ref(Some("ns"), &wrong_version),
            None
        );
    }
}
