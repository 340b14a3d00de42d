//! The common shape every input format is read into: for one process (a `Source`), rows of
//! samples in time order, each with the time and the figures that the input gave.
//!
//! Times are seconds since the Unix epoch (f64); memory figures are bytes; a request counter is a
//! count. A restart (process id, uptime or request counter going backwards) is recorded as a
//! boundary so that no slope is ever fitted across two processes.

use std::fmt;

use serde::Serialize;

/// What a column measures. Names follow `process.memoryUsage()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Metric {
    Rss,
    HeapTotal,
    HeapUsed,
    External,
    ArrayBuffers,
    /// A count of requests served so far (a counter: only grows while the process lives).
    Requests,
    /// A memory figure leaklint does not know by name (a Grafana legend, say): classified on its
    /// own shape only.
    Other,
}

impl Metric {
    /// Recognises a column, field or metric name: `rss`, `heapUsed`, `heap_used_mb`,
    /// `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, `http_requests_total`…
    /// Returns `None` for names that are not memory figures at all (`pid`, `uptime`, `level`).
    pub fn from_name(name: &str) -> Option<Metric> {
        let n: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let has = |s: &str| n.contains(s);
        Some(if has("arraybuffer") {
            Metric::ArrayBuffers
        } else if has("external") {
            Metric::External
        } else if has("heapused") || has("heapsizeused") {
            Metric::HeapUsed
        } else if has("heaptotal") || has("heapsizetotal") {
            Metric::HeapTotal
        } else if has("rss") || has("residentmemory") {
            Metric::Rss
        } else if has("request") {
            Metric::Requests
        } else if NOT_MEMORY.iter().any(|s| n == *s || n.starts_with(s)) {
            return None;
        } else {
            Metric::Other
        })
    }

    /// The name shown in reports.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Rss => "rss",
            Metric::HeapTotal => "heapTotal",
            Metric::HeapUsed => "heapUsed",
            Metric::External => "external",
            Metric::ArrayBuffers => "arrayBuffers",
            Metric::Requests => "requests",
            Metric::Other => "memory",
        }
    }
}

/// Field names that are bookkeeping, not figures to classify.
const NOT_MEMORY: &[&str] = &[
    "pid",
    "uptime",
    "level",
    "msg",
    "message",
    "hostname",
    "host",
    "name",
    "v",
    "instance",
    "job",
    "cpu",
    "eventloop",
    "lag",
    "gc",
];

/// One column of a table: what it measures, the name it had in the input, one value per row
/// (`None` where the input left the cell empty).
#[derive(Clone, Debug)]
pub struct Column {
    pub metric: Metric,
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Why a table is cut in two at a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Restart {
    /// Index of the first row of the new process.
    #[serde(skip)]
    pub row: usize,
    /// The time of that row, seconds since the epoch.
    pub at: f64,
    /// What showed the restart, e.g. "process id changed from 41 to 97".
    pub reason: String,
}

/// The samples of one process (or one instance of a scraped service), in time order.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Shown in reports: the file name, plus the instance labels when there are several.
    pub name: String,
    pub times: Vec<f64>,
    /// The input line (1-based) each row came from, for error messages.
    pub lines: Vec<usize>,
    pub columns: Vec<Column>,
    pub restarts: Vec<Restart>,
}

impl Table {
    pub fn new(name: impl Into<String>) -> Table {
        Table {
            name: name.into(),
            ..Table::default()
        }
    }

