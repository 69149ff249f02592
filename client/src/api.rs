//! [`Api<K>`]: the typed verbs on one kind, in one namespace, all namespaces, or cluster-wide.

use std::fmt::Debug;
use std::marker::PhantomData;

use futures::stream::BoxStream;
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ListMeta, Status};
use k8s_openapi::{NamespaceResourceScope, Resource};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::client::{Client, decode};
use crate::error::Result;
use crate::params::{DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchParams};
use crate::request::Request;
use crate::watch::WatchEvent;

/// A list answer: the items and the list's metadata (`resourceVersion`, `continue`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "K: DeserializeOwned", serialize = "K: Serialize"))]
pub struct ObjectList<K> {
    /// `resourceVersion` of the snapshot, and the `continue` token when more pages remain.
    #[serde(default)]
    pub metadata: ListMeta,
    /// The objects.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub items: Vec<K>,
}

fn null_as_empty<'de, D, K>(d: D) -> Result<Vec<K>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de>,
{
    Ok(Option::<Vec<K>>::deserialize(d)?.unwrap_or_default())
}

impl<K> ObjectList<K> {
    /// The items.
    pub fn iter(&self) -> std::slice::Iter<'_, K> {
        self.items.iter()
    }

    /// The `continue` token of the next page, if any.
    pub fn continue_token(&self) -> Option<&str> {
        self.metadata.continue_.as_deref().filter(|c| !c.is_empty())
    }

    /// The snapshot's resource version (where a watch should start).
    pub fn resource_version(&self) -> Option<&str> {
        self.metadata.resource_version.as_deref()
    }
}

impl<K> IntoIterator for ObjectList<K> {
    type Item = K;
    type IntoIter = std::vec::IntoIter<K>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, K> IntoIterator for &'a ObjectList<K> {
    type Item = &'a K;
    type IntoIter = std::slice::Iter<'a, K>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// What a delete answered: the object (when it is only marked for deletion, with
/// `metadata.deletionTimestamp`, or its final state) or a `Status` saying it is gone.
#[derive(Clone, Debug, PartialEq)]
pub enum DeleteResponse<K> {
    /// The object as the server returned it.
    Object(K),
    /// A `Status` (typically `Success`).
    Status(Box<Status>),
}

impl<K> DeleteResponse<K> {
    /// The object, if the server returned one.
    pub fn object(&self) -> Option<&K> {
        match self {
            DeleteResponse::Object(k) => Some(k),
            DeleteResponse::Status(_) => None,
        }
    }

    /// The object, if the server returned one.
    pub fn into_object(self) -> Option<K> {
        match self {
            DeleteResponse::Object(k) => Some(k),
            DeleteResponse::Status(_) => None,
        }
    }
}

fn decode_delete<K: DeserializeOwned>(body: &[u8]) -> Result<DeleteResponse<K>> {
    #[derive(Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    let kind: Kind = decode(body)?;
    if kind.kind.as_deref() == Some("Status") {
        Ok(DeleteResponse::Status(Box::new(decode(body)?)))
    } else {
        Ok(DeleteResponse::Object(decode(body)?))
    }
}

/// Typed access to the kind `K` in one namespace, in all namespaces, or cluster-wide.
///
/// ```no_run
/// # async fn doc() -> Result<(), rkube_client::Error> {
/// use k8s_openapi::api::core::v1::Pod;
/// use rkube_client::{Api, Client, ListParams};
///
/// let client = Client::try_default().await?;
/// let pods: Api<Pod> = Api::namespaced(client, "default");
/// for p in pods.list(&ListParams::default().labels("app=web")).await? {
///     println!("{:?}", p.metadata.name);
/// }
/// # Ok(()) }
/// ```
pub struct Api<K> {
    client: Client,
    request: Request,
    namespace: Option<String>,
    _kind: PhantomData<fn() -> K>,
}

impl<K> Clone for Api<K> {
    fn clone(&self) -> Self {
        Api {
            client: self.client.clone(),
            request: self.request.clone(),
            namespace: self.namespace.clone(),
            _kind: PhantomData,
        }
    }
}

impl<K> Debug for Api<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("url_path", &self.request.url_path())
            .finish_non_exhaustive()
    }
}

