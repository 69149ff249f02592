//! Small accessors for objects held as JSON values.
//!
//! The API server handles every kind as `serde_json::Value`; these helpers read
//! and write the `metadata` fields the generic logic needs without decoding
//! to a typed struct.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// `metadata` as a mutable map, created if missing.
pub fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = json!({});
    }
    let map = obj.as_object_mut().expect("object");
    let meta = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    meta.as_object_mut().expect("metadata object")
}

/// A string field of `metadata`, or "".
pub fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.name`.
pub fn name(obj: &Value) -> &str {
    meta_str(obj, "name")
}

/// `metadata.namespace`.
pub fn namespace(obj: &Value) -> &str {
    meta_str(obj, "namespace")
}

/// `metadata.resourceVersion`.
pub fn resource_version(obj: &Value) -> &str {
    meta_str(obj, "resourceVersion")
}

/// `metadata.labels` as a map (missing → empty).
pub fn labels(obj: &Value) -> BTreeMap<String, String> {
    obj.get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// `metadata.finalizers`.
pub fn finalizers(obj: &Value) -> Vec<String> {
    obj.get("metadata")
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Replace `metadata.finalizers` (removing the field when empty).
pub fn set_finalizers(obj: &mut Value, finalizers: &[String]) {
    let meta = meta_mut(obj);
    if finalizers.is_empty() {
        meta.remove("finalizers");
    } else {
        meta.insert("finalizers".into(), json!(finalizers));
    }
}

/// Whether `metadata.deletionTimestamp` is set.
pub fn is_deleting(obj: &Value) -> bool {
    !meta_str(obj, "deletionTimestamp").is_empty()
}

/// Set `metadata.resourceVersion`.
pub fn set_resource_version(obj: &mut Value, rv: u64) {
    meta_mut(obj).insert("resourceVersion".into(), Value::String(rv.to_string()));
}

/// Everything but `metadata` and `status`: a change here bumps `generation`.
pub fn spec_equal(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
            m.remove("kind");
            m.remove("apiVersion");
        }
        v
    };
    strip(a) == strip(b)
}

/// Current time as an RFC 3339 timestamp with second precision, as Kubernetes
/// writes `metav1.Time`.
pub fn now_rfc3339() -> String {
    now_second().to_string()
}

/// The current time, to the second, as Kubernetes' timestamps hold it.
pub fn now_second() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// Current Unix time in seconds.
pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The encoded object `raw` with `metadata.resourceVersion` set to `rv`,
/// without decoding it: the field is inserted right after the opening brace
/// of the top-level `metadata` object (or a `metadata` object is added).
///
/// Stored objects never carry a resourceVersion (it is the key's revision),
/// so this is how every stored object is stamped on its way out: once per
/// watch event, and for the response to a write. Bytes whose metadata
/// already has a resourceVersion (or that our encoder would not have
/// written) take the slow path (decode, set, encode); `None` if they are not
/// a JSON object at all.
pub fn with_resource_version(raw: &[u8], rv: u64) -> Option<Vec<u8>> {
    match metadata_insert_point(raw) {
        Some((at, empty)) => {
            let mut out = Vec::with_capacity(raw.len() + 40);
            out.extend_from_slice(&raw[..at]);
            out.extend_from_slice(b"\"resourceVersion\":\"");
            out.extend_from_slice(rv.to_string().as_bytes());
            out.push(b'"');
            if !empty {
                out.push(b',');
            }
            out.extend_from_slice(&raw[at..]);
            Some(out)
        }
        None => match serde_json::from_slice::<Value>(raw) {
            Ok(mut obj) if obj.is_object() => {
                set_resource_version(&mut obj, rv);
                serde_json::to_vec(&obj).ok()
            }
            _ => None,
        },
    }
}

/// Where to insert the resourceVersion member in `raw`: just after the `{`
/// of the top-level `metadata` object, and whether that object is empty.
/// `None` when `raw` is not a well-formed object with an object-valued
/// `metadata` (without a resourceVersion) at the top level.
fn metadata_insert_point(raw: &[u8]) -> Option<(usize, bool)> {
    let mut i = skip_ws(raw, 0);
    if raw.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(raw, i + 1);
    if raw.get(i) == Some(&b'}') {
        return None;
    }
    loop {
        let key_start = i;
        i = skip_string(raw, i)?;
        let key = &raw[key_start..i];
        i = skip_ws(raw, i);
        if raw.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(raw, i + 1);
        if key == b"\"metadata\"" {
            if raw.get(i) != Some(&b'{') {
                return None;
            }
            let at = i + 1;
            // Make sure there is no resourceVersion already (and that the
            // metadata object is well formed).
            let mut j = skip_ws(raw, at);
            if raw.get(j) == Some(&b'}') {
                return Some((at, true));
            }
            loop {
                let k = j;
                j = skip_string(raw, j)?;
                if &raw[k..j] == b"\"resourceVersion\"" {
                    return None;
                }
                j = skip_ws(raw, j);
                if raw.get(j) != Some(&b':') {
                    return None;
                }
                j = skip_value(raw, skip_ws(raw, j + 1))?;
                j = skip_ws(raw, j);
                match raw.get(j) {
                    Some(b',') => j = skip_ws(raw, j + 1),
                    Some(b'}') => return Some((at, false)),
                    _ => return None,
                }
            }
        }
        i = skip_value(raw, i)?;
        i = skip_ws(raw, i);
        match raw.get(i) {
            Some(b',') => i = skip_ws(raw, i + 1),
            _ => return None,
        }
    }
}

fn skip_ws(raw: &[u8], mut i: usize) -> usize {
    while matches!(raw.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The index just past the JSON string starting at `i`.
fn skip_string(raw: &[u8], i: usize) -> Option<usize> {
    if raw.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match raw.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// The index just past the JSON value starting at `i` (not validated in
/// depth: the bytes were produced by our own encoder).
fn skip_value(raw: &[u8], i: usize) -> Option<usize> {
    match raw.get(i)? {
        b'"' => skip_string(raw, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match raw.get(j)? {
                    b'"' => {
                        j = skip_string(raw, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = raw.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stamped(v: &Value, rv: u64) -> Value {
        let raw = serde_json::to_vec(v).unwrap();
        serde_json::from_slice(&with_resource_version(&raw, rv).unwrap()).unwrap()
    }

    #[test]
    fn inserts_into_metadata_wherever_it_is() {
        let v =
            json!({"kind": "Pod", "spec": {"metadata": {"x": "{"}}, "metadata": {"name": "a\"}b"}});
        let out = stamped(&v, 42);
        assert_eq!(out["metadata"]["resourceVersion"], "42");
        assert_eq!(out["metadata"]["name"], "a\"}b");
        assert!(out["spec"]["metadata"].get("resourceVersion").is_none());
    }

    #[test]
    fn empty_or_missing_metadata() {
        assert_eq!(
            stamped(&json!({"metadata": {}}), 7)["metadata"]["resourceVersion"],
            "7"
        );
        assert_eq!(
            stamped(&json!({"kind": "X"}), 7)["metadata"]["resourceVersion"],
            "7"
        );
        assert_eq!(stamped(&json!({}), 7)["metadata"]["resourceVersion"], "7");
    }

    #[test]
    fn an_existing_resource_version_is_replaced_not_duplicated() {
        let raw = br#"{"metadata":{"name":"a","resourceVersion":"3"}}"#;
        let out = with_resource_version(raw, 9).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"metadata":{"name":"a","resourceVersion":"9"}}"#
        );
    }

    #[test]
    fn whitespace_is_tolerated() {
        let raw = b" { \"a\" : [1, {\"b\": 2}] , \"metadata\" : { \"name\" : \"n\" } } ";
        let out: Value = serde_json::from_slice(&with_resource_version(raw, 5).unwrap()).unwrap();
        assert_eq!(out["metadata"]["resourceVersion"], "5");
        assert_eq!(out["metadata"]["name"], "n");
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-z\"\\\\{}]{0,5}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Splicing gives the same object as decoding, setting and encoding.
        #[test]
        fn same_as_decode_set_encode(
            mut obj in prop::collection::btree_map("[a-z\"{]{0,6}", any_json(), 0..5),
            meta in prop::collection::btree_map("[a-zA-Z\"\\\\]{1,6}", any_json(), 0..4),
            rv in any::<u64>(),
        ) {
            obj.insert("metadata".to_string(), Value::Object(meta.into_iter().collect()));
            let v = Value::Object(obj.into_iter().collect());
            let mut expected = v.clone();
            set_resource_version(&mut expected, rv);
            // One encode and decode on both sides (floats need not survive
            // a second round trip bit for bit).
            let expected: Value = serde_json::from_slice(&serde_json::to_vec(&expected).unwrap()).unwrap();
            prop_assert_eq!(stamped(&v, rv), expected);
        }

        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), rv in any::<u64>()) {
            if let Some(out) = with_resource_version(&bytes, rv) {
                prop_assert!(serde_json::from_slice::<Value>(&out).is_ok());
            }
        }
    }
}
