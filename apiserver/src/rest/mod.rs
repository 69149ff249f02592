//! Registry-driven REST dispatch.
//!
//! Paths are parsed into a [`Target`] (kind, namespace, name, subresource)
//! by looking the plural up in the registry; the verb then runs the generic
//! logic in [`read`], [`write`] and [`subresource`]. Adding a kind to the
//! registry is all it takes to serve it.

use std::sync::Arc;

use api_types::registry::ResourceDef;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use http_body_util::BodyExt;
use serde_json::Value;

use crate::discovery;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::{AppState, object};

pub mod read;
pub mod subresource;
pub mod write;

/// What a request path names.
#[derive(Clone, Debug)]
pub struct Target {
    /// The kind.
    pub def: Arc<ResourceDef>,
    /// Namespace from the path (`None` for cluster-scoped or all namespaces).
    pub namespace: Option<String>,
    /// Object name, if the path names one object.
    pub name: Option<String>,
    /// Subresource (`status`, `scale`, `binding`, `finalize`).
    pub subresource: Option<String>,
}

impl Target {
    /// The store key of the named object.
    pub fn key(&self) -> String {
        crate::keys::object_key(
            &self.def,
            self.namespace.as_deref(),
            self.name.as_deref().unwrap_or(""),
        )
    }

    /// The object name or "".
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

/// Everything a verb handler needs about the request.
pub struct Request {
    /// Method.
    pub method: Method,
    /// Headers.
    pub headers: HeaderMap,
    /// Query parameters.
    pub params: Params,
    /// Body bytes (empty for reads).
    pub body: Bytes,
}

/// Parse `rest` (the path after `/api/` or `/apis/`) for a group-version.
fn parse_target(state: &AppState, group: &str, version: &str, segs: &[&str]) -> ApiResult<Target> {
    let reg = state.registry();
    let find = |plural: &str| reg.get(group, version, plural).cloned();
    let not_found = || ApiError::path_not_found(&segs.join("/"));
    // namespaces/{ns}/{plural}[/{name}[/{sub}]]
    if segs.len() >= 3 && segs[0] == "namespaces" {
        if let Some(def) = find(segs[2]).filter(|d| d.namespaced) {
            if segs.len() > 5 {
                return Err(not_found());
            }
            return Ok(Target {
                def,
                namespace: Some(segs[1].to_string()),
                name: segs.get(3).map(|s| s.to_string()),
                subresource: segs.get(4).map(|s| s.to_string()),
            });
        }
    }
    // {plural}[/{name}[/{sub}]]
    if segs.is_empty() || segs.len() > 3 {
        return Err(not_found());
    }
    let def = find(segs[0]).ok_or_else(not_found)?;
    if def.namespaced && segs.len() > 1 {
        // A namespaced kind's object needs a namespace in the path.
        return Err(not_found());
    }
    Ok(Target {
        def,
        namespace: None,
        name: segs.get(1).map(|s| s.to_string()),
        subresource: segs.get(2).map(|s| s.to_string()),
    })
}

async fn read_body(state: &AppState, body: Body) -> ApiResult<Bytes> {
    let limit = state.config().max_request_bytes;
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(ApiError::too_large(limit))
            } else {
                Err(ApiError::bad_request(format!("reading request body: {e}")))
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn dispatch(
    state: AppState,
    group: &str,
    version: &str,
    segs: &[&str],
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let target = parse_target(&state, group, version, segs)?;
    let params = Params::parse(uri.query())?;
    let body = match method {
        Method::GET | Method::HEAD => Bytes::new(),
        _ => read_body(&state, body).await?,
    };
    let req = Request {
        method: method.clone(),
        headers,
        params,
        body,
    };
    if let Some(sub) = target.subresource.clone() {
        return subresource::handle(&state, &target, &sub, req).await;
    }
    match (method, target.name.is_some()) {
        (Method::GET, false) if req.params.watch => read::watch(&state, &target, req).await,
        (Method::GET, false) => read::list(&state, &target, req).await,
        (Method::GET, true) => read::get(&state, &target, req).await,
        (Method::POST, false) => write::create(&state, &target, req).await,
        (Method::PUT, true) => write::update(&state, &target, req).await,
        (Method::PATCH, true) => write::patch(&state, &target, req).await,
        (Method::DELETE, true) => write::delete(&state, &target, req).await,
        (Method::DELETE, false) => write::delete_collection(&state, &target, req).await,
        (m, _) => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({m} {})",
            uri.path()
        ))),
    }
}

