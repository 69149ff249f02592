//! The discovery.k8s.io/v1 EndpointSlices of a Service: one endpoint per selected pod with an
//! IPv4 address (terminating pods included), conditions ready/serving/terminating, nodeName and
//! targetRef, grouped by the pod's resolved port set into slices of at most 100 endpoints,
//! labelled `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`, owned by
//! the Service. Existing slices are kept when equal and reused (updated) before new ones are
//! created; a Service with no endpoints keeps one empty placeholder slice.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::legacy::select_pods;
use super::pods::{hostname_for, pod_ipv4, should_pod_be_in_endpoints, target_ref};
use super::ports::{find_port, protocol};
use super::{HEADLESS_LABEL, is_headless, is_managed, publish_not_ready};
use crate::labels::labels_of;
use crate::ownership::ControllerIdentity;
use crate::pods::{is_pod_ready, is_terminating, node_name};

/// Names the Service a slice belongs to.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// Names the controller managing a slice.
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
/// This controller's value for [`MANAGED_BY_LABEL`] (Kubernetes' own, so tools recognise it).
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
/// Endpoints per slice (Kubernetes' default `--max-endpoints-per-slice`).
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// The endpoint for one pod (`None` when the pod takes no part).
pub fn endpoint_for(pod: &Pod, service: &Service) -> Option<Endpoint> {
    if !should_pod_be_in_endpoints(pod, true) {
        return None;
    }
    let ip = pod_ipv4(pod)?;
    let serving = is_pod_ready(pod);
    let terminating = is_terminating(pod);
    let ready = publish_not_ready(service) || (serving && !terminating);
    let node = node_name(pod);
    Some(Endpoint {
        addresses: vec![ip],
        conditions: Some(EndpointConditions {
            ready: Some(ready),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname: hostname_for(pod, service),
        node_name: (!node.is_empty()).then(|| node.to_owned()),
        target_ref: Some(target_ref(pod)),
        ..Default::default()
    })
}

/// The Service's ports as resolved on one pod (ports that do not resolve are left out).
pub fn endpoint_ports(pod: &Pod, service: &Service) -> Vec<EndpointPort> {
    service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|sp| {
            let port = find_port(pod, sp).ok()?;
            Some(EndpointPort {
                name: Some(sp.name.clone().unwrap_or_default()),
                port: Some(port),
                protocol: Some(protocol(sp).to_owned()),
                app_protocol: sp.app_protocol.clone(),
            })
        })
        .collect()
}

/// The content of one desired slice.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredSlice {
    /// The ports every endpoint of the slice serves.
    pub ports: Vec<EndpointPort>,
    /// The endpoints, sorted by address.
    pub endpoints: Vec<Endpoint>,
}

type PortSortKey = (String, i32, String);

fn port_sort_key(p: &EndpointPort) -> PortSortKey {
    (
        p.name.clone().unwrap_or_default(),
        p.port.unwrap_or(0),
        p.protocol.clone().unwrap_or_default(),
    )
}

fn endpoint_sort_key(e: &Endpoint) -> (String, String) {
    (
        e.addresses.first().cloned().unwrap_or_default(),
        e.target_ref
            .as_ref()
            .and_then(|r| r.uid.clone())
            .unwrap_or_default(),
    )
}

/// The desired slices for a Service from its selected pods.
pub fn desired_slices(service: &Service, pods: &[&Pod]) -> Vec<DesiredSlice> {
    let mut by_ports: BTreeMap<Vec<PortSortKey>, (Vec<EndpointPort>, Vec<Endpoint>)> =
        BTreeMap::new();
    for pod in pods {
        let Some(endpoint) = endpoint_for(pod, service) else {
            continue;
        };
        let mut ports = endpoint_ports(pod, service);
        ports.sort_by_key(port_sort_key);
        let key = ports.iter().map(port_sort_key).collect();
        by_ports
            .entry(key)
            .or_insert_with(|| (ports, Vec::new()))
            .1
            .push(endpoint);
    }
    let mut out = Vec::new();
    for (_, (ports, mut endpoints)) in by_ports {
        endpoints.sort_by_key(endpoint_sort_key);
        for chunk in endpoints.chunks(MAX_ENDPOINTS_PER_SLICE) {
            out.push(DesiredSlice {
                ports: ports.clone(),
                endpoints: chunk.to_vec(),
            });
        }
    }
    if out.is_empty() {
        out.push(DesiredSlice {
            ports: Vec::new(),
            endpoints: Vec::new(),
        });
    }
    out
}

