//! Which pods of a Service become endpoints, and with which address: a pod needs an IPv4
//! address, is left out when terminating (unless the caller includes terminating pods) and when
//! it has finished for good under its restartPolicy.

use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service};

use crate::pods::{is_terminating, phase};

/// Kubernetes' `ShouldPodBeInEndpoints`.
pub fn should_pod_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    if pod_ipv4(pod).is_none() {
        return false;
    }
    if !include_terminating && is_terminating(pod) {
        return false;
    }
    let restart = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always");
    match restart {
        "Never" => !matches!(phase(pod), "Failed" | "Succeeded"),
        "OnFailure" => phase(pod) != "Succeeded",
        _ => true,
    }
}

/// The pod's IPv4 address (from `podIPs`, else `podIP`).
pub fn pod_ipv4(pod: &Pod) -> Option<String> {
    let status = pod.status.as_ref()?;
    let from_list = status.pod_ips.iter().flatten().map(|p| p.ip.as_str());
    from_list
        .chain(status.pod_ip.as_deref())
        .find(|ip| ip.parse::<Ipv4Addr>().is_ok())
        .map(str::to_owned)
}

/// A reference to the pod, as endpoints carry it.
pub fn target_ref(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        namespace: pod.metadata.namespace.clone(),
        name: pod.metadata.name.clone(),
        uid: pod.metadata.uid.clone(),
        ..Default::default()
    }
}

/// The pod's hostname when it should be published for this Service (same namespace and the
/// pod's subdomain names the Service).
pub fn hostname_for(pod: &Pod, service: &Service) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let hostname = spec.hostname.as_deref().filter(|h| !h.is_empty())?;
    (spec.subdomain.as_deref() == service.metadata.name.as_deref()
        && pod.metadata.namespace == service.metadata.namespace)
        .then(|| hostname.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{pod, ts};

    #[test]
    fn inclusion_rules() {
        assert!(!should_pod_be_in_endpoints(&pod("no-ip").build(), false));
        let p = pod("a").ip("10.0.0.1").build();
        assert!(should_pod_be_in_endpoints(&p, false));
        let dying = pod("b").ip("10.0.0.2").deleting(ts(1)).build();
        assert!(!should_pod_be_in_endpoints(&dying, false));
        assert!(should_pod_be_in_endpoints(&dying, true));
        let mut done = pod("c").ip("10.0.0.3").phase("Succeeded").build();
        assert!(should_pod_be_in_endpoints(&done, false));
        done.spec.as_mut().unwrap().restart_policy = Some("Never".into());
        assert!(!should_pod_be_in_endpoints(&done, false));
        let v6 = pod("d").ip("fd00::1").build();
        assert!(!should_pod_be_in_endpoints(&v6, false));
    }
}
