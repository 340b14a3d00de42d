//! `leaklint trend`: the committed series recorded from real Node.js processes
//! (`fixtures/trend/record.sh`), hand-made edge cases (`fixtures/trend/edge/`), the SVG plot, and
//! one short live run of the sampler on a real `node` process.

mod cli_support;

use std::path::{Path, PathBuf};

use cli_support::{Run, leaklint, project};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/trend")
}

fn trend(args: &[&str]) -> Run {
    let mut all = vec!["trend"];
    all.extend_from_slice(args);
    leaklint(&fixtures(), &all)
}

/// The JSON report of one file, which must have one source with one window.
fn window(file: &str, expected_code: i32) -> Value {
    let run = trend(&["--format", "json", file]);
    run.assert_code(expected_code);
    let report = run.json();
    assert_eq!(report["version"], 1);
    let sources = report["files"][0]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{report:#}");
    let windows = sources[0]["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1, "{report:#}");
    windows[0].clone()
}

fn series<'a>(window: &'a Value, metric: &str) -> &'a Value {
    window["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric} series in {window:#}"))
}

#[test]
fn leaking_server_under_load_is_a_leak_with_a_rate_per_request() {
    let w = window("recorded/leak-server.jsonl", 1);
    assert_eq!(w["verdict"], "leak", "{w:#}");
    assert_eq!(w["evidence"], "rss");
    assert!(w["samples"].as_u64().unwrap() >= 60, "{w:#}");
    assert!(w["requests"].as_f64().unwrap() > 4000.0, "{w:#}");
    let rss = series(&w, "rss");
    assert_eq!(rss["kind"], "climbing");
    assert!(rss["confidence"].as_f64().unwrap() > 0.99);
    // The program keeps about 8 kB per request (an array of 1,000 small integers) at 150
    // requests/s: megabytes per 1,000 requests and gigabytes per hour.
    let per_1k = rss["bytes_per_1000_requests"].as_f64().unwrap();
    assert!((2e6..40e6).contains(&per_1k), "{per_1k}");
    assert!(rss["bytes_per_hour"].as_f64().unwrap() > 1e9, "{rss:#}");
    assert_eq!(series(&w, "heapUsed")["kind"], "climbing");
}

#[test]
fn garbage_under_a_small_old_space_limit_plateaus() {
    let w = window("recorded/plateau.jsonl", 0);
    assert_eq!(w["verdict"], "heap-limit-plateau", "{w:#}");
    let rss = series(&w, "rss");
    assert_eq!(rss["kind"], "plateau", "{rss:#}");
    let level = rss["level"].as_f64().unwrap();
    assert!((60e6..160e6).contains(&level), "{level}");
    assert!(rss["since"].as_f64().unwrap() > w["start"].as_f64().unwrap());
}

#[test]
fn batch_job_every_six_seconds_is_periodic() {
    let w = window("recorded/batch.jsonl", 0);
    assert_eq!(w["verdict"], "periodic-job", "{w:#}");
    let heap = series(&w, "heapUsed");
    assert_eq!(heap["kind"], "periodic-jumps", "{heap:#}");
    let period = heap["period"].as_f64().unwrap();
    assert!((5.0..7.0).contains(&period), "{period}");
    assert!(heap["count"].as_u64().unwrap() >= 4);
    assert!(heap["baseline_slope"].is_number(), "{heap:#}");
}

#[test]
fn kept_buffers_are_a_leak_outside_the_heap() {
    let w = window("recorded/buffers.jsonl", 1);
    assert_eq!(w["verdict"], "buffer-leak", "{w:#}");
    assert_eq!(w["evidence"], "external");
    assert_eq!(series(&w, "external")["kind"], "climbing");
    assert_eq!(series(&w, "arrayBuffers")["kind"], "climbing");
    assert_ne!(series(&w, "heapUsed")["kind"], "climbing");
    // 64 KiB every 100 ms is 2.36 GB per hour.
    let rate = series(&w, "arrayBuffers")["bytes_per_hour"]
        .as_f64()
        .unwrap();
    assert!((1.8e9..2.8e9).contains(&rate), "{rate}");
}

#[test]
fn prom_client_scrapes_and_their_grafana_export_agree() {
    let prom = window("recorded/prom-server.prom", 1);
    assert_eq!(prom["verdict"], "leak", "{prom:#}");
    assert!(prom["requests"].as_f64().unwrap() > 3000.0);
    let names: Vec<&str> = prom["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"process_resident_memory_bytes"),
        "{names:?}"
    );
    assert!(names.contains(&"nodejs_heap_size_used_bytes"), "{names:?}");
    assert!(names.contains(&"nodejs_external_memory_bytes"), "{names:?}");
    assert!(
        series(&prom, "rss")["bytes_per_1000_requests"]
            .as_f64()
            .unwrap()
            > 1e6
    );

    let grafana = window("recorded/grafana.csv", 1);
    assert_eq!(grafana["verdict"], "leak", "{grafana:#}");
    // The same series, rounded to 0.1 MiB: slopes within a few percent.
    let a = series(&prom, "rss")["bytes_per_hour"].as_f64().unwrap();
    let b = series(&grafana, "rss")["bytes_per_hour"].as_f64().unwrap();
    assert!((a - b).abs() / a < 0.05, "{a} vs {b}");
}

