//! Watch events and the incremental NDJSON decoding of a watch response.
//!
//! A watch answer is a chunked stream of JSON objects, one per line. Chunk boundaries fall
//! anywhere (inside an object, between `\r` and `\n`), so [`LineDecoder`] buffers bytes until a
//! whole line is there, and [`WatchEvent::from_line`] decodes one line.

use bytes::{Bytes, BytesMut};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// One event of a watch.
#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent<K> {
    /// An object was created (or, at the start of a watch from `""`/`"0"`, already existed).
    Added(K),
    /// An object changed.
    Modified(K),
    /// An object was deleted (its last state), or stopped matching the selectors.
    Deleted(K),
    /// Progress marker: everything up to `resource_version` has been sent.
    Bookmark {
        /// The resource version to resume from.
        resource_version: String,
    },
    /// The server ended the watch with an error, e.g. 410 Expired for a too old version.
    Error(Box<Status>),
}

impl<K> WatchEvent<K> {
    /// The object of an `Added`, `Modified` or `Deleted` event.
    pub fn object(&self) -> Option<&K> {
        match self {
            WatchEvent::Added(k) | WatchEvent::Modified(k) | WatchEvent::Deleted(k) => Some(k),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct BookmarkMeta {
    #[serde(rename = "resourceVersion")]
    resource_version: String,
}

#[derive(Deserialize)]
struct BookmarkObject {
    metadata: BookmarkMeta,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "object")]
#[serde(bound(deserialize = "K: DeserializeOwned"))]
enum RawEvent<K> {
    #[serde(rename = "ADDED")]
    Added(K),
    #[serde(rename = "MODIFIED")]
    Modified(K),
    #[serde(rename = "DELETED")]
    Deleted(K),
    #[serde(rename = "BOOKMARK")]
    Bookmark(BookmarkObject),
    #[serde(rename = "ERROR")]
    Error(Box<Status>),
}

impl<K: DeserializeOwned> WatchEvent<K> {
    /// Decodes one line of a watch stream (`{"type": "...", "object": {...}}`).
    pub fn from_line(line: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(match serde_json::from_slice::<RawEvent<K>>(line)? {
            RawEvent::Added(k) => WatchEvent::Added(k),
            RawEvent::Modified(k) => WatchEvent::Modified(k),
            RawEvent::Deleted(k) => WatchEvent::Deleted(k),
            RawEvent::Bookmark(b) => WatchEvent::Bookmark {
                resource_version: b.metadata.resource_version,
            },
            RawEvent::Error(s) => WatchEvent::Error(s),
        })
    }
}

/// Splits a byte stream into lines, whatever the chunking.
///
/// Empty lines (and a `\r` before `\n`) are dropped; [`LineDecoder::finish`] returns a last
/// line that had no newline.
#[derive(Debug, Default)]
pub struct LineDecoder {
    buf: BytesMut,
    /// How far `buf` is known to hold no `\n`.
    scanned: usize,
}

impl LineDecoder {
    /// A decoder with an empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a chunk and returns the lines it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Bytes> {
        self.buf.extend_from_slice(chunk);
        let mut lines = Vec::new();
        while let Some(pos) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') {
            let mut line = self.buf.split_to(self.scanned + pos + 1);
            self.scanned = 0;
            line.truncate(line.len() - 1);
            if line.last() == Some(&b'\r') {
                line.truncate(line.len() - 1);
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                lines.push(line.freeze());
            }
        }
        self.scanned = self.buf.len();
        lines
    }

    /// The unterminated rest, if it is not blank.
    pub fn finish(&mut self) -> Option<Bytes> {
        self.scanned = 0;
        let rest = std::mem::take(&mut self.buf);
        (!rest.iter().all(u8::is_ascii_whitespace)).then(|| rest.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    const STREAM: &str = concat!(
        r#"{"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","resourceVersion":"5"}}}"#,
        "\n",
        r#"{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","resourceVersion":"6"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}"#,
        "\r\n\n",
        r#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"9"}}}"#,
        "\n",
        r#"{"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","resourceVersion":"10"}},"type":"DELETED"}"#,
        "\n",
        r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}}"#,
        "\n",
    );

    fn check(events: &[WatchEvent<Pod>]) {
        assert_eq!(events.len(), 5);
        let WatchEvent::Added(p) = &events[0] else {
            panic!("{:?}", events[0])
        };
        assert_eq!(p.metadata.name.as_deref(), Some("a"));
        let WatchEvent::Modified(p) = &events[1] else {
            panic!("{:?}", events[1])
        };
        assert_eq!(
            p.spec.as_ref().unwrap().containers[0].image.as_deref(),
            Some("busybox")
        );
        assert_eq!(
            events[2],
            WatchEvent::Bookmark {
                resource_version: "9".into()
            }
        );
        let WatchEvent::Deleted(p) = &events[3] else {
            panic!("{:?}", events[3])
        };
        assert_eq!(p.metadata.resource_version.as_deref(), Some("10"));
        let WatchEvent::Error(s) = &events[4] else {
            panic!("{:?}", events[4])
        };
        assert_eq!(s.code, Some(410));
        assert_eq!(s.reason.as_deref(), Some("Expired"));
    }

    fn decode_chunked(chunk_size: usize) -> Vec<WatchEvent<Pod>> {
        let mut dec = LineDecoder::new();
        let mut out = Vec::new();
        for chunk in STREAM.as_bytes().chunks(chunk_size) {
            for line in dec.push(chunk) {
                out.push(WatchEvent::from_line(&line).unwrap());
            }
        }
        assert!(dec.finish().is_none());
        out
    }

    #[test]
    fn ndjson_every_chunk_size() {
        for size in 1..=STREAM.len() {
            check(&decode_chunked(size));
        }
    }

    #[test]
    fn unterminated_last_line_is_returned_by_finish() {
        let mut dec = LineDecoder::new();
        assert!(dec.push(b"{\"a\":").is_empty());
        assert!(dec.push(b"1}").is_empty());
        assert_eq!(dec.finish().as_deref(), Some(&b"{\"a\":1}"[..]));
        assert!(dec.finish().is_none());
    }

    proptest::proptest! {
        /// Any lines, cut into any chunks, come out whole and in order.
        #[test]
        fn lines_survive_any_chunking(
            lines in proptest::collection::vec("[a-z{}\":, ]{0,40}", 0..20),
            cuts in proptest::collection::vec(0usize..400, 0..30),
            crlf in proptest::bool::ANY,
        ) {
            let sep = if crlf { "\r\n" } else { "\n" };
            let text: String = lines.iter().map(|l| format!("{l}{sep}")).collect();
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.push(0);
            cuts.push(bytes.len());
            cuts.sort_unstable();
            let mut dec = LineDecoder::new();
            let mut out = Vec::new();
            for w in cuts.windows(2) {
                out.extend(dec.push(&bytes[w[0]..w[1]]));
            }
            proptest::prop_assert!(dec.finish().is_none());
            let want: Vec<&str> = lines
                .iter()
                .map(String::as_str)
                .filter(|l| !l.trim().is_empty())
                .collect();
            let got: Vec<String> = out
                .iter()
                .map(|b| String::from_utf8(b.to_vec()).unwrap())
                .collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn unknown_event_type_is_an_error() {
        assert!(WatchEvent::<Pod>::from_line(br#"{"type":"WHAT","object":{}}"#).is_err());
    }
}
