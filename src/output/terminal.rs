//! Text for a terminal: control characters from YAML or file names (escape sequences, a
//! carriage return that overwrites a line, bidirectional overrides that reorder it) are shown
//! as visible escapes, never sent raw.

use std::borrow::Cow;

/// Is `c` a character a terminal would act on rather than show?
fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character (except newline and tab) and every bidirectional
/// formatting character written as `\u{…}`.
pub fn plain(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(plain("ok"), "ok");
        assert_eq!(plain("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(plain("x\ry"), "x\\u{d}y");
        assert_eq!(plain("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(plain("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(plain("line\nnext\tcol"), "line\nnext\tcol");
    }
}
