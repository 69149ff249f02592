//! Controller tests against [`FakeApi`]s, in paused time.

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::Instant;

use super::*;
use crate::fake::FakeApi;

#[derive(Debug, thiserror::Error)]
#[error("reconcile failed on purpose")]
struct Boom;

/// What the test reconcilers report and how they behave.
#[derive(Default)]
struct Ctx {
    seen: Mutex<Vec<(String, Instant)>>,
    running: Mutex<HashMap<String, usize>>,
    max_parallel_same_key: Mutex<usize>,
    max_parallel: Mutex<usize>,
    /// How long each reconcile takes.
    work: Mutex<Duration>,
    /// Reconcile fails this many times first.
    failures_left: Mutex<usize>,
    /// The action to return.
    action: Mutex<Option<Action>>,
    policy_calls: Mutex<usize>,
    notify: Notify,
}

impl Ctx {
    fn seen_names(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    fn count(&self, name: &str) -> usize {
        self.seen_names().iter().filter(|n| *n == name).count()
    }

    /// Waits (paused time: 10 minutes of it at most) until `cond` holds.
    async fn wait_for(&self, mut cond: impl FnMut(&Self) -> bool) {
        tokio::time::timeout(Duration::from_secs(600), async {
            loop {
                let notified = self.notify.notified();
                if cond(self) {
                    return;
                }
                notified.await;
            }
        })
        .await
        .expect("condition not reached");
    }
}

async fn reconcile<K: Object>(obj: Arc<K>, ctx: Arc<Ctx>) -> Result<Action, Boom> {
    let name = obj.metadata().name.clone().unwrap_or_default();
    {
        let mut running = ctx.running.lock().unwrap();
        let n = running.entry(name.clone()).or_default();
        *n += 1;
        let same = *n;
        let total: usize = running.values().sum();
        let mut m = ctx.max_parallel_same_key.lock().unwrap();
        *m = (*m).max(same);
        let mut t = ctx.max_parallel.lock().unwrap();
        *t = (*t).max(total);
    }
    let work = *ctx.work.lock().unwrap();
    if !work.is_zero() {
        tokio::time::sleep(work).await;
    }
    *ctx.running.lock().unwrap().get_mut(&name).unwrap() -= 1;
    ctx.seen.lock().unwrap().push((name, Instant::now()));
    ctx.notify.notify_waiters();
    let fail = {
        let mut left = ctx.failures_left.lock().unwrap();
        let fail = *left > 0;
        *left = left.saturating_sub(1);
        fail
    };
    if fail {
        return Err(Boom);
    }
    Ok(ctx
        .action
        .lock()
        .unwrap()
        .unwrap_or_else(Action::await_change))
}

fn error_policy<K: Object>(_obj: Arc<K>, _e: &Boom, ctx: Arc<Ctx>) -> Action {
    *ctx.policy_calls.lock().unwrap() += 1;
    Action::requeue_rate_limited()
}

fn cm(name: &str) -> ConfigMap {
    let mut c = ConfigMap::default();
    c.metadata.name = Some(name.into());
    c.metadata.namespace = Some("ns".into());
    c
}

fn rs(name: &str) -> ReplicaSet {
    let mut r = ReplicaSet::default();
    r.metadata.name = Some(name.into());
    r.metadata.namespace = Some("ns".into());
    r.metadata.uid = Some(format!("uid-{name}"));
    r
}

fn pod(name: &str, owner: Option<(&str, bool)>) -> Pod {
    let mut p = Pod::default();
    p.metadata.name = Some(name.into());
    p.metadata.namespace = Some("ns".into());
    p.metadata.owner_references = owner.map(|(rs, controller)| {
        vec![OwnerReference {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: rs.into(),
            uid: format!("uid-{rs}"),
            controller: Some(controller),
            ..OwnerReference::default()
        }]
    });
    p
}

/// Starts `controller` on a task; returns the handle that stops it and its join handle.
fn start<K: Object>(
    controller: Controller<K>,
    ctx: &Arc<Ctx>,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let controller = controller.shutdown_on(async move {
        let _ = stopped.await;
    });
    let handle = tokio::spawn(controller.run(reconcile::<K>, error_policy::<K>, Arc::clone(ctx)));
    (stop, handle)
}

#[tokio::test(start_paused = true)]
async fn reconciles_listed_and_new_objects() {
    let api = FakeApi::<ConfigMap>::new();
    api.apply(cm("a"));
    api.apply(cm("b"));
    let ctx = Arc::new(Ctx::default());
    let (stop, handle) = start(
        Controller::new(api.clone(), watcher::Config::default()),
        &ctx,
    );
    ctx.wait_for(|c| c.count("a") == 1 && c.count("b") == 1)
        .await;
    api.apply(cm("c"));
    ctx.wait_for(|c| c.count("c") == 1).await;
    stop.send(()).unwrap();
    handle.await.unwrap();
    assert_eq!(ctx.seen_names().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn child_changes_reconcile_their_controller_owner() {
    let rss = FakeApi::<ReplicaSet>::new();
    let pods = FakeApi::<Pod>::new();
    rss.apply(rs("web"));
    rss.apply(rs("db"));
    let ctx = Arc::new(Ctx::default());
    let controller = Controller::new(rss.clone(), watcher::Config::default())
        .owns(pods.clone(), watcher::Config::default());
    let pod_store = controller
        .store_for::<Pod>()
        .expect("owned kind has a store");
    assert!(controller.store_for::<Secret>().is_none());
    let (stop, handle) = start(controller, &ctx);
    ctx.wait_for(|c| c.count("web") == 1 && c.count("db") == 1)
        .await;

    pods.apply(pod("web-1", Some(("web", true))));
    ctx.wait_for(|c| c.count("web") == 2).await;
    // A pod whose owner is not its controller, and an orphan, trigger nothing.
    pods.apply(pod("x", Some(("db", false))));
    pods.apply(pod("y", None));
    // Deleting the controlled pod triggers its owner again.
    pods.delete(Some("ns"), "web-1");
    ctx.wait_for(|c| c.count("web") == 3).await;
    assert_eq!(ctx.count("db"), 1);
    assert_eq!(pod_store.len(), 2);

    // Re-parenting a pod reconciles both the old and the new owner.
    pods.apply(pod("x", Some(("db", true))));
    ctx.wait_for(|c| c.count("db") == 2).await;
    pods.apply(pod("x", Some(("web", true))));
    ctx.wait_for(|c| c.count("db") == 3 && c.count("web") == 4)
        .await;
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn watched_kinds_map_through_the_mapper() {
    let cms = FakeApi::<ConfigMap>::new();
    let secrets = FakeApi::<Secret>::new();
    cms.apply(cm("app"));
    let ctx = Arc::new(Ctx::default());
    let controller = Controller::new(cms.clone(), watcher::Config::default()).watches(
        secrets.clone(),
        watcher::Config::default(),
        |s: &Secret| {
            // A secret named "<cm>-secret" concerns the config map "<cm>".
            let name = s.metadata.name.as_deref().unwrap_or_default();
            name.strip_suffix("-secret")
                .map(|cm| ObjectRef::new(cm).within("ns"))
        },
    );
    let (stop, handle) = start(controller, &ctx);
    ctx.wait_for(|c| c.count("app") == 1).await;
    let mut s = Secret::default();
    s.metadata.name = Some("app-secret".into());
    s.metadata.namespace = Some("ns".into());
    secrets.apply(s);
    ctx.wait_for(|c| c.count("app") == 2).await;
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn one_key_is_never_in_two_workers_and_changes_during_a_reconcile_are_not_lost() {
    let api = FakeApi::<ConfigMap>::new();
    for i in 0..6 {
        api.apply(cm(&format!("c{i}")));
    }
    let ctx = Arc::new(Ctx::default());
    *ctx.work.lock().unwrap() = Duration::from_secs(1);
    let controller = Controller::new(api.clone(), watcher::Config::default()).concurrency(3);
    let (stop, handle) = start(controller, &ctx);
    ctx.wait_for(|c| c.seen_names().len() == 6).await;
    // Hammer one object while it is being reconciled.
    api.apply(cm("c0"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..5 {
        api.apply(cm("c0"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The last change came during the second reconcile: a third one runs.
    ctx.wait_for(|c| c.count("c0") == 3).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(ctx.count("c0"), 3, "changes during a reconcile coalesce");
    assert_eq!(*ctx.max_parallel_same_key.lock().unwrap(), 1);
    assert_eq!(
        *ctx.max_parallel.lock().unwrap(),
        3,
        "three workers ran in parallel"
    );
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn requeue_after_reconciles_again_after_the_delay() {
    let api = FakeApi::<ConfigMap>::new();
    api.apply(cm("a"));
    let ctx = Arc::new(Ctx::default());
    *ctx.action.lock().unwrap() = Some(Action::requeue(Duration::from_secs(30)));
    let (stop, handle) = start(
        Controller::new(api.clone(), watcher::Config::default()),
        &ctx,
    );
    ctx.wait_for(|c| c.count("a") == 3).await;
    let times: Vec<Instant> = ctx.seen.lock().unwrap().iter().map(|(_, t)| *t).collect();
    assert_eq!(times[1] - times[0], Duration::from_secs(30));
    assert_eq!(times[2] - times[1], Duration::from_secs(30));
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn errors_go_through_the_error_policy_with_exponential_retries() {
    let api = FakeApi::<ConfigMap>::new();
    api.apply(cm("a"));
    let ctx = Arc::new(Ctx::default());
    *ctx.failures_left.lock().unwrap() = 4;
    let controller = Controller::new(api.clone(), watcher::Config::default());
    let queue = controller.queue();
    let metrics = controller.metrics();
    let (stop, handle) = start(controller, &ctx);
    ctx.wait_for(|c| c.count("a") == 5).await;
    tokio::task::yield_now().await;
    assert_eq!((metrics.reconciles(), metrics.errors()), (5, 4));
    assert_eq!(*ctx.policy_calls.lock().unwrap(), 4);
    let times: Vec<Instant> = ctx.seen.lock().unwrap().iter().map(|(_, t)| *t).collect();
    let gaps: Vec<u128> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis())
        .collect();
    assert_eq!(gaps, [5, 10, 20, 40]);
    // The success reset the retry count.
    assert_eq!(queue.num_requeues(&ObjectRef::new("a").within("ns")), 0);
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn references_to_objects_gone_from_the_store_are_skipped() {
    let api = FakeApi::<ConfigMap>::new();
    api.apply(cm("a"));
    let ctx = Arc::new(Ctx::default());
    let controller = Controller::new(api.clone(), watcher::Config::default());
    let queue = controller.queue();
    let metrics = controller.metrics();
    let (stop, handle) = start(controller, &ctx);
    ctx.wait_for(|c| c.count("a") == 1).await;
    queue.add(ObjectRef::new("ghost").within("ns"));
    queue.add(ObjectRef::new("a").within("ns"));
    ctx.wait_for(|c| c.count("a") == 2).await;
    assert_eq!(ctx.count("ghost"), 0);
    assert_eq!(metrics.skipped(), 1);
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn waits_for_every_store_before_reconciling() {
    let rss = FakeApi::<ReplicaSet>::new();
    let pods = FakeApi::<Pod>::new();
    rss.apply(rs("web"));
    pods.apply(pod("web-1", Some(("web", true))));
    for _ in 0..3 {
        pods.fail_next_list(rkube_client::Error::Timeout(Duration::from_secs(1)));
    }
    let ctx = Arc::new(Ctx::default());
    let controller = Controller::new(rss.clone(), watcher::Config::default())
        .owns(pods.clone(), watcher::Config::default());
    let pod_store = controller.store_for::<Pod>().unwrap();
    let start_time = Instant::now();
    let (stop, handle) = start(controller, &ctx);
    ctx.wait_for(|c| c.count("web") >= 1).await;
    assert!(pod_store.is_ready());
    assert_eq!(pods.list_calls(), 4);
    let first = ctx.seen.lock().unwrap()[0].1;
    // Three failed pod lists back off (0.8 s, 1.6 s, 3.2 s less jitter) before the reconcile.
    assert!(
        first - start_time >= Duration::from_millis(2800),
        "{:?}",
        first - start_time
    );
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_running_reconciles_finish_and_starts_no_more() {
    let api = FakeApi::<ConfigMap>::new();
    api.apply(cm("a"));
    let ctx = Arc::new(Ctx::default());
    *ctx.work.lock().unwrap() = Duration::from_secs(5);
    let (stop, handle) = start(
        Controller::new(api.clone(), watcher::Config::default()),
        &ctx,
    );
    // Wait until the reconcile of "a" is running.
    tokio::time::timeout(Duration::from_secs(60), async {
        while ctx.running.lock().unwrap().get("a").copied().unwrap_or(0) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    let stopped_at = Instant::now();
    stop.send(()).unwrap();
    api.apply(cm("b"));
    handle.await.unwrap();
    // run() returned only once the running reconcile had finished...
    assert_eq!(ctx.seen_names(), ["a"]);
    assert!(Instant::now() - stopped_at >= Duration::from_secs(4));
    // ...and nothing was started after the signal.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(ctx.seen_names(), ["a"]);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_reconcile_is_retried() {
    let api = FakeApi::<ConfigMap>::new();
    api.apply(cm("a"));
    let calls = Arc::new(Mutex::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let controller = Controller::new(api.clone(), watcher::Config::default()).shutdown_on(async {
        let _ = stopped.await;
    });
    let counter = Arc::clone(&calls);
    let handle = tokio::spawn(controller.run(
        move |_cm: Arc<ConfigMap>, _ctx: Arc<()>| {
            let counter = Arc::clone(&counter);
            let tx = tx.clone();
            async move {
                let n = {
                    let mut c = counter.lock().unwrap();
                    *c += 1;
                    *c
                };
                tx.send(n).unwrap();
                assert!(n > 1, "first reconcile panics");
                Ok::<_, Boom>(Action::await_change())
            }
        },
        |_cm, _e: &Boom, _ctx| Action::await_change(),
        Arc::new(()),
    ));
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    stop.send(()).unwrap();
    handle.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn controllers_can_share_informers() {
    use crate::informer::Informer;
    let rss = FakeApi::<ReplicaSet>::new();
    let pods = FakeApi::<Pod>::new();
    rss.apply(rs("web"));
    let pod_informer = Informer::spawn(
        pods.clone(),
        watcher::Config::default(),
        StoreBuilder::new().with_default_indexes(),
    );
    let rs_informer = Informer::spawn(rss.clone(), watcher::Config::default(), StoreBuilder::new());
    let ctx1 = Arc::new(Ctx::default());
    let ctx2 = Arc::new(Ctx::default());
    let c1 = Controller::new_shared(&rs_informer).owns_shared(&pod_informer);
    let c2 = Controller::new(rss.clone(), watcher::Config::default()).owns_shared(&pod_informer);
    assert!(c1.store_for::<Pod>().is_some());
    // The controllers keep the informers alive.
    drop(pod_informer);
    drop(rs_informer);
    let (stop1, h1) = start(c1, &ctx1);
    let (stop2, h2) = start(c2, &ctx2);
    ctx1.wait_for(|c| c.count("web") == 1).await;
    ctx2.wait_for(|c| c.count("web") == 1).await;
    pods.apply(pod("web-1", Some(("web", true))));
    ctx1.wait_for(|c| c.count("web") == 2).await;
    ctx2.wait_for(|c| c.count("web") == 2).await;
    pods.delete(Some("ns"), "web-1");
    ctx1.wait_for(|c| c.count("web") == 3).await;
    ctx2.wait_for(|c| c.count("web") == 3).await;
    // One pod watch for both controllers.
    assert_eq!(pods.watch_calls(), 1);
    for (stop, h) in [(stop1, h1), (stop2, h2)] {
        stop.send(()).unwrap();
        h.await.unwrap();
    }
}
