//! `diagnostics-off`: production start commands that run node without a way to take a heap
//! snapshot or get a report when the heap runs out, or compiled code without source maps.

use crate::deploy::{Deployment, command};
use crate::{Draft, Rule, RuleContext, declare_rule};

declare_rule! {
    /// A production start command runs node without the flags that make the next leak cheap to find.
    ///
    /// ### What it finds
    ///
    /// A start command that runs `node` (Dockerfile `CMD`/`ENTRYPOINT`, `package.json`'s
    /// `start` and `start:prod` scripts, Procfile process types, Kubernetes `command`/`args`,
    /// compose `command`, a PM2 app's `script`, systemd `ExecStart=`) with neither
    /// `--heapsnapshot-signal` nor `--report-on-fatalerror`, or running compiled code (a script
    /// under `dist/` or `build/`, or any `.js` when a `tsconfig.json` is in the project)
    /// without `--enable-source-maps`. Options in `NODE_OPTIONS` (`ENV`, `environment:`,
    /// `env:`, `Environment=`, or inline) count. Jobs, CronJobs and a Procfile `release` phase
    /// run to completion and are not reported, and neither are services whose options come
    /// from where the file does not show (`${NODE_OPTIONS}`, `env_file`, `envFrom`, a
    /// ConfigMap, `EnvironmentFile=`, a computed PM2 value). An information-level finding: it
    /// never fails a run.
    ///
    /// ### Why it leaks
    ///
    /// These settings do not cause leaks; they decide what a leak costs. With
    /// `--heapsnapshot-signal=SIGUSR2` (Node 12+), `kill -USR2 <pid>` writes a heap snapshot
    /// from the running service, so two snapshots an hour apart show what grows without a
    /// restart or a debugger. With `--report-on-fatalerror`, a process that dies of "heap out
    /// of memory" leaves a diagnostic report (heap statistics, stack, resource use) instead of
    /// nothing. With `--enable-source-maps`, stacks and snapshot locations of compiled code
    /// point at the TypeScript you wrote rather than at `dist/`.
    ///
    /// ### Bad
    ///
    /// ```dockerfile Dockerfile
    /// FROM node:22-slim
    /// COPY dist/ dist/
    /// CMD ["node", "dist/server.js"]
    /// ```
    ///
    /// ### Good
    ///
    /// ```dockerfile Dockerfile
    /// FROM node:22-slim
    /// COPY dist/ dist/
    /// ENV NODE_OPTIONS="--heapsnapshot-signal=SIGUSR2 --report-on-fatalerror --enable-source-maps"
    /// CMD ["node", "dist/server.js"]
    /// ```
    ///
    /// ### How to fix
    ///
    /// Add `--heapsnapshot-signal=SIGUSR2 --report-on-fatalerror` to the command or to
    /// `NODE_OPTIONS`, and `--enable-source-maps` when the code is compiled. The first two cost
    /// nothing until used; source maps cost some memory and make building `error.stack`
    /// slower, which matters only for code that creates many errors. A snapshot pauses the
    /// process and needs about as much memory again as the heap: take it from an instance out
    /// of the load balancer where you can.
    pub DiagnosticsOff {
        id: "diagnostics-off",
        severity: Info,
        category: Deployment,
        triggers: ["node", "script"],
        reads: Deployment,
    }
}

impl Rule for DiagnosticsOff {
    fn check_deployment(&self, d: &Deployment<'_>, cx: &mut RuleContext<'_>) {
        for service in d
            .services
            .iter()
            .filter(|s| s.long_running && !s.options_unknown)
        {
            for run in service.node_runs() {
                let Some(script) = &run.script else {
                    continue; // `node` alone is a REPL, not a service
                };
                let options = service.options_of(&run);
                let snapshot = command::has_option(&options, "--heapsnapshot-signal");
                let report = command::has_option(&options, "--report-on-fatalerror");
                let compiled = is_compiled(&script.text, d.context.typescript);
                let maps = command::has_option(&options, "--enable-source-maps");
                let mut missing = Vec::new();
                if !snapshot && !report {
                    missing.push("--heapsnapshot-signal or --report-on-fatalerror");
                }
                if compiled && !maps {
                    missing.push("--enable-source-maps for its compiled code");
                }
                if missing.is_empty() {
                    continue;
                }
                let mut add = Vec::new();
                if !snapshot && !report {
                    add.push("--heapsnapshot-signal=SIGUSR2 --report-on-fatalerror");
                }
                if compiled && !maps {
                    add.push("--enable-source-maps");
                }
                let mut costs = Vec::new();
                if !snapshot && !report {
                    costs.push(
                        "when it leaks in production there is no heap snapshot to take without a \
                         restart and no report when the heap runs out",
                    );
                }
                if compiled && !maps {
                    costs.push("stacks and snapshot locations point into compiled code");
                }
                cx.report(Draft::deployment(
                    run.node.span,
                    format!(
                        "`{}` starts `{}` without {}: {}",
                        service.name,
                        script.text,
                        missing.join(", nor "),
                        costs.join("; ")
                    ),
                    format!(
                        "add `{}` to the command or to NODE_OPTIONS{}",
                        add.join(" "),
                        if !snapshot && !report {
                            "; `kill -USR2 <pid>` then writes a heap snapshot"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
    }
}

/// Is the script compiled output: under `dist/` or `build/`, or JavaScript in a TypeScript
/// project?
fn is_compiled(script: &str, typescript: bool) -> bool {
    let path = script.trim_start_matches("./");
    let in_output = path
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| dir == "dist" || dir == "build")
        || path == "dist"
        || path == "build";
    let js = [".js", ".cjs", ".mjs"].iter().any(|e| path.ends_with(e));
    in_output || (typescript && js)
}
