//! A help desk's export of conversations (SPEC §4.1): CSV with a header, or JSON Lines,
//! told apart by content. It is streamed once: each data row's wanted columns are handed to
//! the caller as text, and the bytes are hashed (SHA-256) on the way. Any problem with the
//! file as a whole — not a regular file, too large, not UTF-8, a missing column, broken CSV or
//! JSON — is an [`ExportError`]; rows are judged by the caller.

use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The largest export read (512 MiB: about five million rows of a typical export).
pub const MAX_EXPORT_SIZE: u64 = 512 * 1024 * 1024;

/// What was read: the file's SHA-256 (hex) and its number of data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub sha256: String,
    pub rows: u64,
    pub format: ExportFormat,
}

/// The two formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    JsonLines,
}

/// Why the export cannot be used at all (nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{0}` is not a regular file")]
    NotAFile(String),
    #[error("`{path}` is {size} bytes, more than the {max} bytes rubric reads; split the export (one cycle at a time)")]
    TooLarge { path: String, size: u64, max: u64 },
    #[error("`{0}` is empty")]
    Empty(String),
    #[error("`{path}` is not UTF-8 text ({what}); export it as UTF-8")]
    Encoding { path: String, what: String },
    #[error("`{path}` has no column {} (a column named in qa.yaml's assignments or required: id, agent, created_at); it has: {}", quoted(.missing), .found.join(", "))]
    MissingColumns {
        path: String,
        missing: Vec<String>,
        found: Vec<String>,
    },
    #[error("`{path}` line {line}: {message}")]
    Malformed {
        path: String,
        line: u64,
        message: String,
    },
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column to read: its name, and whether the export must have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub name: String,
    pub required: bool,
}

/// One data row: its line number (1-based, of the row's start) and the wanted columns' text,
/// in the order asked for (`None`: empty, absent, or not text).
pub struct Record<'a> {
    pub line: u64,
    pub cells: &'a [Option<&'a str>],
}

