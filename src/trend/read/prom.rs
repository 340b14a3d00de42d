//! Prometheus text exposition, scraped repeatedly and written one scrape after another (e.g.
//! `while sleep 15; do date -u +'# %FT%TZ'; curl -s localhost:3000/metrics; done >> scrapes.prom`).
//!
//! Read: prom-client's `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`,
//! `nodejs_heap_size_total_bytes` and `nodejs_external_memory_bytes`; request counters
//! (`*_requests_total`, `http_request_duration_seconds_count`, summed over their labels);
//! `process_start_time_seconds`, whose change marks a restart. A scrape starts at a comment
//! holding only a time (`# 2024-05-01T12:00:00Z` or `# 1714564800`), or where a series seen in
//! the current scrape appears again. Its time is that comment's, else the samples' own
//! timestamps (milliseconds), else the scrape's index times `--interval`. Series are grouped
//! into instances by their `instance` (or `pod`) label.

use std::collections::{BTreeMap, HashSet};

use super::ReadOptions;
use super::time::parse_time;
use crate::trend::table::{Metric, Table};

/// Whether a line looks like exposition text.
pub fn looks_like(line: &str) -> bool {
    if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
        return true;
    }
    if let Some(comment) = line.strip_prefix('#') {
        return parse_time(comment).is_ok();
    }
    sample(line).is_some_and(|s| {
        !s.name.starts_with(|c: char| c.is_ascii_digit())
            && s.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    })
}

struct Sample<'a> {
    name: &'a str,
    labels: Vec<(&'a str, &'a str)>,
    value: f64,
    timestamp_ms: Option<f64>,
}

/// Parses `name{a="x",b="y"} value [timestamp]`.
fn sample(line: &str) -> Option<Sample<'_>> {
    let (name, rest) = match line.find('{') {
        Some(open) => {
            let close = closing_brace(line, open)?;
            (&line[..open], (&line[open + 1..close], &line[close + 1..]))
        }
        None => {
            let sp = line.find(' ')?;
            (&line[..sp], ("", &line[sp..]))
        }
    };
    if name.is_empty() || name.starts_with('#') {
        return None;
    }
    let mut parts = rest.1.split_whitespace();
    let value = parse_value(parts.next()?)?;
    let timestamp_ms = parts.next().and_then(|t| t.parse::<f64>().ok());
    if parts.next().is_some() {
        return None;
    }
    Some(Sample {
        name,
        labels: labels(rest.0),
        value,
        timestamp_ms,
    })
}

fn parse_value(v: &str) -> Option<f64> {
    match v {
        "NaN" => Some(f64::NAN),
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => v.parse().ok(),
    }
}

/// The `}` that closes the label set opened at `open`, skipping quoted values.
fn closing_brace(line: &str, open: usize) -> Option<usize> {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in line[open..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '}' if !in_quotes => return Some(open + i),
            _ => {}
        }
    }
    None
}

fn labels(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim();
        let after = &rest[eq + 1..];
        let Some(after) = after.strip_prefix('"') else {
            break;
        };
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        out.push((key, &after[..end]));
        rest = &after[end + 1..];
    }
    out
}

fn metric_of(name: &str) -> Option<Metric> {
    Some(match name {
        "process_resident_memory_bytes" => Metric::Rss,
        "nodejs_heap_size_used_bytes" => Metric::HeapUsed,
        "nodejs_heap_size_total_bytes" => Metric::HeapTotal,
        "nodejs_external_memory_bytes" => Metric::External,
        n if n.ends_with("requests_total")
            || n == "http_request_duration_seconds_count"
            || n == "http_request_duration_ms_count" =>
        {
            Metric::Requests
        }
        _ => return None,
    })
}

#[derive(Default)]
struct Scrape {
    line: usize,
    marker_time: Option<f64>,
    sample_time: Option<f64>,
    seen: HashSet<String>,
    /// instance -> (metric name -> value); request counters are summed.
    values: BTreeMap<String, BTreeMap<(Metric, String), f64>>,
    start_times: BTreeMap<String, f64>,
}

