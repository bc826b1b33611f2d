//! Federation between real nodes on loopback: first contact and recognition,
//! negotiation and signature of treaties, suspension, resumption and termination,
//! refusals of bad notes over HTTP, key rotation, outbox delivery across a restart, and
//! alliances (acts carried in notes, convergence, and the release decision they feed).
//!
//! Every node is a real server on 127.0.0.1 with its own temporary store; the tests
//! act as each node's envoy through its `Diplomat` and let the outbox workers carry
//! the notes. After every exchange both sides are checked to agree (`node::settle`).

mod alliance_release;
pub(crate) mod alliances;
mod api;
mod concurrency;
mod designations;
mod encrypted_sync;
mod ending;
mod https;
mod knowledge;
mod multilateral;
pub(crate) mod node;
mod outbox;
mod refusals;
mod relations;
mod rotation;
mod search_release;
pub(crate) mod sync;
pub(crate) mod treaty;
