//! OpenAPI 3.0 documents for the registry, one per group-version, in the
//! shape kube-apiserver serves at `/openapi/v3/<api/v1 | apis/g/v>`.
//!
//! Schemas come from k8s-openapi's `schemars` implementations generated
//! with schemars' OpenAPI 3 settings: every definition lives under
//! `#/components/schemas/<io.k8s...Name>`, references are `$ref` (wrapped in
//! `allOf` when a description sits beside them), never `$defs` or
//! `anyOf [ref, null]`. Each kind's schema carries the
//! `x-kubernetes-group-version-kind` list, and every operation its own
//! `x-kubernetes-group-version-kind` object. PUT, POST and PATCH list the
//! `fieldValidation` query parameter, which is how kubectl decides that the
//! server validates fields (cli-runtime `query_param_verifier_v3.go`). The
//! strategic-merge-patch media type is left out of PATCH bodies on purpose
//! (kubectl then computes apply patches from its compiled-in types).

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    Binding, ConfigMap, Endpoints, Event, Namespace, Node, Pod, Secret, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    DeleteOptions, ListMeta, Patch, Status, WatchEvent,
};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

use crate::registry::{Registry, ResourceDef};

/// Prefix of every schema reference.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// The Kubernetes version the documents describe.
pub const KUBERNETES_VERSION: &str = "v1.32.0";

/// Every `(group, version)` the registry serves, core first, sorted.
pub fn openapi_v3_group_versions(reg: &Registry) -> Vec<(String, String)> {
    let set: BTreeSet<(String, String)> = reg
        .all()
        .iter()
        .map(|d| (d.group.clone(), d.version.clone()))
        .collect();
    set.into_iter().collect()
}

/// The `/openapi/v3` path of a group-version: `api/v1` or `apis/<g>/<v>`.
pub fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("{SCHEMA_REF_PREFIX}{name}") })
}

/// Generate (and register in `generator`) the schema of a built-in kind,
/// by its Kubernetes schema name. `false` for names we have no type for.
fn add_builtin_schema(generator: &mut SchemaGenerator, schema_name: &str) -> bool {
    match schema_name {
        "io.k8s.api.core.v1.Namespace" => generator.subschema_for::<Namespace>(),
        "io.k8s.api.core.v1.Pod" => generator.subschema_for::<Pod>(),
        "io.k8s.api.core.v1.Service" => generator.subschema_for::<Service>(),
        "io.k8s.api.core.v1.Endpoints" => generator.subschema_for::<Endpoints>(),
        "io.k8s.api.core.v1.Node" => generator.subschema_for::<Node>(),
        "io.k8s.api.core.v1.Event" => generator.subschema_for::<Event>(),
        "io.k8s.api.core.v1.ConfigMap" => generator.subschema_for::<ConfigMap>(),
        "io.k8s.api.core.v1.Secret" => generator.subschema_for::<Secret>(),
        "io.k8s.api.apps.v1.ReplicaSet" => generator.subschema_for::<ReplicaSet>(),
        "io.k8s.api.apps.v1.Deployment" => generator.subschema_for::<Deployment>(),
        "io.k8s.api.discovery.v1.EndpointSlice" => generator.subschema_for::<EndpointSlice>(),
        "io.k8s.api.coordination.v1.Lease" => generator.subschema_for::<Lease>(),
        _ => return false,
    };
    true
}

/// `io.k8s.api.apps.v1.Deployment` → `io.k8s.api.apps.v1.DeploymentList`.
fn list_schema_name(def: &ResourceDef) -> String {
    match def.schema_name.rsplit_once('.') {
        Some((prefix, _)) => format!("{prefix}.{}", def.list_kind),
        None => def.list_kind.clone(),
    }
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "kind": kind, "version": version})
}

