//! Patch metadata: which list fields a strategic merge patch merges (and by
//! which key), which are sets of primitives, and which objects honour
//! `$retainKeys`.
//!
//! Go's `k8s.io/api` types carry this in struct tags (`patchStrategy`,
//! `patchMergeKey`); `k8s-openapi` does not, so the built-in kinds' tables are
//! written out here ([`patch_meta_for`]). The metadata is plain data, a tree of
//! field names, so it can also be built from OpenAPI extensions
//! ([`PatchMeta::from_openapi_schema`]) for custom kinds.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::Value;

/// How a list field is combined with the patch's list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ListStrategy {
    /// The patch's list replaces the original (Kubernetes' default; e.g.
    /// `tolerations`, `args`, `command`).
    #[default]
    Replace,
    /// A set of primitives: the union, with `$deleteFromPrimitiveList` for
    /// removals (e.g. `metadata.finalizers`).
    Set,
    /// Objects identified by the value of this key are merged one by one
    /// (e.g. `containers` by `name`).
    MergeByKey(String),
}

/// Metadata for one field: its list strategy (if it is a list), whether it
/// uses `retainKeys`, and the metadata of its object value or list items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMeta {
    /// How a list value merges; ignored for non-lists.
    pub list: ListStrategy,
    /// Whether the field's object (or each list item) honours `$retainKeys`
    /// (`patchStrategy:"retainKeys"`). The server applies the directive
    /// whenever it is present; this flag tells patch generators to send it.
    pub retain_keys: bool,
    /// Metadata of the object value, or of each list item.
    pub fields: PatchMeta,
}

/// Patch metadata for an object: its fields that need anything but the
/// defaults (objects merge, lists are replaced).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatchMeta {
    fields: BTreeMap<String, FieldMeta>,
}

static EMPTY_META: PatchMeta = PatchMeta {
    fields: BTreeMap::new(),
};
static EMPTY_FIELD: FieldMeta = FieldMeta {
    list: ListStrategy::Replace,
    retain_keys: false,
    fields: PatchMeta {
        fields: BTreeMap::new(),
    },
};

impl PatchMeta {
    /// Metadata with no special fields: every list is replaced.
    pub fn new() -> Self {
        PatchMeta::default()
    }

    /// The metadata of a field, if it has any.
    pub fn get(&self, field: &str) -> Option<&FieldMeta> {
        self.fields.get(field)
    }

    /// The metadata of a field, or the defaults.
    pub fn field(&self, field: &str) -> &FieldMeta {
        self.fields.get(field).unwrap_or(&EMPTY_FIELD)
    }

    /// The metadata of a field's object value or list items (empty if none).
    pub fn child(&self, field: &str) -> &PatchMeta {
        self.fields.get(field).map_or(&EMPTY_META, |f| &f.fields)
    }

    /// Whether no field has metadata.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields with metadata.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &FieldMeta)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Sets a field's metadata, merging into what is there (builder style).
    pub fn with_field(mut self, name: &str, meta: FieldMeta) -> Self {
        self.insert(name, meta);
        self
    }

    /// A nested object field with its own metadata.
    pub fn with_object(self, name: &str, fields: PatchMeta) -> Self {
        self.with_field(
            name,
            FieldMeta {
                fields,
                ..FieldMeta::default()
            },
        )
    }

    /// An object field whose value honours `$retainKeys`.
    pub fn with_retain_keys_object(self, name: &str, fields: PatchMeta) -> Self {
        self.with_field(
            name,
            FieldMeta {
                retain_keys: true,
                fields,
                ..FieldMeta::default()
            },
        )
    }

    /// A list of objects merged by `key`, its items described by `items`.
    pub fn with_merge_list(self, name: &str, key: &str, items: PatchMeta) -> Self {
        self.with_field(
            name,
            FieldMeta {
                list: ListStrategy::MergeByKey(key.to_string()),
                fields: items,
                ..FieldMeta::default()
            },
        )
    }

    /// A list of primitives merged as a set.
    pub fn with_set_list(self, name: &str) -> Self {
        self.with_field(
            name,
            FieldMeta {
                list: ListStrategy::Set,
                ..FieldMeta::default()
            },
        )
    }

