//! fluxdeck: a keyboard-first console for Flux CD with an embedded Kubernetes API store
//! and in-process Flux-compatible controllers. See ARCHITECTURE.md for the layers.
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod controllers;
pub mod engine;
pub mod store;
pub mod tui;