fn list_schema(def: &ResourceDef) -> Value {
    json!({
        "description": format!("{} is a list of {}.", def.list_kind, def.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {
                "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
                "type": "string"
            },
            "items": {
                "description": format!("Items is the list of {}.", def.kind),
                "type": "array",
                "items": {"allOf": [schema_ref(&def.schema_name)], "default": {}}
            },
            "kind": {
                "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
                "type": "string"
            },
            "metadata": {
                "allOf": [schema_ref("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta")],
                "default": {},
                "description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
            }
        },
        "x-kubernetes-group-version-kind": [gvk(&def.group, &def.version, &def.list_kind)]
    })
}

fn query_param(name: &str, ty: &str, description: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": ty, "uniqueItems": true}
    })
}

fn pretty_param() -> Value {
    query_param(
        "pretty",
        "string",
        "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
    )
}

fn dry_run_param() -> Value {
    query_param(
        "dryRun",
        "string",
        "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
    )
}

fn field_manager_param() -> Value {
    query_param(
        "fieldManager",
        "string",
        "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
    )
}

/// The `fieldValidation` query parameter kubectl looks for.
pub fn field_validation_param() -> Value {
    query_param(
        "fieldValidation",
        "string",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
    )
}

fn list_params() -> Vec<Value> {
    vec![
        query_param(
            "allowWatchBookmarks",
            "boolean",
            "allowWatchBookmarks requests watch events with type \"BOOKMARK\".",
        ),
        query_param(
            "continue",
            "string",
            "The continue option should be set when retrieving more results from the server.",
        ),
        query_param(
            "fieldSelector",
            "string",
            "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
        ),
        query_param(
            "labelSelector",
            "string",
            "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
        ),
        query_param(
            "limit",
            "integer",
            "limit is a maximum number of responses to return for a list call.",
        ),
        query_param(
            "resourceVersion",
            "string",
            "resourceVersion sets a constraint on what resource versions a request may be served from.",
        ),
        query_param(
            "resourceVersionMatch",
            "string",
            "resourceVersionMatch determines how resourceVersion is applied to list calls.",
        ),
        query_param(
            "sendInitialEvents",
            "boolean",
            "`sendInitialEvents=true` may be set together with `watch=true`.",
        ),
        query_param(
            "timeoutSeconds",
            "integer",
            "Timeout for the list/watch call.",
        ),
        query_param(
            "watch",
            "boolean",
            "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.",
        ),
    ]
}

fn delete_params() -> Vec<Value> {
    vec![
        dry_run_param(),
        query_param(
            "gracePeriodSeconds",
            "integer",
            "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.",
        ),
        query_param(
            "propagationPolicy",
            "string",
            "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
        ),
        query_param(
            "orphanDependents",
            "boolean",
            "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.",
        ),
    ]
}

fn json_content(schema: Value) -> Value {
    json!({
        "application/json": {"schema": schema.clone()},
        "application/yaml": {"schema": schema}
    })
}

fn ok_response(schema_name: &str) -> Value {
    json!({"description": "OK", "content": json_content(schema_ref(schema_name))})
}

fn unauthorized() -> Value {
    json!({"description": "Unauthorized"})
}

/// Names used in operation ids: `CoreV1`, `AppsV1`, `DiscoveryV1`.
fn op_group_version(group: &str, version: &str) -> String {
    let g = if group.is_empty() {
        "core"
    } else {
        group.split('.').next().unwrap_or(group)
    };
    let cap = |s: &str| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    };
    format!("{}{}", cap(g), cap(version))
}

fn tag(group: &str, version: &str) -> String {
    let g = if group.is_empty() {
        "core"
    } else {
        group.split('.').next().unwrap_or(group)
    };
    format!("{g}_{version}")
}

/// Context for building one kind's operations.
struct OpCtx<'a> {
    def: &'a ResourceDef,
    tag: String,
    gv: String,
    /// `Namespaced` or empty.
    scope: &'static str,
    gvk: Value,
}

