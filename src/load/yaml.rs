//! The position-aware YAML loader: bytes in, a JSON value plus the line and column of every
//! key and value out, or diagnostics for files that are too large, not UTF-8, empty, not YAML,
//! alias bombs, too deep, or not a mapping.
//!
//! saphyr does the parsing (it rejects duplicate keys and bounds alias expansion); this module
//! drives its event stream itself so that nesting depth is bounded before any recursion.

use crate::model::diagnostic::{Code, Diagnostic, Pos};
use saphyr::{MarkedYaml, Scalar, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, SpannedEventReceiver};
use serde_json::{Map, Number, Value};
use std::collections::{HashMap, HashSet};

/// Default limit on a file's size: 1 MiB.
pub const DEFAULT_MAX_FILE_SIZE: usize = 1024 * 1024;
/// Nodes that alias expansion may produce in one file.
pub const ALIAS_LIMIT: usize = 10_000;
/// Bytes that alias expansion may add to one file: a small file cannot grow into a large one
/// through aliases of long text (counted as well as nodes).
pub const ALIAS_BYTE_LIMIT: usize = 1024 * 1024;
/// Nesting depth of sequences and mappings.
pub const MAX_DEPTH: usize = 64;

/// Where a node is: its key (for mapping values) and the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    pub key: Option<Pos>,
    pub value: Pos,
}

/// A loaded YAML file: its data as JSON and the position of each node by JSON Pointer.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    positions: Positions,
    /// Problems that do not stop the file from being read (duplicate keys: the last value is
    /// kept so that the rest of the file can still be checked).
    pub problems: Vec<Diagnostic>,
}

/// Node positions keyed by a 64-bit FNV-1a hash of the node's JSON Pointer, sorted by hash.
/// Tens of thousands of documents stay in memory at once; this avoids a string per node.
#[derive(Debug, Clone, Default)]
struct Positions(Vec<(u64, NodePos)>);

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Positions {
    fn insert(&mut self, pointer: &str, pos: NodePos) {
        self.0.push((fnv1a(pointer), pos));
    }

    fn finish(&mut self) {
        self.0.sort_by_key(|(h, _)| *h);
        self.0.shrink_to_fit();
    }

    fn get(&self, pointer: &str) -> Option<&NodePos> {
        let h = fnv1a(pointer);
        self.0
            .binary_search_by_key(&h, |(k, _)| *k)
            .ok()
            .map(|i| &self.0[i].1)
    }
}

impl Document {
    /// The position of the node at `pointer` (RFC 6901, "" for the root).
    pub fn node(&self, pointer: &str) -> Option<NodePos> {
        self.positions.get(pointer).copied()
    }

    /// Where the value at `pointer` is; falls back to the nearest ancestor that exists.
    pub fn value_pos(&self, pointer: &str) -> Pos {
        self.nearest(pointer).value
    }

    /// Where the key of the node at `pointer` is (its value for sequence items and the root).
    pub fn key_pos(&self, pointer: &str) -> Pos {
        let n = self.nearest(pointer);
        n.key.unwrap_or(n.value)
    }

    fn nearest(&self, pointer: &str) -> NodePos {
        let mut p = pointer;
        loop {
            if let Some(n) = self.positions.get(p) {
                return *n;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => {
                    return NodePos {
                        key: None,
                        value: Pos::START,
                    }
                }
            }
        }
    }
}

/// Escapes one JSON Pointer segment.
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The diagnostic for a file of `size` bytes over the limit.
pub fn too_large(path: &str, size: u64, max_size: usize) -> Diagnostic {
    Diagnostic::new(
        Code::FileTooLarge,
        path,
        Pos::START,
        format!("file is {size} bytes, over the limit of {max_size} bytes"),
    )
}

/// Loads one YAML file. `path` is only used to label diagnostics.
pub fn load(path: &str, bytes: &[u8], max_size: usize) -> Result<Document, Vec<Diagnostic>> {
    if bytes.len() > max_size {
        return Err(vec![too_large(path, bytes.len() as u64, max_size)]);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // The valid prefix is UTF-8 by definition.
            let prefix = String::from_utf8_lossy(good);
            return Err(vec![Diagnostic::new(
                Code::NotUtf8,
                path,
                pos_after(&prefix),
                format!(
                    "invalid UTF-8 at byte offset {}: the file is not UTF-8 text",
                    e.valid_up_to()
                ),
            )]);
        }
    };
    load_str(path, text)
}

