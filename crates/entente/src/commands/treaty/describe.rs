//! A treaty's text in plain language, for `entente treaty show`.
//!
//! Every IEP 2.0 statement is spelled out as the obligation it puts on recipients, so
//! an operator can read what they are about to accept or sign without the framework at
//! hand. The JSON words stay beside the sentences: they are what was signed.

use entente_core::StixId;
use entente_core::treaty::{
    AffectedPartyNotifications, Attribution, Disposition, EncryptInTransit, PermittedActions, Resharing, Treaty,
    UnmodifiedResale, tlp_word,
};

fn encrypt_in_transit(value: EncryptInTransit) -> &'static str {
    match value {
        EncryptInTransit::Must => "recipients must encrypt the information whenever they retransmit it",
        EncryptInTransit::May => "recipients may retransmit the information unencrypted",
    }
}

fn permitted_actions(value: PermittedActions) -> &'static str {
    match value {
        PermittedActions::None => "recipients must not act on the information",
        PermittedActions::ContactForInstruction => "recipients must ask the provider before acting on it",
        PermittedActions::InternallyVisibleActions => {
            "recipients may act on it only inside their own networks and systems"
        }
        PermittedActions::ExternallyVisibleIndirectActions => {
            "recipients may also take passive actions visible outside, but no direct ones"
        }
        PermittedActions::ExternallyVisibleDirectActions => {
            "recipients may take direct actions visible outside their networks"
        }
    }
}

fn affected_party_notifications(value: AffectedPartyNotifications) -> &'static str {
    match value {
        AffectedPartyNotifications::May => "recipients may warn the parties a threat affects",
        AffectedPartyNotifications::MustNot => "recipients must not warn the parties a threat affects",
    }
}

fn attribution(value: Attribution) -> &'static str {
    match value {
        Attribution::May => "recipients may name the provider when passing the information on",
        Attribution::Must => "recipients must name the provider when passing the information on",
        Attribution::MustNot => "recipients must not name the provider when passing the information on",
    }
}

fn unmodified_resale(value: UnmodifiedResale) -> &'static str {
    match value {
        UnmodifiedResale::May => "recipients may resell the information unmodified",
        UnmodifiedResale::MustNot => "recipients must not resell the information unmodified",
    }
}

fn on_termination(value: Disposition, written: bool) -> String {
    let meaning = match value {
        Disposition::Purge => {
            "each party deletes what it received under the treaty (unless it also holds it under another \
             treaty or originated it)"
        }
        Disposition::Keep => "each party keeps what it received under the treaty",
    };
    if written { meaning.to_owned() } else { format!("{meaning} (the text does not say, which means keep)") }
}

fn resharing(value: &Resharing, name_of: &dyn Fn(&StixId) -> String) -> String {
    match value {
        Resharing::Nobody => "to nobody: what a party receives stays with it".to_owned(),
        Resharing::TreatyPartners => "to any partner the recipient has a treaty in force with".to_owned(),
        Resharing::AllianceParties(alliances) => {
            let names: Vec<String> = alliances.iter().map(name_of).collect();
            format!("to the parties of these alliances: {}", names.join(", "))
        }
    }
}

fn or_every(items: &[String], every: &str) -> String {
    if items.is_empty() { every.to_owned() } else { items.join(", ") }
}

/// The text of a treaty, without its signatures.
pub(super) fn describe(treaty: &Treaty, name_of: &dyn Fn(&StixId) -> String) -> String {
    let body = treaty.body();
    let terms = &body.terms;
    let topics: Vec<String> = body.scope.topics.iter().map(ToString::to_string).collect();
    let parties: Vec<String> = body.parties.iter().map(|party| format!("  - {}", name_of(party))).collect();
    let supersedes =
        treaty.supersedes().map_or_else(|| "nothing (a first version)".to_owned(), |hash| hash.to_string());
    let end =
        terms.end_date.as_ref().map_or_else(|| "with no end date".to_owned(), |end| format!("until {}", end.as_str()));
    let tlp = tlp_word(terms.tlp);
    let lines = [
        format!("Treaty \"{}\"", body.title),
        format!("  id {}, version {}", treaty.id(), treaty.version()),
        format!("  hash:        {}", treaty.hash()),
        format!("  supersedes:  {supersedes}"),
        format!("  proposed by: {} on {}", name_of(treaty.proposed_by()), treaty.created().as_str()),
        String::new(),
        format!("Purpose: {}", body.purpose),
        String::new(),
        format!("Parties ({}, every one must sign):", body.parties.len()),
        parties.join("\n"),
        String::new(),
        "Scope:".to_owned(),
        format!("  topics:       {}", topics.join(", ")),
        format!("  object types: {}", or_every(&body.scope.object_types, "every STIX type")),
        format!("  labels:       {}", or_every(&body.scope.labels, "any object (no label required)")),
        String::new(),
        "Terms (FIRST IEP 2.0):".to_owned(),
        format!("  TLP ceiling ({tlp}): nothing marked above TLP:{} is shared under it", tlp.to_uppercase()),
        format!(
            "  encrypt in transit ({}): {}",
            terms.encrypt_in_transit,
            encrypt_in_transit(terms.encrypt_in_transit)
        ),
        format!("  permitted actions ({}): {}", terms.permitted_actions, permitted_actions(terms.permitted_actions)),
        format!(
            "  affected-party notifications ({}): {}",
            terms.affected_party_notifications,
            affected_party_notifications(terms.affected_party_notifications)
        ),
        format!("  attribution ({}): {}", terms.attribution, attribution(terms.attribution)),
        format!("  unmodified resale ({}): {}", terms.unmodified_resale, unmodified_resale(terms.unmodified_resale)),
        format!("  dates: from {} {end}, once every party has signed", terms.start_date.as_str()),
        String::new(),
        format!("Re-sharing: {}", resharing(&body.resharing, name_of)),
        format!(
            "Notice period: {} day(s) between a notice of termination and the end of the treaty",
            body.notice_period_days
        ),
        format!(
            "When it ends ({}): {}",
            terms.disposition(),
            on_termination(terms.disposition(), terms.on_termination.is_some())
        ),
    ];
    lines.join("\n")
}
