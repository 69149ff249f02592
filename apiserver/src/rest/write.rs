//! Writes: create, update, patch, delete and delete-collection.
//!
//! Every write decodes the body once, defaults and validates the typed value
//! through the kind's hooks, and commits with one store operation (a
//! transaction when a Service's IPs or ports change with it). Updates are
//! compare-and-swap on the stored revision: a stale `resourceVersion` is a
//! 409, and a patch without one is retried against the latest object.
//!
//! A create of a kind with a typed create path (a Pod with a JSON body)
//! never builds a JSON value: the body decodes into the k8s-openapi struct,
//! which is defaulted, prepared, validated and encoded for the store as it
//! is. Every other body takes the value path, which also words the errors
//! of bodies the struct cannot decode.

use axum::response::Response;
use bytes::Bytes;
use http::{StatusCode, header};
use rand::Rng;
use serde_json::{Value, json};
use storage::{KeyValue, StoreError, TxnOp};

use super::{Request, Target, decode_stored, encoded_response, json_response, parse_rv};
use crate::admission;
use crate::alloc::AllocPlan;
use crate::error::{ApiError, ApiResult};
use crate::params::FieldValidation;
use crate::{AppState, object};
use api_types::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use api_types::registry::TypedObject;

/// How an update treats the stored object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The main resource: status (if a subresource) is kept from the store.
    Main,
    /// The `status` subresource: only status changes.
    Status,
    /// A subresource whose mutation already did everything (scale, binding,
    /// finalize): only identity and generation are maintained.
    Raw,
    /// A deletion: as `Raw`, but the mutation may set `deletionTimestamp`.
    Delete,
}

fn content_type(req: &Request) -> String {
    req.headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_ascii_lowercase()
}

/// Parse a JSON (or YAML) body into an object, with a message naming the problem.
pub fn parse_body(req: &Request) -> ApiResult<Value> {
    if req.body.is_empty() {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    let ct = content_type(req);
    let value: Value = if ct.starts_with(api_types::protobuf::MEDIA_TYPE) {
        // kubectl's typed clients (`kubectl create namespace`, ...) send protobuf.
        api_types::protobuf::decode(&req.body).map_err(|e| match e {
            api_types::protobuf::ProtobufError::UnknownType { .. } => ApiError {
                code: 415,
                reason: "UnsupportedMediaType",
                message: e.to_string(),
                details: None,
            },
            other => ApiError::bad_request(format!("invalid protobuf request body: {other}")),
        })?
    } else if !(ct.starts_with("application/json")
        || ct.contains("yaml")
        || ct.is_empty()
        || ct == "*/*")
    {
        return Err(ApiError::unsupported_media_type_for_body(&ct));
    } else if ct.contains("yaml") {
        let text = std::str::from_utf8(&req.body)
            .map_err(|_| ApiError::bad_request("the YAML request body is not valid UTF-8"))?;
        serde_saphyr::from_str(text)
            .map_err(|e| ApiError::bad_request(format!("invalid YAML in request body: {e}")))?
    } else {
        serde_json::from_slice(&req.body)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON in request body: {e}")))?
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    Ok(value)
}

/// Check (and fill in) `apiVersion` and `kind` against the endpoint's kind.
pub fn check_type(
    target: &Target,
    obj: &mut Value,
    expected_kind: &str,
    api_version: &str,
) -> ApiResult<()> {
    let got_av = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let got_kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !got_av.is_empty() && got_av != api_version {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({got_av}) does not match the expected API version ({api_version})"
        )));
    }
    if !got_kind.is_empty() && got_kind != expected_kind {
        return Err(ApiError::bad_request(format!(
            "{got_kind} in version \"{}\" cannot be handled as a {expected_kind}: the kind in the data does not match the endpoint ({})",
            target.def.version, target.def.plural
        )));
    }
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), json!(api_version));
        m.insert("kind".into(), json!(expected_kind));
    }
    Ok(())
}

