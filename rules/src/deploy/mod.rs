//! Deployment files: the files that start a Node service (Dockerfile, compose files, Kubernetes
//! manifests, Procfile, systemd units, PM2 ecosystem files, `package.json` scripts), read into
//! one [`Deployment`] model that the deployment rules (`scheduled-restart`,
//! `blanket-heap-limit`, `diagnostics-off`) read, as the JavaScript rules read the `Model`.
//!
//! Each reader parses its syntax with a maintained parser where one fits (YAML and JSON:
//! [`tree`]; a PM2 script file: swc, through the caller's parse), and the line syntaxes
//! (Dockerfile, Procfile, systemd's INI) by hand. Text that cannot be parsed is a
//! [`ParseError`] with its position, like a JavaScript syntax error.

pub mod command;
mod compose;
mod dockerfile;
mod kubernetes;
mod package_json;
pub(crate) mod pm2;
mod procfile;
mod systemd;
pub mod tree;

use crate::{Flavor, ParseError, Span};
pub use command::{Command, NodeRun, Word};

/// The kind of a deployment file, from its name (see [`DeployKind::from_path`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeployKind {
    /// `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`.
    Dockerfile,
    /// `docker-compose.yml`, `docker-compose.*.yaml`, `compose.yaml`, `compose.*.yml`.
    Compose,
    /// Any other `*.yaml` / `*.yml` with a top-level `apiVersion` and `kind`
    /// ([`is_kubernetes_manifest`] decides on the text).
    Kubernetes,
    /// `Procfile` (Heroku and compatible platforms).
    Procfile,
    /// `*.service` (systemd unit).
    Systemd,
    /// `ecosystem.config.json`.
    Pm2Json,
    /// `ecosystem.config.js`, `.cjs`, `.mjs`: JavaScript, linted by the JavaScript rules too.
    Pm2Script,
    /// `package.json` (its `start` and `start:prod` scripts).
    PackageJson,
}

impl DeployKind {
    /// The kind of the file at `path`, from its name alone. `Kubernetes` means "a YAML file":
    /// check the text with [`is_kubernetes_manifest`].
    pub fn from_path(path: &str) -> Option<DeployKind> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
        Some(match () {
            _ if name == "Dockerfile"
                || name.starts_with("Dockerfile.")
                || lower.ends_with(".dockerfile")
                || name == "Containerfile" =>
            {
                DeployKind::Dockerfile
            }
            _ if yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose.")) => {
                DeployKind::Compose
            }
            _ if yaml => DeployKind::Kubernetes,
            _ if name == "Procfile" => DeployKind::Procfile,
            _ if lower.ends_with(".service") => DeployKind::Systemd,
            _ if name == "ecosystem.config.json" => DeployKind::Pm2Json,
            _ if matches!(
                name,
                "ecosystem.config.js" | "ecosystem.config.cjs" | "ecosystem.config.mjs"
            ) =>
            {
                DeployKind::Pm2Script
            }
            _ if name == "package.json" => DeployKind::PackageJson,
            _ => return None,
        })
    }

    /// How messages name the file kind.
    pub fn describe(self) -> &'static str {
        match self {
            DeployKind::Dockerfile => "Dockerfile",
            DeployKind::Compose => "compose file",
            DeployKind::Kubernetes => "Kubernetes manifest",
            DeployKind::Procfile => "Procfile",
            DeployKind::Systemd => "systemd unit",
            DeployKind::Pm2Json | DeployKind::Pm2Script => "PM2 ecosystem file",
            DeployKind::PackageJson => "package.json",
        }
    }

    /// The JavaScript flavor a PM2 script file is also linted as.
    pub fn flavor(self) -> Option<Flavor> {
        (self == DeployKind::Pm2Script).then_some(Flavor::JavaScript)
    }
}

/// Does this YAML text look like a Kubernetes manifest: a line starting `apiVersion:` and one
/// starting `kind:` (top level)? Go templates (`{{ … }}`, Helm charts) are not manifests until
/// rendered, and are left alone.
pub fn is_kubernetes_manifest(text: &str) -> bool {
    let top = |key: &str| text.lines().any(|l| l.starts_with(key));
    top("apiVersion:") && top("kind:") && !text.contains("{{")
}

/// What the file system says about a deployment file, found by the caller (this crate reads no
/// files).
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// A `tsconfig.json` is in the file's folder or above it, up to the project root: `.js`
    /// files a command runs are then taken as compiled from TypeScript.
    pub typescript: bool,
}

