//! The embedded store: the shared conformance suite plus what only a local
//! file can show (restart, torn tail, snapshots, bounded history, slow
//! watchers, the directory lock).

use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use storage::conformance::{Fixture, next_event};
use storage::embedded::FILE_NAME;
use storage::{EmbeddedConfig, EmbeddedStore, EventType, ListOptions, Store, StoreError};

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = storage::open_embedded(dir.path()).expect("open the embedded store");
    (store, Box::new(dir))
}

storage::conformance_tests!(fixture());

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

#[tokio::test]
async fn restart_keeps_objects_and_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let (a, last) = {
        let store = EmbeddedStore::open(dir.path(), EmbeddedConfig::default()).unwrap();
        let a = store.create("/k/a", b("a1")).await.unwrap();
        let bb = store.create("/k/b", b("b1")).await.unwrap();
        let a = store.update("/k/a", a.mod_revision, b("a2")).await.unwrap();
        store.delete("/k/b", Some(bb.mod_revision)).await.unwrap();
        let c = store.create("/k/c", b("c1")).await.unwrap();
        assert_eq!(store.current_revision().await.unwrap(), c.mod_revision);
        (a, c)
    };
    let store = EmbeddedStore::open(dir.path(), EmbeddedConfig::default()).unwrap();
    assert_eq!(store.current_revision().await.unwrap(), last.mod_revision);
    let list = store.list("/k/", ListOptions::default()).await.unwrap();
    assert_eq!(list.items, vec![a.clone(), last.clone()]);
    let d = store.create("/k/d", b("d1")).await.unwrap();
    assert_eq!(d.mod_revision, last.mod_revision + 1);
    // The replayed log still serves a watch from before the restart.
    let mut w = store.watch("/k/", a.mod_revision).await.unwrap();
    let e = next_event(&mut w).await;
    assert_eq!((e.kind, e.kv.key.as_str()), (EventType::Delete, "/k/b"));
    assert_eq!(next_event(&mut w).await.kv, last);
    assert_eq!(next_event(&mut w).await.kv, d);
}

#[tokio::test]
async fn torn_last_record_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let last = {
        let store = EmbeddedStore::open(dir.path(), EmbeddedConfig::default()).unwrap();
        store.create("/k/a", b("a")).await.unwrap();
        store.create("/k/b", b("b")).await.unwrap()
    };
    let path = dir.path().join(FILE_NAME);
    let good_len = std::fs::metadata(&path).unwrap().len();
    // A record whose header promises more than was written, as a crash
    // mid-append leaves it.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(&[200, 0, 0, 0, 1, 2, 3, 4, 3, 9, 9]).unwrap();
    drop(f);
    let store = EmbeddedStore::open(dir.path(), EmbeddedConfig::default()).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), good_len);
    assert_eq!(store.current_revision().await.unwrap(), last.mod_revision);
    let c = store.create("/k/c", b("c")).await.unwrap();
    assert_eq!(c.mod_revision, last.mod_revision + 1);
    drop(store);
    let store = EmbeddedStore::open(dir.path(), EmbeddedConfig::default()).unwrap();
    let keys: Vec<_> = store
        .list("/k/", ListOptions::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|kv| kv.key)
        .collect();
    assert_eq!(keys, ["/k/a", "/k/b", "/k/c"]);
}

/// A data dir whose store rewrites its log past 4 KiB, and the log's path.
fn small_log() -> (tempfile::TempDir, EmbeddedConfig, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = EmbeddedConfig {
        snapshot_min_bytes: 4096,
        ..Default::default()
    };
    let path = dir.path().join(FILE_NAME);
    (dir, config, path)
}

/// Reopens the store in `dir` and checks that it is at `revision` and holds
/// exactly `items` under `/k/`.
async fn reopen_holds(
    dir: &std::path::Path,
    config: EmbeddedConfig,
    revision: storage::Revision,
    items: &[storage::KeyValue],
) -> EmbeddedStore {
    let store = EmbeddedStore::open(dir, config).expect("reopen the store");
    let current = store.current_revision().await.expect("current revision");
    assert_eq!(current, revision);
    let listed = store.list("/k/", ListOptions::default()).await;
    assert_eq!(listed.expect("list").items, items);
    store
}