/// Unknown and duplicate fields per `fieldValidation`: an error under
/// Strict, warnings under Warn, nothing under Ignore. Unknown fields are
/// removed from `obj` in every mode (Kubernetes never stores them).
pub fn field_problems(
    state: &AppState,
    target: &Target,
    raw: &[u8],
    obj: &mut Value,
    mode: FieldValidation,
) -> ApiResult<Vec<String>> {
    if mode == FieldValidation::Ignore {
        state.0.openapi.prune_unknown(&target.def, obj);
        return Ok(Vec::new());
    }
    judge_field_problems(state.0.openapi.field_problems(&target.def, raw, obj), mode)
}

/// [`field_problems`] for a body decoded by the typed fast path, which has
/// already dropped (and named) the unknown fields.
fn typed_field_problems(
    raw: &[u8],
    unknown: Vec<String>,
    mode: FieldValidation,
) -> ApiResult<Vec<String>> {
    if mode == FieldValidation::Ignore {
        return Ok(Vec::new());
    }
    let mut problems = api_types::field_validation::duplicate_fields(raw);
    problems.extend(unknown);
    judge_field_problems(problems, mode)
}

/// Field problems under Strict are an error; otherwise they are warnings.
fn judge_field_problems(problems: Vec<String>, mode: FieldValidation) -> ApiResult<Vec<String>> {
    if problems.is_empty() || mode != FieldValidation::Strict {
        return Ok(problems);
    }
    Err(ApiError::bad_request(format!(
        "strict decoding error: {}",
        problems.join(", ")
    )))
}

/// A new object on its way to the store: a JSON value, or the kind's Rust
/// struct when the kind has a typed create path (a JSON Pod body), which
/// builds no value at all.
enum NewObject {
    Value(Value),
    Typed(Box<dyn TypedObject>),
}

impl NewObject {
    fn meta_str(&self, field: fn(&ObjectMeta) -> &Option<String>, key: &str) -> &str {
        match self {
            NewObject::Value(v) => object::meta_str(v, key),
            NewObject::Typed(t) => field(t.meta()).as_deref().unwrap_or(""),
        }
    }

    fn name(&self) -> &str {
        self.meta_str(|m| &m.name, "name")
    }

    fn generate_name(&self) -> &str {
        self.meta_str(|m| &m.generate_name, "generateName")
    }

    fn namespace(&self) -> &str {
        self.meta_str(|m| &m.namespace, "namespace")
    }

    fn set_name(&mut self, name: String) {
        match self {
            NewObject::Value(v) => {
                object::meta_mut(v).insert("name".into(), json!(name));
            }
            NewObject::Typed(t) => t.meta_mut().name = Some(name),
        }
    }

    fn set_namespace(&mut self, ns: Option<&str>) {
        match (self, ns) {
            (NewObject::Value(v), Some(ns)) => {
                object::meta_mut(v).insert("namespace".into(), json!(ns));
            }
            (NewObject::Value(v), None) => {
                object::meta_mut(v).remove("namespace");
            }
            (NewObject::Typed(t), ns) => t.meta_mut().namespace = ns.map(str::to_string),
        }
    }

    fn try_clone(&self) -> NewObject {
        match self {
            NewObject::Value(v) => NewObject::Value(v.clone()),
            NewObject::Typed(t) => NewObject::Typed(t.clone_boxed()),
        }
    }

    fn into_value(self) -> Value {
        match self {
            NewObject::Value(v) => v,
            NewObject::Typed(t) => t.to_value(),
        }
    }

    /// The stored form (see [`encode`]).
    fn encode(&self) -> Bytes {
        match self {
            NewObject::Value(v) => encode(v),
            NewObject::Typed(t) => Bytes::from(t.to_json()),
        }
    }

