//! Analysis over the one QA state: scores, trends, calibration agreement, reviewer statistics
//! and the impact of a rubric change, as plain functions over plain data.

pub mod assign;
pub mod assignments;
pub mod calibration;
pub mod checking;
pub mod cycles;
pub mod disputes;
pub mod impact;
pub mod increment;
pub mod reviewers;
pub mod score;
pub mod state;
pub mod trends;
