//! A treaty's (or an alliance charter's) terms in plain language: what an envoy
//! reads before signing, and what the diff of two versions compares term by term.
//!
//! Each [`Term`] keeps the exact value the document states beside its plain reading,
//! so the page shows both and the diff compares the values, not the prose.

use entente_core::StixId;
use entente_core::treaty::{
    AffectedPartyNotifications, Attribution, Disposition, EncryptInTransit, PermittedActions, Resharing, Scope, Terms,
    Treaty, UnmodifiedResale, tlp_word,
};
use std::collections::HashMap;

/// One term: a stable key (for the diff), its label, the stated value and its reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub(crate) key: &'static str,
    pub(crate) label: &'static str,
    pub(crate) value: String,
    pub(crate) plain: String,
}

fn term(key: &'static str, label: &'static str, value: impl Into<String>, plain: impl Into<String>) -> Term {
    Term { key, label, value: value.into(), plain: plain.into() }
}

/// Node and alliance names as this node knows them, for reading ids aloud.
#[derive(Debug, Default, Clone)]
pub(crate) struct Names(pub(crate) HashMap<String, String>);

impl Names {
    pub(crate) fn of(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    fn list(&self, ids: &[StixId]) -> String {
        ids.iter().map(|id| self.of(id.as_str())).collect::<Vec<_>>().join(", ")
    }
}

/// Every term of a treaty version, in the order the page shows them.
pub(crate) fn treaty_terms(treaty: &Treaty, names: &Names) -> Vec<Term> {
    let body = treaty.body();
    let mut terms = vec![
        term("version", "Version", treaty.version().to_string(), format!("version {}", treaty.version())),
        term("title", "Title", body.title.clone(), body.title.clone()),
        term("purpose", "Purpose", body.purpose.clone(), body.purpose.clone()),
        term(
            "parties",
            "Parties",
            body.parties.iter().map(StixId::as_str).collect::<Vec<_>>().join(", "),
            format!("{}; every one must sign", names.list(&body.parties)),
        ),
        term(
            "proposed_by",
            "Proposed by",
            treaty.proposed_by().as_str(),
            format!("{}, on {}", names.of(treaty.proposed_by().as_str()), treaty.created().as_str()),
        ),
    ];
    terms.extend(scope_terms(&body.scope));
    terms.extend(exchange_terms(&body.terms));
    terms.push(resharing_term(&body.resharing, names));
    terms.push(term(
        "notice_period_days",
        "Notice period",
        body.notice_period_days.to_string(),
        match body.notice_period_days {
            0 => "a termination takes effect at once".to_owned(),
            1 => "a termination takes effect one day after notice".to_owned(),
            days => format!("a termination takes effect {days} days after notice"),
        },
    ));
    terms
}

/// What may be shared: topics, STIX types and labels.
pub(crate) fn scope_terms(scope: &Scope) -> Vec<Term> {
    let topics: Vec<&str> = scope.topics.iter().map(|topic| topic.as_str()).collect();
    vec![
        term("scope.topics", "Topics", topics.join(", "), format!("intelligence about {}", topics.join(", "))),
        term(
            "scope.object_types",
            "Object types",
            scope.object_types.join(", "),
            if scope.object_types.is_empty() {
                "objects of every STIX type".to_owned()
            } else {
                format!("only these STIX types: {}", scope.object_types.join(", "))
            },
        ),
        term(
            "scope.labels",
            "Labels",
            scope.labels.join(", "),
            if scope.labels.is_empty() {
                "any object, whatever its labels".to_owned()
            } else {
                format!("only objects labelled one of: {}", scope.labels.join(", "))
            },
        ),
    ]
}

/// The IEP 2.0 terms and the dates.
pub(crate) fn exchange_terms(terms: &Terms) -> Vec<Term> {
    let tlp = tlp_word(terms.tlp);
    vec![
        term("terms.tlp", "TLP ceiling", tlp, format!("nothing marked above TLP:{} is shared", tlp.to_uppercase())),
        term(
            "terms.encrypt_in_transit",
            "Encryption in transit",
            terms.encrypt_in_transit.as_str(),
            match terms.encrypt_in_transit {
                EncryptInTransit::Must => "objects must be encrypted end to end to the recipient",
                EncryptInTransit::May => "encryption end to end is optional (the link is still TLS)",
            },
        ),
        term(
            "terms.permitted_actions",
            "Permitted actions",
            terms.permitted_actions.as_str(),
            match terms.permitted_actions {
                PermittedActions::None => "the recipient may take no action on what it receives",
                PermittedActions::ContactForInstruction => "the recipient must ask the provider before acting",
                PermittedActions::InternallyVisibleActions => "the recipient may act inside its own networks only",
                PermittedActions::ExternallyVisibleIndirectActions => {
                    "the recipient may act in ways others could notice, but not against the source"
                }
                PermittedActions::ExternallyVisibleDirectActions => {
                    "the recipient may act in ways others could notice, including against the source"
                }
            },
        ),
        term(
            "terms.affected_party_notifications",
            "Notifying affected parties",
            terms.affected_party_notifications.as_str(),
            match terms.affected_party_notifications {
                AffectedPartyNotifications::May => "the recipient may warn those a threat affects",
                AffectedPartyNotifications::MustNot => "the recipient must not warn those a threat affects",
            },
        ),
        term(
            "terms.attribution",
            "Attribution",
            terms.attribution.as_str(),
            match terms.attribution {
                Attribution::May => "passing information on, the recipient may name the provider",
                Attribution::Must => "passing information on, the recipient must name the provider",
                Attribution::MustNot => "passing information on, the recipient must not name the provider",
            },
        ),
        term(
            "terms.unmodified_resale",
            "Unmodified resale",
            terms.unmodified_resale.as_str(),
            match terms.unmodified_resale {
                UnmodifiedResale::May => "the recipient may resell the information as received",
                UnmodifiedResale::MustNot => "the recipient must not resell the information as received",
            },
        ),
        term(
            "terms.start_date",
            "Start",
            terms.start_date.as_str(),
            format!("in force from {} once every party has signed", terms.start_date.as_str()),
        ),
        term(
            "terms.end_date",
            "End",
            terms.end_date.as_ref().map(|end| end.as_str().to_owned()).unwrap_or_default(),
            match &terms.end_date {
                Some(end) => format!("ends on {}", end.as_str()),
                None => "no end date: in force until terminated".to_owned(),
            },
        ),
        term(
            "terms.on_termination",
            "On termination",
            terms.on_termination.map(Disposition::as_str).unwrap_or_default(),
            disposition_plain(terms.disposition()),
        ),
    ]
}

/// What each party does with what it received once the treaty ends.
pub(crate) fn disposition_plain(disposition: Disposition) -> &'static str {
    match disposition {
        Disposition::Purge => {
            "when it ends, each party deletes what it received under it (unless also held under another treaty in force), and records that in its ledger"
        }
        Disposition::Keep => "when it ends, each party keeps what it received under it",
    }
}

