//! Server-side apply field management.
