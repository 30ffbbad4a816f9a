//! Inline suppressions: a comment on the line of the offending value, of the resource header or
//! of the `module` call that creates the resource, or on the line just above either, that names
//! the rule and says why.
//!
//! ```hcl
//! # drlint-ignore DR201 reason="read replica, promoted by the runbook" until=2027-03-31
//! resource "aws_db_instance" "reports" {
//! ```
//!
//! Codes or names, separated by spaces or commas, then `reason="…"` and optionally
//! `until=YYYY-MM-DD` (the last day it holds, in UTC). The older form, `# drlint-ignore DR201:
//! why`, still works. Every directive that does not do what it says is reported as a note: one
//! without a reason (it suppresses nothing: a silenced finding must say why), one past its
//! `until` (its findings are reported again), one naming no rule drlint has, and one that
//! suppressed nothing in this run.

use std::collections::HashMap;
use std::ops::Range;

use dr_vocab::time::{parse_timestamp, unix_now, UnixSeconds};

use crate::finding::Finding;
use crate::model::{ModuleCall, Note};
use crate::rules::codes;
use crate::source::{FileId, SourceFile, SourceMap};

const DIRECTIVE: &str = "drlint-ignore";

/// What one directive comment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The rule codes or names, as written.
    pub names: Vec<String>,
    pub reason: Option<String>,
    /// The `until` date as written, and the last second it holds.
    pub until: Option<(String, Option<UnixSeconds>)>,
    /// What is wrong with how it is written, if anything.
    pub problems: Vec<String>,
}

impl Directive {
    /// True when it may suppress a finding at `now`.
    pub fn effective(&self, now: UnixSeconds) -> bool {
        self.reason.is_some()
            && self.problems.is_empty()
            && match &self.until {
                Some((_, Some(last))) => now <= *last,
                Some((_, None)) => false,
                None => true,
            }
    }
}

/// Reads the directive in `line`, if it has one after a comment marker.
pub fn parse(line: &str) -> Option<Directive> {
    let at = line.find(DIRECTIVE)?;
    let before = line[..at].trim_end();
    if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("/*")) {
        return None;
    }
    let rest = line[at + DIRECTIVE.len()..].trim();
    let rest = rest.strip_suffix("*/").unwrap_or(rest).trim_end();
    let mut directive = Directive {
        names: Vec::new(),
        reason: None,
        until: None,
        problems: Vec::new(),
    };
    // The first `key=` starts the options; before it, a `:` starts the older form's reason.
    let options_at = option_start(rest);
    let colon_at = rest
        .find(':')
        .filter(|colon| options_at.is_none_or(|o| *colon < o));
    let names_end = colon_at.or(options_at).unwrap_or(rest.len());
    directive.names = rest[..names_end]
        .split([' ', ','])
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(colon) = colon_at {
        let reason = rest[colon + 1..].trim();
        if !reason.is_empty() {
            directive.reason = Some(reason.to_owned());
        }
        return Some(directive);
    }
    if let Some(start) = options_at {
        read_options(&rest[start..], &mut directive);
    }
    Some(directive)
}

/// Where the first `word=` is in `text`.
fn option_start(text: &str) -> Option<usize> {
    let mut at = 0;
    for word in text.split(' ') {
        if let Some(eq) = word.find('=') {
            if eq > 0
                && word[..eq]
                    .bytes()
                    .all(|b| b.is_ascii_alphabetic() || b == b'_')
            {
                return Some(at);
            }
        }
        at += word.len() + 1;
    }
    None
}

/// Reads `reason="…" until=YYYY-MM-DD` into `directive`.
fn read_options(mut text: &str, directive: &mut Directive) {
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return;
        }
        let Some(eq) = text.find('=') else {
            directive.problems.push(format!(
                "`{text}` is not an option: write `reason=\"…\"` or `until=YYYY-MM-DD`"
            ));
            return;
        };
        let key = text[..eq].trim();
        let after = &text[eq + 1..];
        let (value, rest) = match after.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => {
                    directive
                        .problems
                        .push(format!("the value of `{key}` has no closing quote"));
                    (quoted, "")
                }
            },
            None => after.split_at(after.find(' ').unwrap_or(after.len())),
        };
        match key {
            "reason" if !value.trim().is_empty() => {
                directive.reason = Some(value.trim().to_owned());
            }
            "reason" => {}
            "until" => {
                let last = parse_timestamp(&format!("{value}T23:59:59Z"))
                    .ok()
                    .filter(|_| value.len() == 10);
                if last.is_none() {
                    directive.problems.push(format!(
                        "`until={value}` is not a date: write it as YYYY-MM-DD (the last day the suppression holds)"
                    ));
                }
                directive.until = Some((value.to_owned(), last));
            }
            other => directive.problems.push(format!(
                "`{other}` is not an option: the options are `reason=\"…\"` and `until=YYYY-MM-DD`"
            )),
        }
        text = rest;
    }
}

