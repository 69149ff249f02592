//! Watches a kind as a stream of [`Event`]s: list, then watch, with error recovery.
//!
//! [`watcher`] lists every object (in pages of [`Config::page_size`], 500 by default), then
//! watches from the list's `resourceVersion`. It
//!
//! - resumes the watch from the last `resourceVersion` it saw (from objects and from
//!   bookmarks, which it requests) when the connection drops or the server ends the watch;
//! - relists when the server says that version is gone (HTTP 410 when starting the watch, or
//!   an in-stream `ERROR` event with code 410), reporting the relist as `Init`, `InitApply`...,
//!   `InitDone` so that a [`reflector`](crate::reflector) can swap its content atomically;
//! - reports errors as `Err` items and keeps going, waiting an exponential backoff with
//!   jitter after each error (reset by the next success).
//!
//! The stream never ends: drop it to stop watching. The list and watch calls go through the
//! small [`ListWatch`] trait, implemented for [`rkube_client::Api`], so the state machine is
//! tested against a fake.
//!
//! ```no_run
//! # async fn doc(client: rkube_client::Client) {
//! use futures::StreamExt;
//! use k8s_openapi::api::core::v1::Pod;
//! use rkube_client::Api;
//! use rkube_runtime::watcher::{self, Event};
//!
//! let pods: Api<Pod> = Api::all(client);
//! let mut events = std::pin::pin!(watcher::watcher(pods, watcher::Config::default()));
//! while let Some(event) = events.next().await {
//!     match event {
//!         Ok(Event::Apply(pod)) => println!("changed: {:?}", pod.metadata.name),
//!         Ok(Event::Delete(pod)) => println!("deleted: {:?}", pod.metadata.name),
//!         Ok(_) => {}
//!         Err(e) => eprintln!("watch error (retrying): {e}"),
//!     }
//! }
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, Stream, StreamExt};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use rkube_client::{Api, ListParams, ObjectList, WatchEvent, WatchParams};
use tracing::{debug, warn};

use crate::Object;
use crate::backoff::Backoff;

/// Why a watcher step failed. Every error is retried by the watcher itself (after a backoff):
/// they are reported so that callers can log them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A list call failed; the watcher lists again from scratch.
    #[error("list failed: {0}")]
    ListFailed(#[source] rkube_client::Error),
    /// Starting a watch failed; the watcher retries (or relists on 410 Gone).
    #[error("starting the watch failed: {0}")]
    WatchStartFailed(#[source] rkube_client::Error),
    /// The server sent an `ERROR` event in the watch stream (410 Gone makes the watcher relist).
    #[error("the server ended the watch with an error: {} {}", .0.code.unwrap_or_default(), .0.message.as_deref().unwrap_or(""))]
    WatchError(Box<Status>),
    /// Reading the watch stream failed; the watcher resumes from the last version seen (or,
    /// for an event that cannot be decoded, skips it).
    #[error("the watch stream failed: {0}")]
    WatchFailed(#[source] rkube_client::Error),
    /// A list or an object came without `metadata.resourceVersion`; the watcher relists.
    #[error("no metadata.resourceVersion in the server's answer")]
    NoResourceVersion,
}

impl Error {
    /// Whether the error is a 410 Gone (the watcher relists after it).
    pub fn is_gone(&self) -> bool {
        match self {
            Self::ListFailed(e) | Self::WatchStartFailed(e) | Self::WatchFailed(e) => e.is_gone(),
            Self::WatchError(status) => status.code == Some(410),
            Self::NoResourceVersion => false,
        }
    }
}

/// The list and watch calls a [`watcher`] makes. Implemented for [`rkube_client::Api`];
/// tests implement it with a fake.
pub trait ListWatch<K>: Send + Sync + 'static {
    /// One page of a list.
    fn list<'a>(
        &'a self,
        params: &'a ListParams,
    ) -> BoxFuture<'a, rkube_client::Result<ObjectList<K>>>;

    /// A watch from `resource_version`.
    fn watch<'a>(
        &'a self,
        params: &'a WatchParams,
        resource_version: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<BoxStream<'static, rkube_client::Result<WatchEvent<K>>>>>;
}

