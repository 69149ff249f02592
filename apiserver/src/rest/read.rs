//! Reads: get, list (selectors, pagination, tables) and watch.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use api_types::registry::ResourceDef;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderValue, StatusCode, header};
use rand::Rng;
use serde_json::{Value, json};
use storage::{EventType, ListOptions, StoreError};
use tokio::sync::{broadcast, mpsc};

use super::{Request, Target, decode_stored, json_response, object_response, parse_rv};
use crate::error::{ApiError, ApiResult};
use crate::filter::Filter;
use crate::watch_cache::{CacheError, CachedEvent, ObjMeta};
use crate::{AppState, keys, table};

/// `GET .../<plural>/<name>`.
pub async fn get(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let def = &target.def;
    let kv = state
        .store()
        .get(&target.key())
        .await
        .map_err(|e| ApiError::from_store(e, def, target.name()))?
        .ok_or_else(|| ApiError::not_found(def, target.name()))?;
    let obj = decode_stored(&kv)?;
    Ok(object_response(def, &req.headers, &req.params, &obj))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ContinueToken {
    rv: u64,
    start: String,
}

fn encode_continue(rv: u64, start: &str) -> String {
    let json = serde_json::to_vec(&ContinueToken {
        rv,
        start: start.to_string(),
    })
    .unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode_continue(token: &str, prefix: &str) -> ApiResult<ContinueToken> {
    let bad = || ApiError::bad_request("continue key is not valid: malformed token");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| bad())?;
    let tok: ContinueToken = serde_json::from_slice(&raw).map_err(|_| bad())?;
    if !tok.start.starts_with(prefix) {
        return Err(ApiError::bad_request(
            "continue key is not valid: it belongs to another resource or namespace",
        ));
    }
    Ok(tok)
}

/// Matching objects of a collection, read from the store page by page.
pub struct ListPage {
    /// Objects (resourceVersion stamped).
    pub items: Vec<Value>,
    /// Revision the list was read at.
    pub revision: u64,
    /// Continue token if more may follow.
    pub continue_token: Option<String>,
}

/// List the objects of `def` in `namespace` matching `filter`.
pub async fn list_objects(
    state: &AppState,
    def: &ResourceDef,
    namespace: Option<&str>,
    filter: &Filter,
    limit: Option<usize>,
    continue_token: Option<&str>,
    exact_rv: Option<u64>,
) -> ApiResult<ListPage> {
    let prefix = keys::collection_prefix(def, namespace);
    let (mut revision, mut cursor) = match continue_token {
        Some(t) => {
            let tok = decode_continue(t, &prefix)?;
            (Some(tok.rv), Some(tok.start))
        }
        None => (exact_rv, None),
    };
    let mut items = Vec::new();
    let mut more;
    loop {
        let page = limit.map(|l| (l - items.len()).max(1));
        let res = state
            .store()
            .list(
                &prefix,
                ListOptions {
                    start_after: cursor.clone(),
                    limit: page,
                    revision,
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Expired { .. } if continue_token.is_some() => ApiError::expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
                ),
                StoreError::Expired { requested, oldest } => ApiError::expired(format!(
                    "too old resource version: {requested} ({oldest})"
                )),
                other => ApiError::internal(other.to_string()),
            })?;
        revision = Some(res.revision);
        more = res.more;
        let mut reached = false;
        for (i, kv) in res.items.iter().enumerate() {
            cursor = Some(kv.key.clone());
            let obj = decode_stored(kv)?;
            if filter.matches(&ObjMeta::of(def, &obj)) {
                items.push(obj);
            }
            if limit.is_some_and(|l| items.len() >= l) {
                if i + 1 < res.items.len() {
                    more = true;
                }
                reached = true;
                break;
            }
        }
        if reached || !more || limit.is_none() {
            break;
        }
    }
    let revision = revision.unwrap_or(0);
    let continue_token = match (&cursor, more && limit.is_some()) {
        (Some(c), true) => Some(encode_continue(revision, c)),
        _ => None,
    };
    Ok(ListPage {
        items,
        revision,
        continue_token,
    })
}

