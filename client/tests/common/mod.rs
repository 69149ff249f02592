//! A small fake API server for the client's HTTP tests: records every request and answers
//! a fixed script of Kubernetes-shaped responses (no rkube server code).
// Test support code: panicking on a broken fixture is the point.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, Version, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    pub uri: Uri,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// The fake server's state.
#[derive(Clone, Default)]
pub struct Fake {
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    /// When set, requests must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Feeds the body of the live watch on `/api/v1/pods?watch=1`.
    pub live_watch: Arc<Mutex<Option<mpsc::UnboundedReceiver<Bytes>>>>,
}

impl Fake {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_token(token: &str) -> Self {
        Fake {
            token: Some(token.to_owned()),
            ..Self::default()
        }
    }

    /// A sender for the live watch's body chunks.
    pub fn live_watch_sender(&self) -> mpsc::UnboundedSender<Bytes> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.live_watch.lock().unwrap() = Some(rx);
        tx
    }

    pub fn last(&self) -> Recorded {
        self.requests.lock().unwrap().last().cloned().unwrap()
    }

    pub fn router(&self) -> Router {
        Router::new().fallback(handle).with_state(self.clone())
    }
}

/// Serves `fake` over plain HTTP on a free loopback port.
pub async fn serve(fake: &Fake) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = fake.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

pub fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code,
    });
    json_response(code, body)
}

fn json_response(code: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(code).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub fn pod(ns: &str, name: &str, rv: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "resourceVersion": rv, "uid": format!("uid-{name}")},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}
    })
}