/// Position just after `text` (1-based line and column).
fn pos_after(text: &str) -> Pos {
    let line = text.matches('\n').count() + 1;
    let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos::new(line, col)
}

/// For every line (0-based), how many block collections enclose it, judged by indentation:
/// the document's top-level mapping plus each less-indented content line above it (the
/// nearest, then the nearest less indented than that one, and so on). One pass with a stack of
/// those lines' indents (strictly increasing), so linear in the text: walking back from every
/// line was quadratic, and a 120 KB file of 20,000 flow sequences ending in a too-deep one
/// took 100 s to report.
fn block_depths(lines: &[&str]) -> Vec<usize> {
    let indent = |l: &str| l.chars().take_while(|c| *c == ' ').count();
    let is_content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let mut stack: Vec<usize> = Vec::new();
    lines
        .iter()
        .map(|l| {
            let i = indent(l);
            let above = stack.partition_point(|&x| x < i);
            if is_content(l) {
                stack.truncate(above);
                stack.push(i);
            }
            1 + above
        })
        .collect()
}

/// Where nesting first reaches `depth` inside flow collections (`[`, `{`), counting the block
/// collections around them; quoted text and comments are skipped. Used when saphyr's own
/// nesting limit stops it before its events reach this loader's depth check.
fn flow_depth_pos(text: &str, depth: usize) -> Option<Pos> {
    let lines: Vec<&str> = text.split('\n').collect();
    let depths = block_depths(&lines);
    let (mut line, mut col, mut level, mut base) = (1, 0, 0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = ' ';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            prev = c;
            continue;
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, _) if comment => {}
            (None, '#') if prev.is_whitespace() => comment = true,
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                if level == 0 {
                    base = depths.get(line - 1).copied().unwrap_or(1);
                }
                level += 1;
                if level + base == depth {
                    return Some(Pos::new(line, col));
                }
            }
            (None, ']' | '}') => level = level.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    None
}

/// A position inside the text: an error reported at the end of the input (after the last
/// newline) points at the end of the last line instead.
fn clamp_pos(text: &str, pos: Pos) -> Pos {
    Bound::of(text).clamp(pos)
}

/// The last line of a text and the position just after its last character: saphyr marks the
/// end of the input on the line after the last (a value left out at the end of a file without
/// a final newline, `? key`, was placed there; found by fuzzing), and every position the
/// loader gives is clamped into the file.
#[derive(Debug, Clone, Copy)]
struct Bound {
    lines: usize,
    end: Pos,
}

impl Bound {
    fn of(text: &str) -> Bound {
        let body = text.trim_end_matches('\n');
        let lines = body.matches('\n').count() + 1;
        let last = body
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .trim_end_matches('\r');
        Bound {
            lines,
            end: Pos::new(lines, last.chars().count() + 1),
        }
    }

    fn clamp(self, pos: Pos) -> Pos {
        if pos.line <= self.lines {
            pos
        } else {
            self.end
        }
    }
}

/// The first tab on `line` (1-based) or the line after it.
fn first_tab_from_line(text: &str, line: usize) -> Option<Pos> {
    let skip = line.saturating_sub(1);
    for (i, l) in text.split('\n').enumerate().skip(skip).take(2) {
        if let Some(col) = l.chars().position(|c| c == '\t') {
            return Some(Pos::new(i + 1, col + 1));
        }
    }
    None
}

fn pos_of(m: &saphyr_parser::Marker) -> Pos {
    Pos::new(m.line().max(1), m.col() + 1)
}

/// An open collection while events stream past.
enum Frame {
    Sequence,
    Mapping {
        expect_key: bool,
        keys: HashSet<String>,
    },
}

/// Forwards parser events to saphyr's loader, counting nesting and documents and catching
/// duplicate text keys (saphyr's own check compares YAML values, which also flags repeated
/// null and collection keys that this loader reports as unsupported instead).
struct Receiver<'i> {
    loader: YamlLoader<'i, MarkedYaml<'i>>,
    depth: usize,
    documents: usize,
    extra_document: Option<Pos>,
    stack: Vec<Frame>,
    duplicates: Vec<(Pos, String)>,
    /// Bytes of text read so far, aliases expanded.
    bytes: usize,
    /// Bytes that aliases added.
    expanded: usize,
    /// Anchor id → the bytes of its node, aliases inside expanded.
    anchors: std::collections::HashMap<usize, usize>,
    /// Open sequences and mappings: their anchor id (0: none) and `bytes` when they opened.
    open: Vec<(usize, usize)>,
}

