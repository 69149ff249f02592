//! `/openapi/v3`: the index and one document per group-version, and the
//! schema walk behind `fieldValidation`.
//!
//! Documents are built once from the registry (k8s-openapi's schemas) and
//! kept as bytes; the index links each with `?hash=<content hash>`, which
//! kubectl uses as a cache key.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

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

/// Lazily built OpenAPI documents, one per group-version.
pub struct OpenApiCache {
    registry: Registry,
    docs: BTreeMap<String, OnceLock<Arc<Doc>>>,
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

    /// Unknown and duplicate fields of a request body for `def`, as
    /// Kubernetes words them (`unknown field "spec.foo"`).
    pub fn field_problems(&self, def: &ResourceDef, raw: &[u8], obj: &Value) -> Vec<String> {
        let mut problems = api_types::field_validation::duplicate_fields(raw);
        if let Some(doc) = self.doc(&gv_path(&def.group, &def.version)) {
            problems.extend(api_types::field_validation::unknown_fields(
                &doc.value,
                &def.schema_name,
                obj,
            ));
        }
        problems
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
