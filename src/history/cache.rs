//! The history cache under `.git/rubric/`: what a scan found, kept so that a later run reads
//! only the commits that are new since.

use crate::load::git::{History, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bump when the cache's meaning changes; an old cache is then rebuilt. (6: rubric files
/// with `critical: group` or `bonus` became valid, so the valid rubric versions kept changed.
/// 8: a `Snapshot` names its commented ratings. 9: older versions are kept as `Older`.)
pub const CACHE_FORMAT: u32 = 9;

/// A rubric file version as the cache keeps it: its text (re-parsed on load: the typed rubric
/// reads only from mappings, which a binary format does not keep).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RubricText {
    pub(super) path: String,
    pub(super) commit: ObjectId,
    pub(super) text: String,
}

/// The cache file's content.
#[derive(Serialize, Deserialize)]
pub(super) struct CacheFile {
    pub(super) format: u32,
    pub(super) prefix: String,
    pub(super) reviews_dir: String,
    pub(super) tip: ObjectId,
    pub(super) rubrics_dir: String,
    pub(super) commits: Vec<crate::load::git::CommitInfo>,
    pub(super) reviews: BTreeMap<String, Vec<crate::history::timeline::Event>>,
    pub(super) versions: crate::history::versions::FileVersions,
    /// Every valid rubric file version, oldest first.
    pub(super) rubrics: Vec<(ObjectId, RubricText)>,
}

/// Where the cache of this repository's history lives.
pub(super) fn cache_path(h: &History) -> PathBuf {
    h.git_dir()
        .join("rubric")
        .join(format!("history-v{CACHE_FORMAT}.bin"))
}

/// The length of the checksum at the end of the cache file (SHA-256 of everything before).
const SUM: usize = 32;

/// Reads the cache, if there is one of this format made for these folders and its checksum
/// holds: any damage means a rebuild, never a changed score.
pub(super) fn read_cache(
    path: &Path,
    prefix: &str,
    reviews_dir: &str,
    rubrics_dir: &str,
) -> Option<CacheFile> {
    // The reader refuses anything but a regular file (a FIFO there must not hang the run).
    let crate::load::file::Input::Bytes(bytes) = crate::load::file::read(path, usize::MAX) else {
        return None;
    };
    let c = decode(&bytes)?;
    (c.format == CACHE_FORMAT
        && c.prefix == prefix
        && c.reviews_dir == reviews_dir
        && c.rubrics_dir == rubrics_dir)
        .then_some(c)
}

/// The cache from its bytes, when the checksum matches.
pub(super) fn decode(bytes: &[u8]) -> Option<CacheFile> {
    use sha2::{Digest, Sha256};
    let split = bytes.len().checked_sub(SUM)?;
    let (payload, sum) = bytes.split_at(split);
    if Sha256::digest(payload).as_slice() != sum {
        return None;
    }
    postcard::from_bytes(payload).ok()
}

/// For the fuzz target (`crate::fuzzing::cache`): `data` as a cache file, then as a payload
/// with its checksum appended; whatever decodes must encode and decode again.
pub(crate) fn fuzz_decode(data: &[u8]) {
    use sha2::{Digest, Sha256};
    let mut summed = data.to_vec();
    summed.extend_from_slice(&Sha256::digest(data));
    for bytes in [data, &summed] {
        if let Some(c) = decode(bytes) {
            let again = encode(&c).expect("a decoded cache encodes");
            assert!(
                decode(&again).is_some(),
                "a re-encoded cache does not decode"
            );
        }
    }
}

/// The cache's bytes: the payload, then its SHA-256.
pub(super) fn encode(cache: &CacheFile) -> std::io::Result<Vec<u8>> {
    use sha2::{Digest, Sha256};
    let mut bytes = postcard::to_allocvec(cache).map_err(std::io::Error::other)?;
    let sum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&sum);
    Ok(bytes)
}

/// Writes the cache atomically (a temporary file beside it, then a rename) through `disk`:
/// when the write fails, the previous cache is left whole.
pub(super) fn write_cache(
    disk: &dyn crate::load::disk::Disk,
    path: &Path,
    cache: &CacheFile,
) -> std::io::Result<()> {
    use sha2::{Digest, Sha256};
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // Streamed: the payload is hashed on its way to the file, never held whole in memory
    // (the same bytes as `encode`).
    crate::load::file::write_atomic_with(disk, path, true, |w| {
        let mut hashing = Hashing {
            inner: w,
            sum: Sha256::new(),
            failed: None,
        };
        // postcard reports a failed write as its own error: the writer's (a full disk, say)
        // is the one to give.
        if let Err(e) = postcard::to_io(cache, &mut hashing) {
            return Err(hashing
                .failed
                .take()
                .unwrap_or_else(|| std::io::Error::other(e)));
        }
        let sum = hashing.sum.finalize();
        w.write_all(&sum)
    })
}

/// A writer that hashes what it passes on, and keeps the first error of the writer below.
struct Hashing<'a> {
    inner: &'a mut dyn std::io::Write,
    sum: sha2::Sha256,
    failed: Option<std::io::Error>,
}

impl std::io::Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = match self.inner.write(buf) {
            Ok(n) => n,
            Err(e) => {
                let again = std::io::Error::new(e.kind(), e.to_string());
                self.failed.get_or_insert(e);
                return Err(again);
            }
        };
        sha2::Digest::update(&mut self.sum, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(|e| {
            let again = std::io::Error::new(e.kind(), e.to_string());
            self.failed.get_or_insert(e);
            again
        })
    }
}

