//! End-to-end: `drlint report`, the architecture review by tier, on the bundled example, on a
//! fixture laid out like a real repository (`fixtures/report/`), and as HTML rendered by a real
//! headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

fn drlint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DRLINT_DOCS_URL")
        .output()
        .expect("run drlint")
}

const FIXTURE_PATHS: [&str; 3] = ["live/payments", "live/catalog", "plans/search.plan.json"];

fn fixture_report(format: &str) -> String {
    let mut args = vec!["report", "--format", format];
    args.extend(FIXTURE_PATHS);
    let output = drlint_in(&fixture(), &args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the report is UTF-8")
}

/// The text between `start` and the next line starting with `end_prefix` (or the end).
fn section<'a>(text: &'a str, start: &str, end_prefix: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in:\n{text}"));
    let rest = &text[from + start.len()..];
    let to = rest
        .find(&format!("\n{end_prefix}"))
        .map_or(rest.len(), |at| at + 1);
    &rest[..to]
}

/// The cells of a Markdown table row, split on the `|` that are not escaped.
fn cells(row: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in row.trim().trim_start_matches('|').chars() {
        match c {
            '\\' if !escaped => {
                escaped = true;
                current.push(c);
                continue;
            }
            '|' if !escaped => cells.push(std::mem::take(&mut current).trim().to_owned()),
            c => current.push(c),
        }
        escaped = false;
    }
    cells
}

/// The text of a Markdown line outside its code spans.
fn outside_code(line: &str) -> String {
    line.split('`')
        .enumerate()
        .filter(|(index, _)| index % 2 == 0)
        .map(|(_, piece)| piece)
        .collect()
}

#[test]
fn example_report_groups_the_shop_and_a_plan_by_tier() {
    let output = drlint_in(
        &workspace(),
        &[
            "report",
            "examples/linter/shop",
            "linter/tests/fixtures/plan-checks/orders.plan.json",
        ],
    );
    // A report, not a gate: the example has errors, the exit status is still 0.
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("# DR architecture review\n\n**Summary:** 3 configurations · 16 resource instances (12 stateful) · 3 tiers in force · 10 gaps (9 errors, 1 warning) · 2 unknown"), "{text}");

    let tier_one = section(&text, "## Tier 1 — mission critical / critical\n", "## ");
    let tier_two = section(&text, "## Tier 2 — business critical\n", "## ");
    let tier_three = section(&text, "## Tier 3 — business operational\n", "## ");
    let unknowns = section(&text, "## Unknowns\n", "## ");
    let order: Vec<usize> = ["## Tier 1", "## Tier 2", "## Tier 3", "## Unknowns"]
        .iter()
        .map(|heading| text.find(heading).expect("heading"))
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{order:?}");

    // The contract and where it comes from.
    assert!(tier_one.contains(
        "| critical | 15m | 1m | `active_active` | `dr_tier.critical` | examples/linter/shop/envs/prod |"
    ));
    assert!(tier_two.contains("| business critical | 1h | 15m | `warm_standby` | defaults |"));
    // Workloads: prod is tier 1, the plan tier 2, staging tier 3.
    assert!(tier_one.contains("| examples/linter/shop/envs/prod | 5 | 6 | 1 | 0 | 0 |"));
    assert!(tier_two
        .contains("| linter/tests/fixtures/plan-checks/orders.plan.json | 3 | 2 | 1 | 0 | 0 |"));
    assert!(tier_three.contains("| examples/linter/shop/envs/staging | 4 | 2 | 0 | 0 | 0 |"));
    assert!(tier_one.contains(
        "| `module.data.module.orders_db.aws_rds_cluster.this[0]` | `aws_rds_cluster` | examples/linter/shop/envs/prod | dr-tier tag |"
    ));

    // The matrix: a column per category, a row per resource.
    let header = "| resource | root | dr-tier-tag | multi-az | single-az | secret-replication | backup | cross-region | drill |";
    for tier in [tier_one, tier_two, tier_three] {
        assert!(tier.contains(header), "{tier}");
    }
    assert!(tier_one.contains(
        "| `module.data.aws_dynamodb_table.carts` | examples/linter/shop/envs/prod | `pass` | — | — | — | **fail 1** | **fail 1** | **fail 1** |"
    ));
    assert!(tier_three.contains(
        "| `module.data.module.orders_db.aws_rds_cluster.this[0]` | examples/linter/shop/envs/staging | `pass` | — | **fail 1** | — | `pass` | `pass` | — |"
    ));
    assert!(tier_two.contains(
        "| `module.db.aws_db_instance.this[0]` | linter/tests/fixtures/plan-checks/orders.plan.json | `pass` | `unknown 1` |"
    ));

    // Gaps with their fixes, under the tier whose root has them.
    assert!(tier_one.contains("**DR601 no-cross-region-copy** — fix: add a `replica { region_name = \"<recovery region>\" }` block (global table)"));
    assert!(tier_two.contains("**DR201 db-instance-multi-az** — fix: set `multi_az = true`"));
    assert!(tier_three.contains("**DR502 dynamodb-pitr**"));
    assert!(
        tier_three.contains("| warning | `module.data.module.orders_db.aws_rds_cluster.this[0]` |")
    );

    // Unknowns apart: the git module nobody can read and the plan's unknown multi_az are in
    // Unknowns, not among the gaps.
    for gaps in [tier_one, tier_two] {
        let gaps = section(gaps, "### Gaps", "### Failover policies");
        assert!(!gaps.contains("module.events"), "{gaps}");
        assert!(
            !gaps.contains("`module.db.aws_db_instance.this[0]`"),
            "{gaps}"
        );
    }
    assert!(unknowns.contains("| 1 | DR101 missing-dr-tier-tag | error | `module.events` | examples/linter/shop/envs/prod |"));
    assert!(unknowns.contains(
        "| 2 | DR201 db-instance-multi-az | error | `module.db.aws_db_instance.this[0]` |"
    ));
    assert!(tier_one.contains(
        "_1 finding of this tier cannot be decided statically: see [Unknowns](#unknowns)._"
    ));
    assert!(tier_one.contains("### Failover policies\n\nNone answers to this tier."));
}

