//! The stdio transport: a child process, one JSON-RPC message per line.
//!
//! The child runs in its own process group so that everything it starts is
//! ended with it: on [`StdioTransport::close`], on drop (a harness error
//! unwinding), and on Ctrl-C through [`kill_all`].

use std::collections::BTreeSet;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, Command};

use super::{event_queue, Event, EventSender, Events, Limits, Outgoing, SendReport, TransportError};

/// Process groups of children alive right now, for [`kill_all`].
static LIVE_GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// Kill every process group this harness started (used on Ctrl-C, before exiting).
pub fn kill_all() {
    let groups = std::mem::take(&mut *LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner()));
    for group in groups {
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
    }
}

/// How long a server seen ending its session gets to finish exiting.
const ENDING_GRACE: Duration = Duration::from_millis(500);

/// How long a server gets to exit by itself after its stdin is closed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// A running server process.
pub struct StdioTransport {
    stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    child: tokio::sync::Mutex<Child>,
    group: i32,
    stderr: Arc<Mutex<Captured>>,
    /// Set when the server's stdout reached its end.
    stdout_closed: Arc<AtomicBool>,
    /// Set when writing to the server's stdin failed: it is gone or going.
    stdin_broken: AtomicBool,
}

#[derive(Default)]
struct Captured {
    text: Vec<u8>,
    truncated: bool,
}

impl StdioTransport {
    /// The child's process group (its pid), 0 when it had none.
    pub fn group(&self) -> i32 {
        self.group
    }

