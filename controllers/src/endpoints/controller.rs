//! The endpoints controllers' wiring: one controller keyed by Service that keeps both the
//! Service's Endpoints and its EndpointSlices in step with the pods it selects. Pod events map to
//! every Service of the namespace selecting the pod (old and new labels), Endpoints to the
//! Service of the same name, slices to the Service their label names.

use std::sync::Arc;

use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::{Endpoints, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use rkube_client::DeleteParams;
use rkube_runtime::informer::Informer;
use rkube_runtime::reflector::index;
use rkube_runtime::{Action, Controller, ObjectRef, Store};

use super::legacy::{EndpointsAction, reconcile_endpoints};
use super::slices::{SERVICE_NAME_LABEL, reconcile_slices};
use crate::labels::{labels_of, map_selector_matches};
use crate::wiring::{ClientWrites, ReconcileError};

/// The writes the endpoints controller makes.
pub trait EndpointsWrites: Send + Sync + 'static {
    /// Creates an Endpoints object.
    fn create_endpoints<'a>(
        &'a self,
        namespace: &'a str,
        ep: &'a Endpoints,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Replaces an Endpoints object (its resourceVersion is the precondition).
    fn replace_endpoints<'a>(
        &'a self,
        namespace: &'a str,
        ep: &'a Endpoints,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Deletes an Endpoints object.
    fn delete_endpoints<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Creates a slice (from `generateName`).
    fn create_slice<'a>(
        &'a self,
        namespace: &'a str,
        slice: &'a EndpointSlice,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Replaces a slice.
    fn replace_slice<'a>(
        &'a self,
        namespace: &'a str,
        slice: &'a EndpointSlice,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Deletes a slice.
    fn delete_slice<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
}

impl EndpointsWrites for ClientWrites {
    fn create_endpoints<'a>(
        &'a self,
        namespace: &'a str,
        ep: &'a Endpoints,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.create_object(namespace, ep)
    }
    fn replace_endpoints<'a>(
        &'a self,
        namespace: &'a str,
        ep: &'a Endpoints,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.replace_object(namespace, ep)
    }
    fn delete_endpoints<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.delete_object::<Endpoints>(Some(namespace), name, DeleteParams::default())
    }
    fn create_slice<'a>(
        &'a self,
        namespace: &'a str,
        slice: &'a EndpointSlice,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.create_object(namespace, slice)
    }
    fn replace_slice<'a>(
        &'a self,
        namespace: &'a str,
        slice: &'a EndpointSlice,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.replace_object(namespace, slice)
    }
    fn delete_slice<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.delete_object::<EndpointSlice>(Some(namespace), name, DeleteParams::default())
    }
}

/// What an endpoints reconcile reads and writes through.
pub struct EndpointsContext<W> {
    /// The writes.
    pub writes: W,
    /// The pod cache.
    pub pods: Store<Pod>,
    /// The Endpoints cache.
    pub endpoints: Store<Endpoints>,
    /// The EndpointSlice cache.
    pub slices: Store<EndpointSlice>,
}

/// Builds the controller on shared informers: Services, plus pods, Endpoints and
/// EndpointSlices mapped to them.
pub fn build(
    services: &Informer<Service>,
    pods: &Informer<Pod>,
    endpoints: &Informer<Endpoints>,
    slices: &Informer<EndpointSlice>,
) -> Controller<Service> {
    let service_store = services.store();
    Controller::new_shared(services)
        .watches_shared(pods, move |pod: &Pod| services_for_pod(&service_store, pod))
        .watches_shared(endpoints, |ep: &Endpoints| {
            ep.metadata
                .name
                .clone()
                .map(|n| ObjectRef::new(&n).within_opt(ep.metadata.namespace.clone()))
        })
        .watches_shared(slices, |slice: &EndpointSlice| {
            labels_of(&slice.metadata)
                .get(SERVICE_NAME_LABEL)
                .map(|n| ObjectRef::new(n).within_opt(slice.metadata.namespace.clone()))
        })
}