#[test]
fn fixture_report_shows_policies_drills_and_unknowns_apart() {
    let text = fixture_report("markdown");
    assert!(text.contains("**Summary:** 3 configurations · 26 resource instances (12 stateful) · 3 tiers in force · 11 gaps (10 errors, 1 warning) · 3 unknown · 2 analysis notes · 1 suppressed · 3 failover policies · 5 drills · 0 input errors"), "{text}");
    let tier_one = section(&text, "## Tier 1 — mission critical / critical\n", "## ");
    let tier_two = section(&text, "## Tier 2 — business critical / important\n", "## ");
    let tier_three = section(
        &text,
        "## Tier 3 — standard / business operational\n",
        "## ",
    );
    let unknowns = section(&text, "## Unknowns\n", "## ");

    // Contracts declared by dr_tier resources, in a tree and in a plan.
    assert!(tier_two
        .contains("| important | 4h | 1h | `warm_standby` | `dr_tier.important` | live/catalog |"));
    assert!(tier_three.contains(
        "| standard | 4h | 1d | `pilot_light` | `dr_tier.standard` | plans/search.plan.json |"
    ));

    // Failover policies: a Mermaid diagram of the regions, with the name escaped, and a table.
    assert!(tier_one.contains(concat!(
        "```mermaid\nflowchart LR\n",
        "  r0[\"eu-west-1\"]\n",
        "  r1[\"eu-central-1\"]\n",
        "  r0 -->|\"checkout #124; #quot;eu#quot; #91;primary#93; · active_active · automatic\"| r1\n",
        "```\n"
    )), "{tier_one}");
    assert!(tier_one.contains("| `dr_failover_policy.checkout` | checkout \\| \"eu\" \\[primary\\] | live/payments | eu-west-1 → eu-central-1 | active\\_active | automatic |"));
    assert!(tier_two.contains("r0 -->|\"catalog · pilot_light · manual #40;default#41;\"| r1"));
    // The plan's policy holds its tier as an object; it still lands in tier 3.
    assert!(tier_three.contains("| `dr_failover_policy.search` | search | plans/search.plan.json | eu-west-1 → eu-west-3 | backup\\_restore | manual |"));

    // Drills, tied to the tier of their policy: judged from HCL, or as the plan says.
    assert!(tier_one.contains("| `dr_drill.checkout_region_outage` | checkout \\| \"eu\" \\[primary\\] | live/payments | region\\_outage | passed | 2026-06-02T09:00:00Z | 2036-05-30T09:00:00Z |"));
    assert!(tier_one.contains("| `dr_drill.checkout_database_failover` | checkout \\| \"eu\" \\[primary\\] | live/payments | database\\_failover | **failed** |"));
    assert!(tier_one.contains("| `dr_drill.checkout_recovery_access` | checkout \\| \"eu\" \\[primary\\] | live/payments | recovery\\_access | (unknown) | never | (unknown) |"));
    assert!(tier_two.contains("| `dr_drill.catalog_region_outage` | catalog | live/catalog | region\\_outage | **overdue** | 2024-01-15T10:00:00Z | 2024-04-14T10:00:00Z |"));
    assert!(tier_three.contains("| `dr_drill.search_az_outage` | search | plans/search.plan.json | az\\_outage | passed | 2026-09-01T08:00:00Z | 2027-09-01T08:00:00Z |"));
    // A drill finding belongs to its policy's tier, not to the tier-1 default of untagged things.
    assert!(tier_two.contains("**DR702 drill-failed-or-overdue** — fix: run the drill and record executed\\_at and the observed results"));
    assert!(tier_two.contains(
        "| `dr_drill.catalog_region_outage` | live/catalog | — | — | — | — | — | — | **fail 1** |"
    ));

    // A resource with an invalid tier tag is judged as tier 1.
    assert!(tier_one.contains("| `aws_efs_file_system.uploads` | `aws_efs_file_system` | live/catalog | assumed (no valid dr-tier tag) |"));
    assert!(tier_one.contains("| live/catalog | 1 | 2 | 0 | 0 | 0 |"));

    // Unknowns apart: the unset variable's database and the buckets whose versioning cannot be
    // matched are listed there, with the analysis notes, and not among the gaps.
    let gaps = section(tier_one, "### Gaps", "### Failover policies");
    assert!(!gaps.contains("db-instance-multi-az"), "{gaps}");
    assert!(!gaps.contains("s3-versioning"), "{gaps}");
    assert!(gaps.contains("**DR601 no-cross-region-copy**"));
    assert!(unknowns.contains("| 1 | DR201 db-instance-multi-az | error | `module.ledger_db.aws_db_instance.this` | live/payments | multi\\_az of module.ledger\\_db.aws\\_db\\_instance.this cannot be known before apply"));
    assert!(unknowns
        .contains("- `live/payments/main.tf:20`: variable \"ledger\\_multi\\_az\" has no value"));
    assert!(unknowns.contains(
        "- `live/payments/main.tf:135`: `drlint-ignore` for `DR201` suppressed nothing in this run"
    ));
    // The suppressed finding is counted, not shown.
    assert!(!text.contains("aws_s3_bucket.archive` | live/payments | error"));
}