    /// The column for `name`, created (with empty cells for earlier rows) the first time.
    pub fn column(&mut self, metric: Metric, name: &str) -> &mut Column {
        let index = match self.columns.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                self.columns.push(Column {
                    metric,
                    name: name.to_string(),
                    values: vec![None; self.times.len()],
                });
                self.columns.len() - 1
            }
        };
        &mut self.columns[index]
    }

    /// Starts a row at `time` read from input line `line`; cells are then set with [`Table::set`].
    /// Rows must come in time order: a row at or before the previous one is an error naming both
    /// lines (leaklint does not sort, because out-of-order rows usually mean two logs mixed).
    pub fn push_row(&mut self, time: f64, line: usize) -> Result<(), String> {
        if let (Some(&last), Some(&last_line)) = (self.times.last(), self.lines.last()) {
            if time < last {
                return Err(format!(
                    "line {line}: the sample at {} is earlier than the one on line {last_line} ({}); \
                     samples must be in time order (sort the file by time, and keep one process per file)",
                    super::render::clock(time),
                    super::render::clock(last)
                ));
            }
            if time == last {
                return Err(format!(
                    "line {line}: a second sample at {} (line {last_line} has the same time); \
                     each sample needs its own time",
                    super::render::clock(time)
                ));
            }
        }
        self.times.push(time);
        self.lines.push(line);
        for c in &mut self.columns {
            c.values.push(None);
        }
        Ok(())
    }

    /// Sets a cell of the last row.
    pub fn set(&mut self, metric: Metric, name: &str, value: f64) {
        let col = self.column(metric, name);
        if let Some(last) = col.values.last_mut() {
            *last = Some(value);
        }
    }

    /// Records a restart before the last row.
    pub fn restart_here(&mut self, reason: String) {
        let row = self.times.len() - 1;
        if self.restarts.iter().all(|r| r.row != row) {
            self.restarts.push(Restart {
                row,
                at: self.times[row],
                reason,
            });
        }
    }

    /// Marks request-counter resets as restarts (a counter only falls when its process restarted).
    pub fn find_counter_resets(&mut self) {
        let mut resets = Vec::new();
        for c in self.columns.iter().filter(|c| c.metric == Metric::Requests) {
            let mut last: Option<f64> = None;
            for (row, v) in c.values.iter().enumerate() {
                if let Some(v) = *v {
                    if let Some(prev) = last
                        && v < prev
                    {
                        resets.push((row, format!("{} fell from {prev} to {v}", c.name)));
                    }
                    last = Some(v);
                }
            }
        }
        for (row, reason) in resets {
            if self.restarts.iter().all(|r| r.row != row) {
                self.restarts.push(Restart {
                    row,
                    at: self.times[row],
                    reason,
                });
            }
        }
        self.restarts.sort_by_key(|r| r.row);
    }
}

