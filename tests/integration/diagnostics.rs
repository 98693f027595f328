//! Every diagnostic code, with its exact line and column, on fixture files.
