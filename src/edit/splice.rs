//! Text edits of a user's YAML at the loader's node positions: replace one scalar, add keys to
//! a mapping, add an item to a sequence. Every byte outside the edited spans — comments, key
//! order, quoting, blank lines, line endings — stays as it was. The caller re-reads the result
//! and compares it with what it meant to write ([`verify`]), so an edit that YAML would read
//! otherwise is refused, never written.

use crate::load::yaml::{load_spans, Spans};
use serde_json::Value;

/// One change: the bytes `at` are replaced by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub at: (usize, usize),
    pub text: String,
}

/// Why a file could not be edited as text.
#[derive(Debug, thiserror::Error)]
pub enum SpliceError {
    #[error("the file does not load as YAML: {0}")]
    Load(String),
    #[error("cannot find `{0}` in the file")]
    Missing(String),
    #[error(
        "the edit would not read back as intended ({0}); edit the file by hand, or rewrite \
         that part in plain block style"
    )]
    Unsafe(String),
}

/// A file's text with its node spans, ready for edits.
pub struct Editable<'a> {
    pub text: &'a str,
    pub spans: Spans,
    pub value: Value,
    /// The file's line ending (`\r\n` when its first line ends so).
    pub newline: &'static str,
}

impl<'a> Editable<'a> {
    pub fn new(path: &str, text: &'a str) -> Result<Editable<'a>, SpliceError> {
        let (doc, spans) = load_spans(path, text).map_err(|d| {
            SpliceError::Load(d.first().map_or(String::new(), |d| d.message.clone()))
        })?;
        let newline = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Ok(Editable {
            text,
            spans,
            value: doc.value,
            newline,
        })
    }

    fn start(&self, pointer: &str) -> Result<usize, SpliceError> {
        self.spans
            .get(pointer)
            .map(|s| s.value.0)
            .ok_or_else(|| SpliceError::Missing(pointer.to_string()))
    }

    /// Replaces the scalar at `pointer` with `new` (already YAML text).
    pub fn replace_scalar(&self, pointer: &str, new: &str) -> Result<Splice, SpliceError> {
        let start = self.start(pointer)?;
        let end = scalar_end(self.text, start, self.in_flow(pointer));
        Ok(Splice {
            at: (start, end),
            text: new.to_string(),
        })
    }

    /// Is the node at `pointer` inside a flow collection?
    fn in_flow(&self, pointer: &str) -> bool {
        let mut p = pointer;
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            if let Some(s) = self.spans.get(p) {
                if matches!(self.text.as_bytes().get(s.value.0), Some(b'{' | b'[')) {
                    return true;
                }
            }
        }
        false
    }

    /// Is the collection at `pointer` written in flow style (`{...}` or `[...]`)?
    pub fn is_flow(&self, pointer: &str) -> bool {
        self.spans
            .get(pointer)
            .is_some_and(|s| matches!(self.text.as_bytes().get(s.value.0), Some(b'{' | b'[')))
    }

    /// Adds `entries` (key, YAML value text) at the end of the mapping at `pointer`.
    pub fn add_keys(
        &self,
        pointer: &str,
        entries: &[(&str, String)],
    ) -> Result<Splice, SpliceError> {
        let start = self.start(pointer)?;
        if self.is_flow(pointer) {
            let close = flow_end(self.text, start)
                .ok_or_else(|| SpliceError::Unsafe("an unclosed flow mapping".into()))?;
            let mut text = String::new();
            for (k, v) in entries {
                text.push_str(&format!(", {k}: {v}"));
            }
            let at = close - 1;
            let at = self.text[..at].trim_end().len();
            return Ok(Splice { at: (at, at), text });
        }
        let indent = column(self.text, start);
        let end = block_end(self.text, start, indent);
        let mut text = String::new();
        if end == self.text.len() && !self.text.ends_with('\n') {
            text.push_str(self.newline);
        }
        for (k, v) in entries {
            text.push_str(&format!("{}{k}: {v}{}", " ".repeat(indent), self.newline));
        }
        Ok(Splice {
            at: (end, end),
            text,
        })
    }

