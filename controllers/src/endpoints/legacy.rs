//! The core/v1 Endpoints of a Service: one address per selected pod and resolvable port, ready
//! pods under `addresses` and the others under `notReadyAddresses` (all under `addresses` with
//! publishNotReadyAddresses), repacked so that addresses sharing a port set share a subset
//! (Kubernetes' `RepackSubsets`), with the Service's labels plus the headless label.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::pods::{hostname_for, pod_ipv4, should_pod_be_in_endpoints, target_ref};
use super::ports::{find_port, protocol};
use super::{HEADLESS_LABEL, is_headless, is_managed, publish_not_ready};
use crate::labels::{labels_of, map_selector_matches};
use crate::ownership::ControllerIdentity;
use crate::pods::is_pod_ready;

/// The pods of the Service's namespace its selector picks (none without a selector).
pub fn select_pods<'a, I: IntoIterator<Item = &'a Pod>>(
    service: &Service,
    pods: I,
) -> Vec<&'a Pod> {
    let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return Vec::new();
    };
    pods.into_iter()
        .filter(|p| p.metadata.namespace == service.metadata.namespace)
        .filter(|p| map_selector_matches(selector, labels_of(&p.metadata)))
        .collect()
}

type PortKey = (i32, String, String, String);
type AddrKey = (String, String);

fn port_key(p: Option<&EndpointPort>) -> PortKey {
    match p {
        None => (-1, String::new(), String::new(), String::new()),
        Some(p) => (
            p.port,
            p.name.clone().unwrap_or_default(),
            p.protocol.clone().unwrap_or_default(),
            p.app_protocol.clone().unwrap_or_default(),
        ),
    }
}

fn service_ip_set(service: &Service) -> bool {
    let ip = service
        .spec
        .as_ref()
        .and_then(|s| s.cluster_ip.as_deref())
        .unwrap_or_default();
    !ip.is_empty() && ip != "None"
}

/// The subsets for a Service from candidate pods (already selected).
pub fn desired_subsets(service: &Service, pods: &[&Pod]) -> Vec<EndpointSubset> {
    let tolerate_unready = publish_not_ready(service);
    let service_ports = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    // (address, ready, port) triples, as Kubernetes' addEndpointSubset produces them.
    let mut entries: Vec<(EndpointAddress, bool, Option<EndpointPort>)> = Vec::new();
    for pod in pods {
        if !should_pod_be_in_endpoints(pod, tolerate_unready) {
            continue;
        }
        let Some(ip) = pod_ipv4(pod) else { continue };
        let node = crate::pods::node_name(pod);
        let address = EndpointAddress {
            ip,
            hostname: hostname_for(pod, service),
            node_name: (!node.is_empty()).then(|| node.to_owned()),
            target_ref: Some(target_ref(pod)),
        };
        let ready = tolerate_unready || is_pod_ready(pod);
        if service_ports.is_empty() {
            if is_headless(service) {
                entries.push((address, ready, None));
            }
            continue;
        }
        for sp in &service_ports {
            let Ok(port) = find_port(pod, sp) else {
                continue;
            };
            entries.push((
                address.clone(),
                ready,
                Some(EndpointPort {
                    name: sp.name.clone(),
                    port,
                    protocol: Some(protocol(sp).to_owned()),
                    app_protocol: sp.app_protocol.clone(),
                }),
            ));
        }
    }
    repack(entries)
}

fn repack(entries: Vec<(EndpointAddress, bool, Option<EndpointPort>)>) -> Vec<EndpointSubset> {
    let mut ports: BTreeMap<PortKey, Option<EndpointPort>> = BTreeMap::new();
    let mut addrs: BTreeMap<AddrKey, EndpointAddress> = BTreeMap::new();
    let mut by_port: BTreeMap<PortKey, BTreeMap<AddrKey, bool>> = BTreeMap::new();
    for (addr, ready, port) in entries {
        let pk = port_key(port.as_ref());
        let ak = (
            addr.ip.clone(),
            addr.target_ref
                .as_ref()
                .and_then(|r| r.uid.clone())
                .unwrap_or_default(),
        );
        ports.entry(pk.clone()).or_insert(port);
        addrs.entry(ak.clone()).or_insert(addr);
        let set = by_port.entry(pk).or_default();
        // A ready address wins over the same address not ready.
        let e = set.entry(ak).or_insert(ready);
        *e |= ready;
    }
    let mut by_addresses: BTreeMap<Vec<(AddrKey, bool)>, Vec<PortKey>> = BTreeMap::new();
    for (pk, set) in by_port {
        by_addresses
            .entry(set.into_iter().collect())
            .or_default()
            .push(pk);
    }
    by_addresses
        .into_iter()
        .map(|(set, pks)| {
            let mut ready = Vec::new();
            let mut not_ready = Vec::new();
            for (ak, is_ready) in set {
                let a = addrs[&ak].clone();
                if is_ready {
                    ready.push(a)
                } else {
                    not_ready.push(a)
                }
            }
            let sub_ports: Vec<EndpointPort> =
                pks.iter().filter_map(|pk| ports[pk].clone()).collect();
            EndpointSubset {
                addresses: (!ready.is_empty()).then_some(ready),
                not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
                ports: (!sub_ports.is_empty()).then_some(sub_ports),
            }
        })
        .collect()
}