    /// Sets a field's metadata, merging with existing metadata for it: a
    /// non-default list strategy or `retain_keys` wins, children merge.
    pub fn insert(&mut self, name: &str, meta: FieldMeta) {
        let slot = self.fields.entry(name.to_string()).or_default();
        if meta.list != ListStrategy::Replace {
            slot.list = meta.list;
        }
        slot.retain_keys |= meta.retain_keys;
        for (child, child_meta) in meta.fields.fields {
            slot.fields.insert(&child, child_meta);
        }
    }

    /// Sets the metadata at a path of field names (list items are not a
    /// path segment: `["spec", "containers", "env"]`), creating parents.
    pub fn insert_path(&mut self, path: &[&str], meta: FieldMeta) {
        match path {
            [] => {}
            [name] => self.insert(name, meta),
            [name, rest @ ..] => {
                let slot = self.fields.entry((*name).to_string()).or_default();
                slot.fields.insert_path(rest, meta);
            }
        }
    }

    /// Metadata read from an OpenAPI v3 schema (a CRD's `openAPIV3Schema` or a
    /// published definition with `$ref`s already resolved): lists with
    /// `x-kubernetes-patch-strategy: merge` and `x-kubernetes-patch-merge-key`,
    /// or `x-kubernetes-list-type: map` (merged by the first
    /// `x-kubernetes-list-map-keys`) / `set`; `retainKeys` from the strategy.
    pub fn from_openapi_schema(schema: &Value) -> Self {
        let mut meta = PatchMeta::new();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return meta;
        };
        for (name, property) in properties {
            let field = field_meta_from_schema(property);
            if field != FieldMeta::default() {
                meta.fields.insert(name.clone(), field);
            }
        }
        meta
    }
}

fn field_meta_from_schema(property: &Value) -> FieldMeta {
    let strategy = property
        .get("x-kubernetes-patch-strategy")
        .and_then(Value::as_str)
        .unwrap_or("");
    let strategies: Vec<&str> = strategy.split(',').map(str::trim).collect();
    let retain_keys = strategies.contains(&"retainKeys");
    let is_array = property.get("type").and_then(Value::as_str) == Some("array")
        || property.get("items").is_some();
    if !is_array {
        return FieldMeta {
            retain_keys,
            fields: PatchMeta::from_openapi_schema(property),
            ..FieldMeta::default()
        };
    }
    let items = property.get("items").unwrap_or(&Value::Null);
    let merge_key = property
        .get("x-kubernetes-patch-merge-key")
        .and_then(Value::as_str)
        .map(str::to_string);
    let list_type = property
        .get("x-kubernetes-list-type")
        .and_then(Value::as_str);
    let first_map_key = property
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .and_then(|keys| keys.first())
        .and_then(Value::as_str)
        .map(str::to_string);
    let list = if strategies.contains(&"merge") {
        match merge_key {
            Some(key) => ListStrategy::MergeByKey(key),
            None => ListStrategy::Set,
        }
    } else {
        match (list_type, first_map_key) {
            (Some("map"), Some(key)) => ListStrategy::MergeByKey(key),
            (Some("set"), _) => ListStrategy::Set,
            _ => ListStrategy::Replace,
        }
    };
    FieldMeta {
        list,
        retain_keys,
        fields: PatchMeta::from_openapi_schema(items),
    }
}

fn conditions() -> PatchMeta {
    PatchMeta::new().with_merge_list("conditions", "type", PatchMeta::new())
}

/// `metav1.ObjectMeta`: finalizers are a set, ownerReferences merge by uid.
pub fn object_meta() -> PatchMeta {
    PatchMeta::new()
        .with_set_list("finalizers")
        .with_merge_list("ownerReferences", "uid", PatchMeta::new())
}

/// `core/v1.Container` (and `EphemeralContainer`).
pub fn container() -> PatchMeta {
    PatchMeta::new()
        .with_merge_list("ports", "containerPort", PatchMeta::new())
        .with_merge_list("env", "name", PatchMeta::new())
        .with_merge_list("volumeMounts", "mountPath", PatchMeta::new())
        .with_merge_list("volumeDevices", "devicePath", PatchMeta::new())
}