/// `GET .../<plural>`.
pub async fn list(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let def = &target.def;
    let filter = Filter::new(def, target.namespace.as_deref(), &req.params)?;
    let exact_rv = match (
        req.params.resource_version.as_deref(),
        req.params.resource_version_match.as_deref(),
    ) {
        (Some(rv), Some("Exact")) => Some(parse_rv(rv)?),
        (Some(rv), _) => {
            parse_rv(rv)?;
            None
        }
        (None, Some(m)) => {
            return Err(ApiError::bad_request(format!(
                "resourceVersionMatch {m:?} is forbidden unless resourceVersion is provided"
            )));
        }
        _ => None,
    };
    let page = list_objects(
        state,
        def,
        target.namespace.as_deref(),
        &filter,
        req.params.limit,
        req.params.continue_token.as_deref(),
        exact_rv,
    )
    .await?;
    let mut list_meta = json!({"resourceVersion": page.revision.to_string()});
    if let Some(c) = &page.continue_token {
        list_meta["continue"] = json!(c);
    }
    let body = match table::wants_table(&req.headers) {
        Some(api_version) => table::table(
            def,
            api_version,
            &page.items,
            list_meta,
            &req.params.include_object,
            true,
        ),
        None => json!({
            "kind": def.list_kind,
            "apiVersion": def.api_version(),
            "metadata": list_meta,
            "items": page.items,
        }),
    };
    Ok(json_response(StatusCode::OK, &body, &[]))
}

/// How one watcher renders events.
struct Renderer {
    def: Arc<ResourceDef>,
    table: Option<&'static str>,
    include_object: String,
    first: bool,
}

impl Renderer {
    fn frame(&mut self, kind: &str, object: &Bytes) -> Bytes {
        match self.table {
            None => {
                let mut b = BytesMut::with_capacity(object.len() + 32);
                b.put_slice(b"{\"type\":\"");
                b.put_slice(kind.as_bytes());
                b.put_slice(b"\",\"object\":");
                b.put_slice(object);
                b.put_slice(b"}\n");
                b.freeze()
            }
            Some(api_version) => {
                let obj: Value = serde_json::from_slice(object).unwrap_or(Value::Null);
                let rv = crate::object::resource_version(&obj).to_string();
                let t = table::table(
                    &self.def,
                    api_version,
                    std::slice::from_ref(&obj),
                    json!({"resourceVersion": rv}),
                    &self.include_object,
                    self.first,
                );
                self.first = false;
                let mut line =
                    serde_json::to_vec(&json!({"type": kind, "object": t})).unwrap_or_default();
                line.push(b'\n');
                Bytes::from(line)
            }
        }
    }

    fn bookmark(&self, rv: u64) -> Bytes {
        let (kind, api_version) = match self.table {
            Some(v) => ("Table", v.to_string()),
            None => (self.def.kind.as_str(), self.def.api_version()),
        };
        let mut line = serde_json::to_vec(&json!({
            "type": "BOOKMARK",
            "object": {"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": rv.to_string()}},
        }))
        .unwrap_or_default();
        line.push(b'\n');
        Bytes::from(line)
    }
}

fn error_frame(err: &ApiError) -> Bytes {
    let mut line = serde_json::to_vec(&json!({"type": "ERROR", "object": err.to_status()}))
        .unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

/// Which event type (if any) a watcher with `filter` sees for `ev`.
pub fn event_type_for(filter: &Filter, ev: &CachedEvent) -> Option<&'static str> {
    if filter.namespace_only() {
        // The namespace never changes, so it decides for both versions.
        if !filter.matches_namespace(&ev.namespace) {
            return None;
        }
        return Some(match ev.kind {
            EventType::Delete => "DELETED",
            EventType::Put if ev.has_prev() => "MODIFIED",
            EventType::Put => "ADDED",
        });
    }
    let now = filter.matches(ev.meta());
    match ev.kind {
        EventType::Delete => now.then_some("DELETED"),
        EventType::Put => {
            let before = ev.prev().is_some_and(|p| filter.matches(p));
            match (before, now) {
                (false, true) => Some("ADDED"),
                (true, true) => Some(if ev.has_prev() { "MODIFIED" } else { "ADDED" }),
                (true, false) => Some("DELETED"),
                (false, false) => None,
            }
        }
    }
}

