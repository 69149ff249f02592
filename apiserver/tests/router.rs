//! The API server's router driven with `oneshot`, no sockets: discovery,
//! CRUD, Status errors, concurrency, subresources, namespaces, watches.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use apiserver::{ApiServerConfig, AppState, router};
use axum::Router;
use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct Server {
    app: Router,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    server_with(ApiServerConfig::default()).await
}

async fn server_with(config: ApiServerConfig) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = storage::open_embedded(dir.path()).unwrap();
    let state = AppState::new(
        store,
        api_types::kinds::builtin_registry(),
        config,
        apiserver::metrics::Metrics::new(),
    )
    .await
    .unwrap();
    Server {
        app: router(state),
        _dir: dir,
    }
}

struct Resp {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Value,
}

impl Server {
    async fn call(&self, method: Method, uri: &str, ct: &str, body: Option<Value>) -> Resp {
        let body = body
            .map(|b| serde_json::to_vec(&b).unwrap())
            .unwrap_or_default();
        self.raw(method, uri, ct, &[], body).await
    }

    async fn raw(
        &self,
        method: Method,
        uri: &str,
        ct: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, ct);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Resp {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, uri: &str) -> Resp {
        self.call(Method::GET, uri, "application/json", None).await
    }
    async fn post(&self, uri: &str, body: Value) -> Resp {
        self.call(Method::POST, uri, "application/json", Some(body))
            .await
    }
    async fn put(&self, uri: &str, body: Value) -> Resp {
        self.call(Method::PUT, uri, "application/json", Some(body))
            .await
    }
    async fn patch(&self, uri: &str, ct: &str, body: Value) -> Resp {
        self.call(Method::PATCH, uri, ct, Some(body)).await
    }
    async fn delete(&self, uri: &str) -> Resp {
        self.call(Method::DELETE, uri, "application/json", None)
            .await
    }

    /// Open a watch and return a frame reader.
    async fn watch(&self, uri: &str) -> Watch {
        let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        Watch {
            body: resp.into_body(),
            buf: Vec::new(),
        }
    }
}

struct Watch {
    body: Body,
    buf: Vec<u8>,
}

impl Watch {
    /// The next event, waiting at most 10 s.
    async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=pos).collect();
                return Some(serde_json::from_slice(&line).unwrap());
            }
            let frame = tokio::time::timeout(Duration::from_secs(10), self.body.frame())
                .await
                .expect("watch event within 10 s")?;
            if let Ok(data) = frame.unwrap().into_data() {
                self.buf.extend_from_slice(&data);
            }
        }
    }
}

fn deployment(name: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    })
}

fn pod(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    })
}

const DEPLOYS: &str = "/apis/apps/v1/namespaces/default/deployments";
const PODS: &str = "/api/v1/namespaces/default/pods";