/// The scripted watch body of `/api/v1/namespaces/<ns>/pods?watch=1`.
pub fn scripted_watch(ns: &str) -> String {
    let mut modified = pod(ns, "a", "12");
    modified["metadata"]["labels"] = json!({"v": "2"});
    [
        json!({"type": "ADDED", "object": pod(ns, "a", "11")}),
        json!({"type": "MODIFIED", "object": modified}),
        json!({"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "13"}}}),
        json!({"type": "DELETED", "object": pod(ns, "a", "14")}),
        json!({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
            "message": "too old resource version: 1 (14)", "reason": "Expired", "code": 410}}),
    ]
    .iter()
    .map(|e| format!("{e}\n"))
    .collect()
}

async fn handle(State(fake): State<Fake>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let rec = Recorded {
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        version: parts.version,
        headers: parts.headers.clone(),
        body,
    };
    fake.requests.lock().unwrap().push(rec.clone());

    if let Some(token) = &fake.token {
        let want = format!("Bearer {token}");
        let got = rec
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if got != Some(want.as_str()) {
            return status(401, "Unauthorized", "Unauthorized");
        }
    }

    let path = rec.uri.path().to_owned();
    let query = rec.uri.query().unwrap_or("").to_owned();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let watching = query.split('&').any(|kv| kv == "watch=1");
    let m = &rec.method;

    match segs.as_slice() {
        ["version"] => json_response(
            200,
            json!({"major": "1", "minor": "32", "gitVersion": "v1.32.0-fake", "gitCommit": "", "gitTreeState": "",
                   "buildDate": "", "goVersion": "", "compiler": "", "platform": "linux/amd64"}),
        ),
        ["api", "v1", "pods"] if watching => {
            let rx = fake.live_watch.lock().unwrap().take();
            match rx {
                Some(rx) => {
                    let stream = tokio_stream::wrappers::UnboundedReceiverStream::new(rx)
                        .map(Ok::<_, std::convert::Infallible>);
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        Body::from_stream(stream),
                    )
                        .into_response()
                }
                None => status(500, "InternalError", "no live watch prepared"),
            }
        }
        ["api", "v1", "pods"] if m == Method::GET => json_response(
            200,
            json!({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "20"},
                   "items": [pod("a", "p1", "5"), pod("b", "p2", "6")]}),
        ),
        ["api", "v1", "namespaces", ns, "pods"] if watching => {
            // Deliberately tiny chunks, so that lines cross chunk boundaries.
            let text = scripted_watch(ns);
            let chunks: Vec<Result<Bytes, std::convert::Infallible>> = text
                .as_bytes()
                .chunks(7)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(futures::stream::iter(chunks)),
            )
                .into_response()
        }
        ["api", "v1", "namespaces", ns, "pods"] if m == Method::GET => {
            let (items, cont) = if query.contains("continue=") {
                (vec![pod(ns, "p2", "6")], "")
            } else if query.contains("limit=1") {
                (vec![pod(ns, "p1", "5")], "tok-1")
            } else {
                (vec![pod(ns, "p1", "5"), pod(ns, "p2", "6")], "")
            };
            json_response(
                200,
                json!({"apiVersion": "v1", "kind": "PodList",
                       "metadata": {"resourceVersion": "10", "continue": cont}, "items": items}),
            )
        }
        ["api", "v1", "namespaces", ns, "pods"] if m == Method::POST => {
            let mut obj = rec.json();
            let name = obj["metadata"]["name"].as_str().unwrap_or("").to_owned();
            match name.as_str() {
                "exists" => status(
                    409,
                    "AlreadyExists",
                    &format!("pods \"{name}\" already exists"),
                ),
                "bad" => json_response(
                    422,
                    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                           "message": "Pod \"bad\" is invalid", "reason": "Invalid", "code": 422,
                           "details": {"name": "bad", "kind": "Pod", "causes": [
                               {"reason": "FieldValueRequired", "message": "Required value",
                                "field": "spec.containers[0].image"}]}}),
                ),
                _ => {
                    obj["metadata"]["namespace"] = json!(ns);
                    obj["metadata"]["uid"] = json!("uid-new");
                    obj["metadata"]["resourceVersion"] = json!("11");
                    json_response(201, obj)
                }
            }
        }
        ["api", "v1", "namespaces", ns, "pods", name] => match *m {
            Method::GET if *name == "missing" => {
                status(404, "NotFound", &format!("pods \"{name}\" not found"))
            }
            Method::GET => json_response(200, pod(ns, name, "7")),
            Method::PUT => {
                let mut obj = rec.json();
                if obj["metadata"]["resourceVersion"] != json!("7") {
                    return status(409, "Conflict", "the object has been modified");
                }
                obj["metadata"]["resourceVersion"] = json!("8");
                json_response(200, obj)
            }
            Method::PATCH => {
                let mut obj = pod(ns, name, "9");
                obj["metadata"]["annotations"] =
                    json!({"patch-content-type": rec.content_type().unwrap_or("")});
                json_response(200, obj)
            }
            Method::DELETE if *name == "finalized" => {
                let mut obj = pod(ns, name, "15");
                obj["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
                obj["metadata"]["finalizers"] = json!(["foregroundDeletion"]);
                json_response(200, obj)
            }
            Method::DELETE => json_response(
                200,
                json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                       "details": {"name": name, "kind": "pods", "uid": format!("uid-{name}")}}),
            ),
            _ => status(405, "MethodNotAllowed", "method not allowed"),
        },
        ["api", "v1", "namespaces", ns, "pods", name, "status"] => match *m {
            Method::GET => {
                let mut obj = pod(ns, name, "7");
                obj["status"] = json!({"phase": "Running"});
                json_response(200, obj)
            }
            Method::PUT | Method::PATCH => {
                let mut obj = pod(ns, name, "8");
                let sent = rec.json();
                obj["status"] = sent.get("status").cloned().unwrap_or(Value::Null);
                json_response(200, obj)
            }
            _ => status(405, "MethodNotAllowed", "method not allowed"),
        },
        ["api", "v1", "namespaces", _ns, "pods", _name, "binding"] if m == Method::POST => {
            json_response(
                201,
                json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
            )
        }
        [
            "apis",
            "apps",
            "v1",
            "namespaces",
            ns,
            "deployments",
            name,
            "scale",
        ] => {
            let replicas = match *m {
                Method::GET => 2,
                Method::PUT => rec.json()["spec"]["replicas"].as_i64().unwrap_or(-1),
                Method::PATCH => rec.json()["spec"]["replicas"].as_i64().unwrap_or(-1),
                _ => return status(405, "MethodNotAllowed", "method not allowed"),
            };
            json_response(
                200,
                json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
                       "metadata": {"name": name, "namespace": ns, "resourceVersion": "3"},
                       "spec": {"replicas": replicas},
                       "status": {"replicas": 2, "selector": "app=web"}}),
            )
        }
        ["api", "v1", "nodes", name] if m == Method::GET => json_response(
            200,
            json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "resourceVersion": "4"}}),
        ),
        _ => (StatusCode::NOT_FOUND, "404 page not found").into_response(),
    }
}
