//! `rubric`: customer-service quality assurance kept as code.
//!
//! The library loads a QA repository (rubrics, reviews and `qa.yaml` as YAML files in git),
//! checks it and returns plain data. It never prints: the `rubric` binary chooses formats and
//! writes to stdout and stderr.

pub mod calibration;
pub mod check;
pub mod diagnostic;
pub mod diff;
pub mod history;
pub mod init;
pub mod model;
pub mod new;
pub mod output;
pub mod qa;
pub mod render;
pub mod repo;
pub mod report;
pub mod scan;
pub mod schema;
pub mod score;
pub mod timeline;
pub mod timing;
pub mod trends;
pub mod yaml;

pub use diagnostic::{Code, Diagnostic, Severity};
