//! systemd units (`systemd.service(5)`, `systemd.exec(5)`, `systemd.resource-control(5)`):
//! the `[Service]` section's `ExecStart=`, `Environment=`, `RuntimeMaxSec=` and
//! `MemoryMax=` (or the older `MemoryLimit=`). Lines end in `\` to continue; `#` and `;` start
//! comment lines; `ExecStart=` may carry the prefixes `@ - : + !`.

use super::command::{self, Origin};
use super::{Deployment, Quantity, Restart, RestartKind, Service, docker_bytes};
use crate::{ParseError, Span};

pub(super) fn read(d: &mut Deployment<'_>) -> Result<(), ParseError> {
    let text = d.text;
    let mut section = String::new();
    let mut service = Service {
        name: "ExecStart".into(),
        long_running: true,
        ..Service::default()
    };
    let mut seen_service = false;
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let line_start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.starts_with('[') {
            if !trimmed.ends_with(']') {
                return Err(ParseError {
                    offset: line_start,
                    message: "systemd unit: a section header must end with `]`".into(),
                });
            }
            section = trimmed[1..trimmed.len() - 1].to_string();
            continue;
        }
        let Some((key, _)) = body.split_once('=') else {
            return Err(ParseError {
                offset: line_start + (body.len() - body.trim_start().len()),
                message: "systemd unit: expected `Key=value` or a `[Section]` header".into(),
            });
        };
        // The value, with continuation lines blanked into it (same length as the source).
        let value_start = line_start + key.len() + 1;
        let mut value = body[key.len() + 1..].to_string();
        while value.trim_end().ends_with('\\') {
            let t = value.trim_end().len();
            value.replace_range(t - 1..t, " ");
            let next_start = offset;
            let Some(next) = lines.next() else { break };
            value.push_str(&" ".repeat(next_start - (value_start + value.len())));
            offset += next.len();
            value.push_str(next.trim_end_matches(['\n', '\r']));
        }
        if section != "Service" {
            continue;
        }
        seen_service = true;
        let key = key.trim();
        let origin = Origin {
            span: Span::new(value_start, value_start + value.len()),
            exact: Some(value_start),
        };
        let value_span = || {
            let lead = value.len() - value.trim_start().len();
            Span::new(
                value_start + lead,
                value_start + value.trim_end().len().max(lead),
            )
        };
        match key {
            "ExecStart" => {
                let lead = value.len() - value.trim_start().len();
                let prefixes = value[lead..]
                    .chars()
                    .take_while(|c| "@-:+!".contains(*c))
                    .count();
                let rest = &value[lead + prefixes..];
                let origin = Origin {
                    span: origin.span,
                    exact: Some(value_start + lead + prefixes),
                };
                if service.span == Span::default() {
                    service.span = Span::new(line_start, line_start + key.len());
                }
                service.commands.extend(command::shell(rest, origin));
            }
            "Environment" => {
                for w in command::shell(&value, origin)
                    .into_iter()
                    .flat_map(|c| c.words)
                {
                    if let Some((name, v)) = command::assignment(&w.text)
                        && name == "NODE_OPTIONS"
                    {
                        service.options_unknown = super::expands(v);
                        service.env_options = command::split_options(&w, v.len());
                    }
                }
            }
            // A file of variables may set NODE_OPTIONS.
            "EnvironmentFile" => service.options_unknown = true,
            "RuntimeMaxSec" => {
                let v = value.trim();
                if !v.is_empty() && v != "infinity" {
                    d.restarts.push(Restart {
                        kind: RestartKind::RuntimeMax,
                        span: Span::new(line_start, line_start + key.len()),
                        text: v.to_string(),
                    });
                }
            }
            "MemoryMax" | "MemoryLimit" => {
                let v = value.trim();
                if let Some(bytes) = docker_bytes(v) {
                    service.memory_limit = Some(Quantity {
                        bytes,
                        text: v.to_string(),
                        span: value_span(),
                    });
                }
            }
            _ => {}
        }
    }
    if seen_service && !service.commands.is_empty() {
        d.services.push(service);
    }
    Ok(())
}
