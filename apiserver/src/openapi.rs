//! `/openapi/v3`: the index and one document per group-version, and the
//! schema walk behind `fieldValidation`.
//!
//! Documents are built once from the registry (k8s-openapi's schemas) and
//! kept as bytes; the index links each with `?hash=<content hash>`, which
//! kubectl uses as a cache key. Each kind's schema is compiled once for
//! the unknown-field walk ([`CompiledSchema`]) on its first write.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use api_types::field_validation::CompiledSchema;
use api_types::registry::{Registry, ResourceDef};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;

struct Doc {
    value: Value,
    bytes: Bytes,
    hash: String,
}

/// Compiled schemas by group-version path, then schema name; `None` for a
/// name the document lacks.
type CompiledSchemas = HashMap<String, HashMap<String, Option<Arc<CompiledSchema>>>>;

/// Lazily built OpenAPI documents, one per group-version, and the schemas
/// compiled from them for `fieldValidation`.
pub struct OpenApiCache {
    registry: Registry,
    docs: BTreeMap<String, OnceLock<Arc<Doc>>>,
    compiled: RwLock<CompiledSchemas>,
}

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

impl OpenApiCache {
    /// A cache for the registry's group-versions.
    pub fn new(registry: &Registry) -> Self {
        let docs = api_types::openapi::openapi_v3_group_versions(registry)
            .into_iter()
            .map(|(g, v)| (gv_path(&g, &v), OnceLock::new()))
            .collect();
        Self {
            registry: registry.clone(),
            docs,
            compiled: RwLock::new(HashMap::new()),
        }
    }

    fn doc(&self, path: &str) -> Option<Arc<Doc>> {
        let cell = self.docs.get(path)?;
        Some(
            cell.get_or_init(|| {
                let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
                    ["api", v] => (String::new(), v.to_string()),
                    ["apis", g, v] => (g.to_string(), v.to_string()),
                    _ => (String::new(), String::new()),
                };
                let value =
                    api_types::openapi::openapi_v3_document(&self.registry, &group, &version);
                let bytes = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                let hash = format!("{:016X}", h.finish());
                Arc::new(Doc { value, bytes, hash })
            })
            .clone(),
        )
    }

    /// The compiled schema of `def`'s kind, compiled on first use and
    /// kept. `None` when its group-version has no document or the document
    /// no such schema.
    fn compiled(&self, def: &ResourceDef) -> Option<Arc<CompiledSchema>> {
        let path = gv_path(&def.group, &def.version);
        if let Some(entry) = self
            .compiled
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&path)
            .and_then(|by_name| by_name.get(&def.schema_name))
        {
            return entry.clone();
        }
        let doc = self.doc(&path)?;
        // Compiled outside the lock; should two requests race, the first
        // stored result wins and both are equal anyway.
        let compiled = CompiledSchema::compile(&doc.value, &def.schema_name).map(Arc::new);
        self.compiled
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(path)
            .or_default()
            .entry(def.schema_name.clone())
            .or_insert(compiled)
            .clone()
    }

    /// Unknown and duplicate fields of a request body for `def`, as
    /// Kubernetes words them (`unknown field "spec.foo"`): duplicates in
    /// `raw` first, then fields of `obj` (the parsed body) its kind's
    /// schema does not declare.
    ///
    /// The unknown fields are removed from `obj`: like Kubernetes, which
    /// decodes built-in kinds into typed structs, we never store them.
    pub fn field_problems(&self, def: &ResourceDef, raw: &[u8], obj: &mut Value) -> Vec<String> {
        let mut problems = api_types::field_validation::duplicate_fields(raw);
        problems.extend(self.prune_unknown(def, obj));
        problems
    }

    /// Remove (and name) the fields of `obj` its kind's schema does not
    /// declare.
    pub fn prune_unknown(&self, def: &ResourceDef, obj: &mut Value) -> Vec<String> {
        match self.compiled(def) {
            Some(schema) => schema.prune_unknown(obj),
            None => Vec::new(),
        }
    }
}

fn json_bytes(bytes: Bytes) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// `GET /openapi/v3`.
pub async fn index(State(state): State<AppState>) -> Response {
    let cache = &state.0.openapi;
    let mut paths = serde_json::Map::new();
    for path in cache.docs.keys() {
        if let Some(doc) = cache.doc(path) {
            paths.insert(
                path.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", doc.hash)}),
            );
        }
    }
    json_bytes(Bytes::from(
        serde_json::to_vec(&json!({"paths": paths})).unwrap_or_default(),
    ))
}

/// `GET /openapi/v3/<api/v1 | apis/group/version>`.
pub async fn document(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    match state.0.openapi.doc(path.trim_matches('/')) {
        Some(doc) => {
            let mut resp = json_bytes(doc.bytes.clone());
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, immutable"),
            );
            if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", doc.hash)) {
                resp.headers_mut().insert(header::ETAG, etag);
            }
            resp
        }
        None => ApiError::path_not_found(&format!("/openapi/v3/{path}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::kinds::builtin_registry;

    #[test]
    fn field_problems_lists_duplicates_then_unknown_fields_and_compiles_once() {
        let reg = builtin_registry();
        let cache = OpenApiCache::new(&reg);
        let pods = reg.get("", "v1", "pods").unwrap();
        let raw = br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","name":"q"},
            "spec":{"containers":[{"name":"c","image":"x","imagePullPolcy":"Always"}],"bogus":1}}"#;
        let obj: Value = serde_json::from_slice(raw).unwrap();
        let want = vec![
            "duplicate field \"metadata.name\"",
            "unknown field \"spec.bogus\"",
            "unknown field \"spec.containers[0].imagePullPolcy\"",
        ];
        assert_eq!(cache.field_problems(pods, raw, &mut obj.clone()), want);
        let first = cache.compiled(pods).unwrap();
        assert_eq!(cache.field_problems(pods, raw, &mut obj.clone()), want);
        assert!(Arc::ptr_eq(&first, &cache.compiled(pods).unwrap()));

        let deployments = reg.get("apps", "v1", "deployments").unwrap();
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"replicas": 1, "selector": {}, "template": {"spec": {"containers": []}}}});
        let raw = serde_json::to_vec(&d).unwrap();
        assert!(
            cache
                .field_problems(deployments, &raw, &mut d.clone())
                .is_empty()
        );
    }

    #[test]
    fn unknown_schema_names_report_only_duplicates() {
        let reg = builtin_registry();
        let cache = OpenApiCache::new(&reg);
        let mut def = (**reg.get("", "v1", "pods").unwrap()).clone();
        def.schema_name = "io.k8s.api.core.v1.Nope".into();
        let raw = br#"{"a":1,"a":2,"zzz":3}"#;
        let obj: Value = serde_json::from_slice(raw).unwrap();
        assert_eq!(
            cache.field_problems(&def, raw, &mut obj.clone()),
            vec!["duplicate field \"a\""]
        );
        assert!(cache.compiled(&def).is_none());
    }
}
