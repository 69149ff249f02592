//! Label and field selectors, as used by `?labelSelector=` / `?fieldSelector=`
//! and by `spec.selector` fields of workloads and services.

pub mod fields;
pub mod labels;

pub use fields::{
    FieldOperator, FieldRequirement, FieldSelector, FieldSelectorError, value_at_path,
};
pub use labels::{LabelSelectorError, Operator, Requirement, Selector};
