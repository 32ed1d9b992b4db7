//! Shared support code for integration tests (include with `mod support;`).

pub mod contract;
