//! Framing: one JSON value per line (`\n`-terminated, no newline inside: JSON escapes it).
//!
//! Invariant: a line longer than the reader's limit is an error, never an unbounded buffer; a
//! partly read line survives a cancelled `next` (the reader keeps it), so `next` can sit in a
//! `select!`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// Longest line a server accepts from a client.
pub const CLIENT_LINE_MAX: usize = 64 * 1024;
/// Longest line a client accepts from a server (a snapshot carries every market's candles).
pub const SERVER_LINE_MAX: usize = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
    #[error("a line longer than {0} bytes")]
    TooLong(usize),
    #[error("the connection closed in the middle of a line")]
    Truncated,
    #[error("not a message of this protocol: {0}")]
    Json(#[from] serde_json::Error),
}

/// `value` as one line, newline included.
pub fn encode<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut line = serde_json::to_string(value)?;
    line.push('\n');
    Ok(line)
}

/// Reads lines from `R`, at most `max` bytes each.
pub struct LineReader<R> {
    inner: R,
    partial: Vec<u8>,
    max: usize,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    pub fn new(inner: R, max: usize) -> Self {
        Self {
            inner,
            partial: Vec::new(),
            max,
        }
    }

    /// The next line without its newline; `None` at a clean end of the stream.
    pub async fn line(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            let buf = self.inner.fill_buf().await?;
            if buf.is_empty() {
                return if self.partial.is_empty() {
                    Ok(None)
                } else {
                    Err(FrameError::Truncated)
                };
            }
            let (take, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if self.partial.len() + take > self.max + 1 {
                self.partial.clear();
                return Err(FrameError::TooLong(self.max));
            }
            self.partial.extend_from_slice(&buf[..take]);
            self.inner.consume(take);
            if done {
                let mut line = std::mem::take(&mut self.partial);
                line.pop();
                return Ok(Some(line));
            }
        }
    }

    /// The next message; `None` at a clean end. A line that is not a `T` is an error, and the
    /// reader stays usable for the next line.
    pub async fn next<T: DeserializeOwned>(&mut self) -> Result<Option<T>, FrameError> {
        match self.line().await? {
            None => Ok(None),
            Some(line) => Ok(Some(serde_json::from_slice(&line)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use tokio::io::{AsyncWriteExt, BufReader};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Msg {
        text: String,
    }

    fn msg(text: &str) -> Msg {
        Msg { text: text.into() }
    }

    #[tokio::test]
    async fn lines_split_and_joined_anywhere_come_out_whole() {
        let mut wire = String::new();
        for t in ["a", "line\nwith a newline inside", "ü"] {
            wire.push_str(&encode(&msg(t)).unwrap());
        }
        assert_eq!(wire.matches('\n').count(), 3, "{wire}");
        // A pipe with a tiny buffer hands the reader a few bytes at a time.
        let (mut w, r) = tokio::io::duplex(3);
        let bytes = wire.into_bytes();
        let writer = tokio::spawn(async move { w.write_all(&bytes).await.unwrap() });
        let mut reader = LineReader::new(BufReader::with_capacity(2, r), 1024);
        let mut got = Vec::new();
        while let Some(m) = reader.next::<Msg>().await.unwrap() {
            got.push(m.text);
        }
        writer.await.unwrap();
        assert_eq!(got, ["a", "line\nwith a newline inside", "ü"]);
    }

    #[tokio::test]
    async fn a_line_over_the_limit_is_refused() {
        let exact = format!("{}\n{}\n", "x".repeat(8), "y".repeat(9));
        let mut reader = LineReader::new(exact.as_bytes(), 8);
        assert_eq!(reader.line().await.unwrap().unwrap(), b"xxxxxxxx");
        assert!(matches!(reader.line().await, Err(FrameError::TooLong(8))));
    }

    #[tokio::test]
    async fn a_bad_line_is_an_error_and_the_next_one_still_reads() {
        let text = "{\"text\":\"ok\"}\nnot json\n{\"text\":\"again\"}\n{\"text\":\"cut";
        let mut reader = LineReader::new(text.as_bytes(), 100);
        assert_eq!(reader.next::<Msg>().await.unwrap(), Some(msg("ok")));
        assert!(matches!(
            reader.next::<Msg>().await,
            Err(FrameError::Json(_))
        ));
        assert_eq!(reader.next::<Msg>().await.unwrap(), Some(msg("again")));
        assert!(matches!(
            reader.next::<Msg>().await,
            Err(FrameError::Truncated)
        ));
        let mut empty = LineReader::new(&b""[..], 100);
        assert!(empty.next::<Msg>().await.unwrap().is_none());
    }
}
