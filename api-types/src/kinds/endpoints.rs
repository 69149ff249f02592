//! core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlices: port
//! protocol defaults and the printers.

use k8s_openapi::api::core::v1::Endpoints;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use serde_json::Value;

use super::util::{age_column, age_of, column, decode, list_with_more, mutate_typed, name_column};
use crate::registry::{Column, FieldError, KindHooks};

const MAX_LISTED: usize = 3;

/// `formatEndpoints`: up to three `ip:port` entries, then `+ N more...`;
/// `<none>` without subsets.
pub fn format_endpoints(ep: &Endpoints) -> String {
    let Some(subsets) = ep.subsets.as_ref().filter(|s| !s.is_empty()) else {
        return "<none>".to_string();
    };
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    for ss in subsets {
        let addrs = ss.addresses.as_deref().unwrap_or_default();
        let ports = ss.ports.as_deref().unwrap_or_default();
        if ports.is_empty() {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX_LISTED {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
            continue;
        }
        for p in ports {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX_LISTED {
                    more = true;
                    break;
                }
                if a.ip.contains(':') {
                    list.push(format!("[{}]:{}", a.ip, p.port));
                } else {
                    list.push(format!("{}:{}", a.ip, p.port));
                }
            }
        }
    }
    let ret = list.join(",");
    if more {
        return format!("{ret} + {} more...", count - MAX_LISTED);
    }
    ret
}

/// Hooks for `endpoints`.
#[derive(Debug, Default)]
pub struct EndpointsHooks;

impl KindHooks for EndpointsHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        mutate_typed::<Endpoints, _>(obj, &["subsets"], |ep| {
            for ss in ep.subsets.iter_mut().flatten() {
                for p in ss.ports.iter_mut().flatten() {
                    if p.protocol.as_deref().unwrap_or("").is_empty() {
                        p.protocol = Some("TCP".to_string());
                    }
                }
            }
        })
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::network::validate_endpoints(obj)
    }

    fn validate_update(&self, obj: &Value, _old: &Value) -> Vec<FieldError> {
        crate::validation::network::validate_endpoints(obj)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column(
                "Endpoints",
                "string",
                0,
                "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share.",
            ),
            age_column(),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let ep: Endpoints = decode(obj).unwrap_or_default();
        vec![
            Value::from(ep.metadata.name.clone().unwrap_or_default()),
            Value::from(format_endpoints(&ep)),
            Value::from(age_of(
                ep.metadata.creation_timestamp.as_ref().map(|t| t.0),
                now,
            )),
        ]
    }
}

/// Hooks for `endpointslices`.
#[derive(Debug, Default)]
pub struct EndpointSliceHooks;

impl KindHooks for EndpointSliceHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        if obj.get("ports").is_none_or(Value::is_null) {
            let _: EndpointSlice = decode(obj)?;
            return Ok(());
        }
        mutate_typed::<EndpointSlice, _>(obj, &["ports"], |es| {
            for p in es.ports.iter_mut().flatten() {
                p.name.get_or_insert_with(String::new);
                p.protocol.get_or_insert_with(|| "TCP".to_string());
            }
        })
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::network::validate_endpoint_slice(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::network::validate_endpoint_slice_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column(
                "AddressType",
                "string",
                0,
                "addressType specifies the type of address carried by this EndpointSlice.",
            ),
            column(
                "Ports",
                "string",
                0,
                "ports specifies the list of network ports exposed by each endpoint in this slice.",
            ),
            column(
                "Endpoints",
                "string",
                0,
                "endpoints is a list of unique endpoints in this slice.",
            ),
            age_column(),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let es: EndpointSlice = decode(obj).unwrap_or_default();
        let mut ports = Vec::new();
        let mut more = false;
        let mut count = 0;
        for p in es.ports.iter().flatten() {
            if ports.len() < MAX_LISTED {
                let text = match (&p.port, &p.name) {
                    (Some(port), _) => port.to_string(),
                    (None, Some(name)) => name.clone(),
                    (None, None) => "*".to_string(),
                };
                ports.push(text);
            } else {
                more = true;
            }
            count += 1;
        }
        let ports = list_with_more(&ports, more, count, MAX_LISTED);
        let mut addrs = Vec::new();
        let mut more = false;
        let mut count = 0;
        for e in &es.endpoints {
            for a in &e.addresses {
                if addrs.len() < MAX_LISTED {
                    addrs.push(a.clone());
                } else {
                    more = true;
                }
                count += 1;
            }
        }
        let addrs = list_with_more(&addrs, more, count, MAX_LISTED);
        vec![
            Value::from(es.metadata.name.clone().unwrap_or_default()),
            Value::from(es.address_type.clone()),
            Value::from(ports),
            Value::from(addrs),
            Value::from(age_of(
                es.metadata.creation_timestamp.as_ref().map(|t| t.0),
                now,
            )),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_defaults_and_row() {
        let mut ep = json!({"metadata": {"name": "web"}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443, "protocol": "TCP"}]}
        ]});
        EndpointsHooks.default(&mut ep).unwrap();
        assert_eq!(ep["subsets"][0]["ports"][0]["protocol"], "TCP");
        let row = EndpointsHooks.row(&ep, 0);
        assert_eq!(row[1], "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...");
        let empty = json!({"metadata": {"name": "web"}});
        assert_eq!(EndpointsHooks.row(&empty, 0)[1], "<none>");
        let headless =
            json!({"metadata": {"name": "h"}, "subsets": [{"addresses": [{"ip": "fd00::1"}]}]});
        assert_eq!(EndpointsHooks.row(&headless, 0)[1], "fd00::1");
        let v6 = json!({"metadata": {"name": "h"}, "subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}]});
        assert_eq!(EndpointsHooks.row(&v6, 0)[1], "[fd00::1]:80");
    }

    #[test]
    fn endpoint_slice_defaults_and_row() {
        let mut es = json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-abc"}, "addressType": "IPv4",
            "ports": [{"port": 80}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]}, {"addresses": ["10.0.0.3", "10.0.0.4"]}]});
        EndpointSliceHooks.default(&mut es).unwrap();
        assert_eq!(
            es["ports"][0],
            json!({"name": "", "port": 80, "protocol": "TCP"})
        );
        let row = EndpointSliceHooks.row(&es, 0);
        assert_eq!(row.len(), EndpointSliceHooks.columns().len());
        assert_eq!(row[1], "IPv4");
        assert_eq!(row[2], "80");
        assert_eq!(row[3], "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...");
        let bare = json!({"metadata": {"name": "x"}, "addressType": "IPv4", "endpoints": []});
        assert_eq!(EndpointSliceHooks.row(&bare, 0)[2], "<unset>");
        assert_eq!(EndpointSliceHooks.row(&bare, 0)[3], "<unset>");
    }
}