#[test]
fn markdown_escapes_what_the_configuration_writes() {
    let text = fixture_report("markdown");
    // Markup from a for_each key or a tag value never leaves a code span unescaped.
    for line in text.lines() {
        let prose = outside_code(line);
        for (at, _) in prose.match_indices('<') {
            let markup = prose[at..].starts_with("<script") || prose[at..].starts_with("</script");
            let escaped = prose[..at].ends_with('\\');
            assert!(!markup || escaped, "unescaped markup in {line:?}");
        }
    }
    assert!(text.contains("`aws_s3_bucket.receipts[\"<script>alert(1)</script>\"]`"));
    assert!(text.contains(
        "has dr-tier = \"\\<script\\>alert('tag')\\</script\\>\", which is not a known tier"
    ));
    // Every table row has as many cells as its header: no `|` from a name splits a row.
    let mut columns = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let count = cells(line).len();
        match columns {
            None => columns = Some(count),
            Some(expected) => assert_eq!(count, expected, "row {line:?}"),
        }
    }
}

#[test]
fn check_format_markdown_is_the_same_report_and_still_gates() {
    let mut args = vec!["check", "--format", "markdown"];
    args.extend(FIXTURE_PATHS);
    let check = drlint_in(&fixture(), &args);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        fixture_report("markdown")
    );
    // --output html=FILE works in check as in report.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("review.html");
    let mut args = vec!["check".to_owned(), "--output".to_owned()];
    args.push(format!("html={}", file.display()));
    args.extend(FIXTURE_PATHS.iter().map(|p| (*p).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let check = drlint_in(&fixture(), &args);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&file).expect("html written"),
        fixture_report("html")
    );
}