impl Receiver<'_> {
    /// Counts the text and the alias expansion of one event.
    fn count(&mut self, ev: &Event<'_>) {
        match ev {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open.push((*anchor, self.bytes));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, start)) = self.open.pop() {
                    if anchor > 0 {
                        self.anchors.insert(anchor, self.bytes - start);
                    }
                }
            }
            Event::Scalar(text, _, anchor, _) => {
                let n = text.len() + 1;
                self.bytes += n;
                if *anchor > 0 {
                    self.anchors.insert(*anchor, n);
                }
            }
            Event::Alias(anchor) => {
                let n = self.anchors.get(anchor).copied().unwrap_or(0);
                self.bytes = self.bytes.saturating_add(n);
                self.expanded = self.expanded.saturating_add(n);
            }
            _ => {}
        }
    }

    /// Is the node that starts now a mapping key?
    fn at_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Mapping {
                expect_key: true,
                ..
            })
        )
    }

    /// A whole node (key or value) has been read in the innermost collection.
    fn node_done(&mut self) {
        if let Some(Frame::Mapping { expect_key, .. }) = self.stack.last_mut() {
            *expect_key = !*expect_key;
        }
    }
}

/// Is a plain scalar one of YAML's spellings of null?
fn is_null_plain(text: &str, style: saphyr_parser::ScalarStyle) -> bool {
    style == saphyr_parser::ScalarStyle::Plain
        && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

impl<'i> SpannedEventReceiver<'i> for Receiver<'i> {
    fn on_event(&mut self, ev: Event<'i>, span: saphyr_parser::Span) {
        self.count(&ev);
        match &ev {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                self.depth += 1;
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Sequence
                } else {
                    Frame::Mapping {
                        expect_key: true,
                        keys: HashSet::new(),
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.depth = self.depth.saturating_sub(1);
                self.stack.pop();
                self.node_done();
            }
            Event::Scalar(text, style, _, _) => {
                if self.at_key() && !is_null_plain(text, *style) {
                    let text = text.to_string();
                    if let Some(Frame::Mapping { keys, .. }) = self.stack.last_mut() {
                        if !keys.insert(text.clone()) {
                            self.duplicates.push((pos_of(&span.start), text));
                        }
                    }
                }
                self.node_done();
            }
            Event::Alias(_) => self.node_done(),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 2 {
                    self.extra_document = Some(pos_of(&span.start));
                }
            }
            _ => {}
        }
        self.loader.on_event(ev, span);
    }
}

/// Loads YAML text. Every position (of a node or a diagnostic) lies inside the text.
pub fn load_str(path: &str, text: &str) -> Result<Document, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bound = Bound::of(text);
    let clamp = |ds: &mut Vec<Diagnostic>| {
        for d in ds {
            let pos = bound.clamp(d.pos());
            (d.line, d.column) = (pos.line, pos.column);
        }
    };
    match load_text(path, text, bound) {
        Ok(mut doc) => {
            clamp(&mut doc.problems);
            Ok(doc)
        }
        Err(mut problems) => {
            clamp(&mut problems);
            Err(problems)
        }
    }
}

