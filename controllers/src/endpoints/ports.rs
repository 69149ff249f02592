//! Resolving a Service port's targetPort on one pod: a number is used as is, a name is looked up
//! among the pod's container ports (and restartable init containers) with the same protocol.

use k8s_openapi::api::core::v1::{Pod, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Why a target port cannot be resolved on a pod.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// No container port with that name and protocol.
    #[error("no container port named {name:?} with protocol {protocol}")]
    NoSuchNamedPort {
        /// The port name sought.
        name: String,
        /// The protocol sought.
        protocol: String,
    },
}

/// The Service port's protocol (default TCP).
pub fn protocol(port: &ServicePort) -> &str {
    port.protocol.as_deref().unwrap_or("TCP")
}

/// Kubernetes' `FindPort`.
pub fn find_port(pod: &Pod, port: &ServicePort) -> Result<i32, PortError> {
    let target = port
        .target_port
        .clone()
        .unwrap_or(IntOrString::Int(port.port));
    let name = match target {
        IntOrString::Int(i) => return Ok(i),
        IntOrString::String(name) => name,
    };
    let proto = protocol(port);
    let spec = pod.spec.as_ref();
    let containers = spec.map(|s| s.containers.iter()).into_iter().flatten();
    let sidecars = spec
        .and_then(|s| s.init_containers.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"));
    for c in containers.chain(sidecars) {
        for p in c.ports.iter().flatten() {
            if p.name.as_deref() == Some(name.as_str())
                && p.protocol.as_deref().unwrap_or("TCP") == proto
            {
                return Ok(p.container_port);
            }
        }
    }
    Err(PortError::NoSuchNamedPort {
        name,
        protocol: proto.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::pod;

    fn svc_port(target: Option<IntOrString>) -> ServicePort {
        ServicePort {
            name: Some("http".into()),
            port: 80,
            target_port: target,
            ..Default::default()
        }
    }

    #[test]
    fn numeric_named_and_default_targets() {
        let p = pod("a").port("web", 8080).port("metrics", 9090).build();
        assert_eq!(find_port(&p, &svc_port(Some(IntOrString::Int(81)))), Ok(81));
        assert_eq!(find_port(&p, &svc_port(None)), Ok(80));
        assert_eq!(
            find_port(&p, &svc_port(Some(IntOrString::String("web".into())))),
            Ok(8080)
        );
        assert!(find_port(&p, &svc_port(Some(IntOrString::String("grpc".into())))).is_err());
        let mut udp = svc_port(Some(IntOrString::String("web".into())));
        udp.protocol = Some("UDP".into());
        assert!(find_port(&p, &udp).is_err());
    }
}