fn streaming_response(rx: mpsc::Receiver<Result<Bytes, Infallible>>) -> Response {
    let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
    let mut resp = Body::from_stream(stream).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// `GET .../<plural>?watch=1`.
pub async fn watch(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let def = target.def.clone();
    let filter = Filter::new(&def, target.namespace.as_deref(), &req.params)?;
    let cache = state
        .cache(&def)
        .cloned()
        .ok_or_else(|| ApiError::internal(format!("no watch cache for {}", def.plural)))?;
    let mut renderer = Renderer {
        def: def.clone(),
        table: table::wants_table(&req.headers),
        include_object: req.params.include_object.clone(),
        first: true,
    };
    let requested = match req.params.resource_version.as_deref() {
        None | Some("0") => None,
        Some(rv) => Some(parse_rv(rv)?),
    };
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(64);
    // Initial state: synthetic ADDED events for every existing object.
    let (initial, after) = match requested {
        Some(rv) => (Vec::new(), rv),
        None => {
            let page = list_objects(
                state,
                &def,
                target.namespace.as_deref(),
                &filter,
                None,
                None,
                None,
            )
            .await?;
            (page.items, page.revision)
        }
    };
    let sub = match cache.subscribe(after) {
        Ok(s) => s,
        Err(CacheError::Expired { requested, oldest }) => {
            let err =
                ApiError::expired(format!("too old resource version: {requested} ({oldest})"));
            let _ = tx.try_send(Ok(error_frame(&err)));
            drop(tx);
            return Ok(streaming_response(rx));
        }
    };
    let timeout = match req.params.timeout_seconds {
        Some(s) => Duration::from_secs(s),
        None => {
            let base = state.config().min_request_timeout;
            base + base.mul_f64(rand::rng().random_range(0.0..1.0))
        }
    };
    let bookmarks = req.params.allow_bookmarks;
    let bookmark_interval = state.config().bookmark_interval;
    // The open-watch gauge is kept by the metrics middleware for as long as
    // this response body streams.
    tokio::spawn(async move {
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        for obj in initial {
            let bytes = Bytes::from(serde_json::to_vec(&obj).unwrap_or_default());
            if tx.send(Ok(renderer.frame("ADDED", &bytes))).await.is_err() {
                return;
            }
        }
        let mut last = after;
        for ev in sub.backlog {
            if ev.revision <= last {
                continue;
            }
            last = ev.revision;
            if let Some(kind) = event_type_for(&filter, &ev) {
                if tx.send(Ok(renderer.frame(kind, &ev.bytes))).await.is_err() {
                    return;
                }
            }
        }
        let mut live = sub.live;
        let mut ticker = tokio::time::interval(bookmark_interval);
        ticker.tick().await;
        loop {
            tokio::select! {
                ev = live.recv() => match ev {
                    Ok(ev) => {
                        if ev.revision <= last {
                            continue;
                        }
                        last = ev.revision;
                        if let Some(kind) = event_type_for(&filter, &ev) {
                            if tx.send(Ok(renderer.frame(kind, &ev.bytes))).await.is_err() {
                                return;
                            }
                        }
                    }
                    // Too slow: close; the client resumes or relists.
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = ticker.tick(), if bookmarks => {
                    if tx.send(Ok(renderer.bookmark(last))).await.is_err() {
                        return;
                    }
                }
                _ = &mut deadline => return,
                _ = tx.closed() => return,
            }
        }
    });
    Ok(streaming_response(rx))
}
