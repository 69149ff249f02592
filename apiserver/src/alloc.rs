//! Service ClusterIP and NodePort allocation.
//!
//! Each allocated IP or port is a key in the store
//! (`/registry/ranges/serviceips/<ip>`, `/registry/ranges/servicenodeports/<port>`)
//! created in the **same transaction** as the Service write, so that a failed
//! or dry-run write allocates nothing, two API servers can never hand out the
//! same address (the second create of the key fails and we pick again), and
//! allocations survive restarts. An in-memory set of used values is only a
//! hint to pick candidates quickly.

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::Mutex;

use bytes::Bytes;
use rand::Rng;
use serde_json::{Value, json};
use storage::{Store, TxnOp};

use crate::keys::RANGES_PREFIX;

const IP_PREFIX: &str = "/registry/ranges/serviceips/";
const PORT_PREFIX: &str = "/registry/ranges/servicenodeports/";

/// Allocation bookkeeping keys to write with a Service change.
#[derive(Debug, Default, Clone)]
pub struct AllocPlan {
    /// Keys to create (newly taken values).
    pub take: Vec<String>,
    /// Keys to delete (released values).
    pub release: Vec<String>,
    /// The subset of `take` the client asked for explicitly, with the field
    /// that named it (a conflict on these is the client's error).
    pub explicit: Vec<(String, String)>,
}

impl AllocPlan {
    /// The plan's store operations; `owner` is the Service's key.
    pub fn ops(&self, owner: &str) -> Vec<TxnOp> {
        let mut ops: Vec<TxnOp> = self
            .take
            .iter()
            .map(|k| TxnOp::Create {
                key: k.clone(),
                value: Bytes::from(owner.to_string()),
            })
            .collect();
        ops.extend(self.release.iter().map(|k| TxnOp::Delete {
            key: k.clone(),
            expected: None,
        }));
        ops
    }

    /// Record a successful commit in the allocator's hints.
    pub fn committed(&self, alloc: &Allocator) {
        let mut ips = alloc.used_ips.lock().expect("alloc lock");
        let mut ports = alloc.used_ports.lock().expect("alloc lock");
        for k in &self.take {
            if let Some(ip) = k
                .strip_prefix(IP_PREFIX)
                .and_then(|s| s.parse::<Ipv4Addr>().ok())
            {
                ips.insert(u32::from(ip));
            } else if let Some(p) = k.strip_prefix(PORT_PREFIX).and_then(|s| s.parse().ok()) {
                ports.insert(p);
            }
        }
        for k in &self.release {
            if let Some(ip) = k
                .strip_prefix(IP_PREFIX)
                .and_then(|s| s.parse::<Ipv4Addr>().ok())
            {
                ips.remove(&u32::from(ip));
            } else if let Some(p) = k
                .strip_prefix(PORT_PREFIX)
                .and_then(|s| s.parse::<u16>().ok())
            {
                ports.remove(&p);
            }
        }
    }

    /// Whether `key` is one of this plan's new allocations (a create of it
    /// failing means someone else took the value).
    pub fn takes(&self, key: &str) -> bool {
        self.take.iter().any(|k| k == key)
    }

    /// If `key` was asked for explicitly, the field and a Kubernetes-style
    /// message for "someone already holds it".
    pub fn explicit_conflict(&self, key: &str) -> Option<AllocError> {
        let (_, field) = self.explicit.iter().find(|(k, _)| k == key)?;
        let (what, value) = if let Some(ip) = key.strip_prefix(IP_PREFIX) {
            ("IP", ip)
        } else {
            ("port", key.strip_prefix(PORT_PREFIX).unwrap_or(key))
        };
        Some(AllocError::Invalid {
            field: field.clone(),
            value: value.to_string(),
            reason: format!("provided {what} is already allocated"),
        })
    }
}

/// Why allocation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AllocError {
    /// A requested value is outside the range or malformed.
    #[error("{field}: Invalid value: {value:?}: {reason}")]
    Invalid {
        /// Field path.
        field: String,
        /// The value.
        value: String,
        /// Why.
        reason: String,
    },
    /// The range is full.
    #[error("range is full: {0}")]
    Full(String),
}

