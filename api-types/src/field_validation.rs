//! Strict field validation (`fieldValidation=Strict|Warn`): unknown fields
//! found by walking an object against its OpenAPI schema, and duplicate
//! keys found by scanning the raw JSON bytes (the parsed `Value` has lost
//! them).
//!
//! The walk follows `$ref`, `allOf`, `items` and `additionalProperties`;
//! `x-kubernetes-preserve-unknown-fields: true` and objects whose schema
//! declares neither `properties` nor `additionalProperties` (such as
//! `RawExtension`) accept anything. Messages read like kube-apiserver's:
//! `unknown field "spec.template.spec.containers[0].imagePullPolcy"`,
//! `duplicate field "spec.replicas"`. The same walk will serve custom
//! resources' schemas.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::openapi::SCHEMA_REF_PREFIX;

/// How many `$ref`/`allOf` hops one schema may take before we give up (a
/// guard against reference cycles that do not advance in the object).
const MAX_RESOLVE_DEPTH: usize = 64;

/// The `components.schemas` map of a document, or the map itself when
/// given the schemas directly.
fn schemas_of(doc: &Value) -> Option<&Map<String, Value>> {
    if let Some(s) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        return Some(s);
    }
    if let Some(s) = doc.get("schemas").and_then(Value::as_object) {
        return Some(s);
    }
    doc.as_object()
}

/// The schema facets that matter for the walk, merged across `$ref` and
/// `allOf`.
#[derive(Default)]
struct View<'a> {
    properties: Vec<&'a Map<String, Value>>,
    additional: Option<&'a Value>,
    items: Option<&'a Value>,
    preserve_unknown: bool,
    embedded_resource: bool,
}

fn collect<'a>(
    schemas: &'a Map<String, Value>,
    schema: &'a Value,
    view: &mut View<'a>,
    depth: usize,
) {
    if depth > MAX_RESOLVE_DEPTH {
        view.preserve_unknown = true;
        return;
    }
    let Some(s) = schema.as_object() else {
        // `true` schemas accept anything.
        if schema.as_bool() == Some(true) {
            view.preserve_unknown = true;
        }
        return;
    };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        match r
            .strip_prefix(SCHEMA_REF_PREFIX)
            .or_else(|| r.strip_prefix("#/definitions/"))
            .and_then(|name| schemas.get(name))
        {
            Some(target) => collect(schemas, target, view, depth + 1),
            None => view.preserve_unknown = true,
        }
    }
    for sub in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(schemas, sub, view, depth + 1);
    }
    if s.get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true)
    {
        view.preserve_unknown = true;
    }
    if s.get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true)
    {
        view.embedded_resource = true;
    }
    if let Some(p) = s.get("properties").and_then(Value::as_object) {
        view.properties.push(p);
    }
    if let Some(a) = s.get("additionalProperties") {
        view.additional.get_or_insert(a);
    }
    if let Some(i) = s.get("items") {
        view.items.get_or_insert(i);
    }
}

fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// One step of the path being walked; text is built only for errors.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn render(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

fn unknown(path: &mut Vec<Seg<'_>>, key: &str, out: &mut Vec<String>) {
    let mut p = render(path);
    if !p.is_empty() {
        p.push('.');
    }
    p.push_str(key);
    out.push(format!("unknown field \"{p}\""));
}

