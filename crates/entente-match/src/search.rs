//! Chunks of whole records → matches (placeholder until the searcher lands).
