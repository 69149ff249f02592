//! The etcd backend against a real etcd at `RKUBE_TEST_ETCD_ENDPOINTS`
//! (`scripts/test` starts one). Without it these tests fail, never skip.
//! Every store gets a unique key prefix, so tests don't see each other.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use storage::conformance::{Fixture, exclusive_access, next_event, shared_access};
use storage::{EtcdConfig, EtcdStore, ListOptions, Store, StoreError};

const ENV: &str = "RKUBE_TEST_ETCD_ENDPOINTS";

fn endpoints() -> Vec<String> {
    match std::env::var(ENV) {
        Ok(v) if !v.trim().is_empty() => v.split(',').map(|s| s.trim().to_string()).collect(),
        _ => panic!(
            "{ENV} is not set: the etcd backend tests need a running etcd. \
             Run ./scripts/test (it starts one), or start etcd and \
             export {ENV}=http://127.0.0.1:PORT"
        ),
    }
}

fn unique_prefix() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "/rkube-test/{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn config() -> EtcdConfig {
    EtcdConfig {
        endpoints: endpoints(),
        prefix: unique_prefix(),
        compaction_interval: None,
        connections: 2,
        ..Default::default()
    }
}

async fn fixture() -> Fixture {
    let store = EtcdStore::connect(config())
        .await
        .expect("connect to the test etcd");
    (Arc::new(store), Box::new(()))
}

storage::conformance_tests!(fixture());

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

#[tokio::test]
async fn keys_are_stored_under_the_prefix() {
    let _guard = shared_access().await;
    let config = config();
    let prefix = config.prefix.clone();
    let store = EtcdStore::connect(config).await.unwrap();
    let kv = store.create("/registry/pods/ns/a", b("v")).await.unwrap();
    assert_eq!(kv.key, "/registry/pods/ns/a");

    let raw = EtcdStore::connect(EtcdConfig {
        prefix: String::new(),
        ..self::config()
    })
    .await
    .unwrap();
    let full = format!("{prefix}/registry/pods/ns/a");
    let seen = raw.get(&full).await.unwrap().unwrap();
    assert_eq!(seen.value, b("v"));
    assert_eq!(seen.mod_revision, kv.mod_revision);

    // Another prefix sees nothing of it.
    let other = EtcdStore::connect(self::config()).await.unwrap();
    let list = other
        .list("/registry/", ListOptions::default())
        .await
        .unwrap();
    assert!(list.items.is_empty());
    assert_eq!(other.get("/registry/pods/ns/a").await.unwrap(), None);
}

#[tokio::test]
async fn connect_to_nothing_fails() {
    let err = EtcdStore::connect(EtcdConfig {
        endpoints: vec!["http://127.0.0.1:1".to_string()],
        connect_timeout: Duration::from_millis(500),
        ..Default::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
}

#[tokio::test]
async fn compactor_expires_old_revisions() {
    let _guard = exclusive_access().await;
    let store = EtcdStore::connect(EtcdConfig {
        compaction_interval: Some(Duration::from_millis(300)),
        ..config()
    })
    .await
    .unwrap();
    let a = store.create("/k/a", b("1")).await.unwrap();
    let r1 = a.mod_revision;
    store.update("/k/a", r1, b("2")).await.unwrap();
    store.create("/k/b", b("1")).await.unwrap();
    let at_r1 = ListOptions {
        revision: Some(r1),
        ..Default::default()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match store.list("/k/", at_r1.clone()).await {
            Err(StoreError::Expired { requested, .. }) => {
                assert_eq!(requested, r1);
                break;
            }
            Ok(list) => assert_eq!(list.items, vec![a.clone()]),
            Err(e) => panic!("unexpected error: {e}"),
        }
        assert!(
            Instant::now() < deadline,
            "the compactor did not compact within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(matches!(
        store.watch("/k/", r1).await,
        Err(StoreError::Expired { .. })
    ));
    // Current data is untouched.
    let mut w = store
        .watch("/k/", store.current_revision().await.unwrap())
        .await
        .unwrap();
    let c = store.create("/k/c", b("1")).await.unwrap();
    assert_eq!(next_event(&mut w).await.kv, c);
}
