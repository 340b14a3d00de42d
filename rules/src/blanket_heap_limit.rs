//! `blanket-heap-limit`: one `--max-old-space-size` copied onto every service of a file, or a
//! heap limit at or above the memory limit the process is killed at.

use crate::deploy::{DeployKind, Deployment, command};
use crate::{Draft, Rule, RuleContext, Span, declare_rule};

declare_rule! {
    /// The same V8 heap limit is set on every service, or a heap limit is at or above the container's memory limit.
    ///
    /// ### What it finds
    ///
    /// `--max-old-space-size` (on the command line, in `NODE_OPTIONS`, in PM2's `node_args`)
    /// with the same value on every service of a compose file, PM2 ecosystem file or
    /// Kubernetes manifest that sets it, when two or more do: a value copied rather than sized.
    /// And a limit at or above the memory limit of its own container or unit (Kubernetes
    /// `resources.limits.memory`, compose `mem_limit` or `deploy.resources.limits.memory`,
    /// systemd `MemoryMax=`). The flag is in MiB; `512Mi` and `512m` are 512 MiB, `1G` in
    /// Kubernetes is 10^9 bytes.
    ///
    /// ### Why it leaks
    ///
    /// `--max-old-space-size` bounds only V8's old generation. The process also holds the young
    /// generation, code, stacks and everything outside the JavaScript heap (Buffers, native
    /// modules). With the heap limit at or above the container's limit, the kernel's OOM killer
    /// sends SIGKILL before V8 collects hard or stops with "heap out of memory": a leak ends in
    /// a kill with no heap snapshot, no fatal-error report and no stack. One value copied to
    /// every service is right for none: too high for a small container (the same OOM kill),
    /// too low for a busy one (garbage collection runs constantly and the service looks leaky
    /// when it is not).
    ///
    /// ### Bad
    ///
    /// ```yaml docker-compose.yml
    /// services:
    ///   api:
    ///     command: node --max-old-space-size=2048 dist/api.js
    ///     mem_limit: 1g
    /// ```
    ///
    /// ### Good
    ///
    /// ```yaml docker-compose.yml
    /// services:
    ///   api:
    ///     command: node --max-old-space-size=768 dist/api.js
    ///     mem_limit: 1g
    /// ```
    ///
    /// ### How to fix
    ///
    /// Size each service's heap from its own memory limit, leaving room for what lives outside
    /// the old generation: about three quarters of the container's memory is a common start.
    /// Better, measure: `leaklint trend` on the service's memory samples says whether it
    /// plateaus under its limit or keeps growing.
    pub BlanketHeapLimit {
        id: "blanket-heap-limit",
        severity: Warning,
        category: Deployment,
        triggers: ["max-old-space-size", "max_old_space_size"],
        reads: Deployment,
    }
}

const MIB: u64 = 1 << 20;

impl Rule for BlanketHeapLimit {
    fn check_deployment(&self, d: &Deployment<'_>, cx: &mut RuleContext<'_>) {
        // Each service's heap limit: its value in MiB and the option's span.
        let mut limits: Vec<(usize, u64, Span, String)> = Vec::new();
        for (i, service) in d.services.iter().enumerate() {
            if !service.long_running {
                continue;
            }
            // From the node it runs, or, when the file does not show the command (the
            // image's own), from NODE_OPTIONS alone: Node reads it whatever starts it.
            let runs = service.node_runs();
            let option_sets: Vec<Vec<crate::deploy::Word>> = if runs.is_empty() {
                vec![service.env_options.clone()]
            } else {
                runs.iter().map(|run| service.options_of(run)).collect()
            };
            let heap = option_sets.iter().find_map(|options| {
                let (word, value) = command::option_value(options, "--max-old-space-size")?;
                Some((value.trim().parse::<u64>().ok()?, word.span, value))
            });
            if let Some((mib, span, text)) = heap {
                limits.push((i, mib, span, text));
            }
        }
        // A Dockerfile starts one image, and `start` / `start:prod` in a package.json are two
        // ways to start one service: "every service" is about files that list services.
        let lists_services = matches!(
            d.kind,
            DeployKind::Compose
                | DeployKind::Kubernetes
                | DeployKind::Pm2Json
                | DeployKind::Pm2Script
                | DeployKind::Procfile
        );
        let all_same =
            lists_services && limits.len() >= 2 && limits.iter().all(|l| l.1 == limits[0].1);
        for &(i, mib, span, ref text) in &limits {
            let service = &d.services[i];
            if let Some(limit) = &service.memory_limit
                && mib.saturating_mul(MIB) >= limit.bytes
            {
                cx.report(
                    Draft::deployment(
                        span,
                        format!(
                            "--max-old-space-size={text} ({mib} MiB) for `{}` is at or above \
                             its memory limit {} ({} MiB): the process is OOM-killed before V8 \
                             collects or reports running out of heap, so a leak ends in a \
                             SIGKILL with no snapshot or report",
                            service.name,
                            limit.text,
                            limit.bytes / MIB
                        ),
                        format!(
                            "set the heap limit below the memory limit, leaving room for the \
                             young generation, code and Buffers (about {} MiB for {})",
                            limit.bytes / MIB * 3 / 4,
                            limit.text
                        ),
                    )
                    .label(limit.span, "the memory limit the process is killed at"),
                );
                continue;
            }
            if all_same {
                let others: Vec<String> = limits
                    .iter()
                    .filter(|l| l.0 != i)
                    .map(|l| format!("`{}`", d.services[l.0].name))
                    .collect();
                let mut f = Draft::deployment(
                    span,
                    format!(
                        "every service in this {} that sets a heap limit sets \
                         --max-old-space-size={text} (`{}` and {}): one value copied to every \
                         service is sized for none of them, too high for a small container and \
                         too low for a busy one",
                        d.kind.describe(),
                        service.name,
                        others.join(", ")
                    ),
                    "size each service's heap from its own memory limit and measured use \
                     (`leaklint trend` on its memory samples)"
                        .to_string(),
                );
                for l in limits.iter().filter(|l| l.0 != i) {
                    f = f.label(
                        l.2,
                        format!("the same limit for `{}`", d.services[l.0].name),
                    );
                }
                cx.report(f);
            }
        }
    }
}