/// Removes the caches of other formats beside `path` (`history-v<N>.bin`, N not this
/// format): after an upgrade they are never read again, and a CI cache that keeps
/// `.git/rubric/` would carry them from run to run. Returns what could not be removed.
pub(super) fn remove_other_formats(path: &Path) -> Vec<String> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return vec![format!("{}: {e}", dir.display())],
    };
    let mut problems = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // Only a name `rubric` writes: the number as it formats one (no leading zero).
        let other = name
            .strip_prefix("history-v")
            .and_then(|n| n.strip_suffix(".bin"))
            .and_then(|n| n.parse::<u32>().ok().filter(|v| v.to_string() == n))
            .is_some_and(|v| v != CACHE_FORMAT);
        // A file only (never a folder or what a link points to).
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if other && is_file {
            if let Err(e) = std::fs::remove_file(entry.path()) {
                problems.push(format!("{}: {e}", entry.path().display()));
            }
        }
    }
    problems
}

/// Removes the temporary cache files that a killed run (Ctrl-C during a scan) left beside the
/// cache; a running process's are kept.
pub(super) fn remove_stale_temporaries(path: &Path) {
    if let Some(dir) = path.parent() {
        crate::load::file::remove_stale_temporaries(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::versions::FileVersions;
    use crate::load::review::Snapshot;
    use std::sync::Arc;

    fn small() -> CacheFile {
        let id = ObjectId([7; 20]);
        let mut versions = FileVersions::default();
        versions.extend([(
            id,
            Arc::new(Snapshot {
                agent: Some("alice".into()),
                rubric: Some(("support".into(), 2)),
                ratings: vec![("solution".into(), Some(3))],
                valid: true,
                ..Snapshot::default()
            }),
        )]);
        CacheFile {
            format: CACHE_FORMAT,
            prefix: String::new(),
            reviews_dir: "reviews".into(),
            tip: id,
            rubrics_dir: "rubrics".into(),
            commits: Vec::new(),
            reviews: BTreeMap::new(),
            versions,
            rubrics: vec![(
                id,
                RubricText {
                    path: "rubrics/support.yaml".into(),
                    commit: id,
                    text: "id: support\nversion: 2\n".into(),
                },
            )],
        }
    }

    /// The files a `rubric` of another format wrote (`history-v<N>.bin`, N as it writes
    /// numbers) are removed; nothing else is, not even a name with a leading zero.
    #[test]
    fn caches_of_other_formats_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let current = dir.path().join(format!("history-v{CACHE_FORMAT}.bin"));
        let names = [
            "history-v7.bin",
            "history-v1.bin",
            "history-vx.bin",
            "notes.bin",
            "history-v07.bin",
            "history-v99999999999999999999999.bin",
        ];
        for n in names.iter().chain([&"history-v8.bin"]) {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        std::fs::write(&current, b"current").unwrap();
        std::fs::create_dir(dir.path().join("history-v2.bin")).unwrap();
        assert!(remove_other_formats(&current).is_empty());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut want = vec![
            format!("history-v{CACHE_FORMAT}.bin"),
            "history-v07.bin".to_string(),
            "history-v99999999999999999999999.bin".to_string(),
            "history-v2.bin".to_string(),
            "history-vx.bin".to_string(),
            "notes.bin".to_string(),
        ];
        want.sort();
        assert_eq!(left, want);
    }

    /// A full disk while the cache is written (at every point of the file, and before the
    /// first byte) leaves the previous cache whole and readable, and no temporary file.
    #[test]
    fn a_full_disk_leaves_the_previous_cache_whole() {
        use crate::load::disk::{FullAfter, REAL};
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join("rubric")
            .join(format!("history-v{CACHE_FORMAT}.bin"));
        write_cache(&REAL, &path, &small()).unwrap();
        let before = std::fs::read(&path).unwrap();
        let mut bigger = small();
        bigger.commits.clear();
        bigger.reviews_dir = "reviews-elsewhere".repeat(100);
        let size = encode(&bigger).unwrap().len() as u64;
        for limit in [0, 1, size / 2, size - 1] {
            let e = write_cache(&FullAfter::new(limit), &path, &bigger).unwrap_err();
            assert_eq!(e.raw_os_error(), Some(28), "{limit}: {e}");
            assert_eq!(std::fs::read(&path).unwrap(), before, "{limit}");
            let c = read_cache(&path, "", "reviews", "rubrics").expect("still valid");
            assert_eq!(c.rubrics.len(), 1);
            let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, [path.file_name().unwrap()], "{limit}");
        }
        // With room enough, it is replaced.
        write_cache(&FullAfter::new(size), &path, &bigger).unwrap();
        assert!(read_cache(&path, "", "reviews-elsewhere", "rubrics").is_none());
        assert!(read_cache(&path, "", &"reviews-elsewhere".repeat(100), "rubrics").is_some());
    }

    /// Every single-byte change of a cache file is caught: it decodes to nothing (and the
    /// scan then rebuilds), never to other data.
    #[test]
    fn every_single_byte_change_is_refused() {
        let bytes = encode(&small()).unwrap();
        assert!(decode(&bytes).is_some());
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] ^= flip;
                assert!(decode(&damaged).is_none(), "byte {i} ^ {flip:#x} accepted");
            }
        }
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(decode(&[]).is_none());
    }
}
