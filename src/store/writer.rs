//! Writing one series: validated batches committed atomically. A batch after the last candle is
//! appended in place to the last segment; a batch elsewhere becomes a new segment, or is merged with
//! the segments it overlaps into a replacement. Each commit ends with the manifest swap; files no
//! manifest names (left by a crash) are removed when the next writer opens the series.

use super::{
    Range, StoreError,
    manifest::{self, Manifest, SegmentMeta},
    segment,
};
use crate::market::{Candle, SeriesKey};
use std::{
    fs::{self, File, TryLockError},
    path::{Path, PathBuf},
};

/// Past this many segments a commit merges them all into one.
pub(super) const MAX_SEGMENTS: usize = 32;

/// What a commit changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertReport {
    /// Candles at open times the series did not have.
    pub added: usize,
    /// Candles that replaced stored ones with different values.
    pub changed: usize,
}

pub struct SeriesWriter {
    dir: PathBuf,
    key: SeriesKey,
    manifest: Manifest,
    _lock: File,
}

impl SeriesWriter {
    pub(super) fn open(dir: PathBuf, key: SeriesKey) -> Result<Self, StoreError> {
        create_dirs(&dir)?;
        let lock_path = dir.join(".lock");
        let lock = File::create(&lock_path).map_err(|e| StoreError::io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    key,
                    path: lock_path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(StoreError::io(&lock_path, e)),
        }
        let manifest = Manifest::read(&dir)?.unwrap_or_else(|| Manifest::empty(key.clone()));
        if manifest.key != key {
            let detail = format!(
                "manifest names {} but sits in the directory of {key}",
                manifest.key
            );
            return Err(StoreError::Corrupt { path: dir, detail });
        }
        let writer = Self {
            dir,
            key,
            manifest,
            _lock: lock,
        };
        writer.remove_orphans();
        Ok(writer)
    }

    pub fn key(&self) -> &SeriesKey {
        &self.key
    }

    pub fn coverage(&self) -> &super::RangeSet {
        &self.manifest.coverage
    }

    pub fn count(&self) -> usize {
        self.manifest.count()
    }

    pub fn first(&self) -> Option<i64> {
        self.manifest.first()
    }

    pub fn last(&self) -> Option<i64> {
        self.manifest.last()
    }

    /// Records that the source vouched for `covered` without adding candles (e.g. before listing).
    pub fn mark_covered(&mut self, covered: Range) -> Result<(), StoreError> {
        self.insert(&[], covered).map(|_| ())
    }

    /// Commits `batch` (strictly increasing, aligned, sane candles inside `covered`) and marks
    /// `covered` as vouched for by the source. Candles at stored open times replace the stored ones.
    pub fn insert(&mut self, batch: &[Candle], covered: Range) -> Result<InsertReport, StoreError> {
        self.validate(batch, covered)?;
        let mut next = self.manifest.clone();
        let mut obsolete = Vec::new();
        let report = match (batch.first(), batch.last()) {
            (Some(first), Some(last)) => self.place(
                &mut next,
                batch,
                first.open_time,
                last.open_time,
                &mut obsolete,
            )?,
            _ => InsertReport::default(),
        };
        next.coverage.insert(covered);
        if next.segments.len() > MAX_SEGMENTS {
            self.compact(&mut next, &mut obsolete)?;
        }
        next.write(&self.dir)?;
        self.manifest = next;
        for file in obsolete {
            let _ = fs::remove_file(self.dir.join(file));
        }
        Ok(report)
    }

    fn validate(&self, batch: &[Candle], covered: Range) -> Result<(), StoreError> {
        let interval = self.key.interval;
        let reject = |reason: String| {
            Err(StoreError::Rejected {
                key: self.key.clone(),
                reason,
            })
        };
        let mut prev: Option<i64> = None;
        for c in batch {
            let t = crate::market::time::Utc(c.open_time);
            if !interval.is_aligned(c.open_time) {
                return reject(format!("candle at {t} is not aligned to {interval}"));
            }
            if prev.is_some_and(|p| p >= c.open_time) {
                return reject(format!("candle at {t} is not after the one before it"));
            }
            if !covered.contains(c.open_time) {
                return reject(format!(
                    "candle at {t} lies outside the range its batch claims"
                ));
            }
            if let Err(fault) = c.check() {
                return reject(format!("candle at {t}: {fault}"));
            }
            prev = Some(c.open_time);
        }
        Ok(())
    }

