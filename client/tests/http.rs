//! The client against a fake API server over plain HTTP: verbs, content types, errors, watches.
// Integration tests (helpers included) may panic on broken fixtures.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Fake, serve};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use k8s_openapi::api::core::v1::{Binding, Node, ObjectReference, Pod, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Status};
use rkube_client::{
    Api, Client, Config, DeleteParams, DeleteResponse, Error, ListParams, Patch, PatchParams,
    PostParams, WatchEvent, WatchParams,
};
use serde_json::json;

async fn setup() -> (Fake, Client) {
    let fake = Fake::new();
    let addr = serve(&fake).await;
    let client =
        Client::try_from_config(Config::from_url(&format!("http://{addr}")).unwrap()).unwrap();
    (fake, client)
}

fn new_pod(name: &str) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn get_and_get_opt() {
    let (fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "ns1");
    let p = pods.get("web").await.unwrap();
    assert_eq!(p.metadata.name.as_deref(), Some("web"));
    assert_eq!(p.metadata.namespace.as_deref(), Some("ns1"));
    let rec = fake.last();
    assert_eq!(rec.method, "GET");
    assert_eq!(rec.uri, "/api/v1/namespaces/ns1/pods/web");
    assert_eq!(rec.headers["accept"], "application/json");
    assert_eq!(
        rec.version,
        http::Version::HTTP_11,
        "plain http speaks HTTP/1.1"
    );
    assert!(pods.get_opt("missing").await.unwrap().is_none());
    assert!(pods.get_opt("there").await.unwrap().is_some());

    let nodes: Api<Node> = Api::all(client.clone());
    assert_eq!(
        nodes.get("n1").await.unwrap().metadata.name.as_deref(),
        Some("n1")
    );
    assert_eq!(fake.last().uri, "/api/v1/nodes/n1");

    let info = client.apiserver_version().await.unwrap();
    assert_eq!(info.minor, "32");
}

#[tokio::test]
async fn not_found_maps_to_status_error() {
    let (_fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client, "ns1");
    let err = pods.get("missing").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let status = err.status().unwrap();
    assert_eq!(status.code, Some(404));
    assert_eq!(status.reason.as_deref(), Some("NotFound"));
    assert_eq!(
        status.message.as_deref(),
        Some("pods \"missing\" not found")
    );
}

