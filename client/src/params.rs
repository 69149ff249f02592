//! Query and body parameters of the API verbs: list, watch, create/replace, patch and delete.
//!
//! Each type mirrors one of Kubernetes' `*Options` (`ListOptions`, `CreateOptions`, `PatchOptions`,
//! `DeleteOptions`) and is turned into a query string or body by [`crate::request`].

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Preconditions;
use serde::Serialize;

/// How a list's `resourceVersion` is to be interpreted (`resourceVersionMatch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionMatch {
    /// Any version at least as new as the given one (`NotOlderThan`).
    NotOlderThan,
    /// Exactly the given version (`Exact`).
    Exact,
}

impl VersionMatch {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionMatch::NotOlderThan => "NotOlderThan",
            VersionMatch::Exact => "Exact",
        }
    }
}

/// Parameters of a list call (`ListOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListParams {
    /// `labelSelector`, e.g. `app=web,tier!=db`.
    pub label_selector: Option<String>,
    /// `fieldSelector`, e.g. `metadata.name=x`.
    pub field_selector: Option<String>,
    /// `limit`: page size; the server returns a `continue` token when more remain.
    pub limit: Option<u32>,
    /// `continue`: the token of the previous page.
    pub continue_token: Option<String>,
    /// `resourceVersion`: `None` for a consistent (most recent) read, `"0"` for any cached version.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub version_match: Option<VersionMatch>,
    /// `timeoutSeconds` for the server side of the call.
    pub timeout: Option<u32>,
}

impl ListParams {
    /// Filters by a label selector.
    #[must_use]
    pub fn labels(mut self, selector: &str) -> Self {
        self.label_selector = Some(selector.to_owned());
        self
    }

    /// Filters by a field selector.
    #[must_use]
    pub fn fields(mut self, selector: &str) -> Self {
        self.field_selector = Some(selector.to_owned());
        self
    }

    /// Asks for pages of at most `limit` items.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Continues a paginated list with the token of the previous page.
    #[must_use]
    pub fn continue_token(mut self, token: &str) -> Self {
        self.continue_token = Some(token.to_owned());
        self
    }

    /// Reads at a resource version, with the given match semantics.
    #[must_use]
    pub fn at(mut self, resource_version: &str, version_match: Option<VersionMatch>) -> Self {
        self.resource_version = Some(resource_version.to_owned());
        self.version_match = version_match;
        self
    }

    /// Reads from the server's cache (`resourceVersion=0`), possibly stale but cheap.
    #[must_use]
    pub fn any_version(self) -> Self {
        self.at("0", None)
    }
}

/// Parameters of a watch call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchParams {
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `timeoutSeconds`: the server ends the watch after this long.
    pub timeout: Option<u32>,
    /// `allowWatchBookmarks` (default `true`).
    pub bookmarks: bool,
}

impl Default for WatchParams {
    fn default() -> Self {
        WatchParams {
            label_selector: None,
            field_selector: None,
            timeout: None,
            bookmarks: true,
        }
    }
}

impl WatchParams {
    /// Filters by a label selector.
    #[must_use]
    pub fn labels(mut self, selector: &str) -> Self {
        self.label_selector = Some(selector.to_owned());
        self
    }

    /// Filters by a field selector.
    #[must_use]
    pub fn fields(mut self, selector: &str) -> Self {
        self.field_selector = Some(selector.to_owned());
        self
    }

    /// Asks the server to end the watch after `seconds`.
    #[must_use]
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = Some(seconds);
        self
    }

    /// Turns bookmark events off.
    #[must_use]
    pub fn disable_bookmarks(mut self) -> Self {
        self.bookmarks = false;
        self
    }
}

/// Parameters of create, replace and subresource writes (`CreateOptions`/`UpdateOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostParams {
    /// `dryRun=All`: validate and default, but persist nothing.
    pub dry_run: bool,
    /// `fieldManager`: the name of the writer.
    pub field_manager: Option<String>,
}

/// Parameters of a patch (`PatchOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchParams {
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `fieldManager`.
    pub field_manager: Option<String>,
}

