//! Logs in the JSON line format Terraform's plugin logger reads from a provider's stderr.
//!
//! Terraform shows these lines under `TF_LOG` / `TF_LOG_PROVIDER`; the provider reads the same
//! variables so that, when logging is off, it does not even format the lines.

use std::io::Write;
use std::sync::OnceLock;
use std::time::SystemTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Off,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }

    /// Reads a level name as Terraform accepts it; `JSON` is Terraform's alias for trace.
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "TRACE" | "JSON" => Level::Trace,
            "DEBUG" => Level::Debug,
            "INFO" => Level::Info,
            "WARN" => Level::Warn,
            "ERROR" => Level::Error,
            "OFF" | "" => Level::Off,
            _ => return None,
        })
    }
}

static THRESHOLD: OnceLock<Level> = OnceLock::new();

/// Sets the level from `TF_LOG_PROVIDER_DR`, `TF_LOG_PROVIDER` or `TF_LOG`, first one set wins.
pub fn init_from_env() {
    let level = ["TF_LOG_PROVIDER_DR", "TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .map(|value| Level::parse(&value).unwrap_or(Level::Trace))
        .unwrap_or(Level::Off);
    THRESHOLD.get_or_init(|| level);
}

pub fn enabled(level: Level) -> bool {
    level >= *THRESHOLD.get().unwrap_or(&Level::Off) && level != Level::Off
}

/// Writes one log line with extra `fields`, if `level` is enabled.
pub fn log(level: Level, message: &str, fields: &[(&str, &str)]) {
    if !enabled(level) {
        return;
    }
    let mut line = serde_json::Map::new();
    line.insert("@level".into(), level.name().into());
    line.insert("@message".into(), message.into());
    line.insert("@module".into(), "provider.terraform-provider-dr".into());
    line.insert(
        "@timestamp".into(),
        humantime::format_rfc3339_micros(SystemTime::now())
            .to_string()
            .into(),
    );
    for (key, value) in fields {
        line.insert((*key).into(), (*value).into());
    }
    let mut stderr = std::io::stderr().lock();
    // Nowhere to report a failure to write a log line; the provider carries on.
    let _ = writeln!(stderr, "{}", serde_json::Value::Object(line));
}

pub fn debug(message: &str, fields: &[(&str, &str)]) {
    log(Level::Debug, message, fields);
}

pub fn info(message: &str, fields: &[(&str, &str)]) {
    log(Level::Info, message, fields);
}

pub fn warn(message: &str, fields: &[(&str, &str)]) {
    log(Level::Warn, message, fields);
}

pub fn error(message: &str, fields: &[(&str, &str)]) {
    log(Level::Error, message, fields);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terraform_level_names() {
        assert_eq!(Level::parse("debug"), Some(Level::Debug));
        assert_eq!(Level::parse("JSON"), Some(Level::Trace));
        assert_eq!(Level::parse("off"), Some(Level::Off));
        assert_eq!(Level::parse("loud"), None);
    }
}