#[tokio::test]
async fn non_status_error_body_is_http_status() {
    let (_fake, client) = setup().await;
    let req = http::Request::get("/no/such/path")
        .body(Vec::new())
        .unwrap();
    let err = client.request(req).await.unwrap_err();
    match &err {
        Error::HttpStatus { status, body } => {
            assert_eq!(*status, 404);
            assert_eq!(body, "404 page not found");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_not_found());
}

#[tokio::test]
async fn list_pages_and_all_namespaces() {
    let (fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "ns1");
    let page1 = pods
        .list(&ListParams::default().limit(1).labels("app=web"))
        .await
        .unwrap();
    assert_eq!(
        fake.last().uri,
        "/api/v1/namespaces/ns1/pods?labelSelector=app%3Dweb&limit=1"
    );
    assert_eq!(page1.items.len(), 1);
    let token = page1.continue_token().unwrap().to_owned();
    assert_eq!(token, "tok-1");
    let page2 = pods
        .list(&ListParams::default().limit(1).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(page2.continue_token(), None);
    assert_eq!(page2.resource_version(), Some("10"));
    let names: Vec<_> = page1
        .into_iter()
        .chain(page2)
        .filter_map(|p| p.metadata.name)
        .collect();
    assert_eq!(names, ["p1", "p2"]);

    let all: Api<Pod> = Api::all(client);
    let list = all.list(&ListParams::default()).await.unwrap();
    assert_eq!(fake.last().uri, "/api/v1/pods");
    let namespaces: Vec<_> = list
        .iter()
        .filter_map(|p| p.metadata.namespace.clone())
        .collect();
    assert_eq!(namespaces, ["a", "b"]);
}

#[tokio::test]
async fn create_replace_and_their_errors() {
    let (fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client, "ns1");
    let pp = PostParams {
        dry_run: true,
        field_manager: Some("tester".into()),
    };
    let created = pods.create(&pp, &new_pod("fresh")).await.unwrap();
    assert_eq!(created.metadata.uid.as_deref(), Some("uid-new"));
    assert_eq!(created.metadata.resource_version.as_deref(), Some("11"));
    let rec = fake.last();
    assert_eq!(rec.method, "POST");
    assert_eq!(
        rec.uri,
        "/api/v1/namespaces/ns1/pods?dryRun=All&fieldManager=tester"
    );
    assert_eq!(rec.content_type(), Some("application/json"));
    assert_eq!(rec.json()["metadata"]["name"], "fresh");
    assert_eq!(
        rec.json()["kind"],
        "Pod",
        "k8s-openapi adds kind and apiVersion"
    );

    let err = pods
        .create(&PostParams::default(), &new_pod("exists"))
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    assert!(!err.is_conflict());

    let err = pods
        .create(&PostParams::default(), &new_pod("bad"))
        .await
        .unwrap_err();
    assert!(err.is_invalid());
    let causes = err
        .status()
        .unwrap()
        .details
        .as_ref()
        .unwrap()
        .causes
        .as_ref()
        .unwrap();
    assert_eq!(causes[0].field.as_deref(), Some("spec.containers[0].image"));

    let mut current = pods.get("web").await.unwrap();
    current.metadata.labels = Some([("a".to_owned(), "b".to_owned())].into());
    let replaced = pods
        .replace("web", &PostParams::default(), &current)
        .await
        .unwrap();
    assert_eq!(replaced.metadata.resource_version.as_deref(), Some("8"));
    assert_eq!(fake.last().method, "PUT");
    assert_eq!(fake.last().uri, "/api/v1/namespaces/ns1/pods/web");

    current.metadata.resource_version = Some("6".into());
    let err = pods
        .replace("web", &PostParams::default(), &current)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
}

#[tokio::test]
async fn patch_content_types() {
    let (fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client, "ns1");
    let merge = Patch::Merge(json!({"metadata": {"labels": {"x": "1"}}}));
    let strategic =
        Patch::Strategic(json!({"spec": {"containers": [{"name": "c", "image": "v2"}]}}));
    let json_patch: json_patch::Patch =
        serde_json::from_value(json!([{"op": "add", "path": "/metadata/labels/y", "value": "2"}]))
            .unwrap();
    let cases = [
        (merge, "application/merge-patch+json"),
        (strategic, "application/strategic-merge-patch+json"),
        (Patch::Json(json_patch), "application/json-patch+json"),
    ];
    let pp = PatchParams {
        field_manager: Some("m".into()),
        ..Default::default()
    };
    for (patch, content_type) in cases {
        let p = pods.patch("web", &pp, &patch).await.unwrap();
        let annotations = p.metadata.annotations.unwrap();
        assert_eq!(annotations["patch-content-type"], content_type);
        let rec = fake.last();
        assert_eq!(rec.method, "PATCH");
        assert_eq!(rec.uri, "/api/v1/namespaces/ns1/pods/web?fieldManager=m");
        assert_eq!(rec.body, patch.serialize().unwrap());
    }
}

#[tokio::test]
async fn delete_returns_object_or_status_and_sends_options() {
    let (fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client, "ns1");
    let dp = DeleteParams::foreground()
        .grace_period(30)
        .precondition_uid("uid-finalized")
        .precondition_resource_version("14");
    let resp = pods.delete("finalized", &dp).await.unwrap();
    let obj = resp.into_object().expect("object still present");
    assert!(obj.metadata.deletion_timestamp.is_some());
    let rec = fake.last();
    assert_eq!(rec.method, "DELETE");
    assert_eq!(rec.uri, "/api/v1/namespaces/ns1/pods/finalized");
    assert_eq!(rec.content_type(), Some("application/json"));
    assert_eq!(
        rec.json(),
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 30,
               "propagationPolicy": "Foreground",
               "preconditions": {"resourceVersion": "14", "uid": "uid-finalized"}})
    );

    match pods
        .delete("gone", &DeleteParams::orphan().dry_run())
        .await
        .unwrap()
    {
        DeleteResponse::Status(s) => {
            assert_eq!(s.status.as_deref(), Some("Success"));
            assert_eq!(s.details.unwrap().name.as_deref(), Some("gone"));
        }
        DeleteResponse::Object(o) => panic!("expected a Status, got {o:?}"),
    }
    assert_eq!(
        fake.last().json(),
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"], "propagationPolicy": "Orphan"})
    );
}

