//! `leaklint record [PATHS] (--load CMD | --urls FILE) -- node server.js`: confirm in one
//! command. Starts the app with the inspector on a free loopback port, waits until it is
//! ready, then three times in one inspector session: puts the load on it, forces a garbage
//! collection and streams a heap snapshot to `DIR/s1|s2|s3.heapsnapshot`; stops the app and
//! runs `confirm` on the three snapshots.
//!
//! Exit status: that of `confirm` (1 when a finding is confirmed or growth is unexplained, 0
//! otherwise); 2 for bad arguments and for a recording that failed or was interrupted — the
//! message names the step, and the app and the load command are stopped (their whole process
//! groups) on every way out.

mod app;
mod child;
mod inspector;
mod load;

use std::io::{BufWriter, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use clap::ArgGroup;

use crate::exit::{Exit, Failure};
use crate::heap::{ConfirmArgs, HeapFormat};
use app::{App, Ready};
use child::Interrupt;

/// Snapshots in the order `confirm` reads them.
const SNAPSHOTS: [&str; 3] = ["s1.heapsnapshot", "s2.heapsnapshot", "s3.heapsnapshot"];

#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("load_source").required(true).args(["load", "urls"])))]
pub struct RecordArgs {
    /// Files and directories to lint for the findings to confirm (default: .). Not with
    /// --findings.
    #[arg(value_name = "PATHS", conflicts_with = "findings")]
    pub paths: Vec<PathBuf>,
    /// The app, after `--`: `node [node options] script.js [args]` (leaklint adds
    /// `--inspect=127.0.0.1:0`).
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
    /// The load for each of the three phases: a shell command that must exit 0, e.g.
    /// `npx autocannon -a 500 http://127.0.0.1:3000/x`. It gets LEAKLINT_PHASE=1|2|3.
    #[arg(long, value_name = "CMD")]
    pub load: Option<String>,
    /// The built-in load: GET requests over the http:// URLs of FILE (one per line, `#`
    /// comments), in turn; `{n}` in a URL becomes the running request number.
    #[arg(long, value_name = "FILE")]
    pub urls: Option<PathBuf>,
    /// With --urls: requests per phase.
    #[arg(long, value_name = "N", default_value_t = 100, requires = "urls")]
    pub requests: u64,
    /// With --urls: requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, requires = "urls")]
    pub concurrency: usize,
    /// Where the snapshots (s1, s2, s3.heapsnapshot) and the app's output (app.log) go.
    #[arg(long, value_name = "DIR", default_value = "leaklint-record")]
    pub out: PathBuf,
    /// The app is ready when this loopback port accepts connections. Default with --urls: the
    /// first URL's host and port.
    #[arg(long, value_name = "PORT", conflicts_with = "ready_log")]
    pub ready_port: Option<u16>,
    /// The app is ready when a line of its output matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub ready_log: Option<String>,
    /// Give up when the app is not ready after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub ready_timeout: f64,
    /// Seconds to wait after each load before the garbage collection, for responses and
    /// timeouts in flight to finish.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub settle: f64,
    /// Read findings from a `leaklint --format json` report instead of linting.
    #[arg(long, value_name = "REPORT")]
    pub findings: Option<PathBuf>,
    /// As `confirm --root`: the directory the app's script paths start with.
    #[arg(long, value_name = "DIR")]
    pub root: Option<String>,
    /// As `confirm --min-growth`.
    #[arg(long, value_name = "N", default_value_t = leaklint_runtime_check::confirm::DEFAULT_MIN_GROWTH)]
    pub min_growth: u64,
    /// Output format of the confirm report.
    #[arg(short, long, value_enum, default_value_t = HeapFormat::Text)]
    pub format: HeapFormat,
}

/// What a phase's load is.
enum Load {
    Command(String),
    Urls {
        urls: Vec<String>,
        requests: u64,
        concurrency: usize,
        counter: Arc<AtomicU64>,
    },
}

pub fn record(args: RecordArgs) -> Result<Exit, Failure> {
    // Everything that can be wrong with the arguments is found before the app starts.
    let program = &args.command[0];
    if !app::is_node(program) {
        return Err(Failure::Usage(format!(
            "record starts Node itself with the inspector: give `-- node [options] script.js`, \
             not `{program}` (for `npm start`, give the node command it runs)"
        )));
    }
    let mut load = match (&args.load, &args.urls) {
        (Some(cmd), _) => Load::Command(cmd.clone()),
        (None, Some(file)) => Load::Urls {
            urls: load::read_urls(file).map_err(Failure::Usage)?,
            requests: args.requests,
            concurrency: args.concurrency,
            counter: Arc::new(AtomicU64::new(0)),
        },
        (None, None) => unreachable!("clap requires --load or --urls"),
    };
    let ready = match (&args.ready_port, &args.ready_log, &load) {
        (Some(port), _, _) => Ready::Port(vec![
            SocketAddr::from((Ipv4Addr::LOCALHOST, *port)),
            SocketAddr::from((Ipv6Addr::LOCALHOST, *port)),
        ]),
        (None, Some(re), _) => Ready::Log(
            regex::Regex::new(re).map_err(|e| Failure::Usage(format!("--ready-log: {e}")))?,
        ),
        (None, None, Load::Urls { urls, .. }) => {
            Ready::Port(load::first_address(urls).map_err(Failure::Usage)?)
        }
        (None, None, Load::Command(_)) => {
            return Err(Failure::Usage(
                "with --load, say when the app is ready: --ready-port PORT or --ready-log REGEX"
                    .into(),
            ));
        }
    };
    let ready_timeout = seconds("--ready-timeout", args.ready_timeout)?;
    let settle = seconds("--settle", args.settle)?;
    let findings = crate::heap::findings(args.findings.as_deref(), &args.paths)?;

    std::fs::create_dir_all(&args.out)
        .map_err(|e| Failure::Io(format!("cannot create {}: {e}", args.out.display())))?;
    let snapshots: Vec<PathBuf> = SNAPSHOTS.iter().map(|s| args.out.join(s)).collect();
    for s in &snapshots {
        // A failed recording must not leave an older run's snapshot beside new ones.
        let _ = std::fs::remove_file(s);
    }
    {
        let interrupt =
            Interrupt::install().map_err(|e| Failure::Io(format!("cannot handle Ctrl-C: {e}")))?;
        let mut rec = Recording {
            interrupt: &interrupt,
            step: "start".into(),
        };
        rec.run(&args, &mut load, &ready, ready_timeout, settle, &snapshots)?;
    }
    let confirm = ConfirmArgs {
        snapshots,
        paths: Vec::new(),
        findings: None,
        root: args.root.clone(),
        min_growth: args.min_growth,
        format: args.format,
    };
    progress(&format!(
        "confirming {} findings with the three snapshots",
        findings.len()
    ));
    crate::heap::confirm_findings(confirm, &findings)
}

fn seconds(flag: &str, value: f64) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| Failure::Usage(format!("{flag}: {value} is not a number of seconds")))
}

