//! Files written for users: the `init` scaffold and `new review`.

pub mod init;
pub mod new_review;
