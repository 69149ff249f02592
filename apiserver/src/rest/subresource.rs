//! Subresources: `status`, `scale` (autoscaling/v1 Scale), `pods/binding`
//! and `namespaces/{name}/finalize`.

use api_types::registry::ScaleSpec;
use api_types::selector::Selector;
use axum::response::Response;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::write::{Mode, apply_patch, guaranteed_update, parse_body, patch_with_mode};
use super::{Request, Target, decode_stored, json_response};
use crate::error::{ApiError, ApiResult};
use crate::{AppState, object};

/// Dispatch a subresource request.
pub async fn handle(
    state: &AppState,
    target: &Target,
    sub: &str,
    req: Request,
) -> ApiResult<Response> {
    let def = &target.def;
    let not_found =
        || ApiError::path_not_found(&format!("{}/{}/{}", def.plural, target.name(), sub));
    match sub {
        "status" if def.subresources.status => match req.method {
            Method::GET => super::read::get(state, target, req).await,
            Method::PUT => {
                let mut body = parse_body(&req)?;
                super::write::check_type(target, &mut body, &def.kind, &def.api_version())?;
                let updated =
                    guaranteed_update(state, target, Mode::Status, req.params.dry_run, |_| {
                        Ok(body.clone())
                    })
                    .await?;
                Ok(json_response(StatusCode::OK, &updated.object, &[]))
            }
            Method::PATCH => patch_with_mode(state, target, req, Mode::Status).await,
            _ => Err(method_not_allowed(&req, sub)),
        },
        "scale" => {
            let spec = def.subresources.scale.clone().ok_or_else(not_found)?;
            scale(state, target, &spec, req).await
        }
        "binding" if def.subresources.binding => match req.method {
            Method::POST => binding(state, target, req).await,
            _ => Err(method_not_allowed(&req, sub)),
        },
        "finalize" if def.subresources.finalize => match req.method {
            Method::PUT => finalize(state, target, req).await,
            _ => Err(method_not_allowed(&req, sub)),
        },
        _ => Err(not_found()),
    }
}

fn method_not_allowed(req: &Request, sub: &str) -> ApiError {
    ApiError::method_not_allowed(format!(
        "the server does not allow this method on the requested resource ({} {sub})",
        req.method
    ))
}

/// The Scale view of an object.
pub fn scale_of(target: &Target, spec: &ScaleSpec, obj: &Value) -> Value {
    let selector = obj
        .pointer(spec.label_selector)
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok());
    let selector = Selector::from_label_selector(selector.as_ref())
        .map(|s| s.to_string())
        .unwrap_or_default();
    let meta = obj.get("metadata").cloned().unwrap_or_else(|| json!({}));
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta.get("name").cloned().unwrap_or(Value::Null),
            "namespace": target.namespace.clone().map(Value::String).unwrap_or(Value::Null),
            "uid": meta.get("uid").cloned().unwrap_or(Value::Null),
            "resourceVersion": meta.get("resourceVersion").cloned().unwrap_or(Value::Null),
            "creationTimestamp": meta.get("creationTimestamp").cloned().unwrap_or(Value::Null),
        },
        "spec": {"replicas": obj.pointer(spec.spec_replicas).cloned().unwrap_or(json!(0))},
        "status": {
            "replicas": obj.pointer(spec.status_replicas).cloned().unwrap_or(json!(0)),
            "selector": selector,
        },
    })
}

fn set_pointer(obj: &mut Value, pointer: &str, value: Value) {
    let mut cur = obj;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, p) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        let map = cur.as_object_mut().expect("object");
        if i + 1 == parts.len() {
            map.insert((*p).to_string(), value);
            return;
        }
        cur = map.entry((*p).to_string()).or_insert_with(|| json!({}));
    }
}

