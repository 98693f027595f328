//! Files written for users: the `init` scaffold, `new review`, and the text edits of
//! `dispute` and `resolve`.

pub mod dispute;
pub mod init;
pub mod new_review;
pub mod plan;
pub mod splice;