#[test]
fn report_writes_to_a_file_and_lists_input_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("review.md");
    let broken = dir.path().join("broken.plan.json");
    std::fs::write(
        &broken,
        "{\"format_version\": \"1.2\", \"resource_changes\": [",
    )
    .expect("write");
    let output = drlint_in(
        &fixture(),
        &[
            "report",
            "--output",
            out.to_str().expect("utf-8 path"),
            "live/catalog",
            broken.to_str().expect("utf-8 path"),
            "missing/dir",
        ],
    );
    // Input errors: exit status 2, and the report is still written, with the errors listed.
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing/dir"), "{stderr}");
    let text = std::fs::read_to_string(&out).expect("report written");
    let errors = section(&text, "## Input errors\n", "## ");
    assert!(
        errors.contains("- missing/dir:1:1: no such file or directory"),
        "{errors}"
    );
    assert!(errors.contains("broken.plan.json:1:"), "{errors}");
    assert!(text.contains("· 2 input errors"));
    assert!(text.contains("## Tier 2 — important"));

    // Usage errors.
    let output = drlint_in(&fixture(), &["report", "--format", "pdf", "live/catalog"]);
    assert_eq!(output.status.code(), Some(2));
    let output = drlint_in(&fixture(), &["report", "--var", "novalue", "live/catalog"]);
    assert_eq!(output.status.code(), Some(2));
    let output = drlint_in(
        &fixture(),
        &[
            "report",
            "--output",
            "/nonexistent-dir/x.md",
            "live/catalog",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write the report"));
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let html = fixture_report("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    let lower = html.to_ascii_lowercase();
    for forbidden in [
        "http://",
        "https://",
        "@import",
        "url(",
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        " src=",
        "@font-face",
    ] {
        assert!(!lower.contains(forbidden), "the report holds {forbidden:?}");
    }
    // Links only to anchors of the page itself.
    for (at, _) in lower.match_indices("href=\"") {
        assert!(
            lower[at + 6..].starts_with('#'),
            "external link at {}",
            &html[at..at + 40]
        );
    }
    assert!(
        html.contains("aws_s3_bucket.receipts[&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;]")
    );
    assert!(
        html.contains("dr-tier = &quot;&lt;script&gt;alert(&#39;tag&#39;)&lt;/script&gt;&quot;")
    );
    assert!(html.contains("checkout | &quot;eu&quot; [primary]"));
    assert_eq!(html.matches("<svg class=\"compliance-chart\"").count(), 3);
    assert!(html.contains("@media print"));
}

// Headless Chromium ------------------------------------------------------------------------

/// Chromium from `DR_CHROMIUM`, else Debian's `/usr/bin/chromium`. Missing, it fails the
/// test in CI and skips it (saying so) elsewhere.
fn chromium() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("DR_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/usr/bin/chromium")])
        .collect();
    if let Some(found) = candidates.iter().find(|path| path.is_file()) {
        return Some(found.clone());
    }
    let why = format!(
        "no Chromium at {} (set DR_CHROMIUM or `apt-get install chromium`)",
        candidates
            .iter()
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join(" or ")
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}; CI must run the HTML report tests");
    }
    println!("SKIPPED: {why}");
    None
}

