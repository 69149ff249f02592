//! `meta.k8s.io/v1 Table` output, negotiated through the `Accept` header.
//!
//! `kubectl get` asks for
//! `application/json;as=Table;v=v1;g=meta.k8s.io,...,application/json`; lists,
//! gets and watch events then carry one row per object with the kind's
//! columns, and each row's `object` is a `PartialObjectMetadata` (or the full
//! object with `includeObject=Object`).

use api_types::registry::ResourceDef;
use http::{HeaderMap, header};
use serde_json::{Value, json};

/// Whether the client asked for a Table (v1 or v1beta1), and which version.
pub fn wants_table(headers: &HeaderMap) -> Option<&'static str> {
    for value in headers.get_all(header::ACCEPT).iter() {
        let Ok(s) = value.to_str() else { continue };
        for part in s.split(',') {
            let p: String = part.chars().filter(|c| !c.is_whitespace()).collect();
            if p.contains("as=Table") && p.contains("g=meta.k8s.io") {
                if p.contains("v=v1beta1") {
                    return Some("meta.k8s.io/v1beta1");
                }
                if p.contains("v=v1") {
                    return Some("meta.k8s.io/v1");
                }
            }
            // The first acceptable non-table type wins over later table types.
            if p.starts_with("application/json") && !p.contains("as=") {
                return None;
            }
        }
    }
    None
}

/// The column definitions of a kind.
pub fn column_definitions(def: &ResourceDef) -> Vec<Value> {
    def.hooks
        .columns()
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "type": c.type_,
                "format": c.format,
                "description": c.description,
                "priority": c.priority,
            })
        })
        .collect()
}

/// One table row for `obj`.
pub fn row(def: &ResourceDef, obj: &Value, include_object: &str, now: i64) -> Value {
    let cells = def.hooks.row(obj, now);
    let mut r = json!({ "cells": cells });
    match include_object {
        "None" => {}
        "Object" => r["object"] = obj.clone(),
        _ => {
            r["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
            })
        }
    }
    r
}

/// A whole table.
pub fn table(
    def: &ResourceDef,
    api_version: &str,
    objs: &[Value],
    list_meta: Value,
    include_object: &str,
    with_columns: bool,
) -> Value {
    let now = crate::object::now_unix();
    let mut t = json!({
        "kind": "Table",
        "apiVersion": api_version,
        "metadata": list_meta,
        "rows": objs.iter().map(|o| row(def, o, include_object, now)).collect::<Vec<_>>(),
    });
    if with_columns {
        t["columnDefinitions"] = Value::Array(column_definitions(def));
    } else {
        t["columnDefinitions"] = Value::Null;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn kubectl_accept_header_selects_table_v1() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"));
        assert_eq!(wants_table(&h), Some("meta.k8s.io/v1"));
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(wants_table(&h), None);
        assert_eq!(wants_table(&HeaderMap::new()), None);
    }
}