fn load_text(path: &str, text: &str, bound: Bound) -> Result<Document, Vec<Diagnostic>> {
    let recv = read_events(path, text)?;
    if let Some(pos) = recv.extra_document {
        return Err(vec![Diagnostic::new(
            Code::MultipleDocuments,
            path,
            pos,
            "a second YAML document starts here; a file holds one",
        )]);
    }
    let docs = recv.loader.into_documents();
    let Some(root) = docs.into_iter().next() else {
        return Err(vec![Diagnostic::new(
            Code::EmptyFile,
            path,
            Pos::START,
            "the file has no content",
        )]);
    };
    check_root(path, &root)?;
    let mut positions = Positions::default();
    let mut problems = Vec::new();
    let mut pointer = String::new();
    let value = convert(
        &root,
        None,
        &mut pointer,
        &mut positions,
        &mut problems,
        (path, bound),
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    positions.finish();
    let problems = recv
        .duplicates
        .iter()
        .map(|(pos, key)| {
            Diagnostic::new(
                Code::DuplicateKey,
                path,
                *pos,
                format!("duplicate key `{key}` in mapping (the last value is the one checked)"),
            )
        })
        .collect();
    Ok(Document {
        value,
        positions,
        problems,
    })
}

/// Streams the parser's events through a [`Receiver`], stopping at the first syntax error,
/// loader error or nesting deeper than [`MAX_DEPTH`].
fn read_events<'i>(path: &str, text: &'i str) -> Result<Receiver<'i>, Vec<Diagnostic>> {
    let mut parser = Parser::new_from_str(text);
    let mut loader = YamlLoader::default();
    loader.alias_limit(ALIAS_LIMIT);
    loader.allow_duplicate_keys(true);
    let mut recv = Receiver {
        loader,
        depth: 0,
        documents: 0,
        extra_document: None,
        stack: Vec::new(),
        duplicates: Vec::new(),
        bytes: 0,
        expanded: 0,
        anchors: std::collections::HashMap::new(),
        open: Vec::new(),
    };
    for item in &mut parser {
        let (ev, span) = match item {
            Ok(x) => x,
            Err(e) => return Err(syntax_error(path, text, pos_of(e.marker()), e.info())),
        };
        let is_end = matches!(ev, Event::StreamEnd);
        recv.on_event(ev, span);
        if let Some(e) = recv.loader.error() {
            return Err(syntax_error(path, text, pos_of(e.marker()), e.info()));
        }
        if recv.expanded > ALIAS_BYTE_LIMIT {
            return Err(vec![Diagnostic::new(
                Code::AliasLimit,
                path,
                pos_of(&span.start),
                format!(
                    "aliases expand to more than {ALIAS_BYTE_LIMIT} bytes (a \"billion laughs\" file?)"
                ),
            )]);
        }
        if recv.depth > MAX_DEPTH {
            return Err(vec![Diagnostic::new(
                Code::TooDeep,
                path,
                pos_of(&span.start),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            )]);
        }
        if is_end {
            break;
        }
    }
    Ok(recv)
}

/// The diagnostic for an error saphyr reports at `pos`, by what its message `info` says.
fn syntax_error(path: &str, text: &str, pos: Pos, info: &str) -> Vec<Diagnostic> {
    let (code, pos, message) = if info.contains("duplicated key") {
        (
            Code::DuplicateKey,
            pos,
            "duplicate key in mapping".to_string(),
        )
    } else if info.contains("alias expansion") {
        (
            Code::AliasLimit,
            pos,
            format!("aliases expand to more than {ALIAS_LIMIT} nodes (a \"billion laughs\" file?)"),
        )
    } else if info.contains("recursion limit") {
        (
            Code::TooDeep,
            flow_depth_pos(text, MAX_DEPTH + 1).unwrap_or(pos),
            format!("nesting deeper than {MAX_DEPTH} levels"),
        )
    } else if info.contains("found a tab")
        || info.contains("tabs disallowed")
        || info.contains("tab character")
    {
        // saphyr reports tab errors after the tab, sometimes on the line before it.
        (
            Code::YamlSyntax,
            first_tab_from_line(text, pos.line).unwrap_or(pos),
            format!("YAML syntax error: {info} (indent with spaces, not tabs)"),
        )
    } else {
        (Code::YamlSyntax, pos, format!("YAML syntax error: {info}"))
    };
    vec![Diagnostic::new(code, path, clamp_pos(text, pos), message)]
}

/// Checks that the document's root is a mapping (not empty, a sequence or a single value).
fn check_root(path: &str, root: &MarkedYaml<'_>) -> Result<(), Vec<Diagnostic>> {
    match &root.data {
        YamlData::Mapping(_) => Ok(()),
        YamlData::Value(Scalar::Null) => Err(vec![Diagnostic::new(
            Code::EmptyFile,
            path,
            Pos::START,
            "the file holds an empty document",
        )]),
        other => {
            let what = match other {
                YamlData::Sequence(_) => "a sequence",
                _ => "a single value",
            };
            Err(vec![Diagnostic::new(
                Code::NotAMapping,
                path,
                pos_of(&root.span.start),
                format!("the file holds {what}, not a mapping of keys to values"),
            )])
        }
    }
}

