//! The on-disk format of the embedded store: one append-only file of
//! checksummed records.
//!
//! File layout: the 8-byte magic [`MAGIC`], then frames. A frame is
//! `len: u32 LE | crc32(payload): u32 LE | payload` where the payload's first
//! byte tags the record. A rewritten (compacted) file starts with a
//! [`Record::Snapshot`] followed by one [`Record::SnapshotKv`] per live key;
//! transactions and compactions append after it. A crash can leave a torn
//! last frame: [`decode_frames`] stops at the first frame that is incomplete
//! or fails its checksum and reports where the good data ends.

use bytes::Bytes;

use crate::{KeyValue, Revision};

/// The first bytes of every store file (format version 1).
pub(crate) const MAGIC: &[u8; 8] = b"RKSTORE1";

/// Size of a frame header (length + checksum).
const FRAME_HEADER: usize = 8;

/// Largest payload accepted when reading (guards against a garbage length).
const MAX_PAYLOAD: usize = 1 << 30;

/// Largest transaction (keys plus values) accepted for writing, well inside
/// [`MAX_PAYLOAD`] with the per-change overhead.
pub(crate) const MAX_TXN_BYTES: usize = 512 << 20;

const TAG_SNAPSHOT: u8 = 1;
const TAG_SNAPSHOT_KV: u8 = 2;
const TAG_TXN: u8 = 3;
const TAG_COMPACT: u8 = 4;

const CHANGE_PUT: u8 = 1;
const CHANGE_DELETE: u8 = 2;

/// One change of a committed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// The key now holds `value`; it was created at `create_revision`.
    Put {
        /// Key.
        key: String,
        /// New value.
        value: Bytes,
        /// Revision at which the key was created.
        create_revision: Revision,
    },
    /// The key was deleted.
    Delete {
        /// Key.
        key: String,
    },
}

/// One record of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Record {
    /// The start of a snapshot: the store was at `revision`; the keys follow.
    Snapshot {
        /// Store revision at the time of the snapshot.
        revision: Revision,
    },
    /// One live key of a snapshot.
    SnapshotKv(KeyValue),
    /// A transaction committed at `revision`.
    Txn {
        /// The transaction's revision.
        revision: Revision,
        /// What it changed, in order.
        changes: Vec<Change>,
    },
    /// History at or before `revision` was compacted.
    Compact {
        /// Compaction revision.
        revision: Revision,
    },
}

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The frame runs past the end of the data (a torn write).
    #[error("truncated frame")]
    Truncated,
    /// The checksum does not match.
    #[error("checksum mismatch")]
    Checksum,
    /// The payload is not a valid record.
    #[error("malformed record: {0}")]
    Malformed(&'static str),
}

/// Appends `record` as one frame to `out`.
pub(crate) fn encode_frame(record: &Record, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0u8; FRAME_HEADER]);
    match record {
        Record::Snapshot { revision } => {
            out.push(TAG_SNAPSHOT);
            put_u64(out, *revision);
        }
        Record::SnapshotKv(kv) => {
            out.push(TAG_SNAPSHOT_KV);
            put_bytes(out, kv.key.as_bytes());
            put_bytes(out, &kv.value);
            put_u64(out, kv.create_revision);
            put_u64(out, kv.mod_revision);
        }
        Record::Txn { revision, changes } => {
            out.push(TAG_TXN);
            put_u64(out, *revision);
            put_u32(out, changes.len());
            for change in changes {
                match change {
                    Change::Put {
                        key,
                        value,
                        create_revision,
                    } => {
                        out.push(CHANGE_PUT);
                        put_bytes(out, key.as_bytes());
                        put_bytes(out, value);
                        put_u64(out, *create_revision);
                    }
                    Change::Delete { key } => {
                        out.push(CHANGE_DELETE);
                        put_bytes(out, key.as_bytes());
                    }
                }
            }
        }
        Record::Compact { revision } => {
            out.push(TAG_COMPACT);
            put_u64(out, *revision);
        }
    }
    let payload_len = out.len() - start - FRAME_HEADER;
    let crc = crc32fast::hash(&out[start + FRAME_HEADER..]);
    // Payloads are bounded by the sizes of keys and values the API server
    // sends (megabytes), far below u32::MAX.
    let len = u32::try_from(payload_len).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// Decodes consecutive frames from `data` (which starts right after the
/// magic). Returns the records and the length of the valid prefix; the error,
/// if any, says why decoding stopped before the end.
pub(crate) fn decode_frames(data: &[u8]) -> (Vec<Record>, usize, Option<DecodeError>) {
    let mut records = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        match decode_frame(&data[pos..]) {
            Ok((record, used)) => {
                records.push(record);
                pos += used;
            }
            Err(e) => return (records, pos, Some(e)),
        }
    }
    (records, pos, None)
}

