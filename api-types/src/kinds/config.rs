//! ConfigMaps and Secrets: Secret type default `Opaque`, `stringData`
//! folded into `data` (as the v1 conversion does), printers and the Secret
//! `type` field selector.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use serde_json::{Value, json};

use super::util::{age_cell, column, decode, name_cell, name_column, str_at};
use crate::registry::{Column, FieldError, KindHooks};

fn count_keys(obj: &Value, keys: &[&str]) -> i64 {
    keys.iter()
        .filter_map(|k| obj.get(*k).and_then(Value::as_object))
        .map(|m| m.len() as i64)
        .sum()
}

/// Hooks for `configmaps`.
#[derive(Debug, Default)]
pub struct ConfigMapHooks;

impl KindHooks for ConfigMapHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let _: ConfigMap = decode(obj)?;
        Ok(())
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_config_map(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_config_map_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column("Data", "string", 0, "Data contains the configuration data."),
            super::util::age_column(),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        vec![
            name_cell(obj),
            json!(count_keys(obj, &["data", "binaryData"])),
            age_cell(obj, now),
        ]
    }
}

/// Standard base64 with padding, as Kubernetes encodes `[]byte` in JSON.
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Hooks for `secrets`.
#[derive(Debug, Default)]
pub struct SecretHooks;

impl KindHooks for SecretHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let _: Secret = decode(obj)?;
        let needs_type = str_at(obj, "/type").is_empty();
        let Some(map) = obj.as_object_mut() else {
            return Ok(());
        };
        if needs_type {
            map.insert("type".into(), json!("Opaque"));
        }
        if let Some(Value::Object(string_data)) = map.remove("stringData") {
            let data = map.entry("data").or_insert_with(|| json!({}));
            if data.is_null() {
                *data = json!({});
            }
            if let Some(data) = data.as_object_mut() {
                for (k, v) in string_data {
                    let text = v.as_str().unwrap_or_default();
                    data.insert(k, Value::String(base64_encode(text.as_bytes())));
                }
            }
        }
        Ok(())
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_secret(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_secret_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column("Type", "string", 0, "The type of the secret"),
            column("Data", "string", 0, "The number of entries in data"),
            super::util::age_column(),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        vec![
            name_cell(obj),
            json!(str_at(obj, "/type")),
            json!(count_keys(obj, &["data"])),
            age_cell(obj, now),
        ]
    }

    fn selectable_fields(&self) -> &'static [&'static str] {
        &["type"]
    }

    fn field_value(&self, obj: &Value, field: &str) -> Option<String> {
        (field == "type").then(|| str_at(obj, "/type").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_default_type_and_row() {
        let mut s = json!({"metadata": {"name": "s"}, "data": {"a": "eA==", "b": "eQ=="}});
        SecretHooks.default(&mut s).unwrap();
        assert_eq!(s["type"], "Opaque");
        assert_eq!(
            SecretHooks.row(&s, 0),
            vec![json!("s"), json!("Opaque"), json!(2), json!("<unknown>")]
        );
        assert_eq!(
            SecretHooks.field_value(&s, "type").as_deref(),
            Some("Opaque")
        );
        let mut tls = json!({"metadata": {"name": "t"}, "type": "kubernetes.io/tls"});
        SecretHooks.default(&mut tls).unwrap();
        assert_eq!(tls["type"], "kubernetes.io/tls");
    }

    #[test]
    fn string_data_is_folded_into_data() {
        let mut s = json!({"metadata": {"name": "s"}, "data": {"a": "eA=="}, "stringData": {"b": "hello", "a": "y"}});
        SecretHooks.default(&mut s).unwrap();
        assert_eq!(s["data"], json!({"a": "eQ==", "b": "aGVsbG8="}));
        assert!(s.get("stringData").is_none());
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn config_map_row() {
        let cm =
            json!({"metadata": {"name": "c"}, "data": {"a": "1"}, "binaryData": {"b": "eA=="}});
        assert_eq!(ConfigMapHooks.row(&cm, 0)[1], 2);
    }
}