fn convert(
    node: &MarkedYaml<'_>,
    key: Option<Pos>,
    pointer: &mut String,
    positions: &mut Positions,
    problems: &mut Vec<Diagnostic>,
    (path, bound): (&str, Bound),
) -> Value {
    let here = bound.clamp(pos_of(&node.span.start));
    positions.insert(pointer, NodePos { key, value: here });
    match &node.data {
        YamlData::Value(s) => scalar(s, here, path, problems),
        YamlData::Representation(text, _, _) => Value::String(text.to_string()),
        YamlData::Tagged(_, inner) => {
            convert(inner, key, pointer, positions, problems, (path, bound))
        }
        YamlData::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                out.push(convert(
                    item,
                    None,
                    pointer,
                    positions,
                    problems,
                    (path, bound),
                ));
                pointer.truncate(len);
            }
            Value::Array(out)
        }
        YamlData::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map.iter() {
                let kpos = bound.clamp(pos_of(&k.span.start));
                let name = match key_text(k) {
                    Some(n) => n,
                    None => {
                        problems.push(Diagnostic::new(
                            Code::UnsupportedKey,
                            path,
                            kpos,
                            "this key is not plain text (a sequence, mapping or null key)",
                        ));
                        continue;
                    }
                };
                if out.contains_key(&name) {
                    // Keys equal as text but not as YAML values, such as `1` and `"1"`.
                    problems.push(Diagnostic::new(
                        Code::DuplicateKey,
                        path,
                        kpos,
                        format!("duplicate key `{name}` in mapping"),
                    ));
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_segment(&name));
                let value = convert(v, Some(kpos), pointer, positions, problems, (path, bound));
                pointer.truncate(len);
                out.insert(name, value);
            }
            Value::Object(out)
        }
        YamlData::Alias(_) | YamlData::BadValue => {
            problems.push(Diagnostic::new(
                Code::UnsupportedValue,
                path,
                here,
                "this value does not match its tag",
            ));
            Value::Null
        }
    }
}

fn key_text(k: &MarkedYaml<'_>) -> Option<String> {
    match &k.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Representation(text, _, _) => Some(text.to_string()),
        YamlData::Tagged(_, inner) => key_text(inner),
        _ => None,
    }
}

fn scalar(s: &Scalar<'_>, here: Pos, path: &str, problems: &mut Vec<Diagnostic>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => match Number::from_f64(f.into_inner()) {
            Some(n) => Value::Number(n),
            None => {
                problems.push(Diagnostic::new(
                    Code::UnsupportedValue,
                    path,
                    here,
                    "NaN and infinity are not numbers a rubric can use",
                ));
                Value::Null
            }
        },
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

/// Byte ranges in the text of a node: its key (for a mapping value) and its value. For
/// editors that change a value and leave every other byte as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpan {
    pub key: Option<(usize, usize)>,
    pub value: (usize, usize),
}

/// Node spans by JSON Pointer.
#[derive(Debug, Clone, Default)]
pub struct Spans(HashMap<String, NodeSpan>);

impl Spans {
    pub fn get(&self, pointer: &str) -> Option<NodeSpan> {
        self.0.get(pointer).copied()
    }
}

/// Loads YAML text like [`load_str`], and also gives the byte span of every node.
pub fn load_spans(path: &str, text: &str) -> Result<(Document, Spans), Vec<Diagnostic>> {
    let doc = load_str(path, text)?;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let recv = read_events(path, body)?;
    let mut spans = Spans::default();
    if let Some(root) = recv.loader.into_documents().into_iter().next() {
        let mut bytes: Vec<usize> = body.char_indices().map(|(b, _)| b + bom).collect();
        bytes.push(text.len());
        let at = |m: &saphyr_parser::Marker| bytes.get(m.index()).copied().unwrap_or(text.len());
        let mut pointer = String::new();
        record_spans(&root, None, &mut pointer, &mut spans, &at);
    }
    Ok((doc, spans))
}