#[test]
fn text_report_has_verdict_figures_and_chart() {
    let run = trend(&["recorded/buffers.jsonl"]);
    run.assert_code(1);
    let out = &run.stdout;
    assert!(
        out.starts_with("recorded/buffers.jsonl (JSON lines)\n"),
        "{out}"
    );
    assert!(
        out.contains("verdict: Buffer / ArrayBuffer leak outside the JS heap"),
        "{out}"
    );
    let external = out
        .lines()
        .find(|l| l.trim_start().starts_with("external "))
        .unwrap();
    assert!(
        external.contains("GB/h") && external.ends_with("climbing"),
        "{external}"
    );
    // The chart of the evidence: eight rows of bars under its name, then the time axis.
    let chart: Vec<&str> = out.lines().filter(|l| l.contains(" ┤")).collect();
    assert_eq!(chart.len(), 8, "{out}");
    assert!(chart[0].contains("MB ┤"), "{out}");
    assert!(out.lines().any(|l| l.contains('└')), "{out}");
}

#[test]
fn plot_writes_an_svg_with_one_line_per_figure() {
    let dir = project();
    let svg = dir.path().join("trend.svg");
    let run = trend(&[
        "--plot",
        svg.to_str().unwrap(),
        "recorded/plateau.jsonl",
        "recorded/batch.jsonl",
    ]);
    run.assert_code(0);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..100.min(text.len())]);
    // Five figures in each of two windows, each a line through all its samples (the axes and
    // legend marks are polylines of two points).
    let lines = text
        .split("<polyline")
        .skip(1)
        .filter(|p| {
            let points = p
                .split("points=\"")
                .nth(1)
                .and_then(|s| s.split('"').next());
            points.is_some_and(|p| p.split_whitespace().count() > 30)
        })
        .count();
    assert_eq!(lines, 10, "{text}");
    assert!(text.contains("plateau at"), "legend names the shape");
    assert!(text.contains("periodic job"), "title names the verdict");
}

#[test]
fn edge_cases_fail_clearly() {
    let cases = [
        (
            "edge/single.jsonl",
            "only one sample (line 1); a trend needs at least 8 samples",
        ),
        (
            "edge/unsorted.csv",
            "line 8: the sample at 2024-05-01 12:00:50Z is earlier than the one on line 7",
        ),
        (
            "edge/bad-unit.csv",
            "line 6: column `rss`: `54 MBs` has unit `MBs`",
        ),
        ("edge/untimed.prom", "give --interval SECONDS"),
        ("edge/missing.csv", "cannot read edge/missing.csv"),
    ];
    for (file, message) in cases {
        let run = trend(&[file]);
        run.assert_code(2);
        assert!(run.stdout.is_empty(), "{file}: {}", run.stdout);
        assert!(run.stderr.contains(message), "{file}: {}", run.stderr);
        assert!(run.stderr.contains(file), "{file}: {}", run.stderr);
    }
}

