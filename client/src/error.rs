//! The client's error type: API errors carry the server's `Status`; the rest say which layer failed.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

use crate::config::ConfigError;
use crate::request::RequestError;

/// A `Result` with the client's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to the API server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused the request and said why in a `Status` (404 NotFound, 409 Conflict, ...).
    /// Also used for in-stream watch `ERROR` events only when they end a call
    /// (watch streams normally yield [`crate::WatchEvent::Error`]).
    #[error("API error {}: {} ({})", .0.code.unwrap_or_default(), .0.message.as_deref().unwrap_or(""), .0.reason.as_deref().unwrap_or(""))]
    Api(Box<Status>),
    /// The server answered with an error status code and a body that is not a `Status`.
    #[error("HTTP {status}: {body}")]
    HttpStatus {
        /// The HTTP status code.
        status: http::StatusCode,
        /// The body (lossily decoded, truncated).
        body: String,
    },
    /// The connection or the request failed (DNS, TCP, TLS handshake, HTTP/2 ...).
    #[error("transport error: {0}")]
    Transport(#[source] hyper_util::client::legacy::Error),
    /// Reading the response body failed.
    #[error("error reading response body: {0}")]
    Body(#[source] hyper::Error),
    /// A (non-watch) request did not finish within the configured timeout.
    #[error("request timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// The response could not be decoded into the expected type.
    #[error("cannot decode response: {source}; body starts with: {snippet}")]
    Decode {
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
        /// The first bytes of the body, for context.
        snippet: String,
    },
    /// The request could not be built.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl Error {
    /// The server's `Status` when this is an API error.
    pub fn status(&self) -> Option<&Status> {
        match self {
            Error::Api(s) => Some(s),
            _ => None,
        }
    }

    /// The HTTP status code the server answered with, when there was one.
    pub fn code(&self) -> Option<u16> {
        match self {
            Error::Api(s) => s.code.and_then(|c| u16::try_from(c).ok()),
            Error::HttpStatus { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }

    fn reason(&self) -> Option<&str> {
        self.status().and_then(|s| s.reason.as_deref())
    }

    /// 404 NotFound.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(404) || self.reason() == Some("NotFound")
    }

    /// 409 Conflict (a stale `resourceVersion` on update), not AlreadyExists.
    pub fn is_conflict(&self) -> bool {
        self.code() == Some(409) && self.reason() != Some("AlreadyExists")
    }

    /// 409 AlreadyExists (a create of an existing name).
    pub fn is_already_exists(&self) -> bool {
        self.reason() == Some("AlreadyExists")
    }

    /// 410 Gone/Expired (a compacted `resourceVersion` or `continue` token).
    pub fn is_gone(&self) -> bool {
        self.code() == Some(410) || matches!(self.reason(), Some("Expired" | "Gone"))
    }

    /// 422 Invalid.
    pub fn is_invalid(&self) -> bool {
        self.code() == Some(422) || self.reason() == Some("Invalid")
    }

    /// 403 Forbidden.
    pub fn is_forbidden(&self) -> bool {
        self.code() == Some(403)
    }

    /// 401 Unauthorized.
    pub fn is_unauthorized(&self) -> bool {
        self.code() == Some(401)
    }
}

pub(crate) fn snippet(body: &[u8]) -> String {
    const MAX: usize = 512;
    let cut = &body[..body.len().min(MAX)];
    String::from_utf8_lossy(cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i32, reason: &str) -> Error {
        Error::Api(Box::new(Status {
            code: Some(code),
            reason: Some(reason.into()),
            ..Default::default()
        }))
    }

    #[test]
    fn helpers_classify_status_errors() {
        assert!(api(404, "NotFound").is_not_found());
        assert!(api(409, "Conflict").is_conflict());
        assert!(!api(409, "Conflict").is_already_exists());
        assert!(api(409, "AlreadyExists").is_already_exists());
        assert!(!api(409, "AlreadyExists").is_conflict());
        assert!(api(410, "Expired").is_gone());
        assert!(api(422, "Invalid").is_invalid());
        assert!(!api(500, "InternalError").is_not_found());
        let e = Error::HttpStatus {
            status: http::StatusCode::NOT_FOUND,
            body: String::new(),
        };
        assert!(e.is_not_found());
        assert_eq!(
            api(404, "NotFound").to_string(),
            "API error 404:  (NotFound)"
        );
    }
}