    /// Adds a mapping (key, YAML value text) as the last item of the sequence at `pointer`,
    /// creating a top-level `key:` sequence when there is none.
    pub fn push_item(
        &self,
        pointer: &str,
        entries: &[(&str, String)],
    ) -> Result<Splice, SpliceError> {
        let Some(seq) = self.spans.get(pointer) else {
            return Ok(self.new_top_level_sequence(pointer, entries));
        };
        let start = seq.value.0;
        let count = self
            .value
            .pointer(pointer)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if self.is_flow(pointer) {
            let close = flow_end(self.text, start)
                .ok_or_else(|| SpliceError::Unsafe("an unclosed flow sequence".into()))?;
            if count == 0 {
                // `key: []  # comment` becomes `key:  # comment` and the block below it.
                let indent = " ".repeat(
                    column(
                        self.text,
                        self.spans
                            .get(pointer)
                            .and_then(|s| s.key)
                            .map_or(start, |k| k.0),
                    ) + 2,
                );
                let block = self.block_item(&format!("{indent}- "), entries);
                let from = self.text[..start].trim_end_matches(' ').len();
                let line_end = self.text[close..]
                    .find(['\r', '\n'])
                    .map_or(self.text.len(), |i| close + i);
                let rest = &self.text[close..line_end];
                return Ok(Splice {
                    at: (from, line_end),
                    text: format!(
                        "{rest}{}{}",
                        self.newline,
                        block.trim_end_matches(['\r', '\n'])
                    ),
                });
            }
            let items: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let at = self.text[..close - 1].trim_end().len();
            return Ok(Splice {
                at: (at, at),
                text: format!(", {{{}}}", items.join(", ")),
            });
        }
        let last = self.start(&format!("{pointer}/{}", count.saturating_sub(1)))?;
        let line_start = self.text[..last].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &self.text[line_start..last];
        let dash = prefix
            .rfind('-')
            .filter(|d| prefix[..*d].chars().all(|c| c == ' '))
            .ok_or_else(|| SpliceError::Unsafe("a sequence item not on a `- ` line".into()))?;
        let end = block_end(self.text, last, dash + 1);
        let mut text = String::new();
        if end == self.text.len() && !self.text.ends_with('\n') {
            text.push_str(self.newline);
        }
        text.push_str(&self.block_item(prefix, entries));
        Ok(Splice {
            at: (end, end),
            text,
        })
    }

    /// One block sequence item: `prefix` (the `  - ` before the first key), then each key
    /// under the first.
    fn block_item(&self, prefix: &str, entries: &[(&str, String)]) -> String {
        let mut out = String::new();
        let pad = " ".repeat(prefix.chars().count());
        for (n, (k, v)) in entries.iter().enumerate() {
            let lead = if n == 0 { prefix } else { &pad };
            out.push_str(&format!("{lead}{k}: {v}{}", self.newline));
        }
        out
    }

    /// `key:` and its first item, at the end of the top-level mapping (indented as its keys
    /// are, and before a closing `...`).
    fn new_top_level_sequence(&self, pointer: &str, entries: &[(&str, String)]) -> Splice {
        let key = pointer.trim_start_matches('/');
        let root = self.spans.get("").map_or(0, |s| s.value.0);
        let pad = " ".repeat(column(self.text, root));
        let end = document_end(self.text);
        let mut text = String::new();
        if end > 0 && !self.text[..end].ends_with('\n') {
            text.push_str(self.newline);
        }
        text.push_str(&format!("{pad}{key}:{}", self.newline));
        text.push_str(&self.block_item(&format!("{pad}  - "), entries));
        Splice {
            at: (end, end),
            text,
        }
    }
}

/// A YAML scalar for `s`: plain when that reads back as the same string, quoted otherwise
/// (on one line: text with line breaks is double-quoted with escapes).
pub fn scalar(s: &str) -> String {
    match serde_yaml::to_string(s) {
        Ok(t) if !t.trim_end().contains('\n') => t.trim_end().to_string(),
        _ => Value::from(s).to_string(),
    }
}