/// Runs headless Chromium on `page` with `extra` arguments, standard output into `stdout`;
/// killed after 60 s so a hang cannot stall CI.
fn run_chromium(chromium: &Path, page: &Path, extra: &[String], stdout: &Path) {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout).expect("stdout file"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                assert!(status.success(), "chromium failed ({status}): {stderr}");
                return;
            }
            None if started.elapsed() > Duration::from_secs(60) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 60 s: {extra:?}");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Where screenshots and PDFs are kept for people to look at.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

fn pdf_pages(pdf: &[u8]) -> usize {
    let marker = b"/Type /Page";
    pdf.windows(marker.len() + 1)
        .filter(|w| &w[..marker.len()] == marker && w[marker.len()] != b's')
        .count()
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = artifacts();
    let page = dir.join("review.html");
    std::fs::write(&page, fixture_report("html")).expect("write html");

    let dom_file = dir.join("review.dom.html");
    run_chromium(&chromium, &page, &["--dump-dom".to_owned()], &dom_file);
    let dom = std::fs::read_to_string(&dom_file).expect("dom");
    for heading in [
        "<h2>Tier 1 — mission critical / critical</h2>",
        "<h2>Tier 2 — business critical / important</h2>",
        "<h2>Tier 3 — standard / business operational</h2>",
        "<h2>Unknowns</h2>",
    ] {
        assert!(dom.contains(heading), "{heading} not rendered");
    }
    assert!(dom.contains("<code>module.ledger_db.aws_db_instance.this</code>"));
    // The address with markup in it is text in the rendered page, not an element.
    assert!(dom.contains("aws_s3_bucket.receipts[\"&lt;script&gt;alert(1)&lt;/script&gt;\"]"));
    assert!(
        !dom.to_ascii_lowercase().contains("<script"),
        "a script element was rendered"
    );
    // One chart per tier, a labelled bar group per category.
    assert_eq!(dom.matches("<svg class=\"compliance-chart\"").count(), 3);
    for category in [
        "dr-tier-tag",
        "multi-az",
        "single-az",
        "secret-replication",
        "backup",
        "cross-region",
        "drill",
    ] {
        assert!(
            dom.contains(&format!(
                "<g class=\"category\" data-category=\"{category}\">"
            )),
            "{category}"
        );
    }
    assert_eq!(dom.matches("<text class=\"label\"").count(), 3 * 7);
    assert!(dom.contains(
        "<title id=\"chart-title-1\">Tier 1: resources by compliance state, per category</title>"
    ));
    assert!(dom.contains("<rect class=\"fail\""));
    assert!(
        dom.contains("3 fail · 0 unknown · 2 pass"),
        "tier 1 cross-region tally"
    );

    let screenshot = dir.join("review.png");
    let _ = std::fs::remove_file(&screenshot);
    run_chromium(
        &chromium,
        &page,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,2000".to_owned(),
        ],
        &dir.join("screenshot.log"),
    );
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 50_000, "screenshot only {} bytes", png.len());

    let pdf_file = dir.join("review.pdf");
    let _ = std::fs::remove_file(&pdf_file);
    run_chromium(
        &chromium,
        &page,
        &[
            format!("--print-to-pdf={}", pdf_file.display()),
            "--no-pdf-header-footer".to_owned(),
        ],
        &dir.join("pdf.log"),
    );
    let pdf = std::fs::read(&pdf_file).expect("pdf written");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(pdf_pages(&pdf) >= 4, "{} pages", pdf_pages(&pdf));
    println!("artifacts: {}", dir.display());
}

