//! `scheduled-restart`: restarts on a timer or a memory threshold (PM2 `cron_restart` and
//! `max_memory_restart`, a CronJob or crontab line that restarts a service, systemd
//! `RuntimeMaxSec=`), which hide a leak instead of showing it.

use crate::deploy::{Deployment, RestartKind, command};
use crate::{Draft, Rule, RuleContext, declare_rule};

declare_rule! {
    /// A service is restarted on a schedule or at a memory threshold, which hides leaks and empties caches.
    ///
    /// ### What it finds
    ///
    /// In PM2 ecosystem files (`ecosystem.config.js`, `.cjs`, `.json`) and `pm2`/`pm2-runtime`
    /// commands: `cron_restart` / `--cron-restart` and `max_memory_restart` /
    /// `--max-memory-restart`. A Kubernetes CronJob whose container runs
    /// `kubectl rollout restart`, `kubectl delete pod`, `pm2 restart`, `systemctl restart` or
    /// `docker restart`; the same commands in a crontab line written by a Dockerfile `RUN` or a
    /// compose command (`0 3 * * * pm2 restart all`). In systemd units, `RuntimeMaxSec=`, which
    /// stops the service after a fixed time so that `Restart=` starts it again: a scheduled
    /// restart by another name. `WatchdogSec=` is not reported: the watchdog restarts a
    /// service that stopped answering, whatever the time or the memory, which is a health
    /// check, not a timer.
    ///
    /// ### Why it leaks
    ///
    /// A restart on a timer, or whenever memory passes a threshold, does not fix a leak: it
    /// empties the heap before the leak can be seen. The service never runs long enough to
    /// run out of memory, so nobody takes a heap snapshot, and the leak grows with traffic
    /// until one day the period is too long. Each restart also empties every in-process cache,
    /// drops in-flight requests and connections, and pays start-up and JIT warm-up again.
    ///
    /// ### Bad
    ///
    /// ```json ecosystem.config.json
    /// { "apps": [{ "name": "api", "script": "server.js", "max_memory_restart": "300M" }] }
    /// ```
    ///
    /// ```yaml restart-api.yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: restart-api
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           containers:
    ///             - name: kubectl
    ///               image: bitnami/kubectl
    ///               command: ["kubectl", "rollout", "restart", "deployment/api"]
    /// ```
    ///
    /// ### Good
    ///
    /// ```json ecosystem.config.json
    /// { "apps": [{ "name": "api", "script": "server.js", "node_args": "--heapsnapshot-signal=SIGUSR2" }] }
    /// ```
    ///
    /// ### How to fix
    ///
    /// Remove the scheduled restart and find the leak: start the service with
    /// `--heapsnapshot-signal=SIGUSR2`, take heap snapshots some time apart
    /// (`kill -USR2 <pid>`) and compare them (`leaklint confirm`, or `leaklint record` in a
    /// test environment). If a safety net must stay while you do, keep it well above normal
    /// memory use and alert on every restart, so that each one is seen.
    pub ScheduledRestart {
        id: "scheduled-restart",
        severity: Warning,
        category: Deployment,
        triggers: ["restart", "RuntimeMaxSec"],
        reads: Deployment,
    }
}

impl Rule for ScheduledRestart {
    fn check_deployment(&self, d: &Deployment<'_>, cx: &mut RuleContext<'_>) {
        for r in &d.restarts {
            let (message, help) = match &r.kind {
                RestartKind::Pm2MaxMemory => (
                    format!(
                        "PM2 restarts this app whenever its memory passes {}: a leak never \
                         runs out of memory, it shows as restarts that empty every cache and \
                         drop in-flight requests",
                        r.text
                    ),
                    "remove max_memory_restart and find what grows: heap snapshots some time \
                     apart (--heapsnapshot-signal=SIGUSR2, then `leaklint confirm`); if a \
                     safety net must stay, set it well above normal use and alert on restarts",
                ),
                RestartKind::Pm2Cron => (
                    format!(
                        "PM2 restarts this app on the schedule `{}`: a leak slower than the \
                         period never shows, and every restart empties caches and drops \
                         in-flight requests",
                        r.text
                    ),
                    "remove cron_restart and find what grows: heap snapshots some time apart \
                     (--heapsnapshot-signal=SIGUSR2, then `leaklint confirm`)",
                ),
                RestartKind::Scheduled { schedule } => (
                    format!(
                        "`{}` runs on the schedule `{schedule}`: restarting a service on a \
                         timer hides a leak slower than the period, and empties its caches \
                         and drops in-flight requests each time",
                        r.text
                    ),
                    "remove the scheduled restart and find what grows: heap snapshots some \
                     time apart (--heapsnapshot-signal=SIGUSR2, then `leaklint confirm`)",
                ),
                RestartKind::RuntimeMax => (
                    format!(
                        "RuntimeMaxSec={} stops the service after that long and Restart= starts \
                         it again: a scheduled restart, which hides a leak slower than the \
                         period",
                        r.text
                    ),
                    "remove RuntimeMaxSec= and find what grows: heap snapshots some time apart \
                     (--heapsnapshot-signal=SIGUSR2, then `leaklint confirm`)",
                ),
            };
            cx.report(Draft::deployment(r.span, message, help.to_string()));
        }
        // `pm2-runtime start app.js --max-memory-restart 300M` in a start command.
        for service in &d.services {
            for c in &service.commands {
                let runs_pm2 = c
                    .words
                    .iter()
                    .any(|w| command::base_name(&w.text).starts_with("pm2"));
                if !runs_pm2 {
                    continue;
                }
                for (i, w) in c.words.iter().enumerate() {
                    let (flag, value) = match w.text.split_once('=') {
                        Some((f, v)) => (f, Some(v.to_string())),
                        None => (w.text.as_str(), c.words.get(i + 1).map(|v| v.text.clone())),
                    };
                    let what = match flag {
                        "--max-memory-restart" => "whenever its memory passes",
                        "--cron-restart" | "--cron" => "on the schedule",
                        _ => continue,
                    };
                    cx.report(Draft::deployment(
                        w.span,
                        format!(
                            "PM2 restarts `{}` {what} {}: a leak never runs out of memory, it \
                             shows as restarts that empty every cache and drop in-flight \
                             requests",
                            service.name,
                            value.unwrap_or_default()
                        ),
                        format!(
                            "remove {flag} and find what grows: heap snapshots some time apart \
                             (--heapsnapshot-signal=SIGUSR2, then `leaklint confirm`)"
                        ),
                    ));
                }
            }
        }
    }
}
