//! Shared support code for integration tests (include with `mod support;`).
#![allow(dead_code)] // Each test binary uses a different part of it.

pub mod ci_tools;
pub mod contract;
pub mod fake;
pub mod fixture;
pub mod in_process;
pub mod process;
pub mod raw;
pub mod rpc;
pub mod session;
pub mod shape;
pub mod team;
pub mod token;
