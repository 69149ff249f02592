//! The shape of the field tables: what a message field holds and how it maps to JSON.
//!
//! `tables.rs` lists every known message as a [`Message`] built from the short
//! constructors below ([`k`], [`o`], [`r`], [`m`], [`i`]).

/// What one field (or one element of a repeated field, or one map value) holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // not every kind occurs in the generated tables' packages
pub(super) enum Kind {
    /// `string`.
    Str,
    /// `bytes`, which Kubernetes JSON writes as standard base64.
    Bytes,
    /// `bool`.
    Bool,
    /// `int32` (varint, negative values sign-extended).
    I32,
    /// `int64`.
    I64,
    /// `uint32`.
    U32,
    /// `uint64`.
    U64,
    /// `float` (fixed32).
    F32,
    /// `double` (fixed64).
    F64,
    /// meta/v1 Time {1 seconds, 2 nanos}: an RFC 3339 string with seconds precision.
    Time,
    /// meta/v1 MicroTime: an RFC 3339 string with microseconds.
    MicroTime,
    /// meta/v1 Duration {1 nanoseconds}: a Go duration string such as `1h0m0s`.
    Duration,
    /// meta/v1 FieldsV1 {1 raw JSON}: the embedded JSON value.
    FieldsV1,
    /// resource.Quantity {1 string}: the string.
    Quantity,
    /// intstr.IntOrString {1 type, 2 intVal, 3 strVal}: a number or a string.
    IntOrString,
    /// runtime.RawExtension {1 raw}: the embedded object (JSON or nested protobuf).
    RawExtension,
    /// A nested message, by index into `MESSAGES`.
    Msg(u16),
}

/// How a field's presence on the wire becomes presence in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Always written when on the wire (Go pointer, or no `omitempty`).
    Keep,
    /// A Go non-pointer `omitempty` scalar: a zero value is left out of JSON.
    OmitZero,
    /// A repeated field: a JSON array.
    Repeated,
    /// A `map<string, V>` field: a JSON object.
    Map,
    /// A Go struct embedded with `json:",inline"`: its keys join the parent's.
    Inline,
}

/// One field of a message.
#[derive(Debug)]
pub(super) struct Field {
    /// Protobuf field number.
    pub num: u32,
    /// JSON key (empty for inline fields).
    pub json: &'static str,
    /// What the field (or each element / map value) holds.
    pub kind: Kind,
    /// Presence rule.
    pub mode: Mode,
}

/// One message type.
#[derive(Debug)]
pub(super) struct Message {
    /// `package Name`, e.g. `core/v1 Pod`, used in errors.
    pub name: &'static str,
    /// A Go slice type wrapped in a message with one repeated `items` field
    /// (e.g. `ExtraValue`): its JSON form is the bare array.
    pub list_wrapper: bool,
    /// Fields sorted by number.
    pub fields: &'static [Field],
}

impl Message {
    /// The field with this number, if the table knows it.
    pub fn field(&self, num: u32) -> Option<&'static Field> {
        self.fields
            .binary_search_by_key(&num, |f| f.num)
            .ok()
            .map(|ix| &self.fields[ix])
    }
}

/// A field always written when present.
pub(super) const fn k(num: u32, json: &'static str, kind: Kind) -> Field {
    Field {
        num,
        json,
        kind,
        mode: Mode::Keep,
    }
}

/// A field left out of JSON when zero.
pub(super) const fn o(num: u32, json: &'static str, kind: Kind) -> Field {
    Field {
        num,
        json,
        kind,
        mode: Mode::OmitZero,
    }
}

/// A repeated field.
pub(super) const fn r(num: u32, json: &'static str, kind: Kind) -> Field {
    Field {
        num,
        json,
        kind,
        mode: Mode::Repeated,
    }
}

/// A `map<string, kind>` field.
pub(super) const fn m(num: u32, json: &'static str, kind: Kind) -> Field {
    Field {
        num,
        json,
        kind,
        mode: Mode::Map,
    }
}

/// An inline (embedded) message field.
pub(super) const fn i(num: u32, kind: Kind) -> Field {
    Field {
        num,
        json: "",
        kind,
        mode: Mode::Inline,
    }
}