    fn place(
        &self,
        next: &mut Manifest,
        batch: &[Candle],
        first: i64,
        last: i64,
        obsolete: &mut Vec<String>,
    ) -> Result<InsertReport, StoreError> {
        let segs = &next.segments;
        let lo = segs.partition_point(|s| s.last < first);
        let hi = segs.partition_point(|s| s.first <= last);
        if lo == hi && lo == segs.len() && lo > 0 {
            let tail = &mut next.segments[lo - 1];
            let path = self.dir.join(&tail.file);
            segment::append(&path, tail.count, batch).map_err(|e| StoreError::io(&path, e))?;
            tail.count += batch.len();
            tail.last = last;
            return Ok(InsertReport {
                added: batch.len(),
                changed: 0,
            });
        }
        if lo == hi {
            let meta = self.write_segment(next, batch)?;
            next.segments.insert(lo, meta);
            return Ok(InsertReport {
                added: batch.len(),
                changed: 0,
            });
        }
        let mut stored = Vec::new();
        for s in &next.segments[lo..hi] {
            let path = self.dir.join(&s.file);
            segment::read(&path, s.count, &mut stored).map_err(|e| StoreError::io(&path, e))?;
        }
        let (merged, report) = merge(&stored, batch);
        let meta = self.write_segment(next, &merged)?;
        obsolete.extend(next.segments.splice(lo..hi, [meta]).map(|s| s.file));
        Ok(report)
    }

    fn compact(&self, next: &mut Manifest, obsolete: &mut Vec<String>) -> Result<(), StoreError> {
        let mut all = Vec::with_capacity(next.count());
        for s in &next.segments {
            let path = self.dir.join(&s.file);
            segment::read(&path, s.count, &mut all).map_err(|e| StoreError::io(&path, e))?;
        }
        let meta = self.write_segment(next, &all)?;
        obsolete.extend(
            std::mem::replace(&mut next.segments, vec![meta])
                .into_iter()
                .map(|s| s.file),
        );
        Ok(())
    }

    fn write_segment(
        &self,
        next: &mut Manifest,
        candles: &[Candle],
    ) -> Result<SegmentMeta, StoreError> {
        let file = format!("seg-{:06}.bin", next.next_id);
        next.next_id += 1;
        let path = self.dir.join(&file);
        segment::create(&path, candles).map_err(|e| StoreError::io(&path, e))?;
        let (first, last) = match (candles.first(), candles.last()) {
            (Some(f), Some(l)) => (f.open_time, l.open_time),
            _ => (0, 0),
        };
        Ok(SegmentMeta {
            file,
            count: candles.len(),
            first,
            last,
        })
    }

    fn remove_orphans(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let named = self.manifest.segments.iter().any(|s| s.file == name);
            if (name.starts_with("seg-") && !named) || name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Merges two sorted series; on equal open times the batch wins.
fn merge(stored: &[Candle], batch: &[Candle]) -> (Vec<Candle>, InsertReport) {
    let mut out = Vec::with_capacity(stored.len() + batch.len());
    let mut report = InsertReport::default();
    let (mut i, mut j) = (0, 0);
    while i < stored.len() || j < batch.len() {
        match (stored.get(i), batch.get(j)) {
            (Some(s), Some(b)) if s.open_time == b.open_time => {
                report.changed += usize::from(s != b);
                out.push(*b);
                i += 1;
                j += 1;
            }
            (Some(s), Some(b)) if s.open_time < b.open_time => {
                out.push(*s);
                i += 1;
            }
            (Some(s), None) => {
                out.push(*s);
                i += 1;
            }
            (_, Some(b)) => {
                report.added += 1;
                out.push(*b);
                j += 1;
            }
            (None, None) => break,
        }
    }
    (out, report)
}

/// Creates `dir` and its parents, making each new entry durable.
fn create_dirs(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent)?;
    }
    fs::create_dir(dir)
        .or_else(|e| if dir.is_dir() { Ok(()) } else { Err(e) })
        .map_err(|e| StoreError::io(dir, e))?;
    if let Some(parent) = dir.parent() {
        manifest::sync_dir(parent).map_err(|e| StoreError::io(parent, e))?;
    }
    Ok(())
}
