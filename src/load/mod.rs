//! Loading: files on disk or in git, YAML with positions, the bundled schemas, and the
//! repository's layout. Only `git` touches git2.

pub mod git;
pub mod repo;
pub mod schema;
pub mod yaml;
