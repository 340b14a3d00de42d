//! Reading memory series: JSON lines, CSV (including Grafana's panel export) and repeated
//! Prometheus text exposition scrapes. The format is recognised from the content: a first line
//! starting with `{` is JSON lines, one starting with `# HELP`/`# TYPE` or a Prometheus sample
//! line is exposition text, anything else is CSV with a header row.

mod csv;
mod jsonl;
mod prom;
pub mod time;

use super::table::Table;

/// How a file was read, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    JsonLines,
    Csv,
    Prometheus,
}

/// Options that some inputs need.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOptions {
    /// Seconds between Prometheus scrapes that carry no timestamps.
    pub scrape_interval: Option<f64>,
}

/// Reads one input. `name` is how the file is shown. Errors name the line and say what was
/// expected there.
pub fn read(name: &str, text: &str, opts: ReadOptions) -> Result<(Format, Vec<Table>), String> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or_else(|| "the file is empty".to_string())?;
    let format = if first.starts_with('{') {
        Format::JsonLines
    } else if prom::looks_like(first) {
        Format::Prometheus
    } else {
        Format::Csv
    };
    let tables = match format {
        Format::JsonLines => jsonl::read(name, text)?,
        Format::Csv => csv::read(name, text)?,
        Format::Prometheus => prom::read(name, text, opts)?,
    };
    let mut tables: Vec<Table> = tables.into_iter().filter(|t| !t.times.is_empty()).collect();
    if tables.is_empty() {
        return Err("no samples found".into());
    }
    for t in &mut tables {
        t.columns.retain(|c| c.values.iter().any(Option::is_some));
        if !t
            .columns
            .iter()
            .any(|c| c.metric != super::table::Metric::Requests)
        {
            return Err(format!(
                "{}: no memory figures found (looked for rss, heapTotal, heapUsed, external, \
                 arrayBuffers or other numeric columns)",
                t.name
            ));
        }
        t.find_counter_resets();
    }
    Ok((format, tables))
}
