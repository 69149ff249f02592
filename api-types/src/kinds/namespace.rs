//! Namespaces: finalizer `kubernetes`, phase `Active`, the
//! `kubernetes.io/metadata.name` label, printer and field selector.

use serde_json::{Value, json};

use super::util::{age_cell, column, name_cell, name_column, str_at};
use crate::registry::{Column, FieldError, KindHooks};

/// The finalizer the namespace controller removes once a namespace is empty.
pub const NAMESPACE_FINALIZER: &str = "kubernetes";
/// The label every namespace carries with its own name.
pub const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";

/// Hooks for `namespaces`.
#[derive(Debug, Default)]
pub struct NamespaceHooks;

impl KindHooks for NamespaceHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let _: k8s_openapi::api::core::v1::Namespace = super::util::decode(obj)?;
        let name = str_at(obj, "/metadata/name").to_string();
        let map = obj
            .as_object_mut()
            .ok_or_else(|| "object is not a JSON object".to_string())?;
        let spec = map.entry("spec").or_insert_with(|| json!({}));
        if spec.is_null() {
            *spec = json!({});
        }
        if let Some(spec) = spec.as_object_mut()
            && spec.get("finalizers").is_none_or(Value::is_null)
        {
            spec.insert("finalizers".into(), json!([NAMESPACE_FINALIZER]));
        }
        let status = map.entry("status").or_insert_with(|| json!({}));
        if status.is_null() {
            *status = json!({});
        }
        if let Some(status) = status.as_object_mut()
            && status
                .get("phase")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            status.insert("phase".into(), json!("Active"));
        }
        if !name.is_empty() {
            let meta = map.entry("metadata").or_insert_with(|| json!({}));
            if let Some(meta) = meta.as_object_mut() {
                let labels = meta.entry("labels").or_insert_with(|| json!({}));
                if labels.is_null() {
                    *labels = json!({});
                }
                if let Some(labels) = labels.as_object_mut() {
                    labels.insert(LABEL_METADATA_NAME.into(), json!(name));
                }
            }
        }
        Ok(())
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_namespace_create(obj)
    }

    fn validate_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_namespace_update(obj, old)
    }

    fn validate_status_update(&self, obj: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_namespace_status_update(obj, old)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column("Status", "string", 0, "The status of the namespace"),
            super::util::age_column(),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        vec![
            name_cell(obj),
            Value::from(str_at(obj, "/status/phase")),
            age_cell(obj, now),
        ]
    }

    fn selectable_fields(&self) -> &'static [&'static str] {
        &["status.phase"]
    }

    fn field_value(&self, obj: &Value, field: &str) -> Option<String> {
        (field == "status.phase").then(|| str_at(obj, "/status/phase").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_defaults() {
        let mut ns =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}});
        NamespaceHooks.default(&mut ns).unwrap();
        assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
        assert_eq!(ns["status"]["phase"], "Active");
        assert_eq!(
            ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
            "team-a"
        );
        let mut terminating = json!({"metadata": {"name": "x"}, "spec": {"finalizers": []}, "status": {"phase": "Terminating"}});
        NamespaceHooks.default(&mut terminating).unwrap();
        assert_eq!(terminating["spec"]["finalizers"], json!([]));
        assert_eq!(terminating["status"]["phase"], "Terminating");
    }

    #[test]
    fn namespace_row_and_field() {
        let ns = json!({"metadata": {"name": "x"}, "status": {"phase": "Active"}});
        assert_eq!(
            NamespaceHooks.row(&ns, 0),
            vec![json!("x"), json!("Active"), json!("<unknown>")]
        );
        assert_eq!(
            NamespaceHooks.field_value(&ns, "status.phase").as_deref(),
            Some("Active")
        );
        assert_eq!(NamespaceHooks.field_value(&ns, "spec.x"), None);
    }
}