    /// Start `program` with `args` and extra environment variables.
    pub fn spawn(
        program: &str,
        args: &[String],
        env: &[(String, String)],
        limits: &Limits,
    ) -> Result<(StdioTransport, Events), TransportError> {
        let mut command = Command::new(program);
        command
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|source| TransportError::Spawn { command: program.to_string(), source })?;
        // A child without a pid has already been reaped; treat it as closed.
        let group = child.id().map(|id| id as i32).unwrap_or(0);
        if group > 0 {
            LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner()).insert(group);
        }
        let (tx, rx) = event_queue();
        let stderr = Arc::new(Mutex::new(Captured::default()));
        let stdout_closed = Arc::new(AtomicBool::new(false));
        if let Some(out) = child.stdout.take() {
            let (closed, max, frames) = (stdout_closed.clone(), limits.max_message_bytes, tx.clone());
            tokio::spawn(async move {
                read_frames(out, max, frames).await;
                closed.store(true, Ordering::SeqCst);
            });
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(capture(err, limits.max_stderr_bytes, stderr.clone()));
        }
        let transport = StdioTransport {
            stdin: tokio::sync::Mutex::new(child.stdin.take()),
            child: tokio::sync::Mutex::new(child),
            group,
            stderr,
            stdout_closed,
            stdin_broken: AtomicBool::new(false),
        };
        Ok((transport, rx))
    }

    /// Write one frame and a newline.
    pub async fn send(&self, outgoing: Outgoing) -> Result<SendReport, TransportError> {
        let mut stdin = self.stdin.lock().await;
        let Some(pipe) = stdin.as_mut() else {
            return Err(TransportError::Closed("stdin was closed".into()));
        };
        let mut line = outgoing.bytes;
        line.push(b'\n');
        let written = async {
            pipe.write_all(&line).await?;
            pipe.flush().await
        };
        match written.await {
            Ok(()) => Ok(SendReport::default()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.stdin_broken.store(true, Ordering::SeqCst);
                Err(TransportError::Closed(format!("the server closed its stdin ({e})")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Write bytes exactly as given, with no newline added: the fuzzer uses it
    /// to deliver one line in several writes, as a pipe may.
    pub async fn write_raw(&self, bytes: &[u8]) -> Result<(), TransportError> {
        let mut stdin = self.stdin.lock().await;
        let Some(pipe) = stdin.as_mut() else {
            return Err(TransportError::Closed("stdin was closed".into()));
        };
        let written = async {
            pipe.write_all(bytes).await?;
            pipe.flush().await
        };
        match written.await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.stdin_broken.store(true, Ordering::SeqCst);
                Err(TransportError::Closed(format!("the server closed its stdin ({e})")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// How the server exited, waiting at most `within` for it to do so
    /// (`None`: still running, or its status could not be read).
    pub async fn exit_status(&self, within: Duration) -> Option<std::process::ExitStatus> {
        let mut child = self.child.lock().await;
        tokio::time::timeout(within, child.wait()).await.ok()?.ok()
    }

    /// Has the server ended the session itself, as STDIO-009 allows: its
    /// stdout closed and it exited with status 0 while the harness still
    /// held its stdin open? A server seen going (stdout at its end, or its
    /// stdin refusing writes) gets [`ENDING_GRACE`] to finish exiting; a
    /// live one is answered at once.
    pub async fn ended_by_server(&self) -> bool {
        let going = self.stdout_closed.load(Ordering::SeqCst) || self.stdin_broken.load(Ordering::SeqCst);
        if !going || self.stdin.lock().await.is_none() {
            return false;
        }
        if !self.exit_status(ENDING_GRACE).await.is_some_and(|status| status.success()) {
            return false;
        }
        // Its stdout closes with it, unless something it started holds it.
        let deadline = tokio::time::Instant::now() + ENDING_GRACE;
        while !self.stdout_closed.load(Ordering::SeqCst) {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Close stdin and return at once: the server should see end of input.
    pub async fn close_stdin(&self) {
        self.stdin.lock().await.take();
    }

    /// Close stdin, give the server [`EXIT_GRACE`] to exit, then kill its group.
    pub async fn close(&self) -> String {
        self.close_within(EXIT_GRACE).await
    }

    /// Close stdin, give the server `grace` to exit, then kill its group.
    pub async fn close_within(&self, grace: Duration) -> String {
        self.stdin.lock().await.take();
        let mut child = self.child.lock().await;
        let detail = match tokio::time::timeout(grace, child.wait()).await {
            Ok(Ok(status)) => format!("the server exited after stdin closed ({status})"),
            Ok(Err(e)) => format!("waiting for the server failed: {e}"),
            Err(_) => {
                self.kill_group();
                let status = child.wait().await.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                format!("the server did not exit within {grace:?} of stdin closing; killed ({status})")
            }
        };
        // Anything the server left behind in its group goes too.
        self.kill_group();
        detail
    }

    /// The captured stderr and whether it was cut at the cap.
    pub fn stderr(&self) -> (String, bool) {
        let captured = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        (String::from_utf8_lossy(&captured.text).into_owned(), captured.truncated)
    }

    fn kill_group(&self) {
        if self.group > 0 {
            let _ = killpg(Pid::from_raw(self.group), Signal::SIGKILL);
            LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.group);
        }
    }
}

impl Drop for StdioTransport {
    fn drop(&mut self) {
        self.kill_group();
    }
}

/// Split stdout into lines, never holding more than `max` bytes of one line.
async fn read_frames(mut out: impl AsyncRead + Unpin, max: usize, tx: EventSender) {
    let channel: Arc<str> = Arc::from("stdout");
    let mut line = Vec::new();
    // While a line over the limit is being skipped: how much of it so far.
    let mut discarding: Option<usize> = None;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match out.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                tx.ours(Event::Note { channel: channel.clone(), text: format!("reading stdout failed: {e}") });
                break;
            }
        };
        for piece in chunk[..n].split_inclusive(|&b| b == b'\n') {
            let complete = piece.last() == Some(&b'\n');
            let body = if complete { &piece[..piece.len() - 1] } else { piece };
            if discarding.is_none() && line.len() + body.len() > max {
                // Say so at once: a request waiting for this line must know
                // its answer may be the one being dropped.
                let size = line.len() + body.len();
                discarding = Some(line.len());
                line.clear();
                if !tx.server_sent(Event::Oversized { channel: channel.clone(), origin: None, size, limit: max }).await {
                    return;
                }
            }
            match &mut discarding {
                Some(skipped) => *skipped += body.len(),
                None => line.extend_from_slice(body),
            }
            if complete {
                let event = match discarding.take() {
                    Some(skipped) => {
                        Event::Note { channel: channel.clone(), text: format!("the oversized line ended after {skipped} bytes") }
                    }
                    None => Event::Frame { channel: channel.clone(), origin: None, bytes: Bytes::from(std::mem::take(&mut line)) },
                };
                if !tx.server_sent(event).await {
                    return;
                }
            }
        }
    }
    let skipped = discarding.unwrap_or(0);
    if !line.is_empty() || skipped > 0 {
        let text = format!(
            "stdout ended inside a line ({} bytes without a newline): {}",
            line.len() + skipped,
            String::from_utf8_lossy(&line[..line.len().min(200)])
        );
        tx.ours(Event::Note { channel: channel.clone(), text });
    }
    tx.ours(Event::Closed { detail: "the server closed stdout".into() });
}

async fn capture(mut err: impl AsyncRead + Unpin, max: usize, into: Arc<Mutex<Captured>>) {
    let mut chunk = vec![0u8; 16 * 1024];
    while let Ok(n) = err.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let mut captured = into.lock().unwrap_or_else(|e| e.into_inner());
        let room = max.saturating_sub(captured.text.len());
        captured.text.extend_from_slice(&chunk[..n.min(room)]);
        captured.truncated |= n > room;
    }
}
