//! Version, health and API discovery, both legacy and aggregated (v2).
//!
//! kubectl asks for aggregated discovery first
//! (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`)
//! and decides how to parse from the response's `Content-Type` alone; it uses
//! the aggregated form only if both `/api` and `/apis` answer in it.

use std::sync::Arc;

use api_types::registry::ResourceDef;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use crate::AppState;

const AGGREGATED_V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const AGGREGATED_V2BETA1: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/// A JSON response with the given content type.
pub fn json_response(status: StatusCode, content_type: &str, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/json")),
    );
    resp
}

/// `/healthz`, `/livez`.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: ready once the store answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store().current_revision().await {
        Ok(_) => "ok".into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store not ready: {e}"),
        )
            .into_response(),
    }
}

/// `/version`: kubectl's dispatcher picks its binary from `minor`.
pub async fn version() -> Response {
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({
            "major": "1",
            "minor": "32",
            "gitVersion": concat!("v1.32.0-rkube.", env!("CARGO_PKG_VERSION")),
            "gitCommit": "",
            "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "rust",
            "compiler": "rustc",
            "platform": format!("{}/{}", std::env::consts::OS, arch()),
        }),
    )
}

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// `/metrics` in Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut resp = state.metrics().render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}

fn wants_aggregated(headers: &HeaderMap) -> Option<&'static str> {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    for part in accept.split(',') {
        let p: String = part.chars().filter(|c| !c.is_whitespace()).collect();
        if p.contains("as=APIGroupDiscoveryList") && p.contains("g=apidiscovery.k8s.io") {
            if p.contains("v=v2beta1") {
                return Some(AGGREGATED_V2BETA1);
            }
            if p.contains("v=v2") {
                return Some(AGGREGATED_V2);
            }
        }
    }
    None
}

/// A version and its kinds.
type VersionDefs = (String, Vec<Arc<ResourceDef>>);
/// A served subresource: name, response kind (group, version, kind), verbs.
type SubresourceInfo = (&'static str, (String, String, String), Vec<&'static str>);

/// Groups in registration order, each with its versions in order.
fn groups(state: &AppState) -> Vec<(String, Vec<VersionDefs>)> {
    let mut out: Vec<(String, Vec<VersionDefs>)> = Vec::new();
    for def in state.registry().all() {
        let gi = match out.iter().position(|(g, _)| *g == def.group) {
            Some(i) => i,
            None => {
                out.push((def.group.clone(), Vec::new()));
                out.len() - 1
            }
        };
        let versions = &mut out[gi].1;
        let vi = match versions.iter().position(|(v, _)| *v == def.version) {
            Some(i) => i,
            None => {
                versions.push((def.version.clone(), Vec::new()));
                versions.len() - 1
            }
        };
        versions[vi].1.push(def.clone());
    }
    out
}

/// Every served kind supports every verb.
const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// (name, responseKind (group, version, kind), verbs) of each served subresource.
fn subresources(def: &ResourceDef) -> Vec<SubresourceInfo> {
    let mut out = Vec::new();
    let own = (def.group.clone(), def.version.clone(), def.kind.clone());
    if def.subresources.status {
        out.push(("status", own.clone(), vec!["get", "patch", "update"]));
    }
    if def.subresources.scale.is_some() {
        out.push((
            "scale",
            ("autoscaling".into(), "v1".into(), "Scale".into()),
            vec!["get", "patch", "update"],
        ));
    }
    if def.subresources.binding {
        out.push((
            "binding",
            (String::new(), "v1".into(), "Binding".into()),
            vec!["create"],
        ));
    }
    if def.subresources.finalize {
        out.push(("finalize", own, vec!["update"]));
    }
    out
}

