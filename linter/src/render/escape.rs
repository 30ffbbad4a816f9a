//! Escaping for the report formats. Addresses, names, regions and messages come from the
//! configuration under review, so every one of them is text, never markup.

use std::fmt::Write as _;

/// Text for HTML or XML element content and quoted attribute values. The five markup
/// characters become references valid in both (`&#39;` rather than HTML-only or XML-only
/// names); control characters neither may hold become U+FFFD, tab and line breaks kept.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Plain text in a Markdown table cell: the punctuation Markdown or GitHub's HTML would read
/// is backslash-escaped (CommonMark allows it before any ASCII punctuation), `|` cannot end
/// the cell, and line breaks become `<br>` so the row stays one line.
pub fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text as inline code in a Markdown table cell: fenced with more backticks than it holds,
/// `|` escaped (GitHub splits cells before it reads code spans), line breaks as spaces.
pub fn markdown_code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    // A space keeps a backtick at either end from joining the fence; one space each side is
    // stripped again by the renderer.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// The pieces of prose: text outside backticks, and the code spans it writes (`like this`);
/// `None` when its backticks do not pair up, so it cannot be read as code spans at all.
fn prose_pieces(text: &str) -> Option<Vec<(bool, &str)>> {
    let pieces: Vec<&str> = text.split('`').collect();
    if pieces.len() % 2 == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(pieces.len());
    for (index, piece) in pieces.into_iter().enumerate() {
        let code = index % 2 == 1;
        if code && piece.is_empty() {
            return None;
        }
        out.push((code, piece));
    }
    Some(out)
}

/// A message or fix in a Markdown table cell: its `code spans` stay code, everything else is
/// escaped as by [`markdown_cell`] (all of it when the backticks do not pair up).
pub fn markdown_prose(text: &str) -> String {
    match prose_pieces(text) {
        Some(pieces) => pieces
            .into_iter()
            .map(|(code, piece)| {
                if code {
                    markdown_code(piece)
                } else {
                    markdown_cell(piece)
                }
            })
            .collect(),
        None => markdown_cell(text),
    }
}

/// A message or fix as HTML: its `code spans` become `<code>`, all text escaped.
pub fn html_prose(text: &str) -> String {
    match prose_pieces(text) {
        Some(pieces) => pieces
            .into_iter()
            .map(|(code, piece)| {
                if code {
                    format!("<code>{}</code>", html(piece))
                } else {
                    html(piece)
                }
            })
            .collect(),
        None => html(text),
    }
}

/// Text in a quoted Mermaid label (`A["..."]`, `-->|"..."|`): Mermaid's `#code;` entities for
/// every character that could end the label, open a shape or read as markup; line breaks as
/// spaces.
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' | '[' | ']' | '(' | ')' | '{' | '}' | '<' | '>' | '|' | '&' | ';' | '`' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(html("aws_db_instance.main[0]"), "aws_db_instance.main[0]");
    }

    #[test]
    fn markdown_cells_keep_one_row_and_no_markup() {
        assert_eq!(markdown_cell("a | b"), r"a \| b");
        assert_eq!(markdown_cell("one\ntwo\r\nthree"), "one<br>two<br>three");
        assert_eq!(markdown_cell("<script>"), r"\<script\>");
        assert_eq!(
            markdown_cell("**bold** _x_ [l](u) `c`"),
            r"\*\*bold\*\* \_x\_ \[l\](u) \`c\`"
        );
        assert_eq!(markdown_cell("&lt;"), r"\&lt;");
        assert_eq!(markdown_cell(r"a\b"), r"a\\b");
        assert_eq!(markdown_cell("tab\there"), "tab here");
    }

    #[test]
    fn markdown_code_spans_survive_backticks_and_pipes() {
        assert_eq!(markdown_code("aws_s3_bucket.logs"), "`aws_s3_bucket.logs`");
        assert_eq!(
            markdown_code(r#"module.x["a|b"].t.n"#),
            r#"`module.x["a\|b"].t.n`"#
        );
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x`"), "`` `x` ``");
        assert_eq!(markdown_code("one\ntwo"), "`one two`");
    }

    #[test]
    fn prose_keeps_paired_code_spans_and_escapes_the_rest() {
        assert_eq!(
            markdown_prose("set `multi_az = true` on <b>x|y</b>"),
            r"set `multi_az = true` on \<b\>x\|y\</b\>"
        );
        assert_eq!(markdown_prose("`a|b`"), r"`a\|b`");
        // Unpaired or empty spans: everything is text.
        assert_eq!(markdown_prose("one ` tick"), r"one \` tick");
        assert_eq!(markdown_prose("``"), r"\`\`");
        assert_eq!(
            html_prose("add `<script>` & go"),
            "add <code>&lt;script&gt;</code> &amp; go"
        );
        assert_eq!(html_prose("odd ` <i>"), "odd ` &lt;i&gt;");
    }

    #[test]
    fn mermaid_labels_cannot_close_or_open_shapes() {
        assert_eq!(mermaid_label("eu-west-1"), "eu-west-1");
        assert_eq!(
            mermaid_label(r#"a "quoted" [x] (y) {z} | <b> #1;"#),
            "a #quot;quoted#quot; #91;x#93; #40;y#41; #123;z#125; #124; #60;b#62; #35;1#59;"
        );
        assert_eq!(mermaid_label("line\nbreak"), "line break");
    }
}