/// `core/v1.PodSpec`.
pub fn pod_spec() -> PatchMeta {
    let retained_by_name = |meta: PatchMeta, name: &str| {
        meta.with_field(
            name,
            FieldMeta {
                list: ListStrategy::MergeByKey("name".to_string()),
                retain_keys: true,
                fields: PatchMeta::new(),
            },
        )
    };
    let meta = PatchMeta::new()
        .with_merge_list("containers", "name", container())
        .with_merge_list("initContainers", "name", container())
        .with_merge_list("ephemeralContainers", "name", container())
        .with_merge_list("imagePullSecrets", "name", PatchMeta::new())
        .with_merge_list("hostAliases", "ip", PatchMeta::new())
        .with_merge_list("topologySpreadConstraints", "topologyKey", PatchMeta::new())
        .with_merge_list("schedulingGates", "name", PatchMeta::new());
    let meta = retained_by_name(meta, "volumes");
    retained_by_name(meta, "resourceClaims")
}

/// `core/v1.PodStatus`.
pub fn pod_status() -> PatchMeta {
    conditions()
        .with_merge_list("podIPs", "ip", PatchMeta::new())
        .with_merge_list("hostIPs", "ip", PatchMeta::new())
        .with_field(
            "resourceClaimStatuses",
            FieldMeta {
                list: ListStrategy::MergeByKey("name".to_string()),
                retain_keys: true,
                fields: PatchMeta::new(),
            },
        )
}

/// `core/v1.PodTemplateSpec`.
pub fn pod_template() -> PatchMeta {
    PatchMeta::new()
        .with_object("metadata", object_meta())
        .with_object("spec", pod_spec())
}

fn kind(spec: PatchMeta, status: PatchMeta) -> PatchMeta {
    let mut meta = PatchMeta::new().with_object("metadata", object_meta());
    if !spec.is_empty() {
        meta = meta.with_object("spec", spec);
    }
    if !status.is_empty() {
        meta = meta.with_object("status", status);
    }
    meta
}

fn workload(extra_spec: PatchMeta) -> PatchMeta {
    let spec = extra_spec.with_object("template", pod_template());
    kind(spec, conditions())
}

static GENERIC: LazyLock<PatchMeta> = LazyLock::new(|| kind(PatchMeta::new(), PatchMeta::new()));

type Table = BTreeMap<&'static str, BTreeMap<&'static str, PatchMeta>>;

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut entries: Vec<((&'static str, &'static str), PatchMeta)> = Vec::new();
    let mut t = Entries(&mut entries);
    t.insert(("", "Pod"), kind(pod_spec(), pod_status()));
    t.insert(("", "PodTemplate"), {
        PatchMeta::new()
            .with_object("metadata", object_meta())
            .with_object("template", pod_template())
    });
    t.insert(("", "ReplicationController"), workload(PatchMeta::new()));
    t.insert(
        ("", "Service"),
        kind(
            PatchMeta::new().with_merge_list("ports", "port", PatchMeta::new()),
            conditions(),
        ),
    );
    t.insert(
        ("", "Node"),
        kind(
            PatchMeta::new().with_set_list("podCIDRs"),
            conditions().with_merge_list("addresses", "type", PatchMeta::new()),
        ),
    );
    t.insert(("", "Namespace"), kind(PatchMeta::new(), conditions()));
    t.insert(
        ("", "PersistentVolumeClaim"),
        kind(PatchMeta::new(), conditions()),
    );
    t.insert(
        ("apps", "Deployment"),
        workload(PatchMeta::new().with_retain_keys_object("strategy", PatchMeta::new())),
    );
    t.insert(("apps", "ReplicaSet"), workload(PatchMeta::new()));
    t.insert(("apps", "StatefulSet"), workload(PatchMeta::new()));
    t.insert(("apps", "DaemonSet"), workload(PatchMeta::new()));
    t.insert(("batch", "Job"), workload(PatchMeta::new()));
    t.insert(
        ("batch", "CronJob"),
        kind(
            PatchMeta::new().with_object(
                "jobTemplate",
                PatchMeta::new()
                    .with_object("metadata", object_meta())
                    .with_object(
                        "spec",
                        PatchMeta::new().with_object("template", pod_template()),
                    ),
            ),
            PatchMeta::new(),
        ),
    );
    let mut table = Table::new();
    for ((group, kind), meta) in entries {
        table.entry(group).or_default().insert(kind, meta);
    }
    table
});

