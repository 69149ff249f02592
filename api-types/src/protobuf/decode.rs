//! The table-driven message decoder: walks a message's fields with the wire
//! reader and builds its JSON object from the field table in `tables.rs`.

use serde_json::{Map, Number, Value};

use super::format::{base64, go_duration, rfc3339};
use super::schema::{Field, Kind, Mode};
use super::tables::MESSAGES;
use super::wire::{Reader, WireType};
use super::{MAGIC, MAX_DEPTH, ProtobufError};

/// Decodes the message at table index `ix` from `buf`.
pub(super) fn message(ix: u16, buf: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    // Indices come from the generated tables (checked by a unit test), not from input.
    let msg = &MESSAGES[usize::from(ix)];
    if depth > MAX_DEPTH {
        return Err(ProtobufError::TooDeep { message: msg.name });
    }
    let mut out = Map::new();
    let mut reader = Reader::new(buf, msg.name);
    while !reader.is_empty() {
        let (num, wire) = reader.key()?;
        let Some(field) = msg.field(num) else {
            reader.skip(wire)?;
            continue;
        };
        let ctx = Ctx {
            field,
            message: msg.name,
            depth,
        };
        match field.mode {
            Mode::Keep | Mode::OmitZero => {
                let value = ctx.value(field.kind, wire, &mut reader)?;
                if field.mode == Mode::OmitZero && is_zero(&value) {
                    out.remove(field.json);
                } else {
                    out.insert(field.json.to_string(), value);
                }
            }
            Mode::Repeated => {
                let slot = out
                    .entry(field.json)
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !slot.is_array() {
                    *slot = Value::Array(Vec::new());
                }
                let Value::Array(items) = slot else {
                    continue;
                };
                if wire == WireType::Len && ctx.packable(field.kind) {
                    let mut packed = Reader::new(reader.bytes()?, msg.name);
                    let element = ctx.scalar_wire(field.kind);
                    while !packed.is_empty() {
                        items.push(ctx.value(field.kind, element, &mut packed)?);
                    }
                } else {
                    items.push(ctx.value(field.kind, wire, &mut reader)?);
                }
            }
            Mode::Map => {
                ctx.expect(wire, WireType::Len)?;
                let (key, value) = ctx.map_entry(reader.bytes()?)?;
                let slot = out
                    .entry(field.json)
                    .or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Value::Object(map) = slot {
                    map.insert(key, value);
                }
            }
            Mode::Inline => {
                if let Value::Object(inner) = ctx.value(field.kind, wire, &mut reader)? {
                    out.extend(inner);
                }
            }
        }
    }
    if msg.list_wrapper {
        return Ok(out
            .remove("items")
            .unwrap_or_else(|| Value::Array(Vec::new())));
    }
    Ok(Value::Object(out))
}

