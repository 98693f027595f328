//! The rules of `rubric check`, one module per family: `qa.yaml`, a rubric on its own, one
//! review (ratings, people, dates), version discipline between revisions, and the selection of
//! files to report on. The rules are plain functions; `analysis::state` applies them once to
//! the one QA state, and every command reads that verdict.

pub mod assignments;
pub mod config;
pub mod dispute_history;
pub mod disputes;
pub mod review;
pub mod rubric;
pub mod select;
pub mod versions;

pub use config::check_config;
pub use rubric::{check_rubric, parse_historic, working_rubrics};