    /// Defaults (when the body was not decoded with them), the server's
    /// fields of a new object, and the kind's validation.
    fn default_and_validate(&mut self, target: &Target, defaulted: bool) -> ApiResult<()> {
        let def = &target.def;
        let errors = match self {
            NewObject::Value(obj) => {
                if !defaulted {
                    def.hooks.default(obj).map_err(|e| {
                        ApiError::bad_request(format!(
                            "{} in version \"{}\" cannot be handled as a {}: {e}",
                            def.kind, def.version, def.kind
                        ))
                    })?;
                }
                admission::prepare_create(&def.kind, obj);
                def.hooks.validate_create(obj)
            }
            NewObject::Typed(t) => {
                admission::prepare_create_meta(t.meta_mut());
                t.reset_status();
                t.validate_create()
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::invalid(def, self.name(), &errors));
        }
        Ok(())
    }
}

/// Decode a create's body: straight into the kind's struct when it has a
/// typed create path, else into a value (typed and defaulted when the kind
/// has a typed form), else through the generic parser, which words every
/// error. Returns the object and the unknown fields the typed decoders
/// dropped: `Some` exactly when a typed decoder took the body, and so
/// applied the kind's defaults; `None` from the generic parser.
fn decode_new(target: &Target, req: &Request) -> ApiResult<(NewObject, Option<Vec<String>>)> {
    let hooks = &target.def.hooks;
    if content_type(req).starts_with("application/json") {
        if let Some((t, unknown)) = hooks.decode_new(&req.body) {
            return Ok((NewObject::Typed(t), Some(unknown)));
        }
        if let Some((v, unknown)) = hooks.decode_defaulted(&req.body) {
            return Ok((NewObject::Value(v), Some(unknown)));
        }
    }
    Ok((NewObject::Value(parse_body(req)?), None))
}

/// Refuse creates into a namespace that is missing (404) or terminating
/// (403). Updates and deletes go on in a terminating namespace, or its
/// finalizers could never be removed.
pub async fn check_namespace(state: &AppState, ns: &str) -> ApiResult<()> {
    let terminating = match state.0.namespaces.as_ref().and_then(|c| c.lookup(ns)) {
        Some(t) => t,
        // Not in the cache (yet): ask the store.
        None => {
            let Some(ns_def) = state.registry().get("", "v1", "namespaces").cloned() else {
                return Ok(());
            };
            let key = crate::keys::object_key(&ns_def, None, ns);
            let kv = state
                .store()
                .get(&key)
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?
                .ok_or_else(|| ApiError::not_found(&ns_def, ns))?;
            let obj: Value = serde_json::from_slice(&kv.value).unwrap_or(Value::Null);
            object::is_deleting(&obj)
        }
    };
    if terminating {
        return Err(ApiError::forbidden(format!(
            "unable to create new content in namespace {ns} because it is being terminated"
        )));
    }
    Ok(())
}

fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    (0..5)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The stored form of an object. The resourceVersion is not stored (it is
/// the key's revision); every write path has removed it by now.
fn encode(obj: &Value) -> Bytes {
    debug_assert!(object::resource_version(obj).is_empty());
    Bytes::from(serde_json::to_vec(obj).unwrap_or_default())
}

/// `POST .../<plural>`.
pub async fn create(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let def = target.def.clone();
    let (mut obj, unknown) = decode_new(target, &req)?;
    let defaulted = unknown.is_some();
    // A typed struct always has the endpoint's apiVersion and kind (its
    // decoder refuses others); a value is checked and filled in.
    if let NewObject::Value(v) = &mut obj {
        check_type(target, v, &def.kind, &def.api_version())?;
    }
    let mode = req.params.field_validation;
    let warnings = match (unknown, &mut obj) {
        (Some(unknown), _) => typed_field_problems(&req.body, unknown, mode)?,
        (None, NewObject::Value(v)) => field_problems(state, target, &req.body, v, mode)?,
        // Not reached: the generic parser gives a value.
        (None, NewObject::Typed(_)) => Vec::new(),
    };
    let namespace = if def.namespaced {
        let ns = target.namespace.clone().ok_or_else(|| {
            ApiError::bad_request(
                "a namespaced object must be created under /namespaces/{namespace}/",
            )
        })?;
        let body_ns = obj.namespace();
        if !body_ns.is_empty() && body_ns != ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        obj.set_namespace(Some(&ns));
        Some(ns)
    } else {
        obj.set_namespace(None);
        None
    };
    if let Some(ns) = &namespace {
        check_namespace(state, ns).await?;
    }
    let generate = obj.name().is_empty() && !obj.generate_name().is_empty();
    // Service IPs and ports are allocated on the value.
    let is_service = def.kind == "Service" && def.group.is_empty();
    if is_service && let NewObject::Typed(_) = obj {
        obj = NewObject::Value(obj.into_value());
    }
    // Only a generated name or an allocation conflict makes another attempt;
    // keep a pristine copy just for those.
    let base = (generate || is_service).then(|| obj.try_clone());
    let mut first = Some(obj);
    for _attempt in 0..8 {
        let mut obj = match (first.take(), &base) {
            (Some(o), _) => o,
            (None, Some(b)) => b.try_clone(),
            (None, None) => break,
        };
        if generate {
            let name = format!("{}{}", obj.generate_name(), random_suffix());
            obj.set_name(name);
        }
        obj.default_and_validate(target, defaulted)?;
        let name = obj.name().to_string();
        let key = crate::keys::object_key(&def, namespace.as_deref(), &name);
        let plan = if let (true, NewObject::Value(obj)) = (is_service, &mut obj) {
            state
                .0
                .allocator
                .load(state.store().as_ref())
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?;
            state
                .0
                .allocator
                .plan(None, obj)
                .map_err(|e| alloc_error(target, &name, e))?
        } else {
            AllocPlan::default()
        };
        if req.params.dry_run {
            let obj = obj.into_value();
            return Ok(json_response(StatusCode::CREATED, &obj, &warnings));
        }
        let value = obj.encode();
        // From here on the bytes are the object: free the tree while it is
        // still in cache, not after the store's round trip.
        drop(obj);
        let op = TxnOp::Create {
            key: key.clone(),
            value: value.clone(),
        };
        let result = commit(state, op, &plan, &key).await;
        match result {
            Ok(kv) => {
                plan.committed(&state.0.allocator);
                return Ok(
                    match object::with_resource_version(&value, kv.mod_revision) {
                        Some(body) => encoded_response(StatusCode::CREATED, body, &warnings),
                        // Not reached: `value` is our own encoding of an object.
                        None => {
                            let mut obj: Value =
                                serde_json::from_slice(&value).unwrap_or(Value::Null);
                            object::set_resource_version(&mut obj, kv.mod_revision);
                            json_response(StatusCode::CREATED, &obj, &warnings)
                        }
                    },
                );
            }
            Err(StoreError::AlreadyExists(k)) if k == key => {
                if generate {
                    continue;
                }
                return Err(ApiError::already_exists(&def, &name));
            }
            Err(StoreError::AlreadyExists(k)) if plan.takes(&k) => {
                if let Some(e) = plan.explicit_conflict(&k) {
                    return Err(alloc_error(target, &name, e));
                }
                // Another writer took this IP or port: pick again.
                state.0.allocator.mark_taken(&k);
                continue;
            }
            Err(e) => return Err(ApiError::from_store(e, &def, &name)),
        }
    }
    Err(ApiError::internal(
        "could not find a free name, IP or port after several attempts",
    ))
}

fn alloc_error(target: &Target, name: &str, e: crate::alloc::AllocError) -> ApiError {
    match e {
        crate::alloc::AllocError::Invalid {
            field,
            value,
            reason,
        } => ApiError::invalid(
            &target.def,
            name,
            &[api_types::registry::FieldError {
                reason: "FieldValueInvalid",
                field,
                message: format!("Invalid value: {value:?}: {reason}"),
            }],
        ),
        crate::alloc::AllocError::Full(m) => ApiError::internal(m),
    }
}

/// Whether a (possibly finalizer-blocked) deleted object may now go.
fn ready_to_vanish(kind: &str, obj: &Value) -> bool {
    if !object::is_deleting(obj) || !object::finalizers(obj).is_empty() {
        return false;
    }
    // A graceful deletion in progress (a pod whose node agent is stopping it).
    let grace = obj
        .pointer("/metadata/deletionGracePeriodSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if grace > 0 {
        return false;
    }
    if kind == "Namespace" {
        let spec_finalizers = obj
            .pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        return !spec_finalizers;
    }
    true
}

/// Write one object change, in one transaction with the allocation
/// bookkeeping of `plan` when there is any.
async fn commit(
    state: &AppState,
    op: TxnOp,
    plan: &AllocPlan,
    key: &str,
) -> storage::Result<KeyValue> {
    if plan.take.is_empty() && plan.release.is_empty() {
        return match op {
            TxnOp::Create { key, value } => state.store().create(&key, value).await,
            TxnOp::Update {
                key,
                expected,
                value,
            } => state.store().update(&key, expected, value).await,
            TxnOp::Delete { key, expected } => state.store().delete(&key, expected).await,
        };
    }
    let mut ops = vec![op];
    ops.extend(plan.ops(key));
    state
        .store()
        .txn(ops)
        .await
        .map(|mut kvs| kvs.swap_remove(0))
}

/// The outcome of a guaranteed update.
pub struct Updated {
    /// The object as written (or as it would be, under dry-run).
    pub object: Value,
    /// Whether the write removed the object (last finalizer gone).
    pub deleted: bool,
}

/// Read-modify-write with compare-and-swap. `mutate` turns the stored
/// object into the desired one; a `metadata.resourceVersion` on its result
/// that differs from the stored one is a 409. Without one, conflicts are
/// retried against the latest object.
pub async fn guaranteed_update<F>(
    state: &AppState,
    target: &Target,
    mode: Mode,
    dry_run: bool,
    mut mutate: F,
) -> ApiResult<Updated>
where
    F: FnMut(&Value) -> ApiResult<Value>,
{
    let def = target.def.clone();
    let key = target.key();
    let name = target.name().to_string();
    for _attempt in 0..=state.config().patch_retries {
        let kv: KeyValue = state
            .store()
            .get(&key)
            .await
            .map_err(|e| ApiError::from_store(e, &def, &name))?
            .ok_or_else(|| ApiError::not_found(&def, &name))?;
        let current = decode_stored(&kv)?;
        let mut new = mutate(&current)?;
        let requested_rv = object::resource_version(&new).to_string();
        let explicit = !requested_rv.is_empty() && requested_rv != kv.mod_revision.to_string();
        if explicit {
            parse_rv(&requested_rv)?;
            return Err(ApiError::conflict(&def, &name));
        }
        let body_name = object::name(&new);
        if !body_name.is_empty() && body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        if def.namespaced {
            let ns = object::namespace(&new);
            if !ns.is_empty() && Some(ns) != target.namespace.as_deref() {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
        }
        match mode {
            Mode::Main => {
                def.hooks.default(&mut new).map_err(|e| {
                    ApiError::bad_request(format!(
                        "{} in version \"{}\" cannot be handled as a {}: {e}",
                        def.kind, def.version, def.kind
                    ))
                })?;
                admission::prepare_update(def.subresources.status, &current, &mut new);
            }
            Mode::Status => admission::prepare_status_update(&current, &mut new),
            Mode::Raw => admission::prepare_update(false, &current, &mut new),
            Mode::Delete => admission::prepare_delete(&current, &mut new),
        }
        if let Some(m) = new.as_object_mut() {
            m.insert("apiVersion".into(), json!(def.api_version()));
            m.insert("kind".into(), json!(def.kind));
        }
        let plan = if def.kind == "Service" && def.group.is_empty() && mode != Mode::Status {
            state
                .0
                .allocator
                .load(state.store().as_ref())
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?;
            state
                .0
                .allocator
                .plan(Some(&current), &mut new)
                .map_err(|e| alloc_error(target, &name, e))?
        } else {
            AllocPlan::default()
        };
        // Raw subresource writes (binding, scale, finalize) check their own
        // inputs; a binding, say, must change a field pod updates may not.
        let errors = match mode {
            Mode::Raw => Vec::new(),
            Mode::Status => def.hooks.validate_status_update(&new, &current),
            Mode::Main | Mode::Delete => def.hooks.validate_update(&new, &current),
        };
        if !errors.is_empty() {
            return Err(ApiError::invalid(&def, &name, &errors));
        }
        let vanish = ready_to_vanish(&def.kind, &new);
        let mut unchanged = current.clone();
        if let Some(meta) = unchanged.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
        }
        if !vanish && unchanged == new {
            return Ok(Updated {
                object: current,
                deleted: false,
            });
        }
        if dry_run {
            object::set_resource_version(&mut new, kv.mod_revision);
            return Ok(Updated {
                object: new,
                deleted: vanish,
            });
        }
        let plan = if vanish && def.kind == "Service" {
            state.0.allocator.release_all(&current)
        } else {
            plan
        };
        let first = if vanish {
            TxnOp::Delete {
                key: key.clone(),
                expected: Some(kv.mod_revision),
            }
        } else {
            TxnOp::Update {
                key: key.clone(),
                expected: kv.mod_revision,
                value: encode(&new),
            }
        };
        let result = commit(state, first, &plan, &key).await;
        match result {
            Ok(written) => {
                plan.committed(&state.0.allocator);
                object::set_resource_version(&mut new, written.mod_revision);
                return Ok(Updated {
                    object: new,
                    deleted: vanish,
                });
            }
            Err(StoreError::Conflict { .. }) => {
                tokio::task::yield_now().await;
                continue;
            }
            Err(StoreError::NotFound(_)) => return Err(ApiError::not_found(&def, &name)),
            Err(StoreError::AlreadyExists(k)) if plan.takes(&k) => {
                if let Some(e) = plan.explicit_conflict(&k) {
                    return Err(alloc_error(target, &name, e));
                }
                state.0.allocator.mark_taken(&k);
                continue;
            }
            Err(e) => return Err(ApiError::from_store(e, &def, &name)),
        }
    }
    Err(ApiError::conflict(&def, &name))
}

/// `PUT .../<plural>/<name>`.
pub async fn update(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let def = target.def.clone();
    let mut body = parse_body(&req)?;
    check_type(target, &mut body, &def.kind, &def.api_version())?;
    let warnings = field_problems(
        state,
        target,
        &req.body,
        &mut body,
        req.params.field_validation,
    )?;
    let updated = guaranteed_update(state, target, Mode::Main, req.params.dry_run, |_| {
        Ok(body.clone())
    })
    .await?;
    Ok(json_response(StatusCode::OK, &updated.object, &warnings))
}

/// Apply a patch of the request's content type to `current`.
pub fn apply_patch(target: &Target, req: &Request, current: &Value) -> ApiResult<Value> {
    let ct = content_type(req);
    let ct = ct.split(';').next().unwrap_or("").trim().to_string();
    let patch: Value = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON in patch: {e}")))?;
    let result = match ct.as_str() {
        "application/merge-patch+json" => Ok(api_types::patch::merge_patch(current, &patch)),
        "application/json-patch+json" => api_types::patch::json_patch(current, &patch)
            .map_err(|e| ApiError::bad_request(e.to_string())),
        "application/strategic-merge-patch+json" => {
            let meta = api_types::patch::patch_meta_for(&target.def.group, &target.def.kind);
            api_types::patch::strategic_merge(current, &patch, meta)
                .map_err(|e| ApiError::bad_request(e.to_string()))
        }
        other => Err(ApiError::unsupported_media_type(other)),
    }?;
    if !result.is_object() {
        return Err(ApiError::bad_request("the patch did not produce an object"));
    }
    Ok(result)
}

/// `PATCH .../<plural>/<name>`.
pub async fn patch(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    patch_with_mode(state, target, req, Mode::Main).await
}

/// Patch the main resource or its status.
pub async fn patch_with_mode(
    state: &AppState,
    target: &Target,
    req: Request,
    mode: Mode,
) -> ApiResult<Response> {
    let def = target.def.clone();
    let mut warnings = Vec::new();
    let updated = guaranteed_update(state, target, mode, req.params.dry_run, |current| {
        let mut patched = apply_patch(target, &req, current)?;
        check_type(target, &mut patched, &def.kind, &def.api_version())?;
        warnings = field_problems(
            state,
            target,
            b"{}",
            &mut patched,
            req.params.field_validation,
        )?;
        Ok(patched)
    })
    .await?;
    Ok(json_response(StatusCode::OK, &updated.object, &warnings))
}

/// DeleteOptions from the body and query.
#[derive(Debug, Default)]
struct DeleteOptions {
    propagation: Option<String>,
    grace: Option<i64>,
    uid: Option<String>,
    resource_version: Option<String>,
    dry_run: bool,
}

fn delete_options(req: &Request) -> ApiResult<DeleteOptions> {
    let mut opts = DeleteOptions {
        propagation: req.params.propagation_policy.clone(),
        grace: req.params.grace_period_seconds,
        dry_run: req.params.dry_run,
        ..Default::default()
    };
    if !req.body.is_empty() {
        let body: Value = serde_json::from_slice(&req.body).map_err(|e| {
            ApiError::bad_request(format!("invalid DeleteOptions in request body: {e}"))
        })?;
        if let Some(p) = body.get("propagationPolicy").and_then(Value::as_str) {
            if !["Background", "Foreground", "Orphan"].contains(&p) {
                return Err(ApiError::bad_request(format!(
                    "propagationPolicy must be one of Background, Foreground or Orphan, got {p:?}"
                )));
            }
            opts.propagation = Some(p.to_string());
        }
        if body.get("orphanDependents").and_then(Value::as_bool) == Some(true) {
            opts.propagation = Some("Orphan".into());
        }
        if let Some(g) = body.get("gracePeriodSeconds").and_then(Value::as_i64) {
            opts.grace = Some(g);
        }
        if let Some(p) = body.get("preconditions") {
            opts.uid = p.get("uid").and_then(Value::as_str).map(str::to_string);
            opts.resource_version = p
                .get("resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        if let Some(d) = body.get("dryRun").and_then(Value::as_array) {
            opts.dry_run |= d.iter().any(|v| v == "All");
        }
    }
    Ok(opts)
}

/// Whether a pod must be deleted gracefully (it may be running on a node).
fn pod_needs_grace(obj: &Value) -> bool {
    let bound = obj
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    let phase = obj
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("");
    bound && phase != "Succeeded" && phase != "Failed"
}

/// Delete one object honouring finalizers, propagation and pod grace.
/// Returns the object's final (or current, if it lingers) state.
pub async fn delete_object(
    state: &AppState,
    target: &Target,
    req: &Request,
) -> ApiResult<(Value, bool)> {
    let def = target.def.clone();
    let name = target.name().to_string();
    let opts = delete_options(req)?;
    let kind = def.kind.clone();
    let updated = guaranteed_update(state, target, Mode::Delete, opts.dry_run, |current| {
        if let Some(uid) = &opts.uid {
            let actual = object::meta_str(current, "uid");
            if uid != actual {
                return Err(ApiError::conflict_msg(
                    &def,
                    &name,
                    &format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"),
                ));
            }
        }
        if let Some(rv) = &opts.resource_version {
            let actual = object::resource_version(current);
            if rv != actual {
                return Err(ApiError::conflict_msg(
                    &def,
                    &name,
                    &format!("Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {actual}"),
                ));
            }
        }
        let mut new = current.clone();
        object::meta_mut(&mut new).remove("resourceVersion");
        let mut finalizers = object::finalizers(&new);
        match opts.propagation.as_deref() {
            Some("Foreground") if !finalizers.iter().any(|f| f == "foregroundDeletion") => {
                finalizers.push("foregroundDeletion".into());
            }
            Some("Orphan") if !finalizers.iter().any(|f| f == "orphan") => {
                finalizers.push("orphan".into());
            }
            _ => {}
        }
        object::set_finalizers(&mut new, &finalizers);
        let already = object::is_deleting(current);
        if kind == "Pod" && pod_needs_grace(current) {
            let spec_grace = current
                .pointer("/spec/terminationGracePeriodSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(30);
            let grace = opts.grace.unwrap_or(spec_grace).max(0);
            let previous = current
                .pointer("/metadata/deletionGracePeriodSeconds")
                .and_then(Value::as_i64);
            if grace > 0 && !(already && previous.is_some_and(|p| p <= grace)) {
                let when = jiff::Timestamp::now()
                    .checked_add(jiff::SignedDuration::from_secs(grace))
                    .unwrap_or_else(|_| jiff::Timestamp::now());
                let when = jiff::Timestamp::from_second(when.as_second()).unwrap_or(when);
                let meta = object::meta_mut(&mut new);
                meta.insert("deletionTimestamp".into(), json!(when.to_string()));
                meta.insert("deletionGracePeriodSeconds".into(), json!(grace));
                return Ok(new);
            }
        }
        let meta = object::meta_mut(&mut new);
        if !already {
            meta.insert("deletionTimestamp".into(), json!(object::now_rfc3339()));
        }
        meta.insert("deletionGracePeriodSeconds".into(), json!(0));
        if kind == "Namespace" {
            if let Some(m) = new.as_object_mut() {
                m.insert("status".into(), json!({"phase": "Terminating"}));
            }
        }
        Ok(new)
    })
    .await?;
    Ok((updated.object, updated.deleted))
}

/// `DELETE .../<plural>/<name>`.
pub async fn delete(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let (obj, deleted) = delete_object(state, target, &req).await?;
    if target.def.kind == "Namespace" && target.def.group.is_empty() && !req.params.dry_run {
        if let Some(ns) = &state.0.namespaces {
            ns.record(target.name(), if deleted { None } else { Some(true) });
        }
    }
    Ok(json_response(StatusCode::OK, &obj, &[]))
}

/// `DELETE .../<plural>` (deletecollection).
pub async fn delete_collection(
    state: &AppState,
    target: &Target,
    req: Request,
) -> ApiResult<Response> {
    let def = target.def.clone();
    let filter = crate::filter::Filter::new(&def, target.namespace.as_deref(), &req.params)?;
    let page = super::read::list_objects(
        state,
        &def,
        target.namespace.as_deref(),
        &filter,
        None,
        None,
        None,
    )
    .await?;
    let mut deleted = Vec::new();
    for obj in page.items {
        let t = Target {
            def: def.clone(),
            namespace: def.namespaced.then(|| object::namespace(&obj).to_string()),
            name: Some(object::name(&obj).to_string()),
            subresource: None,
        };
        match delete_object(state, &t, &req).await {
            Ok((o, _)) => deleted.push(o),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "kind": def.list_kind,
            "apiVersion": def.api_version(),
            "metadata": {"resourceVersion": page.revision.to_string()},
            "items": deleted,
        }),
        &[],
    ))
}
