//! Leader election decisions against a fake Lease API, in paused time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use tokio::sync::oneshot;

use super::*;

/// One Lease "server": resource versions and compare-and-swap like the API server's.
#[derive(Clone, Default)]
struct Server {
    lease: Arc<Mutex<Option<Lease>>>,
    rv: Arc<Mutex<u64>>,
}

impl Server {
    fn lease(&self) -> Option<Lease> {
        self.lease.lock().unwrap().clone()
    }

    fn spec(&self) -> LeaseSpec {
        self.lease().and_then(|l| l.spec).unwrap_or_default()
    }

    fn connect(&self) -> Conn {
        Conn {
            server: self.clone(),
            down: Arc::new(AtomicBool::new(false)),
        }
    }

    fn bump(&self, lease: &mut Lease) {
        let mut rv = self.rv.lock().unwrap();
        *rv += 1;
        lease.metadata.resource_version = Some(rv.to_string());
    }
}

fn status(code: i32, reason: &str) -> rkube_client::Error {
    rkube_client::Error::Api(Box::new(Status {
        code: Some(code),
        reason: Some(reason.into()),
        ..Status::default()
    }))
}

/// A candidate's connection to the server, which a test can cut.
#[derive(Clone)]
struct Conn {
    server: Server,
    down: Arc<AtomicBool>,
}

impl Conn {
    fn check(&self) -> rkube_client::Result<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(rkube_client::Error::Timeout(Duration::from_secs(1)))
        } else {
            Ok(())
        }
    }
}

impl LeaseApi for Conn {
    fn get<'a>(
        &'a self,
        _ns: &'a str,
        _name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<Option<Lease>>> {
        let r = self.check().map(|()| self.server.lease());
        futures::future::ready(r).boxed()
    }

    fn create<'a>(
        &'a self,
        _ns: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>> {
        let r = self.check().and_then(|()| {
            let mut current = self.server.lease.lock().unwrap();
            if current.is_some() {
                return Err(status(409, "AlreadyExists"));
            }
            let mut lease = lease.clone();
            self.server.bump(&mut lease);
            *current = Some(lease.clone());
            Ok(lease)
        });
        futures::future::ready(r).boxed()
    }

    fn replace<'a>(
        &'a self,
        _ns: &'a str,
        lease: &'a Lease,
    ) -> BoxFuture<'a, rkube_client::Result<Lease>> {
        let r = self.check().and_then(|()| {
            let mut current = self.server.lease.lock().unwrap();
            let Some(cur) = current.as_ref() else {
                return Err(status(404, "NotFound"));
            };
            if lease.metadata.resource_version.is_none()
                || cur.metadata.resource_version != lease.metadata.resource_version
            {
                return Err(status(409, "Conflict"));
            }
            let mut lease = lease.clone();
            self.server.bump(&mut lease);
            *current = Some(lease.clone());
            Ok(lease)
        });
        futures::future::ready(r).boxed()
    }
}

/// Who led when: (identity, start, end).
type Timeline = Arc<Mutex<Vec<(String, Instant, Option<Instant>)>>>;

struct Candidate {
    conn: Conn,
    is_leader: watch::Receiver<bool>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), Error>>,
}

fn candidate(server: &Server, identity: &str, timeline: &Timeline) -> Candidate {
    let conn = server.connect();
    let lock = LeaseLock::new("kube-system", "rkube-controller-manager").with_identity(identity);
    let elector = LeaderElector::new(conn.clone(), lock, LeaderElectionConfig::default());
    let is_leader = elector.subscribe();
    let (stop, stopped) = oneshot::channel::<()>();
    let timeline = Arc::clone(timeline);
    let id = identity.to_owned();
    let task = tokio::spawn(elector.run(
        async move {
            let _ = stopped.await;
        },
        move |leading| {
            let timeline = Arc::clone(&timeline);
            let id = id.clone();
            async move {
                let i = {
                    let mut t = timeline.lock().unwrap();
                    t.push((id, Instant::now(), None));
                    t.len() - 1
                };
                leading.cancelled().await;
                timeline.lock().unwrap()[i].2 = Some(Instant::now());
            }
        },
    ));
    Candidate {
        conn,
        is_leader,
        stop: Some(stop),
        task,
    }
}

async fn until_leader(c: &mut Candidate, limit: Duration) -> Duration {
    let start = Instant::now();
    tokio::time::timeout(limit, c.is_leader.wait_for(|l| *l))
        .await
        .expect("did not become leader in time")
        .unwrap();
    start.elapsed()
}