fn aggregated_resource(def: &ResourceDef) -> Value {
    let mut r = json!({
        "resource": def.plural,
        "responseKind": {"group": def.group, "version": def.version, "kind": def.kind},
        "scope": if def.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": def.singular,
        "verbs": VERBS,
    });
    if !def.short_names.is_empty() {
        r["shortNames"] = json!(def.short_names);
    }
    if !def.categories.is_empty() {
        r["categories"] = json!(def.categories);
    }
    let subs: Vec<Value> = subresources(def)
        .into_iter()
        .map(|(name, (g, v, k), verbs)| {
            json!({
                "subresource": name,
                "responseKind": {"group": g, "version": v, "kind": k},
                "verbs": verbs,
            })
        })
        .collect();
    if !subs.is_empty() {
        r["subresources"] = Value::Array(subs);
    }
    r
}

fn aggregated_group(group: &str, versions: &[VersionDefs]) -> Value {
    json!({
        "metadata": {"name": group},
        "versions": versions.iter().map(|(v, defs)| json!({
            "version": v,
            "resources": defs.iter().map(|d| aggregated_resource(d)).collect::<Vec<_>>(),
            "freshness": "Current",
        })).collect::<Vec<_>>(),
    })
}

fn aggregated_list(ct: &str, items: Vec<Value>) -> Response {
    let api_version = if ct == AGGREGATED_V2BETA1 {
        "apidiscovery.k8s.io/v2beta1"
    } else {
        "apidiscovery.k8s.io/v2"
    };
    let mut resp = json_response(
        StatusCode::OK,
        ct,
        &json!({
            "kind": "APIGroupDiscoveryList",
            "apiVersion": api_version,
            "metadata": {},
            "items": items,
        }),
    );
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    resp
}

/// `GET /api`.
pub async fn api_versions(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(ct) = wants_aggregated(&headers) {
        let items = groups(&state)
            .iter()
            .filter(|(g, _)| g.is_empty())
            .map(|(g, v)| aggregated_group(g, v))
            .collect();
        return aggregated_list(ct, items);
    }
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}],
        }),
    )
}

fn group_json(group: &str, versions: &[VersionDefs]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|(v, _)| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": vs,
        "preferredVersion": vs.first().cloned().unwrap_or(Value::Null),
    })
}

/// `GET /apis`.
pub async fn api_groups(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let all = groups(&state);
    if let Some(ct) = wants_aggregated(&headers) {
        let items = all
            .iter()
            .filter(|(g, _)| !g.is_empty())
            .map(|(g, v)| aggregated_group(g, v))
            .collect();
        return aggregated_list(ct, items);
    }
    let groups: Vec<Value> = all
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| group_json(g, v))
        .collect();
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
    )
}

/// `GET /apis/<group>`, or `None` if the group is not served.
pub fn api_group(state: &AppState, group: &str) -> Option<Response> {
    let all = groups(state);
    let (g, versions) = all.iter().find(|(g, _)| g == group && !g.is_empty())?;
    let mut body = group_json(g, versions);
    body["kind"] = json!("APIGroup");
    body["apiVersion"] = json!("v1");
    Some(json_response(StatusCode::OK, "application/json", &body))
}

/// `GET /api/v1` or `/apis/<group>/<version>`: the legacy APIResourceList.
pub fn api_resource_list(state: &AppState, group: &str, version: &str) -> Option<Response> {
    let defs: Vec<&Arc<ResourceDef>> = state
        .registry()
        .all()
        .iter()
        .filter(|d| d.group == group && d.version == version)
        .collect();
    if defs.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for def in defs {
        let mut r = json!({
            "name": def.plural,
            "singularName": def.singular,
            "namespaced": def.namespaced,
            "kind": def.kind,
            "verbs": VERBS,
        });
        if !def.short_names.is_empty() {
            r["shortNames"] = json!(def.short_names);
        }
        if !def.categories.is_empty() {
            r["categories"] = json!(def.categories);
        }
        resources.push(r);
        for (name, (g, v, k), verbs) in subresources(def) {
            let mut s = json!({
                "name": format!("{}/{}", def.plural, name),
                "singularName": "",
                "namespaced": def.namespaced,
                "kind": k,
                "verbs": verbs,
            });
            if g != def.group || v != def.version {
                s["group"] = json!(g);
                s["version"] = json!(v);
            }
            resources.push(s);
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json_response(
        StatusCode::OK,
        "application/json",
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }),
    ))
}