/// Free text as one YAML double-quoted scalar on one line. Every character that YAML (or
/// another YAML reader) would not take as it is, or would read as a line break, is escaped:
/// C0 and C1 controls and DEL as `\xNN`, NEL, LS and PS as `\N`, `\L`, `\P`, a BOM as
/// `\uFEFF`.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text with the splices applied (they must not overlap).
pub fn apply(text: &str, mut splices: Vec<Splice>) -> String {
    splices.sort_by_key(|s| s.at);
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for s in &splices {
        out.push_str(&text[at..s.at.0.max(at)]);
        out.push_str(&s.text);
        at = s.at.1.max(at);
    }
    out.push_str(&text[at..]);
    out
}

/// Re-reads `text` and checks that it holds `expected`.
pub fn verify(path: &str, text: &str, expected: &Value) -> Result<(), SpliceError> {
    let doc = crate::load::yaml::load_str(path, text)
        .map_err(|d| SpliceError::Unsafe(d.first().map_or(String::new(), |d| d.message.clone())))?;
    if &doc.value == expected {
        Ok(())
    } else {
        Err(SpliceError::Unsafe(
            "the edited file reads back differently".into(),
        ))
    }
}

/// Where the document's content ends: before a final `...` line (and the comments and blank
/// lines after it), else after its last line that is neither blank nor a comment.
fn document_end(text: &str) -> usize {
    let mut at = text.len();
    let mut end = text.len();
    while at > 0 {
        // The line that ends at `at` (its own newline left out): `at` is the end of the text
        // or a line's start, so no slice falls inside a character.
        let before = &text[..at];
        let start = before
            .strip_suffix('\n')
            .unwrap_or(before)
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = text[start..at].trim_end_matches(['\n', '\r']).trim_end();
        if line == "..." {
            return start;
        }
        if !(line.is_empty() || line.trim_start().starts_with('#')) {
            return end;
        }
        end = start;
        at = start;
    }
    text.len()
}

/// The column (0-based, in characters) of byte `at` on its line.
fn column(text: &str, at: usize) -> usize {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at].chars().count()
}

/// Where a scalar that starts at `start` ends: a quoted one at its closing quote, a plain one
/// before a comment, the line's end, or (in flow) the next `,` `]` `}`.
fn scalar_end(text: &str, start: usize, in_flow: bool) -> usize {
    let b = text.as_bytes();
    match b.get(start) {
        Some(b'"') => {
            let mut i = start + 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return i + 1,
                    _ => i += 1,
                }
            }
            b.len()
        }
        Some(b'\'') => {
            let mut i = start + 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            b.len()
        }
        _ => {
            let mut i = start;
            while i < b.len() {
                let c = b[i];
                let comment = c == b'#' && i > start && matches!(b[i - 1], b' ' | b'\t');
                if c == b'\n'
                    || c == b'\r'
                    || comment
                    || (in_flow && matches!(c, b',' | b']' | b'}'))
                {
                    break;
                }
                i += 1;
            }
            start + text[start..i].trim_end().len()
        }
    }
}

/// The byte after the bracket that closes the flow collection opening at `start`.
fn flow_end(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                i = scalar_end(text, i, true);
                continue;
            }
            b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The end (after its newline) of the last content line of the block node starting at `start`
