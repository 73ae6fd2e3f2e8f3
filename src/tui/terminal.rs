//! The terminal, restored in layers: a guard whose `Drop` leaves raw mode and the alternate screen
//! on every return path, a panic hook (chained to the previous one) that does the same before the
//! panic message prints, and `restore` for the signal handlers. Restoring twice is harmless.
//! Bytes written to the terminal are counted, for the cost report over slow SSH links.

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{
    cursor, execute,
    terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode},
};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A writer (stdout, or a sink in the cost benchmark), counting what passes.
pub struct Counted<W: Write> {
    out: W,
    pub bytes: Arc<AtomicU64>,
}

impl<W: Write> Counted<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            bytes: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

pub type Term = Terminal<CrosstermBackend<Counted<io::Stdout>>>;

/// Leaves raw mode and the alternate screen and shows the cursor.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// Holds the terminal in full-screen mode; dropping it restores the terminal.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters raw mode and the alternate screen, after installing the panic hook. The terminal comes
/// with the count of bytes written to it.
pub fn enter() -> io::Result<(Guard, Term, Arc<AtomicU64>)> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    enable_raw_mode()?;
    let mut out = io::stdout();
    if let Err(e) = execute!(out, EnterAlternateScreen, cursor::Hide) {
        restore();
        return Err(e);
    }
    let counted = Counted::new(out);
    let bytes = Arc::clone(&counted.bytes);
    let terminal = Terminal::new(CrosstermBackend::new(counted)).inspect_err(|_| restore())?;
    Ok((Guard, terminal, bytes))
}