impl<K: Object> ListWatch<K> for Api<K> {
    fn list<'a>(
        &'a self,
        params: &'a ListParams,
    ) -> BoxFuture<'a, rkube_client::Result<ObjectList<K>>> {
        Api::list(self, params).boxed()
    }

    fn watch<'a>(
        &'a self,
        params: &'a WatchParams,
        resource_version: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<BoxStream<'static, rkube_client::Result<WatchEvent<K>>>>>
    {
        Api::watch(self, params, resource_version).boxed()
    }
}

impl<K, T: ListWatch<K>> ListWatch<K> for Arc<T> {
    fn list<'a>(
        &'a self,
        params: &'a ListParams,
    ) -> BoxFuture<'a, rkube_client::Result<ObjectList<K>>> {
        (**self).list(params)
    }

    fn watch<'a>(
        &'a self,
        params: &'a WatchParams,
        resource_version: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<BoxStream<'static, rkube_client::Result<WatchEvent<K>>>>>
    {
        (**self).watch(params, resource_version)
    }
}

/// How a [`watcher`] lists and watches.
#[derive(Clone, Debug)]
pub struct Config {
    /// Only objects matching this label selector.
    pub label_selector: Option<String>,
    /// Only objects matching this field selector.
    pub field_selector: Option<String>,
    /// Page size of lists (`limit`); `None` lists everything at once. Default 500.
    pub page_size: Option<u32>,
    /// `timeoutSeconds` of watch calls: the server ends each watch after this long and the
    /// watcher resumes it. Default 290 s. With no event at all for this long plus 5 s, the
    /// watcher assumes the connection is dead and resumes too.
    pub timeout: u32,
    /// Ask for bookmarks (default `true`): they keep the resume version fresh, so that a
    /// resume after a quiet period does not hit 410 Gone.
    pub bookmarks: bool,
    /// The backoff after errors.
    pub backoff: Backoff,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            label_selector: None,
            field_selector: None,
            page_size: Some(500),
            timeout: 290,
            bookmarks: true,
            backoff: Backoff::default(),
        }
    }
}

impl Config {
    /// Only objects matching the label selector `selector`.
    #[must_use]
    pub fn labels(mut self, selector: &str) -> Self {
        self.label_selector = Some(selector.to_owned());
        self
    }

    /// Only objects matching the field selector `selector`.
    #[must_use]
    pub fn fields(mut self, selector: &str) -> Self {
        self.field_selector = Some(selector.to_owned());
        self
    }

    /// Sets the page size of lists.
    #[must_use]
    pub fn page_size(mut self, page_size: Option<u32>) -> Self {
        self.page_size = page_size;
        self
    }

    /// Sets the watch timeout in seconds.
    #[must_use]
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = seconds;
        self
    }

    /// Sets the backoff after errors.
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    fn list_params(&self, continue_token: Option<String>) -> ListParams {
        ListParams {
            label_selector: self.label_selector.clone(),
            field_selector: self.field_selector.clone(),
            limit: self.page_size,
            continue_token,
            ..ListParams::default()
        }
    }

    fn watch_params(&self) -> WatchParams {
        WatchParams {
            label_selector: self.label_selector.clone(),
            field_selector: self.field_selector.clone(),
            timeout: Some(self.timeout),
            bookmarks: self.bookmarks,
        }
    }
}

/// How much longer than the server-side timeout the watcher waits for any event before it
/// treats the connection as dead.
const IDLE_MARGIN: Duration = Duration::from_secs(5);

enum State<K> {
    /// Next: announce a relist.
    Empty,
    /// Listing: `objects` of the current page are still to be reported.
    Listing {
        continue_token: Option<String>,
        objects: VecDeque<K>,
        resource_version: Option<String>,
    },
    /// Listed or disconnected: next, (re)start the watch from `resource_version`.
    Listed { resource_version: String },
    /// Watching.
    Watching {
        resource_version: String,
        stream: BoxStream<'static, rkube_client::Result<WatchEvent<K>>>,
    },
}

struct Machine<K, A> {
    api: A,
    config: Config,
    state: State<K>,
    backoff: Backoff,
    /// Wait a backoff before the next call (the last step failed).
    failed: bool,
}