struct Entries<'a>(&'a mut Vec<((&'static str, &'static str), PatchMeta)>);

impl Entries<'_> {
    fn insert(&mut self, key: (&'static str, &'static str), meta: PatchMeta) {
        self.0.push((key, meta));
    }
}

/// The patch metadata of a built-in kind (`group` is `""` for the core group).
///
/// Kinds without special lists (Endpoints, whose `subsets` are replaced,
/// EndpointSlice, Event, Lease, ConfigMap, ...) and unknown kinds get the
/// generic table: only `metadata.finalizers` and `metadata.ownerReferences`.
pub fn patch_meta_for(group: &str, kind: &str) -> &'static PatchMeta {
    TABLE
        .get(group)
        .and_then(|kinds| kinds.get(kind))
        .unwrap_or(&GENERIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_describe_kubernetes_merge_keys() {
        let pod = patch_meta_for("", "Pod");
        let spec = pod.child("spec");
        assert_eq!(
            spec.field("containers").list,
            ListStrategy::MergeByKey("name".into())
        );
        assert_eq!(
            spec.child("containers").field("ports").list,
            ListStrategy::MergeByKey("containerPort".into())
        );
        assert!(spec.field("volumes").retain_keys);
        assert_eq!(spec.field("tolerations").list, ListStrategy::Replace);
        assert_eq!(
            pod.child("metadata").field("finalizers").list,
            ListStrategy::Set
        );
        let deploy = patch_meta_for("apps", "Deployment");
        assert!(deploy.child("spec").field("strategy").retain_keys);
        assert_eq!(
            deploy
                .child("spec")
                .child("template")
                .child("spec")
                .child("containers")
                .field("env")
                .list,
            ListStrategy::MergeByKey("name".into())
        );
        let node = patch_meta_for("", "Node");
        assert_eq!(
            node.child("spec").field("taints").list,
            ListStrategy::Replace
        );
        assert_eq!(
            node.child("status").field("addresses").list,
            ListStrategy::MergeByKey("type".into())
        );
        let ep = patch_meta_for("", "Endpoints");
        assert_eq!(ep.field("subsets").list, ListStrategy::Replace);
        assert_eq!(ep, patch_meta_for("example.com", "Widget"));
    }

    #[test]
    fn insert_path_builds_nested_metadata() {
        let mut meta = PatchMeta::new();
        meta.insert_path(
            &["spec", "items"],
            FieldMeta {
                list: ListStrategy::MergeByKey("id".into()),
                ..Default::default()
            },
        );
        meta.insert_path(
            &["spec", "items", "tags"],
            FieldMeta {
                list: ListStrategy::Set,
                ..Default::default()
            },
        );
        let items = meta.child("spec").field("items");
        assert_eq!(items.list, ListStrategy::MergeByKey("id".into()));
        assert_eq!(items.fields.field("tags").list, ListStrategy::Set);
    }

    #[test]
    fn openapi_extensions_become_metadata() {
        let schema = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "ports": {
                            "type": "array",
                            "x-kubernetes-patch-strategy": "merge",
                            "x-kubernetes-patch-merge-key": "port",
                            "items": {"type": "object", "properties": {
                                "tags": {"type": "array", "x-kubernetes-list-type": "set",
                                         "items": {"type": "string"}}
                            }}
                        },
                        "rules": {
                            "type": "array",
                            "x-kubernetes-list-type": "map",
                            "x-kubernetes-list-map-keys": ["name", "kind"],
                            "items": {"type": "object"}
                        },
                        "args": {"type": "array", "items": {"type": "string"}},
                        "strategy": {"type": "object", "x-kubernetes-patch-strategy": "retainKeys"}
                    }
                }
            }
        });
        let meta = PatchMeta::from_openapi_schema(&schema);
        let spec = meta.child("spec");
        assert_eq!(
            spec.field("ports").list,
            ListStrategy::MergeByKey("port".into())
        );
        assert_eq!(spec.child("ports").field("tags").list, ListStrategy::Set);
        assert_eq!(
            spec.field("rules").list,
            ListStrategy::MergeByKey("name".into())
        );
        assert_eq!(spec.get("args"), None);
        assert!(spec.field("strategy").retain_keys);
    }
}
