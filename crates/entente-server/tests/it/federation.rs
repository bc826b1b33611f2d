//! Federation between real nodes on loopback: first contact and recognition,
//! negotiation and signature of treaties, suspension, resumption and termination,
//! refusals of bad notes over HTTP, key rotation, and outbox delivery across a restart.
//!
//! Every node is a real server on 127.0.0.1 with its own temporary store; the tests
//! act as each node's envoy through its `Diplomat` and let the outbox workers carry
//! the notes. After every exchange both sides are checked to agree (`node::settle`).

mod api;
mod concurrency;
mod https;
mod multilateral;
mod node;
mod outbox;
mod refusals;
mod relations;
mod rotation;
mod sync;
mod treaty;
