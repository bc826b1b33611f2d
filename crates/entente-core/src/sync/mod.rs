//! Intelligence sync between nodes: object seals, signed feed requests, signed feed
//! pages, objects sealed end to end to the recipient (`sealed_object`). The protocol
//! is written down in `docs/federation.md` §11.
//!
//! Data flow: the receiver asks (`request`: a signed `feed` request with its cursor and
//! the receipt of the page before); the sender runs the release decision on each object
//! version after the cursor and answers a page (`page`) of those it may release, each
//! with the originator's seal (`seal`) and its re-sharing history; the receiver checks
//! the page signature, every seal, validates the STIX, and stores the page with its
//! cursor in one transaction.
//!
//! Invariants: pure, like the rest of the core. Times are passed in; nothing here
//! remembers what it saw (replay protection is the server's).

mod page;
mod request;
mod seal;
mod sealed_object;
mod tombstone;

pub use page::{InItem, InPage, MAX_PAGE_BYTES, OutItem, OutObject, PageError, PageHeader, read_page, write_page};
pub use request::{MAX_PAGE_ITEMS, MAX_REQUEST_BYTES, RequestError, RequestKind, SyncRequest, verify_request};
pub use seal::{Seal, SealError, object_hash, statement};
pub use sealed_object::{ItemContext, OBJECT_INFO, OpenError, SealedObject};
pub use tombstone::{MAX_REASON_CHARS, Tombstone, TombstoneKind, clean_reason};