/// Where received objects may go next.
pub(crate) fn resharing_term(resharing: &Resharing, names: &Names) -> Term {
    let (value, plain) = match resharing {
        Resharing::Nobody => ("nobody".to_owned(), "what is received goes no further".to_owned()),
        Resharing::TreatyPartners => (
            "treaty-partners".to_owned(),
            "what is received may be passed on to any partner the recipient has a treaty in force with".to_owned(),
        ),
        Resharing::AllianceParties(alliances) => (
            format!("alliance-parties: {}", alliances.iter().map(StixId::as_str).collect::<Vec<_>>().join(", ")),
            format!("what is received may be passed on to the members of {}", names.list(alliances)),
        ),
    };
    term("resharing", "Re-sharing", value, plain)
}

/// One row of a side-by-side diff: the term in each version and whether it changed.
#[derive(Debug, Clone)]
pub(crate) struct DiffRow {
    pub(crate) label: &'static str,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) changed: bool,
}

/// The two versions term by term (by key, so a term only one side states still shows).
pub(crate) fn diff(from: &[Term], to: &[Term]) -> Vec<DiffRow> {
    let mut rows: Vec<DiffRow> = from
        .iter()
        .map(|old| {
            let new = to.iter().find(|term| term.key == old.key);
            let to_text = new.map(|term| term.plain.clone()).unwrap_or_default();
            let changed = new.is_none_or(|term| term.value != old.value);
            DiffRow { label: old.label, from: old.plain.clone(), to: to_text, changed }
        })
        .collect();
    for new in to.iter().filter(|term| !from.iter().any(|old| old.key == term.key)) {
        rows.push(DiffRow { label: new.label, from: String::new(), to: new.plain.clone(), changed: true });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(key: &'static str, value: &str) -> Term {
        term(key, key, value, format!("reads {value}"))
    }

    #[test]
    fn the_diff_marks_changed_added_and_removed_terms() {
        let rows = diff(&[t("a", "1"), t("b", "2"), t("c", "3")], &[t("a", "1"), t("b", "9"), t("d", "4")]);
        let marks: Vec<(&str, bool)> = rows.iter().map(|row| (row.label, row.changed)).collect();
        assert_eq!(marks, [("a", false), ("b", true), ("c", true), ("d", true)]);
        assert_eq!(rows[1].to, "reads 9");
        assert_eq!(rows[2].to, "");
        assert_eq!(rows[3].from, "");
    }
}