/// A deployment file, read.
#[derive(Debug)]
pub struct Deployment<'a> {
    pub text: &'a str,
    pub kind: DeployKind,
    pub context: &'a Context,
    /// The services the file starts (compose services, PM2 apps, Kubernetes containers,
    /// Procfile process types, the unit, the image's command, the start script).
    pub services: Vec<Service>,
    /// Restarts the file asks for on a schedule or at a memory threshold.
    pub restarts: Vec<Restart>,
}

/// One service: what starts it and what bounds it.
#[derive(Clone, Debug, Default)]
pub struct Service {
    /// As the file names it (`web`, `api/server`, `the image`).
    pub name: String,
    /// Where it is declared (its name, or its command).
    pub span: Span,
    /// The commands that start it, in order (usually one).
    pub commands: Vec<Command>,
    /// Options from `NODE_OPTIONS` in the service's environment (`ENV`, `environment:`,
    /// `env:`, `Environment=`).
    pub env_options: Vec<Word>,
    /// Node options may come from somewhere this file does not show (`${VAR}`, an env file,
    /// a ConfigMap, a computed value): rules that need to know every option stay quiet.
    pub options_unknown: bool,
    /// For a PM2 app: `node_args` / `interpreter_args`, given to node before the script.
    pub node_args: Vec<Word>,
    /// For a PM2 app (which PM2 runs with node unless told otherwise): the script.
    pub script: Option<Word>,
    /// The memory limit the process is killed at (container or cgroup limit).
    pub memory_limit: Option<Quantity>,
    /// A service that runs until stopped (false for a Kubernetes Job or CronJob, or a
    /// Procfile `release` phase): diagnostics and heap sizing matter for services.
    pub long_running: bool,
}

/// A size as written, in bytes.
#[derive(Clone, Debug)]
pub struct Quantity {
    pub bytes: u64,
    pub text: String,
    pub span: Span,
}

/// A restart that the file schedules.
#[derive(Clone, Debug)]
pub struct Restart {
    pub kind: RestartKind,
    /// The setting or the restarting command.
    pub span: Span,
    /// The setting's value or the command as written.
    pub text: String,
}

/// Why a [`Restart`] happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestartKind {
    /// PM2 `cron_restart` / `--cron-restart`: on a cron schedule.
    Pm2Cron,
    /// PM2 `max_memory_restart` / `--max-memory-restart`: when RSS passes a threshold.
    Pm2MaxMemory,
    /// A command that restarts a service, run by a scheduler (CronJob, crontab line) on this
    /// schedule.
    Scheduled { schedule: String },
    /// systemd `RuntimeMaxSec=`: the unit is stopped after this long (and restarted by
    /// `Restart=`).
    RuntimeMax,
}

impl Service {
    /// The `node` runs among the service's commands. A PM2 app is a node run of its script
    /// with its `node_args`, unless its interpreter is something else.
    pub fn node_runs(&self) -> Vec<NodeRun> {
        let mut runs: Vec<NodeRun> = self.commands.iter().filter_map(command::node_run).collect();
        if let Some(script) = &self.script {
            runs.push(NodeRun {
                node: script.clone(),
                options: self.node_args.clone(),
                script: Some(script.clone()),
            });
        }
        runs
    }

    /// Every option node gets in `run`: the service's `NODE_OPTIONS`, then the command line
    /// (which Node applies after `NODE_OPTIONS`, so the command line wins).
    pub fn options_of(&self, run: &NodeRun) -> Vec<Word> {
        let mut all = self.env_options.clone();
        all.extend(run.options.iter().cloned());
        all
    }
}

/// Reads a deployment file. `js` is the PM2 object a caller already took from a parsed
/// ecosystem script ([`DeployKind::Pm2Script`]).
///
/// Errors: text that does not parse in the file's syntax, with the offset where it stops.
pub fn read<'a>(
    text: &'a str,
    kind: DeployKind,
    context: &'a Context,
    js: Option<tree::Node>,
) -> Result<Deployment<'a>, ParseError> {
    let mut d = Deployment {
        text,
        kind,
        context,
        services: Vec::new(),
        restarts: Vec::new(),
    };
    match kind {
        DeployKind::Dockerfile => dockerfile::read(&mut d)?,
        DeployKind::Compose => compose::read(&mut d, &tree::yaml(text)?),
        DeployKind::Kubernetes => {
            for doc in tree::yaml(text)? {
                kubernetes::read(&mut d, &doc);
            }
        }
        DeployKind::Procfile => procfile::read(&mut d),
        DeployKind::Systemd => systemd::read(&mut d)?,
        DeployKind::Pm2Json => pm2::read(&mut d, &tree::json(text)?),
        DeployKind::Pm2Script => {
            if let Some(config) = js {
                pm2::read(&mut d, &config);
            }
        }
        DeployKind::PackageJson => package_json::read(&mut d, &tree::json(text)?),
    }
    Ok(d)
}

