//! Streaming input of STIX objects. (Being written.)