/// The body of a patch, with its media type.
#[derive(Clone, Debug, PartialEq)]
pub enum Patch<P: Serialize> {
    /// A JSON merge patch (RFC 7386), `application/merge-patch+json`.
    Merge(P),
    /// A JSON patch (RFC 6902), `application/json-patch+json`. Write `Patch::<()>::Json(p)`
    /// where nothing else fixes `P`.
    Json(json_patch::Patch),
    /// A strategic merge patch, `application/strategic-merge-patch+json`.
    Strategic(P),
}

impl<P: Serialize> Patch<P> {
    /// The `Content-Type` the server expects for this kind of patch.
    pub fn content_type(&self) -> &'static str {
        match self {
            Patch::Merge(_) => "application/merge-patch+json",
            Patch::Json(_) => "application/json-patch+json",
            Patch::Strategic(_) => "application/strategic-merge-patch+json",
        }
    }

    /// The encoded body.
    pub fn serialize(&self) -> Result<Vec<u8>, serde_json::Error> {
        match self {
            Patch::Merge(p) | Patch::Strategic(p) => serde_json::to_vec(p),
            Patch::Json(p) => serde_json::to_vec(p),
        }
    }
}

/// What happens to an object's dependents when it is deleted (`propagationPolicy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PropagationPolicy {
    /// Delete the object now; the garbage collector deletes dependents afterwards.
    Background,
    /// Keep the object (with the `foregroundDeletion` finalizer) until its dependents are gone.
    Foreground,
    /// Delete the object and leave its dependents without the owner reference.
    Orphan,
}

/// Parameters of a delete (`DeleteOptions`), sent as the request body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeleteParams {
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `gracePeriodSeconds`; `Some(0)` deletes at once.
    pub grace_period_seconds: Option<u32>,
    /// `propagationPolicy`.
    pub propagation_policy: Option<PropagationPolicy>,
    /// `preconditions` on `uid` and/or `resourceVersion`.
    pub preconditions: Option<Preconditions>,
}

impl DeleteParams {
    /// Background propagation.
    pub fn background() -> Self {
        Self::default().propagation(PropagationPolicy::Background)
    }

    /// Foreground propagation.
    pub fn foreground() -> Self {
        Self::default().propagation(PropagationPolicy::Foreground)
    }

    /// Orphan propagation.
    pub fn orphan() -> Self {
        Self::default().propagation(PropagationPolicy::Orphan)
    }

    /// Sets the propagation policy.
    #[must_use]
    pub fn propagation(mut self, policy: PropagationPolicy) -> Self {
        self.propagation_policy = Some(policy);
        self
    }

    /// Sets the grace period.
    #[must_use]
    pub fn grace_period(mut self, seconds: u32) -> Self {
        self.grace_period_seconds = Some(seconds);
        self
    }

    /// Deletes only if the object still has this uid.
    #[must_use]
    pub fn precondition_uid(mut self, uid: &str) -> Self {
        self.preconditions.get_or_insert_with(Default::default).uid = Some(uid.to_owned());
        self
    }

    /// Deletes only if the object is still at this resource version.
    #[must_use]
    pub fn precondition_resource_version(mut self, resource_version: &str) -> Self {
        self.preconditions
            .get_or_insert_with(Default::default)
            .resource_version = Some(resource_version.to_owned());
        self
    }

    /// Validates without deleting.
    #[must_use]
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }

    /// The `DeleteOptions` JSON body.
    pub fn to_body(&self) -> Result<Vec<u8>, serde_json::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            kind: &'static str,
            api_version: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            dry_run: Option<[&'static str; 1]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            grace_period_seconds: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            propagation_policy: Option<PropagationPolicy>,
            #[serde(skip_serializing_if = "Option::is_none")]
            preconditions: Option<&'a Preconditions>,
        }
        serde_json::to_vec(&Body {
            kind: "DeleteOptions",
            api_version: "v1",
            dry_run: self.dry_run.then_some(["All"]),
            grace_period_seconds: self.grace_period_seconds,
            propagation_policy: self.propagation_policy,
            preconditions: self.preconditions.as_ref(),
        })
    }
}
