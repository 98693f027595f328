//! Where written bytes go: every file `rubric` writes (the site, an export file, the history
//! cache, scaffolds) is written through a [`Disk`], the real one in every command, or in tests
//! one that fails like a full disk after some bytes ([`FullAfter`]).

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a file's bytes are written through.
pub trait Disk: Sync {
    /// A writer into `file` (just created, empty).
    fn open<'a>(&'a self, file: &'a mut std::fs::File) -> Box<dyn Write + 'a>;
}

/// The real disk: bytes go straight into the file.
pub struct Real;

impl Disk for Real {
    fn open<'a>(&'a self, file: &'a mut std::fs::File) -> Box<dyn Write + 'a> {
        Box::new(file)
    }
}

/// The real disk, for every command.
pub static REAL: Real = Real;

/// A disk that is full after `limit` bytes written in all (through every file opened on it):
/// the bytes up to the limit reach the file, then every write fails with `ENOSPC` ("No space
/// left on device"). For fault-injection tests.
pub struct FullAfter {
    limit: u64,
    written: AtomicU64,
}

impl FullAfter {
    pub fn new(limit: u64) -> FullAfter {
        FullAfter {
            limit,
            written: AtomicU64::new(0),
        }
    }

    /// The bytes written so far (at most the limit).
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

impl Disk for FullAfter {
    fn open<'a>(&'a self, file: &'a mut std::fs::File) -> Box<dyn Write + 'a> {
        Box::new(Limited { file, disk: self })
    }
}

struct Limited<'a> {
    file: &'a mut std::fs::File,
    disk: &'a FullAfter,
}

/// The error of a full disk.
pub fn no_space() -> std::io::Error {
    #[cfg(unix)]
    {
        // ENOSPC is 28 on Linux, the BSDs and macOS.
        std::io::Error::from_raw_os_error(28)
    }
    #[cfg(not(unix))]
    {
        std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device")
    }
}

impl Write for Limited<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Reserve the bytes first, so that files written at once share one limit.
        let limit = self.disk.limit;
        let want = buf.len() as u64;
        let reserved =
            self.disk
                .written
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |taken| {
                    (taken < limit).then(|| taken + want.min(limit - taken))
                });
        let Ok(taken) = reserved else {
            return Err(no_space());
        };
        let n = want.min(limit - taken) as usize;
        self.file.write_all(&buf[..n])?;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_takes_bytes_up_to_its_limit_then_fails() {
        let dir = tempfile::tempdir().unwrap();
        let disk = FullAfter::new(5);
        let mut f = std::fs::File::create(dir.path().join("a")).unwrap();
        let e = disk.open(&mut f).write_all(b"0123456789").unwrap_err();
        assert_eq!(e.raw_os_error(), no_space().raw_os_error());
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"01234");
        assert_eq!(disk.written(), 5);
        let mut g = std::fs::File::create(dir.path().join("b")).unwrap();
        assert!(disk.open(&mut g).write_all(b"x").is_err());
    }
}
