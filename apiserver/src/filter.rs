//! Namespace, label and field filtering of lists and watches.

use api_types::registry::ResourceDef;
use api_types::selector::{FieldSelector, Selector};

use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::watch_cache::ObjMeta;

/// What a list or watch request selects.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    namespace: Option<String>,
    labels: Selector,
    fields: FieldSelector,
}

impl Filter {
    /// Build from the request's namespace and selector parameters. Field
    /// selectors may only name `metadata.name`, `metadata.namespace` and the
    /// kind's selectable fields (400 `field label not supported` otherwise).
    pub fn new(def: &ResourceDef, namespace: Option<&str>, params: &Params) -> ApiResult<Self> {
        let labels = match &params.label_selector {
            Some(s) => Selector::parse(s)
                .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?,
            None => Selector::everything(),
        };
        let fields = match &params.field_selector {
            Some(s) => FieldSelector::parse(s)
                .map_err(|e| ApiError::bad_request(format!("invalid field selector: {e}")))?,
            None => FieldSelector::everything(),
        };
        let supported = def.hooks.selectable_fields();
        for r in fields.requirements() {
            let f = r.field.as_str();
            if f != "metadata.name" && f != "metadata.namespace" && !supported.contains(&f) {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {f}"
                )));
            }
        }
        Ok(Self {
            namespace: namespace.map(str::to_string),
            labels,
            fields,
        })
    }

    /// Whether only the namespace matters (no label or field selector).
    pub fn namespace_only(&self) -> bool {
        self.labels.is_everything() && self.fields.is_everything()
    }

    /// Whether an object in `namespace` passes the namespace part.
    pub fn matches_namespace(&self, namespace: &str) -> bool {
        self.namespace.as_deref().is_none_or(|ns| ns == namespace)
    }

    /// Whether an object with this metadata is selected.
    pub fn matches(&self, meta: &ObjMeta) -> bool {
        self.matches_namespace(&meta.namespace)
            && self.labels.matches(&meta.labels)
            && self.fields.matches(|f| meta.field(f))
    }
}
