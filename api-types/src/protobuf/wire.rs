//! A minimal protobuf wire-format reader: keys, varints, fixed32/64 and
//! length-delimited fields over a borrowed byte slice. It never panics on bad
//! input; every problem is a [`ProtobufError`] naming the message being read.

use super::ProtobufError;

/// The wire type in the low three bits of a field key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WireType {
    /// 0: varint.
    Varint,
    /// 1: eight little-endian bytes.
    Fixed64,
    /// 2: a varint length, then that many bytes.
    Len,
    /// 5: four little-endian bytes.
    Fixed32,
}

impl WireType {
    /// Human name for errors.
    pub fn name(self) -> &'static str {
        match self {
            WireType::Varint => "varint",
            WireType::Fixed64 => "fixed64",
            WireType::Len => "length-delimited",
            WireType::Fixed32 => "fixed32",
        }
    }
}

/// Reads fields from one message's bytes.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// The message being read, for errors.
    message: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, which holds one `message`.
    pub fn new(buf: &'a [u8], message: &'static str) -> Self {
        Reader {
            buf,
            pos: 0,
            message,
        }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn truncated(&self, what: &'static str) -> ProtobufError {
        ProtobufError::Truncated {
            what,
            message: self.message,
            offset: self.pos,
        }
    }

    /// A base-128 varint of at most ten bytes.
    pub fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(self.truncated("varint"));
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtobufError::VarintTooLong {
            message: self.message,
            offset: self.pos,
        })
    }

    /// A field key: field number and wire type.
    pub fn key(&mut self) -> Result<(u32, WireType), ProtobufError> {
        let key = self.varint()?;
        let num = key >> 3;
        let wire = match key & 7 {
            0 => WireType::Varint,
            1 => WireType::Fixed64,
            2 => WireType::Len,
            5 => WireType::Fixed32,
            other => {
                return Err(ProtobufError::InvalidWireType {
                    wire_type: other as u8,
                    field: u32::try_from(num).unwrap_or(u32::MAX),
                    message: self.message,
                });
            }
        };
        match u32::try_from(num) {
            Ok(num) if num != 0 && num < (1 << 29) => Ok((num, wire)),
            _ => Err(ProtobufError::InvalidFieldNumber {
                number: num,
                message: self.message,
            }),
        }
    }

    /// `n` raw bytes.
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ProtobufError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.buf.len())
            .ok_or_else(|| self.truncated(what))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// A length-delimited payload.
    pub fn bytes(&mut self) -> Result<&'a [u8], ProtobufError> {
        let len = self.varint()?;
        let len = usize::try_from(len).map_err(|_| self.truncated("length-delimited field"))?;
        self.take(len, "length-delimited field")
    }

    /// Four little-endian bytes.
    pub fn fixed32(&mut self) -> Result<u32, ProtobufError> {
        let b = self.take(4, "fixed32")?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Eight little-endian bytes.
    pub fn fixed64(&mut self) -> Result<u64, ProtobufError> {
        let b = self.take(8, "fixed64")?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// Skips a field's value of the given wire type.
    pub fn skip(&mut self, wire: WireType) -> Result<(), ProtobufError> {
        match wire {
            WireType::Varint => self.varint().map(drop),
            WireType::Fixed64 => self.fixed64().map(drop),
            WireType::Len => self.bytes().map(drop),
            WireType::Fixed32 => self.fixed32().map(drop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_multi_byte_and_negative() {
        let mut r = Reader::new(&[0xac, 0x02], "t");
        assert_eq!(r.varint().unwrap(), 300);
        assert!(r.is_empty());
        let mut neg = vec![0xff; 9];
        neg.push(0x01);
        let mut r = Reader::new(&neg, "t");
        assert_eq!(r.varint().unwrap() as i64, -1);
    }

    #[test]
    fn truncated_and_overlong_varints_are_errors() {
        let mut r = Reader::new(&[0x80, 0x80], "t");
        assert!(matches!(
            r.varint(),
            Err(ProtobufError::Truncated { what: "varint", .. })
        ));
        let mut r = Reader::new(&[0xff; 11], "t");
        assert!(matches!(
            r.varint(),
            Err(ProtobufError::VarintTooLong { .. })
        ));
    }

    #[test]
    fn length_past_end_is_truncated() {
        let mut r = Reader::new(&[0x05, b'a'], "t");
        assert!(matches!(r.bytes(), Err(ProtobufError::Truncated { .. })));
    }

    #[test]
    fn group_wire_types_are_rejected() {
        let mut r = Reader::new(&[0x0b], "t");
        assert!(matches!(
            r.key(),
            Err(ProtobufError::InvalidWireType { wire_type: 3, .. })
        ));
    }
}
