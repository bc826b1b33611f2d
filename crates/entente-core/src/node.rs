//! The node's own description. (Being written.)