impl OpCtx<'_> {
    fn op(
        &self,
        action: &str,
        verb: &str,
        suffix: &str,
        description: String,
    ) -> Map<String, Value> {
        let mut op = Map::new();
        op.insert("tags".into(), json!([self.tag]));
        op.insert("description".into(), json!(description));
        op.insert(
            "operationId".into(),
            json!(format!(
                "{verb}{}{}{}{suffix}",
                self.gv, self.scope, self.def.kind
            )),
        );
        op.insert("x-kubernetes-action".into(), json!(action));
        op.insert("x-kubernetes-group-version-kind".into(), self.gvk.clone());
        op
    }
}

fn body(schema_name: &str) -> Value {
    json!({"content": {"*/*": {"schema": schema_ref(schema_name)}}, "required": true})
}

fn patch_body() -> Value {
    let patch = schema_ref("io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    json!({
        "content": {
            "application/apply-patch+yaml": {"schema": patch.clone()},
            "application/json-patch+json": {"schema": patch.clone()},
            "application/merge-patch+json": {"schema": patch}
        },
        "required": true
    })
}

/// Operations for one object path (`.../{name}` or a subresource of it).
fn object_path_item(
    ctx: &OpCtx<'_>,
    schema_name: &str,
    suffix: &str,
    what: &str,
    with_delete: bool,
    path_params: &[Value],
) -> Value {
    let mut item = Map::new();
    let mut get = ctx.op(
        "get",
        "read",
        suffix,
        format!("read {what} of the specified {}", ctx.def.kind),
    );
    get.insert(
        "responses".into(),
        json!({"200": ok_response(schema_name), "401": unauthorized()}),
    );
    item.insert("get".into(), Value::Object(get));

    let mut put = ctx.op(
        "put",
        "replace",
        suffix,
        format!("replace {what} of the specified {}", ctx.def.kind),
    );
    put.insert("requestBody".into(), body(schema_name));
    put.insert(
        "parameters".into(),
        json!([
            dry_run_param(),
            field_manager_param(),
            field_validation_param()
        ]),
    );
    put.insert(
        "responses".into(),
        json!({"200": ok_response(schema_name), "201": {"description": "Created", "content": json_content(schema_ref(schema_name))}, "401": unauthorized()}),
    );
    item.insert("put".into(), Value::Object(put));

    let mut patch = ctx.op(
        "patch",
        "patch",
        suffix,
        format!("partially update {what} of the specified {}", ctx.def.kind),
    );
    patch.insert("requestBody".into(), patch_body());
    patch.insert(
        "parameters".into(),
        json!([
            dry_run_param(),
            field_manager_param(),
            field_validation_param(),
            query_param("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.")
        ]),
    );
    patch.insert(
        "responses".into(),
        json!({"200": ok_response(schema_name), "201": {"description": "Created", "content": json_content(schema_ref(schema_name))}, "401": unauthorized()}),
    );
    item.insert("patch".into(), Value::Object(patch));

    if with_delete {
        let mut delete = ctx.op(
            "delete",
            "delete",
            suffix,
            format!("delete a {}", ctx.def.kind),
        );
        delete.insert(
            "requestBody".into(),
            json!({"content": {"*/*": {"schema": schema_ref("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")}}}),
        );
        delete.insert("parameters".into(), Value::Array(delete_params()));
        delete.insert(
            "responses".into(),
            json!({
                "200": ok_response(schema_name),
                "202": {"description": "Accepted", "content": json_content(schema_ref(schema_name))},
                "401": unauthorized()
            }),
        );
        item.insert("delete".into(), Value::Object(delete));
    }
    let mut params = path_params.to_vec();
    params.push(pretty_param());
    item.insert("parameters".into(), Value::Array(params));
    Value::Object(item)
}

fn name_param(kind: &str) -> Value {
    json!({
        "name": "name", "in": "path", "required": true,
        "description": format!("name of the {kind}"),
        "schema": {"type": "string", "uniqueItems": true}
    })
}

fn namespace_param() -> Value {
    json!({
        "name": "namespace", "in": "path", "required": true,
        "description": "object name and auth scope, such as for teams and projects",
        "schema": {"type": "string", "uniqueItems": true}
    })
}

