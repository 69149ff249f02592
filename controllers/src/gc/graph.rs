//! The ownerReference graph: every object of the watched kinds by uid, its owner references and
//! its dependents. An owner whose uid is absent counts as gone only when its kind is one of the
//! watched kinds; references to other kinds are never treated as dangling (we cannot see them).

use std::collections::{HashMap, HashSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

/// Identifies an object for the writes the collector issues.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectId {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind`, e.g. `ReplicaSet`.
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID (the delete precondition).
    pub uid: String,
}

/// What the collector knows of one object.
#[derive(Debug, Clone, PartialEq)]
pub struct GcObject {
    /// Who it is.
    pub id: ObjectId,
    /// Its ownerReferences.
    pub owner_refs: Vec<OwnerReference>,
    /// Whether it has a deletionTimestamp.
    pub deleting: bool,
    /// Its finalizers.
    pub finalizers: Vec<String>,
}

impl GcObject {
    /// From an object's metadata (`None` without a name or uid).
    pub fn from_meta(api_version: &str, kind: &str, meta: &ObjectMeta) -> Option<Self> {
        Some(Self {
            id: ObjectId {
                api_version: api_version.to_owned(),
                kind: kind.to_owned(),
                namespace: meta.namespace.clone().unwrap_or_default(),
                name: meta.name.clone()?,
                uid: meta.uid.clone()?,
            },
            owner_refs: meta.owner_references.clone().unwrap_or_default(),
            deleting: meta.deletion_timestamp.is_some(),
            finalizers: meta.finalizers.clone().unwrap_or_default(),
        })
    }

    /// Whether it carries this finalizer.
    pub fn has_finalizer(&self, f: &str) -> bool {
        self.finalizers.iter().any(|x| x == f)
    }
}

/// The group of an apiVersion (`""` for the core group).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The graph over a snapshot of objects.
#[derive(Debug, Default)]
pub struct Graph {
    nodes: HashMap<String, GcObject>,
    dependents: HashMap<String, Vec<String>>,
    known_kinds: HashSet<(String, String)>,
}

impl Graph {
    /// Builds the graph; `known_kinds` are the (group, kind) pairs whose every object is in
    /// `objects`, so that an absent uid of such a kind means the owner is gone.
    pub fn new<I, K>(objects: I, known_kinds: K) -> Self
    where
        I: IntoIterator<Item = GcObject>,
        K: IntoIterator<Item = (String, String)>,
    {
        let mut g = Graph {
            known_kinds: known_kinds.into_iter().collect(),
            ..Default::default()
        };
        for obj in objects {
            for r in &obj.owner_refs {
                g.dependents
                    .entry(r.uid.clone())
                    .or_default()
                    .push(obj.id.uid.clone());
            }
            g.nodes.insert(obj.id.uid.clone(), obj);
        }
        g
    }

    /// The object with this uid.
    pub fn get(&self, uid: &str) -> Option<&GcObject> {
        self.nodes.get(uid)
    }

    /// Every object.
    pub fn objects(&self) -> impl Iterator<Item = &GcObject> {
        self.nodes.values()
    }

    /// Objects listing `uid` among their owners.
    pub fn dependents_of(&self, uid: &str) -> Vec<&GcObject> {
        self.dependents
            .get(uid)
            .into_iter()
            .flatten()
            .filter_map(|d| self.nodes.get(d))
            .collect()
    }

    /// Whether objects of this apiVersion/kind are all in the graph.
    pub fn is_known_kind(&self, api_version: &str, kind: &str) -> bool {
        self.known_kinds
            .contains(&(group_of(api_version).to_owned(), kind.to_owned()))
    }

    /// The owner an ownerReference of `dependent` points to, if it exists. An owner in another
    /// namespace is not a valid owner of a namespaced dependent.
    pub fn owner(&self, dependent: &GcObject, r: &OwnerReference) -> Option<&GcObject> {
        let owner = self.nodes.get(&r.uid)?;
        (owner.id.namespace.is_empty() || owner.id.namespace == dependent.id.namespace)
            .then_some(owner)
    }
}
