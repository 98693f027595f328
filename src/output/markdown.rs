//! The one Markdown escaper, for text from YAML and git in Markdown output: `diff --format md`
//! (a pull-request comment) and the Markdown pages (the templates' `md()` and `mdblock()`).

/// Escapes text for one line of Markdown or a table cell: it cannot break the table (`|`,
/// line breaks), bring in HTML (`<`, `>`, `&`), links (`[`, `]`), code or emphasis (`` ` ``,
/// `*`, `_`), and an `@mention` gets a zero-width joiner after the `@`, so that a comment
/// pings nobody (an `@` after a letter or digit, as in an e-mail address, mentions nobody and
/// is kept). Raw links are defused the same way, so that a URL written in YAML never becomes a
/// clickable link in a PR comment or a page (GitHub's autolinks): a zero-width joiner after
/// every `://` (`https://\u{200d}example.com`) and between `www` and its `.` at the start of a
/// word (`www\u{200d}.example.com`). The text reads the same; a reader who wants to follow
/// the address copies it and removes the joiner.
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
    let mut inner = String::with_capacity(s.len() + 4);
    let mut prev = None;
    for c in s.chars() {
        match c {
            '\r' | '\n' => inner.push(' '),
            '|' => inner.push_str("\\|"),
            c => inner.push(c),
        }
        defuse(&mut inner, prev, c);
        prev = Some(c);
    }
    let pad = if inner.starts_with('`') || inner.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{inner}{pad}{fence}")
}

fn escape_with(s: &str, line_break: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev = None;
    // The four characters before `c`, the latest last.
    let mut before: [Option<char>; 4] = [None; 4];
    for c in s.chars() {
        if c == '.' && starts_www(&before) {
            out.push('\u{200d}');
        }
        match c {
            '\\' | '|' | '[' | ']' | '`' | '*' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push_str(line_break),
            c => out.push(c),
        }
        defuse(&mut out, prev, c);
        if c == '/' && before[2..] == [Some(':'), Some('/')] {
            out.push('\u{200d}');
        }
        prev = Some(c);
        before.rotate_left(1);
        before[3] = Some(c);
    }
    out
}

/// Do the characters before a `.` end in a word `www` (any case), which GitHub would autolink
/// with what follows?
fn starts_www(before: &[Option<char>; 4]) -> bool {
    let www = before[1..]
        .iter()
        .all(|c| c.is_some_and(|c| c.eq_ignore_ascii_case(&'w')));
    www && !before[0].is_some_and(|c| c.is_alphanumeric())
}

/// After an `@` that could start a mention (not after an ASCII letter or digit), a zero-width joiner.
fn defuse(out: &mut String, prev: Option<char>, c: char) {
    if c == '@' && !prev.is_some_and(|p| p.is_ascii_alphanumeric()) {
        out.push('\u{200d}');
    }
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
    fn addresses_are_not_mentions() {
        assert_eq!(escape("alice@example.com"), "alice@example.com");
        assert_eq!(escape("(@bob)"), "(@\u{200d}bob)");
        assert_eq!(escape("x_@bob"), "x\\_@\u{200d}bob");
    }

    #[test]
    fn raw_links_are_defused() {
        assert_eq!(
            escape("see https://evil.example/x?a=1 now"),
            "see https://\u{200d}evil.example/x?a=1 now"
        );
        assert_eq!(escape("HTTP://x.y"), "HTTP://\u{200d}x.y");
        assert_eq!(
            escape("go to www.evil.example"),
            "go to www\u{200d}.evil.example"
        );
        assert_eq!(escape("(WWW.x.y)"), "(WWW\u{200d}.x.y)");
        assert_eq!(escape("www.a"), "www\u{200d}.a");
        // Not a link: kept as written.
        assert_eq!(escape("awww.x 1:/2 a/b"), "awww.x 1:/2 a/b");
        assert_eq!(escape("ftp://h"), "ftp://\u{200d}h");
        // In a block quote as well.
        assert_eq!(quote("a\nhttps://x.y"), "a\n> https://\u{200d}x.y");
        for text in ["https://evil.example", "www.evil.example", "http://a.b"] {
            let e = escape(text);
            assert!(
                !e.contains("://e") && !e.contains("www.") && !e.contains("://a"),
                "{e}"
            );
        }
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
        assert_eq!(code("chat@1"), "`chat@1`");
    }
}
