//! `rubric export`: one row per rating as JSON Lines, or CSV written with `csv`'s `serialize`
//! of a flat view of the report row. Text cells from YAML are neutralised against spreadsheet
//! formula injection (OWASP: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return
//! gets a leading `'`). To standard output, or to a file replaced whole.

use crate::report::ExportRow;
use serde::Serialize;

/// A text cell from YAML, neutralised for spreadsheets when written to CSV.
pub struct Cell<'a>(pub &'a str);

/// The OWASP rule for CSV cells: text that a spreadsheet would read as a formula is prefixed
/// with `'`.
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

impl Serialize for Cell<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&neutralise(self.0))
    }
}

/// One CSV record of `export`: the report row with lists joined and text neutralised.
#[derive(Serialize)]
struct CsvRow<'a> {
    review: Cell<'a>,
    agent: Cell<'a>,
    team: Option<Cell<'a>>,
    reviewer: Cell<'a>,
    date: &'a str,
    rubric: &'a str,
    version: u32,
    conversation: Option<Cell<'a>>,
    url: Option<Cell<'a>>,
    channel: Option<Cell<'a>>,
    category: &'a str,
    rating: Option<i64>,
    value: Option<f64>,
    scale: u8,
    weight: f64,
    critical: bool,
    review_score: Option<f64>,
    pass: Option<bool>,
    calibration: Option<Cell<'a>>,
    path: Cell<'a>,
    comment: Option<Cell<'a>>,
    root_causes: String,
    review_comment: Option<Cell<'a>>,
    change: &'a str,
    commit: Option<&'a str>,
}

fn cell(s: &Option<String>) -> Option<Cell<'_>> {
    s.as_deref().map(Cell)
}

fn csv_row(r: &ExportRow) -> CsvRow<'_> {
    CsvRow {
        review: Cell(&r.review),
        agent: Cell(&r.agent),
        team: r.team.as_deref().map(Cell),
        reviewer: Cell(&r.reviewer),
        date: &r.date,
        rubric: &r.rubric,
        version: r.version,
        conversation: cell(&r.conversation),
        url: cell(&r.url),
        channel: cell(&r.channel),
        category: &r.category,
        rating: r.rating,
        value: r.value,
        scale: r.scale,
        weight: r.weight,
        critical: r.critical,
        review_score: r.review_score,
        pass: r.pass,
        calibration: cell(&r.calibration),
        path: Cell(&r.path),
        comment: cell(&r.comment),
        root_causes: r.root_causes.join("; "),
        review_comment: cell(&r.review_comment),
        change: r.change.as_str(),
        commit: r.commit.as_deref(),
    }
}

/// Writes the rows as JSON Lines or CSV into `out`; any write or serialisation error is
/// returned, never swallowed.
pub fn export(
    rows: &[ExportRow],
    csv: bool,
    out: &mut dyn std::io::Write,
) -> Result<(), std::io::Error> {
    if !csv {
        for r in rows {
            serde_json::to_writer(&mut *out, r)?;
            out.write_all(b"\n")?;
        }
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(out);
    if rows.is_empty() {
        // The header alone, so that an empty export still names its columns.
        w.write_record(CSV_HEADER)?;
    }
    for r in rows {
        w.serialize(csv_row(r)).map_err(io_error)?;
    }
    w.flush()
}

/// A CSV error as an I/O error, keeping the kind of an I/O one (a closed pipe stays one).
fn io_error(e: csv::Error) -> std::io::Error {
    if !e.is_io_error() {
        return e.into();
    }
    match e.into_kind() {
        csv::ErrorKind::Io(inner) => inner,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Writes the export into the file `path` as a whole (a temporary file beside it, then a
/// rename), through `disk`: when anything fails, a previous file at `path` is left as it was
/// and nothing half-written is ever there.
pub fn export_to_file(
    disk: &dyn crate::load::disk::Disk,
    path: &std::path::Path,
    rows: &[ExportRow],
    csv: bool,
) -> Result<(), std::io::Error> {
    crate::load::file::write_atomic_with(disk, path, true, |w| export(rows, csv, w))
}

const CSV_HEADER: &[&str] = &[
    "review",
    "agent",
    "team",
    "reviewer",
    "date",
    "rubric",
    "version",
    "conversation",
    "url",
    "channel",
    "category",
    "rating",
    "value",
    "scale",
    "weight",
    "critical",
    "review_score",
    "pass",
    "calibration",
    "path",
    "comment",
    "root_causes",
    "review_comment",
    "change",
    "commit",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owasp_cells() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("+x"), "'+x");
        assert_eq!(neutralise("-x"), "'-x");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("fine"), "fine");
    }
}
