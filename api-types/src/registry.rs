//! The kind registry: what the API server serves, described as data.
//!
//! The API server has no handler per kind. It looks a request's path up in a
//! [`Registry`] and drives the generic CRUD logic with the [`ResourceDef`] it
//! finds: group, version, kind, plural, scope, short names, subresources,
//! table columns, defaulting and validation. Objects travel as
//! `serde_json::Value`; each kind's [`KindHooks`] decode to the typed
//! k8s-openapi struct where logic needs fields. A kind may also offer a
//! typed create path ([`KindHooks::decode_new`], a [`TypedObject`]) that
//! keeps a JSON body in its struct all the way to the stored bytes: Pods
//! do, being the kind created most. Custom resources will later register
//! schema-driven hooks through the same path.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

/// A field-level problem found by validation, as in a Kubernetes `StatusCause`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Kubernetes cause reason: `FieldValueRequired`, `FieldValueInvalid`,
    /// `FieldValueNotSupported`, `FieldValueDuplicate`, `FieldValueForbidden`,
    /// `FieldValueTooLong`.
    pub reason: &'static str,
    /// Path such as `spec.template.spec.containers[0].image`.
    pub field: String,
    /// Human-readable message, e.g. `Required value` or
    /// `Invalid value: "Foo": a lowercase RFC 1123 subdomain must ...`.
    pub message: String,
}

/// One column of a `meta.k8s.io/v1` Table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Header, e.g. `Name`, `Ready`.
    pub name: &'static str,
    /// OpenAPI type: `string`, `integer`, `date`, ...
    pub type_: &'static str,
    /// OpenAPI format, e.g. `name` for the Name column, or empty.
    pub format: &'static str,
    /// Description shown by `kubectl explain`-like tools.
    pub description: &'static str,
    /// 0 = always shown, 1 = only with `-o wide`.
    pub priority: i32,
}

/// Where a kind's `scale` subresource reads and writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleSpec {
    /// JSON pointer of the desired replicas, e.g. `/spec/replicas`.
    pub spec_replicas: &'static str,
    /// JSON pointer of the observed replicas, e.g. `/status/replicas`.
    pub status_replicas: &'static str,
    /// JSON pointer of the label selector (a `LabelSelector` object),
    /// e.g. `/spec/selector`.
    pub label_selector: &'static str,
}

/// The subresources a kind serves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subresources {
    /// `<plural>/status`: updates touch only `.status`; the main resource
    /// ignores status changes.
    pub status: bool,
    /// `<plural>/scale` (autoscaling/v1 Scale).
    pub scale: Option<ScaleSpec>,
    /// `pods/binding`.
    pub binding: bool,
    /// `namespaces/{name}/finalize`.
    pub finalize: bool,
}

/// A new object decoded into its kind's Rust struct, for kinds whose create
/// path works on the struct from the request body to the stored bytes and
/// builds no `serde_json::Value` at all (see [`KindHooks::decode_new`]).
///
/// The server fills in metadata through [`Self::meta_mut`], sets the status
/// a new object starts with, validates, and stores [`Self::to_json`].
pub trait TypedObject: Send + Sync {
    /// The object's metadata.
    fn meta(&self) -> &ObjectMeta;

    /// The object's metadata, to fill in namespace, uid and timestamps.
    fn meta_mut(&mut self) -> &mut ObjectMeta;

    /// Replace the status with the one a new object of this kind starts
    /// with, as Kubernetes' `PrepareForCreate` does (a Pod: `Pending` with
    /// its QoS class).
    fn reset_status(&mut self);

    /// Validate the new object (already defaulted and prepared). The same
    /// errors as [`KindHooks::validate_create`] on its JSON value.
    fn validate_create(&self) -> Vec<FieldError>;

    /// The object encoded as JSON, `apiVersion` and `kind` included.
    fn to_json(&self) -> Vec<u8>;

    /// The object as a JSON value, for paths that still need one.
    fn to_value(&self) -> Value;

    /// A copy, for a create that must try again (a generated name taken).
    fn clone_boxed(&self) -> Box<dyn TypedObject>;
}

/// Per-kind logic, pure functions on JSON values.
pub trait KindHooks: Send + Sync {
    /// Apply Kubernetes defaults in place (restartPolicy, imagePullPolicy,
    /// rolling-update 25%/25%, Service type and protocol, ...). Also the place
    /// for admission-like defaults such as DefaultTolerationSeconds.
    /// Fails with a message if the value does not decode as this kind.
    fn default(&self, obj: &mut Value) -> Result<(), String>;