/// No two leading periods overlap.
fn assert_no_overlap(timeline: &Timeline) {
    let t = timeline.lock().unwrap();
    for (i, a) in t.iter().enumerate() {
        for b in t.iter().skip(i + 1) {
            let a_end = a.2.unwrap_or(Instant::now());
            let b_end = b.2.unwrap_or(Instant::now());
            assert!(
                a_end <= b.1 || b_end <= a.1,
                "{} and {} led at once",
                a.0,
                b.0
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn acquires_a_free_lease_at_once_and_renews_it() {
    let server = Server::default();
    let timeline = Timeline::default();
    let mut a = candidate(&server, "a", &timeline);
    assert_eq!(
        until_leader(&mut a, Duration::from_secs(1)).await,
        Duration::ZERO
    );
    let spec = server.spec();
    assert_eq!(spec.holder_identity.as_deref(), Some("a"));
    assert_eq!(spec.lease_duration_seconds, Some(10));
    assert_eq!(spec.lease_transitions, Some(0));
    assert!(spec.acquire_time.is_some() && spec.renew_time.is_some());
    let rv = *server.rv.lock().unwrap();
    tokio::time::sleep(Duration::from_secs(21)).await;
    // Renewed every 2 s, by CAS writes.
    assert_eq!(*server.rv.lock().unwrap(), rv + 10);
    assert_eq!(server.spec().lease_transitions, Some(0));
    assert!(*a.is_leader.borrow());
    a.stop.take().unwrap().send(()).unwrap();
    a.task.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn exactly_one_of_several_candidates_leads() {
    let server = Server::default();
    let timeline = Timeline::default();
    let mut cs: Vec<Candidate> = ["a", "b", "c"]
        .iter()
        .map(|id| candidate(&server, id, &timeline))
        .collect();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let leaders = cs.iter().filter(|c| *c.is_leader.borrow()).count();
    assert_eq!(leaders, 1);
    assert_eq!(timeline.lock().unwrap().len(), 1);
    for c in &mut cs {
        c.stop.take().unwrap().send(()).unwrap();
    }
    for c in cs {
        c.task.await.unwrap().unwrap();
    }
    assert_no_overlap(&timeline);
}

#[tokio::test(start_paused = true)]
async fn another_candidate_takes_over_within_15s_of_the_leader_dying() {
    let server = Server::default();
    let timeline = Timeline::default();
    let mut a = candidate(&server, "a", &timeline);
    until_leader(&mut a, Duration::from_secs(1)).await;
    let mut b = candidate(&server, "b", &timeline);
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert!(!*b.is_leader.borrow());
    // The leader dies without releasing.
    a.task.abort();
    let took = until_leader(&mut b, Duration::from_secs(15)).await;
    assert!(
        took >= Duration::from_secs(8),
        "took over before the lease could expire: {took:?}"
    );
    let spec = server.spec();
    assert_eq!(spec.holder_identity.as_deref(), Some("b"));
    assert_eq!(spec.lease_transitions, Some(1));
    b.stop.take().unwrap().send(()).unwrap();
    b.task.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_partitioned_leader_steps_down_before_another_takes_over() {
    let server = Server::default();
    let timeline = Timeline::default();
    let mut a = candidate(&server, "a", &timeline);
    until_leader(&mut a, Duration::from_secs(1)).await;
    let mut b = candidate(&server, "b", &timeline);
    tokio::time::sleep(Duration::from_secs(5)).await;
    a.conn.down.store(true, Ordering::SeqCst);
    let cut = Instant::now();
    // `a` gives up within the renew deadline (8 s after its last renewal).
    tokio::time::timeout(Duration::from_secs(9), a.is_leader.wait_for(|l| !*l))
        .await
        .expect("partitioned leader kept leading")
        .unwrap();
    assert!(cut.elapsed() <= Duration::from_secs(8));
    until_leader(&mut b, Duration::from_secs(15)).await;
    assert_no_overlap(&timeline);
    // Healed, `a` sees `b` holding the lease and stays a follower.
    a.conn.down.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(!*a.is_leader.borrow());
    assert!(*b.is_leader.borrow());
    assert_no_overlap(&timeline);
    for mut c in [a, b] {
        c.stop.take().unwrap().send(()).unwrap();
        c.task.await.unwrap().unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_releases_the_lease_for_a_quick_handover() {
    let server = Server::default();
    let timeline = Timeline::default();
    let mut a = candidate(&server, "a", &timeline);
    until_leader(&mut a, Duration::from_secs(1)).await;
    let mut b = candidate(&server, "b", &timeline);
    tokio::time::sleep(Duration::from_secs(5)).await;
    a.stop.take().unwrap().send(()).unwrap();
    a.task.await.unwrap().unwrap();
    assert_eq!(server.spec().holder_identity, None);
    // `b` takes over at its next retry, not after the lease duration.
    let took = until_leader(&mut b, Duration::from_secs(3)).await;
    assert!(took <= Duration::from_millis(2400));
    assert_eq!(server.spec().lease_transitions, Some(1));
    assert_no_overlap(&timeline);
    b.stop.take().unwrap().send(()).unwrap();
    b.task.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_stale_write_is_refused_by_compare_and_swap() {
    let server = Server::default();
    let conn = server.connect();
    let lock = LeaseLock::new("kube-system", "l").with_identity("a");
    let mut a = LeaderElector::new(conn.clone(), lock, LeaderElectionConfig::default());
    assert_eq!(a.try_acquire_or_renew().await, Attempt::Held);
    // Someone overwrites the lease behind our back (a newer resourceVersion).
    let mut lease = server.lease().unwrap();
    lease.spec.as_mut().unwrap().holder_identity = Some("intruder".into());
    conn.replace("kube-system", &lease).await.unwrap();
    // Our renewal reads the new version and sees a valid foreign holder.
    assert_eq!(a.try_acquire_or_renew().await, Attempt::HeldByOther);
    // A replace with the old version is refused.
    let stale = Lease {
        metadata: ObjectMeta {
            resource_version: Some("1".into()),
            ..lease.metadata.clone()
        },
        ..lease
    };
    assert!(
        conn.replace("kube-system", &stale)
            .await
            .unwrap_err()
            .is_conflict()
    );
}

#[test]
fn config_is_validated_and_identity_is_unique() {
    let bad = LeaderElectionConfig {
        renew_deadline: Duration::from_secs(10),
        ..LeaderElectionConfig::default()
    };
    assert!(bad.validate().is_err());
    assert!(LeaderElectionConfig::default().validate().is_ok());
    let (x, y) = (default_identity(), default_identity());
    assert_ne!(x, y);
    assert!(x.contains('_'));
}
