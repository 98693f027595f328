//! The history of a QA repository: every review's timeline from the commits, each file
//! version parsed once, and the cache that makes a later run incremental.

mod cache;
#[doc(hidden)]
pub(crate) use cache::fuzz_decode;
pub mod rubrics;
pub mod scan;
pub mod timeline;
pub mod versions;
