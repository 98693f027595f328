//! One module per command: its clap arguments and its `run`.

pub mod assign;
pub mod assignments;
pub mod calibrate;
pub mod check;
pub mod completions;
pub mod diff;
pub mod dispute;
pub mod disputes;
pub mod export;
pub mod history;
pub mod init;
pub mod keys;
pub mod man;
pub mod new_review;
pub mod render;
pub mod reviewers;
pub mod schema;
pub mod score;
pub mod templates;
pub mod trends;
