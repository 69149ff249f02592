//! Decoding of Kubernetes protobuf request bodies
//! (`Content-Type: application/vnd.kubernetes.protobuf`) into their JSON form.
//!
//! client-go's typed clients (and so most `kubectl create ...` commands) send
//! bodies as Kubernetes protobuf: the magic `k8s\0`, then a `runtime.Unknown`
//! envelope {1 TypeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding,
//! 4 contentType} whose `raw` is the object encoded with the field numbers of
//! k8s.io/api's `generated.proto`. [`decode`] turns such a body into exactly
//! the JSON object the same client would have sent as JSON: Go `omitempty`
//! zero values are left out, pointers keep explicit zeros, `[]byte` becomes
//! base64, `Time` an RFC 3339 string, `Quantity` and `IntOrString` their
//! string/number forms, and inline structs (`Volume.volumeSource`,
//! `Probe.handler`, ...) are flattened.
//!
//! The decoder is table driven: `tables.rs` lists, per message, field number →
//! JSON name, kind and presence rule. Field numbers unknown to a known message
//! are skipped. Kinds not in the tables are refused with
//! [`ProtobufError::UnknownType`] so the client can be told to send JSON.

mod decode;
mod format;
mod schema;
mod tables;
mod wire;

use serde_json::{Map, Value};

use self::wire::{Reader, WireType};

/// The media type of Kubernetes protobuf bodies.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The four bytes every Kubernetes protobuf body starts with.
pub const MAGIC: [u8; 4] = *b"k8s\0";

/// Nested messages deeper than this are refused (guards the stack).
pub const MAX_DEPTH: usize = 100;

/// Why a protobuf body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtobufError {
    /// The body does not start with `k8s\0`.
    #[error("protobuf body does not start with the Kubernetes magic bytes `k8s\\0`")]
    BadMagic,
    /// A value runs past the end of its message.
    #[error("truncated {what} at byte {offset} of {message}")]
    Truncated {
        /// What was being read (varint, length-delimited field, ...).
        what: &'static str,
        /// The message being read.
        message: &'static str,
        /// Byte offset inside that message.
        offset: usize,
    },
    /// A varint longer than ten bytes.
    #[error("varint longer than 10 bytes at byte {offset} of {message}")]
    VarintTooLong {
        /// The message being read.
        message: &'static str,
        /// Byte offset inside that message.
        offset: usize,
    },
    /// Wire types 3, 4 (groups), 6 and 7 do not occur in Kubernetes protobuf.
    #[error("invalid wire type {wire_type} for field {field} of {message}")]
    InvalidWireType {
        /// The wire type found.
        wire_type: u8,
        /// The field number.
        field: u32,
        /// The message being read.
        message: &'static str,
    },
    /// Field number 0 or above the protobuf maximum.
    #[error("invalid field number {number} in {message}")]
    InvalidFieldNumber {
        /// The field number found.
        number: u64,
        /// The message being read.
        message: &'static str,
    },
    /// A known field arrived with a wire type that does not fit its declared type.
    #[error(
        "wrong wire type for field {field} ({json}) of {message}: expected {expected}, found {found}"
    )]
    WrongWireType {
        /// The field number.
        field: u32,
        /// Its JSON name.
        json: &'static str,
        /// The message being read.
        message: &'static str,
        /// The wire type the table expects.
        expected: &'static str,
        /// The wire type found.
        found: &'static str,
    },
    /// A string field that is not UTF-8.
    #[error("field {field} ({json}) of {message} is not valid UTF-8")]
    InvalidUtf8 {
        /// The field number.
        field: u32,
        /// Its JSON name.
        json: &'static str,
        /// The message being read.
        message: &'static str,
    },
    /// A Time/MicroTime outside the years 0..=9999.
    #[error("field {json} of {message} holds a timestamp out of range")]
    InvalidTimestamp {
        /// Its JSON name.
        json: &'static str,
        /// The message being read.
        message: &'static str,
    },
    /// A RawExtension/FieldsV1 whose bytes are neither JSON nor Kubernetes protobuf.
    #[error(
        "field {json} of {message} holds an embedded object that is neither JSON nor Kubernetes protobuf"
    )]
    InvalidEmbedded {
        /// Its JSON name.
        json: &'static str,
        /// The message being read.
        message: &'static str,
    },
    /// Messages nested deeper than [`MAX_DEPTH`].
    #[error("protobuf messages nested deeper than {MAX_DEPTH} levels in {message}")]
    TooDeep {
        /// The message being read.
        message: &'static str,
    },
    /// The envelope carries no apiVersion or kind.
    #[error("protobuf envelope has no apiVersion/kind")]
    MissingTypeMeta,
    /// The envelope's content encoding (e.g. gzip) is not supported.
    #[error("protobuf envelope content encoding `{0}` is not supported; send JSON")]
    UnsupportedEncoding(String),
    /// The envelope wraps something other than protobuf or JSON.
    #[error("protobuf envelope content type `{0}` is not supported; send JSON")]
    UnsupportedContentType(String),
    /// The envelope wraps JSON that does not parse.
    #[error("protobuf envelope wraps invalid JSON: {0}")]
    InvalidJson(String),
    /// The kind has no field table.
    #[error(
        "unknown message type `{api_version} {kind}` cannot be decoded from protobuf; send JSON"
    )]
    UnknownType {
        /// The envelope's apiVersion.
        api_version: String,
        /// The envelope's kind.
        kind: String,
    },
}

