//! `leaklint trend --sample -- node server.js`: runs the command with the sampler preloaded
//! (`sample.cjs`, injected as `--require` through `NODE_OPTIONS`, so it reaches `node` however the
//! command starts it: directly, through `npm start`, or a shell script), then classifies what it
//! recorded once the command exits.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::TrendArgs;
use crate::exit::{Exit, Failure};

/// The preload module, also usable on its own: `LEAKLINT_SAMPLE_FILE=mem.jsonl node -r
/// ./sample.cjs server.js`.
pub const PRELOAD: &str = include_str!("sample.cjs");

/// Default seconds between samples.
const DEFAULT_INTERVAL: f64 = 5.0;

pub fn run(args: &TrendArgs) -> Result<Exit, Failure> {
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| Failure::Usage("--sample needs a command after `--`".into()))?;
    let interval = args.interval.unwrap_or(DEFAULT_INTERVAL);
    let out = absolute(&args.out)?;
    std::fs::write(&out, "")
        .map_err(|e| Failure::Io(format!("cannot write {}: {e}", out.display())))?;
    let preload = Preload::write()?;
    let mut node_options = std::env::var("NODE_OPTIONS").unwrap_or_default();
    if !node_options.is_empty() {
        node_options.push(' ');
    }
    // NODE_OPTIONS splits on spaces unless the value is double-quoted.
    node_options.push_str(&format!(
        "--require \"{}\"",
        preload
            .0
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    ));
    // Ctrl-C reaches the whole foreground process group: the command stops (the sampler writes a
    // last sample on its way out) and leaklint stays to classify the recording.
    let _guard = KeepOnInterrupt::install();
    let status = Command::new(program)
        .args(rest)
        .env("NODE_OPTIONS", node_options)
        .env("LEAKLINT_SAMPLE_FILE", &out)
        .env(
            "LEAKLINT_SAMPLE_INTERVAL_MS",
            format!("{:.0}", (interval * 1000.0).max(1.0)),
        )
        .status()
        .map_err(|e| Failure::Usage(format!("cannot run `{program}`: {e}")))?;
    drop(preload);
    let text = std::fs::read_to_string(&out)
        .map_err(|e| Failure::Io(format!("cannot read {}: {e}", out.display())))?;
    let samples = text.lines().filter(|l| !l.trim().is_empty()).count();
    eprintln!(
        "leaklint: {samples} samples of `{program}` in {}",
        args.out.display()
    );
    if samples >= super::shape::MIN_SAMPLES {
        let shown = args.out.display().to_string();
        let file = super::load(&shown, &text, super::read::ReadOptions::default())?;
        super::report(&[file], args)?;
    } else {
        eprintln!(
            "leaklint: too few samples to classify (at least {} are needed): sample for longer \
             or with a shorter --interval",
            super::shape::MIN_SAMPLES
        );
    }
    // The command's own status, so that a wrapped start script still fails when its program
    // does; stopping a server with Ctrl-C is the usual end of a recording, not a failure.
    Ok(if status.success() || stopped_by_interrupt(&status) {
        Exit::Clean
    } else {
        Exit::Problems
    })
}

fn absolute(path: &Path) -> Result<PathBuf, Failure> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::Io(format!("cannot read the current directory: {e}")))?;
    Ok(cwd.join(path))
}

/// The preload module written to a temporary file for the run, removed afterwards.
struct Preload(PathBuf);

impl Preload {
    fn write() -> Result<Preload, Failure> {
        let path = std::env::temp_dir().join(format!("leaklint-sample-{}.cjs", std::process::id()));
        std::fs::write(&path, PRELOAD)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))?;
        Ok(Preload(path))
    }
}

impl Drop for Preload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(unix)]
fn stopped_by_interrupt(status: &std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(libc::SIGINT) || status.code() == Some(128 + libc::SIGINT)
}

#[cfg(not(unix))]
fn stopped_by_interrupt(_: &std::process::ExitStatus) -> bool {
    false
}

/// While alive, SIGINT does nothing to leaklint. A handler, not `SIG_IGN`: an ignored signal
/// would stay ignored in the command started after it, and Ctrl-C would no longer stop it.
struct KeepOnInterrupt {
    #[cfg(unix)]
    previous: libc::sighandler_t,
}

#[cfg(unix)]
extern "C" fn on_interrupt(_: libc::c_int) {}

impl KeepOnInterrupt {
    fn install() -> KeepOnInterrupt {
        #[cfg(unix)]
        {
            let handler = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
            // SAFETY: installs an async-signal-safe handler that does nothing.
            let previous = unsafe { libc::signal(libc::SIGINT, handler) };
            KeepOnInterrupt { previous }
        }
        #[cfg(not(unix))]
        KeepOnInterrupt {}
    }
}

impl Drop for KeepOnInterrupt {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: puts back the handler that was there before.
        unsafe {
            libc::signal(libc::SIGINT, self.previous);
        }
    }
}
