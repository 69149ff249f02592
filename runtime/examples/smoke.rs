//! Exercises the runtime against a live API server (the one `KUBECONFIG` points at):
//! paginated list + watch, a controller, events, a finalizer and leader election.
//!
//! ```sh
//! rkube up --data-dir /tmp/rkube &
//! KUBECONFIG=/tmp/rkube/kubeconfig cargo run -p rkube-runtime --example smoke
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Event as CoreEvent, Namespace};
use rkube_client::{Api, Client, DeleteParams, PostParams};
use rkube_runtime::events::{EventType, Recorder, Reporter};
use rkube_runtime::leader::{LeaderElectionConfig, LeaderElector, LeaseLock};
use rkube_runtime::watcher::{self, Event};
use rkube_runtime::{Action, Controller, ObjectRef, finalizer, wait};

const NS: &str = "runtime-smoke";

fn cm(name: &str, value: &str) -> ConfigMap {
    let mut c = ConfigMap::default();
    c.metadata.name = Some(name.into());
    c.metadata.namespace = Some(NS.into());
    c.data = Some([("v".to_string(), value.to_string())].into());
    c
}

#[derive(Debug, thiserror::Error)]
#[error("never")]
struct Never;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let client = Client::try_default().await?;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut ns = Namespace::default();
    ns.metadata.name = Some(NS.into());
    match namespaces.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(e) if e.is_already_exists() => {}
        Err(e) => return Err(e.into()),
    }
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    for i in 0..5 {
        let _ = cms.delete(&format!("c{i}"), &DeleteParams::default()).await;
    }
    for i in 0..5 {
        cms.create(&PostParams::default(), &cm(&format!("c{i}"), "0"))
            .await?;
    }

    // 1. Watcher: pages of 2, then live events.
    let config = watcher::Config::default().page_size(Some(2));
    let mut events = Box::pin(watcher::watcher(cms.clone(), config));
    let mut listed = 0;
    loop {
        match events.next().await.expect("endless")? {
            Event::InitApply(_) => listed += 1,
            Event::InitDone => break,
            _ => {}
        }
    }
    println!("watcher listed {listed} config maps in pages of 2");
    cms.replace("c0", &PostParams::default(), &{
        let mut c = cms.get("c0").await?;
        c.data = Some([("v".to_string(), "1".to_string())].into());
        c
    })
    .await?;
    loop {
        if let Event::Apply(c) = events.next().await.expect("endless")?
            && c.metadata.name.as_deref() == Some("c0")
        {
            println!("watcher saw the update of c0");
            break;
        }
    }
    drop(events);

    // 1b. Watches the server ends (timeoutSeconds=1) are resumed without relisting.
    let config = watcher::Config::default().timeout(1);
    let mut events = Box::pin(watcher::watcher(cms.clone(), config));
    while !matches!(events.next().await.expect("endless")?, Event::InitDone) {}
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut c3 = cms.get("c3").await?;
    c3.data = Some([("v".to_string(), "resumed".to_string())].into());
    cms.replace("c3", &PostParams::default(), &c3).await?;
    let seen = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.next().await.expect("endless") {
                Ok(Event::Apply(c)) if c.metadata.name.as_deref() == Some("c3") => return Ok(()),
                Ok(Event::Init) => return Err("relisted instead of resuming"),
                _ => {}
            }
        }
    })
    .await?;
    seen.map_err(anyhow::Error::msg)?;
    println!("watcher resumed server-ended watches without relisting");
    drop(events);

    // 2. A controller.
    let count = Arc::new(AtomicUsize::new(0));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = Controller::new(cms.clone(), watcher::Config::default()).shutdown_on(async {
        let _ = stopped.await;
    });
    let counter = Arc::clone(&count);
    let handle = tokio::spawn(controller.run(
        move |_c: Arc<ConfigMap>, _ctx: Arc<()>| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Never>(Action::await_change())
            }
        },
        |_c, _e: &Never, _ctx| Action::await_change(),
        Arc::new(()),
    ));
    tokio::time::timeout(Duration::from_secs(10), async {
        while count.load(Ordering::SeqCst) < 5 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await?;
    cms.create(&PostParams::default(), &cm("c5", "0")).await?;
    tokio::time::timeout(Duration::from_secs(10), async {
        while count.load(Ordering::SeqCst) < 6 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await?;
    stop.send(()).ok();
    handle.await?;
    println!(
        "controller reconciled {} times",
        count.load(Ordering::SeqCst)
    );
    cms.delete("c5", &DeleteParams::default()).await?;

    // 3. Events, aggregated.
    let recorder = Recorder::new(client.clone(), Reporter::new("runtime-smoke"));
    let c1 = cms.get("c1").await?;
    for _ in 0..3 {
        recorder
            .publish_for(&c1, EventType::Normal, "Smoke", "hello")
            .await?;
    }
    let core_events: Api<CoreEvent> = Api::namespaced(client.clone(), NS);
    let list = core_events.list(&Default::default()).await?;
    let ours: Vec<_> = list
        .items
        .iter()
        .filter(|e| e.reason.as_deref() == Some("Smoke"))
        .collect();
    println!(
        "events: {} object(s), counts {:?}",
        ours.len(),
        ours.iter().map(|e| e.count).collect::<Vec<_>>()
    );

    // 4. Finalizer: add, then clean up on delete.
    let obj = Arc::new(cms.get("c2").await?);
    finalizer::finalizer(&cms, "smoke.rkube.io/cleanup", obj, |_| async {
        Ok::<_, Never>(Action::await_change())
    })
    .await?;
    let with = cms.get("c2").await?;
    println!("finalizers after add: {:?}", with.metadata.finalizers);
    cms.delete("c2", &DeleteParams::default()).await?;
    let deleting = Arc::new(cms.get("c2").await?);
    println!(
        "deletionTimestamp set: {}",
        deleting.metadata.deletion_timestamp.is_some()
    );
    let uid = deleting.metadata.uid.clone().unwrap_or_default();
    finalizer::finalizer(&cms, "smoke.rkube.io/cleanup", deleting, |e| async move {
        assert!(matches!(e, finalizer::Event::Cleanup(_)));
        Ok::<_, Never>(Action::await_change())
    })
    .await?;
    tokio::time::timeout(
        Duration::from_secs(10),
        wait::await_condition(
            cms.clone(),
            "c2",
            wait::conditions::is_deleted::<ConfigMap>(&uid),
        ),
    )
    .await??;
    println!("c2 is gone after the finalizer was removed");

    // 5. Leader election: a takes the lease, dies; b takes over.
    let config = LeaderElectionConfig::default();
    let lock = |id: &str| LeaseLock::new(NS, "smoke-lease").with_identity(id);
    let a = LeaderElector::new(client.clone(), lock("a"), config.clone());
    let mut a_leader = a.subscribe();
    let a_task = tokio::spawn(a.run(futures::future::pending::<()>(), |t| async move {
        t.cancelled().await
    }));
    a_leader.wait_for(|l| *l).await?;
    println!("a leads");
    let b = LeaderElector::new(client.clone(), lock("b"), config);
    let mut b_leader = b.subscribe();
    let (b_stop, b_stopped) = tokio::sync::oneshot::channel::<()>();
    let b_task = tokio::spawn(b.run(
        async {
            let _ = b_stopped.await;
        },
        |t| async move { t.cancelled().await },
    ));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!*b_leader.borrow());
    a_task.abort();
    let started = tokio::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(15), b_leader.wait_for(|l| *l)).await??;
    println!("b took over after {:?}", started.elapsed());
    b_stop.send(()).ok();
    b_task.await??;
    let _ = ObjectRef::<ConfigMap>::new("unused");
    println!("smoke OK");
    Ok(())
}
