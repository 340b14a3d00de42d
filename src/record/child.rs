//! Processes that `record` starts (the app, a load command), each in a process group of its
//! own so that stopping it also stops whatever it started (`npm` → `sh` → `node`, workers), and
//! so that a Ctrl-C typed at the terminal reaches leaklint only: leaklint decides when and how
//! they stop, and stops them on every way out (an error, an interrupt, a panic: see `Drop`).

use std::process::{Child, Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a group gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

/// A started process, leader of its own process group; the group is stopped when dropped.
pub struct Group {
    child: Child,
    /// `Some` once the leader has been reaped.
    status: Option<ExitStatus>,
}

impl Group {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(mut command: Command) -> std::io::Result<Group> {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        Ok(Group {
            child: command.spawn()?,
            status: None,
        })
    }

    /// The leader's piped standard output (`stdout`) or error, once.
    pub fn take_pipe(&mut self, stdout: bool) -> Option<Box<dyn std::io::Read + Send>> {
        if stdout {
            let pipe = self.child.stdout.take()?;
            Some(Box::new(pipe))
        } else {
            let pipe = self.child.stderr.take()?;
            Some(Box::new(pipe))
        }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The leader's exit status once it has exited (reaps it), `None` while it runs.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// SIGTERM to the whole group, SIGKILL after [`GRACE`] if the leader is still there, and
    /// SIGKILL to what is left of the group (children that ignored SIGTERM). Idempotent.
    pub fn stop(&mut self) {
        if self.exited().is_none() {
            self.signal(Signal::Term);
            let until = Instant::now() + GRACE;
            while self.exited().is_none() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // Members may outlive the leader: the group id stays theirs while any is alive.
        self.signal(Signal::Kill);
        if self.status.is_none() {
            self.status = self.child.wait().ok();
        }
    }

    fn signal(&mut self, signal: Signal) {
        #[cfg(unix)]
        {
            let pgid = self.child.id() as libc::pid_t;
            let sig = match signal {
                Signal::Term => libc::SIGTERM,
                Signal::Kill => libc::SIGKILL,
            };
            // SAFETY: kill(2) on our own child's process group; ESRCH (all gone) is fine.
            unsafe {
                libc::kill(-pgid, sig);
            }
        }
        #[cfg(not(unix))]
        {
            let _ = signal;
            let _ = self.child.kill();
        }
    }
}

enum Signal {
    Term,
    Kill,
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Set by SIGINT, SIGTERM or SIGHUP while `record` runs its steps; the steps poll it and stop.
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    /// Once true, the signals do what they did before (end leaklint).
    default_action: Arc<AtomicBool>,
}

impl Interrupt {
    /// Replaces the default action of those signals (ending leaklint on the spot, which would
    /// leave the app running) with setting the flag.
    pub fn install() -> std::io::Result<Interrupt> {
        let flag = Arc::new(AtomicBool::new(false));
        let default_action = Arc::new(AtomicBool::new(false));
        for sig in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            #[cfg(unix)]
            signal_hook::consts::SIGHUP,
        ] {
            // The default action goes first, as signal-hook asks: once armed it ends the process.
            signal_hook::flag::register_conditional_default(sig, Arc::clone(&default_action))?;
            signal_hook::flag::register(sig, Arc::clone(&flag))?;
        }
        Ok(Interrupt {
            flag,
            default_action,
        })
    }

    pub fn raised(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}

impl Drop for Interrupt {
    /// Puts the default actions back: Ctrl-C during `confirm` ends leaklint as usual.
    fn drop(&mut self) {
        self.default_action.store(true, Ordering::Relaxed);
    }
}