async fn scale(
    state: &AppState,
    target: &Target,
    spec: &ScaleSpec,
    req: Request,
) -> ApiResult<Response> {
    let def = target.def.clone();
    match req.method {
        Method::GET => {
            let kv = state
                .store()
                .get(&target.key())
                .await
                .map_err(|e| ApiError::from_store(e, &def, target.name()))?
                .ok_or_else(|| ApiError::not_found(&def, target.name()))?;
            let obj = decode_stored(&kv)?;
            Ok(json_response(
                StatusCode::OK,
                &scale_of(target, spec, &obj),
                &[],
            ))
        }
        Method::PUT | Method::PATCH => {
            let body = if req.method == Method::PUT {
                Some(parse_body(&req)?)
            } else {
                None
            };
            let updated =
                guaranteed_update(state, target, Mode::Raw, req.params.dry_run, |current| {
                    let current_scale = scale_of(target, spec, current);
                    let desired = match &body {
                        Some(b) => b.clone(),
                        None => {
                            let scale_target = Target {
                                def: target.def.clone(),
                                namespace: target.namespace.clone(),
                                name: target.name.clone(),
                                subresource: Some("scale".into()),
                            };
                            apply_patch(&scale_target, &req, &current_scale)?
                        }
                    };
                    let replicas = desired
                        .pointer("/spec/replicas")
                        .and_then(Value::as_i64)
                        .ok_or_else(|| {
                            ApiError::bad_request("Scale spec.replicas must be an integer")
                        })?;
                    if replicas < 0 {
                        return Err(ApiError::invalid(
                            &target.def,
                            target.name(),
                            &[api_types::registry::FieldError {
                                reason: "FieldValueInvalid",
                                field: "spec.replicas".into(),
                                message: format!(
                                    "Invalid value: {replicas}: must be greater than or equal to 0"
                                ),
                            }],
                        ));
                    }
                    let mut new = current.clone();
                    set_pointer(&mut new, spec.spec_replicas, json!(replicas));
                    let rv = object::resource_version(&desired).to_string();
                    object::meta_mut(&mut new).insert("resourceVersion".into(), json!(rv));
                    Ok(new)
                })
                .await?;
            Ok(json_response(
                StatusCode::OK,
                &scale_of(target, spec, &updated.object),
                &[],
            ))
        }
        _ => Err(method_not_allowed(&req, "scale")),
    }
}

async fn binding(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let body = parse_body(&req)?;
    let node = body
        .pointer("/target/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("Binding target.name (the node) is required"))?
        .to_string();
    let name = target.name().to_string();
    let def = target.def.clone();
    guaranteed_update(state, target, Mode::Raw, req.params.dry_run, |current| {
        if object::is_deleting(current) {
            return Err(ApiError::conflict_msg(
                &def,
                &name,
                "pod is being deleted, cannot be assigned to a host",
            ));
        }
        let existing = current
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !existing.is_empty() {
            return Err(ApiError::conflict_msg(
                &def,
                &name,
                &format!("pod {name} is already assigned to node \"{existing}\""),
            ));
        }
        let mut new = current.clone();
        object::meta_mut(&mut new).remove("resourceVersion");
        set_pointer(&mut new, "/spec/nodeName", json!(node));
        let mut conditions = new
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        conditions.retain(|c| c.get("type").and_then(Value::as_str) != Some("PodScheduled"));
        conditions.push(json!({
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": null,
            "lastTransitionTime": object::now_rfc3339(),
        }));
        set_pointer(&mut new, "/status/conditions", Value::Array(conditions));
        Ok(new)
    })
    .await?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
        &[],
    ))
}

async fn finalize(state: &AppState, target: &Target, req: Request) -> ApiResult<Response> {
    let body = parse_body(&req)?;
    let finalizers = body
        .pointer("/spec/finalizers")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let rv = object::resource_version(&body).to_string();
    let updated = guaranteed_update(state, target, Mode::Raw, req.params.dry_run, |current| {
        let mut new = current.clone();
        set_pointer(&mut new, "/spec/finalizers", finalizers.clone());
        object::meta_mut(&mut new).insert("resourceVersion".into(), json!(rv));
        Ok(new)
    })
    .await?;
    Ok(json_response(StatusCode::OK, &updated.object, &[]))
}