#[test]
fn untimed_scrapes_with_an_interval() {
    let w = {
        let run = trend(&["--format", "json", "--interval", "15", "edge/untimed.prom"]);
        run.assert_code(0);
        run.json()["files"][0]["sources"][0]["windows"][0].clone()
    };
    assert_eq!(w["samples"], 12);
    assert_eq!(w["end"], 165.0);
    assert_eq!(w["verdict"], "stable");
    let run = trend(&["--interval", "0", "edge/untimed.prom"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--interval must be a positive number"));
}

#[test]
fn a_counter_reset_splits_the_series_at_the_restart() {
    let run = trend(&["--format", "json", "edge/restart.jsonl"]);
    run.assert_code(1);
    let source = &run.json()["files"][0]["sources"][0];
    let restarts = source["restarts"].as_array().unwrap();
    assert_eq!(restarts.len(), 1);
    assert_eq!(restarts[0]["reason"], "requests fell from 14500 to 0");
    let windows = source["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2);
    assert_eq!(windows[0]["verdict"], "leak");
    assert_eq!(windows[0]["samples"], 30);
    assert_eq!(windows[1]["verdict"], "stable");
    // 2 MB a minute over 500 requests a minute: 4 MB per 1,000 requests.
    let per_1k = windows[0]["series"][0]["bytes_per_1000_requests"]
        .as_f64()
        .unwrap();
    assert!((per_1k - 4e6).abs() < 0.2e6, "{per_1k}");
}

#[test]
fn gaps_are_reported_and_kept() {
    let run = trend(&["edge/gap.csv"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("gap of 2.0 h between lines 21 and 22 (samples are usually 30 s apart)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("verdict: no leak: memory is stable"));
}

#[test]
fn hand_made_shapes() {
    let w = window("edge/heap-not-in-rss.csv", 1);
    assert_eq!(w["verdict"], "leak-not-yet-in-rss", "{w:#}");
    assert_eq!(series(&w, "rss")["kind"], "flat");
    let w = window("edge/climb-drop.csv", 0);
    assert_eq!(w["verdict"], "deferred-collection", "{w:#}");
    assert_eq!(series(&w, "rss")["kind"], "climb-then-drop");
}

#[test]
fn standard_input() {
    let text = std::fs::read(fixtures().join("recorded/buffers.jsonl")).unwrap();
    let run = cli_support::leaklint_stdin(&fixtures(), &["trend", "--format", "json", "-"], &text);
    run.assert_code(1);
    assert_eq!(
        run.json()["files"][0]["sources"][0]["windows"][0]["verdict"],
        "buffer-leak"
    );
}

/// The sampler on a real Node.js process for about three seconds: a program that keeps a
/// 256 kB Buffer every 50 ms.
#[test]
fn sampler_records_a_real_node_process() {
    let dir = project();
    let out = dir.path().join("mem.jsonl");
    let program = "const kept = []; const t = setInterval(() => kept.push(Buffer.alloc(262144, 1)), 50); \
                   setTimeout(() => { clearInterval(t); console.log('done', kept.length); }, 3000);";
    let run = leaklint(
        dir.path(),
        &[
            "trend",
            "--sample",
            "--interval",
            "0.1",
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
            "--",
            "node",
            "-e",
            program,
        ],
    );
    run.assert_code(0);
    // The program's own output and the report share standard output.
    assert!(run.stdout.starts_with("done "), "{}", run.stdout);
    assert!(
        run.stderr.contains("samples of `node` in"),
        "{}",
        run.stderr
    );
    let recorded = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<Value> = recorded
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 15, "{} samples", lines.len());
    for key in [
        "time",
        "pid",
        "rss",
        "heapTotal",
        "heapUsed",
        "external",
        "arrayBuffers",
    ] {
        assert!(
            lines.iter().all(|l| l[key].is_number()),
            "{key}: {recorded}"
        );
    }
    let report: Value = serde_json::from_str(&run.stdout[run.stdout.find('{').unwrap()..]).unwrap();
    let w = &report["files"][0]["sources"][0]["windows"][0];
    assert_eq!(w["verdict"], "buffer-leak", "{w:#}");
}

#[test]
fn sampler_needs_a_command() {
    let run = trend(&["--sample"]);
    run.assert_code(2);
    let dir = project();
    let run = leaklint(
        dir.path(),
        &[
            "trend",
            "--sample",
            "--",
            "definitely-not-a-program-leaklint",
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("cannot run `definitely-not-a-program-leaklint`"),
        "{}",
        run.stderr
    );
}

/// Ctrl-C on `leaklint trend --sample -- node server.js` stops the server, and leaklint stays to
/// classify what was recorded. The interrupt goes to the whole process group, as a terminal
/// sends it.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_command_and_the_recording_is_classified() {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = project();
    let out = dir.path().join("mem.jsonl");
    // Runs until interrupted, keeping 160 kB every 50 ms.
    let program =
        "const kept = []; setInterval(() => kept.push(new Array(20000).fill(kept.length)), 50);";
    let child = Command::new(cli_support::bin())
        .current_dir(dir.path())
        .args([
            "trend",
            "--sample",
            "--interval",
            "0.1",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .args(["--", "node", "-e", program])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&out).map_or(0, |t| t.lines().count()) < 25 {
        assert!(Instant::now() < deadline, "the sampler wrote too little");
        std::thread::sleep(Duration::from_millis(100));
    }
    let group = i32::try_from(child.id()).unwrap();
    // SAFETY: sends SIGINT to the process group the test created.
    assert_eq!(unsafe { libc::kill(-group, libc::SIGINT) }, 0);
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let w = &report["files"][0]["sources"][0]["windows"][0];
    assert!(w["samples"].as_u64().unwrap() >= 25, "{w:#}");
    let verdict = w["verdict"].as_str().unwrap();
    assert!(
        verdict == "leak" || verdict == "leak-not-yet-in-rss",
        "{w:#}"
    );
}
