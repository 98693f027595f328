//! Rubric versions that reviews are checked and scored against.

use crate::model::Rubric;
use std::collections::HashMap;

/// Rubric versions by (rubric id, version).
pub type VersionIndex = HashMap<(String, u32), RubricVersion>;

/// A rubric version that reviews can be checked against.
#[derive(Debug, Clone)]
pub struct RubricVersion {
    pub rubric: Rubric,
    /// Where it came from: a working-tree path, or `commit:<id>`.
    pub source: String,
}
