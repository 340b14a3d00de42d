//! Timestamps as logs and exports write them, read into seconds since the Unix epoch.

/// Reads a timestamp: a number of milliseconds since the epoch (what `Date.now()` and pino
/// write), or of seconds (values below 10^11, i.e. before 1973 in milliseconds, are taken as
/// seconds), or RFC 3339 text (`2024-05-01T12:00:00.250Z`, `…+02:00`), or `YYYY-MM-DD HH:MM:SS`
/// without an offset (Grafana's CSV export), read as UTC.
pub fn parse_time(text: &str) -> Result<f64, String> {
    let t = text.trim().trim_matches('"');
    if let Ok(n) = t.parse::<f64>() {
        return from_number(n).ok_or_else(|| format!("`{t}` is not a time"));
    }
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond() as f64 / 1000.0);
    }
    if let Ok(dt) = t.parse::<jiff::civil::DateTime>()
        && let Ok(zoned) = dt.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(zoned.timestamp().as_millisecond() as f64 / 1000.0);
    }
    Err(format!(
        "`{t}` is not a time (expected milliseconds or seconds since 1970, RFC 3339 like \
         2024-05-01T12:00:00Z, or 2024-05-01 12:00:00)"
    ))
}

/// A numeric timestamp: milliseconds when large enough, else seconds.
pub fn from_number(n: f64) -> Option<f64> {
    if !n.is_finite() || n < 0.0 {
        None
    } else if n >= 1e11 {
        Some(n / 1000.0)
    } else {
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(parse_time("1714564800000"), Ok(1714564800.0));
        assert_eq!(parse_time("1714564800"), Ok(1714564800.0));
        assert_eq!(parse_time("2024-05-01T12:00:00Z"), Ok(1714564800.0));
        assert_eq!(parse_time("2024-05-01T14:00:00+02:00"), Ok(1714564800.0));
        assert_eq!(parse_time("2024-05-01 12:00:00"), Ok(1714564800.0));
        assert_eq!(parse_time("2024-05-01T12:00:00.5Z"), Ok(1714564800.5));
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("-5").is_err());
    }
}
