//! Kubernetes manifests: workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod,
//! ReplicationController, Job, CronJob) and their containers' `command`, `args`, `env` and
//! `resources.limits.memory`. A container's `command` replaces the image's entrypoint and
//! `args` its command (kubernetes.io "Define a Command and Arguments for a Container"); with
//! neither, the image's command runs, which the Dockerfile's lint covers.
//!
//! A CronJob whose container restarts something (`kubectl rollout restart`) is a scheduled
//! restart. Jobs and CronJobs run to completion: they are not services.

use super::tree::Node;
use super::{
    Command, Deployment, Quantity, Restart, RestartKind, Service, command, command_of,
    kubernetes_quantity, list_words, restart_command, words_text,
};

pub(super) fn read(d: &mut Deployment<'_>, doc: &Node) {
    let Some(kind) = doc.get("kind").and_then(Node::str) else {
        return;
    };
    let name = doc
        .at(&["metadata", "name"])
        .and_then(Node::str)
        .unwrap_or("unnamed")
        .to_string();
    let (pod, long_running, schedule) = match kind {
        "Pod" => (doc.get("spec"), true, None),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" => {
            (doc.at(&["spec", "template", "spec"]), true, None)
        }
        "Job" => (doc.at(&["spec", "template", "spec"]), false, None),
        "CronJob" => (
            doc.at(&["spec", "jobTemplate", "spec", "template", "spec"]),
            false,
            doc.at(&["spec", "schedule"]).and_then(Node::str),
        ),
        _ => return,
    };
    let Some(pod) = pod else { return };
    let text = d.text;
    for container in pod.get("containers").map(Node::items).unwrap_or(&[]) {
        let container_name = container
            .get("name")
            .and_then(Node::str)
            .unwrap_or("container");
        let commands = container_commands(text, container);
        if let Some(schedule) = schedule {
            for c in &commands {
                if let Some(first) = restart_command(c) {
                    d.restarts.push(Restart {
                        kind: RestartKind::Scheduled {
                            schedule: schedule.to_string(),
                        },
                        span: first.span,
                        text: words_text(c),
                    });
                }
            }
        }
        let memory_limit = container
            .at(&["resources", "limits", "memory"])
            .and_then(|m| {
                let t = m.str()?;
                Some(Quantity {
                    bytes: kubernetes_quantity(t)?,
                    text: t.to_string(),
                    span: m.span,
                })
            });
        let (env_options, env_unknown) = env_options(text, container.get("env"));
        d.services.push(Service {
            name: format!("{name}/{container_name}"),
            span: container.get("name").map_or(container.span, |n| n.span),
            commands,
            env_options,
            options_unknown: env_unknown || container.get("envFrom").is_some(),
            memory_limit,
            long_running,
            ..Service::default()
        });
    }
}

/// `command` followed by `args`; `args` alone are arguments to the image's entrypoint, which
/// is unknown here, so they are kept as a command only when they start a program themselves
/// (`args: ["node", "server.js"]` under an entrypoint like `tini --`).
fn container_commands(text: &str, container: &Node) -> Vec<Command> {
    let args = container.get("args");
    match container.get("command") {
        Some(cmd) if !cmd.items().is_empty() => {
            let mut words = list_words(text, cmd.items());
            if let Some(args) = args {
                words.extend(list_words(text, args.items()));
            }
            command::words(words)
        }
        Some(cmd) => command_of(text, cmd),
        None => args.map(|a| command_of(text, a)).unwrap_or_default(),
    }
}

/// `NODE_OPTIONS` from `env: [{name, value}]`, and whether it is unknown here (`valueFrom`
/// a ConfigMap or Secret, or a `$(VAR)` reference).
fn env_options(text: &str, env: Option<&Node>) -> (Vec<command::Word>, bool) {
    for item in env.map(Node::items).unwrap_or(&[]) {
        if item.get("name").and_then(Node::str) == Some("NODE_OPTIONS") {
            return match item.get("value").and_then(|v| Some((v, v.str()?))) {
                Some((v, value)) => (
                    super::env_options(text, value, v.span),
                    super::expands(value),
                ),
                None => (Vec::new(), true),
            };
        }
    }
    (Vec::new(), false)
}
