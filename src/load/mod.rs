//! Loading: files on disk or in git, YAML with positions, the bundled schemas, and the
//! repository's layout, configuration and people. Only `git` touches git2.

pub mod config;
pub mod conversations;
pub mod date;
pub mod disk;
pub mod file;
pub mod git;
pub mod people;
pub mod repo;
pub mod review;
pub mod schema;
pub mod yaml;
