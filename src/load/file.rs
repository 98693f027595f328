//! Reading a file and loading it: bytes (bounded by the size limit), YAML with positions, the
//! bundled schema, then the typed model. Writing a file: atomically, through a [`Disk`].

use crate::load::disk::{self, Disk};
use crate::load::schema::{self, Kind};
use crate::load::yaml::{self, Document};
use crate::model::diagnostic::{Code, Diagnostic, Pos};
use serde::de::DeserializeOwned;
use std::io::Write;
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

/// May `path` be written (or created, with the folders it needs) without leaving `root`?
/// The nearest folder of `path` that exists must lie inside `root` once every symbolic link in
/// it is resolved (so no folder on the way is a link leading out), the folders still to be
/// created must be plain names (no `..`), and `path` itself, if it exists, must not be a
/// symbolic link (a write would go through it). Call it before creating folders and again
/// right before writing. The error says why, for a message that names the path.
pub fn ensure_within(root: &Path, path: &Path) -> std::io::Result<()> {
    use std::path::Component;
    let refuse = |why: &str| Err(std::io::Error::other(why.to_string()));
    let base = std::fs::canonicalize(root)?;
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return refuse("it is a symbolic link: rubric does not write through links")
        }
        Ok(_) | Err(_) => {}
    }
    // The nearest existing folder above `path`, and what is still to be created below it.
    let mut missing = 0usize;
    let mut at = path.parent();
    let existing = loop {
        let Some(dir) = at.filter(|d| !d.as_os_str().is_empty()) else {
            break Path::new(".");
        };
        match std::fs::symlink_metadata(dir) {
            Ok(_) => break dir,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing += 1;
                at = dir.parent();
            }
            Err(e) => return Err(e),
        }
    };
    let plain_tail = path
        .components()
        .rev()
        .skip(1)
        .take(missing)
        .all(|c| matches!(c, Component::Normal(_)));
    if !plain_tail {
        return refuse("the path leaves its folder (`..`)");
    }
    match std::fs::canonicalize(existing) {
        Ok(real) if real.starts_with(&base) => Ok(()),
        Ok(_) => refuse("a folder on the way is a symbolic link leading outside the repository"),
        Err(_) => refuse("a folder on the way is a symbolic link that leads nowhere"),
    }
}

/// Writes a file atomically: a temporary file in the same folder, written and synced, then
/// moved into place. With `replace` it replaces `path`; without, it fails with
/// `AlreadyExists` when `path` exists (so a file created in the meantime is never
/// overwritten). Nothing half-written is ever visible at `path`.
pub fn write_atomic(path: &Path, contents: &[u8], replace: bool) -> std::io::Result<()> {
    write_atomic_with(&disk::REAL, path, replace, |w| w.write_all(contents))
}

/// [`write_atomic`], with the contents written by `fill` through `disk` (buffered). When
/// anything fails — `fill`, a full disk, the sync or the rename — the temporary file is
/// removed and `path` is as it was.
pub fn write_atomic_with(
    disk: &dyn Disk,
    path: &Path,
    replace: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    // The process id in the name: what a killed run leaves can be told from a running one's
    // (see [`remove_stale_temporaries`]).
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    // A temporary file is private (0600); the file it becomes is an ordinary one, readable as
    // any file the user writes (0644 before the umask), or keeps the mode of the file it
    // replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    {
        let mut w = std::io::BufWriter::new(disk.open(tmp.as_file_mut()));
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    let placed = if replace {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    placed.map(|_| ()).map_err(|e| e.error)
}

/// Writes a new file (or truncates one) through `disk`, not atomically: for files inside a
/// folder that is itself swapped in whole (the site's temporary folder).
pub fn write_plain(disk: &dyn Disk, path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    let mut w = disk.open(&mut f);
    w.write_all(contents)?;
    w.flush()
}

/// The names [`write_atomic`] gives its temporary files: `.rubric-<PID>-<random>.tmp`.
const TEMP_PREFIX: &str = ".rubric-";
const TEMP_SUFFIX: &str = ".tmp";

/// Removes from `dir` the temporary files of [`write_atomic`] that a killed run left (Ctrl-C,
/// `kill -9`): files (not links or folders) named `.rubric-<PID>-….tmp` whose process is no
/// longer running. A running process's file, and every other name, is left alone; a file that
/// cannot be removed is left as it was. Returns the files removed.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries {
        // An entry that cannot be read is left alone, as a file that cannot be removed is.
        let Ok(e) = entry else {
            continue;
        };
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX))
            .and_then(|rest| rest.split_once('-'))
            .map(|(pid, _)| pid)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let path = e.path();
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if is_file
            && pid != std::process::id()
            && !process_running(pid)
            && std::fs::remove_file(&path).is_ok()
        {
            removed.push(path);
        }
    }
    removed
}

/// Is process `pid` running? Through `/proc` where there is one, else `ps -p`; when neither
/// can tell, it counts as running (its files are kept).
pub fn process_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    if cfg!(unix) {
        return std::process::Command::new("ps")
            .args(["-p", &pid.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_or(true, |s| s.success());
    }
    true
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

    /// A written file is an ordinary one (0644 under a 022 umask), not the temporary file's
    /// private 0600; a replaced file keeps its mode.
    #[cfg(unix)]
    #[test]
    fn written_files_get_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        write_atomic(&p, b"one", false).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // The tests run under the usual 022 umask (CI's, and a login shell's).
        assert_eq!(mode, 0o644, "{mode:o}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"two", true).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn ensure_within_refuses_links_out() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("inside")).unwrap();
        std::os::unix::fs::symlink(outside.path(), r.join("out")).unwrap();
        std::os::unix::fs::symlink(r.join("inside"), r.join("in")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("f"), r.join("inside/f")).unwrap();
        assert!(ensure_within(r, &r.join("inside/new.yaml")).is_ok());
        assert!(ensure_within(r, &r.join("inside/a/b/new.yaml")).is_ok());
        assert!(ensure_within(r, &r.join("in/a/new.yaml")).is_ok());
        assert!(ensure_within(r, &r.join("out/new.yaml")).is_err());
        assert!(ensure_within(r, &r.join("out/2026/11/new.yaml")).is_err());
        assert!(ensure_within(r, &r.join("inside/f")).is_err());
        assert!(ensure_within(r, &r.join("inside/x/../../../new.yaml")).is_err());
        assert!(ensure_within(r, &outside.path().join("new.yaml")).is_err());
    }
}
