//! A series' manifest: which segment files hold its candles (in time order, never overlapping), how
//! many records of each are committed, and the coverage ranges. It is the store's commit point:
//! replaced by write-to-temp, fsync, rename, fsync of the directory, so a reader sees the old or the
//! new version and never a mix.

use super::{RangeSet, StoreError};
use crate::market::SeriesKey;
use serde::{Deserialize, Serialize};
use std::{
    fs::{self, File},
    io::{self, Write},
    path::Path,
};

pub const FILE: &str = "manifest.json";
const TMP: &str = "manifest.json.tmp";
const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub key: SeriesKey,
    pub segments: Vec<SegmentMeta>,
    pub coverage: RangeSet,
    pub next_id: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentMeta {
    pub file: String,
    pub count: usize,
    pub first: i64,
    pub last: i64,
}

impl Manifest {
    pub fn empty(key: SeriesKey) -> Self {
        Self {
            format: FORMAT,
            key,
            segments: Vec::new(),
            coverage: RangeSet::new(),
            next_id: 1,
        }
    }

    pub fn count(&self) -> usize {
        self.segments.iter().map(|s| s.count).sum()
    }

    pub fn first(&self) -> Option<i64> {
        self.segments.first().map(|s| s.first)
    }

    pub fn last(&self) -> Option<i64> {
        self.segments.last().map(|s| s.last)
    }

    pub fn read(dir: &Path) -> Result<Option<Self>, StoreError> {
        let path = dir.join(FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        let m: Manifest = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        if m.format != FORMAT {
            let detail = format!("format {} is not the supported format {FORMAT}", m.format);
            return Err(StoreError::Corrupt { path, detail });
        }
        Ok(Some(m))
    }

    pub fn write(&self, dir: &Path) -> Result<(), StoreError> {
        let tmp = dir.join(TMP);
        let json = serde_json::to_vec_pretty(self).map_err(|e| StoreError::io(&tmp, e.into()))?;
        let write = || -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            fs::rename(&tmp, dir.join(FILE))?;
            sync_dir(dir)
        };
        write().map_err(|e| StoreError::io(&tmp, e))
    }
}

/// Makes a directory's entries (new files, renames) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