impl<K: Resource> Api<K> {
    /// `K` in `namespace`, or across all namespaces (and for cluster-scoped kinds) when `None`.
    /// Unlike [`Api::namespaced`] this does not check the kind's scope: for generic code.
    pub fn new(client: Client, namespace: Option<&str>) -> Self {
        Api {
            client,
            request: Request::for_resource::<K>(namespace),
            namespace: namespace.map(str::to_owned),
            _kind: PhantomData,
        }
    }

    /// A cluster-scoped kind, or a namespaced kind across all namespaces (list and watch).
    pub fn all(client: Client) -> Self {
        Self::new(client, None)
    }

    /// A namespaced kind in `namespace`.
    pub fn namespaced(client: Client, namespace: &str) -> Self
    where
        K: Resource<Scope = NamespaceResourceScope>,
    {
        Self::new(client, Some(namespace))
    }

    /// A namespaced kind in the client's default namespace (the kubeconfig context's).
    pub fn default_namespaced(client: Client) -> Self
    where
        K: Resource<Scope = NamespaceResourceScope>,
    {
        let ns = client.default_namespace().to_owned();
        Self::new(client, Some(&ns))
    }

    /// The namespace, `None` for all namespaces or cluster scope.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The client, consuming the `Api`.
    pub fn into_client(self) -> Client {
        self.client
    }

    /// The request builder (collection URL path) of this `Api`.
    pub fn request_builder(&self) -> &Request {
        &self.request
    }
}