/// Restart commands a scheduler may run: `kubectl rollout restart`, `kubectl delete pod`,
/// `pm2 restart|reload`, `systemctl restart`, `docker restart`, `docker compose restart`,
/// `service NAME restart`. Returns the command's first word when `command` is one.
pub fn restart_command(command: &Command) -> Option<&Word> {
    let w: Vec<&str> = command.words.iter().map(|w| w.text.as_str()).collect();
    let first = command.words.first()?;
    let program = command::base_name(&first.text);
    let has = |s: &str| w.iter().skip(1).any(|x| *x == s);
    let restarts = match program {
        "kubectl" => {
            (has("rollout") && has("restart"))
                || (has("delete") && (has("pod") || has("pods") || has("po")))
        }
        "pm2" => has("restart") || has("reload"),
        "systemctl" => has("restart") || has("reload-or-restart") || has("try-restart"),
        "docker" => has("restart"),
        "docker-compose" => has("restart"),
        "service" => w.get(2) == Some(&"restart"),
        _ => false,
    };
    restarts.then_some(first)
}

/// Finds crontab lines in a shell text (`0 3 * * * pm2 restart all`): five schedule fields
/// followed by a restart command. Used on Dockerfile `RUN` lines and compose commands, which
/// write crontabs (`echo "…" | crontab -`).
pub fn crontab_restarts(text: &str, origin: command::Origin, out: &mut Vec<Restart>) {
    for command in command::shell(text, origin) {
        // The line written as words of the command itself (`RUN 0 3 * * * …` in a crontab
        // heredoc, a compose list).
        if command.words.len() > 5 && command.words[..5].iter().all(|w| is_cron_field(&w.text)) {
            let schedule = words_text(&Command {
                words: command.words[..5].to_vec(),
            });
            let rest = Command {
                words: command.words[5..].to_vec(),
            };
            if let Some(first) = restart_command(&rest) {
                out.push(Restart {
                    kind: RestartKind::Scheduled { schedule },
                    span: first.span,
                    text: words_text(&rest),
                });
            }
            continue;
        }
        for word in &command.words {
            // A crontab line is usually one quoted word holding the whole line.
            let inner_origin = command::Origin {
                span: word.span,
                exact: word.exact,
            };
            for line in word.text.lines() {
                let fields: Vec<&str> = line.split_whitespace().collect();
                if fields.len() < 6 || !fields[..5].iter().all(|f| is_cron_field(f)) {
                    continue;
                }
                let schedule = fields[..5].join(" ");
                let offset = line.as_ptr() as usize - word.text.as_ptr() as usize;
                let line_origin = command::Origin {
                    span: inner_origin.span,
                    exact: inner_origin.exact.map(|e| e + offset),
                };
                for c in command::shell(line, line_origin) {
                    // The schedule fields are the first five words of the first command.
                    let mut c = c;
                    if c.words.len() > 5 && c.words[..5].iter().all(|w| is_cron_field(&w.text)) {
                        c.words.drain(..5);
                    }
                    if let Some(first) = restart_command(&c) {
                        out.push(Restart {
                            kind: RestartKind::Scheduled {
                                schedule: schedule.clone(),
                            },
                            span: first.span,
                            text: words_text(&c),
                        });
                    }
                }
            }
        }
    }
}

/// A cron schedule field: `*`, `*/5`, `0`, `1-5`, `1,15`, `MON`.
fn is_cron_field(field: &str) -> bool {
    !field.is_empty()
        && field.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '*' | '/' | ',' | '-') || c.is_ascii_uppercase()
        })
        && (field.contains(|c: char| c.is_ascii_digit() || c == '*')
            || field.len() == 3 && field.chars().all(|c| c.is_ascii_uppercase()))
}

