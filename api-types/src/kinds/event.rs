//! core/v1 Events: the `kubectl get events` printer and the
//! `involvedObject.*`, `reason`, `source`, `type` field selectors.

use k8s_openapi::api::core::v1::Event;
use serde_json::Value;

use super::util::{age_of, column, decode, name_column, str_at};
use crate::registry::{Column, FieldError, KindHooks};

const EVENT_FIELDS: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
];

/// Hooks for `events`.
#[derive(Debug, Default)]
pub struct EventHooks;

impl KindHooks for EventHooks {
    fn default(&self, obj: &mut Value) -> Result<(), String> {
        let _: Event = decode(obj)?;
        Ok(())
    }

    fn validate_create(&self, obj: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_event(obj)
    }

    fn validate_update(&self, obj: &Value, _old: &Value) -> Vec<FieldError> {
        crate::validation::core::validate_event(obj)
    }

    fn columns(&self) -> Vec<Column> {
        let mut name = name_column();
        name.priority = 1;
        vec![
            column(
                "Last Seen",
                "string",
                0,
                "The time at which the most recent occurrence of this event was recorded.",
            ),
            column(
                "Type",
                "string",
                0,
                "Type of this event (Normal, Warning), new types could be added in the future",
            ),
            column(
                "Reason",
                "string",
                0,
                "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
            ),
            column(
                "Object",
                "string",
                0,
                "The object that this event is about.",
            ),
            column(
                "Subobject",
                "string",
                1,
                "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
            ),
            column(
                "Source",
                "string",
                1,
                "The component reporting this event. Should be a short machine understandable string.",
            ),
            column(
                "Message",
                "string",
                0,
                "A human-readable description of the status of this operation.",
            ),
            column(
                "First Seen",
                "string",
                1,
                "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
            ),
            column(
                "Count",
                "string",
                1,
                "The number of times this event has occurred.",
            ),
            name,
        ]
    }

    fn row(&self, obj: &Value, now: i64) -> Vec<Value> {
        let ev: Event = decode(obj).unwrap_or_default();
        let first_ts = ev
            .first_timestamp
            .as_ref()
            .map(|t| t.0)
            .or_else(|| ev.event_time.as_ref().map(|t| t.0));
        let first = age_of(first_ts, now);
        let mut last = match &ev.last_timestamp {
            Some(t) => age_of(Some(t.0), now),
            None => first.clone(),
        };
        let mut count = ev.count.unwrap_or(0);
        if let Some(series) = &ev.series {
            last = age_of(series.last_observed_time.as_ref().map(|t| t.0), now);
            count = series.count.unwrap_or(0);
        } else if count == 0 {
            count = 1;
        }
        let io = &ev.involved_object;
        let kind = io.kind.clone().unwrap_or_default().to_lowercase();
        let target = match io.name.as_deref() {
            Some(n) if !n.is_empty() => format!("{kind}/{n}"),
            _ => kind,
        };
        let component = ev
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| ev.reporting_component.clone())
            .unwrap_or_default();
        let instance = ev
            .source
            .as_ref()
            .and_then(|s| s.host.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| ev.reporting_instance.clone())
            .unwrap_or_default();
        let source = if instance.is_empty() {
            component
        } else {
            format!("{component}, {instance}")
        };
        vec![
            Value::from(last),
            Value::from(ev.type_.clone().unwrap_or_default()),
            Value::from(ev.reason.clone().unwrap_or_default()),
            Value::from(target),
            Value::from(io.field_path.clone().unwrap_or_default()),
            Value::from(source),
            Value::from(ev.message.clone().unwrap_or_default().trim().to_string()),
            Value::from(first),
            Value::from(i64::from(count)),
            Value::from(ev.metadata.name.clone().unwrap_or_default()),
        ]
    }

    fn selectable_fields(&self) -> &'static [&'static str] {
        EVENT_FIELDS
    }

    fn field_value(&self, obj: &Value, field: &str) -> Option<String> {
        let pointer = match field {
            "reason" => "/reason".to_string(),
            "reportingComponent" => "/reportingComponent".to_string(),
            "source" => "/source/component".to_string(),
            "type" => "/type".to_string(),
            f => {
                let sub = f.strip_prefix("involvedObject.")?;
                if !EVENT_FIELDS.contains(&f) {
                    return None;
                }
                format!("/involvedObject/{sub}")
            }
        };
        Some(str_at(obj, &pointer).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_row() {
        let ev = json!({"metadata": {"name": "web.1"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default", "fieldPath": "spec.containers{c}"},
            "reason": "Pulled", "message": " pulled \n", "type": "Normal",
            "source": {"component": "kubelet", "host": "n1"},
            "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:30Z", "count": 2});
        let now = "2024-01-01T00:01:00Z"
            .parse::<k8s_openapi::jiff::Timestamp>()
            .unwrap()
            .as_second();
        let row = EventHooks.row(&ev, now);
        assert_eq!(row.len(), EventHooks.columns().len());
        assert_eq!(
            row,
            vec![
                json!("30s"),
                json!("Normal"),
                json!("Pulled"),
                json!("pod/web"),
                json!("spec.containers{c}"),
                json!("kubelet, n1"),
                json!("pulled"),
                json!("60s"),
                json!(2),
                json!("web.1")
            ]
        );
        let new_api = json!({"metadata": {"name": "e"}, "involvedObject": {"kind": "Node"},
            "eventTime": "2024-01-01T00:00:50.000000Z", "reportingComponent": "ctrl", "reportingInstance": "i1"});
        let row = EventHooks.row(&new_api, now);
        assert_eq!(row[0], "10s");
        assert_eq!(row[3], "node");
        assert_eq!(row[5], "ctrl, i1");
        assert_eq!(row[8], 1);
    }

    #[test]
    fn event_fields() {
        let ev = json!({"involvedObject": {"kind": "Pod", "name": "web", "uid": "u1"}, "reason": "Pulled",
            "source": {"component": "kubelet"}, "type": "Normal"});
        assert_eq!(
            EventHooks
                .field_value(&ev, "involvedObject.name")
                .as_deref(),
            Some("web")
        );
        assert_eq!(
            EventHooks.field_value(&ev, "involvedObject.uid").as_deref(),
            Some("u1")
        );
        assert_eq!(
            EventHooks
                .field_value(&ev, "involvedObject.namespace")
                .as_deref(),
            Some("")
        );
        assert_eq!(
            EventHooks.field_value(&ev, "source").as_deref(),
            Some("kubelet")
        );
        assert_eq!(
            EventHooks.field_value(&ev, "type").as_deref(),
            Some("Normal")
        );
        assert_eq!(EventHooks.field_value(&ev, "involvedObject.bogus"), None);
        assert_eq!(EventHooks.field_value(&ev, "message"), None);
    }
}