/// An API request after `/api/` (`core`) or `/apis/`, with the group (for
/// `/apis`) as the first segment.
struct ApiPath<'a> {
    core: bool,
    segs: Vec<&'a str>,
}

async fn handle(
    state: AppState,
    path: ApiPath<'_>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let not_found = || ApiError::path_not_found(uri.path());
    let (group, rest) = match (path.core, path.segs.as_slice()) {
        (true, segs) => ("", segs),
        (false, [group, segs @ ..]) => (*group, segs),
        (false, []) => return not_found().into_response(),
    };
    let result = match rest {
        [] if !path.core && method == Method::GET => {
            discovery::api_group(&state, group).ok_or_else(not_found)
        }
        [version] if method == Method::GET => {
            discovery::api_resource_list(&state, group, version).ok_or_else(not_found)
        }
        [version, rest @ ..] if !rest.is_empty() => {
            dispatch(state, group, version, rest, method, &uri, headers, body).await
        }
        _ => Err(not_found()),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `/api/...`: the core group.
pub async fn handle_core(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let segs = rest.split('/').filter(|s| !s.is_empty()).collect();
    handle(
        state,
        ApiPath { core: true, segs },
        method,
        uri,
        headers,
        body,
    )
    .await
}

/// `/apis/...`: named groups.
pub async fn handle_groups(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let segs = rest.split('/').filter(|s| !s.is_empty()).collect();
    handle(
        state,
        ApiPath { core: false, segs },
        method,
        uri,
        headers,
        body,
    )
    .await
}

/// Anything else: a 404 `Status`.
pub async fn not_found(uri: Uri) -> Response {
    ApiError::path_not_found(uri.path()).into_response()
}

/// Answer one object read (as a one-row Table if the client asked for tables).
pub fn object_response(
    def: &ResourceDef,
    headers: &HeaderMap,
    params: &Params,
    obj: &Value,
) -> Response {
    match crate::table::wants_table(headers) {
        Some(api_version) => {
            let table = crate::table::table(
                def,
                api_version,
                std::slice::from_ref(obj),
                serde_json::json!({"resourceVersion": object::resource_version(obj)}),
                &params.include_object,
                true,
            );
            json_response(StatusCode::OK, &table, &[])
        }
        None => json_response(StatusCode::OK, obj, &[]),
    }
}

/// A JSON response with optional `Warning` headers.
pub fn json_response(status: StatusCode, body: &Value, warnings: &[String]) -> Response {
    encoded_response(
        status,
        serde_json::to_vec(body).unwrap_or_default(),
        warnings,
    )
}

/// A response of already-encoded JSON with optional `Warning` headers.
pub fn encoded_response(status: StatusCode, bytes: Vec<u8>, warnings: &[String]) -> Response {
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for w in warnings {
        let text = format!("299 - {}", serde_json::Value::String(w.clone()));
        if let Ok(v) = HeaderValue::from_str(&text) {
            resp.headers_mut().append(header::WARNING, v);
        }
    }
    resp
}

/// Decode a stored object and stamp its resourceVersion.
pub fn decode_stored(kv: &storage::KeyValue) -> ApiResult<Value> {
    let mut v: Value = serde_json::from_slice(&kv.value)
        .map_err(|e| ApiError::internal(format!("stored object {} is corrupt: {e}", kv.key)))?;
    object::set_resource_version(&mut v, kv.mod_revision);
    Ok(v)
}

/// Parse a resourceVersion string.
pub fn parse_rv(rv: &str) -> ApiResult<u64> {
    rv.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "invalid resource version {rv:?}: must be an integer"
        ))
    })
}