/// Add every path of one kind to `paths`.
fn add_kind_paths(paths: &mut Map<String, Value>, def: &ResourceDef) {
    let prefix = format!("/{}", group_version_path(&def.group, &def.version));
    let ctx = OpCtx {
        def,
        tag: tag(&def.group, &def.version),
        gv: op_group_version(&def.group, &def.version),
        scope: if def.namespaced { "Namespaced" } else { "" },
        gvk: gvk(&def.group, &def.version, &def.kind),
    };
    let list_name = list_schema_name(def);
    let (collection, scope_params) = if def.namespaced {
        (
            format!("{prefix}/namespaces/{{namespace}}/{}", def.plural),
            vec![namespace_param()],
        )
    } else {
        (format!("{prefix}/{}", def.plural), Vec::new())
    };

    // Collection: list, create, deletecollection.
    let mut item = Map::new();
    let mut list = ctx.op(
        "list",
        "list",
        "",
        format!("list or watch objects of kind {}", def.kind),
    );
    list.insert("parameters".into(), Value::Array(list_params()));
    list.insert(
        "responses".into(),
        json!({"200": {"description": "OK", "content": {
            "application/json": {"schema": schema_ref(&list_name)},
            "application/json;stream=watch": {"schema": schema_ref(&list_name)},
            "application/yaml": {"schema": schema_ref(&list_name)}
        }}, "401": unauthorized()}),
    );
    item.insert("get".into(), Value::Object(list));
    let mut create = ctx.op("post", "create", "", format!("create a {}", def.kind));
    create.insert("requestBody".into(), body(&def.schema_name));
    create.insert(
        "parameters".into(),
        json!([
            dry_run_param(),
            field_manager_param(),
            field_validation_param()
        ]),
    );
    create.insert(
        "responses".into(),
        json!({
            "200": ok_response(&def.schema_name),
            "201": {"description": "Created", "content": json_content(schema_ref(&def.schema_name))},
            "202": {"description": "Accepted", "content": json_content(schema_ref(&def.schema_name))},
            "401": unauthorized()
        }),
    );
    item.insert("post".into(), Value::Object(create));
    let mut delete_collection = ctx.op(
        "deletecollection",
        "deleteCollection",
        "",
        format!("delete collection of {}", def.kind),
    );
    // Kubernetes names it `deleteCoreV1CollectionNamespacedPod`.
    delete_collection.insert(
        "operationId".into(),
        json!(format!(
            "delete{}Collection{}{}",
            ctx.gv, ctx.scope, def.kind
        )),
    );
    let mut dc_params = list_params();
    dc_params.extend(delete_params());
    delete_collection.insert("parameters".into(), Value::Array(dc_params));
    delete_collection.insert(
        "responses".into(),
        json!({"200": ok_response("io.k8s.apimachinery.pkg.apis.meta.v1.Status"), "401": unauthorized()}),
    );
    item.insert("delete".into(), Value::Object(delete_collection));
    let mut params = scope_params.clone();
    params.push(pretty_param());
    item.insert("parameters".into(), Value::Array(params));
    paths.insert(collection.clone(), Value::Object(item));

    // One object.
    let mut obj_params = vec![name_param(&def.kind)];
    obj_params.extend(scope_params.iter().cloned());
    paths.insert(
        format!("{collection}/{{name}}"),
        object_path_item(&ctx, &def.schema_name, "", "the", true, &obj_params),
    );

    // Subresources.
    if def.subresources.status {
        paths.insert(
            format!("{collection}/{{name}}/status"),
            object_path_item(
                &ctx,
                &def.schema_name,
                "Status",
                "status",
                false,
                &obj_params,
            ),
        );
    }
    if def.subresources.scale.is_some() {
        let scale_ctx = OpCtx {
            gvk: gvk("autoscaling", "v1", "Scale"),
            ..ctx
        };
        paths.insert(
            format!("{collection}/{{name}}/scale"),
            object_path_item(
                &scale_ctx,
                "io.k8s.api.autoscaling.v1.Scale",
                "Scale",
                "scale",
                false,
                &obj_params,
            ),
        );
    }

    // List across namespaces.
    if def.namespaced {
        let all_ctx = OpCtx {
            def,
            tag: tag(&def.group, &def.version),
            gv: op_group_version(&def.group, &def.version),
            scope: "",
            gvk: gvk(&def.group, &def.version, &def.kind),
        };
        let mut item = Map::new();
        let mut list = all_ctx.op(
            "list",
            "list",
            "ForAllNamespaces",
            format!("list or watch objects of kind {}", def.kind),
        );
        list.insert(
            "responses".into(),
            json!({"200": ok_response(&list_name), "401": unauthorized()}),
        );
        item.insert("get".into(), Value::Object(list));
        let mut params = list_params();
        params.push(pretty_param());
        item.insert("parameters".into(), Value::Array(params));
        paths.insert(format!("{prefix}/{}", def.plural), Value::Object(item));
    }
}