/// A byte count with a unit, parsed from text: `123`, `123B`, `1.5 MB`, `12 MiB`, `3.2GiB`.
/// Decimal units (kB, MB, GB) are powers of 1000 and binary ones (KiB, MiB, GiB) powers of 1024,
/// as Grafana and `ls -h` write them. Returns an error naming the unit when it is not one of these.
pub fn parse_bytes(text: &str, default_unit: f64) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{t}` is not a number"))?;
    if !value.is_finite() {
        return Err(format!("`{t}` is not a finite number"));
    }
    let scale = match unit.trim() {
        "" => default_unit,
        u => unit_scale(u).ok_or_else(|| {
            format!("`{t}` has unit `{u}`; known units are B, kB, MB, GB, KiB, MiB, GiB")
        })?,
    };
    Ok(value * scale)
}

/// Bytes per unit for a unit name, `None` if unknown. Case matters only where it changes the
/// meaning in practice (`Mb` megabits is refused rather than guessed).
pub fn unit_scale(unit: &str) -> Option<f64> {
    Some(match unit {
        "B" | "b" | "bytes" | "byte" | "Bytes" => 1.0,
        "kB" | "KB" | "k" | "K" => 1e3,
        "MB" | "M" => 1e6,
        "GB" | "G" => 1e9,
        "KiB" | "Ki" => 1024.0,
        "MiB" | "Mi" => 1024.0 * 1024.0,
        "GiB" | "Gi" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    })
}

/// A unit written in a column name: `rss (MB)`, `heapUsed_mb`, `external [MiB]`, `rss_bytes`.
/// Returns the bytes per unit, or 1 when the name carries none.
pub fn unit_in_name(name: &str) -> Result<f64, String> {
    if let (Some(open), Some(close)) = (name.rfind(['(', '[']), name.rfind([')', ']']))
        && open < close
    {
        let unit = name[open + 1..close].trim();
        return unit_scale(unit).ok_or_else(|| {
            format!(
                "column `{name}` has unit `{unit}`; known units are B, kB, MB, GB, KiB, MiB, GiB"
            )
        });
    }
    let lower = name.to_ascii_lowercase();
    for (suffix, scale) in [
        ("_bytes", 1.0),
        ("_kb", 1e3),
        ("_mb", 1e6),
        ("_gb", 1e9),
        ("_kib", 1024.0),
        ("_mib", 1024.0 * 1024.0),
        ("_gib", 1024.0 * 1024.0 * 1024.0),
    ] {
        if lower.ends_with(suffix) {
            return Ok(scale);
        }
    }
    Ok(1.0)
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_metrics() {
        assert_eq!(Metric::from_name("rss"), Some(Metric::Rss));
        assert_eq!(
            Metric::from_name("process_resident_memory_bytes"),
            Some(Metric::Rss)
        );
        assert_eq!(
            Metric::from_name("nodejs_heap_size_used_bytes"),
            Some(Metric::HeapUsed)
        );
        assert_eq!(Metric::from_name("heapUsed (MB)"), Some(Metric::HeapUsed));
        assert_eq!(
            Metric::from_name("nodejs_external_memory_bytes"),
            Some(Metric::External)
        );
        assert_eq!(
            Metric::from_name("arrayBuffers"),
            Some(Metric::ArrayBuffers)
        );
        assert_eq!(
            Metric::from_name("http_requests_total"),
            Some(Metric::Requests)
        );
        assert_eq!(Metric::from_name("pid"), None);
        assert_eq!(Metric::from_name("api-1"), Some(Metric::Other));
    }

    #[test]
    fn byte_units() {
        assert_eq!(parse_bytes("123", 1.0), Ok(123.0));
        assert_eq!(parse_bytes("1.5 MB", 1.0), Ok(1.5e6));
        assert_eq!(parse_bytes("2MiB", 1.0), Ok(2.0 * 1048576.0));
        assert_eq!(parse_bytes("7", 1e6), Ok(7e6));
        assert_eq!(parse_bytes("1e3", 1.0), Ok(1000.0));
        let err = parse_bytes("12 MBs", 1.0).unwrap_err();
        assert!(err.contains("unit `MBs`"), "{err}");
        assert!(parse_bytes("lots", 1.0).is_err());
        assert_eq!(unit_in_name("rss (MB)"), Ok(1e6));
        assert_eq!(unit_in_name("heap_used_mib"), Ok(1048576.0));
        assert!(unit_in_name("rss (parsecs)").is_err());
    }

    #[test]
    fn rows_must_be_in_time_order() {
        let mut t = Table::new("x");
        t.push_row(10.0, 2).unwrap();
        let err = t.push_row(5.0, 3).unwrap_err();
        assert!(err.contains("line 3") && err.contains("line 2"), "{err}");
        let err = t.push_row(10.0, 4).unwrap_err();
        assert!(err.contains("same time"), "{err}");
    }

    #[test]
    fn counter_reset_is_a_restart() {
        let mut t = Table::new("x");
        for (i, r) in [10.0, 20.0, 3.0, 9.0].into_iter().enumerate() {
            t.push_row(i as f64, i + 1).unwrap();
            t.set(Metric::Requests, "requests", r);
        }
        t.find_counter_resets();
        assert_eq!(t.restarts.len(), 1);
        assert_eq!(t.restarts[0].row, 2);
        assert!(t.restarts[0].reason.contains("fell from 20 to 3"));
    }
}
