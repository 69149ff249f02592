//! `pod-template-hash`: FNV-32a over the pod template (plus the collision count), encoded with
//! Kubernetes' `rand.SafeEncodeString` alphabet; and template equality ignoring that label.
//!
//! Kubernetes hashes Go's spew dump of the template; we hash its JSON (field order fixed by the
//! struct, maps sorted), so the values differ from Kubernetes' but have the same shape and
//! stability: equal templates and collision counts give equal hashes.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde_json::Value;

use super::{DeploymentError, POD_TEMPLATE_HASH_LABEL};

const SAFE_ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-1a, 32 bits.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// `rand.SafeEncodeString`: each byte mapped into an alphabet without vowels or confusables.
pub fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| char::from(SAFE_ALPHANUMS[usize::from(b) % SAFE_ALPHANUMS.len()]))
        .collect()
}

/// The template hash for a Deployment's template and `status.collisionCount`.
pub fn compute_hash(
    template: &PodTemplateSpec,
    collision_count: Option<i32>,
) -> Result<String, DeploymentError> {
    let mut bytes =
        serde_json::to_vec(template).map_err(|e| DeploymentError::Hash(e.to_string()))?;
    if let Some(count) = collision_count {
        // Kubernetes writes the uint32 little-endian into an 8-byte buffer.
        bytes.extend_from_slice(&count.cast_unsigned().to_le_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 0]);
    }
    Ok(safe_encode(&fnv32a(&bytes).to_string()))
}

/// Drops nulls and empty maps/lists, so that nil and empty compare equal (Kubernetes' semantic
/// equality), and removes the template hash label.
fn normalized(template: &PodTemplateSpec) -> Value {
    let mut v = serde_json::to_value(template).unwrap_or(Value::Null);
    if let Some(labels) = v
        .get_mut("metadata")
        .and_then(|m| m.get_mut("labels"))
        .and_then(Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
    }
    prune(&mut v);
    v
}

fn prune(v: &mut Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(map) => {
            map.retain(|_, child| !prune(child));
            map.is_empty()
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                prune(item);
            }
            items.is_empty()
        }
        _ => false,
    }
}

/// Whether two templates are equal once the `pod-template-hash` label is ignored.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    normalized(a) == normalized(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::template;

    #[test]
    fn fnv_and_safe_encoding_match_the_reference() {
        // FNV-1a test vectors.
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
        assert_eq!(fnv32a(b"foobar"), 0xbf9c_f968);
        // '0' is byte 48: 48 % 27 = 21 -> '4'; '9' is 57 % 27 = 3 -> 'f'.
        assert_eq!(safe_encode("09"), "4f");
    }

    #[test]
    fn hash_is_stable_and_changes_with_template_and_collisions() {
        let a = template("nginx:1", &[("app", "web")]);
        let h = compute_hash(&a, None).unwrap();
        assert_eq!(h, compute_hash(&a.clone(), None).unwrap());
        assert!(h.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
        assert!(!h.is_empty() && h.len() <= 10);
        assert_ne!(
            h,
            compute_hash(&template("nginx:2", &[("app", "web")]), None).unwrap()
        );
        assert_ne!(h, compute_hash(&a, Some(1)).unwrap());
        assert_ne!(
            compute_hash(&a, Some(1)).unwrap(),
            compute_hash(&a, Some(2)).unwrap()
        );
    }

    #[test]
    fn equality_ignores_hash_label_and_empty_fields() {
        let a = template("nginx:1", &[("app", "web")]);
        let mut b = template(
            "nginx:1",
            &[("app", "web"), (POD_TEMPLATE_HASH_LABEL, "abc")],
        );
        assert!(equal_ignore_hash(&a, &b));
        b.metadata.as_mut().unwrap().annotations = Some(Default::default());
        b.spec.as_mut().unwrap().volumes = Some(vec![]);
        assert!(equal_ignore_hash(&a, &b));
        assert!(!equal_ignore_hash(
            &a,
            &template("nginx:2", &[("app", "web")])
        ));
    }
}
