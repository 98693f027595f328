//! `rubric`: customer-service quality assurance kept as code.
//!
//! The library loads a QA repository (rubrics, reviews and `qa.yaml` as YAML files in git),
//! checks it and returns plain data. It never prints: the `rubric` binary chooses formats and
//! writes to stdout and stderr.
//!
//! The folders follow the data flow: `model` (types) → `load` (files, YAML, schemas, git) →
//! `check` (the rules) → `history` (timelines from the commits) → `analysis` (the one QA state,
//! scores, trends, calibration, impact) → `report` (the JSON contract) → `output` and `pages`.
//! `edit` writes files for users (`init`, `new review`).

pub mod analysis;
pub mod check;
pub mod edit;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod load;
pub mod model;
pub mod output;
pub mod pages;
pub mod report;
pub mod timing;

pub use model::diagnostic::{Code, Diagnostic, Severity};