#[tokio::test]
async fn status_scale_and_binding_subresources() {
    let (fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "ns1");
    let p = pods.get_status("web").await.unwrap();
    assert_eq!(p.status.unwrap().phase.as_deref(), Some("Running"));
    assert_eq!(fake.last().uri, "/api/v1/namespaces/ns1/pods/web/status");

    let mut p = pods.get("web").await.unwrap();
    p.status = Some(PodStatus {
        phase: Some("Succeeded".into()),
        ..Default::default()
    });
    let p = pods
        .replace_status("web", &PostParams::default(), &p)
        .await
        .unwrap();
    assert_eq!(p.status.unwrap().phase.as_deref(), Some("Succeeded"));
    assert_eq!(fake.last().method, "PUT");
    assert_eq!(fake.last().uri, "/api/v1/namespaces/ns1/pods/web/status");

    let p = pods
        .patch_status(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"phase": "Failed"}})),
        )
        .await
        .unwrap();
    assert_eq!(p.status.unwrap().phase.as_deref(), Some("Failed"));
    assert_eq!(
        fake.last().content_type(),
        Some("application/merge-patch+json")
    );

    let binding = Binding {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..Default::default()
        },
        target: ObjectReference {
            api_version: Some("v1".into()),
            kind: Some("Node".into()),
            name: Some("node-1".into()),
            ..Default::default()
        },
    };
    let s: Status = pods
        .create_subresource("web", "binding", &PostParams::default(), &binding)
        .await
        .unwrap();
    assert_eq!(s.status.as_deref(), Some("Success"));
    let rec = fake.last();
    assert_eq!(rec.uri, "/api/v1/namespaces/ns1/pods/web/binding");
    assert_eq!(rec.json()["target"]["name"], "node-1");
    assert_eq!(rec.json()["kind"], "Binding");

    let deploys: Api<Deployment> = Api::namespaced(client, "ns1");
    let scale = deploys.get_scale("web").await.unwrap();
    assert_eq!(scale.spec.as_ref().unwrap().replicas, Some(2));
    assert_eq!(
        scale.status.as_ref().unwrap().selector.as_deref(),
        Some("app=web")
    );
    assert_eq!(
        fake.last().uri,
        "/apis/apps/v1/namespaces/ns1/deployments/web/scale"
    );
    let new_scale = Scale {
        spec: Some(ScaleSpec { replicas: Some(5) }),
        ..scale
    };
    let scale = deploys
        .replace_scale("web", &PostParams::default(), &new_scale)
        .await
        .unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(5));
    assert_eq!(fake.last().method, "PUT");
    let scale = deploys
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 7}})),
        )
        .await
        .unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(7));
    assert_eq!(fake.last().method, "PATCH");
}

#[tokio::test]
async fn watch_decodes_events_split_across_chunks() {
    let (fake, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client, "ns1");
    let wp = WatchParams::default().labels("app=web").timeout(60);
    let stream = pods.watch(&wp, "10").await.unwrap();
    assert_eq!(
        fake.last().uri,
        "/api/v1/namespaces/ns1/pods?watch=1&resourceVersion=10&labelSelector=app%3Dweb&timeoutSeconds=60&allowWatchBookmarks=true"
    );
    let events: Vec<WatchEvent<Pod>> = stream.map(|e| e.unwrap()).collect().await;
    assert_eq!(events.len(), 5, "{events:?}");
    assert!(
        matches!(&events[0], WatchEvent::Added(p) if p.metadata.resource_version.as_deref() == Some("11"))
    );
    assert!(
        matches!(&events[1], WatchEvent::Modified(p) if p.metadata.labels.as_ref().unwrap()["v"] == "2")
    );
    assert_eq!(
        events[2],
        WatchEvent::Bookmark {
            resource_version: "13".into()
        }
    );
    assert!(
        matches!(&events[3], WatchEvent::Deleted(p) if p.metadata.name.as_deref() == Some("a"))
    );
    assert!(
        matches!(&events[4], WatchEvent::Error(s) if s.code == Some(410) && s.reason.as_deref() == Some("Expired"))
    );
}