#[tokio::test]
async fn version_and_health() {
    let s = server().await;
    let v = s.get("/version").await;
    assert_eq!(v.status, StatusCode::OK);
    assert_eq!(v.body["major"], "1");
    assert_eq!(v.body["minor"], "32");
    assert_eq!(s.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(s.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn aggregated_and_legacy_discovery() {
    let s = server().await;
    let accept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    for path in ["/api", "/apis"] {
        let r = s
            .raw(
                Method::GET,
                path,
                "application/json",
                &[("accept", accept)],
                vec![],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(ct.contains("as=APIGroupDiscoveryList"), "{ct}");
        assert_eq!(r.body["kind"], "APIGroupDiscoveryList");
    }
    let apis = s
        .raw(
            Method::GET,
            "/apis",
            "application/json",
            &[("accept", accept)],
            vec![],
        )
        .await;
    let apps = apis.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .expect("apps group");
    let deploy = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .unwrap();
    assert_eq!(deploy["responseKind"]["kind"], "Deployment");
    assert_eq!(deploy["scope"], "Namespaced");
    assert!(
        deploy["shortNames"]
            .as_array()
            .unwrap()
            .contains(&json!("deploy"))
    );
    let subs: Vec<&str> = deploy["subresources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subresource"].as_str().unwrap())
        .collect();
    assert!(subs.contains(&"scale") && subs.contains(&"status"));

    let legacy = s.get("/api/v1").await;
    assert_eq!(legacy.body["kind"], "APIResourceList");
    let names: Vec<&str> = legacy.body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"pods")
            && names.contains(&"pods/status")
            && names.contains(&"pods/binding")
    );
    let groups = s.get("/apis").await;
    assert_eq!(groups.body["kind"], "APIGroupList");
    assert_eq!(s.get("/apis/apps/v1").await.body["groupVersion"], "apps/v1");
}

#[tokio::test]
async fn create_get_update_delete_with_generation_and_conflicts() {
    let s = server().await;
    let created = s.post(DEPLOYS, deployment("web", 2)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let meta = &created.body["metadata"];
    assert_eq!(meta["generation"], 1);
    assert!(meta["uid"].as_str().unwrap().len() > 10);
    assert!(meta["creationTimestamp"].is_string());
    let rv1 = meta["resourceVersion"].as_str().unwrap().to_string();
    // Defaults applied.
    assert_eq!(
        created.body["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
        "25%"
    );
    assert_eq!(created.body["spec"]["revisionHistoryLimit"], 10);

    let again = s.post(DEPLOYS, deployment("web", 2)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["reason"], "AlreadyExists");

    let got = s.get(&format!("{DEPLOYS}/web")).await;
    assert_eq!(got.body["metadata"]["resourceVersion"], rv1);

    // Update: spec change bumps generation; a stale resourceVersion is refused.
    let mut obj = got.body.clone();
    obj["spec"]["replicas"] = json!(5);
    let updated = s.put(&format!("{DEPLOYS}/web"), obj.clone()).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["metadata"]["generation"], 2);
    let stale = s.put(&format!("{DEPLOYS}/web"), obj).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.body["reason"], "Conflict");
    assert!(
        stale.body["message"]
            .as_str()
            .unwrap()
            .contains("the object has been modified")
    );

    // A label-only change keeps the generation.
    let mut obj = updated.body.clone();
    obj["metadata"]["labels"]["tier"] = json!("front");
    let relabeled = s.put(&format!("{DEPLOYS}/web"), obj).await;
    assert_eq!(relabeled.body["metadata"]["generation"], 2);

    let deleted = s.delete(&format!("{DEPLOYS}/web")).await;
    assert_eq!(deleted.status, StatusCode::OK);
    let gone = s.get(&format!("{DEPLOYS}/web")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["kind"], "Status");
    assert_eq!(gone.body["reason"], "NotFound");
    assert_eq!(gone.body["details"]["group"], "apps");
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_persisted() {
    let s = server_with(ApiServerConfig {
        max_request_bytes: 64 * 1024,
        ..Default::default()
    })
    .await;
    let r = s
        .raw(
            Method::POST,
            PODS,
            "application/json",
            &[],
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["message"].as_str().unwrap().contains("invalid JSON"));

    let wrong_kind = s.post(PODS, deployment("x", 1)).await;
    assert_eq!(
        wrong_kind.status,
        StatusCode::BAD_REQUEST,
        "{}",
        wrong_kind.body
    );

    let mut mismatch = pod("a");
    mismatch["metadata"]["namespace"] = json!("other");
    assert_eq!(s.post(PODS, mismatch).await.status, StatusCode::BAD_REQUEST);

    let huge = vec![b' '; 100 * 1024];
    let r = s
        .raw(Method::POST, PODS, "application/json", &[], huge)
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["reason"], "RequestEntityTooLarge");

    let mut invalid = deployment("bad", 1);
    invalid["spec"]["template"]["metadata"]["labels"] = json!({"app": "other"});
    let r = s.post(DEPLOYS, invalid).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["reason"], "Invalid");
    assert!(!r.body["details"]["causes"].as_array().unwrap().is_empty());

    let mut bad_name = pod("Bad_Name");
    bad_name["metadata"]["name"] = json!("Bad_Name");
    let r = s.post(PODS, bad_name).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["details"]["causes"][0]["field"], "metadata.name");

    let list = s.get(PODS).await;
    assert_eq!(list.body["items"], json!([]), "nothing persisted");

    // Unknown patch types get 415.
    s.post(PODS, pod("p")).await;
    let r = s
        .patch(&format!("{PODS}/p"), "application/x-unknown", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Unknown paths are 404 Status.
    let r = s.get("/api/v1/namespaces/default/nothings").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["kind"], "Status");
}