/// The Services of the pod's namespace whose selector matches it.
pub fn services_for_pod(services: &Store<Service>, pod: &Pod) -> Vec<ObjectRef<Service>> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    services
        .by_index(index::NAMESPACE, ns)
        .unwrap_or_default()
        .iter()
        .filter(|s| {
            s.spec
                .as_ref()
                .and_then(|spec| spec.selector.as_ref())
                .is_some_and(|sel| map_selector_matches(sel, labels_of(&pod.metadata)))
        })
        .map(|s| ObjectRef::from_obj(s.as_ref()))
        .collect()
}

/// One reconcile of a Service's Endpoints and EndpointSlices.
pub async fn reconcile<W: EndpointsWrites>(
    svc: Arc<Service>,
    ctx: Arc<EndpointsContext<W>>,
) -> Result<Action, ReconcileError> {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let pods = ctx.pods.by_index(index::NAMESPACE, &ns)?;
    let pod_refs: Vec<&Pod> = pods.iter().map(AsRef::as_ref).collect();
    let existing = ctx.endpoints.get(&ObjectRef::new(&name).within(&ns));
    match reconcile_endpoints(Some(&svc), &pod_refs, existing.as_deref()) {
        EndpointsAction::Create(ep) => match ctx.writes.create_endpoints(&ns, &ep).await {
            Err(e) if !e.is_already_exists() && !crate::wiring::is_namespace_terminating(&e) => {
                return Err(e.into());
            }
            _ => {}
        },
        EndpointsAction::Update(ep) => ctx.writes.replace_endpoints(&ns, &ep).await?,
        EndpointsAction::Delete { namespace, name } => {
            match ctx.writes.delete_endpoints(&namespace, &name).await {
                Err(e) if !e.is_not_found() => return Err(e.into()),
                _ => {}
            }
        }
        EndpointsAction::Nothing => {}
    }
    let slices: Vec<EndpointSlice> = ctx
        .slices
        .by_index(index::NAMESPACE, &ns)?
        .iter()
        .map(|s| (**s).clone())
        .collect();
    let plan = reconcile_slices(&ns, &name, Some(&svc), &pod_refs, &slices);
    for slice in &plan.update {
        ctx.writes.replace_slice(&ns, slice).await?;
    }
    for slice in &plan.create {
        match ctx.writes.create_slice(&ns, slice).await {
            Err(e) if !crate::wiring::is_namespace_terminating(&e) => return Err(e.into()),
            _ => {}
        }
    }
    for gone in &plan.delete {
        match ctx.writes.delete_slice(&ns, gone).await {
            Err(e) if !e.is_not_found() => return Err(e.into()),
            _ => {}
        }
    }
    Ok(Action::await_change())
}