impl<K: Object, A: ListWatch<K>> Machine<K, A> {
    /// Runs until there is something to report.
    async fn next_item(&mut self) -> Result<Event<K>, Error> {
        loop {
            if self.failed {
                self.failed = false;
                let delay = self.backoff.next_delay();
                debug!(?delay, "watcher backing off");
                tokio::time::sleep(delay).await;
            }
            let state = std::mem::replace(&mut self.state, State::Empty);
            let (item, next) = self.step(state).await;
            self.state = next;
            match item {
                None => continue,
                Some(Err(e)) => {
                    self.failed = true;
                    return Err(e);
                }
                Some(Ok(event)) => return Ok(event),
            }
        }
    }

    async fn step(&mut self, state: State<K>) -> (Option<Result<Event<K>, Error>>, State<K>) {
        match state {
            State::Empty => (
                Some(Ok(Event::Init)),
                State::Listing {
                    continue_token: None,
                    objects: VecDeque::new(),
                    resource_version: None,
                },
            ),
            State::Listing {
                continue_token,
                mut objects,
                resource_version,
            } => {
                if let Some(obj) = objects.pop_front() {
                    return (
                        Some(Ok(Event::InitApply(obj))),
                        State::Listing {
                            continue_token,
                            objects,
                            resource_version,
                        },
                    );
                }
                if continue_token.is_none()
                    && let Some(resource_version) = resource_version
                {
                    return (
                        Some(Ok(Event::InitDone)),
                        State::Listed { resource_version },
                    );
                }
                let params = self.config.list_params(continue_token);
                match self.api.list(&params).await {
                    Ok(page) => {
                        self.backoff.reset();
                        let resource_version =
                            page.metadata.resource_version.filter(|rv| !rv.is_empty());
                        let continue_token = page.metadata.continue_.filter(|c| !c.is_empty());
                        if resource_version.is_none() {
                            return (Some(Err(Error::NoResourceVersion)), State::Empty);
                        }
                        (
                            None,
                            State::Listing {
                                continue_token,
                                objects: page.items.into(),
                                resource_version,
                            },
                        )
                    }
                    Err(e) => {
                        log_client_error("list", &e);
                        // An expired continue token, or any other failure: start over.
                        (Some(Err(Error::ListFailed(e))), State::Empty)
                    }
                }
            }
            State::Listed { resource_version } => {
                let params = self.config.watch_params();
                match self.api.watch(&params, &resource_version).await {
                    Ok(stream) => (
                        None,
                        State::Watching {
                            resource_version,
                            stream,
                        },
                    ),
                    Err(e) => {
                        log_client_error("watch", &e);
                        let next = if e.is_gone() {
                            State::Empty
                        } else {
                            State::Listed { resource_version }
                        };
                        (Some(Err(Error::WatchStartFailed(e))), next)
                    }
                }
            }
            State::Watching {
                resource_version,
                mut stream,
            } => {
                let idle = Duration::from_secs(u64::from(self.config.timeout)) + IDLE_MARGIN;
                let next = match tokio::time::timeout(idle, stream.next()).await {
                    Ok(next) => next,
                    Err(_) => {
                        debug!("watch idle for {idle:?}, reconnecting");
                        None
                    }
                };
                match next {
                    Some(Ok(event)) => self.on_watch_event(event, resource_version, stream),
                    // An event that cannot be decoded is skipped: re-watching would only
                    // meet it again.
                    Some(Err(e @ rkube_client::Error::Decode { .. })) => {
                        warn!("skipping undecodable watch event: {e}");
                        (
                            Some(Err(Error::WatchFailed(e))),
                            State::Watching {
                                resource_version,
                                stream,
                            },
                        )
                    }
                    Some(Err(e)) => {
                        log_client_error("watch stream", &e);
                        (
                            Some(Err(Error::WatchFailed(e))),
                            State::Listed { resource_version },
                        )
                    }
                    // The server ended the watch (timeout): resume where we were.
                    None => (None, State::Listed { resource_version }),
                }
            }
        }
    }