/// Decodes one frame from the start of `data`; returns it and its length.
fn decode_frame(data: &[u8]) -> Result<(Record, usize), DecodeError> {
    if data.len() < FRAME_HEADER {
        return Err(DecodeError::Truncated);
    }
    let len = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
    let crc = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
    if len > MAX_PAYLOAD {
        return Err(DecodeError::Malformed("frame length too large"));
    }
    let end = FRAME_HEADER + len;
    if data.len() < end {
        return Err(DecodeError::Truncated);
    }
    let payload = &data[FRAME_HEADER..end];
    if crc32fast::hash(payload) != crc {
        return Err(DecodeError::Checksum);
    }
    let mut r = Reader { data: payload };
    let record = match r.u8()? {
        TAG_SNAPSHOT => Record::Snapshot { revision: r.u64()? },
        TAG_SNAPSHOT_KV => Record::SnapshotKv(KeyValue {
            key: r.string()?,
            value: r.bytes()?,
            create_revision: r.u64()?,
            mod_revision: r.u64()?,
        }),
        TAG_TXN => {
            let revision = r.u64()?;
            let n = r.u32()? as usize;
            let mut changes = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                let change = match r.u8()? {
                    CHANGE_PUT => Change::Put {
                        key: r.string()?,
                        value: r.bytes()?,
                        create_revision: r.u64()?,
                    },
                    CHANGE_DELETE => Change::Delete { key: r.string()? },
                    _ => return Err(DecodeError::Malformed("unknown change type")),
                };
                changes.push(change);
            }
            Record::Txn { revision, changes }
        }
        TAG_COMPACT => Record::Compact { revision: r.u64()? },
        _ => return Err(DecodeError::Malformed("unknown record type")),
    };
    if !r.data.is_empty() {
        return Err(DecodeError::Malformed("trailing bytes in record"));
    }
    Ok((record, end))
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: usize) {
    let v = u32::try_from(v).unwrap_or(u32::MAX);
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len());
    out.extend_from_slice(b);
}

struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        if self.data.len() < n {
            return Err(DecodeError::Malformed("record shorter than its fields"));
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn bytes(&mut self) -> Result<Bytes, DecodeError> {
        let n = self.u32()? as usize;
        Ok(Bytes::copy_from_slice(self.take(n)?))
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| DecodeError::Malformed("key is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_change() -> impl Strategy<Value = Change> {
        prop_oneof![
            (
                ".{0,20}",
                proptest::collection::vec(any::<u8>(), 0..64),
                any::<u64>()
            )
                .prop_map(|(key, value, create_revision)| Change::Put {
                    key,
                    value: Bytes::from(value),
                    create_revision,
                }),
            ".{0,20}".prop_map(|key| Change::Delete { key }),
        ]
    }

    fn arb_record() -> impl Strategy<Value = Record> {
        prop_oneof![
            any::<u64>().prop_map(|revision| Record::Snapshot { revision }),
            (
                ".{0,20}",
                proptest::collection::vec(any::<u8>(), 0..64),
                any::<u64>(),
                any::<u64>()
            )
                .prop_map(|(key, value, c, m)| Record::SnapshotKv(KeyValue {
                    key,
                    value: Bytes::from(value),
                    create_revision: c,
                    mod_revision: m,
                })),
            (any::<u64>(), proptest::collection::vec(arb_change(), 0..5))
                .prop_map(|(revision, changes)| Record::Txn { revision, changes }),
            any::<u64>().prop_map(|revision| Record::Compact { revision }),
        ]
    }

    proptest! {
        #[test]
        fn frames_round_trip(records in proptest::collection::vec(arb_record(), 0..10)) {
            let mut buf = Vec::new();
            for r in &records {
                encode_frame(r, &mut buf);
            }
            let (decoded, used, err) = decode_frames(&buf);
            prop_assert_eq!(decoded, records);
            prop_assert_eq!(used, buf.len());
            prop_assert_eq!(err, None);
        }

        #[test]
        fn torn_tail_keeps_whole_frames(
            records in proptest::collection::vec(arb_record(), 1..10),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut buf = Vec::new();
            let mut ends = Vec::new();
            for r in &records {
                encode_frame(r, &mut buf);
                ends.push(buf.len());
            }
            let cut = cut.index(buf.len());
            let (decoded, used, _) = decode_frames(&buf[..cut]);
            let whole = ends.iter().filter(|&&e| e <= cut).count();
            prop_assert_eq!(decoded.len(), whole);
            prop_assert_eq!(&decoded[..], &records[..whole]);
            prop_assert_eq!(used, if whole == 0 { 0 } else { ends[whole - 1] });
        }

        #[test]
        fn flipped_byte_is_detected(
            records in proptest::collection::vec(arb_record(), 1..5),
            at in any::<prop::sample::Index>(),
            flip in 1u8..,
        ) {
            let mut buf = Vec::new();
            for r in &records {
                encode_frame(r, &mut buf);
            }
            let at = at.index(buf.len());
            buf[at] ^= flip;
            let (decoded, _, err) = decode_frames(&buf);
            // Everything decoded is an unchanged prefix, and decoding stopped.
            prop_assert!(decoded.len() < records.len());
            prop_assert_eq!(&decoded[..], &records[..decoded.len()]);
            prop_assert!(err.is_some());
        }
    }
}