pub fn read(name: &str, text: &str, opts: ReadOptions) -> Result<Vec<Table>, String> {
    let mut scrapes: Vec<Scrape> = Vec::new();
    let mut current = Scrape::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if !comment.starts_with("HELP")
                && !comment.starts_with("TYPE")
                && let Ok(t) = parse_time(comment)
            {
                if !current.values.is_empty() || current.marker_time.is_some() {
                    scrapes.push(std::mem::take(&mut current));
                }
                current.marker_time = Some(t);
                current.line = n;
            }
            continue;
        }
        let s = sample(line).ok_or_else(|| {
            format!("line {n}: not a Prometheus sample line (`name{{labels}} value [timestamp]`)")
        })?;
        let key = format!("{}{:?}", s.name, s.labels);
        if current.seen.contains(&key) {
            scrapes.push(std::mem::take(&mut current));
        }
        if current.line == 0 {
            current.line = n;
        }
        current.seen.insert(key);
        if current.sample_time.is_none() {
            current.sample_time = s.timestamp_ms.map(|ms| ms / 1000.0);
        }
        let instance = s
            .labels
            .iter()
            .find(|(k, _)| *k == "instance" || *k == "pod")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        if s.name == "process_start_time_seconds" {
            current.start_times.insert(instance, s.value);
            continue;
        }
        let Some(metric) = metric_of(s.name) else {
            continue;
        };
        if !s.value.is_finite() {
            continue;
        }
        *current
            .values
            .entry(instance)
            .or_default()
            .entry((metric, s.name.to_string()))
            .or_insert(0.0) += s.value;
    }
    if !current.values.is_empty() {
        scrapes.push(current);
    }
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut start_times: BTreeMap<String, f64> = BTreeMap::new();
    for (index, scrape) in scrapes.iter().enumerate() {
        let time = match (scrape.marker_time, scrape.sample_time, opts.scrape_interval) {
            (Some(t), _, _) | (None, Some(t), _) => t,
            (None, None, Some(interval)) => index as f64 * interval,
            (None, None, None) => {
                return Err(format!(
                    "line {}: this scrape has no time: put a comment with the time before each \
                     scrape (`# 2024-05-01T12:00:00Z`), or give --interval SECONDS, the time \
                     between scrapes",
                    scrape.line
                ));
            }
        };
        for (instance, values) in &scrape.values {
            let table = tables.entry(instance.clone()).or_insert_with(|| {
                Table::new(if instance.is_empty() {
                    name.to_string()
                } else {
                    format!("{name} {{instance=\"{instance}\"}}")
                })
            });
            table.push_row(time, scrape.line)?;
            for ((metric, metric_name), value) in values {
                table.set(*metric, metric_name, *value);
            }
            if let Some(&start) = scrape.start_times.get(instance) {
                if let Some(&prev) = start_times.get(instance)
                    && prev != start
                {
                    table.restart_here(format!(
                        "process_start_time_seconds changed from {prev} to {start}"
                    ));
                }
                start_times.insert(instance.clone(), start);
            }
        }
    }
    Ok(tables.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRAPE: &str = "# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1000
nodejs_heap_size_used_bytes 500
process_start_time_seconds 1714564000
http_requests_total{method=\"GET\",status=\"200\"} 10
http_requests_total{method=\"POST\",status=\"200\"} 5
";

    #[test]
    fn scrapes_with_time_comments() {
        let text = format!("# 2024-05-01T12:00:00Z\n{SCRAPE}# 2024-05-01T12:00:15Z\n{SCRAPE}");
        let t = &read("p", &text, ReadOptions::default()).unwrap()[0];
        assert_eq!(t.times, vec![1714564800.0, 1714564815.0]);
        let req = t
            .columns
            .iter()
            .find(|c| c.metric == Metric::Requests)
            .unwrap();
        assert_eq!(req.values, vec![Some(15.0), Some(15.0)]);
    }

    #[test]
    fn scrapes_split_on_repeat_and_need_a_time() {
        let text = format!("{SCRAPE}{SCRAPE}{SCRAPE}");
        let err = read("p", &text, ReadOptions::default()).err().unwrap();
        assert!(err.contains("--interval"), "{err}");
        let opts = ReadOptions {
            scrape_interval: Some(15.0),
        };
        let t = &read("p", &text, opts).unwrap()[0];
        assert_eq!(t.times, vec![0.0, 15.0, 30.0]);
    }

    #[test]
    fn start_time_change_is_a_restart() {
        let second = SCRAPE.replace("1714564000", "1714569999");
        let text = format!("# 100\n{SCRAPE}# 115\n{second}");
        let t = &read("p", &text, ReadOptions::default()).unwrap()[0];
        assert_eq!(t.restarts.len(), 1);
        assert!(t.restarts[0].reason.contains("process_start_time_seconds"));
    }

    #[test]
    fn recognised() {
        assert!(looks_like("# HELP x y"));
        assert!(looks_like("process_resident_memory_bytes 123"));
        assert!(looks_like(
            "nodejs_heap_size_used_bytes{instance=\"a:1\"} 1 1714564800000"
        ));
        assert!(!looks_like("time,rss,heapUsed"));
        assert!(!looks_like("\"Time\",\"rss\""));
    }
}
