//! Reading a file and loading it: bytes (bounded by the size limit), YAML with positions, the
//! bundled schema, then the typed model.

use crate::load::schema::{self, Kind};
use crate::load::yaml::{self, Document};
use crate::model::diagnostic::{Code, Diagnostic, Pos};
use serde::de::DeserializeOwned;
use std::path::Path;

/// A file after loading, schema validation and typing.
pub struct Loaded<T> {
    pub rel: String,
    pub doc: Option<Document>,
    pub value: Option<T>,
    pub problems: Vec<Diagnostic>,
}

/// A file's bytes, or why there are none.
pub enum Input {
    Bytes(Vec<u8>),
    TooLarge(u64),
    Failed(std::io::Error),
}

pub fn load_typed<T: DeserializeOwned>(
    kind: Kind,
    rel: &str,
    input: Input,
    max_size: usize,
) -> Loaded<T> {
    let mut out = Loaded {
        rel: rel.to_string(),
        doc: None,
        value: None,
        problems: Vec::new(),
    };
    let bytes = match input {
        Input::Bytes(b) => b,
        Input::TooLarge(size) => {
            out.problems.push(yaml::too_large(rel, size, max_size));
            return out;
        }
        Input::Failed(e) => {
            out.problems.push(Diagnostic::new(
                Code::Io,
                rel,
                Pos::START,
                format!("cannot read the file: {e}"),
            ));
            return out;
        }
    };
    let mut doc = match yaml::load(rel, &bytes, max_size) {
        Ok(d) => d,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    out.problems = std::mem::take(&mut doc.problems);
    out.problems.extend(schema::validate(kind, rel, &doc));
    if out.problems.is_empty() {
        match T::deserialize(&doc.value) {
            Ok(v) => out.value = Some(v),
            Err(e) => out.problems.push(Diagnostic::new(
                Code::Schema,
                rel,
                Pos::START,
                format!("does not match the {} format: {e}", kind.name()),
            )),
        }
    }
    out.doc = Some(doc);
    out
}

/// Reads a regular file, bounded by the size limit: a FIFO, a device or a folder is refused
/// (reading one could hang or never end), and a file over the limit is not read whole.
pub fn read(path: &Path, max_size: usize) -> Input {
    use std::io::Read;
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Input::Failed(std::io::Error::other(
                "not a regular file (a folder, FIFO, socket or device): rubric reads only files",
            ))
        }
        Ok(m) if m.len() > max_size as u64 => return Input::TooLarge(m.len()),
        Ok(_) => {}
        Err(e) => return Input::Failed(e),
    }
    let result = (|| {
        let f = std::fs::File::open(path)?;
        let mut buf = Vec::new();
        // Read one byte past the limit so that a file that grew meanwhile is still bounded.
        f.take((max_size as u64).saturating_add(1))
            .read_to_end(&mut buf)?;
        Ok(buf)
    })();
    match result {
        Ok(buf) if buf.len() > max_size => Input::TooLarge(buf.len() as u64),
        Ok(buf) => Input::Bytes(buf),
        Err(e) => Input::Failed(e),
    }
}

/// Reads `root`/`rel` as [`read`] does, and refuses a file reached through a symbolic link
/// that leads outside `root`: nothing outside the repository is ever read.
pub fn read_within(root: &Path, rel: &str, max_size: usize) -> Input {
    let path = root.join(rel);
    let linked = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if linked {
        let inside = match (std::fs::canonicalize(root), std::fs::canonicalize(&path)) {
            (Ok(r), Ok(p)) => p.starts_with(r),
            _ => false,
        };
        if !inside {
            return Input::Failed(std::io::Error::other(
                "a symbolic link to outside the repository: rubric does not follow it",
            ));
        }
    }
    read(&path, max_size)
}

/// Writes a file atomically: a temporary file in the same folder, written and synced, then
/// moved into place. With `replace` it replaces `path`; without, it fails with
/// `AlreadyExists` when `path` exists (so a file created in the meantime is never
/// overwritten). Nothing half-written is ever visible at `path`.
pub fn write_atomic(path: &Path, contents: &[u8], replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".rubric-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    let placed = if replace {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    placed.map(|_| ()).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_never_clobbers_without_replace() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        write_atomic(&p, b"one", false).unwrap();
        let e = write_atomic(&p, b"two", false).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        write_atomic(&p, b"three", true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "three");
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.yaml")]);
    }
}