/// The parts of the `runtime.Unknown` envelope.
struct Envelope<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
    content_encoding: String,
    content_type: String,
}

const UNKNOWN: &str = "runtime.Unknown";
const TYPE_META: &str = "runtime.TypeMeta";

fn envelope_string(
    reader: &mut Reader<'_>,
    wire: WireType,
    field: u32,
    json: &'static str,
    message: &'static str,
) -> Result<String, ProtobufError> {
    if wire != WireType::Len {
        return Err(ProtobufError::WrongWireType {
            field,
            json,
            message,
            expected: WireType::Len.name(),
            found: wire.name(),
        });
    }
    let bytes = reader.bytes()?;
    String::from_utf8(bytes.to_vec()).map_err(|_| ProtobufError::InvalidUtf8 {
        field,
        json,
        message,
    })
}

fn parse_envelope(body: &[u8]) -> Result<Envelope<'_>, ProtobufError> {
    let rest = body.strip_prefix(&MAGIC).ok_or(ProtobufError::BadMagic)?;
    let mut env = Envelope {
        api_version: String::new(),
        kind: String::new(),
        raw: &[],
        content_encoding: String::new(),
        content_type: String::new(),
    };
    let mut reader = Reader::new(rest, UNKNOWN);
    while !reader.is_empty() {
        let (num, wire) = reader.key()?;
        match num {
            1 => {
                if wire != WireType::Len {
                    return Err(ProtobufError::WrongWireType {
                        field: 1,
                        json: "typeMeta",
                        message: UNKNOWN,
                        expected: WireType::Len.name(),
                        found: wire.name(),
                    });
                }
                let mut tm = Reader::new(reader.bytes()?, TYPE_META);
                while !tm.is_empty() {
                    let (num, wire) = tm.key()?;
                    match num {
                        1 => {
                            env.api_version =
                                envelope_string(&mut tm, wire, 1, "apiVersion", TYPE_META)?
                        }
                        2 => env.kind = envelope_string(&mut tm, wire, 2, "kind", TYPE_META)?,
                        _ => tm.skip(wire)?,
                    }
                }
            }
            2 => {
                if wire != WireType::Len {
                    return Err(ProtobufError::WrongWireType {
                        field: 2,
                        json: "raw",
                        message: UNKNOWN,
                        expected: WireType::Len.name(),
                        found: wire.name(),
                    });
                }
                env.raw = reader.bytes()?;
            }
            3 => {
                env.content_encoding =
                    envelope_string(&mut reader, wire, 3, "contentEncoding", UNKNOWN)?
            }
            4 => env.content_type = envelope_string(&mut reader, wire, 4, "contentType", UNKNOWN)?,
            _ => reader.skip(wire)?,
        }
    }
    Ok(env)
}