/// The labels every slice of the Service carries.
pub fn slice_labels(service: &Service) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> = labels_of(&service.metadata)
        .iter()
        .filter(|(k, _)| k.as_str() != SERVICE_NAME_LABEL && k.as_str() != MANAGED_BY_LABEL)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if is_headless(service) {
        labels.insert(HEADLESS_LABEL.to_owned(), String::new());
    } else {
        labels.remove(HEADLESS_LABEL);
    }
    labels.insert(
        SERVICE_NAME_LABEL.to_owned(),
        service.metadata.name.clone().unwrap_or_default(),
    );
    labels.insert(MANAGED_BY_LABEL.to_owned(), MANAGED_BY.to_owned());
    labels
}

/// The slices of `existing` that this controller manages for the Service (or for a Service of
/// that namespace and name, when it is gone).
pub fn managed_slices<'a>(
    namespace: &str,
    service_name: &str,
    existing: &'a [EndpointSlice],
) -> Vec<&'a EndpointSlice> {
    existing
        .iter()
        .filter(|s| s.metadata.namespace.as_deref().unwrap_or_default() == namespace)
        .filter(|s| {
            let l = labels_of(&s.metadata);
            l.get(SERVICE_NAME_LABEL).map(String::as_str) == Some(service_name)
                && l.get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGED_BY)
        })
        .collect()
}

/// The slice writes for a Service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlicePlan {
    /// Slices to create (with `generateName`).
    pub create: Vec<EndpointSlice>,
    /// Existing slices to replace.
    pub update: Vec<EndpointSlice>,
    /// Names of slices to delete.
    pub delete: Vec<String>,
}

impl SlicePlan {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.update.is_empty() && self.delete.is_empty()
    }
}

fn ports_of(s: &EndpointSlice) -> &[EndpointPort] {
    s.ports.as_deref().unwrap_or_default()
}

fn matches_desired(s: &EndpointSlice, d: &DesiredSlice, labels: &BTreeMap<String, String>) -> bool {
    s.address_type == "IPv4"
        && ports_of(s) == d.ports
        && s.endpoints == d.endpoints
        && labels_of(&s.metadata) == labels
}