/// A directive found in a file, and what the run made of it.
struct Found {
    file: FileId,
    span: Range<usize>,
    directive: Directive,
    /// The names that matched a finding (suppressing it, or not when the directive is not
    /// effective).
    matched: Vec<bool>,
}

/// Every directive in the `.tf` files of `sources`, by file and 0-based line.
fn directives(sources: &SourceMap) -> (Vec<Found>, HashMap<(FileId, usize), usize>) {
    let mut found = Vec::new();
    let mut by_line = HashMap::new();
    for (id, file) in sources.files() {
        if file.path.extension().is_none_or(|ext| ext != "tf") {
            continue;
        }
        let mut last_line = None;
        for (at, _) in file.text.match_indices(DIRECTIVE) {
            let index = file.line_index(at);
            if last_line == Some(index) {
                continue;
            }
            last_line = Some(index);
            let line = file.line(index);
            let Some(directive) = parse(line) else {
                continue;
            };
            // `at` is the line's first match, the one `parse` read.
            let line_start = at - line.find(DIRECTIVE).unwrap_or(0);
            by_line.insert((id, index), found.len());
            found.push(Found {
                file: id,
                span: at..line_start + line.trim_end().len(),
                matched: vec![false; directive.names.len()],
                directive,
            });
        }
    }
    (found, by_line)
}

/// The lines a finding's suppression may be on: each anchor's line and the line above, then
/// the same for each module call the resource lies in.
fn candidate_lines(
    finding: &Finding,
    sources: &SourceMap,
    calls: &HashMap<(&str, &str), (FileId, usize)>,
) -> Vec<(FileId, usize)> {
    let mut lines = Vec::new();
    let mut push = |file: &SourceFile, id: FileId, offset: usize| {
        let index = file.line_index(offset.min(file.text.len()));
        lines.push((id, index));
        if index > 0 {
            lines.push((id, index - 1));
        }
    };
    if let Some(file) = sources.get(finding.file) {
        for anchor in finding.anchors.iter() {
            push(file, finding.file, anchor);
        }
    }
    for prefix in module_prefixes(&finding.address) {
        if let Some((id, offset)) = calls.get(&(&*finding.root, prefix)) {
            if let Some(file) = sources.get(*id) {
                push(file, *id, *offset);
            }
        }
    }
    lines
}

/// The module instance addresses an address lies in, outermost first: for
/// `module.a["x"].module.b.aws_s3_bucket.c`, `module.a["x"]` and `module.a["x"].module.b`.
fn module_prefixes(address: &str) -> Vec<&str> {
    let mut prefixes = Vec::new();
    let mut at = 0;
    while address[at..].starts_with("module.") {
        let mut end = at + "module.".len();
        // The call's name, then an instance key in brackets (which may hold dots and quotes).
        end += address[end..]
            .find(['.', '['])
            .unwrap_or(address.len() - end);
        if address[end..].starts_with('[') {
            let Some(close) = instance_key_end(&address[end..]) else {
                break;
            };
            end += close;
        }
        prefixes.push(&address[..end]);
        if !address[end..].starts_with('.') {
            break;
        }
        at = end + 1;
    }
    prefixes
}

/// The length of the `[…]` instance key at the start of `text`, quotes respected.
fn instance_key_end(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (at, ch) in text.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(at + 1),
            _ => {}
        }
    }
    None
}

/// Drops the findings an effective directive covers; returns how many, plus notes for every
/// directive that does not do what it says.
pub fn apply(
    findings: &mut Vec<Finding>,
    sources: &SourceMap,
    calls: &[ModuleCall],
) -> (usize, Vec<Note>) {
    apply_at(findings, sources, calls, unix_now())
}

