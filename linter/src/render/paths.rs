//! Paths as outputs write them: relative to a base directory (the working directory unless
//! `--base-dir` says otherwise) when the file is inside it, else absolute. SARIF also needs
//! them as URIs.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against the working directory and with `.` and `..` removed, without
/// touching the file system (a plan read from a pipe has no real path to resolve).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base` (both made absolute), or `None` when it lies outside.
pub fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    absolute(path)
        .strip_prefix(absolute(base))
        .ok()
        .map(Path::to_path_buf)
}

/// `path` as outputs show it: relative to `base` with `/` separators when inside, else absolute.
pub fn display(path: &Path, base: &Path) -> String {
    match relative_to(path, base) {
        Some(relative) if relative.as_os_str().is_empty() => ".".to_owned(),
        Some(relative) => slashed(&relative),
        None => slashed(&absolute(path)),
    }
}

fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|component| !matches!(component, Component::RootDir))
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    if path.has_root() {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Percent-encodes what may not appear in a URI path (RFC 3986: unreserved characters and `/`
/// stay as they are).
pub fn uri_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A `file://` URI for an absolute path; directories end with `/` as SARIF base URIs must.
pub fn file_uri(path: &Path, directory: bool) -> String {
    let mut uri = format!("file://{}", uri_path(&slashed(&absolute(path))));
    if directory && !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_base_are_relative_and_outside_absolute() {
        let base = Path::new("/repo");
        assert_eq!(
            display(Path::new("/repo/envs/./prod/../dev/main.tf"), base),
            "envs/dev/main.tf"
        );
        assert_eq!(display(Path::new("/repo"), base), ".");
        assert_eq!(
            display(Path::new("/elsewhere/plan.json"), base),
            "/elsewhere/plan.json"
        );
        assert_eq!(relative_to(Path::new("/repository/x"), base), None);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("envs/my stack/ü.tf"), "envs/my%20stack/%C3%BC.tf");
        assert_eq!(file_uri(Path::new("/a b/c"), true), "file:///a%20b/c/");
        assert_eq!(
            file_uri(Path::new("/a/plan.json"), false),
            "file:///a/plan.json"
        );
    }
}
