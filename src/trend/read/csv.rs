//! CSV with a header row. Two layouts:
//! - wide: a time column (`time`, `timestamp`, `ts`, `date`, `datetime`, `t`, else the first
//!   column) and one column per figure, e.g. `time,rss,heapUsed` or Grafana's "series joined by
//!   time" export `"Time","process_resident_memory_bytes{instance=""api-1""}",…`;
//! - long: Grafana's "series as rows" export, `Series,Time,Value`.
//!
//! A unit may be in the header (`rss (MB)`, `heap_used_mib`) or in the cells (`512 MiB`, what
//! Grafana writes with "formatted data"); without either, numbers are bytes. Columns whose names
//! carry different `{…}` label sets are different instances, read as separate tables.

use std::collections::BTreeMap;

use super::time::parse_time;
use crate::trend::table::{Metric, Table, parse_bytes, unit_in_name};

const TIME_NAMES: &[&str] = &["time", "timestamp", "ts", "date", "datetime", "t"];

pub fn read(name: &str, text: &str) -> Result<Vec<Table>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: cannot read the CSV header: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let lower: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    if lower.len() == 3 && lower[0] == "series" && lower[1] == "time" && lower[2] == "value" {
        return read_long(name, reader);
    }
    if header.len() < 2 {
        return Err(format!(
            "line 1: a header with a time column and at least one figure is needed, found `{}`",
            header.join(",")
        ));
    }
    let time_col = lower
        .iter()
        .position(|h| TIME_NAMES.contains(&h.as_str()))
        .unwrap_or(0);
    struct Col {
        index: usize,
        metric: Metric,
        name: String,
        instance: String,
        scale: f64,
    }
    let mut cols = Vec::new();
    for (index, h) in header.iter().enumerate() {
        if index == time_col {
            continue;
        }
        let (base, instance) = split_labels(h);
        let Some(metric) = Metric::from_name(base) else {
            continue;
        };
        let scale = unit_in_name(base).map_err(|e| format!("line 1: {e}"))?;
        cols.push(Col {
            index,
            metric,
            name: base.to_string(),
            instance: instance.to_string(),
            scale,
        });
    }
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for c in &cols {
        tables.entry(c.instance.clone()).or_insert_with(|| {
            Table::new(if c.instance.is_empty() {
                name.to_string()
            } else {
                format!("{name} {}", c.instance)
            })
        });
    }
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => format!("line {}: {e}", p.line()),
            None => e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let time = parse_time(&record[time_col]).map_err(|e| format!("line {line}: {e}"))?;
        for t in tables.values_mut() {
            t.push_row(time, line)?;
        }
        for c in &cols {
            let cell = &record[c.index];
            if cell.is_empty() || cell.eq_ignore_ascii_case("null") || cell == "NaN" {
                continue;
            }
            let value = if c.metric == Metric::Requests {
                cell.parse::<f64>().map_err(|_| {
                    format!(
                        "line {line}: `{cell}` in column `{}` is not a count",
                        c.name
                    )
                })?
            } else {
                parse_bytes(cell, c.scale)
                    .map_err(|e| format!("line {line}: column `{}`: {e}", c.name))?
            };
            let label = c.name.clone();
            if let Some(t) = tables.get_mut(&c.instance) {
                t.set(c.metric, &label, value);
            }
        }
    }
    Ok(tables.into_values().collect())
}

/// `metric{instance="a"}` → (`metric`, `{instance="a"}`); a name without labels → (name, "").
fn split_labels(h: &str) -> (&str, &str) {
    match h.find('{') {
        Some(i) if h.ends_with('}') => (h[..i].trim(), &h[i..]),
        _ => (h, ""),
    }
}

/// Grafana's `Series,Time,Value` layout: rows grouped by series, each series in time order.
fn read_long(name: &str, reader: csv::Reader<&[u8]>) -> Result<Vec<Table>, String> {
    // (instance, time in ms) -> (first line, [(metric, name, value)])
    type Rows = BTreeMap<i64, (usize, Vec<(Metric, String, f64)>)>;
    let mut instances: BTreeMap<String, Rows> = BTreeMap::new();
    let mut last: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for record in reader.into_records() {
        let record = record.map_err(|e| e.to_string())?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let series = &record[0];
        let time = parse_time(&record[1]).map_err(|e| format!("line {line}: {e}"))?;
        if let Some(&(prev, prev_line)) = last.get(series)
            && time <= prev
        {
            return Err(format!(
                "line {line}: series `{series}` goes back in time (line {prev_line} is later or \
                 at the same time); rows of each series must be in time order"
            ));
        }
        last.insert(series.to_string(), (time, line));
        let (base, instance) = split_labels(series);
        let Some(metric) = Metric::from_name(base) else {
            continue;
        };
        let cell = &record[2];
        if cell.is_empty() || cell.eq_ignore_ascii_case("null") {
            continue;
        }
        let value = parse_bytes(cell, unit_in_name(base)?)
            .map_err(|e| format!("line {line}: series `{series}`: {e}"))?;
        let row = instances
            .entry(instance.to_string())
            .or_default()
            .entry((time * 1000.0).round() as i64)
            .or_insert((line, Vec::new()));
        row.1.push((metric, base.to_string(), value));
    }
    let mut tables = Vec::new();
    for (instance, rows) in instances {
        let mut t = Table::new(if instance.is_empty() {
            name.to_string()
        } else {
            format!("{name} {instance}")
        });
        for (ms, (line, cells)) in rows {
            t.push_row(ms as f64 / 1000.0, line)?;
            for (metric, label, value) in cells {
                t.set(metric, &label, value);
            }
        }
        tables.push(t);
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_with_units() {
        let text =
            "time,rss (MB),heapUsed\n2024-05-01 12:00:00,10,5 MiB\n2024-05-01 12:00:10,11,\n";
        let t = &read("x", text).unwrap()[0];
        assert_eq!(t.times.len(), 2);
        let rss = t.columns.iter().find(|c| c.metric == Metric::Rss).unwrap();
        assert_eq!(rss.values, vec![Some(10e6), Some(11e6)]);
        let heap = t
            .columns
            .iter()
            .find(|c| c.metric == Metric::HeapUsed)
            .unwrap();
        assert_eq!(heap.values, vec![Some(5.0 * 1048576.0), None]);
    }

    #[test]
    fn grafana_instances_are_tables() {
        let text = "\"Time\",\"process_resident_memory_bytes{instance=\"\"a\"\"}\",\"process_resident_memory_bytes{instance=\"\"b\"\"}\"\n\
                    1714564800000,100,200\n1714564815000,110,210\n";
        let tables = read("g.csv", text).unwrap();
        assert_eq!(tables.len(), 2);
        assert_eq!(tables[0].name, "g.csv {instance=\"a\"}");
    }

    #[test]
    fn long_layout() {
        let text = "Series,Time,Value\nrss,1714564800000,1 MB\nrss,1714564801000,2 MB\nheapUsed,1714564800000,5\nheapUsed,1714564801000,6\n";
        let t = &read("x", text).unwrap()[0];
        assert_eq!(t.times, vec![1714564800.0, 1714564801.0]);
        assert_eq!(t.columns.len(), 2);
    }

    #[test]
    fn bad_unit_names_line_and_column() {
        let err = read("x", "time,rss\n1,5 parsecs\n").unwrap_err();
        assert!(err.starts_with("line 2: column `rss`"), "{err}");
    }
}
