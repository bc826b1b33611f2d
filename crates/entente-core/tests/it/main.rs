mod notes;
mod pattern;
mod relation;
mod stix;
mod treaty;
