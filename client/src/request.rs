//! Builds the HTTP requests of the API verbs for one resource path, without doing any I/O.
//!
//! [`Request`] knows a resource collection's URL path (`/api/v1/namespaces/ns/pods`,
//! `/apis/apps/v1/deployments`, ...) and turns a verb and its parameters into an
//! [`http::Request`] whose URI is a path and query, ready for [`crate::Client::request`].

use http::{Method, header};
use k8s_openapi::Resource;
use serde::Serialize;

use crate::params::{DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchParams};

/// What can go wrong while building a request.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// An object name (or subresource name) was empty.
    #[error("empty {0} in request")]
    Empty(&'static str),
    /// The request could not be assembled (e.g. an invalid header value).
    #[error("invalid request: {0}")]
    Http(#[from] http::Error),
    /// The body could not be encoded as JSON.
    #[error("cannot encode request body: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The `Content-Type` of JSON bodies.
pub const JSON: &str = "application/json";

/// The URL path of the collection of `K` in `namespace` (all namespaces, or a cluster-scoped
/// kind, when `None`): `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/deployments`, `/api/v1/nodes`.
pub fn collection_path<K: Resource>(namespace: Option<&str>) -> String {
    let mut path = if K::GROUP.is_empty() {
        format!("/api/{}", K::VERSION)
    } else {
        format!("/apis/{}/{}", K::GROUP, K::VERSION)
    };
    if let Some(ns) = namespace {
        path.push_str("/namespaces/");
        push_segment(&mut path, ns);
    }
    path.push('/');
    path.push_str(K::URL_PATH_SEGMENT);
    path
}

/// A request builder for one resource collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    url_path: String,
}

impl Request {
    /// A builder for the collection at `url_path` (no trailing slash).
    pub fn new(url_path: impl Into<String>) -> Self {
        Request {
            url_path: url_path.into(),
        }
    }

    /// A builder for the collection of `K` in `namespace` (see [`collection_path`]).
    pub fn for_resource<K: Resource>(namespace: Option<&str>) -> Self {
        Self::new(collection_path::<K>(namespace))
    }

    /// The collection's URL path.
    pub fn url_path(&self) -> &str {
        &self.url_path
    }

    fn object_path(&self, name: &str, subresource: Option<&str>) -> Result<String, RequestError> {
        if name.is_empty() {
            return Err(RequestError::Empty("name"));
        }
        let mut path = self.url_path.clone();
        path.push('/');
        push_segment(&mut path, name);
        if let Some(sub) = subresource {
            if sub.is_empty() {
                return Err(RequestError::Empty("subresource"));
            }
            path.push('/');
            push_segment(&mut path, sub);
        }
        Ok(path)
    }

    /// `GET` one object.
    pub fn get(&self, name: &str) -> Result<http::Request<Vec<u8>>, RequestError> {
        self.get_subresource_inner(name, None)
    }

    /// `GET` a subresource of one object (`status`, `scale`, ...).
    pub fn get_subresource(
        &self,
        name: &str,
        subresource: &str,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        self.get_subresource_inner(name, Some(subresource))
    }

    fn get_subresource_inner(
        &self,
        name: &str,
        subresource: Option<&str>,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let path = self.object_path(name, subresource)?;
        build(Method::GET, path, None, Vec::new())
    }

    /// `GET` the collection.
    pub fn list(&self, lp: &ListParams) -> Result<http::Request<Vec<u8>>, RequestError> {
        let mut q = Query::default();
        push_list_params(&mut q, lp);
        build(Method::GET, q.append_to(&self.url_path), None, Vec::new())
    }

    /// `GET ?watch=1` on the collection, after `resource_version` (`""` or `"0"`: start with
    /// synthetic `ADDED` events for every existing object).
    pub fn watch(
        &self,
        wp: &WatchParams,
        resource_version: &str,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let mut q = Query::default();
        q.push("watch", "1");
        if !resource_version.is_empty() {
            q.push("resourceVersion", resource_version);
        }
        if let Some(s) = &wp.label_selector {
            q.push("labelSelector", s);
        }
        if let Some(s) = &wp.field_selector {
            q.push("fieldSelector", s);
        }
        if let Some(t) = wp.timeout {
            q.push("timeoutSeconds", &t.to_string());
        }
        if wp.bookmarks {
            q.push("allowWatchBookmarks", "true");
        }
        build(Method::GET, q.append_to(&self.url_path), None, Vec::new())
    }

    /// `POST` a new object to the collection.
    pub fn create<T: Serialize>(
        &self,
        pp: &PostParams,
        body: &T,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let q = post_query(pp);
        let body = serde_json::to_vec(body)?;
        build(Method::POST, q.append_to(&self.url_path), Some(JSON), body)
    }

    /// `PUT` (replace) one object.
    pub fn replace<T: Serialize>(
        &self,
        name: &str,
        pp: &PostParams,
        body: &T,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        self.replace_subresource_inner(name, None, pp, body)
    }

    /// `PUT` a subresource of one object.
    pub fn replace_subresource<T: Serialize>(
        &self,
        name: &str,
        subresource: &str,
        pp: &PostParams,
        body: &T,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        self.replace_subresource_inner(name, Some(subresource), pp, body)
    }

    fn replace_subresource_inner<T: Serialize>(
        &self,
        name: &str,
        subresource: Option<&str>,
        pp: &PostParams,
        body: &T,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let path = self.object_path(name, subresource)?;
        let body = serde_json::to_vec(body)?;
        build(
            Method::PUT,
            post_query(pp).append_to(&path),
            Some(JSON),
            body,
        )
    }

    /// `POST` to a subresource of one object (e.g. `pods/binding`, `pods/eviction`).
    pub fn create_subresource<T: Serialize>(
        &self,
        name: &str,
        subresource: &str,
        pp: &PostParams,
        body: &T,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let path = self.object_path(name, Some(subresource))?;
        let body = serde_json::to_vec(body)?;
        build(
            Method::POST,
            post_query(pp).append_to(&path),
            Some(JSON),
            body,
        )
    }

    /// `PATCH` one object, with the patch type's `Content-Type`.
    pub fn patch<P: Serialize>(
        &self,
        name: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        self.patch_subresource_inner(name, None, pp, patch)
    }

    /// `PATCH` a subresource of one object.
    pub fn patch_subresource<P: Serialize>(
        &self,
        name: &str,
        subresource: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        self.patch_subresource_inner(name, Some(subresource), pp, patch)
    }

    fn patch_subresource_inner<P: Serialize>(
        &self,
        name: &str,
        subresource: Option<&str>,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let path = self.object_path(name, subresource)?;
        let mut q = Query::default();
        if pp.dry_run {
            q.push("dryRun", "All");
        }
        if let Some(m) = &pp.field_manager {
            q.push("fieldManager", m);
        }
        build(
            Method::PATCH,
            q.append_to(&path),
            Some(patch.content_type()),
            patch.serialize()?,
        )
    }

    /// `DELETE` one object, with a `DeleteOptions` body.
    pub fn delete(
        &self,
        name: &str,
        dp: &DeleteParams,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let path = self.object_path(name, None)?;
        build(Method::DELETE, path, Some(JSON), dp.to_body()?)
    }

    /// `DELETE` every object of the collection matching `lp`'s selectors.
    pub fn delete_collection(
        &self,
        dp: &DeleteParams,
        lp: &ListParams,
    ) -> Result<http::Request<Vec<u8>>, RequestError> {
        let mut q = Query::default();
        push_list_params(&mut q, lp);
        build(
            Method::DELETE,
            q.append_to(&self.url_path),
            Some(JSON),
            dp.to_body()?,
        )
    }
}

fn post_query(pp: &PostParams) -> Query {
    let mut q = Query::default();
    if pp.dry_run {
        q.push("dryRun", "All");
    }
    if let Some(m) = &pp.field_manager {
        q.push("fieldManager", m);
    }
    q
}

fn push_list_params(q: &mut Query, lp: &ListParams) {
    if let Some(s) = &lp.label_selector {
        q.push("labelSelector", s);
    }
    if let Some(s) = &lp.field_selector {
        q.push("fieldSelector", s);
    }
    if let Some(l) = lp.limit {
        q.push("limit", &l.to_string());
    }
    if let Some(c) = &lp.continue_token {
        q.push("continue", c);
    }
    if let Some(rv) = &lp.resource_version {
        q.push("resourceVersion", rv);
        if let Some(m) = lp.version_match {
            q.push("resourceVersionMatch", m.as_str());
        }
    }
    if let Some(t) = lp.timeout {
        q.push("timeoutSeconds", &t.to_string());
    }
}

fn build(
    method: Method,
    uri: String,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<http::Request<Vec<u8>>, RequestError> {
    let mut b = http::Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    Ok(b.body(body)?)
}

/// A query string under construction.
#[derive(Default)]
struct Query(String);

impl Query {
    fn push(&mut self, key: &str, value: &str) {
        self.0.push(if self.0.is_empty() { '?' } else { '&' });
        encode_into(&mut self.0, key);
        self.0.push('=');
        encode_into(&mut self.0, value);
    }

    fn append_to(&self, path: &str) -> String {
        format!("{path}{}", self.0)
    }
}

fn push_segment(out: &mut String, segment: &str) {
    encode_into(out, segment);
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::{Namespace, Node, Pod};

    #[test]
    fn collection_paths_for_core_group_and_scopes() {
        assert_eq!(
            collection_path::<Pod>(Some("ns1")),
            "/api/v1/namespaces/ns1/pods"
        );
        assert_eq!(collection_path::<Pod>(None), "/api/v1/pods");
        assert_eq!(collection_path::<Node>(None), "/api/v1/nodes");
        assert_eq!(collection_path::<Namespace>(None), "/api/v1/namespaces");
        assert_eq!(
            collection_path::<Deployment>(Some("prod")),
            "/apis/apps/v1/namespaces/prod/deployments"
        );
        assert_eq!(
            collection_path::<Deployment>(None),
            "/apis/apps/v1/deployments"
        );
    }

    #[test]
    fn object_and_subresource_uris() {
        let r = Request::for_resource::<Pod>(Some("default"));
        assert_eq!(
            r.get("web").unwrap().uri(),
            "/api/v1/namespaces/default/pods/web"
        );
        let r = Request::for_resource::<Deployment>(Some("a"));
        let req = r.get_subresource("d", "scale").unwrap();
        assert_eq!(req.uri(), "/apis/apps/v1/namespaces/a/deployments/d/scale");
        let req = Request::for_resource::<Pod>(Some("a"))
            .create_subresource(
                "p",
                "binding",
                &PostParams::default(),
                &serde_json::json!({}),
            )
            .unwrap();
        assert_eq!(req.method(), Method::POST);
        assert_eq!(req.uri(), "/api/v1/namespaces/a/pods/p/binding");
        let req = Request::for_resource::<Node>(None)
            .replace_subresource(
                "n1",
                "status",
                &PostParams::default(),
                &serde_json::json!({}),
            )
            .unwrap();
        assert_eq!(req.method(), Method::PUT);
        assert_eq!(req.uri(), "/api/v1/nodes/n1/status");
        assert!(matches!(r.get(""), Err(RequestError::Empty("name"))));
    }

    #[test]
    fn list_query_encodes_selectors_and_pagination() {
        let lp = ListParams::default()
            .labels("app in (a,b),tier!=db")
            .fields("metadata.name=x")
            .limit(500)
            .continue_token("abc=")
            .at("42", Some(crate::params::VersionMatch::NotOlderThan));
        let req = Request::for_resource::<Pod>(None).list(&lp).unwrap();
        assert_eq!(req.method(), Method::GET);
        assert_eq!(
            req.uri(),
            "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb\
             &fieldSelector=metadata.name%3Dx&limit=500&continue=abc%3D\
             &resourceVersion=42&resourceVersionMatch=NotOlderThan"
        );
        let req = Request::for_resource::<Pod>(Some("x"))
            .list(&ListParams::default())
            .unwrap();
        assert_eq!(req.uri(), "/api/v1/namespaces/x/pods");
    }

    #[test]
    fn watch_query() {
        let r = Request::for_resource::<Pod>(Some("ns"));
        let wp = WatchParams::default()
            .fields("spec.nodeName=n1")
            .timeout(30);
        let req = r.watch(&wp, "17").unwrap();
        assert_eq!(
            req.uri(),
            "/api/v1/namespaces/ns/pods?watch=1&resourceVersion=17\
             &fieldSelector=spec.nodeName%3Dn1&timeoutSeconds=30&allowWatchBookmarks=true"
        );
        let req = r
            .watch(&WatchParams::default().disable_bookmarks(), "")
            .unwrap();
        assert_eq!(req.uri(), "/api/v1/namespaces/ns/pods?watch=1");
    }

    #[test]
    fn write_verbs_carry_params_and_content_types() {
        let r = Request::for_resource::<Pod>(Some("ns"));
        let pp = PostParams {
            dry_run: true,
            field_manager: Some("me".into()),
        };
        let req = r.create(&pp, &serde_json::json!({"a": 1})).unwrap();
        assert_eq!(
            req.uri(),
            "/api/v1/namespaces/ns/pods?dryRun=All&fieldManager=me"
        );
        assert_eq!(req.headers()[header::CONTENT_TYPE], JSON);
        assert_eq!(req.body(), br#"{"a":1}"#);

        let cases: [(Patch<serde_json::Value>, &str); 3] = [
            (
                Patch::Merge(serde_json::json!({"x": 1})),
                "application/merge-patch+json",
            ),
            (
                Patch::Strategic(serde_json::json!({"x": 1})),
                "application/strategic-merge-patch+json",
            ),
            (
                Patch::Json(
                    serde_json::from_value(serde_json::json!([{"op": "remove", "path": "/x"}]))
                        .unwrap(),
                ),
                "application/json-patch+json",
            ),
        ];
        for (patch, ct) in cases {
            let req = r.patch("p", &PatchParams::default(), &patch).unwrap();
            assert_eq!(req.method(), Method::PATCH);
            assert_eq!(req.uri(), "/api/v1/namespaces/ns/pods/p");
            assert_eq!(req.headers()[header::CONTENT_TYPE], ct);
        }

        let dp = DeleteParams::foreground()
            .grace_period(0)
            .precondition_uid("u1")
            .dry_run();
        let req = r.delete("p", &dp).unwrap();
        assert_eq!(req.method(), Method::DELETE);
        let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"],
                "gracePeriodSeconds": 0, "propagationPolicy": "Foreground",
                "preconditions": {"uid": "u1"}
            })
        );
        let req = r
            .delete_collection(
                &DeleteParams::default(),
                &ListParams::default().labels("a=b"),
            )
            .unwrap();
        assert_eq!(req.uri(), "/api/v1/namespaces/ns/pods?labelSelector=a%3Db");
    }

    #[test]
    fn names_are_path_escaped() {
        let r = Request::for_resource::<Pod>(Some("ns"));
        assert_eq!(
            r.get("a/b").unwrap().uri(),
            "/api/v1/namespaces/ns/pods/a%2Fb"
        );
    }
}