#[test]
fn printed_report_starts_each_tier_on_a_page_of_its_own() {
    let Some(chromium) = chromium() else {
        return;
    };
    // Three short tiers and the unknowns would fit one page; printed, each gets its own.
    let tree = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tree.path().join("main.tf"),
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n  tags = { \"dr-tier\" = \"3\", \"rto-hours\" = \"4\" }\n}\n",
    )
    .expect("write tree");
    let dir = artifacts();
    let page = dir.join("small.html");
    let output = drlint_in(
        tree.path(),
        &[
            "report",
            "--format",
            "html",
            "--output",
            page.to_str().expect("utf-8"),
            ".",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pdf_file = dir.join("small.pdf");
    let _ = std::fs::remove_file(&pdf_file);
    run_chromium(
        &chromium,
        &page,
        &[
            format!("--print-to-pdf={}", pdf_file.display()),
            "--no-pdf-header-footer".to_owned(),
        ],
        &dir.join("small-pdf.log"),
    );
    let pdf = std::fs::read(&pdf_file).expect("pdf written");
    // Unbroken, the four fit on three pages.
    assert!(
        pdf_pages(&pdf) >= 4,
        "tiers 1, 2, 3 and the unknowns on {} pages",
        pdf_pages(&pdf)
    );
}

/// Mermaid's standalone bundle from `DR_MERMAID_JS` (`tests/run` fetches it from npm). Missing,
/// it fails the test in CI and skips it (saying so) elsewhere.
fn mermaid_js() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DR_MERMAID_JS").map(PathBuf::from) {
        if path.is_file() {
            return Some(path);
        }
    }
    let why = "no Mermaid bundle at DR_MERMAID_JS (`npm pack mermaid@11`, then point it at package/dist/mermaid.min.js)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}; CI must run the diagram test");
    }
    println!("SKIPPED: {why}");
    None
}

#[test]
fn mermaid_diagrams_parse_and_keep_their_labels() {
    let Some(chromium) = chromium() else {
        return;
    };
    let Some(mermaid) = mermaid_js() else {
        return;
    };
    let text = fixture_report("markdown");
    let mut diagrams: Vec<String> = text
        .split("```mermaid\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .map(str::to_owned)
        .collect();
    assert_eq!(diagrams.len(), 3, "one diagram per tier with policies");
    // Whatever a policy may be called, its label neither breaks the diagram nor turns to markup.
    let hostile = r#"a "b" [x] | {y} (z) #1; <script>alert(1)</script>"#;
    let label = drlint::render::escape::mermaid_label(hostile);
    diagrams.push(format!(
        "flowchart LR\n  r0[\"{label}\"]\n  r1[\"(unknown)\"]\n  r0 -->|\"{label}\"| r1\n"
    ));
    let dir = artifacts();
    let page = dir.join("mermaid.html");
    std::fs::write(
        &page,
        format!(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<script src="file://{}"></script><div id="out"></div><script>
const diagrams = {};
mermaid.initialize({{ startOnLoad: false }});
(async () => {{
  const out = document.getElementById("out");
  for (const [i, diagram] of diagrams.entries()) {{
    const box = document.createElement("div");
    try {{ box.className = "rendered"; box.innerHTML = (await mermaid.render("d" + i, diagram)).svg; }}
    catch (e) {{ box.className = "failed"; box.textContent = "diagram " + i + ": " + e.message; }}
    out.appendChild(box);
  }}
}})();
</script></body></html>"#,
            mermaid.display(),
            serde_json::to_string(&diagrams).expect("json")
        ),
    )
    .expect("write page");
    let dom_file = dir.join("mermaid.dom.html");
    run_chromium(
        &chromium,
        &page,
        &[
            "--allow-file-access-from-files".to_owned(),
            "--virtual-time-budget=15000".to_owned(),
            "--dump-dom".to_owned(),
        ],
        &dom_file,
    );
    let dom = std::fs::read_to_string(&dom_file).expect("dom");
    assert!(!dom.contains("class=\"failed\""), "a diagram failed: {dom}");
    assert_eq!(dom.matches("class=\"rendered\"").count(), diagrams.len());
    for label in [
        "<p>checkout | \"eu\" [primary] · active_active · automatic</p>",
        "<p>catalog · pilot_light · manual (default)</p>",
        "<p>eu-west-1</p>",
        "<p>eu-north-1</p>",
        "<p>a \"b\" [x] | {y} (z) #1; &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    ] {
        assert!(dom.contains(label), "{label} not rendered");
    }
}
