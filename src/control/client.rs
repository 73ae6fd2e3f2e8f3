//! The control socket's client: connects to the engine serving a data dir, reads its hello and
//! snapshot, and then either says goodbye (`status`) or becomes a `Link` a view runs on
//! (`attach`): the engine's batches come in, the view's controls go out.
//!
//! Invariant: a `Remote` holds a replica that is the engine's as of its snapshot; the link it
//! becomes delivers everything after it in order.

use super::frame::{FrameError, LineReader, SERVER_LINE_MAX, encode};
use super::link::{CONTROL_QUEUE, Incoming, Link, UPDATE_QUEUE};
use super::socket_path;
use super::wire::{ClientMsg, Hello, PROTOCOL, ServerMsg};
use crate::paper::Control;
use crate::replica::Replica;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::time::Duration;

/// How long the engine has to greet a client (hello and snapshot).
pub const GREETING: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "no tickdesk engine is running on {0}: start one with `tickdesk run --headless` (add --data-dir if it uses another data dir)"
    )]
    NoEngine(PathBuf),
    #[error("{0}: the control socket belongs to another user; only its owner can connect")]
    Denied(PathBuf),
    #[error(
        "the engine (tickdesk {version}) speaks control protocol {theirs}, this tickdesk {ours}: use the engine's tickdesk version"
    )]
    Protocol {
        theirs: u32,
        ours: u32,
        version: String,
    },
    #[error("the engine did not send its state within {} s", GREETING.as_secs())]
    Timeout,
    #[error("the engine closed the connection: {0}")]
    Closed(String),
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ClientError {
    /// No engine is there to talk to (the commands exit with 3 for it).
    pub fn is_no_engine(&self) -> bool {
        matches!(self, Self::NoEngine(_))
    }
}

/// A connection to a running engine, greeted.
pub struct Remote {
    pub hello: Hello,
    pub replica: Replica,
    reader: LineReader<BufReader<OwnedReadHalf>>,
    writer: OwnedWriteHalf,
}

/// Connects to the engine serving `dir` and reads its hello and snapshot.
pub async fn connect(dir: &Path) -> Result<Remote, ClientError> {
    let path = socket_path(dir);
    let stream = UnixStream::connect(&path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => {
                ClientError::NoEngine(dir.to_path_buf())
            }
            std::io::ErrorKind::PermissionDenied => ClientError::Denied(path.clone()),
            _ => ClientError::Io {
                path: path.clone(),
                source: e,
            },
        })?;
    let (read, writer) = stream.into_split();
    let mut reader = LineReader::new(BufReader::new(read), SERVER_LINE_MAX);
    let (hello, replica) = tokio::time::timeout(GREETING, greeting(&mut reader))
        .await
        .map_err(|_| ClientError::Timeout)??;
    Ok(Remote {
        hello,
        replica,
        reader,
        writer,
    })
}

async fn greeting(
    reader: &mut LineReader<BufReader<OwnedReadHalf>>,
) -> Result<(Hello, Replica), ClientError> {
    let hello = match reader.next::<ServerMsg>().await {
        Ok(Some(ServerMsg::Hello(h))) => h,
        Ok(Some(other)) => return Err(unexpected(&other)),
        Ok(None) => return Err(ClientError::Closed("it refused this connection".into())),
        // A hello we cannot read is a newer (or older) protocol's.
        Err(FrameError::Json(e)) => {
            return Err(ClientError::Closed(format!("unreadable hello: {e}")));
        }
        Err(e) => return Err(e.into()),
    };
    if hello.protocol != PROTOCOL {
        return Err(ClientError::Protocol {
            theirs: hello.protocol,
            ours: PROTOCOL,
            version: hello.version,
        });
    }
    match reader.next::<ServerMsg>().await? {
        Some(ServerMsg::Snapshot { replica }) => Ok((hello, *replica)),
        Some(other) => Err(unexpected(&other)),
        None => Err(ClientError::Closed("before sending its state".into())),
    }
}

fn unexpected(msg: &ServerMsg) -> ClientError {
    match msg {
        ServerMsg::Error { message } => ClientError::Closed(message.clone()),
        ServerMsg::Bye { reason } => ClientError::Closed(reason.clone()),
        _ => ClientError::Closed("it sent something out of order".into()),
    }
}

impl Remote {
    /// Says goodbye; the engine keeps running.
    pub async fn detach(mut self) {
        let _ = send(&mut self.writer, &ClientMsg::Detach).await;
        let _ = self.writer.shutdown().await;
    }

    /// The engine as a `Link`: its batches come in, controls go out (`Shutdown` detaches).
    pub fn into_link(self) -> Link {
        let (controls, rx) = mpsc::channel(CONTROL_QUEUE);
        let (tx, incoming) = mpsc::channel(UPDATE_QUEUE);
        let task = tokio::spawn(pump(self.reader, self.writer, rx, tx));
        Link::remote(controls, incoming, task)
    }
}

async fn send(writer: &mut OwnedWriteHalf, msg: &ClientMsg) -> std::io::Result<()> {
    let line = encode(msg).map_err(std::io::Error::other)?;
    writer.write_all(line.as_bytes()).await
}

/// Moves messages both ways until the engine goes (returns why) or the view detaches (`None`).
async fn pump(
    mut reader: LineReader<BufReader<OwnedReadHalf>>,
    mut writer: OwnedWriteHalf,
    mut controls: mpsc::Receiver<Control>,
    incoming: mpsc::Sender<Incoming>,
) -> Option<String> {
    loop {
        let got = tokio::select! {
            msg = reader.next::<ServerMsg>() => msg,
            c = controls.recv() => {
                let msg = c.as_ref().map_or(ClientMsg::Detach, ClientMsg::from);
                let detach = msg == ClientMsg::Detach;
                if let Err(e) = send(&mut writer, &msg).await {
                    return (!detach).then(|| format!("lost the connection to the engine: {e}"));
                }
                if detach {
                    let _ = writer.shutdown().await;
                    return None;
                }
                continue;
            }
        };
        let item = match got {
            Ok(Some(ServerMsg::Updates { updates })) => Incoming::Updates(updates),
            Ok(Some(ServerMsg::Snapshot { replica })) => Incoming::Snapshot(replica),
            Ok(Some(ServerMsg::Bye { reason })) => return Some(reason),
            Ok(Some(ServerMsg::Error { message })) => {
                tracing::warn!("the engine did not take a request: {message}");
                continue;
            }
            Ok(Some(ServerMsg::Hello(_))) => continue,
            Ok(None) => return Some("the engine closed the connection".into()),
            Err(FrameError::Json(e)) => {
                tracing::warn!("a message from the engine could not be read: {e}");
                continue;
            }
            Err(e) => return Some(format!("lost the connection to the engine: {e}")),
        };
        if incoming.send(item).await.is_err() {
            let _ = send(&mut writer, &ClientMsg::Detach).await;
            return None;
        }
    }
}
