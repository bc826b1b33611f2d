//! Structured inputs (placeholder until the format layer lands).