fn record_spans(
    node: &MarkedYaml<'_>,
    key: Option<(usize, usize)>,
    pointer: &mut String,
    spans: &mut Spans,
    at: &dyn Fn(&saphyr_parser::Marker) -> usize,
) {
    let value = (at(&node.span.start), at(&node.span.end));
    spans.0.insert(pointer.clone(), NodeSpan { key, value });
    let mut child = |seg: &str, k: Option<(usize, usize)>, v: &MarkedYaml<'_>| {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&escape_segment(seg));
        record_spans(v, k, pointer, spans, at);
        pointer.truncate(len);
    };
    match &node.data {
        YamlData::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                child(&i.to_string(), None, item);
            }
        }
        YamlData::Mapping(map) => {
            for (k, v) in map.iter() {
                if let Some(name) = key_text(k) {
                    child(&name, Some((at(&k.span.start), at(&k.span.end))), v);
                }
            }
        }
        YamlData::Tagged(_, inner) => record_spans(inner, key, pointer, spans, at),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long file whose last line nests flow sequences past saphyr's limit is reported at
    /// once, at the bracket that goes too deep (finding that place was quadratic in the
    /// number of lines: minutes for this file).
    #[test]
    fn a_too_deep_flow_after_many_lines_is_found_at_once() {
        let mut text = String::from("a:\n");
        for _ in 0..20_000 {
            text.push_str("- [x]\n");
        }
        text.push_str(&format!("- {}\n", "[".repeat(300)));
        let started = std::time::Instant::now();
        let e = load_str("x.yaml", &text).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!(e[0].code, Code::TooDeep, "{e:?}");
        // (The indentation heuristic counts the top-level mapping, not the sequence at its
        // indent: the 64th bracket.)
        assert_eq!(e[0].pos(), Pos::new(20_002, 66), "{e:?}");
    }

    /// The one-pass block depths are the depths of the walk back from each line.
    #[test]
    fn block_depths_match_walking_back() {
        fn walk_back(lines: &[&str], line: usize) -> usize {
            let indent = |l: &str| l.chars().take_while(|c| *c == ' ').count();
            let is_content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
            let mut depth = 1;
            let mut current = lines.get(line).map_or(0, |l| indent(l));
            for l in lines[..line].iter().rev() {
                if is_content(l) && indent(l) < current {
                    depth += 1;
                    current = indent(l);
                }
            }
            depth
        }
        let text = "a:\n  b:\n    - c\n\n      # note\n    - [d]\n  e: 1\n   \nf:\n  - g: [h]\n    i: 2\n        j\n  k\n";
        let lines: Vec<&str> = text.split('\n').collect();
        let depths = block_depths(&lines);
        for (i, d) in depths.iter().enumerate() {
            assert_eq!(*d, walk_back(&lines, i), "line {i}: {:?}", lines[i]);
        }
    }

    /// A value left out at the very end of a file without a final newline (`? key`) is placed
    /// at the end of the last line, not on a line after the file (found by fuzzing).
    #[test]
    fn a_missing_value_at_the_end_is_inside_the_file() {
        for text in ["? x", "a: 1\n? x", "a: 1\n? x\n"] {
            let doc = load_str("x.yaml", text).unwrap();
            let lines = text.trim_end_matches('\n').lines().count();
            let v = doc.node("/x").unwrap().value;
            assert_eq!(v, Pos::new(lines, 4), "{text:?}");
        }
    }

    #[test]
    fn positions_of_keys_and_values() {
        let doc = load_str("x.yaml", "a: 1\nb:\n  c: [x, y]\n").unwrap();
        assert_eq!(doc.node("/a").unwrap().key, Some(Pos::new(1, 1)));
        assert_eq!(doc.node("/a").unwrap().value, Pos::new(1, 4));
        assert_eq!(doc.node("/b/c").unwrap().key, Some(Pos::new(3, 3)));
        assert_eq!(doc.node("/b/c/1").unwrap().value, Pos::new(3, 10));
        assert_eq!(doc.value_pos("/b/c/7"), Pos::new(3, 6));
    }

    #[test]
    fn duplicate_key_points_at_second_key() {
        let doc = load_str("x.yaml", "a: 1\nb: 2\na: 3\nb: [x]\n").unwrap();
        let e = &doc.problems;
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].code, Code::DuplicateKey);
        assert_eq!((e[0].line, e[0].column), (3, 1));
        assert_eq!((e[1].line, e[1].column), (4, 1));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = "[".repeat(200_000);
        let e = load_str("x.yaml", &text).unwrap_err();
        assert!(matches!(e[0].code, Code::TooDeep | Code::YamlSyntax));
        let text = format!("a: {}1{}", "{b: ".repeat(100), "}".repeat(100));
        let e = load_str("x.yaml", &text).unwrap_err();
        assert_eq!(e[0].code, Code::TooDeep);
        assert_eq!((e[0].line, e[0].column), (1, 4 + 4 * 63));
        let text = format!("a: {}", "{b: ".repeat(100_000));
        assert!(load_str("x.yaml", &text).is_err());
    }
}
