//! The endpoints controllers: core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlices for each
//! Service with a selector, from the pods it selects.
//!
//! Mirrors `kubernetes/pkg/controller/endpoint` and `endpointslice`: [`pods`] decides which pods
//! take part and their addresses, [`ports`] resolves (named) target ports per pod,
//! [`legacy`] builds and compares the Endpoints object (ready and notReady addresses, repacked
//! by port set) and [`slices`] the EndpointSlices (conditions ready/serving/terminating, at most
//! 100 endpoints each, reusing existing slices); [`controller`] runs both per Service.

pub mod legacy;
pub mod pods;
pub mod ports;
pub mod slices;

pub mod controller;

use k8s_openapi::api::core::v1::Service;

/// Label added to Endpoints and slices of a headless Service.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// Whether the endpoints controllers manage endpoints for this Service: it has a selector and
/// is not ExternalName.
pub fn is_managed(service: &Service) -> bool {
    let Some(spec) = service.spec.as_ref() else {
        return false;
    };
    spec.selector.is_some() && spec.type_.as_deref() != Some("ExternalName")
}

/// Whether the Service is headless (`clusterIP: None`).
pub fn is_headless(service: &Service) -> bool {
    service.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

/// `spec.publishNotReadyAddresses`.
pub fn publish_not_ready(service: &Service) -> bool {
    service
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false)
}
