//! STIX 2.1 vocabularies and enumerations.
