mod alliance;
mod ledger;
mod notes;
mod pattern;
mod relation;
mod release;
mod stix;
mod treaty;
