//! The app under `record`: started with the inspector on a free loopback port, its output kept
//! in a log file (standard output stays free for the report), its inspector URL read from what
//! Node prints, and its readiness awaited.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::child::{Group, Interrupt};

/// Node's `--inspect` flag: loopback only, port chosen by the OS (Node 12+ accepts port 0).
pub const INSPECT_FLAG: &str = "--inspect=127.0.0.1:0";

/// Lines of the app's output repeated in an error message.
const TAIL_LINES: usize = 12;

/// When the app is ready for load.
pub enum Ready {
    /// One of these addresses accepts a TCP connection.
    Port(Vec<SocketAddr>),
    /// A line of the app's output (stdout or stderr) matches.
    Log(regex::Regex),
}

pub struct App {
    group: Group,
    lines: Receiver<String>,
    /// Lines received while waiting for the inspector URL, checked again for `Ready::Log`.
    seen: Vec<String>,
    tail: Arc<Mutex<VecDeque<String>>>,
    pub log_path: PathBuf,
}

/// Whether `program` is Node itself, which takes `--inspect` as its first argument.
pub fn is_node(program: &str) -> bool {
    Path::new(program)
        .file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s == "node" || s == "nodejs")
}

impl App {
    /// Starts `node [INSPECT_FLAG] args…` in its own process group, output to `log_path`.
    pub fn start(command: &[String], log_path: &Path) -> Result<App, String> {
        let (program, args) = command.split_first().ok_or("no command to run")?;
        let log = File::create(log_path)
            .map_err(|e| format!("cannot write {}: {e}", log_path.display()))?;
        let mut cmd = Command::new(program);
        cmd.arg(INSPECT_FLAG)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut group = Group::spawn(cmd).map_err(|e| format!("cannot run `{program}`: {e}"))?;
        let log = Arc::new(Mutex::new(log));
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let (tx, lines) = channel();
        let stdout = group.take_pipe(true);
        let stderr = group.take_pipe(false);
        for pipe in [stdout, stderr].into_iter().flatten() {
            forward(pipe, Arc::clone(&log), Arc::clone(&tail), tx.clone());
        }
        Ok(App {
            group,
            lines,
            seen: Vec::new(),
            tail,
            log_path: log_path.to_path_buf(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.group.id()
    }

    /// The inspector's WebSocket URL, from Node's "Debugger listening on ws://…" line.
    pub fn inspector_url(
        &mut self,
        until: Instant,
        interrupt: &Interrupt,
    ) -> Result<String, String> {
        loop {
            for line in self.receive(until, interrupt, "print its inspector URL")? {
                let found = line
                    .split_once("Debugger listening on ")
                    .and_then(|(_, rest)| rest.split_whitespace().next())
                    .filter(|url| url.starts_with("ws://"))
                    .map(str::to_owned);
                if !node_notice(&line) {
                    self.seen.push(line);
                }
                if let Some(url) = found {
                    return Ok(url);
                }
            }
        }
    }

    /// Waits until `ready` holds; returns what was seen (for the progress line).
    pub fn wait_ready(
        &mut self,
        ready: &Ready,
        until: Instant,
        interrupt: &Interrupt,
    ) -> Result<String, String> {
        match ready {
            Ready::Log(re) => {
                if let Some(line) = self.seen.iter().find(|l| re.is_match(l)) {
                    return Ok(format!("the app printed `{}`", line.trim()));
                }
                loop {
                    for line in
                        self.receive(until, interrupt, "print a line matching --ready-log")?
                    {
                        if !node_notice(&line) && re.is_match(&line) {
                            self.seen.clear();
                            return Ok(format!("the app printed `{}`", line.trim()));
                        }
                    }
                }
            }
            Ready::Port(addrs) => loop {
                for addr in addrs {
                    if TcpStream::connect_timeout(addr, Duration::from_millis(200)).is_ok() {
                        self.seen.clear();
                        return Ok(format!("{addr} accepts connections"));
                    }
                }
                // Also drains the output, and notices an exit or an interrupt.
                let _ = self.receive(
                    Instant::now().min(until) + Duration::from_millis(100),
                    interrupt,
                    "open its port",
                );
                self.check(interrupt)?;
                if Instant::now() >= until {
                    return Err(format!(
                        "no connection to {} after the --ready-timeout",
                        addrs
                            .iter()
                            .map(|a| a.to_string())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ));
                }
            },
        }
    }

    /// Lines received before `until`; an error when the app exits, on an interrupt, or when
    /// `until` passes without any line.
    fn receive(
        &mut self,
        until: Instant,
        interrupt: &Interrupt,
        waiting_to: &str,
    ) -> Result<Vec<String>, String> {
        loop {
            self.check(interrupt)?;
            let now = Instant::now();
            if now >= until {
                return Err(format!(
                    "the app did not {waiting_to} within the --ready-timeout{}",
                    self.tail_text()
                ));
            }
            match self
                .lines
                .recv_timeout((until - now).min(Duration::from_millis(50)))
            {
                Ok(line) => {
                    let mut out = vec![line];
                    out.extend(self.lines.try_iter());
                    return Ok(out);
                }
                Err(RecvTimeoutError::Timeout) => {}
                // Both pipes closed: the app is exiting; `check` reports it on the next turn.
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_millis(20))
                }
            }
        }
    }

    /// Stops passing output lines to `record` (the log still gets them): nothing reads them
    /// once the app is ready.
    pub fn stop_listening(&mut self) {
        self.lines = channel().1;
        self.seen = Vec::new();
    }

    /// An error if the app has exited or an interrupt came.
    pub fn check(&mut self, interrupt: &Interrupt) -> Result<(), String> {
        if interrupt.raised() {
            return Err("interrupted".into());
        }
        if let Some(status) = self.group.exited() {
            return Err(format!(
                "the app exited ({}){}",
                describe(status),
                self.tail_text()
            ));
        }
        // An app that ends while the inspector session is open does not exit: Node waits for
        // the debugger to go away.
        let ended = self.tail.lock().is_ok_and(|t| {
            t.iter()
                .any(|l| l.starts_with("Waiting for the debugger to disconnect"))
        });
        if ended {
            return Err(format!("the app ended{}", self.tail_text()));
        }
        Ok(())
    }

    /// Stops the app's process group (SIGTERM, then SIGKILL after a grace period).
    pub fn stop(&mut self) {
        self.group.stop();
    }

    /// The last lines of the app's output, for an error message.
    fn tail_text(&self) -> String {
        // Give the reader threads a moment to pass on the last lines of an app that just died.
        std::thread::sleep(Duration::from_millis(50));
        let tail = self.tail.lock().map(|t| t.clone()).unwrap_or_default();
        if tail.is_empty() {
            format!("; it printed nothing (log: {})", self.log_path.display())
        } else {
            let mut s = format!("; its last output ({}):", self.log_path.display());
            for line in tail {
                s.push_str("\n  | ");
                s.push_str(line.trim_end());
            }
            s
        }
    }
}

/// Whether `line` is one of Node's own inspector notices (never the app's readiness line,
/// though `--ready-log listening` would match "Debugger listening on …").
fn node_notice(line: &str) -> bool {
    [
        "Debugger listening on ",
        "For help, see: https://nodejs.org",
        "Debugger attached.",
        "Debugger ending on ",
        "Waiting for the debugger to disconnect",
    ]
    .iter()
    .any(|n| line.starts_with(n))
}

/// "exit status 3" or "signal 9".
pub fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

/// Copies one of the app's pipes line by line into the log, the tail and the channel (the
/// receiver goes away once the app is ready; the log keeps getting lines).
fn forward(
    pipe: Box<dyn Read + Send>,
    log: Arc<Mutex<File>>,
    tail: Arc<Mutex<VecDeque<String>>>,
    tx: Sender<String>,
) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if let Ok(mut f) = log.lock() {
                let _ = f.write_all(&buf);
            }
            let line = String::from_utf8_lossy(&buf).into_owned();
            if let Ok(mut t) = tail.lock() {
                if t.len() == TAIL_LINES {
                    t.pop_front();
                }
                t.push_back(line.clone());
            }
            let _ = tx.send(line);
        }
    });
}