/// The words of a command joined by spaces, for messages.
pub fn words_text(command: &Command) -> String {
    command
        .words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a memory size in Kubernetes quantity form (`512Mi`, `1Gi`, `1G`, `500M`,
/// `134217728`, `129e6`). Binary suffixes are powers of 1024, decimal ones of 1000
/// (kubernetes.io "Resource units in Kubernetes").
pub fn kubernetes_quantity(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, suffix) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor: f64 = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ => {
            let exp: i32 = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))?
                .parse()
                .ok()?;
            10f64.powi(exp)
        }
    };
    Some((number * factor) as u64)
}

/// Parses a memory size in Docker's form (`512m`, `1g`, `1gb`, `1024k`, `300M`, bytes),
/// units powers of 1024 as in `docker run --memory` (docs.docker.com) and the compose
/// specification's byte values. systemd's `MemoryMax=512M` is the same form.
pub fn docker_bytes(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, suffix) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor: f64 = match suffix.trim() {
        "" | "b" => 1.0,
        "k" | "kb" => 1024.0,
        "m" | "mb" => 1024f64.powi(2),
        "g" | "gb" => 1024f64.powi(3),
        "t" | "tb" => 1024f64.powi(4),
        _ => return None,
    };
    Some((number * factor) as u64)
}

/// Does a value hold a variable the shell or the platform expands (`$VAR`, `${VAR}`,
/// `$(VAR)`)? Its options are then unknown.
pub(crate) fn expands(value: &str) -> bool {
    value.contains('$')
}

/// The `NODE_OPTIONS` words of an environment value at `span` in `text`.
pub(crate) fn env_options(text: &str, value: &str, span: Span) -> Vec<Word> {
    let origin = command::Origin::of(text, value, span);
    command::shell(value, origin)
        .into_iter()
        .flat_map(|c| c.words)
        .collect()
}

/// A command from a YAML/JSON value: a string is a shell line, a list is exec form.
pub(crate) fn command_of(text: &str, node: &tree::Node) -> Vec<Command> {
    match &node.value {
        tree::Value::Scalar(s) => command::shell(s, command::Origin::of(text, s, node.span)),
        tree::Value::Seq(items) => command::words(list_words(text, items)),
        _ => Vec::new(),
    }
}

/// The words of a list of scalars (an exec-form command, `args:`).
pub(crate) fn list_words(text: &str, items: &[tree::Node]) -> Vec<Word> {
    items
        .iter()
        .filter_map(|i| {
            let s = i.str()?;
            let origin = command::Origin::of(text, s, i.span);
            Some(Word {
                text: s.to_string(),
                span: i.span,
                exact: origin.exact,
                value_at: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        assert_eq!(
            DeployKind::from_path("a/Dockerfile"),
            Some(DeployKind::Dockerfile)
        );
        assert_eq!(
            DeployKind::from_path("api.Dockerfile"),
            Some(DeployKind::Dockerfile)
        );
        assert_eq!(
            DeployKind::from_path("docker-compose.prod.yml"),
            Some(DeployKind::Compose)
        );
        assert_eq!(
            DeployKind::from_path("k8s/deploy.yaml"),
            Some(DeployKind::Kubernetes)
        );
        assert_eq!(
            DeployKind::from_path("ecosystem.config.cjs"),
            Some(DeployKind::Pm2Script)
        );
        assert_eq!(DeployKind::from_path("index.js"), None);
    }

    #[test]
    fn quantities() {
        assert_eq!(kubernetes_quantity("512Mi"), Some(512 << 20));
        assert_eq!(kubernetes_quantity("1G"), Some(1_000_000_000));
        assert_eq!(kubernetes_quantity("129e6"), Some(129_000_000));
        assert_eq!(kubernetes_quantity("lots"), None);
        assert_eq!(docker_bytes("512m"), Some(512 << 20));
        assert_eq!(docker_bytes("1gb"), Some(1 << 30));
        assert_eq!(docker_bytes("infinity"), None);
    }

    #[test]
    fn crontab_lines() {
        let src = r#"echo "0 3 * * * pm2 restart all" | crontab -"#;
        let mut out = Vec::new();
        crontab_restarts(
            src,
            command::Origin::of(src, src, Span::new(0, src.len())),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(&src[out[0].span.start..out[0].span.end], "pm2");
        assert_eq!(
            out[0].kind,
            RestartKind::Scheduled {
                schedule: "0 3 * * *".into()
            }
        );
    }
}