/// Decides creates, updates and deletes of a Service's slices. `service` is `None` when the
/// Service was deleted (`namespace`/`name` then identify it).
pub fn reconcile_slices(
    namespace: &str,
    name: &str,
    service: Option<&Service>,
    pods: &[&Pod],
    existing: &[EndpointSlice],
) -> SlicePlan {
    let mut current = managed_slices(namespace, name, existing);
    let mut plan = SlicePlan::default();
    let Some(service) = service else {
        plan.delete = current
            .iter()
            .filter_map(|s| s.metadata.name.clone())
            .collect();
        return plan;
    };
    if !is_managed(service) {
        return plan;
    }
    current.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let selected = select_pods(service, pods.iter().copied());
    let labels = slice_labels(service);
    let mut pending: Vec<DesiredSlice> = Vec::new();
    for desired in desired_slices(service, &selected) {
        if let Some(pos) = current
            .iter()
            .position(|s| matches_desired(s, &desired, &labels))
        {
            current.remove(pos);
        } else {
            pending.push(desired);
        }
    }
    for desired in pending {
        let reuse = current
            .iter()
            .position(|s| ports_of(s) == desired.ports)
            .or(if current.is_empty() { None } else { Some(0) });
        if let Some(pos) = reuse {
            let mut slice = current.remove(pos).clone();
            slice.address_type = "IPv4".into();
            slice.metadata.labels = Some(labels.clone());
            slice.ports = Some(desired.ports);
            slice.endpoints = desired.endpoints;
            plan.update.push(slice);
        } else {
            let owner = ControllerIdentity::of(service).map(|o| vec![o.controller_ref()]);
            plan.create.push(EndpointSlice {
                metadata: ObjectMeta {
                    generate_name: Some(format!("{name}-")),
                    namespace: Some(namespace.to_owned()),
                    labels: Some(labels.clone()),
                    owner_references: owner,
                    ..Default::default()
                },
                address_type: "IPv4".into(),
                endpoints: desired.endpoints,
                ports: Some(desired.ports),
            });
        }
    }
    plan.delete = current
        .iter()
        .filter_map(|s| s.metadata.name.clone())
        .collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::legacy::tests::{cluster, service};
    use crate::testutil::refs;
    use crate::testutil::{pod, ts};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn apply(existing: &mut Vec<EndpointSlice>, plan: SlicePlan) {
        existing.retain(|s| !plan.delete.contains(s.metadata.name.as_ref().unwrap()));
        for u in plan.update {
            let i = existing
                .iter()
                .position(|s| s.metadata.name == u.metadata.name)
                .unwrap();
            existing[i] = u;
        }
        for (n, mut c) in plan.create.into_iter().enumerate() {
            c.metadata.name = Some(format!(
                "{}{}",
                c.metadata.generate_name.clone().unwrap(),
                existing.len() + n
            ));
            existing.push(c);
        }
    }

    #[test]
    fn slices_group_by_resolved_ports_with_conditions() {
        let svc = service(IntOrString::String("http".into()));
        let plan = reconcile_slices("default", "web", Some(&svc), &refs(&cluster()), &[]);
        assert!(plan.update.is_empty() && plan.delete.is_empty());
        // 8080, 9090, and the pod whose named port does not resolve (a slice without ports,
        // as Kubernetes does).
        assert_eq!(plan.create.len(), 3);
        assert!(
            plan.create
                .iter()
                .any(|s| s.ports.as_ref().unwrap().is_empty()
                    && s.endpoints[0].addresses == ["10.0.0.6"])
        );
        let s8080 = plan
            .create
            .iter()
            .find(|s| s.ports.as_ref().unwrap().first().and_then(|p| p.port) == Some(8080))
            .unwrap();
        let l = s8080.metadata.labels.as_ref().unwrap();
        assert_eq!(l[SERVICE_NAME_LABEL], "web");
        assert_eq!(l[MANAGED_BY_LABEL], MANAGED_BY);
        assert_eq!(l["team"], "a");
        assert_eq!(s8080.address_type, "IPv4");
        assert_eq!(s8080.metadata.generate_name.as_deref(), Some("web-"));
        assert_eq!(
            s8080.metadata.owner_references.as_ref().unwrap()[0].kind,
            "Service"
        );
        let by_ip: BTreeMap<_, _> = s8080
            .endpoints
            .iter()
            .map(|e| (e.addresses[0].clone(), e.conditions.clone().unwrap()))
            .collect();
        assert_eq!(by_ip.len(), 3);
        let c = &by_ip["10.0.0.2"];
        assert_eq!(
            (c.ready, c.serving, c.terminating),
            (Some(true), Some(true), Some(false))
        );
        let c = &by_ip["10.0.0.3"];
        assert_eq!(
            (c.ready, c.serving, c.terminating),
            (Some(false), Some(false), Some(false))
        );
        let c = &by_ip["10.0.0.4"];
        assert_eq!(
            (c.ready, c.serving, c.terminating),
            (Some(false), Some(true), Some(true))
        );
        let e = s8080
            .endpoints
            .iter()
            .find(|e| e.addresses[0] == "10.0.0.2")
            .unwrap();
        assert_eq!(e.node_name.as_deref(), Some("n1"));
        assert_eq!(
            e.target_ref.as_ref().unwrap().name.as_deref(),
            Some("ready-a")
        );
    }

    #[test]
    fn steady_state_is_a_no_op_and_changes_reuse_slices() {
        let svc = service(IntOrString::String("http".into()));
        let mut slices = Vec::new();
        apply(
            &mut slices,
            reconcile_slices("default", "web", Some(&svc), &refs(&cluster()), &[]),
        );
        assert!(
            reconcile_slices("default", "web", Some(&svc), &refs(&cluster()), &slices).is_empty()
        );

        let mut pods = cluster();
        pods[2] = pod("starting")
            .labels(&[("app", "web")])
            .ready_at(ts(5))
            .ip("10.0.0.3")
            .port("http", 8080)
            .build();
        let plan = reconcile_slices("default", "web", Some(&svc), &refs(&pods), &slices);
        assert_eq!(
            (plan.create.len(), plan.update.len(), plan.delete.len()),
            (0, 1, 0)
        );
        apply(&mut slices, plan);

        // All pods gone: one empty placeholder slice remains.
        let plan = reconcile_slices("default", "web", Some(&svc), &[], &slices);
        assert_eq!(
            (plan.create.len(), plan.update.len(), plan.delete.len()),
            (0, 1, 2)
        );
        apply(&mut slices, plan);
        assert_eq!(slices.len(), 1);
        assert!(slices[0].endpoints.is_empty());

        // The Service is deleted: its slices go.
        let plan = reconcile_slices("default", "web", None, &[], &slices);
        assert_eq!(plan.delete.len(), 1);
    }

    #[test]
    fn large_services_are_split_into_slices_of_100() {
        let svc = service(IntOrString::Int(80));
        let pods: Vec<Pod> = (0..250)
            .map(|i| {
                pod(&format!("p{i}"))
                    .labels(&[("app", "web")])
                    .ready_at(ts(1))
                    .ip(&format!("10.1.{}.{}", i / 256, i % 256))
                    .build()
            })
            .collect();
        let plan = reconcile_slices("default", "web", Some(&svc), &refs(&pods), &[]);
        let sizes: Vec<usize> = plan.create.iter().map(|s| s.endpoints.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
    }
}
