//! One module per page of the interface; each handler is thin: viewer → the calls
//! the API makes → a template.

pub(crate) mod alliances;
pub(crate) mod designations;
pub(crate) mod intel;
pub(crate) mod ledger;
pub(crate) mod ledger_check;
pub(crate) mod overview;
pub(crate) mod overview_chart;
pub(crate) mod partners;