impl<K> Api<K>
where
    K: Resource + Serialize + DeserializeOwned + Clone + Debug + Send + 'static,
{
    /// Reads one object.
    pub async fn get(&self, name: &str) -> Result<K> {
        self.client.request_json(self.request.get(name)?).await
    }

    /// Reads one object, `None` when it does not exist (404).
    pub async fn get_opt(&self, name: &str) -> Result<Option<K>> {
        match self.get(name).await {
            Ok(k) => Ok(Some(k)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Lists objects (one page when `lp.limit` is set).
    pub async fn list(&self, lp: &ListParams) -> Result<ObjectList<K>> {
        self.client.request_json(self.request.list(lp)?).await
    }

    /// Creates an object.
    pub async fn create(&self, pp: &PostParams, obj: &K) -> Result<K> {
        self.client
            .request_json(self.request.create(pp, obj)?)
            .await
    }

    /// Replaces an object (compare-and-swap when `metadata.resourceVersion` is set).
    pub async fn replace(&self, name: &str, pp: &PostParams, obj: &K) -> Result<K> {
        self.client
            .request_json(self.request.replace(name, pp, obj)?)
            .await
    }

    /// Patches an object.
    pub async fn patch<P: Serialize + Debug>(
        &self,
        name: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<K> {
        self.client
            .request_json(self.request.patch(name, pp, patch)?)
            .await
    }

    /// Deletes an object.
    pub async fn delete(&self, name: &str, dp: &DeleteParams) -> Result<DeleteResponse<K>> {
        let body = self.client.request(self.request.delete(name, dp)?).await?;
        decode_delete(&body)
    }

    /// Deletes every object matching `lp`'s selectors.
    pub async fn delete_collection(
        &self,
        dp: &DeleteParams,
        lp: &ListParams,
    ) -> Result<DeleteResponse<ObjectList<K>>> {
        let body = self
            .client
            .request(self.request.delete_collection(dp, lp)?)
            .await?;
        decode_delete(&body)
    }

    /// Watches for changes after `resource_version` (`""` or `"0"`: first an `Added` event per
    /// existing object). The stream ends when the server closes the watch; an in-stream
    /// `ERROR` (e.g. 410 Expired: relist) arrives as [`WatchEvent::Error`].
    pub async fn watch(
        &self,
        wp: &WatchParams,
        resource_version: &str,
    ) -> Result<BoxStream<'static, Result<WatchEvent<K>>>> {
        self.client
            .request_events(self.request.watch(wp, resource_version)?)
            .await
    }

    /// Reads a subresource (`status`, `scale`, ...) as `R`.
    pub async fn get_subresource<R: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
    ) -> Result<R> {
        self.client
            .request_json(self.request.get_subresource(name, subresource)?)
            .await
    }

    /// `POST`s `body` to a subresource (e.g. `binding` on pods) and decodes the answer as `R`
    /// (often a `Status`).
    pub async fn create_subresource<B: Serialize, R: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        pp: &PostParams,
        body: &B,
    ) -> Result<R> {
        self.client
            .request_json(
                self.request
                    .create_subresource(name, subresource, pp, body)?,
            )
            .await
    }

    /// `PUT`s `body` to a subresource.
    pub async fn replace_subresource<B: Serialize, R: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        pp: &PostParams,
        body: &B,
    ) -> Result<R> {
        self.client
            .request_json(
                self.request
                    .replace_subresource(name, subresource, pp, body)?,
            )
            .await
    }

    /// Patches a subresource.
    pub async fn patch_subresource<P: Serialize + Debug, R: DeserializeOwned>(
        &self,
        name: &str,
        subresource: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<R> {
        self.client
            .request_json(
                self.request
                    .patch_subresource(name, subresource, pp, patch)?,
            )
            .await
    }

    /// Reads the object through its `status` subresource.
    pub async fn get_status(&self, name: &str) -> Result<K> {
        self.get_subresource(name, "status").await
    }

    /// Replaces the object's status (only `status` changes are kept by the server).
    pub async fn replace_status(&self, name: &str, pp: &PostParams, obj: &K) -> Result<K> {
        self.replace_subresource(name, "status", pp, obj).await
    }

    /// Patches the object's status.
    pub async fn patch_status<P: Serialize + Debug>(
        &self,
        name: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<K> {
        self.patch_subresource(name, "status", pp, patch).await
    }

    /// Reads the `scale` subresource (`autoscaling/v1 Scale`).
    pub async fn get_scale(&self, name: &str) -> Result<Scale> {
        self.get_subresource(name, "scale").await
    }

    /// Replaces the `scale` subresource.
    pub async fn replace_scale(&self, name: &str, pp: &PostParams, scale: &Scale) -> Result<Scale> {
        self.replace_subresource(name, "scale", pp, scale).await
    }

    /// Patches the `scale` subresource.
    pub async fn patch_scale<P: Serialize + Debug>(
        &self,
        name: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<Scale> {
        self.patch_subresource(name, "scale", pp, patch).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Namespace, Pod};

    #[test]
    fn list_with_null_or_missing_items() {
        let l: ObjectList<Pod> = serde_json::from_str(
            r#"{"kind":"PodList","metadata":{"resourceVersion":"3","continue":"t"},"items":null}"#,
        )
        .unwrap();
        assert!(l.items.is_empty());
        assert_eq!(l.resource_version(), Some("3"));
        assert_eq!(l.continue_token(), Some("t"));
        let l: ObjectList<Pod> = serde_json::from_str(r#"{"metadata":{}}"#).unwrap();
        assert!(l.items.is_empty());
        assert_eq!(l.continue_token(), None);
    }

    #[test]
    fn delete_answer_is_object_or_status() {
        let r: DeleteResponse<Pod> = decode_delete(
            br#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","deletionTimestamp":"2024-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        assert!(r.object().unwrap().metadata.deletion_timestamp.is_some());
        let r: DeleteResponse<Pod> =
            decode_delete(br#"{"kind":"Status","apiVersion":"v1","status":"Success"}"#).unwrap();
        assert!(matches!(r, DeleteResponse::Status(s) if s.status.as_deref() == Some("Success")));
    }

    #[test]
    fn api_paths_by_scope() {
        let client =
            Client::try_from_config(crate::Config::from_url("http://h:1").unwrap()).unwrap();
        let pods: Api<Pod> = Api::namespaced(client.clone(), "x");
        assert_eq!(
            pods.request_builder().url_path(),
            "/api/v1/namespaces/x/pods"
        );
        assert_eq!(pods.namespace(), Some("x"));
        let pods: Api<Pod> = Api::default_namespaced(client.clone());
        assert_eq!(pods.namespace(), Some("default"));
        let pods: Api<Pod> = Api::all(client.clone());
        assert_eq!(pods.request_builder().url_path(), "/api/v1/pods");
        let ns: Api<Namespace> = Api::all(client);
        assert_eq!(ns.request_builder().url_path(), "/api/v1/namespaces");
    }
}
