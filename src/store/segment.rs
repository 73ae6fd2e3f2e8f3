//! Segment files: a 16-byte header and fixed 48-byte little-endian records
//! (`open_time: i64, open, high, low, close, volume: f64`). Only the first `count` records named by
//! the manifest are data; bytes after them are the leftovers of an interrupted append and are
//! ignored, then overwritten by the next append.

use crate::market::Candle;
use std::{
    fs::{File, OpenOptions},
    io::{self, Read, Seek, SeekFrom, Write},
    path::Path,
};

pub const MAGIC: [u8; 8] = *b"TDKLINE1";
pub const HEADER_LEN: usize = 16;
pub const RECORD_LEN: usize = 48;

fn header() -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&(RECORD_LEN as u32).to_le_bytes());
    h
}

pub fn encode(candles: &[Candle], out: &mut Vec<u8>) {
    out.reserve(candles.len() * RECORD_LEN);
    for c in candles {
        out.extend_from_slice(&c.open_time.to_le_bytes());
        for v in [c.open, c.high, c.low, c.close, c.volume] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// Decodes whole records from `bytes` (a multiple of 48 bytes) onto `out`.
pub fn decode(bytes: &[u8], out: &mut Vec<Candle>) {
    let (words, _) = bytes.as_chunks::<8>();
    out.extend(words.chunks_exact(6).map(|w| Candle {
        open_time: i64::from_le_bytes(w[0]),
        open: f64::from_le_bytes(w[1]),
        high: f64::from_le_bytes(w[2]),
        low: f64::from_le_bytes(w[3]),
        close: f64::from_le_bytes(w[4]),
        volume: f64::from_le_bytes(w[5]),
    }));
}

/// What a segment file holds, read without trusting it (for `data verify`).
pub struct RawSegment {
    pub header_ok: bool,
    pub records: usize,
}

pub fn inspect(path: &Path) -> io::Result<RawSegment> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len() as usize;
    let mut h = [0u8; HEADER_LEN];
    let header_ok = len >= HEADER_LEN && f.read_exact(&mut h).is_ok() && h == header();
    Ok(RawSegment {
        header_ok,
        records: len.saturating_sub(HEADER_LEN) / RECORD_LEN,
    })
}

/// Appends the first `count` records of the segment at `path` to `out`.
///
/// The file is read in chunks through one small buffer that stays in cache: reading it whole first
/// would fault in a second copy of every page, which costs more than the decoding.
pub fn read(path: &Path, count: usize, out: &mut Vec<Candle>) -> io::Result<()> {
    let short = |e: io::Error| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            let msg = format!("segment is shorter than the {count} candles the manifest records");
            io::Error::new(io::ErrorKind::InvalidData, msg)
        } else {
            e
        }
    };
    let mut f = File::open(path)?;
    let mut h = [0u8; HEADER_LEN];
    f.read_exact(&mut h).map_err(short)?;
    if h != header() {
        let msg = "not a tickdesk candle segment (bad header)";
        return Err(io::Error::new(io::ErrorKind::InvalidData, msg));
    }
    out.reserve(count);
    let mut buf = vec![0u8; CHUNK_RECORDS * RECORD_LEN];
    let mut left = count;
    while left > 0 {
        let n = left.min(CHUNK_RECORDS);
        let chunk = &mut buf[..n * RECORD_LEN];
        f.read_exact(chunk).map_err(short)?;
        decode(chunk, out);
        left -= n;
    }
    Ok(())
}

/// Records per read: 48 KiB, well inside L2.
const CHUNK_RECORDS: usize = 1024;

/// Writes a new, durable segment file.
pub fn create(path: &Path, candles: &[Candle]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(HEADER_LEN + candles.len() * RECORD_LEN);
    buf.extend_from_slice(&header());
    encode(candles, &mut buf);
    let mut f = File::create(path)?;
    f.write_all(&buf)?;
    f.sync_all()
}

/// Appends records after the `committed` ones, first cutting off any torn tail.
pub fn append(path: &Path, committed: usize, candles: &[Candle]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    let end = (HEADER_LEN + committed * RECORD_LEN) as u64;
    f.set_len(end)?;
    f.seek(SeekFrom::Start(end))?;
    let mut buf = Vec::new();
    encode(candles, &mut buf);
    f.write_all(&buf)?;
    f.sync_data()
}
