//! The integration suite, one test binary: the built server against a fake Hatchet (and,
//! in `real_hatchet`, against a real engine), its command line, its packaging and its docs.
//! One binary, not one per file, so `tests/support/` is compiled and linked once: filter
//! by module, `cargo test --test suite schemas::`.

#[path = "../support/mod.rs"]
mod support;

mod answers;
mod check;
mod cli;
mod client;
mod client_setup;
mod confidentiality;
mod contract_checker;
mod diagnose;
mod docs;
mod every_tool;
mod faults;
mod hostile_input;
mod hostile_tenant;
mod install;
mod layers;
mod mutating;
mod packaging;
mod paging_without_instructions;
mod properties;
mod real_hatchet;
mod real_recordings;
mod redaction;
mod registry;
mod resources_prompts;
mod result_ceiling;
mod run_view_app;
mod schemas;
mod server;
mod stdio;
mod tasks;
mod team_http;
mod waiting;
mod webhook_secrets;
mod workflow_names;
mod workflow_tools;
