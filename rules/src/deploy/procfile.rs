//! Procfiles (devcenter.heroku.com "The Procfile"): one `type: command` line per process type.
//! Each type is a service; the `release` phase runs once per deploy and is not one.

use super::{Deployment, Service, command};
use crate::Span;

pub(super) fn read(d: &mut Deployment<'_>) {
    let text = d.text;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Lines that are not `type: command` are ignored, as the platforms do.
        let Some((name, cmd)) = body.split_once(':') else {
            continue;
        };
        let name_trim = name.trim();
        if name_trim.is_empty()
            || !name_trim
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        let cmd_start = line_start + name.len() + 1;
        let name_start = line_start + (name.len() - name.trim_start().len());
        let origin = command::Origin {
            span: Span::new(cmd_start, cmd_start + cmd.len()),
            exact: Some(cmd_start),
        };
        d.services.push(Service {
            name: name_trim.to_string(),
            span: Span::new(name_start, name_start + name_trim.len()),
            commands: command::shell(cmd, origin),
            long_running: name_trim != "release",
            ..Service::default()
        });
    }
}
