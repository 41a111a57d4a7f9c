//! cluster layer (see ARCHITECTURE.md).
