//! tui layer (see ARCHITECTURE.md).
