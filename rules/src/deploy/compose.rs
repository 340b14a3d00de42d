//! Compose files (compose-spec.io): `services.<name>` with `command`, `entrypoint`,
//! `environment` (a mapping or a list of `NAME=value`), `mem_limit` and
//! `deploy.resources.limits.memory`. A service without `command` runs its image's command,
//! which the Dockerfile's own lint covers.

use super::tree::{Node, Value};
use super::{Deployment, Quantity, Service, command, command_of, crontab_restarts, docker_bytes};

pub(super) fn read(d: &mut Deployment<'_>, docs: &[Node]) {
    let text = d.text;
    for doc in docs {
        let Some(services) = doc.get("services") else {
            continue;
        };
        for (name, service) in services.entries() {
            let Some(name_text) = name.str() else {
                continue;
            };
            let mut commands = Vec::new();
            let entrypoint = service.get("entrypoint");
            let cmd = service.get("command");
            // An exec-form entrypoint takes the command as its arguments.
            match (entrypoint, cmd) {
                (Some(e), Some(c)) if matches!(e.value, Value::Seq(_)) => {
                    let mut words = super::list_words(text, e.items());
                    match &c.value {
                        Value::Seq(items) => words.extend(super::list_words(text, items)),
                        Value::Scalar(s) => words.extend(
                            command::shell(s, command::Origin::of(text, s, c.span))
                                .into_iter()
                                .flat_map(|c| c.words),
                        ),
                        _ => {}
                    }
                    commands = command::words(words);
                }
                (Some(e), _) => commands = command_of(text, e),
                (None, Some(c)) => commands = command_of(text, c),
                (None, None) => {}
            }
            for node in [entrypoint, cmd].into_iter().flatten() {
                scan_crontabs(d, node);
            }
            let memory_limit = service
                .get("mem_limit")
                .or_else(|| service.at(&["deploy", "resources", "limits", "memory"]))
                .and_then(|m| {
                    let t = m.str()?;
                    Some(Quantity {
                        bytes: docker_bytes(t)?,
                        text: t.to_string(),
                        span: m.span,
                    })
                });
            let (env_options, env_unknown) = environment_options(text, service.get("environment"));
            let options_unknown = env_unknown
                || service.get("env_file").is_some()
                || commands
                    .iter()
                    .flat_map(|c| &c.words)
                    .any(|w| w.text.starts_with("NODE_OPTIONS=") && super::expands(&w.text));
            d.services.push(Service {
                name: name_text.to_string(),
                span: name.span,
                commands,
                env_options,
                options_unknown,
                memory_limit,
                long_running: true,
                ..Service::default()
            });
        }
    }
}

/// Crontab lines written by a service's command (`sh -c "echo '0 * * * * …' | crontab -"`).
fn scan_crontabs(d: &mut Deployment<'_>, node: &Node) {
    let text = d.text;
    let mut scan = |s: &str, n: &Node| {
        crontab_restarts(s, command::Origin::of(text, s, n.span), &mut d.restarts);
    };
    match &node.value {
        Value::Scalar(s) => scan(s, node),
        Value::Seq(items) => {
            for i in items {
                if let Some(s) = i.str() {
                    scan(s, i);
                }
            }
        }
        _ => {}
    }
}

/// `NODE_OPTIONS` from `environment:` as a mapping or as a list of `NAME=value`, and whether
/// its value is unknown here (a `${VAR}` or a value that is not text).
pub(super) fn environment_options(text: &str, env: Option<&Node>) -> (Vec<command::Word>, bool) {
    let Some(env) = env else {
        return (Vec::new(), false);
    };
    for (k, v) in env.entries() {
        if k.str() == Some("NODE_OPTIONS") {
            return match v.str() {
                Some(value) => (
                    super::env_options(text, value, v.span),
                    super::expands(value),
                ),
                None => (Vec::new(), true),
            };
        }
    }
    if !matches!(env.value, Value::Map(_) | Value::Seq(_)) {
        return (Vec::new(), true);
    }
    for item in env.items() {
        if let Some(s) = item.str()
            && let Some(value) = s.strip_prefix("NODE_OPTIONS=")
        {
            let origin = command::Origin::of(text, s, item.span);
            let word = command::Word {
                text: s.to_string(),
                span: item.span,
                exact: origin.exact,
                value_at: None,
            };
            return (
                command::split_options(&word, value.len()),
                super::expands(value),
            );
        }
    }
    (Vec::new(), false)
}