    fn on_watch_event(
        &mut self,
        event: WatchEvent<K>,
        resource_version: String,
        stream: BoxStream<'static, rkube_client::Result<WatchEvent<K>>>,
    ) -> (Option<Result<Event<K>, Error>>, State<K>) {
        let (event, rv) = match event {
            WatchEvent::Added(obj) | WatchEvent::Modified(obj) => {
                let rv = obj.metadata().resource_version.clone();
                (Some(Event::Apply(obj)), rv)
            }
            WatchEvent::Deleted(obj) => {
                let rv = obj.metadata().resource_version.clone();
                (Some(Event::Delete(obj)), rv)
            }
            // A bookmark without a version says nothing: keep ours.
            WatchEvent::Bookmark {
                resource_version: rv,
            } => (
                None,
                Some(if rv.is_empty() { resource_version } else { rv }),
            ),
            WatchEvent::Error(status) => {
                let next = if status.code == Some(410) {
                    debug!("watch version expired, relisting");
                    State::Empty
                } else {
                    warn!(code = ?status.code, message = ?status.message, "watch error event");
                    State::Listed { resource_version }
                };
                return (Some(Err(Error::WatchError(status))), next);
            }
        };
        let Some(rv) = rv.filter(|rv| !rv.is_empty()) else {
            return (Some(Err(Error::NoResourceVersion)), State::Empty);
        };
        self.backoff.reset();
        (
            event.map(Ok),
            State::Watching {
                resource_version: rv,
                stream,
            },
        )
    }
}

fn log_client_error(call: &str, e: &rkube_client::Error) {
    if e.is_forbidden() || e.is_unauthorized() {
        warn!("watcher {call} refused: {e}");
    } else {
        debug!("watcher {call} failed: {e}");
    }
}

/// Lists then watches the objects `api` serves, as an endless stream of events (see the
/// [module docs](self)).
pub fn watcher<K: Object, A: ListWatch<K>>(
    api: A,
    config: Config,
) -> impl Stream<Item = Result<Event<K>, Error>> + Send + 'static {
    let backoff = config.backoff.clone();
    let machine = Machine {
        api,
        config,
        state: State::Empty,
        backoff,
        failed: false,
    };
    futures::stream::unfold(machine, |mut machine| async move {
        let item = machine.next_item().await;
        Some((item, machine))
    })
}

/// What a [`watcher`] saw happen.
///
/// A (re)list is reported as `Init`, one `InitApply` per listed object, then `InitDone`:
/// objects seen before the `Init` that are not listed again are gone.
#[derive(Clone, PartialEq)]
pub enum Event<K> {
    /// An object was added or modified.
    Apply(K),
    /// An object was deleted. Deletions can be missed while the watcher is disconnected (the
    /// next relist then drops the object): use finalizers for clean-up that must happen.
    Delete(K),
    /// A (re)list starts.
    Init,
    /// An object listed during a (re)list.
    InitApply(K),
    /// The (re)list is complete.
    InitDone,
}

impl<K> Event<K> {
    /// The object the event carries, if any.
    pub fn object(&self) -> Option<&K> {
        match self {
            Self::Apply(obj) | Self::Delete(obj) | Self::InitApply(obj) => Some(obj),
            Self::Init | Self::InitDone => None,
        }
    }

    /// Changes the object the event carries (to drop fields before caching, for instance).
    #[must_use]
    pub fn modify(mut self, f: impl FnOnce(&mut K)) -> Self {
        match &mut self {
            Self::Apply(obj) | Self::Delete(obj) | Self::InitApply(obj) => f(obj),
            Self::Init | Self::InitDone => {}
        }
        self
    }
}

