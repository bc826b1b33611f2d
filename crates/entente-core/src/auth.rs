//! Roles and API tokens. (Being written.)