/// Runs the endpoints controller until `shutdown`.
pub async fn run<W: EndpointsWrites>(
    controller: Controller<Service>,
    writes: W,
    workers: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (Some(pods), Some(endpoints), Some(slices)) = (
        controller.store_for::<Pod>(),
        controller.store_for::<Endpoints>(),
        controller.store_for::<EndpointSlice>(),
    ) else {
        tracing::error!("the endpoints controller was built without its watches");
        return;
    };
    let ctx = Arc::new(EndpointsContext {
        writes,
        pods,
        endpoints,
        slices,
    });
    crate::wiring::run_controller(controller, workers, shutdown, reconcile::<W>, ctx).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::legacy::tests::service;
    use crate::testutil::{api_error, eventually, pod, ts};
    use crate::wiring::informer;
    use futures::FutureExt;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use rkube_runtime::fake::FakeApi;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[derive(Default)]
    struct Fakes {
        endpoints: FakeApi<Endpoints>,
        slices: FakeApi<EndpointSlice>,
        counter: AtomicUsize,
    }

    impl EndpointsWrites for Arc<Fakes> {
        fn create_endpoints<'a>(
            &'a self,
            _ns: &'a str,
            ep: &'a Endpoints,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                self.endpoints.apply(ep.clone());
                Ok(())
            }
            .boxed()
        }
        fn replace_endpoints<'a>(
            &'a self,
            ns: &'a str,
            ep: &'a Endpoints,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                let current = self
                    .endpoints
                    .get(Some(ns), ep.metadata.name.as_deref().unwrap_or_default())
                    .ok_or_else(|| api_error(404, "NotFound"))?;
                if current.metadata.resource_version != ep.metadata.resource_version {
                    return Err(api_error(409, "Conflict"));
                }
                self.endpoints.apply(ep.clone());
                Ok(())
            }
            .boxed()
        }
        fn delete_endpoints<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                self.endpoints
                    .delete(Some(ns), name)
                    .map(|_| ())
                    .ok_or_else(|| api_error(404, "NotFound"))
            }
            .boxed()
        }
        fn create_slice<'a>(
            &'a self,
            _ns: &'a str,
            slice: &'a EndpointSlice,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                let mut slice = slice.clone();
                let n = self.counter.fetch_add(1, Ordering::SeqCst);
                slice.metadata.name = Some(format!(
                    "{}{n}",
                    slice.metadata.generate_name.clone().unwrap_or_default()
                ));
                self.slices.apply(slice);
                Ok(())
            }
            .boxed()
        }
        fn replace_slice<'a>(
            &'a self,
            _ns: &'a str,
            slice: &'a EndpointSlice,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                self.slices.apply(slice.clone());
                Ok(())
            }
            .boxed()
        }
        fn delete_slice<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                self.slices
                    .delete(Some(ns), name)
                    .map(|_| ())
                    .ok_or_else(|| api_error(404, "NotFound"))
            }
            .boxed()
        }
    }

    fn ready_ips(api: &FakeApi<Endpoints>) -> (Vec<String>, Vec<String>) {
        let Some(ep) = api.get(Some("default"), "web") else {
            return (vec![], vec![]);
        };
        let mut ready = vec![];
        let mut not_ready = vec![];
        for s in ep.subsets.unwrap_or_default() {
            ready.extend(s.addresses.unwrap_or_default().into_iter().map(|a| a.ip));
            not_ready.extend(
                s.not_ready_addresses
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| a.ip),
            );
        }
        (ready, not_ready)
    }

    #[tokio::test]
    async fn endpoints_and_slices_follow_pod_readiness() {
        let services = FakeApi::<Service>::new();
        let pods = FakeApi::<Pod>::new();
        let fakes = Arc::new(Fakes::default());
        services.apply(service(IntOrString::String("http".into())));
        pods.apply(
            pod("a")
                .labels(&[("app", "web")])
                .ready_at(ts(1))
                .ip("10.0.0.1")
                .port("http", 8080)
                .build(),
        );
        pods.apply(
            pod("b")
                .labels(&[("app", "web")])
                .not_ready()
                .ip("10.0.0.2")
                .port("http", 8080)
                .build(),
        );
        let token = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(run(
            build(
                &informer(services.clone()),
                &informer(pods.clone()),
                &informer(fakes.endpoints.clone()),
                &informer(fakes.slices.clone()),
            ),
            fakes.clone(),
            2,
            token.clone().cancelled_owned(),
        ));
        let slice_ready = |fakes: &Fakes, ip: &str| -> Option<bool> {
            let slice = fakes.slices.get(Some("default"), "web-0")?;
            let e = slice.endpoints.iter().find(|e| e.addresses[0] == ip)?;
            e.conditions.as_ref()?.ready
        };
        assert!(
            eventually(5, || ready_ips(&fakes.endpoints)
                == (vec!["10.0.0.1".into()], vec!["10.0.0.2".into()]))
            .await
        );
        assert!(eventually(5, || slice_ready(&fakes, "10.0.0.2") == Some(false)).await);

        pods.apply(
            pod("b")
                .labels(&[("app", "web")])
                .ready_at(ts(2))
                .ip("10.0.0.2")
                .port("http", 8080)
                .build(),
        );
        assert!(
            eventually(1, || ready_ips(&fakes.endpoints).0.len() == 2).await,
            "readiness change not seen within a second"
        );
        assert!(eventually(1, || slice_ready(&fakes, "10.0.0.2") == Some(true)).await);

        // A pod relabelled out of the Service leaves both.
        pods.apply(
            pod("a")
                .labels(&[("app", "other")])
                .ready_at(ts(1))
                .ip("10.0.0.1")
                .port("http", 8080)
                .build(),
        );
        assert!(
            eventually(2, || ready_ips(&fakes.endpoints)
                == (vec!["10.0.0.2".into()], vec![]))
            .await
        );
        assert!(eventually(2, || slice_ready(&fakes, "10.0.0.1").is_none()).await);
        token.cancel();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap();
    }
}