impl<K: fmt::Debug> fmt::Debug for Event<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Apply(obj) => f.debug_tuple("Apply").field(obj).finish(),
            Self::Delete(obj) => f.debug_tuple("Delete").field(obj).finish(),
            Self::Init => f.write_str("Init"),
            Self::InitApply(obj) => f.debug_tuple("InitApply").field(obj).finish(),
            Self::InitDone => f.write_str("InitDone"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
    use std::sync::Mutex;
    use tokio::time::Instant;

    type WatchResult = rkube_client::Result<Vec<rkube_client::Result<WatchEvent<ConfigMap>>>>;

    /// Answers list and watch calls from a script, and records them.
    #[derive(Default)]
    struct Scripted {
        lists: Mutex<VecDeque<rkube_client::Result<ObjectList<ConfigMap>>>>,
        watches: Mutex<VecDeque<WatchResult>>,
        calls: Mutex<Vec<(Instant, Call)>>,
    }

    #[derive(Clone, Debug, PartialEq)]
    enum Call {
        List {
            limit: Option<u32>,
            continue_token: Option<String>,
        },
        Watch {
            rv: String,
            bookmarks: bool,
        },
    }

    impl ListWatch<ConfigMap> for Arc<Scripted> {
        fn list<'a>(
            &'a self,
            params: &'a ListParams,
        ) -> BoxFuture<'a, rkube_client::Result<ObjectList<ConfigMap>>> {
            self.calls.lock().unwrap().push((
                Instant::now(),
                Call::List {
                    limit: params.limit,
                    continue_token: params.continue_token.clone(),
                },
            ));
            let next = self.lists.lock().unwrap().pop_front();
            async move {
                match next {
                    Some(r) => r,
                    None => std::future::pending().await,
                }
            }
            .boxed()
        }

        fn watch<'a>(
            &'a self,
            params: &'a WatchParams,
            resource_version: &'a str,
        ) -> BoxFuture<
            'a,
            rkube_client::Result<BoxStream<'static, rkube_client::Result<WatchEvent<ConfigMap>>>>,
        > {
            self.calls.lock().unwrap().push((
                Instant::now(),
                Call::Watch {
                    rv: resource_version.to_owned(),
                    bookmarks: params.bookmarks,
                },
            ));
            let next = self.watches.lock().unwrap().pop_front();
            async move {
                match next {
                    Some(Ok(events)) => Ok(stream::iter(events).boxed()),
                    Some(Err(e)) => Err(e),
                    // Out of script: a watch that stays open and silent.
                    None => Ok(stream::pending().boxed()),
                }
            }
            .boxed()
        }
    }

    fn cm(name: &str, rv: &str) -> ConfigMap {
        let mut c = ConfigMap::default();
        c.metadata.name = Some(name.into());
        c.metadata.namespace = Some("ns".into());
        c.metadata.resource_version = Some(rv.into());
        c
    }

    fn page(
        items: Vec<ConfigMap>,
        rv: &str,
        cont: Option<&str>,
    ) -> rkube_client::Result<ObjectList<ConfigMap>> {
        Ok(ObjectList {
            metadata: ListMeta {
                resource_version: Some(rv.into()),
                continue_: cont.map(Into::into),
                ..ListMeta::default()
            },
            items,
        })
    }

    fn status(code: i32) -> Box<Status> {
        Box::new(Status {
            code: Some(code),
            reason: Some(
                if code == 410 {
                    "Expired"
                } else {
                    "InternalError"
                }
                .into(),
            ),
            ..Status::default()
        })
    }

    fn no_jitter() -> Config {
        Config::default().backoff(
            Backoff::new(Duration::from_millis(800), Duration::from_secs(30)).with_jitter(0.0),
        )
    }

    /// A short description of each event, for compact assertions.
    fn describe(item: &Result<Event<ConfigMap>, Error>) -> String {
        let name = |c: &ConfigMap| c.metadata.name.clone().unwrap_or_default();
        match item {
            Ok(Event::Init) => "Init".into(),
            Ok(Event::InitApply(c)) => format!("InitApply({})", name(c)),
            Ok(Event::InitDone) => "InitDone".into(),
            Ok(Event::Apply(c)) => format!("Apply({})", name(c)),
            Ok(Event::Delete(c)) => format!("Delete({})", name(c)),
            Err(e) if e.is_gone() => "Err(Gone)".into(),
            Err(_) => "Err".into(),
        }
    }

    async fn take(api: &Arc<Scripted>, config: Config, n: usize) -> Vec<String> {
        let events = watcher(Arc::clone(api), config);
        events.take(n).map(|e| describe(&e)).collect().await
    }

    fn calls(api: &Scripted) -> Vec<Call> {
        api.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, c)| c.clone())
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn lists_in_pages_then_watches_from_the_list_version() {
        let api = Arc::new(Scripted::default());
        api.lists.lock().unwrap().extend([
            page(vec![cm("a", "5"), cm("b", "6")], "10", Some("next-page")),
            page(vec![cm("c", "7")], "10", None),
        ]);
        api.watches
            .lock()
            .unwrap()
            .push_back(Ok(vec![Ok(WatchEvent::Added(cm("d", "11")))]));
        let got = take(&api, Config::default(), 6).await;
        assert_eq!(
            got,
            [
                "Init",
                "InitApply(a)",
                "InitApply(b)",
                "InitApply(c)",
                "InitDone",
                "Apply(d)"
            ]
        );
        assert_eq!(
            calls(&api),
            vec![
                Call::List {
                    limit: Some(500),
                    continue_token: None
                },
                Call::List {
                    limit: Some(500),
                    continue_token: Some("next-page".into())
                },
                Call::Watch {
                    rv: "10".into(),
                    bookmarks: true
                },
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn resumes_from_the_last_seen_version_after_the_stream_ends() {
        let api = Arc::new(Scripted::default());
        api.lists
            .lock()
            .unwrap()
            .push_back(page(vec![], "10", None));
        api.watches.lock().unwrap().extend([
            Ok(vec![
                Ok(WatchEvent::Added(cm("a", "11"))),
                Ok(WatchEvent::Deleted(cm("a", "12"))),
            ]),
            // The connection breaks.
            Ok(vec![
                Ok(WatchEvent::Modified(cm("b", "13"))),
                Err(rkube_client::Error::Timeout(Duration::from_secs(1))),
            ]),
        ]);
        let got = take(&api, Config::default(), 6).await;
        assert_eq!(
            got,
            [
                "Init",
                "InitDone",
                "Apply(a)",
                "Delete(a)",
                "Apply(b)",
                "Err"
            ]
        );
        let watch_rvs: Vec<String> = calls(&api)
            .into_iter()
            .filter_map(|c| match c {
                Call::Watch { rv, .. } => Some(rv),
                Call::List { .. } => None,
            })
            .collect();
        assert_eq!(watch_rvs, ["10", "12"]);
    }

    #[tokio::test(start_paused = true)]
    async fn bookmarks_and_errors_advance_and_keep_the_resume_version() {
        let api = Arc::new(Scripted::default());
        api.lists
            .lock()
            .unwrap()
            .push_back(page(vec![], "10", None));
        api.watches.lock().unwrap().extend([
            Ok(vec![
                Ok(WatchEvent::Added(cm("a", "11"))),
                Ok(WatchEvent::Bookmark {
                    resource_version: "20".into(),
                }),
            ]),
            Ok(vec![Err(rkube_client::Error::Timeout(
                Duration::from_secs(1),
            ))]),
            Ok(vec![Ok(WatchEvent::Added(cm("b", "21")))]),
        ]);
        let got = take(&api, Config::default(), 5).await;
        assert_eq!(got, ["Init", "InitDone", "Apply(a)", "Err", "Apply(b)"]);
        let calls = calls(&api);
        assert_eq!(calls.len(), 4, "{calls:?}");
        assert_eq!(
            calls[2],
            Call::Watch {
                rv: "20".into(),
                bookmarks: true
            }
        );
        assert_eq!(
            calls[3],
            Call::Watch {
                rv: "20".into(),
                bookmarks: true
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn relists_on_an_in_stream_410() {
        let api = Arc::new(Scripted::default());
        api.lists.lock().unwrap().extend([
            page(vec![cm("a", "5")], "10", None),
            page(vec![cm("b", "30")], "40", None),
        ]);
        api.watches
            .lock()
            .unwrap()
            .push_back(Ok(vec![Ok(WatchEvent::Error(status(410)))]));
        let got = take(&api, Config::default(), 7).await;
        assert_eq!(
            got,
            [
                "Init",
                "InitApply(a)",
                "InitDone",
                "Err(Gone)",
                "Init",
                "InitApply(b)",
                "InitDone"
            ]
        );
        assert_eq!(
            calls(&api)[..3],
            [
                Call::List {
                    limit: Some(500),
                    continue_token: None
                },
                Call::Watch {
                    rv: "10".into(),
                    bookmarks: true
                },
                Call::List {
                    limit: Some(500),
                    continue_token: None
                },
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn relists_when_starting_the_watch_gets_http_410_but_retries_other_errors() {
        let api = Arc::new(Scripted::default());
        api.lists.lock().unwrap().extend([
            page(vec![], "10", None),
            page(vec![cm("b", "30")], "40", None),
        ]);
        api.watches.lock().unwrap().extend([
            Err(rkube_client::Error::Api(status(500))),
            Err(rkube_client::Error::Api(status(410))),
            Ok(vec![Ok(WatchEvent::Added(cm("c", "41")))]),
        ]);
        let got = take(&api, no_jitter(), 8).await;
        assert_eq!(
            got,
            [
                "Init",
                "InitDone",
                "Err",
                "Err(Gone)",
                "Init",
                "InitApply(b)",
                "InitDone",
                "Apply(c)"
            ]
        );
        let calls = calls(&api);
        assert_eq!(
            calls,
            vec![
                Call::List {
                    limit: Some(500),
                    continue_token: None
                },
                Call::Watch {
                    rv: "10".into(),
                    bookmarks: true
                },
                Call::Watch {
                    rv: "10".into(),
                    bookmarks: true
                },
                Call::List {
                    limit: Some(500),
                    continue_token: None
                },
                Call::Watch {
                    rv: "40".into(),
                    bookmarks: true
                },
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn errors_back_off_exponentially_and_success_resets() {
        let api = Arc::new(Scripted::default());
        let fail = || Err(rkube_client::Error::Api(status(500)));
        api.lists
            .lock()
            .unwrap()
            .extend([fail(), fail(), fail(), page(vec![], "1", None), fail()]);
        api.watches
            .lock()
            .unwrap()
            .push_back(Ok(vec![Ok(WatchEvent::Error(status(410)))]));
        let got = take(&api, no_jitter(), 11).await;
        assert_eq!(
            got,
            [
                "Init",
                "Err",
                "Init",
                "Err",
                "Init",
                "Err",
                "Init",
                "InitDone",
                "Err(Gone)",
                "Init",
                "Err"
            ]
        );
        let times: Vec<Instant> = api.calls.lock().unwrap().iter().map(|(t, _)| *t).collect();
        let gaps: Vec<u128> = times
            .windows(2)
            .map(|w| (w[1] - w[0]).as_millis())
            .collect();
        // list, list, list, list (ok), watch (410), list: the success resets the backoff.
        assert_eq!(gaps, [800, 1600, 3200, 0, 800]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_undecodable_event_is_skipped_without_reconnecting() {
        let api = Arc::new(Scripted::default());
        api.lists
            .lock()
            .unwrap()
            .push_back(page(vec![], "10", None));
        let decode = serde_json::from_str::<u8>("x").unwrap_err();
        api.watches.lock().unwrap().push_back(Ok(vec![
            Err(rkube_client::Error::Decode {
                source: decode,
                snippet: "x".into(),
            }),
            Ok(WatchEvent::Added(cm("a", "11"))),
        ]));
        let got = take(&api, Config::default(), 4).await;
        assert_eq!(got, ["Init", "InitDone", "Err", "Apply(a)"]);
        assert_eq!(api.calls.lock().unwrap().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_list_without_resource_version_is_an_error() {
        let api = Arc::new(Scripted::default());
        api.lists.lock().unwrap().extend([
            Ok(ObjectList {
                metadata: ListMeta::default(),
                items: vec![],
            }),
            page(vec![], "3", None),
        ]);
        let got = take(&api, Config::default(), 4).await;
        assert_eq!(got, ["Init", "Err", "Init", "InitDone"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_is_resumed_after_the_idle_timeout() {
        let api = Arc::new(Scripted::default());
        api.lists
            .lock()
            .unwrap()
            .push_back(page(vec![], "10", None));
        // First watch: silent forever (out of script ⇒ pending), then one that delivers.
        let config = Config::default().timeout(10);
        let start = Instant::now();
        let mut events = std::pin::pin!(watcher(Arc::clone(&api), config));
        assert_eq!(describe(&events.next().await.unwrap()), "Init");
        assert_eq!(describe(&events.next().await.unwrap()), "InitDone");
        let waiting = tokio::time::timeout(Duration::from_secs(14), events.next()).await;
        assert!(waiting.is_err(), "nothing happens before the idle timeout");
        api.watches
            .lock()
            .unwrap()
            .push_back(Ok(vec![Ok(WatchEvent::Added(cm("x", "11")))]));
        // The silent stream was opened out of script; after 15 s the watcher reconnects.
        assert_eq!(describe(&events.next().await.unwrap()), "Apply(x)");
        assert_eq!(start.elapsed(), Duration::from_secs(15));
    }
}