/// The labels Endpoints carry: the Service's, plus the headless label when it has no IP.
pub fn desired_labels(service: &Service) -> BTreeMap<String, String> {
    let mut labels = labels_of(&service.metadata).clone();
    if service_ip_set(service) {
        labels.remove(HEADLESS_LABEL);
    } else {
        labels.insert(HEADLESS_LABEL.to_owned(), String::new());
    }
    labels
}

/// What to do with a Service's Endpoints object.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointsAction {
    /// Create this object.
    Create(Endpoints),
    /// Replace the existing object with this one (same name and resourceVersion).
    Update(Endpoints),
    /// The Service is gone: delete its Endpoints.
    Delete {
        /// Namespace of the Endpoints.
        namespace: String,
        /// Name of the Endpoints (the Service's).
        name: String,
    },
    /// Up to date, or not managed by this controller.
    Nothing,
}

/// Decides the Endpoints write for a Service (`None` when it has been deleted), given the pods
/// of its namespace and the current Endpoints of the same name.
pub fn reconcile_endpoints(
    service: Option<&Service>,
    pods: &[&Pod],
    existing: Option<&Endpoints>,
) -> EndpointsAction {
    let Some(service) = service else {
        return match existing {
            Some(e) => EndpointsAction::Delete {
                namespace: e.metadata.namespace.clone().unwrap_or_default(),
                name: e.metadata.name.clone().unwrap_or_default(),
            },
            None => EndpointsAction::Nothing,
        };
    };
    if !is_managed(service) {
        return EndpointsAction::Nothing;
    }
    let selected = select_pods(service, pods.iter().copied());
    let subsets = desired_subsets(service, &selected);
    let labels = desired_labels(service);
    let subsets_opt = (!subsets.is_empty()).then_some(subsets);
    match existing {
        Some(current) => {
            let same_subsets = current.subsets.clone().filter(|s| !s.is_empty()) == subsets_opt;
            if same_subsets && labels_of(&current.metadata) == &labels {
                return EndpointsAction::Nothing;
            }
            let mut updated = current.clone();
            updated.subsets = subsets_opt;
            updated.metadata.labels = Some(labels);
            EndpointsAction::Update(updated)
        }
        None => EndpointsAction::Create(Endpoints {
            metadata: ObjectMeta {
                name: service.metadata.name.clone(),
                namespace: service.metadata.namespace.clone(),
                labels: Some(labels),
                // Unlike Kubernetes, our Endpoints name their Service as owner, so that the
                // garbage collector removes them with it.
                owner_references: ControllerIdentity::of(service).map(|o| vec![o.controller_ref()]),
                ..Default::default()
            },
            subsets: subsets_opt,
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::refs;
    use crate::testutil::{labels, pod, ts};
    use k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    pub(crate) fn service(target: IntOrString) -> Service {
        Service {
            metadata: ObjectMeta {
                name: Some("web".into()),
                namespace: Some("default".into()),
                uid: Some("svc-uid".into()),
                labels: Some(labels(&[("team", "a")])),
                ..Default::default()
            },
            spec: Some(ServiceSpec {
                selector: Some(labels(&[("app", "web")])),
                cluster_ip: Some("10.96.0.10".into()),
                ports: Some(vec![ServicePort {
                    name: Some("http".into()),
                    port: 80,
                    protocol: Some("TCP".into()),
                    target_port: Some(target),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            status: None,
        }
    }

    pub(crate) fn cluster() -> Vec<Pod> {
        vec![
            pod("ready-a")
                .labels(&[("app", "web")])
                .ready_at(ts(1))
                .ip("10.0.0.2")
                .port("http", 8080)
                .build(),
            pod("ready-b")
                .labels(&[("app", "web")])
                .ready_at(ts(1))
                .ip("10.0.0.1")
                .port("http", 9090)
                .build(),
            pod("starting")
                .labels(&[("app", "web")])
                .not_ready()
                .ip("10.0.0.3")
                .port("http", 8080)
                .build(),
            pod("no-ip")
                .labels(&[("app", "web")])
                .ready_at(ts(1))
                .port("http", 8080)
                .build(),
            pod("dying")
                .labels(&[("app", "web")])
                .ready_at(ts(1))
                .ip("10.0.0.4")
                .port("http", 8080)
                .deleting(ts(2))
                .build(),
            pod("other-app")
                .labels(&[("app", "db")])
                .ready_at(ts(1))
                .ip("10.0.0.5")
                .port("http", 8080)
                .build(),
            pod("no-port")
                .labels(&[("app", "web")])
                .ready_at(ts(1))
                .ip("10.0.0.6")
                .build(),
        ]
    }

    fn ips(a: &Option<Vec<EndpointAddress>>) -> Vec<String> {
        a.iter().flatten().map(|a| a.ip.clone()).collect()
    }

    #[test]
    fn named_ports_split_subsets_and_not_ready_is_separate() {
        let svc = service(IntOrString::String("http".into()));
        let EndpointsAction::Create(ep) = reconcile_endpoints(Some(&svc), &refs(&cluster()), None)
        else {
            panic!("expected a create");
        };
        assert_eq!(ep.metadata.name.as_deref(), Some("web"));
        assert_eq!(
            ep.metadata.owner_references.as_ref().unwrap()[0].uid,
            "svc-uid"
        );
        assert_eq!(ep.metadata.labels.as_ref().unwrap()["team"], "a");
        assert!(
            !ep.metadata
                .labels
                .as_ref()
                .unwrap()
                .contains_key(HEADLESS_LABEL)
        );
        let subsets = ep.subsets.clone().unwrap();
        assert_eq!(subsets.len(), 2);
        let on_8080 = subsets
            .iter()
            .find(|s| s.ports.as_ref().unwrap()[0].port == 8080)
            .unwrap();
        assert_eq!(ips(&on_8080.addresses), ["10.0.0.2"]);
        assert_eq!(ips(&on_8080.not_ready_addresses), ["10.0.0.3"]);
        let on_9090 = subsets
            .iter()
            .find(|s| s.ports.as_ref().unwrap()[0].port == 9090)
            .unwrap();
        assert_eq!(ips(&on_9090.addresses), ["10.0.0.1"]);
        let addr = &on_8080.addresses.as_ref().unwrap()[0];
        assert_eq!(addr.node_name.as_deref(), Some("n1"));
        assert_eq!(
            addr.target_ref.as_ref().unwrap().name.as_deref(),
            Some("ready-a")
        );

        // Applying it again is a no-op; a readiness change is an update.
        assert_eq!(
            reconcile_endpoints(Some(&svc), &refs(&cluster()), Some(&ep)),
            EndpointsAction::Nothing
        );
        let mut pods = cluster();
        pods[2] = pod("starting")
            .labels(&[("app", "web")])
            .ready_at(ts(3))
            .ip("10.0.0.3")
            .port("http", 8080)
            .build();
        let EndpointsAction::Update(up) = reconcile_endpoints(Some(&svc), &refs(&pods), Some(&ep))
        else {
            panic!("expected an update");
        };
        let on_8080 = up
            .subsets
            .unwrap()
            .into_iter()
            .find(|s| s.ports.as_ref().unwrap()[0].port == 8080)
            .unwrap();
        assert_eq!(ips(&on_8080.addresses), ["10.0.0.2", "10.0.0.3"]);
        assert!(on_8080.not_ready_addresses.is_none());
    }

    #[test]
    fn publish_not_ready_includes_terminating_and_unready_as_ready() {
        let mut svc = service(IntOrString::Int(8080));
        svc.spec.as_mut().unwrap().publish_not_ready_addresses = Some(true);
        let EndpointsAction::Create(ep) = reconcile_endpoints(Some(&svc), &refs(&cluster()), None)
        else {
            panic!("expected a create");
        };
        let subsets = ep.subsets.unwrap();
        assert_eq!(subsets.len(), 1);
        assert_eq!(
            ips(&subsets[0].addresses),
            ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.6"]
        );
    }

    #[test]
    fn headless_without_ports_deleted_and_selectorless_services() {
        let mut svc = service(IntOrString::Int(1));
        svc.spec.as_mut().unwrap().cluster_ip = Some("None".into());
        svc.spec.as_mut().unwrap().ports = None;
        let EndpointsAction::Create(ep) = reconcile_endpoints(Some(&svc), &refs(&cluster()), None)
        else {
            panic!("expected a create");
        };
        assert_eq!(ep.metadata.labels.as_ref().unwrap()[HEADLESS_LABEL], "");
        let subsets = ep.subsets.clone().unwrap();
        assert_eq!(subsets.len(), 1);
        assert!(subsets[0].ports.is_none());
        assert_eq!(ips(&subsets[0].addresses).len(), 3);

        assert_eq!(
            reconcile_endpoints(None, &[], Some(&ep)),
            EndpointsAction::Delete {
                namespace: "default".into(),
                name: "web".into()
            }
        );
        let mut manual = service(IntOrString::Int(1));
        manual.spec.as_mut().unwrap().selector = None;
        assert_eq!(
            reconcile_endpoints(Some(&manual), &refs(&cluster()), None),
            EndpointsAction::Nothing
        );
    }
}
