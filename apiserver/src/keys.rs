//! Where objects live in the store.
//!
//! `/registry/<group>/<plural>/<namespace>/<name>` for namespaced kinds and
//! `/registry/<group>/<plural>/<name>` for cluster-scoped ones, with `core`
//! standing in for the empty core group. Prefixes always end in `/` so that
//! `pods/default/` never matches `pods/default2/`.

use api_types::registry::ResourceDef;

/// The group segment used in keys.
fn group_segment(def: &ResourceDef) -> &str {
    if def.group.is_empty() {
        "core"
    } else {
        &def.group
    }
}

/// The key of one object.
pub fn object_key(def: &ResourceDef, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if def.namespaced => {
            format!(
                "/registry/{}/{}/{}/{}",
                group_segment(def),
                def.plural,
                ns,
                name
            )
        }
        _ => format!("/registry/{}/{}/{}", group_segment(def), def.plural, name),
    }
}

/// The prefix of every object of a kind, or of one namespace's objects.
pub fn collection_prefix(def: &ResourceDef, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if def.namespaced => {
            format!("/registry/{}/{}/{}/", group_segment(def), def.plural, ns)
        }
        _ => format!("/registry/{}/{}/", group_segment(def), def.plural),
    }
}

/// Prefix under which allocator bookkeeping keys live (service IPs, node ports).
pub const RANGES_PREFIX: &str = "/registry/ranges/";