/// Whether a scalar JSON value is Go's zero value (left out under `omitempty`).
fn is_zero(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// The field being decoded, for errors and nesting depth.
struct Ctx {
    field: &'static Field,
    message: &'static str,
    depth: usize,
}

impl Ctx {
    fn expect(&self, found: WireType, expected: WireType) -> Result<(), ProtobufError> {
        if found == expected {
            Ok(())
        } else {
            Err(ProtobufError::WrongWireType {
                field: self.field.num,
                json: self.field.json,
                message: self.message,
                expected: expected.name(),
                found: found.name(),
            })
        }
    }

    /// The wire type a scalar kind uses, or `Len` for everything else.
    fn scalar_wire(&self, kind: Kind) -> WireType {
        match kind {
            Kind::Bool | Kind::I32 | Kind::I64 | Kind::U32 | Kind::U64 => WireType::Varint,
            Kind::F32 => WireType::Fixed32,
            Kind::F64 => WireType::Fixed64,
            _ => WireType::Len,
        }
    }

    /// Whether a repeated field of this kind may arrive packed.
    fn packable(&self, kind: Kind) -> bool {
        self.scalar_wire(kind) != WireType::Len
    }

    fn string(&self, bytes: &[u8]) -> Result<String, ProtobufError> {
        String::from_utf8(bytes.to_vec()).map_err(|_| ProtobufError::InvalidUtf8 {
            field: self.field.num,
            json: self.field.json,
            message: self.message,
        })
    }

    /// One value of `kind` arriving with wire type `wire`.
    fn value(
        &self,
        kind: Kind,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<Value, ProtobufError> {
        self.expect(wire, self.scalar_wire(kind))?;
        Ok(match kind {
            Kind::Bool => Value::Bool(r.varint()? != 0),
            // Truncation is the protobuf rule for int32 (negatives are sign-extended).
            Kind::I32 => Value::from(r.varint()? as i32),
            Kind::I64 => Value::from(r.varint()? as i64),
            Kind::U32 => Value::from(r.varint()? as u32),
            Kind::U64 => Value::from(r.varint()?),
            Kind::F32 => float(f64::from(f32::from_bits(r.fixed32()?))),
            Kind::F64 => float(f64::from_bits(r.fixed64()?)),
            Kind::Str => Value::String(self.string(r.bytes()?)?),
            Kind::Bytes => Value::String(base64(r.bytes()?)),
            Kind::Msg(ix) => message(ix, r.bytes()?, self.depth + 1)?,
            Kind::Time | Kind::MicroTime => self.time(r.bytes()?, kind == Kind::MicroTime)?,
            Kind::Duration => {
                let nanos = self.varint_field(r.bytes()?, "meta/v1 Duration", 1)?;
                Value::String(go_duration(nanos.unwrap_or(0) as i64))
            }
            Kind::Quantity => {
                let s = self.string_field(r.bytes()?, "resource.Quantity", 1)?;
                Value::String(s.unwrap_or_else(|| "0".to_string()))
            }
            Kind::IntOrString => self.int_or_string(r.bytes()?)?,
            Kind::RawExtension => self.embedded(r.bytes()?, "runtime.RawExtension")?,
            Kind::FieldsV1 => self.embedded(r.bytes()?, "meta/v1 FieldsV1")?,
        })
    }

    /// A `{1 key, 2 value}` map entry.
    fn map_entry(&self, buf: &[u8]) -> Result<(String, Value), ProtobufError> {
        let mut r = Reader::new(buf, self.message);
        let mut key = String::new();
        let mut value = None;
        while !r.is_empty() {
            let (num, wire) = r.key()?;
            match num {
                1 => {
                    self.expect(wire, WireType::Len)?;
                    key = self.string(r.bytes()?)?;
                }
                2 => value = Some(self.value(self.field.kind, wire, &mut r)?),
                _ => r.skip(wire)?,
            }
        }
        let value = match value {
            Some(v) => v,
            None => self.zero(self.field.kind),
        };
        Ok((key, value))
    }

    /// The JSON of a map value that was left off the wire (its zero value).
    fn zero(&self, kind: Kind) -> Value {
        match kind {
            Kind::Str | Kind::Bytes => Value::String(String::new()),
            Kind::Bool => Value::Bool(false),
            Kind::I32 | Kind::I64 | Kind::U32 | Kind::U64 | Kind::F32 | Kind::F64 => Value::from(0),
            Kind::Quantity => Value::String("0".into()),
            Kind::Duration => Value::String("0s".into()),
            Kind::IntOrString => Value::from(0),
            Kind::Msg(ix)
                if MESSAGES
                    .get(usize::from(ix))
                    .is_some_and(|m| m.list_wrapper) =>
            {
                Value::Array(Vec::new())
            }
            Kind::Msg(_) => Value::Object(Map::new()),
            Kind::Time | Kind::MicroTime | Kind::RawExtension | Kind::FieldsV1 => Value::Null,
        }
    }

    /// Reads the fields of a small special message, calling `each` per known field.
    fn scan<'a>(
        &self,
        buf: &'a [u8],
        message: &'static str,
        mut each: impl FnMut(u32, WireType, &mut Reader<'a>) -> Result<bool, ProtobufError>,
    ) -> Result<(), ProtobufError> {
        let mut r = Reader::new(buf, message);
        while !r.is_empty() {
            let (num, wire) = r.key()?;
            if !each(num, wire, &mut r)? {
                r.skip(wire)?;
            }
        }
        Ok(())
    }

    fn wrong(
        &self,
        message: &'static str,
        field: u32,
        expected: WireType,
        found: WireType,
    ) -> ProtobufError {
        ProtobufError::WrongWireType {
            field,
            json: self.field.json,
            message,
            expected: expected.name(),
            found: found.name(),
        }
    }

    fn varint_field(
        &self,
        buf: &[u8],
        message: &'static str,
        want: u32,
    ) -> Result<Option<u64>, ProtobufError> {
        let mut out = None;
        self.scan(buf, message, |num, wire, r| {
            if num != want {
                return Ok(false);
            }
            if wire != WireType::Varint {
                return Err(self.wrong(message, num, WireType::Varint, wire));
            }
            out = Some(r.varint()?);
            Ok(true)
        })?;
        Ok(out)
    }

    fn string_field(
        &self,
        buf: &[u8],
        message: &'static str,
        want: u32,
    ) -> Result<Option<String>, ProtobufError> {
        let mut out = None;
        self.scan(buf, message, |num, wire, r| {
            if num != want {
                return Ok(false);
            }
            if wire != WireType::Len {
                return Err(self.wrong(message, num, WireType::Len, wire));
            }
            out = Some(self.string(r.bytes()?)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// meta/v1 Time/MicroTime {1 seconds, 2 nanos}; an empty message is Go's zero time (`null`).
    fn time(&self, buf: &[u8], micros: bool) -> Result<Value, ProtobufError> {
        if buf.is_empty() {
            return Ok(Value::Null);
        }
        let message = if micros {
            "meta/v1 MicroTime"
        } else {
            "meta/v1 Time"
        };
        let (mut seconds, mut nanos) = (0i64, 0i32);
        self.scan(buf, message, |num, wire, r| {
            if num != 1 && num != 2 {
                return Ok(false);
            }
            if wire != WireType::Varint {
                return Err(self.wrong(message, num, WireType::Varint, wire));
            }
            let v = r.varint()?;
            if num == 1 {
                seconds = v as i64;
            } else {
                nanos = v as i32;
            }
            Ok(true)
        })?;
        rfc3339(seconds, nanos, micros)
            .map(Value::String)
            .ok_or(ProtobufError::InvalidTimestamp {
                json: self.field.json,
                message: self.message,
            })
    }

    /// intstr.IntOrString {1 type (0 int, 1 string), 2 intVal, 3 strVal}.
    fn int_or_string(&self, buf: &[u8]) -> Result<Value, ProtobufError> {
        const NAME: &str = "intstr.IntOrString";
        let (mut ty, mut int, mut string) = (0u64, 0i32, String::new());
        self.scan(buf, NAME, |num, wire, r| {
            match num {
                1 | 2 => {
                    if wire != WireType::Varint {
                        return Err(self.wrong(NAME, num, WireType::Varint, wire));
                    }
                    let v = r.varint()?;
                    if num == 1 {
                        ty = v;
                    } else {
                        int = v as i32;
                    }
                }
                3 => {
                    if wire != WireType::Len {
                        return Err(self.wrong(NAME, num, WireType::Len, wire));
                    }
                    string = self.string(r.bytes()?)?;
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(if ty == 1 {
            Value::String(string)
        } else {
            Value::from(int)
        })
    }

    /// RawExtension / FieldsV1 {1 raw}: embedded JSON, or a nested Kubernetes protobuf object.
    fn embedded(&self, buf: &[u8], message: &'static str) -> Result<Value, ProtobufError> {
        let mut raw: &[u8] = &[];
        self.scan(buf, message, |num, wire, r| {
            if num != 1 {
                return Ok(false);
            }
            if wire != WireType::Len {
                return Err(self.wrong(message, num, WireType::Len, wire));
            }
            raw = r.bytes()?;
            Ok(true)
        })?;
        if raw.is_empty() {
            return Ok(Value::Null);
        }
        if raw.starts_with(&MAGIC) {
            if self.depth >= MAX_DEPTH {
                return Err(ProtobufError::TooDeep { message });
            }
            return super::decode_at(raw, self.depth + 1);
        }
        serde_json::from_slice(raw).map_err(|_| ProtobufError::InvalidEmbedded {
            json: self.field.json,
            message: self.message,
        })
    }
}

/// A float as a JSON number (non-finite values have no JSON form: `null`).
fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}