#[tokio::test]
async fn snapshot_rewrite_keeps_everything() {
    let (dir, config, path) = small_log();
    let mut expected = Vec::new();
    let mut peak = 0;
    let last_rev = {
        let store = EmbeddedStore::open(dir.path(), config.clone()).unwrap();
        let value = Bytes::from(vec![b'x'; 300]);
        let mut last = 0;
        for round in 0..20 {
            for i in 0..5 {
                let key = format!("/k/{i}");
                let kv = match store.get(&key).await.unwrap() {
                    None => store.create(&key, value.clone()).await.unwrap(),
                    Some(kv) => store
                        .update(&key, kv.mod_revision, Bytes::from(format!("{round}")))
                        .await
                        .unwrap(),
                };
                last = kv.mod_revision;
                peak = peak.max(std::fs::metadata(&path).unwrap().len());
            }
        }
        expected.extend(
            store
                .list("/k/", ListOptions::default())
                .await
                .unwrap()
                .items,
        );
        last
    };
    assert!(!dir.path().join("store.db.tmp").exists());
    // 100 writes of >= 300 bytes would exceed 30 KB without rewrites.
    assert!(peak < 16 * 1024, "file grew to {peak} bytes");
    let store = reopen_holds(dir.path(), config, last_rev, &expected).await;
    let next = store.create("/k/new", b("n")).await.unwrap();
    assert_eq!(next.mod_revision, last_rev + 1);
}

/// A rewrite is due when dead records are half the file: a log of creates
/// only is all live data and never rewritten (that would copy it and free
/// nothing); replacing the values makes the old ones dead and triggers it.
#[tokio::test]
async fn only_dead_records_trigger_a_rewrite() {
    let (dir, config, path) = small_log();
    let store = EmbeddedStore::open(dir.path(), config.clone()).unwrap();
    let value = Bytes::from(vec![b'x'; 300]);
    for i in 0..100 {
        store
            .create(&format!("/k/{i}"), value.clone())
            .await
            .unwrap();
    }
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len > 30_000, "{len} bytes");
    assert_eq!(store.rewrites(), 0, "a log of live data only was rewritten");
    // Shrink every value: the 300-byte ones become dead records.
    for i in 0..100 {
        let key = format!("/k/{i}");
        let kv = store.get(&key).await.unwrap().unwrap();
        store.update(&key, kv.mod_revision, b("y")).await.unwrap();
    }
    assert!(store.rewrites() >= 1);
    let after = std::fs::metadata(&path).unwrap().len();
    assert!(after < len, "{after} bytes after a rewrite, {len} before");
    let items = store
        .list("/k/", ListOptions::default())
        .await
        .unwrap()
        .items;
    let revision = store.current_revision().await.unwrap();
    drop(store);
    reopen_holds(dir.path(), config, revision, &items).await;
    assert!(items.iter().all(|kv| kv.value == b("y")));
}

#[tokio::test]
async fn history_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let config = EmbeddedConfig {
        history_limit: 5,
        ..Default::default()
    };
    let store = EmbeddedStore::open(dir.path(), config).unwrap();
    let mut revs = Vec::new();
    for i in 0..10 {
        revs.push(
            store
                .create(&format!("/k/{i}"), b("v"))
                .await
                .unwrap()
                .mod_revision,
        );
    }
    match store.watch("/k/", revs[2]).await {
        Err(StoreError::Expired { requested, oldest }) => {
            assert_eq!(requested, revs[2]);
            assert_eq!(oldest, revs[4]);
        }
        other => panic!("expected Expired, got {:?}", other.map(|_| ())),
    }
    let past = ListOptions {
        revision: Some(revs[3]),
        ..Default::default()
    };
    assert!(matches!(
        store.list("/k/", past).await,
        Err(StoreError::Expired { .. })
    ));
    assert_eq!(store.oldest_revision(), revs[4]);
    let mut w = store.watch("/k/", revs[4]).await.unwrap();
    assert_eq!(next_event(&mut w).await.revision(), revs[5]);
    let at = ListOptions {
        revision: Some(revs[4]),
        ..Default::default()
    };
    assert_eq!(store.list("/k/", at).await.unwrap().items.len(), 5);
}