fn walk<'v>(
    schemas: &Map<String, Value>,
    schema: &Value,
    value: &'v Value,
    path: &mut Vec<Seg<'v>>,
    out: &mut Vec<String>,
) {
    let mut view = View::default();
    collect(schemas, schema, &mut view, 0);
    if view.preserve_unknown {
        return;
    }
    match value {
        Value::Object(map) => {
            if view.properties.is_empty() && view.additional.is_none() {
                return;
            }
            for (k, v) in map {
                let next = if let Some(prop) = view.properties.iter().find_map(|props| props.get(k))
                {
                    Some(prop)
                } else if view.embedded_resource
                    && matches!(k.as_str(), "apiVersion" | "kind" | "metadata")
                {
                    None
                } else {
                    match view.additional {
                        Some(Value::Bool(true)) => None,
                        Some(Value::Bool(false)) | None => {
                            unknown(path, k, out);
                            None
                        }
                        Some(add) => Some(add),
                    }
                };
                if let Some(next) = next
                    && !v.is_null()
                {
                    path.push(Seg::Key(k));
                    walk(schemas, next, v, path, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = view.items {
                for (i, v) in items.iter().enumerate() {
                    if !v.is_null() {
                        path.push(Seg::Index(i));
                        walk(schemas, item_schema, v, path, out);
                        path.pop();
                    }
                }
            }
        }
        _ => {}
    }
}

/// Fields of `obj` its schema does not declare, as Kubernetes words them
/// (`unknown field "spec.bogusField"`), in document order. `doc_or_components`
/// is an OpenAPI document, its `components`, or the schemas map; an unknown
/// `schema_name` yields nothing.
pub fn unknown_fields(doc_or_components: &Value, schema_name: &str, obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(schemas) = schemas_of(doc_or_components) else {
        return out;
    };
    let Some(root) = schemas.get(schema_name) else {
        return out;
    };
    walk(schemas, root, obj, &mut Vec::new(), &mut out);
    out
}

/// A tiny JSON scanner that only tracks object keys and paths.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    out: Vec<String>,
}

/// Nesting depth at which the scan stops (serde_json refuses deeper input).
const MAX_SCAN_DEPTH: usize = 256;

impl Scanner<'_> {
    fn ws(&mut self) {
        while self
            .b
            .get(self.i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = self.b.get(self.i..self.i + 4)?;
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return Some(String::from_utf8_lossy(&buf).into_owned()),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return None,
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                c => buf.push(c),
            }
        }
    }

    fn value(&mut self, path: &str, depth: usize) -> Option<()> {
        if depth > MAX_SCAN_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => self.object(path, depth),
            b'[' => self.array(path, depth),
            b'"' => self.string().map(|_| ()),
            _ => {
                let start = self.i;
                while self.peek().is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }

    fn object(&mut self, path: &str, depth: usize) -> Option<()> {
        self.expect(b'{')?;
        let mut seen: HashSet<String> = HashSet::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.expect(b':')?;
            let p = child_path(path, &key);
            if !seen.insert(key) {
                self.out.push(format!("duplicate field \"{p}\""));
            }
            self.value(&p, depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, path: &str, depth: usize) -> Option<()> {
        self.expect(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(());
        }
        let mut i = 0usize;
        loop {
            self.value(&format!("{path}[{i}]"), depth + 1)?;
            i += 1;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// Keys that appear twice in one JSON object of `raw_json`, with their full
/// path (`duplicate field "spec.replicas"`), in document order. Input that
/// is not JSON yields what was found before the error (usually nothing).
pub fn duplicate_fields(raw_json: &[u8]) -> Vec<String> {
    let mut s = Scanner {
        b: raw_json,
        i: 0,
        out: Vec::new(),
    };
    let _ = s.value("", 0);
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::builtin_registry;
    use crate::openapi::openapi_v3_document;
    use proptest::prelude::*;
    use serde_json::json;
    use std::sync::OnceLock;

    fn apps_doc() -> &'static Value {
        static DOC: OnceLock<Value> = OnceLock::new();
        DOC.get_or_init(|| openapi_v3_document(&builtin_registry(), "apps", "v1"))
    }

    fn core_doc() -> &'static Value {
        static DOC: OnceLock<Value> = OnceLock::new();
        DOC.get_or_init(|| openapi_v3_document(&builtin_registry(), "", "v1"))
    }

    fn real_deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web", "namespace": "default",
                "labels": {"app": "web"},
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "creationTimestamp": null
            },
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                "template": {
                    "metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
                    "spec": {
                        "containers": [{
                            "name": "web", "image": "nginx:1.25",
                            "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}],
                            "env": [{"name": "A", "value": "1"}, {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.1}},
                            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                            "securityContext": {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}
                        }],
                        "volumes": [{"name": "data", "emptyDir": {}}],
                        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                            {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}}}}]}},
                        "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
                        "nodeSelector": {"kubernetes.io/os": "linux"}
                    }
                }
            },
            "status": {"replicas": 3, "conditions": [{"type": "Available", "status": "True"}]}
        })
    }

    #[test]
    fn real_deployment_has_no_unknown_fields() {
        let d = real_deployment();
        assert_eq!(
            unknown_fields(apps_doc(), "io.k8s.api.apps.v1.Deployment", &d),
            Vec::<String>::new()
        );
        // The components map and the bare schemas map work as well.
        assert!(
            unknown_fields(
                &apps_doc()["components"],
                "io.k8s.api.apps.v1.Deployment",
                &d
            )
            .is_empty()
        );
        assert!(
            unknown_fields(
                &apps_doc()["components"]["schemas"],
                "io.k8s.api.apps.v1.Deployment",
                &d
            )
            .is_empty()
        );
    }

    #[test]
    fn typos_are_found_with_full_paths() {
        let mut d = real_deployment();
        d["spec"]["bogusField"] = json!(1);
        d["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = json!("Always");
        d["metadata"]["lables"] = json!({});
        d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["hostIP2"] = json!("x");
        assert_eq!(
            unknown_fields(apps_doc(), "io.k8s.api.apps.v1.Deployment", &d),
            // Document order: added keys sit at the end of their objects.
            vec![
                "unknown field \"metadata.lables\"",
                "unknown field \"spec.template.spec.containers[0].ports[0].hostIP2\"",
                "unknown field \"spec.template.spec.containers[0].imagePullPolcy\"",
                "unknown field \"spec.bogusField\"",
            ]
        );
    }

    #[test]
    fn maps_int_or_string_and_unknown_schema() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "x", "livenessProbe": {"tcpSocket": {"port": 80}}}],
                     "overhead": {"cpu": "1"}}});
        assert!(unknown_fields(core_doc(), "io.k8s.api.core.v1.Pod", &pod).is_empty());
        assert!(unknown_fields(core_doc(), "io.k8s.api.core.v1.Nope", &pod).is_empty());
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"anything": "x"}, "extra": 1});
        assert_eq!(
            unknown_fields(core_doc(), "io.k8s.api.core.v1.ConfigMap", &cm),
            vec!["unknown field \"extra\""]
        );
    }

    #[test]
    fn preserve_unknown_fields_and_embedded_resources() {
        let schemas = json!({
            "T": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "obj": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"a": {"type": "string"}}},
                    "byKey": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/U"}},
                    "closed": {"type": "object", "properties": {"x": {"type": "string"}}, "additionalProperties": false}
                }}
            }},
            "U": {"type": "object", "properties": {"u": {"type": "integer"}}}
        });
        let obj = json!({"spec": {
            "free": {"x": {"y": 1}},
            "obj": {"apiVersion": "v1", "kind": "X", "metadata": {}, "a": "b", "c": 1},
            "byKey": {"k": {"u": 1, "v": 2}},
            "closed": {"x": "1", "y": "2"}
        }});
        assert_eq!(
            unknown_fields(&schemas, "T", &obj),
            vec![
                "unknown field \"spec.obj.c\"",
                "unknown field \"spec.byKey.k.v\"",
                "unknown field \"spec.closed.y\"",
            ]
        );
    }

    #[test]
    fn duplicates_are_found() {
        let raw = br#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"a","name":"b"}]}},"replicas":2},"kind":"Deployment"}"#;
        assert_eq!(
            duplicate_fields(raw),
            vec![
                "duplicate field \"spec.template.spec.containers[0].name\"",
                "duplicate field \"spec.replicas\"",
                "duplicate field \"kind\"",
            ]
        );
        assert!(
            duplicate_fields(br#"{"a": {"b": 1}, "c": {"b": 2}, "d": [{"x":1},{"x":2}]}"#)
                .is_empty()
        );
        assert_eq!(
            duplicate_fields(br#"{"a\u0062": 1, "ab": 2}"#),
            vec!["duplicate field \"ab\""]
        );
        assert!(duplicate_fields(b"not json").is_empty());
        assert!(duplicate_fields(b"").is_empty());
        assert_eq!(
            duplicate_fields(br#"{"a":1,"a":2"#),
            vec!["duplicate field \"a\""]
        );
    }

    proptest! {
        #[test]
        fn serialized_values_have_no_duplicates(v in any_json()) {
            let raw = serde_json::to_vec(&v).unwrap();
            prop_assert!(duplicate_fields(&raw).is_empty());
        }

        #[test]
        fn repeated_key_is_reported(key in "[a-zA-Z\"\\\\é]{1,8}", a in 0i32..10, b in 0i32..10) {
            let k = serde_json::to_string(&key).unwrap();
            let raw = format!("{{\"spec\": {{{k}: {a}, \"other\": true, {k}: {b}}}}}");
            prop_assert_eq!(duplicate_fields(raw.as_bytes()), vec![format!("duplicate field \"spec.{key}\"")]);
        }

        #[test]
        fn scanner_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = duplicate_fields(&bytes);
        }
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\\ ]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\"]{1,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
