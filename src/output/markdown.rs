//! The one Markdown escaper, for text from YAML and git in Markdown output: `diff --format md`
//! (a pull-request comment) and the Markdown pages (the templates' `md()` and `mdblock()`).

/// Escapes text for one line of Markdown or a table cell: it cannot break the table (`|`,
/// line breaks), bring in HTML (`<`, `>`, `&`), links (`[`, `]`), code or emphasis (`` ` ``,
/// `*`, `_`), and an `@mention` gets a zero-width joiner after the `@`, so that a comment
/// pings nobody.
pub fn escape(s: &str) -> String {
    escape_with(s, " ")
}

/// [`escape`] for a block quote's text: trimmed, each line break continues the quote.
pub fn quote(s: &str) -> String {
    escape_with(s.replace('\r', "").trim(), "\n> ")
}

/// A code span of an identifier (a rubric id): a fence longer than any backtick run in it, pipes
/// escaped for a table cell (GFM reads `\|` even inside code), line breaks as spaces, and
/// `@` defused as in [`escape`].
pub fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let inner = s
        .replace(['\r', '\n'], " ")
        .replace('|', "\\|")
        .replace('@', "@\u{200d}");
    let pad = if inner.starts_with('`') || inner.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{inner}{pad}{fence}")
}

fn escape_with(s: &str, line_break: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '|' | '[' | ']' | '`' | '*' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{200d}"),
            '\r' => {}
            '\n' => out.push_str(line_break),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a|b *bold* _it_ `code` [x](y) <b>hi</b> & @alice\nnext\\";

    #[test]
    fn hostile_text_is_inert() {
        assert_eq!(
            escape(HOSTILE),
            "a\\|b \\*bold\\* \\_it\\_ \\`code\\` \\[x\\](y) &lt;b&gt;hi&lt;/b&gt; &amp; \
             @\u{200d}alice next\\\\"
        );
        let e = escape(HOSTILE);
        assert!(!e.contains('\n') && !e.contains("@alice") && !e.contains("<b>"));
        assert!(!e.contains("[x]"));
    }

    #[test]
    fn quotes_continue_the_block() {
        assert_eq!(quote("  one\r\ntwo @bob\n"), "one\n> two @\u{200d}bob");
    }

    #[test]
    fn code_spans() {
        assert_eq!(code("support"), "`support`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("@team"), "`@\u{200d}team`");
    }
}
