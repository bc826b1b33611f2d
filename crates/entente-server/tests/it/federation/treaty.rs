//! Treaty drafts for the tests, built from the commented template.

use super::node::{now, seconds_from_now};
use entente_core::StixId;
use entente_core::treaty::{PLACEHOLDER_PARTIES, Treaty, TreatyTime, parse_template, template_text};
use serde_json::Value;

const DAY: i64 = 86_400;

/// Version 1 of a fresh treaty between `parties`, proposed by `proposer`, in force
/// from yesterday for a year once signed, with `notice_days` of notice.
pub fn draft(parties: &[&StixId], proposer: &StixId, notice_days: u32) -> Treaty {
    let mut text = template_text().to_owned();
    for (placeholder, party) in PLACEHOLDER_PARTIES.iter().zip(parties) {
        text = text.replace(placeholder, party.as_str());
    }
    let template = parse_template(&text).expect("the template is a treaty");
    assert_eq!(template.proposed_by(), parties[0], "the template's parties were filled in");
    let mut body = template.body().clone();
    body.parties = parties.iter().map(|party| (*party).clone()).collect();
    body.notice_period_days = notice_days;
    body.terms.start_date = TreatyTime::from(seconds_from_now(-DAY));
    body.terms.end_date = Some(TreatyTime::from(seconds_from_now(365 * DAY)));
    let id = StixId::from_parts("treaty", uuid::Uuid::new_v4()).expect("treaty id");
    Treaty::draft(&id, proposer, now(), &body).expect("draft")
}

/// The next version of `previous`, written by `proposer`, with a new title.
pub fn counter(previous: &Treaty, proposer: &StixId, title: &str) -> Treaty {
    let mut body = previous.body().clone();
    body.title = title.to_owned();
    previous.counter(proposer, now(), &body).expect("counter-proposal")
}

pub fn json(treaty: &Treaty) -> Value {
    treaty.to_value()
}