/// The OpenAPI v3 document of one group-version (`""`/`v1` for the core
/// group). Kinds whose schema has no k8s-openapi type get paths that
/// reference their `schema_name` without a definition.
pub fn openapi_v3_document(reg: &Registry, group: &str, version: &str) -> Value {
    let defs: Vec<&ResourceDef> = reg
        .all()
        .iter()
        .map(|d| d.as_ref())
        .filter(|d| d.group == group && d.version == version)
        .collect();
    let mut generator = SchemaSettings::openapi3()
        .with(|s| s.meta_schema = None)
        .into_generator();
    generator.subschema_for::<ListMeta>();
    generator.subschema_for::<Status>();
    generator.subschema_for::<DeleteOptions>();
    generator.subschema_for::<Patch>();
    generator.subschema_for::<WatchEvent<Pod>>();
    let mut has_scale = false;
    let mut has_binding = false;
    for d in &defs {
        add_builtin_schema(&mut generator, &d.schema_name);
        has_scale |= d.subresources.scale.is_some();
        has_binding |= d.subresources.binding;
    }
    if has_scale {
        generator.subschema_for::<Scale>();
    }
    if has_binding {
        generator.subschema_for::<Binding>();
    }
    let mut schemas = generator.take_definitions(true);
    for d in &defs {
        if let Some(Value::Object(s)) = schemas.get_mut(&d.schema_name) {
            s.insert(
                "x-kubernetes-group-version-kind".into(),
                json!([gvk(&d.group, &d.version, &d.kind)]),
            );
        }
        schemas.insert(list_schema_name(d), list_schema(d));
    }
    if let Some(Value::Object(s)) = schemas.get_mut("io.k8s.api.autoscaling.v1.Scale") {
        s.insert(
            "x-kubernetes-group-version-kind".into(),
            json!([gvk("autoscaling", "v1", "Scale")]),
        );
    }
    let mut sorted: Vec<(String, Value)> = schemas.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));

    let mut paths = Map::new();
    for d in &defs {
        add_kind_paths(&mut paths, d);
    }
    let mut sorted_paths: Vec<(String, Value)> = paths.into_iter().collect();
    sorted_paths.sort_by(|a, b| a.0.cmp(&b.0));

    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
        "paths": Map::from_iter(sorted_paths),
        "components": {
            "schemas": Map::from_iter(sorted),
            "securitySchemes": {
                "BearerToken": {
                    "type": "apiKey",
                    "description": "Bearer Token authentication",
                    "name": "authorization",
                    "in": "header"
                }
            }
        },
        "security": [{"BearerToken": []}]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::builtin_registry;

    fn walk(v: &Value, f: &mut dyn FnMut(&str, &Value)) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    f(k, x);
                    walk(x, f);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
            _ => {}
        }
    }

    #[test]
    fn group_versions() {
        let reg = builtin_registry();
        assert_eq!(
            openapi_v3_group_versions(&reg),
            vec![
                ("".to_string(), "v1".to_string()),
                ("apps".to_string(), "v1".to_string()),
                ("coordination.k8s.io".to_string(), "v1".to_string()),
                ("discovery.k8s.io".to_string(), "v1".to_string()),
            ]
        );
        assert_eq!(group_version_path("", "v1"), "api/v1");
        assert_eq!(group_version_path("apps", "v1"), "apis/apps/v1");
    }

    #[test]
    fn apps_document_has_kubectl_shapes() {
        let doc = openapi_v3_document(&builtin_registry(), "apps", "v1");
        assert_eq!(doc["openapi"], "3.0.0");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let dep = &schemas["io.k8s.api.apps.v1.Deployment"];
        assert_eq!(
            dep["x-kubernetes-group-version-kind"],
            json!([{"group": "apps", "kind": "Deployment", "version": "v1"}])
        );
        assert!(schemas.contains_key("io.k8s.api.core.v1.PodSpec"));
        assert!(schemas.contains_key("io.k8s.api.apps.v1.DeploymentList"));
        assert!(schemas.contains_key("io.k8s.api.autoscaling.v1.Scale"));
        // Only component references: no $defs, no anyOf-with-null, every ref resolves.
        walk(&doc, &mut |k, v| {
            assert_ne!(k, "$defs");
            if k == "$ref" {
                let name = v.as_str().unwrap().strip_prefix(SCHEMA_REF_PREFIX).unwrap();
                assert!(schemas.contains_key(name), "dangling {name}");
            }
            if k == "anyOf" {
                assert!(!v.to_string().contains("null"), "{v}");
            }
            if k == "type" {
                assert_ne!(v, &json!("null"));
            }
        });
        let path = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
        let patch = &path["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "kind": "Deployment", "version": "v1"})
        );
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation" && p["in"] == "query")
        );
        assert!(
            patch["requestBody"]["content"]
                .get("application/strategic-merge-patch+json")
                .is_none()
        );
        assert_eq!(patch["operationId"], "patchAppsV1NamespacedDeployment");
        assert_eq!(path["get"]["operationId"], "readAppsV1NamespacedDeployment");
        assert_eq!(
            path["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/io.k8s.api.apps.v1.Deployment"
        );
        let coll = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"];
        assert_eq!(
            coll["post"]["operationId"],
            "createAppsV1NamespacedDeployment"
        );
        assert!(
            coll["post"]["parameters"]
                .to_string()
                .contains("fieldValidation")
        );
        assert_eq!(
            coll["delete"]["operationId"],
            "deleteAppsV1CollectionNamespacedDeployment"
        );
        assert!(doc["paths"]["/apis/apps/v1/deployments"]["get"].is_object());
        let scale = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
        assert_eq!(
            scale["patch"]["x-kubernetes-group-version-kind"]["kind"],
            "Scale"
        );
        assert!(
            doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"]["put"]
                .is_object()
        );
    }

    #[test]
    fn core_document_and_explain_paths() {
        let doc = openapi_v3_document(&builtin_registry(), "", "v1");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in [
            "io.k8s.api.core.v1.Pod",
            "io.k8s.api.core.v1.Node",
            "io.k8s.api.core.v1.Namespace",
            "io.k8s.api.core.v1.Service",
        ] {
            assert!(
                schemas[name]["x-kubernetes-group-version-kind"].is_array(),
                "{name}"
            );
        }
        assert!(doc["paths"]["/api/v1/nodes/{name}"]["patch"].is_object());
        assert!(doc["paths"]["/api/v1/namespaces/{name}/status"]["get"].is_object());
        // kubectl explain pods.spec.containers follows $ref / allOf / items.
        let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
        assert_eq!(containers["type"], "array");
        assert_eq!(
            containers["items"]["$ref"],
            "#/components/schemas/io.k8s.api.core.v1.Container"
        );
        let spec = &schemas["io.k8s.api.core.v1.Pod"]["properties"]["spec"];
        assert_eq!(
            spec["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.core.v1.PodSpec"
        );
        assert!(spec["description"].is_string());
    }
}