    /// The typed fast path for a JSON request body: decode `raw` straight
    /// into the kind's struct, apply [`Self::default`]'s defaults there, and
    /// encode it back to a value, with the fields the struct does not know
    /// dropped and named (`unknown field "spec.foo"`). One decode instead of
    /// parsing to a value, then decoding and re-encoding for the defaults.
    ///
    /// `None` when the kind has no typed form, or the body does not decode
    /// as this kind (wrong `apiVersion`/`kind`, a wrong type...): callers
    /// then take the generic path, which words the error.
    fn decode_defaulted(&self, raw: &[u8]) -> Option<(Value, Vec<String>)> {
        let _ = raw;
        None
    }

    /// The typed create path: as [`Self::decode_defaulted`], but the
    /// object stays in the kind's struct ([`TypedObject`]) up to its
    /// encoding for the store. `None` when the kind has no such path or the
    /// body does not decode; the server then falls back to
    /// [`Self::decode_defaulted`] and the generic path.
    fn decode_new(&self, raw: &[u8]) -> Option<(Box<dyn TypedObject>, Vec<String>)> {
        let _ = raw;
        None
    }

    /// Validate a new object (already defaulted).
    fn validate_create(&self, obj: &Value) -> Vec<FieldError>;

    /// Validate an update: the new object against itself and against the old
    /// one (immutable fields).
    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError>;

    /// Validate an update through the `status` subresource (the server has
    /// already copied the old spec over). Defaults to [`Self::validate_update`].
    fn validate_status_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        self.validate_update(obj, old)
    }

    /// Table columns (`kubectl get`), name and age included.
    fn columns(&self) -> Vec<Column>;

    /// One table row: one cell per column, in order. `now` is the current
    /// time as Unix seconds (for ages).
    fn row(&self, obj: &Value, now: i64) -> Vec<Value>;

    /// Field-selector fields this kind supports beyond `metadata.name` and
    /// `metadata.namespace` (e.g. pods: `spec.nodeName`, `status.phase`).
    fn selectable_fields(&self) -> &'static [&'static str] {
        &[]
    }

    /// The value of a selectable field on `obj` (absent → empty string).
    fn field_value(&self, obj: &Value, field: &str) -> Option<String> {
        let _ = (obj, field);
        None
    }
}

/// Everything the API server needs to serve one kind.
#[derive(Clone)]
pub struct ResourceDef {
    /// API group, `""` for core.
    pub group: String,
    /// Version, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// List kind, e.g. `DeploymentList`.
    pub list_kind: String,
    /// Plural resource name, e.g. `deployments`.
    pub plural: String,
    /// Singular name, e.g. `deployment`.
    pub singular: String,
    /// Namespaced (true) or cluster-scoped (false).
    pub namespaced: bool,
    /// Short names such as `deploy`.
    pub short_names: Vec<String>,
    /// Categories such as `all`.
    pub categories: Vec<String>,
    /// Served subresources.
    pub subresources: Subresources,
    /// Name of the kind's schema in the OpenAPI components, e.g.
    /// `io.k8s.api.apps.v1.Deployment`.
    pub schema_name: String,
    /// Per-kind logic.
    pub hooks: Arc<dyn KindHooks>,
}

impl ResourceDef {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl std::fmt::Debug for ResourceDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceDef")
            .field("group", &self.group)
            .field("version", &self.version)
            .field("kind", &self.kind)
            .field("plural", &self.plural)
            .finish_non_exhaustive()
    }
}

/// The set of served kinds.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    defs: Vec<Arc<ResourceDef>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a kind (replacing one with the same group, version and plural).
    pub fn register(&mut self, def: ResourceDef) {
        self.defs.retain(|d| {
            !(d.group == def.group && d.version == def.version && d.plural == def.plural)
        });
        self.defs.push(Arc::new(def));
    }

    /// All kinds, in registration order.
    pub fn all(&self) -> &[Arc<ResourceDef>] {
        &self.defs
    }

    /// Look up by group, version and plural.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<&Arc<ResourceDef>> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.version == version && d.plural == plural)
    }

    /// Look up by group and kind (any version).
    pub fn by_kind(&self, group: &str, kind: &str) -> Option<&Arc<ResourceDef>> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.kind == kind)
    }
}