fn progress(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "leaklint record: {message}");
}

/// The steps of one recording, with the name of the current step for error messages.
struct Recording<'a> {
    interrupt: &'a Interrupt,
    step: String,
}

impl Recording<'_> {
    fn fail(&self, message: String) -> Failure {
        if message == "interrupted" {
            Failure::Io(format!(
                "record interrupted at {}; the app was stopped",
                self.step
            ))
        } else {
            Failure::Io(format!("record failed at {}: {message}", self.step))
        }
    }

    fn run(
        &mut self,
        args: &RecordArgs,
        load: &mut Load,
        ready: &Ready,
        ready_timeout: Duration,
        settle: Duration,
        snapshots: &[PathBuf],
    ) -> Result<(), Failure> {
        let interrupt = self.interrupt;
        let log = args.out.join("app.log");
        progress(&format!(
            "starting `{}` with {} (its output goes to {})",
            args.command.join(" "),
            app::INSPECT_FLAG,
            log.display()
        ));
        let started = Instant::now();
        // Dropping `app` (on any error below) stops its process group.
        let mut app = App::start(&args.command, &log).map_err(|e| self.fail(e))?;
        let until = started + ready_timeout;
        self.step = "inspector".into();
        let url = app
            .inspector_url(until, interrupt)
            .map_err(|e| self.fail(e))?;
        self.step = "ready".into();
        let seen = app
            .wait_ready(ready, until, interrupt)
            .map_err(|e| self.fail(e))?;
        app.stop_listening();
        progress(&format!(
            "app ready after {:.1} s ({seen}); pid {}, inspector {url}",
            started.elapsed().as_secs_f64(),
            app.pid()
        ));
        self.step = "inspector".into();
        let mut session = inspector::Session::connect(&url).map_err(|e| self.fail(e))?;
        let mut keep_going = || app.check(interrupt);
        session
            .call(
                "HeapProfiler.enable",
                serde_json::json!({}),
                &mut keep_going,
            )
            .map_err(|e| self.fail(e))?;
        for (i, path) in snapshots.iter().enumerate() {
            let phase = i + 1;
            self.step = format!("load (phase {phase}/3)");
            let t = Instant::now();
            let did = match load {
                Load::Command(cmd) => {
                    load::run_command(cmd, phase, &mut keep_going).map(|()| format!("`{cmd}` done"))
                }
                Load::Urls {
                    urls,
                    requests,
                    concurrency,
                    counter,
                } => load::run_urls(urls, *requests, *concurrency, counter, &mut keep_going)
                    .map(|o| o.describe()),
            }
            .map_err(|e| self.fail(e))?;
            progress(&format!(
                "phase {phase}/3: load: {did} in {:.1} s",
                t.elapsed().as_secs_f64()
            ));
            self.step = format!("settle (phase {phase}/3)");
            let until = Instant::now() + settle;
            while Instant::now() < until {
                keep_going().map_err(|e| self.fail(e))?;
                std::thread::sleep(Duration::from_millis(20).min(settle));
            }
            self.step = format!("garbage collection (phase {phase}/3)");
            session
                .call(
                    "HeapProfiler.collectGarbage",
                    serde_json::json!({}),
                    &mut keep_going,
                )
                .map_err(|e| self.fail(e))?;
            self.step = format!("snapshot (phase {phase}/3)");
            let t = Instant::now();
            let bytes =
                write_snapshot(&mut session, path, &mut keep_going).map_err(|e| self.fail(e))?;
            progress(&format!(
                "phase {phase}/3: snapshot {} ({:.1} MB) in {:.1} s",
                path.display(),
                bytes as f64 / 1e6,
                t.elapsed().as_secs_f64()
            ));
        }
        self.step = "stop".into();
        session.close();
        app.stop();
        progress("stopped the app");
        Ok(())
    }
}

/// Streams one snapshot into `path` through a `.part` file renamed at the end, so that an
/// interrupted snapshot never looks like a whole one.
fn write_snapshot(
    session: &mut inspector::Session,
    path: &Path,
    keep_going: &mut dyn FnMut() -> Result<(), String>,
) -> Result<u64, String> {
    let part = path.with_extension("heapsnapshot.part");
    let result = (|| {
        let file = std::fs::File::create(&part)
            .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let bytes = session.take_snapshot(&mut out, keep_going)?;
        out.flush()
            .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        std::fs::rename(&part, path).map_err(|e| {
            format!(
                "cannot rename {} to {}: {e}",
                part.display(),
                path.display()
            )
        })?;
        Ok(bytes)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}
