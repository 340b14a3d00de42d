//! The load `record` puts on the app before each snapshot: the user's command (`--load`), or a
//! bounded number of GET requests over the URLs of a file (`--urls`, HTTP client: ureq).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::child::Group;

/// The placeholder in a URL replaced by the running request number (1, 2, 3, … across phases).
pub const COUNTER: &str = "{n}";

/// No single request of the built-in load may take longer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The URLs of a `--urls` file: one per line, `#` comments and blank lines skipped; `http://`
/// only (the app runs on this machine).
pub fn read_urls(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut urls = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = url::Url::parse(&line.replace(COUNTER, "1"))
            .map_err(|e| format!("{}:{}: `{line}` is not a URL: {e}", path.display(), i + 1))?;
        if parsed.scheme() != "http" || parsed.host().is_none() {
            return Err(format!(
                "{}:{}: `{line}`: only http:// URLs are supported (the app runs on this machine)",
                path.display(),
                i + 1
            ));
        }
        urls.push(line.to_owned());
    }
    if urls.is_empty() {
        return Err(format!("{} has no URL", path.display()));
    }
    Ok(urls)
}

/// The addresses the first URL's host and port resolve to: the default readiness check.
pub fn first_address(urls: &[String]) -> Result<Vec<SocketAddr>, String> {
    let parsed = url::Url::parse(&urls[0].replace(COUNTER, "1")).map_err(|e| e.to_string())?;
    let host = parsed.host_str().unwrap_or("127.0.0.1");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = parsed.port_or_known_default().unwrap_or(80);
    (host, port)
        .to_socket_addrs()
        .map(|a| a.collect())
        .map_err(|e| format!("cannot resolve {host}: {e}"))
}

/// How one phase of the built-in load went.
#[derive(Default)]
pub struct Outcome {
    pub sent: u64,
    /// Answered with a 2xx or 3xx status.
    pub ok: u64,
    /// Answered with another status.
    pub other_status: u64,
    pub failed: u64,
    pub first_error: Option<String>,
}

impl Outcome {
    pub fn describe(&self) -> String {
        let mut s = format!("{} requests, {} answered 2xx/3xx", self.sent, self.ok);
        if self.other_status > 0 {
            s.push_str(&format!(", {} with another status", self.other_status));
        }
        if self.failed > 0 {
            s.push_str(&format!(
                ", {} failed ({})",
                self.failed,
                self.first_error.as_deref().unwrap_or("?")
            ));
        }
        s
    }
}

/// The built-in load: `requests` GETs cycling through `urls`, `concurrency` at a time, each
/// body read to its end. `counter` numbers requests across phases. `keep_going` is called
/// while waiting; its error stops the phase (requests in flight are abandoned to the app's
/// stop).
pub fn run_urls(
    urls: &[String],
    requests: u64,
    concurrency: usize,
    counter: &Arc<AtomicU64>,
    keep_going: &mut dyn FnMut() -> Result<(), String>,
) -> Result<Outcome, String> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(REQUEST_TIMEOUT))
        .http_status_as_error(false)
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let urls = Arc::new(urls.to_vec());
    let next = Arc::new(AtomicU64::new(0));
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let (done_tx, done) = channel::<()>();
    for _ in 0..concurrency.max(1) {
        let (agent, urls, next, counter, outcome, done_tx) = (
            agent.clone(),
            Arc::clone(&urls),
            Arc::clone(&next),
            Arc::clone(counter),
            Arc::clone(&outcome),
            done_tx.clone(),
        );
        std::thread::spawn(move || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
                let url = urls[(i % urls.len() as u64) as usize].replace(COUNTER, &n.to_string());
                let result = agent.get(&url).call().and_then(|mut res| {
                    let status = res.status().as_u16();
                    std::io::copy(&mut res.body_mut().as_reader(), &mut std::io::sink())
                        .map_err(ureq::Error::Io)?;
                    Ok(status)
                });
                let Ok(mut o) = outcome.lock() else { break };
                o.sent += 1;
                match result {
                    Ok(status) if status < 400 => o.ok += 1,
                    Ok(_) => o.other_status += 1,
                    Err(e) => {
                        o.failed += 1;
                        o.first_error.get_or_insert_with(|| format!("{url}: {e}"));
                    }
                }
            }
            drop(done_tx);
        });
    }
    drop(done_tx);
    // Every worker dropping its sender disconnects the channel: the phase is over.
    loop {
        match done.recv_timeout(Duration::from_millis(100)) {
            Err(RecvTimeoutError::Disconnected) => break,
            _ => keep_going()?,
        }
    }
    let outcome = std::mem::take(&mut *outcome.lock().map_err(|_| "a load worker panicked")?);
    if outcome.ok + outcome.other_status == 0 {
        return Err(format!("no request was answered: {}", outcome.describe()));
    }
    Ok(outcome)
}

/// Runs the user's load command with `sh -c` in its own process group (stopped on an error or
/// an interrupt), its standard output sent to leaklint's standard error (standard output is
/// for the report). `LEAKLINT_PHASE` tells it which phase (1–3) it is in.
pub fn run_command(
    command: &str,
    phase: usize,
    keep_going: &mut dyn FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let mut cmd = shell(command);
    cmd.env("LEAKLINT_PHASE", phase.to_string())
        .stdin(Stdio::null())
        .stdout(stderr_as_stdio());
    let mut group = Group::spawn(cmd).map_err(|e| format!("cannot run `{command}`: {e}"))?;
    loop {
        if let Some(status) = group.exited() {
            // Whatever the shell left running in the background goes too.
            group.stop();
            return if status.success() {
                Ok(())
            } else {
                Err(format!(
                    "`{command}` failed ({})",
                    super::app::describe(status)
                ))
            };
        }
        keep_going()?; // dropping `group` stops the command
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command);
    cmd
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("cmd");
    cmd.arg("/C").arg(command);
    cmd
}

fn stderr_as_stdio() -> Stdio {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() {
            return Stdio::from(fd);
        }
    }
    Stdio::inherit()
}
