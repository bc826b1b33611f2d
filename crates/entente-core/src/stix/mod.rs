//! STIX 2.1: objects, their validation, and streaming bundle input.
//!
//! The entry point is [`StixObject::from_json`]: raw JSON text in, a validated object
//! (or every reason it is not one) out. Validation is per object and never looks at
//! other objects: references are checked for their *type*, not for their existence,
//! because a TAXII server legitimately holds objects whose referents live elsewhere.

mod issue;
mod object;
pub mod stream;
pub mod validate;
pub mod vocab;

pub use issue::{Issue, Report, Severity};
pub use object::{Rejection, StixObject};

/// The STIX version Entente speaks.
pub const SPEC_VERSION: &str = "2.1";
