//! One module per page of the interface; each handler is thin: viewer → the calls
//! the API makes → a template.

pub(crate) mod designations;
pub(crate) mod ledger;
pub(crate) mod ledger_check;
pub(crate) mod overview;
pub(crate) mod overview_chart;