#[tokio::test]
async fn watch_delivers_each_event_while_the_stream_stays_open() {
    let (fake, client) = setup().await;
    let tx = fake.live_watch_sender();
    let pods: Api<Pod> = Api::all(client);
    let mut stream = pods.watch(&WatchParams::default(), "").await.unwrap();
    assert_eq!(
        fake.last().uri,
        "/api/v1/pods?watch=1&allowWatchBookmarks=true"
    );

    let line = json!({"type": "ADDED", "object": common::pod("x", "first", "1")}).to_string();
    let (head, tail) = line.split_at(line.len() / 2);
    tx.send(Bytes::from(head.to_owned())).unwrap();
    tx.send(Bytes::from(format!("{tail}\n"))).unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("event arrives while the watch is open")
        .unwrap()
        .unwrap();
    assert!(matches!(ev, WatchEvent::Added(p) if p.metadata.name.as_deref() == Some("first")));

    let line = json!({"type": "DELETED", "object": common::pod("x", "first", "2")}).to_string();
    tx.send(Bytes::from(format!("{line}\n"))).unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(ev, WatchEvent::Deleted(_)));

    // A garbage line is a decode error; the stream goes on.
    tx.send(Bytes::from_static(b"{not json}\n")).unwrap();
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    drop(tx);
    assert!(
        stream.next().await.is_none(),
        "stream ends with the response"
    );
}

#[tokio::test]
async fn watch_start_error_is_an_api_error() {
    let (_fake, client) = setup().await;
    // No live watch prepared: the fake answers 500 with a Status.
    let pods: Api<Pod> = Api::all(client);
    let err = pods.watch(&WatchParams::default(), "").await.err().unwrap();
    assert_eq!(err.code(), Some(500));
    assert_eq!(
        err.status().unwrap().reason.as_deref(),
        Some("InternalError")
    );
}

#[tokio::test]
async fn request_json_escape_hatch_and_timeout() {
    let (_fake, client) = setup().await;
    let req = http::Request::get("/api/v1/namespaces/x/pods/y")
        .body(Vec::new())
        .unwrap();
    let v: serde_json::Value = client.request_json(req).await.unwrap();
    assert_eq!(v["metadata"]["name"], "y");

    // A server that accepts but never answers trips the request timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut conns = Vec::new();
        while let Ok((c, _)) = listener.accept().await {
            conns.push(c);
        }
    });
    let mut cfg = Config::from_url(&format!("http://{addr}")).unwrap();
    cfg.request_timeout = Some(Duration::from_millis(200));
    let slow = Client::try_from_config(cfg).unwrap();
    let req = http::Request::get("/version").body(Vec::new()).unwrap();
    let err = slow.request(req).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    hold.abort();
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client =
        Client::try_from_config(Config::from_url(&format!("http://{addr}")).unwrap()).unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "x");
    let err = pods.get("p").await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn token_file_is_reread_when_it_changes() {
    let fake = Fake::new();
    let addr = serve(&fake).await;
    let dir = std::env::temp_dir().join(format!("rkube-client-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("token");
    std::fs::write(&token, "first\n").unwrap();
    let yaml = format!(
        "current-context: c\nclusters:\n- name: k\n  cluster: {{server: 'http://{addr}'}}\n\
         contexts:\n- name: c\n  context: {{cluster: k, user: u}}\n\
         users:\n- name: u\n  user: {{tokenFile: token}}\n"
    );
    std::fs::write(dir.join("config"), yaml).unwrap();
    let kc = rkube_client::Kubeconfig::read_from(dir.join("config")).unwrap();
    let cfg = Config::from_custom_kubeconfig(&kc, &Default::default()).unwrap();
    let client = Client::try_from_config(cfg).unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "x");
    pods.get("p").await.unwrap();
    assert_eq!(fake.last().headers["authorization"], "Bearer first");
    pods.get("p").await.unwrap();
    assert_eq!(fake.last().headers["authorization"], "Bearer first");
    std::fs::write(&token, "second-token\n").unwrap();
    pods.get("p").await.unwrap();
    assert_eq!(fake.last().headers["authorization"], "Bearer second-token");
    // While the file is missing (being replaced), the last token goes on.
    std::fs::remove_file(&token).unwrap();
    pods.get("p").await.unwrap();
    assert_eq!(fake.last().headers["authorization"], "Bearer second-token");
    std::fs::remove_dir_all(&dir).unwrap();
}