#[tokio::test]
async fn slow_watcher_is_cut_off_without_blocking_others() {
    let dir = tempfile::tempdir().unwrap();
    let config = EmbeddedConfig {
        watch_queue: 4,
        ..Default::default()
    };
    let store = EmbeddedStore::open(dir.path(), config).unwrap();
    let r0 = store.current_revision().await.unwrap();
    let mut slow = store.watch("/k/", r0).await.unwrap();
    let mut fast = store.watch("/k/", r0).await.unwrap();
    for i in 0..20 {
        let kv = store.create(&format!("/k/{i}"), b("v")).await.unwrap();
        // Events are queued before the write is acknowledged.
        assert_eq!(next_event(&mut fast).await.kv, kv);
    }
    // The slow watcher got what fitted in its queue, then its stream ended.
    let mut got = 0;
    while let Some(item) = slow.next().await {
        item.unwrap();
        got += 1;
    }
    assert_eq!(got, 4);
    let kv = store.create("/k/after", b("v")).await.unwrap();
    assert_eq!(next_event(&mut fast).await.kv, kv);
}

#[tokio::test]
async fn second_open_of_the_same_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), EmbeddedConfig::default()).unwrap();
    match EmbeddedStore::open(dir.path(), EmbeddedConfig::default()) {
        Err(StoreError::Backend(msg)) => assert!(msg.contains("already open"), "{msg}"),
        other => panic!("expected a lock error, got {other:?}"),
    }
    drop(store);
    EmbeddedStore::open(dir.path(), EmbeddedConfig::default()).unwrap();
}

#[tokio::test]
async fn watches_end_when_the_store_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = storage::open_embedded(dir.path()).unwrap();
    let mut w = store.watch("/k/", 0).await.unwrap();
    store.create("/k/a", b("a")).await.unwrap();
    assert_eq!(next_event(&mut w).await.kv.key, "/k/a");
    drop(store);
    let end = tokio::time::timeout(std::time::Duration::from_secs(10), w.next()).await;
    assert!(matches!(end, Ok(None)), "stream should end");
}

#[test]
fn a_file_that_is_not_a_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(FILE_NAME), b"hello, world").unwrap();
    match EmbeddedStore::open(dir.path(), EmbeddedConfig::default()) {
        Err(StoreError::Backend(msg)) => assert!(msg.contains("not an rkube store"), "{msg}"),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// After a shared commit the writer waits `commit_delay` for more writes,
/// so a burst of concurrent creates shares one fsync; a lone write after a
/// lone write never waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_delay_groups_a_burst_into_one_commit() {
    let dir = tempfile::tempdir().unwrap();
    let config = EmbeddedConfig {
        commit_delay: std::time::Duration::from_millis(300),
        commit_siblings: 1,
        ..Default::default()
    };
    let store = Arc::new(EmbeddedStore::open(dir.path(), config).unwrap());
    store.create("/k/first", b("1")).await.unwrap();
    let before = store.commits();
    assert_eq!(before, 1);
    let burst = (0..16).map(|i| {
        let store = store.clone();
        tokio::spawn(async move { store.create(&format!("/k/{i}"), b("x")).await })
    });
    for r in futures::future::join_all(burst).await {
        r.unwrap().unwrap();
    }
    // All 16 fit one wait (two commits if the first was taken before the
    // others were sent); without the delay each could be its own.
    let used = store.commits() - before;
    assert!(used <= 2, "16 concurrent creates took {used} commits");

    let lone = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(
        lone.path(),
        EmbeddedConfig {
            commit_delay: std::time::Duration::from_secs(3600),
            commit_siblings: 2,
            ..Default::default()
        },
    )
    .unwrap();
    // Sequential writes commit one by one and never wait the hour.
    for i in 0..5 {
        store.create(&format!("/k/{i}"), b("x")).await.unwrap();
    }
    assert_eq!(store.commits(), 5);
}
