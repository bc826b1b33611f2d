//! TAXII 2.1 wire types and request filters, with no HTTP in sight.
//!
//! The server turns HTTP into these types and back; everything a TAXII client can
//! send is parsed here into a typed, checked value ([`Filter`], [`Cursor`],
//! [`MediaRange`]) so handlers never look at raw strings.

mod cursor;
mod filter;
mod media;
mod resources;

pub use cursor::{Cursor, CursorError};
pub use filter::{Filter, FilterError, FilterScope, VersionSelector};
pub use media::{MediaRange, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, accepts_taxii, is_taxii_content_type};
pub use resources::*;