/// A reader that hashes every byte it passes on.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads the export at `path`, handing each data row's `columns` (matched without regard to
/// case or surrounding spaces) to `visit`. Every required column must exist.
pub fn read_export(
    path: &Path,
    columns: &[Wanted],
    visit: &mut dyn FnMut(Record<'_>),
) -> Result<ExportSummary, ExportError> {
    let shown = path.display().to_string();
    let io = |source| ExportError::Io {
        path: shown.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ExportError::NotAFile(shown));
    }
    if meta.len() > MAX_EXPORT_SIZE {
        return Err(ExportError::TooLarge {
            path: shown,
            size: meta.len(),
            max: MAX_EXPORT_SIZE,
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let hashing = Hashing {
        inner: file.take(MAX_EXPORT_SIZE + 1),
        hash: Sha256::new(),
    };
    let mut reader = BufReader::with_capacity(1 << 16, hashing);
    let format = sniff(&mut reader, &shown)?;
    let rows = match format {
        ExportFormat::Csv => read_csv(&mut reader, &shown, columns, visit)?,
        ExportFormat::JsonLines => read_jsonl(&mut reader, &shown, columns, visit)?,
    };
    // Whatever the parser left unread still counts in the hash.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(io)?;
    let hashing = reader.into_inner();
    if hashing.inner.limit() == 0 {
        return Err(ExportError::TooLarge {
            path: shown,
            size: MAX_EXPORT_SIZE + 1,
            max: MAX_EXPORT_SIZE,
        });
    }
    Ok(ExportSummary {
        sha256: hex(&hashing.hash.finalize()),
        rows,
        format,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Tells the format from the first bytes (a UTF-8 byte order mark is skipped; UTF-16 and
/// UTF-32 are refused): a first non-blank `{` is JSON Lines, anything else CSV.
fn sniff<R: Read>(reader: &mut BufReader<R>, shown: &str) -> Result<ExportFormat, ExportError> {
    let io = |source| ExportError::Io {
        path: shown.to_string(),
        source,
    };
    let head = reader.fill_buf().map_err(io)?;
    if head.is_empty() {
        return Err(ExportError::Empty(shown.to_string()));
    }
    let encoding = |what: &str| ExportError::Encoding {
        path: shown.to_string(),
        what: what.to_string(),
    };
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(encoding("it starts with a UTF-16 byte order mark"));
    }
    if head.len() >= 2 && (head[0] == 0 || head[1] == 0) {
        return Err(encoding(
            "it looks like UTF-16 or UTF-32: NUL bytes at the start",
        ));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    }
    let head = reader.fill_buf().map_err(io)?;
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(ExportError::Empty(shown.to_string())),
        Some(b'{') => Ok(ExportFormat::JsonLines),
        Some(_) => Ok(ExportFormat::Csv),
    }
}

/// The header's position of each wanted column (`None`: an optional column that is absent),
/// or the error naming the missing required ones.
fn positions(
    header: &[String],
    columns: &[Wanted],
    shown: &str,
) -> Result<Vec<Option<usize>>, ExportError> {
    let norm = |s: &str| s.trim().to_lowercase();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for c in columns {
        let at = header.iter().position(|h| norm(h) == norm(&c.name));
        if at.is_none() && c.required {
            missing.push(c.name.clone());
        }
        found.push(at);
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(ExportError::MissingColumns {
            path: shown.to_string(),
            missing,
            found: header.iter().map(|h| format!("`{}`", h.trim())).collect(),
        })
    }
}

fn read_csv<R: Read>(
    reader: &mut BufReader<R>,
    shown: &str,
    columns: &[Wanted],
    visit: &mut dyn FnMut(Record<'_>),
) -> Result<u64, ExportError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let csv_error = |e: csv::Error| csv_problem(e, shown);
    let header: Vec<String> = csv
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_string)
        .collect();
    let at = positions(&header, columns, shown)?;
    let mut record = csv::StringRecord::new();
    let mut rows = 0u64;
    while csv.read_record(&mut record).map_err(csv_error)? {
        rows += 1;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<Option<&str>> = at
            .iter()
            .map(|i| i.and_then(|i| record.get(i)).filter(|s| !s.is_empty()))
            .collect();
        visit(Record {
            line,
            cells: &cells,
        });
    }
    Ok(rows)
}

/// A CSV error as an export error with its line.
fn csv_problem(e: csv::Error, shown: &str) -> ExportError {
    let line = e.position().map_or(1, |p| p.line());
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => ExportError::Encoding {
            path: shown.to_string(),
            what: format!("line {line}, field {}: invalid UTF-8", err.field() + 1),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => ExportError::Malformed {
            path: shown.to_string(),
            line,
            message: format!("{len} fields where the header has {expected_len}"),
        },
        csv::ErrorKind::Io(err) => ExportError::Io {
            path: shown.to_string(),
            source: std::io::Error::new(err.kind(), err.to_string()),
        },
        _ => ExportError::Malformed {
            path: shown.to_string(),
            line,
            message: e.to_string(),
        },
    }
}

fn read_jsonl<R: Read>(
    reader: &mut BufReader<R>,
    shown: &str,
    columns: &[Wanted],
    visit: &mut dyn FnMut(Record<'_>),
) -> Result<u64, ExportError> {
    let norm: Vec<String> = columns
        .iter()
        .map(|c| c.name.trim().to_lowercase())
        .collect();
    let mut seen = vec![false; columns.len()];
    let mut buf = Vec::new();
    let (mut line, mut rows) = (0u64, 0u64);
    let mut texts: Vec<Option<String>> = vec![None; columns.len()];
    let mut first_keys: Option<Vec<String>> = None;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| ExportError::Io {
                path: shown.to_string(),
                source,
            })?;
        if n == 0 {
            break;
        }
        line += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = std::str::from_utf8(&buf).map_err(|e| ExportError::Encoding {
            path: shown.to_string(),
            what: format!("line {line}, byte {}: invalid UTF-8", e.valid_up_to() + 1),
        })?;
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| ExportError::Malformed {
                path: shown.to_string(),
                line,
                message: format!("not a JSON object: {e}"),
            })?;
        rows += 1;
        first_keys.get_or_insert_with(|| object.keys().map(|k| format!("`{k}`")).collect());
        texts.iter_mut().for_each(|t| *t = None);
        for (key, value) in &object {
            let k = key.trim().to_lowercase();
            for (i, c) in norm.iter().enumerate() {
                if *c == k {
                    seen[i] = true;
                    texts[i] = cell_text(value);
                }
            }
        }
        let cells: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
        visit(Record {
            line,
            cells: &cells,
        });
    }
    let missing: Vec<String> = columns
        .iter()
        .zip(&seen)
        .filter(|(c, s)| c.required && !**s)
        .map(|(c, _)| c.name.clone())
        .collect();
    if rows > 0 && !missing.is_empty() {
        return Err(ExportError::MissingColumns {
            path: shown.to_string(),
            missing,
            found: first_keys.unwrap_or_default(),
        });
    }
    Ok(rows)
}

/// A JSON value as a cell: text, a number's decimal text, `true`/`false`; null, arrays and
/// objects are not values.
fn cell_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
