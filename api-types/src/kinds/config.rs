//! ConfigMaps and Secrets: Secret type default `Opaque`, printers and the
//! Secret `type` field selector.

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

/// Hooks for `secrets`.
#[derive(Debug, Default)]
pub struct SecretHooks;

impl KindHooks for SecretHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let _: Secret = decode(obj)?;
        if str_at(obj, "/type").is_empty()
            && let Some(map) = obj.as_object_mut()
        {
            map.insert("type".into(), json!("Opaque"));
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
    fn config_map_row() {
        let cm =
            json!({"metadata": {"name": "c"}, "data": {"a": "1"}, "binaryData": {"b": "eA=="}});
        assert_eq!(ConfigMapHooks.row(&cm, 0)[1], 2);
    }
}
