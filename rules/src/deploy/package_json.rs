//! `package.json`: the `start` script (what `npm start` runs, and what platforms such as
//! Heroku's Node buildpack run when there is no Procfile) and `start:prod` (the production
//! start script of NestJS projects and others).
//!
//! A package published as a library (it declares `exports`, `module`, `types`, `typings`,
//! `files` or `publishConfig`) is not deployed by its own scripts: its `start` runs a sandbox
//! or an example while developing it (axios's `node ./sandbox/server.js`), and is not read.

use super::tree::Node;
use super::{Deployment, Service, command};

pub(super) fn read(d: &mut Deployment<'_>, doc: &Node) {
    let text = d.text;
    let Some(scripts) = doc.get("scripts") else {
        return;
    };
    let library = [
        "exports",
        "module",
        "types",
        "typings",
        "files",
        "publishConfig",
    ]
    .iter()
    .any(|k| doc.get(k).is_some());
    if library {
        return;
    }
    for name in ["start", "start:prod"] {
        let Some(script) = scripts.get(name) else {
            continue;
        };
        let Some(line) = script.str() else { continue };
        d.services.push(Service {
            name: format!("scripts.{name}"),
            span: script.span,
            commands: command::shell(line, command::Origin::of(text, line, script.span)),
            long_running: true,
            ..Service::default()
        });
    }
}
