mod pattern;
mod stix;
