//! JSON lines: one object per line, as `console.log(JSON.stringify({time: Date.now(),
//! ...process.memoryUsage()}))` or a pino/winston log line writes it. The time is the first of
//! `time`, `timestamp`, `ts`, `t`, `@timestamp`, `date`; the figures are top-level fields or the
//! fields of a `memory`/`memoryUsage`/`mem` object. Numbers are bytes; strings may carry a unit
//! (`"512 MB"`). A changing `pid` or a falling `uptime` marks a restart.

use serde_json::{Map, Value};

use super::time::{from_number, parse_time};
use crate::trend::table::{Metric, Table, parse_bytes};

const TIME_KEYS: &[&str] = &["time", "timestamp", "ts", "t", "@timestamp", "date"];
const NESTED: &[&str] = &["memory", "memoryUsage", "mem", "memory_usage"];

pub fn read(name: &str, text: &str) -> Result<Vec<Table>, String> {
    let mut table = Table::new(name);
    let mut last_pid: Option<Value> = None;
    let mut last_uptime: Option<f64> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let obj: Map<String, Value> =
            serde_json::from_str(line).map_err(|e| format!("line {n}: not a JSON object: {e}"))?;
        let time = TIME_KEYS
            .iter()
            .find_map(|k| obj.get(*k))
            .ok_or_else(|| {
                format!(
                    "line {n}: no time field (expected one of {})",
                    TIME_KEYS.join(", ")
                )
            })
            .and_then(|v| match v {
                Value::Number(x) => x
                    .as_f64()
                    .and_then(from_number)
                    .ok_or_else(|| format!("line {n}: `{x}` is not a time")),
                Value::String(s) => parse_time(s).map_err(|e| format!("line {n}: {e}")),
                other => Err(format!("line {n}: `{other}` is not a time")),
            })?;
        table.push_row(time, n)?;
        if let Some(pid) = obj.get("pid") {
            if let Some(prev) = &last_pid
                && prev != pid
            {
                table.restart_here(format!("process id changed from {prev} to {pid}"));
            }
            last_pid = Some(pid.clone());
        }
        if let Some(up) = obj.get("uptime").and_then(Value::as_f64) {
            if let Some(prev) = last_uptime
                && up < prev
            {
                table.restart_here(format!("uptime fell from {prev} to {up}"));
            }
            last_uptime = Some(up);
        }
        let nested = NESTED
            .iter()
            .find_map(|k| obj.get(*k).and_then(Value::as_object));
        for fields in [Some(&obj), nested].into_iter().flatten() {
            for (key, value) in fields {
                if TIME_KEYS.contains(&key.as_str()) {
                    continue;
                }
                let Some(metric) = Metric::from_name(key) else {
                    continue;
                };
                let number = match value {
                    Value::Number(x) => x.as_f64(),
                    Value::String(s) if metric != Metric::Other => Some(
                        parse_bytes(s, 1.0).map_err(|e| format!("line {n}: field `{key}`: {e}"))?,
                    ),
                    // Strings and objects of unknown fields are log text, not figures.
                    _ => None,
                };
                if let Some(x) = number {
                    table.set(metric, key, x);
                }
            }
        }
    }
    // Unknown numeric fields that appear on only a few lines are log noise (a status code);
    // keep them only when most rows have them.
    let rows = table.times.len();
    table.columns.retain(|c| {
        c.metric != Metric::Other || c.values.iter().filter(|v| v.is_some()).count() * 2 > rows
    });
    Ok(vec![table])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_usage_lines() {
        let text = r#"{"time":1714564800000,"rss":100,"heapUsed":50,"pid":7}
{"time":1714564801000,"rss":"1 kB","heapUsed":60,"pid":7}
{"time":"2024-05-01T12:00:02Z","memory":{"rss":120,"heapUsed":70},"pid":8}
"#;
        let t = &read("x", text).unwrap()[0];
        assert_eq!(t.times, vec![1714564800.0, 1714564801.0, 1714564802.0]);
        let rss = t.columns.iter().find(|c| c.metric == Metric::Rss).unwrap();
        assert_eq!(rss.values, vec![Some(100.0), Some(1000.0), Some(120.0)]);
        assert_eq!(t.restarts.len(), 1);
        assert_eq!(t.restarts[0].row, 2);
    }

    #[test]
    fn errors_name_the_line() {
        let err = read("x", "{\"time\":1,\"rss\":1}\n{\"rss\":2}\n").unwrap_err();
        assert!(err.starts_with("line 2: no time field"), "{err}");
        let err = read("x", "{\"time\":1,\"rss\":\"3 furlongs\"}\n").unwrap_err();
        assert!(err.contains("line 1") && err.contains("furlongs"), "{err}");
        let err = read("x", "{\"time\":1,\"rss\":1}\nnot json\n").unwrap_err();
        assert!(err.starts_with("line 2: not a JSON object"), "{err}");
    }
}
