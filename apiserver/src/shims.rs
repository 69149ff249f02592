#![allow(missing_docs, dead_code)]
pub mod openapi {
    use api_types::registry::Registry;
    pub fn openapi_v3_group_versions(_r: &Registry) -> Vec<(String, String)> {
        vec![]
    }
    pub fn openapi_v3_document(_r: &Registry, _g: &str, _v: &str) -> serde_json::Value {
        serde_json::Value::Null
    }
}
pub mod field_validation {
    pub fn duplicate_fields(_r: &[u8]) -> Vec<String> {
        vec![]
    }
    pub fn unknown_fields(_d: &serde_json::Value, _s: &str, _o: &serde_json::Value) -> Vec<String> {
        vec![]
    }
}
