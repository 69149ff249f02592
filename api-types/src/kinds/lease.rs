//! coordination.k8s.io/v1 Leases: the printer (Name, Holder, Age).

use k8s_openapi::api::coordination::v1::Lease;
use serde_json::Value;

use super::util::{age_cell, column, decode, name_cell, name_column, str_at};
use crate::registry::{Column, FieldError, KindHooks};

/// Hooks for `leases`.
#[derive(Debug, Default)]
pub struct LeaseHooks;

impl KindHooks for LeaseHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let _: Lease = decode(obj)?;
        Ok(())
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_lease(obj)
    }

    fn validate_update(&self, obj: &Value, _old: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_lease(obj)
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            name_column(),
            column(
                "Holder",
                "string",
                0,
                "holderIdentity contains the identity of the holder of a current lease.",
            ),
            super::util::age_column(),
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        vec![
            name_cell(obj),
            Value::from(str_at(obj, "/spec/holderIdentity")),
            age_cell(obj, now),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lease_row() {
        let l = json!({"metadata": {"name": "rkube-controller-manager", "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"holderIdentity": "host_abc"}});
        let now = "2024-01-01T00:00:05Z"
            .parse::<k8s_openapi::jiff::Timestamp>()
            .unwrap()
            .as_second();
        assert_eq!(
            LeaseHooks.row(&l, now),
            vec![
                json!("rkube-controller-manager"),
                json!("host_abc"),
                json!("5s")
            ]
        );
        let mut bad = json!({"spec": {"holderIdentity": 5}});
        assert!(LeaseHooks.default(&mut bad).is_err());
    }
}
