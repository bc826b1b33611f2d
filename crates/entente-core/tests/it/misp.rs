//! MISP ↔ STIX: MISP's published mapping as test vectors, PyMISP's real events,
//! markings, and round trips.

mod events;
mod mapping;
mod round_trip;