/// whose lines are indented at least `indent` columns: blank and comment lines after it belong
/// to what follows.
fn block_end(text: &str, start: usize, indent: usize) -> usize {
    let first_end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    let mut end = first_end;
    let mut at = first_end;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..line_end].trim_end_matches(['\n', '\r']);
        let body = line.trim_start_matches(' ');
        let blank = body.is_empty() || body.starts_with('#');
        if !blank {
            if line.len() - body.len() < indent {
                break;
            }
            end = line_end;
        }
        at = line_end;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_ends_before_a_final_dots_line_and_never_inside_a_character() {
        // Found by the `splice` fuzz target: a last line ending in a two-byte character with
        // no newline after it was cut inside that character.
        assert_eq!(document_end("x: \u{65e}"), "x: \u{65e}".len());
        assert_eq!(document_end("x: 1\n...\n# end\n"), 5);
        assert_eq!(document_end("x: \u{65e}\n...\n"), "x: \u{65e}\n".len());
        // Blank lines and comments after the last content stay after the end.
        assert_eq!(document_end("\u{65e}\n\n"), "\u{65e}\n".len());
    }

    fn edit(text: &str, f: impl Fn(&Editable) -> Vec<Splice>) -> String {
        let e = Editable::new("x.yaml", text).unwrap();
        apply(text, f(&e))
    }

    #[test]
    fn quoted_text_reads_back_as_itself() {
        for text in [
            "plain",
            "a \"quote\" and \\ back",
            "line\nbreak\ttab\r",
            "del\u{7f} c1\u{9b} nel\u{85} ls\u{2028} ps\u{2029} bom\u{feff} nul\u{0}",
            "émoji 😀 and RTL \u{202e}",
        ] {
            let q = quoted(text);
            assert!(
                !q.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{7f}']),
                "{q}"
            );
            let doc = crate::load::yaml::load_str("x", &format!("k: {q}\n")).unwrap();
            assert_eq!(doc.value["k"], text, "{q}");
        }
    }

    #[test]
    fn replaces_scalars_of_every_style() {
        let text = "a: 1 # one\nb: \"x\\\"y\"  # c\nc: 'it''s'\nd: {r: 2, s: open}\n";
        let out = edit(text, |e| {
            vec![
                e.replace_scalar("/a", "4").unwrap(),
                e.replace_scalar("/b", "z").unwrap(),
                e.replace_scalar("/c", "q").unwrap(),
                e.replace_scalar("/d/r", "5").unwrap(),
            ]
        });
        assert_eq!(out, "a: 4 # one\nb: z  # c\nc: q\nd: {r: 5, s: open}\n");
    }

    #[test]
    fn adds_keys_to_block_and_flow_mappings() {
        let text = "l:\n  - a: 1\n    b: 2 # two\n\n  # next\n  - {a: 3}\nz: 0\n";
        let out = edit(text, |e| {
            vec![
                e.add_keys("/l/0", &[("c", "3".into())]).unwrap(),
                e.add_keys("/l/1", &[("c", "4".into())]).unwrap(),
            ]
        });
        assert_eq!(
            out,
            "l:\n  - a: 1\n    b: 2 # two\n    c: 3\n\n  # next\n  - {a: 3, c: 4}\nz: 0\n"
        );
    }

    #[test]
    fn pushes_items_in_block_flow_and_new_sequences_keeping_crlf() {
        let text = "a: 1\r\nl:\r\n  - k: 1\r\n    m: |\r\n      x\r\nz: 2\r\n";
        let out = edit(text, |e| {
            vec![e.push_item("/l", &[("k", "2".into())]).unwrap()]
        });
        assert_eq!(
            out,
            "a: 1\r\nl:\r\n  - k: 1\r\n    m: |\r\n      x\r\n  - k: 2\r\nz: 2\r\n"
        );
        let out = edit("l: [] # none\n", |e| {
            vec![e
                .push_item("/l", &[("k", "1".into()), ("m", "2".into())])
                .unwrap()]
        });
        assert_eq!(out, "l: # none\n  - k: 1\n    m: 2\n");
        let out = edit("l: [{k: 1}]\n", |e| {
            vec![e.push_item("/l", &[("k", "2".into())]).unwrap()]
        });
        assert_eq!(out, "l: [{k: 1}, {k: 2}]\n");
        let out = edit("a: 1", |e| {
            vec![e.push_item("/l", &[("k", "2".into())]).unwrap()]
        });
        assert_eq!(out, "a: 1\nl:\n  - k: 2\n");
    }
}
