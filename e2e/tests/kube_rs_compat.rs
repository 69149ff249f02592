//! Third-party compatibility: kube-rs 4.2 (with the same k8s-openapi 0.28)
//! lists, watches and caches Pods from `rkube up` over HTTPS with the
//! kubeconfig the server writes. kube-runtime's watcher asks for bookmarks,
//! lists with `limit=500` and relists only on an in-stream 410, so this checks
//! those parts of the wire protocol with a client we did not write.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Client, Config};
use serde_json::json;

fn pod(name: &str) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"suite": "kube-rs"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }))
    .unwrap()
}

async fn client(cluster: &e2e::Cluster) -> Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(cluster.kubeconfig()).unwrap();
    let config = Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_lists_watches_and_reflects() {
    let cluster = e2e::Cluster::start(e2e::ClusterOptions::default()).unwrap();
    let client = client(&cluster).await;
    let info = client.apiserver_version().await.unwrap();
    assert_eq!(info.minor, "32");

    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.create(&PostParams::default(), &pod("before"))
        .await
        .unwrap();
    let list = pods.list(&ListParams::default().limit(500)).await.unwrap();
    assert_eq!(list.items.len(), 1);

    // A reflector fed by kube-runtime's watcher sees the existing pod, a new
    // one, and a deletion.
    let (reader, writer) = reflector::store::<Pod>();
    let stream = watcher(
        pods.clone(),
        watcher::Config::default().labels("suite=kube-rs"),
    )
    .default_backoff()
    .reflect(writer)
    .applied_objects();
    let mut stream = Box::pin(stream);
    let first = tokio::time::timeout(Duration::from_secs(30), stream.try_next())
        .await
        .expect("initial object within 30 s")
        .unwrap()
        .unwrap();
    assert_eq!(first.metadata.name.as_deref(), Some("before"));

    pods.create(&PostParams::default(), &pod("after"))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the new pod within 30 s");
        let p = next.unwrap().unwrap();
        if p.metadata.name.as_deref() == Some("after") {
            break;
        }
    }
    assert_eq!(reader.state().len(), 2);

    pods.delete("before", &DeleteParams::default())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    // Keep the stream polled (it drives the reflector) while waiting for the
    // cache to drop the deleted pod.
    while reader.state().len() != 1 {
        let _ = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
        assert!(
            tokio::time::Instant::now() < deadline,
            "deletion never reflected"
        );
    }
    let names: Vec<String> = reader
        .state()
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, vec!["after".to_string()]);
}