/// The table index of a top-level kind. Meta kinds such as `DeleteOptions`
/// are registered in every group version, so they are found under any apiVersion.
fn lookup(api_version: &str, kind: &str) -> Option<u16> {
    let find = |av: &str| {
        tables::KINDS
            .binary_search_by(|(a, k, _)| (*a, *k).cmp(&(av, kind)))
            .ok()
            .map(|ix| tables::KINDS[ix].2)
    };
    find(api_version).or_else(|| find("meta.k8s.io/v1"))
}

/// Whether [`decode`] has a field table for this apiVersion and kind.
pub fn supports(api_version: &str, kind: &str) -> bool {
    lookup(api_version, kind).is_some()
}

/// Decodes a Kubernetes protobuf body (magic + `runtime.Unknown` envelope)
/// into the object's Kubernetes JSON form, with `apiVersion` and `kind` taken
/// from the envelope.
///
/// ```
/// // `kubectl create namespace team` as sent by kubectl 1.32:
/// let body = b"k8s\0\x0a\x0f\x0a\x02v1\x12\x09Namespace\x12\x0a\x0a\x06\x0a\x04team\x12\x00";
/// let json = api_types::protobuf::decode(body).unwrap();
/// assert_eq!(json["kind"], "Namespace");
/// assert_eq!(json["metadata"]["name"], "team");
/// ```
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    decode_at(body, 0)
}

/// [`decode`] for a body nested `depth` messages deep (a RawExtension holding protobuf).
fn decode_at(body: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let env = parse_envelope(body)?;
    if !env.content_encoding.is_empty() {
        return Err(ProtobufError::UnsupportedEncoding(env.content_encoding));
    }
    let object = match env.content_type.as_str() {
        "" | MEDIA_TYPE => {
            if env.api_version.is_empty() || env.kind.is_empty() {
                return Err(ProtobufError::MissingTypeMeta);
            }
            let ix =
                lookup(&env.api_version, &env.kind).ok_or_else(|| ProtobufError::UnknownType {
                    api_version: env.api_version.clone(),
                    kind: env.kind.clone(),
                })?;
            decode::message(ix, env.raw, depth)?
        }
        "application/json" => serde_json::from_slice(env.raw)
            .map_err(|e| ProtobufError::InvalidJson(e.to_string()))?,
        other => return Err(ProtobufError::UnsupportedContentType(other.to_string())),
    };
    let mut out = Map::new();
    if !env.api_version.is_empty() {
        out.insert("apiVersion".into(), Value::String(env.api_version));
    }
    if !env.kind.is_empty() {
        out.insert("kind".into(), Value::String(env.kind));
    }
    match object {
        Value::Object(fields) => {
            for (key, value) in fields {
                if key == "apiVersion" || key == "kind" {
                    out.entry(key).or_insert(value);
                } else {
                    out.insert(key, value);
                }
            }
        }
        _ => return Err(ProtobufError::InvalidJson("not an object".into())),
    }
    if !out.contains_key("apiVersion") || !out.contains_key("kind") {
        return Err(ProtobufError::MissingTypeMeta);
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_reference_and_kind_is_in_range() {
        use schema::Kind;
        for msg in &tables::MESSAGES {
            let mut last = 0;
            for f in msg.fields {
                assert!(f.num > last, "{} fields not sorted", msg.name);
                last = f.num;
                if let Kind::Msg(ix) = f.kind {
                    assert!(usize::from(ix) < tables::MESSAGES.len());
                }
            }
        }
        let mut prev = ("", "");
        for (av, kind, ix) in &tables::KINDS {
            assert!((*av, *kind) > prev, "KINDS not sorted at {av} {kind}");
            prev = (av, kind);
            let name = tables::MESSAGES[usize::from(*ix)].name;
            assert!(name.ends_with(&format!(" {kind}")), "{av} {kind} -> {name}");
        }
    }

    #[test]
    fn lookup_falls_back_to_meta_kinds() {
        assert!(supports("v1", "Pod"));
        assert!(supports("apps/v1", "Deployment"));
        assert!(supports("apps/v1", "DeleteOptions"));
        assert!(supports("autoscaling/v1", "Scale"));
        assert!(!supports("apps/v1", "Foo"));
    }
}