#[tokio::test]
async fn the_kubernetes_service_points_at_the_api_server() {
    let s = server_with(ApiServerConfig {
        advertise: Some("127.0.0.1:6443".parse().unwrap()),
        ..Default::default()
    })
    .await;
    let svc = s
        .get("/api/v1/namespaces/default/services/kubernetes")
        .await;
    assert_eq!(svc.status, StatusCode::OK, "{}", svc.body);
    assert_eq!(svc.body["spec"]["clusterIP"], "10.96.0.1");
    assert_eq!(svc.body["spec"]["ports"][0]["port"], 443);
    let ep = s
        .get("/api/v1/namespaces/default/endpoints/kubernetes")
        .await;
    assert_eq!(ep.body["subsets"][0]["addresses"][0]["ip"], "127.0.0.1");
    assert_eq!(ep.body["subsets"][0]["ports"][0]["port"], 6443);
    // Nobody else gets its address.
    let r = s
        .post(
            "/api/v1/namespaces/default/services",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
                "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": 80}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn namespaces_lifecycle() {
    let s = server().await;
    for ns in ["default", "kube-system", "kube-node-lease", "kube-public"] {
        let r = s.get(&format!("/api/v1/namespaces/{ns}")).await;
        assert_eq!(r.status, StatusCode::OK, "{ns}");
        assert_eq!(r.body["status"]["phase"], "Active");
    }
    // Writes into a missing namespace are refused.
    let r = s.post("/api/v1/namespaces/nope/pods", pod("a")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = s
        .post(
            "/api/v1/namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["spec"]["finalizers"], json!(["kubernetes"]));
    assert_eq!(
        s.post("/api/v1/namespaces/team/pods", pod("a"))
            .await
            .status,
        StatusCode::CREATED
    );

    // Deleting marks it Terminating; creates are refused, updates go on.
    let d = s.delete("/api/v1/namespaces/team").await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body["status"]["phase"], "Terminating");
    let r = s.post("/api/v1/namespaces/team/pods", pod("b")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("being terminated")
    );
    let r = s
        .patch(
            "/api/v1/namespaces/team/pods/a",
            "application/merge-patch+json",
            json!({"metadata": {"labels": {"x": "y"}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        s.delete("/api/v1/namespaces/team/pods/a").await.status,
        StatusCode::OK
    );

    // The namespace controller's finalize call removes it.
    let ns = s.get("/api/v1/namespaces/team").await.body;
    let mut fin = ns.clone();
    fin["spec"]["finalizers"] = json!([]);
    let r = s.put("/api/v1/namespaces/team/finalize", fin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        s.get("/api/v1/namespaces/team").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn list_selectors_pagination_and_tables() {
    let s = server().await;
    for i in 0..7 {
        let mut p = pod(&format!("p{i}"));
        p["metadata"]["labels"] = json!({"app": if i % 2 == 0 { "even" } else { "odd" }});
        assert_eq!(s.post(PODS, p).await.status, StatusCode::CREATED);
    }
    let all = s.get(PODS).await;
    assert_eq!(all.body["kind"], "PodList");
    assert_eq!(all.body["items"].as_array().unwrap().len(), 7);
    assert!(all.body["metadata"]["resourceVersion"].is_string());

    let even = s.get(&format!("{PODS}?labelSelector=app%3Deven")).await;
    assert_eq!(even.body["items"].as_array().unwrap().len(), 4);
    let not_even = s.get(&format!("{PODS}?labelSelector=app!%3Deven")).await;
    assert_eq!(not_even.body["items"].as_array().unwrap().len(), 3);
    let by_name = s
        .get(&format!("{PODS}?fieldSelector=metadata.name%3Dp3"))
        .await;
    assert_eq!(by_name.body["items"].as_array().unwrap().len(), 1);
    let bad = s.get(&format!("{PODS}?fieldSelector=spec.bogus%3Dx")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body["message"]
            .as_str()
            .unwrap()
            .contains("field label not supported")
    );

    // Pagination visits everything exactly once.
    let mut seen = Vec::new();
    let mut cont = String::new();
    loop {
        let uri = if cont.is_empty() {
            format!("{PODS}?limit=3")
        } else {
            format!("{PODS}?limit=3&continue={cont}")
        };
        let page = s.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["metadata"]["name"].as_str().unwrap().to_string());
        }
        match page.body["metadata"]["continue"].as_str() {
            Some(c) => cont = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("p{i}")).collect::<Vec<_>>());

    // Tables as kubectl asks for them.
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    let t = s
        .raw(
            Method::GET,
            PODS,
            "application/json",
            &[("accept", accept)],
            vec![],
        )
        .await;
    assert_eq!(t.body["kind"], "Table");
    let cols: Vec<&str> = t.body["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(&cols[..5], &["Name", "Ready", "Status", "Restarts", "Age"]);
    assert_eq!(t.body["rows"].as_array().unwrap().len(), 7);
    assert_eq!(t.body["rows"][0]["cells"][0], "p0");
    assert_eq!(t.body["rows"][0]["object"]["kind"], "PartialObjectMetadata");

    // All namespaces.
    let all_ns = s.get("/api/v1/pods").await;
    assert_eq!(all_ns.body["items"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn status_scale_and_binding_subresources() {
    let s = server().await;
    s.post(DEPLOYS, deployment("web", 2)).await;
    // The main resource ignores status; the status subresource ignores spec.
    let mut d = s.get(&format!("{DEPLOYS}/web")).await.body;
    d["status"] = json!({"replicas": 9});
    let r = s.put(&format!("{DEPLOYS}/web"), d).await;
    assert!(r.body["status"].get("replicas").is_none());
    let mut d = r.body.clone();
    d["status"] = json!({"replicas": 2, "observedGeneration": 1});
    d["spec"]["replicas"] = json!(50);
    let r = s.put(&format!("{DEPLOYS}/web/status"), d).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"]["replicas"], 2);
    assert_eq!(r.body["spec"]["replicas"], 2);

    let scale = s.get(&format!("{DEPLOYS}/web/scale")).await;
    assert_eq!(scale.body["kind"], "Scale");
    assert_eq!(scale.body["apiVersion"], "autoscaling/v1");
    assert_eq!(scale.body["spec"]["replicas"], 2);
    assert_eq!(scale.body["status"]["selector"], "app=web");
    let r = s
        .patch(
            &format!("{DEPLOYS}/web/scale"),
            "application/merge-patch+json",
            json!({"spec": {"replicas": 7}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["spec"]["replicas"], 7);
    let d = s.get(&format!("{DEPLOYS}/web")).await.body;
    assert_eq!(d["spec"]["replicas"], 7);
    assert_eq!(d["metadata"]["generation"], 2);

    // Binding.
    s.post(PODS, pod("p")).await;
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"}, "target": {"kind": "Node", "name": "node-1"}});
    let r = s.post(&format!("{PODS}/p/binding"), binding.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p = s.get(&format!("{PODS}/p")).await.body;
    assert_eq!(p["spec"]["nodeName"], "node-1");
    let r = s.post(&format!("{PODS}/p/binding"), binding).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn graceful_pod_deletion_and_finalizers() {
    let s = server().await;
    // An unbound pod goes at once.
    s.post(PODS, pod("unbound")).await;
    s.delete(&format!("{PODS}/unbound")).await;
    assert_eq!(
        s.get(&format!("{PODS}/unbound")).await.status,
        StatusCode::NOT_FOUND
    );

    // A bound pod is only marked; the node agent finishes with grace 0.
    let mut p = pod("bound");
    p["spec"]["nodeName"] = json!("n1");
    s.post(PODS, p).await;
    let d = s.delete(&format!("{PODS}/bound")).await;
    assert!(d.body["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(d.body["metadata"]["deletionGracePeriodSeconds"], 30);
    assert_eq!(s.get(&format!("{PODS}/bound")).await.status, StatusCode::OK);
    s.delete(&format!("{PODS}/bound?gracePeriodSeconds=0"))
        .await;
    assert_eq!(
        s.get(&format!("{PODS}/bound")).await.status,
        StatusCode::NOT_FOUND
    );

    // Finalizers hold an object until removed.
    let mut p = pod("held");
    p["metadata"]["finalizers"] = json!(["example.com/hold"]);
    s.post(PODS, p).await;
    s.delete(&format!("{PODS}/held")).await;
    let held = s.get(&format!("{PODS}/held")).await;
    assert!(held.body["metadata"]["deletionTimestamp"].is_string());
    let r = s
        .patch(
            &format!("{PODS}/held"),
            "application/merge-patch+json",
            json!({"metadata": {"finalizers": null}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        s.get(&format!("{PODS}/held")).await.status,
        StatusCode::NOT_FOUND
    );

    // Foreground and Orphan propagation are recorded as finalizers.
    s.post(DEPLOYS, deployment("fg", 1)).await;
    let r = s
        .call(
            Method::DELETE,
            &format!("{DEPLOYS}/fg"),
            "application/json",
            Some(json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"})),
        )
        .await;
    assert_eq!(
        r.body["metadata"]["finalizers"],
        json!(["foregroundDeletion"])
    );
    s.post(DEPLOYS, deployment("or", 1)).await;
    let r = s
        .delete(&format!("{DEPLOYS}/or?propagationPolicy=Orphan"))
        .await;
    assert_eq!(r.body["metadata"]["finalizers"], json!(["orphan"]));
}

#[tokio::test]
async fn dry_run_persists_nothing_and_allocates_nothing() {
    let s = server().await;
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80}]}});
    let r = s
        .post(
            "/api/v1/namespaces/default/services?dryRun=All",
            svc.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        s.get("/api/v1/namespaces/default/services/s").await.status,
        StatusCode::NOT_FOUND
    );
    let r = s
        .post("/api/v1/namespaces/default/services", svc.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let ip = r.body["spec"]["clusterIP"].as_str().unwrap().to_string();
    assert!(ip.starts_with("10."));
    assert_eq!(r.body["spec"]["ports"][0]["targetPort"], 80);
    assert_eq!(r.body["spec"]["ports"][0]["protocol"], "TCP");
    let np = r.body["spec"]["ports"][0]["nodePort"].as_u64().unwrap();
    assert!((30000..=32767).contains(&np));
    // A second service never gets the same IP or port.
    let mut svc2 = svc.clone();
    svc2["metadata"]["name"] = json!("s2");
    svc2["spec"]["ports"][0]["nodePort"] = json!(np);
    let r = s.post("/api/v1/namespaces/default/services", svc2).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate node port refused: {}",
        r.body
    );
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("already allocated")
    );
    // clusterIP is immutable.
    let mut cur = s.get("/api/v1/namespaces/default/services/s").await.body;
    cur["spec"]["clusterIP"] = json!("10.96.0.99");
    cur["spec"]["clusterIPs"] = json!(["10.96.0.99"]);
    let r = s.put("/api/v1/namespaces/default/services/s", cur).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn watch_streams_changes_with_selectors_and_resumes() {
    let s = server().await;
    let created = s.post(PODS, pod("a")).await;
    let rv = created.body["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();

    // Without a resourceVersion: synthetic ADDED for what exists.
    let mut w = s.watch(&format!("{PODS}?watch=1")).await;
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "ADDED");
    assert_eq!(e["object"]["metadata"]["name"], "a");

    // From a resourceVersion: only later changes, with selector transitions.
    let mut sel = s
        .watch(&format!(
            "{PODS}?watch=true&resourceVersion={rv}&labelSelector=app%3Dweb"
        ))
        .await;
    s.patch(
        &format!("{PODS}/a"),
        "application/merge-patch+json",
        json!({"metadata": {"labels": {"x": "1"}}}),
    )
    .await;
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "MODIFIED");
    assert_eq!(sel.next().await.unwrap()["type"], "MODIFIED");
    s.patch(
        &format!("{PODS}/a"),
        "application/merge-patch+json",
        json!({"metadata": {"labels": {"app": "db"}}}),
    )
    .await;
    assert_eq!(w.next().await.unwrap()["type"], "MODIFIED");
    assert_eq!(
        sel.next().await.unwrap()["type"],
        "DELETED",
        "left the selector"
    );
    s.patch(
        &format!("{PODS}/a"),
        "application/merge-patch+json",
        json!({"metadata": {"labels": {"app": "web"}}}),
    )
    .await;
    assert_eq!(
        sel.next().await.unwrap()["type"],
        "ADDED",
        "entered the selector"
    );
    assert_eq!(w.next().await.unwrap()["type"], "MODIFIED");
    s.delete(&format!("{PODS}/a")).await;
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "DELETED", "an unbound pod goes at once");
    assert_eq!(e["object"]["metadata"]["name"], "a");
}

#[tokio::test]
async fn too_old_resource_version_is_an_in_stream_410() {
    let s = server_with(ApiServerConfig {
        watch_cache_events: 4,
        ..Default::default()
    })
    .await;
    let first = s.post(PODS, pod("p0")).await;
    let rv = first.body["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 1..10 {
        s.post(PODS, pod(&format!("p{i}"))).await;
    }
    // Wait (poll with a deadline) until the cache has seen the last create.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut w = s
            .watch(&format!("{PODS}?watch=1&resourceVersion={rv}"))
            .await;
        let e = w.next().await.unwrap();
        if e["type"] == "ERROR" {
            assert_eq!(e["object"]["code"], 410);
            assert_eq!(e["object"]["reason"], "Expired");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never expired");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn watch_bookmarks_when_asked() {
    let s = server_with(ApiServerConfig {
        bookmark_interval: Duration::from_millis(50),
        ..Default::default()
    })
    .await;
    let list = s.get(PODS).await;
    let rv = list.body["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let mut w = s
        .watch(&format!(
            "{PODS}?watch=1&resourceVersion={rv}&allowWatchBookmarks=true"
        ))
        .await;
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "BOOKMARK");
    assert_eq!(e["object"]["kind"], "Pod");
    assert!(e["object"]["metadata"]["resourceVersion"].is_string());
}

#[tokio::test]
async fn generate_name_and_concurrent_patches_all_apply() {
    let s = Arc::new(server().await);
    let mut p = pod("");
    p["metadata"] = json!({"generateName": "web-", "labels": {"app": "web"}});
    let r = s.post(PODS, p).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let name = r.body["metadata"]["name"].as_str().unwrap().to_string();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");

    // Patches without a resourceVersion never fail on concurrent writes.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = s.clone();
        let name = name.clone();
        tasks.push(tokio::spawn(async move {
            let r = s
                .patch(
                    &format!("{PODS}/{name}"),
                    "application/merge-patch+json",
                    json!({"metadata": {"annotations": {format!("k{i}"): "v"}}}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let got = s.get(&format!("{PODS}/{name}")).await;
    assert_eq!(
        got.body["metadata"]["annotations"]
            .as_object()
            .unwrap()
            .len(),
        16
    );
}

#[tokio::test]
async fn protobuf_bodies_from_kubectl_typed_clients_are_accepted() {
    let s = server().await;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../api-types/tests/fixtures/protobuf");
    let ns = std::fs::read(fixtures.join("namespace.bin")).unwrap();
    let r = s
        .raw(
            Method::POST,
            "/api/v1/namespaces",
            "application/vnd.kubernetes.protobuf",
            &[],
            ns,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let name = r.body["metadata"]["name"].as_str().unwrap().to_string();
    let deploy = std::fs::read(fixtures.join("deployment.bin")).unwrap();
    let r = s
        .raw(
            Method::POST,
            &format!("/apis/apps/v1/namespaces/{name}/deployments"),
            "application/vnd.kubernetes.protobuf",
            &[],
            deploy,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["kind"], "Deployment");
    // Garbage is a 400 naming the problem, and nothing is written.
    let r = s
        .raw(
            Method::POST,
            "/api/v1/namespaces",
            "application/vnd.kubernetes.protobuf",
            &[],
            b"k8s\0\xff\xff".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("protobuf"));
}

/// As in Kubernetes, unknown fields of a built-in kind are never stored:
/// refused under Strict, reported (Warning header) and dropped under Warn
/// (the default), silently dropped under Ignore.
#[tokio::test]
async fn unknown_fields_are_dropped_not_stored() {
    let s = server().await;
    let with_unknown = |name: &str| {
        let mut p = pod(name);
        p["bogus"] = json!(1);
        p["metadata"]["colour"] = json!("red");
        p["spec"]["containers"][0]["imagePullPolcy"] = json!("Always");
        p
    };
    let strict = s
        .post(&format!("{PODS}?fieldValidation=Strict"), with_unknown("s"))
        .await;
    assert_eq!(strict.status, StatusCode::BAD_REQUEST, "{}", strict.body);
    assert_eq!(
        s.get(&format!("{PODS}/s")).await.status,
        StatusCode::NOT_FOUND
    );

    for (mode, name) in [
        ("", "w"),
        ("?fieldValidation=Warn", "w2"),
        ("?fieldValidation=Ignore", "i"),
    ] {
        let r = s.post(&format!("{PODS}{mode}"), with_unknown(name)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{mode}: {}", r.body);
        let warned = r.headers.get_all(header::WARNING).iter().count();
        assert_eq!(
            warned > 0,
            mode != "?fieldValidation=Ignore",
            "{mode}: warnings {warned}"
        );
        for obj in [r.body, s.get(&format!("{PODS}/{name}")).await.body] {
            assert!(obj.get("bogus").is_none(), "{mode}: {obj}");
            assert!(obj["metadata"].get("colour").is_none(), "{mode}: {obj}");
            assert!(
                obj["spec"]["containers"][0].get("imagePullPolcy").is_none(),
                "{mode}: {obj}"
            );
            assert_eq!(obj["spec"]["containers"][0]["imagePullPolicy"], "Always");
        }
    }
}

/// A Pod with a JSON body takes the typed create path (decoded into the
/// k8s-openapi struct, never a JSON value); the same body as YAML takes the
/// generic path. Both store the same object and refuse the same mistakes
/// with the same Status.
#[tokio::test]
async fn typed_pod_create_path_stores_what_the_generic_path_stores() {
    let s = server().await;
    let rich = |name: &str| {
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": "web", "tier": "front"},
                "annotations": {"a.example.com/x": "y"}, "finalizers": ["example.com/keep"],
                "resourceVersion": "", "uid": "client-set", "generation": 7},
            "spec": {
                "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["true"]}],
                "containers": [{"name": "web", "image": "nginx",
                    "ports": [{"name": "http", "containerPort": 80}],
                    "env": [{"name": "A", "value": "1"}],
                    "resources": {"limits": {"cpu": "0.5", "memory": "64Mi"}},
                    "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                    "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]}],
                "volumes": [{"name": "scratch", "emptyDir": {}}],
                "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
                "nodeSelector": {"disk": "ssd"},
                "restartPolicy": "OnFailure",
            },
            "status": {"phase": "Running", "podIP": "10.0.0.9"},
        })
    };
    let yaml = |body: &Value| serde_json::to_vec(body).unwrap();
    let server_fields = |mut obj: Value| {
        let meta = obj["metadata"].as_object_mut().unwrap();
        for f in ["name", "uid", "creationTimestamp", "resourceVersion"] {
            assert!(meta.remove(f).is_some(), "{f} missing: {meta:?}");
        }
        obj
    };
    let typed = s.post(PODS, rich("typed")).await;
    assert_eq!(typed.status, StatusCode::CREATED, "{}", typed.body);
    let generic = s
        .raw(
            Method::POST,
            PODS,
            "application/yaml",
            &[],
            yaml(&rich("generic")),
        )
        .await;
    assert_eq!(generic.status, StatusCode::CREATED, "{}", generic.body);
    assert_ne!(typed.body["metadata"]["uid"], "client-set");
    assert_eq!(typed.body["metadata"]["generation"], 1);
    assert_eq!(
        typed.body["status"],
        // The init container sets no limits.
        json!({"phase": "Pending", "qosClass": "Burstable"})
    );
    let stored_typed = s.get(&format!("{PODS}/typed")).await.body;
    let stored_generic = s.get(&format!("{PODS}/generic")).await.body;
    assert_eq!(stored_typed, typed.body);
    assert_eq!(server_fields(stored_typed), server_fields(stored_generic));

    // The same invalid pod: the same 422 with the same causes, nothing stored.
    let mut bad = rich("bad");
    bad["metadata"]["labels"]["bad key!"] = json!("v");
    bad["spec"]["containers"][0]["image"] = json!("");
    bad["spec"]["containers"][0]["ports"][0]["containerPort"] = json!(70000);
    bad["spec"]["volumes"][0]["hostPath"] = json!({"path": "/tmp"});
    bad["spec"]["restartPolicy"] = json!("Sometimes");
    let typed = s.post(PODS, bad.clone()).await;
    let generic = s
        .raw(Method::POST, PODS, "application/yaml", &[], yaml(&bad))
        .await;
    assert_eq!(
        typed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        typed.body
    );
    assert_eq!(typed.body, generic.body);
    assert!(typed.body["details"]["causes"].as_array().unwrap().len() >= 5);
    assert_eq!(
        s.get(&format!("{PODS}/bad")).await.status,
        StatusCode::NOT_FOUND
    );

    // generateName and dry run on the typed path.
    let mut gen_pod = rich("");
    gen_pod["metadata"].as_object_mut().unwrap().remove("name");
    gen_pod["metadata"]["generateName"] = json!("web-");
    let r = s.post(&format!("{PODS}?dryRun=All"), gen_pod.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let dry_name = r.body["metadata"]["name"].as_str().unwrap().to_string();
    assert!(
        dry_name.starts_with("web-") && dry_name.len() == 9,
        "{dry_name}"
    );
    assert_eq!(
        s.get(&format!("{PODS}/{dry_name}")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = s.post(PODS, gen_pod).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let name = r.body["metadata"]["name"].as_str().unwrap();
    assert_eq!(s.get(&format!("{PODS}/{name}")).await.body, r.body);
}