/// Picks free ClusterIPs and NodePorts.
pub struct Allocator {
    network: u32,
    size: u32,
    ports: (u16, u16),
    used_ips: Mutex<HashSet<u32>>,
    used_ports: Mutex<HashSet<u16>>,
    loaded: tokio::sync::OnceCell<()>,
}

impl Allocator {
    /// An allocator for an IPv4 CIDR and an inclusive port range.
    pub fn new(cidr: &str, ports: (u16, u16)) -> Result<Self, String> {
        let (addr, bits) = cidr
            .split_once('/')
            .ok_or_else(|| format!("service CIDR {cidr:?} is not of the form a.b.c.d/n"))?;
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|e| format!("service CIDR {cidr:?}: {e}"))?;
        let bits: u32 = bits
            .parse()
            .ok()
            .filter(|b| (8..=30).contains(b))
            .ok_or_else(|| format!("service CIDR {cidr:?}: prefix length must be 8..30"))?;
        if ports.0 > ports.1 {
            return Err(format!("node port range {}-{} is empty", ports.0, ports.1));
        }
        let size = 1u32 << (32 - bits);
        let network = u32::from(addr) & !(size - 1);
        Ok(Self {
            network,
            size,
            ports,
            used_ips: Mutex::new(HashSet::new()),
            used_ports: Mutex::new(HashSet::new()),
            loaded: tokio::sync::OnceCell::new(),
        })
    }

    /// Load the used sets from the store once.
    pub async fn load(&self, store: &dyn Store) -> Result<(), storage::StoreError> {
        self.loaded
            .get_or_try_init(|| async {
                let list = store.list(RANGES_PREFIX, Default::default()).await?;
                let mut ips = self.used_ips.lock().expect("alloc lock");
                let mut ports = self.used_ports.lock().expect("alloc lock");
                for kv in list.items {
                    if let Some(ip) = kv
                        .key
                        .strip_prefix(IP_PREFIX)
                        .and_then(|s| s.parse::<Ipv4Addr>().ok())
                    {
                        ips.insert(u32::from(ip));
                    } else if let Some(p) = kv
                        .key
                        .strip_prefix(PORT_PREFIX)
                        .and_then(|s| s.parse::<u16>().ok())
                    {
                        ports.insert(p);
                    }
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// Mark a value as used after someone else's create of its key won.
    pub fn mark_taken(&self, key: &str) {
        AllocPlan {
            take: vec![key.to_string()],
            release: vec![],
            explicit: vec![],
        }
        .committed(self);
    }

    /// The first usable address (reserved for the `kubernetes` Service).
    pub fn first_ip(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.network + 1)
    }

    /// The bookkeeping key of a service IP.
    pub fn ip_key(ip: Ipv4Addr) -> String {
        format!("{IP_PREFIX}{ip}")
    }

    fn ip_in_range(&self, ip: Ipv4Addr) -> bool {
        let v = u32::from(ip);
        v > self.network && v < self.network + self.size - 1
    }

    fn pick_ip(&self) -> Result<u32, AllocError> {
        let used = self.used_ips.lock().expect("alloc lock");
        // Skip the network address, the first address and the broadcast.
        let usable = self.size.saturating_sub(3);
        if usable == 0 || used.len() as u32 >= usable {
            return Err(AllocError::Full("no service IPs left".into()));
        }
        let mut rng = rand::rng();
        let start = rng.random_range(0..usable);
        for i in 0..usable {
            let cand = self.network + 2 + (start + i) % usable;
            if !used.contains(&cand) {
                return Ok(cand);
            }
        }
        Err(AllocError::Full("no service IPs left".into()))
    }

    fn pick_port(&self, also_taken: &[u16]) -> Result<u16, AllocError> {
        let used = self.used_ports.lock().expect("alloc lock");
        let n = u32::from(self.ports.1 - self.ports.0) + 1;
        let start = rand::rng().random_range(0..n);
        for i in 0..n {
            let cand = self.ports.0 + ((start + i) % n) as u16;
            if !used.contains(&cand) && !also_taken.contains(&cand) {
                return Ok(cand);
            }
        }
        Err(AllocError::Full("no node ports left".into()))
    }

    /// Fill in `spec.clusterIP(s)` and node ports of a Service being created
    /// or updated, and say which keys to take and release.
    pub fn plan(&self, old: Option<&Value>, new: &mut Value) -> Result<AllocPlan, AllocError> {
        let mut plan = AllocPlan::default();
        let spec_type = new
            .pointer("/spec/type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        let old_ip = old
            .and_then(|o| o.pointer("/spec/clusterIP"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        // Cluster IP.
        if spec_type == "ExternalName" {
            if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
                spec.remove("clusterIP");
                spec.remove("clusterIPs");
            }
            if let Ok(ip) = old_ip.parse::<Ipv4Addr>() {
                plan.release.push(format!("{IP_PREFIX}{ip}"));
            }
        } else {
            let requested = new
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let ip = if requested == "None" {
                "None".to_string()
            } else if requested.is_empty() && !old_ip.is_empty() {
                old_ip.clone()
            } else if requested.is_empty() {
                let ip = Ipv4Addr::from(self.pick_ip()?);
                plan.take.push(format!("{IP_PREFIX}{ip}"));
                ip.to_string()
            } else {
                let ip: Ipv4Addr = requested.parse().map_err(|_| AllocError::Invalid {
                    field: "spec.clusterIPs[0]".into(),
                    value: requested.clone(),
                    reason: "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)".into(),
                })?;
                if requested != old_ip {
                    if !self.ip_in_range(ip) && ip != self.first_ip() {
                        return Err(AllocError::Invalid {
                            field: "spec.clusterIPs[0]".into(),
                            value: requested.clone(),
                            reason:
                                "provided IP is not in the valid range. The range of valid IPs is "
                                    .to_string()
                                    + &self.cidr(),
                        });
                    }
                    plan.take.push(format!("{IP_PREFIX}{ip}"));
                    plan.explicit
                        .push((format!("{IP_PREFIX}{ip}"), "spec.clusterIPs[0]".into()));
                }
                ip.to_string()
            };
            if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
                spec.insert("clusterIP".into(), json!(ip));
                spec.insert("clusterIPs".into(), json!([ip]));
                spec.entry("ipFamilies").or_insert(json!(["IPv4"]));
                spec.entry("ipFamilyPolicy").or_insert(json!("SingleStack"));
            }
        }
        // Node ports.
        let wants_node_ports = spec_type == "NodePort" || spec_type == "LoadBalancer";
        let old_ports: Vec<u16> = old
            .and_then(|o| o.pointer("/spec/ports"))
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.get("nodePort").and_then(Value::as_u64))
                    .filter_map(|p| u16::try_from(p).ok())
                    .collect()
            })
            .unwrap_or_default();
        let mut kept: Vec<u16> = Vec::new();
        if let Some(ports) = new.pointer_mut("/spec/ports").and_then(Value::as_array_mut) {
            for (i, port) in ports.iter_mut().enumerate() {
                let Some(p) = port.as_object_mut() else {
                    continue;
                };
                if !wants_node_ports {
                    p.remove("nodePort");
                    continue;
                }
                match p.get("nodePort").and_then(Value::as_u64) {
                    Some(np) if np != 0 => {
                        let np = u16::try_from(np)
                            .ok()
                            .filter(|np| (self.ports.0..=self.ports.1).contains(np));
                        let Some(np) = np else {
                            return Err(AllocError::Invalid {
                                field: format!("spec.ports[{i}].nodePort"),
                                value: p["nodePort"].to_string(),
                                reason: format!(
                                    "provided port is not in the valid range. The range of valid ports is {}-{}",
                                    self.ports.0, self.ports.1
                                ),
                            });
                        };
                        if kept.contains(&np) {
                            continue;
                        }
                        if !old_ports.contains(&np) {
                            plan.take.push(format!("{PORT_PREFIX}{np}"));
                            plan.explicit.push((
                                format!("{PORT_PREFIX}{np}"),
                                format!("spec.ports[{i}].nodePort"),
                            ));
                        }
                        kept.push(np);
                    }
                    _ => {
                        let np = self.pick_port(&kept)?;
                        p.insert("nodePort".into(), json!(np));
                        plan.take.push(format!("{PORT_PREFIX}{np}"));
                        kept.push(np);
                    }
                }
            }
        }
        for p in old_ports {
            if !kept.contains(&p) {
                plan.release.push(format!("{PORT_PREFIX}{p}"));
            }
        }
        Ok(plan)
    }

    /// The keys a deleted Service held.
    pub fn release_all(&self, old: &Value) -> AllocPlan {
        let mut plan = AllocPlan::default();
        if let Some(ip) = old
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Ipv4Addr>().ok())
        {
            plan.release.push(format!("{IP_PREFIX}{ip}"));
        }
        if let Some(ports) = old.pointer("/spec/ports").and_then(Value::as_array) {
            for p in ports {
                if let Some(np) = p.get("nodePort").and_then(Value::as_u64) {
                    plan.release.push(format!("{PORT_PREFIX}{np}"));
                }
            }
        }
        plan
    }

    fn cidr(&self) -> String {
        format!(
            "{}/{}",
            Ipv4Addr::from(self.network),
            32 - self.size.trailing_zeros()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(ty: &str, ip: Option<&str>, node_port: Option<u64>) -> Value {
        let mut port = json!({"port": 80});
        if let Some(np) = node_port {
            port["nodePort"] = json!(np);
        }
        let mut s = json!({"spec": {"type": ty, "ports": [port]}});
        if let Some(ip) = ip {
            s["spec"]["clusterIP"] = json!(ip);
        }
        s
    }

    #[test]
    fn allocates_ip_and_node_port_in_range() {
        let a = Allocator::new("10.96.0.0/12", (30000, 32767)).unwrap();
        let mut s = svc("NodePort", None, None);
        let plan = a.plan(None, &mut s).unwrap();
        let ip: Ipv4Addr = s["spec"]["clusterIP"].as_str().unwrap().parse().unwrap();
        assert!(a.ip_in_range(ip));
        let np = s["spec"]["ports"][0]["nodePort"].as_u64().unwrap();
        assert!((30000..=32767).contains(&np));
        assert_eq!(plan.take.len(), 2);
        assert!(plan.release.is_empty());
    }

    #[test]
    fn never_hands_out_a_used_value() {
        // A /29 has 8 addresses: network, .1 (reserved), 5 usable, broadcast.
        let a = Allocator::new("10.0.0.0/29", (30000, 30002)).unwrap();
        let mut seen = HashSet::new();
        for _ in 0..5 {
            let mut s = svc("ClusterIP", None, None);
            let plan = a.plan(None, &mut s).unwrap();
            plan.committed(&a);
            assert!(seen.insert(s["spec"]["clusterIP"].as_str().unwrap().to_string()));
        }
        let mut s = svc("ClusterIP", None, None);
        assert!(matches!(a.plan(None, &mut s), Err(AllocError::Full(_))));
    }

    #[test]
    fn headless_and_out_of_range_requests() {
        let a = Allocator::new("10.96.0.0/12", (30000, 32767)).unwrap();
        let mut s = svc("ClusterIP", Some("None"), None);
        assert!(a.plan(None, &mut s).unwrap().take.is_empty());
        let mut s = svc("ClusterIP", Some("192.168.1.1"), None);
        assert!(matches!(
            a.plan(None, &mut s),
            Err(AllocError::Invalid { .. })
        ));
        let mut s = svc("NodePort", None, Some(80));
        assert!(matches!(
            a.plan(None, &mut s),
            Err(AllocError::Invalid { .. })
        ));
    }

    #[test]
    fn type_change_releases_node_ports() {
        let a = Allocator::new("10.96.0.0/12", (30000, 32767)).unwrap();
        let mut old = svc("NodePort", None, None);
        a.plan(None, &mut old).unwrap().committed(&a);
        let mut new = old.clone();
        new["spec"]["type"] = json!("ClusterIP");
        let plan = a.plan(Some(&old), &mut new).unwrap();
        assert!(plan.take.is_empty());
        assert_eq!(plan.release.len(), 1);
        assert!(new["spec"]["ports"][0].get("nodePort").is_none());
        assert_eq!(new["spec"]["clusterIP"], old["spec"]["clusterIP"]);
    }
}
