//! The STIX patterning language. (Being written.)