fn apply_at(
    findings: &mut Vec<Finding>,
    sources: &SourceMap,
    calls: &[ModuleCall],
    now: UnixSeconds,
) -> (usize, Vec<Note>) {
    let (mut found, by_line) = directives(sources);
    if found.is_empty() {
        return (0, Vec::new());
    }
    let call_lines: HashMap<(&str, &str), (FileId, usize)> = calls
        .iter()
        .filter_map(|call| {
            Some((
                (&*call.scope, &*call.address),
                (call.file, call.header.as_ref()?.start),
            ))
        })
        .collect();
    let before = findings.len();
    findings.retain(|finding| {
        let mut keep = true;
        for line in candidate_lines(finding, sources, &call_lines) {
            let Some(&index) = by_line.get(&line) else {
                continue;
            };
            let entry = &mut found[index];
            let mut named = false;
            for (name, matched) in entry.directive.names.iter().zip(entry.matched.iter_mut()) {
                if name.eq_ignore_ascii_case(finding.rule.code) || *name == finding.rule.name {
                    *matched = true;
                    named = true;
                }
            }
            if named && entry.directive.effective(now) {
                keep = false;
            }
        }
        keep
    });
    let mut notes = Vec::new();
    for entry in &found {
        let mut say = |message: String| {
            notes.push(Note {
                message,
                file: Some(entry.file),
                span: Some(entry.span.clone()),
            })
        };
        let directive = &entry.directive;
        let shown = directive.names.join(" ");
        if directive.names.is_empty() {
            say("`drlint-ignore` names no rule, so it suppresses nothing: write `# drlint-ignore DR201 reason=\"why\"`".to_owned());
            continue;
        }
        for problem in &directive.problems {
            say(format!(
                "`drlint-ignore {shown}`: {problem}; it suppresses nothing until fixed"
            ));
        }
        let unknown: Vec<&str> = directive
            .names
            .iter()
            .filter(|name| codes::find(name).is_none())
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            say(format!(
                "`drlint-ignore` names {} that drlint does not have: `drlint rules` lists the codes and names",
                unknown.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if directive.reason.is_none() {
            say(format!(
                "`drlint-ignore {shown}` gives no reason, so it suppresses nothing: write `# drlint-ignore {shown} reason=\"why\"`"
            ));
            continue;
        }
        if let Some((date, Some(last))) = &directive.until {
            if now > *last {
                let covered = entry.matched.iter().any(|matched| *matched);
                say(format!(
                    "`drlint-ignore {shown}` expired on {date}{}: fix what it covers or renew it with a later `until`",
                    if covered { ", so its findings are reported again" } else { "" }
                ));
                continue;
            }
        }
        if !directive.effective(now) {
            continue;
        }
        let unused: Vec<&str> = directive
            .names
            .iter()
            .zip(&entry.matched)
            .filter(|(name, matched)| !**matched && codes::find(name).is_some())
            .map(|(name, _)| name.as_str())
            .collect();
        if !unused.is_empty() {
            say(format!(
                "`drlint-ignore` for {} suppressed nothing in this run: no such finding is on this line, the resource or module call below, or the value it labels; remove it",
                unused.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    (before - findings.len(), notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(directive: &Directive) -> Vec<&str> {
        directive.names.iter().map(String::as_str).collect()
    }

    #[test]
    fn reads_both_forms() {
        let old = parse("# drlint-ignore DR201: replica").expect("a directive");
        assert_eq!(names(&old), ["DR201"]);
        assert_eq!(old.reason.as_deref(), Some("replica"));
        let bare = parse("  // drlint-ignore DR201, DR501").expect("a directive");
        assert_eq!(names(&bare), ["DR201", "DR501"]);
        assert_eq!(bare.reason, None);
        let block = parse("/* drlint-ignore db-instance-multi-az: x */").expect("a directive");
        assert_eq!(block.reason.as_deref(), Some("x"));
        assert_eq!(parse("name = \"drlint-ignore DR201: x\""), None);

        let new = parse(
            r#"# drlint-ignore DR201 reason="read replica: promoted by runbook" until=2027-03-31"#,
        )
        .expect("a directive");
        assert_eq!(names(&new), ["DR201"]);
        assert_eq!(
            new.reason.as_deref(),
            Some("read replica: promoted by runbook")
        );
        assert_eq!(
            new.until.as_ref().map(|(date, _)| date.as_str()),
            Some("2027-03-31")
        );
        assert!(new.problems.is_empty(), "{:?}", new.problems);
        let last = new.until.and_then(|(_, last)| last).expect("a date");
        assert_eq!(
            last,
            parse_timestamp("2027-03-31T23:59:59Z").expect("a timestamp")
        );
        assert!(new.problems.is_empty());
    }

    #[test]
    fn reports_what_is_wrong_in_the_options() {
        let bad = parse(r#"# drlint-ignore DR201 reason="x" until=31/03/2027 owner=me"#)
            .expect("a directive");
        assert_eq!(bad.problems.len(), 2, "{:?}", bad.problems);
        assert!(bad.problems[0].contains("YYYY-MM-DD"));
        assert!(bad.problems[1].contains("`owner` is not an option"));
        assert!(!bad.effective(0));
        let open = parse(r#"# drlint-ignore DR201 reason="never closed"#).expect("a directive");
        assert!(open.problems[0].contains("closing quote"));
        let empty = parse(r#"# drlint-ignore DR201 reason="""#).expect("a directive");
        assert_eq!(empty.reason, None);
    }

    #[test]
    fn expiry_is_the_end_of_the_day() {
        let directive =
            parse(r#"# drlint-ignore DR201 reason="x" until=2027-03-31"#).expect("a directive");
        let day = parse_timestamp("2027-03-31T12:00:00Z").expect("a timestamp");
        assert!(directive.effective(day));
        assert!(!directive.effective(day + 12 * 3600));
    }

    #[test]
    fn module_prefixes_follow_instance_keys() {
        assert_eq!(
            module_prefixes(r#"module.a["x.y]"].module.b.aws_s3_bucket.c"#),
            [r#"module.a["x.y]"]"#, r#"module.a["x.y]"].module.b"#]
        );
        assert_eq!(
            module_prefixes("module.a[0].aws_s3_bucket.c"),
            ["module.a[0]"]
        );
        assert!(module_prefixes("aws_s3_bucket.c").is_empty());
        assert_eq!(module_prefixes("module.vpc"), ["module.vpc"]);
    }
}
