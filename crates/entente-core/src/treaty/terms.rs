//! A treaty's terms, written as a FIRST IEP 2.0 policy.
//!
//! The statement names and their values are those of the FIRST Information Exchange
//! Policy framework version 2.0 (as published in FIRST's IEP 2.0 JSON policy format and
//! mirrored by the MISP `iep2-policy` taxonomy): `encrypt_in_transit` (`must`, `may`),
//! `permitted_actions` (`none`, `contact-for-instruction`, `internally-visible-actions`,
//! `externally-visible-indirect-actions`, `externally-visible-direct-actions`),
//! `affected_party_notifications` (`may`, `must-not`), `tlp`, `attribution` (`may`,
//! `must`, `must-not`), `unmodified_resale` (`may`, `must-not`), `start_date` and
//! `end_date`, and `iep_version`, which must be `"2.0"`.
//!
//! One deliberate departure: IEP 2.0 predates TLP 2.0 and spells its `tlp` values in
//! TLP 1.0 (`white`, `green`, `amber`, `red`). A treaty states a TLP 2.0 ceiling
//! (`clear`, `green`, `amber`, `amber+strict`, `red`), the version STIX markings use
//! today; `white` is refused with a pointer to `clear` so that one meaning has one
//! spelling and one hash.
//!
//! Also deliberate: `end_date: null` (IEP's "never expires") is refused; a treaty
//! without an end simply omits `end_date`, again so that the text has one spelling.
//! The IEP `id`, `name`, `description` and `external_reference` statements are not
//! used: the treaty's own id, title and purpose say those things.
//!
//! One statement is Entente's own, not IEP's: `on_termination` (`purge`, `keep`) says
//! what each party does with what it received under the treaty once the treaty ends.
//! It is optional and absent means `keep`, so every treaty written before it existed
//! keeps its text and its hash. An explicit `"keep"` is accepted and kept as written:
//! the hash names the text the parties signed, and a legal text may want to say it.

use super::document::TreatyTime;
use super::fields::{Fields, Report, Word, word};
use crate::stix::vocab::TlpLevel;
use serde_json::{Value, json};
use std::fmt;

/// Declares one closed IEP 2.0 value set: the enum, its wire words and `Display`.
macro_rules! iep_words {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            /// Every value, in the order the framework lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl Word for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}

iep_words! {
    /// Whether recipients must encrypt the information when they retransmit it.
    EncryptInTransit { Must = "must", May = "may" }
}

iep_words! {
    /// What recipients may do with the information.
    PermittedActions {
        /// Recipients must not act upon the information.
        None = "none",
        /// Recipients must contact the provider before acting.
        ContactForInstruction = "contact-for-instruction",
        /// Only actions visible inside the recipient's own networks and systems.
        InternallyVisibleActions = "internally-visible-actions",
        /// Indirect (passive) actions that are visible outside; no direct ones.
        ExternallyVisibleIndirectActions = "externally-visible-indirect-actions",
        /// Direct (active) actions that are visible outside.
        ExternallyVisibleDirectActions = "externally-visible-direct-actions",
    }
}

iep_words! {
    /// Whether recipients may notify affected parties of a compromise or threat.
    AffectedPartyNotifications { May = "may", MustNot = "must-not" }
}

iep_words! {
    /// Whether recipients may, must or must not attribute the provider when they
    /// redistribute the information.
    Attribution { May = "may", Must = "must", MustNot = "must-not" }
}

iep_words! {
    /// Whether recipients may resell the information unmodified.
    UnmodifiedResale { May = "may", MustNot = "must-not" }
}

iep_words! {
    /// What each party does with the objects it received under a treaty once the
    /// treaty ends (terminated after notice, or past its end date). Entente's own
    /// statement, not IEP's.
    Disposition {
        /// Delete every object version received from the partner under the treaty,
        /// unless it is also held under another treaty or was originated locally.
        Purge = "purge",
        /// Keep what was received.
        Keep = "keep",
    }
}

impl Word for TlpLevel {
    const ALL: &'static [TlpLevel] =
        &[TlpLevel::Clear, TlpLevel::Green, TlpLevel::Amber, TlpLevel::AmberStrict, TlpLevel::Red];
    fn as_str(self) -> &'static str {
        tlp_word(self)
    }
}

/// The TLP 2.0 word for a level, as a treaty writes its ceiling.
pub fn tlp_word(level: TlpLevel) -> &'static str {
    match level {
        TlpLevel::Clear => "clear",
        TlpLevel::Green => "green",
        TlpLevel::Amber => "amber",
        TlpLevel::AmberStrict => "amber+strict",
        TlpLevel::Red => "red",
    }
}

/// The IEP 2.0 policy a treaty's exchanges follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub encrypt_in_transit: EncryptInTransit,
    pub permitted_actions: PermittedActions,
    pub affected_party_notifications: AffectedPartyNotifications,
    /// The most restrictive TLP level an object shared under the treaty may carry.
    pub tlp: TlpLevel,
    pub attribution: Attribution,
    pub unmodified_resale: UnmodifiedResale,
    /// The treaty cannot be in force before this instant.
    pub start_date: TreatyTime,
    /// The treaty ends by itself at this instant (it is in force strictly before it).
    pub end_date: Option<TreatyTime>,
    /// What happens to received material when the treaty ends, as written (`None`:
    /// the text does not say, which means [`Disposition::Keep`]).
    pub on_termination: Option<Disposition>,
}

const MEMBERS: &[&str] = &[
    "iep_version",
    "encrypt_in_transit",
    "permitted_actions",
    "affected_party_notifications",
    "tlp",
    "attribution",
    "unmodified_resale",
    "start_date",
    "end_date",
    "on_termination",
];

impl Terms {
    pub(crate) fn read(value: &Value, path: &str, report: &mut Report) -> Option<Terms> {
        let fields = Fields::open(value, path, MEMBERS, report)?;
        if let Some((version, version_path)) = fields.required("iep_version", report)
            && version.as_str() != Some("2.0")
        {
            report.invalid(&version_path, "must be \"2.0\" (the IEP framework version these terms follow)");
        }
        let encrypt_in_transit = fields.required("encrypt_in_transit", report).and_then(|(v, p)| word(v, &p, report));
        let permitted_actions = fields.required("permitted_actions", report).and_then(|(v, p)| word(v, &p, report));
        let affected_party_notifications =
            fields.required("affected_party_notifications", report).and_then(|(v, p)| word(v, &p, report));
        let tlp = fields.required("tlp", report).and_then(|(v, p)| read_tlp(v, &p, report));
        let attribution = fields.required("attribution", report).and_then(|(v, p)| word(v, &p, report));
        let unmodified_resale = fields.required("unmodified_resale", report).and_then(|(v, p)| word(v, &p, report));
        let start_date = fields.required("start_date", report).and_then(|(v, p)| TreatyTime::read(v, &p, report));
        let end_date = match fields.optional("end_date") {
            None => Some(None),
            Some((Value::Null, end_path)) => {
                report.invalid(&end_path, "must be a timestamp; omit end_date for a treaty without an end");
                None
            }
            Some((end, end_path)) => TreatyTime::read(end, &end_path, report).map(Some),
        };
        let on_termination = match fields.optional("on_termination") {
            None => Some(None),
            Some((value, path)) => word(value, &path, report).map(Some),
        };
        if let (Some(start), Some(Some(end))) = (&start_date, &end_date)
            && end.instant() <= start.instant()
        {
            report.invalid(&fields.path_of("end_date"), "must be later than start_date");
        }
        Some(Terms {
            encrypt_in_transit: encrypt_in_transit?,
            permitted_actions: permitted_actions?,
            affected_party_notifications: affected_party_notifications?,
            tlp: tlp?,
            attribution: attribution?,
            unmodified_resale: unmodified_resale?,
            start_date: start_date?,
            end_date: end_date?,
            on_termination: on_termination?,
        })
    }

    /// What each party does with what it received once the treaty ends: what the text
    /// says, or [`Disposition::Keep`] when it says nothing.
    pub fn disposition(&self) -> Disposition {
        self.on_termination.unwrap_or(Disposition::Keep)
    }

    pub(crate) fn to_value(&self) -> Value {
        let mut terms = json!({
            "iep_version": "2.0",
            "encrypt_in_transit": self.encrypt_in_transit.as_str(),
            "permitted_actions": self.permitted_actions.as_str(),
            "affected_party_notifications": self.affected_party_notifications.as_str(),
            "tlp": tlp_word(self.tlp),
            "attribution": self.attribution.as_str(),
            "unmodified_resale": self.unmodified_resale.as_str(),
            "start_date": self.start_date.as_str(),
        });
        if let Value::Object(members) = &mut terms {
            // Optional members are absent rather than null: one spelling, one hash.
            if let Some(end) = &self.end_date {
                members.insert("end_date".into(), Value::from(end.as_str()));
            }
            if let Some(disposition) = self.on_termination {
                members.insert("on_termination".into(), Value::from(disposition.as_str()));
            }
        }
        terms
    }
}

fn read_tlp(value: &Value, path: &str, report: &mut Report) -> Option<TlpLevel> {
    if value.as_str() == Some("white") {
        report.invalid(path, "\"white\" is TLP 1.0; a treaty states its ceiling in TLP 2.0, where it is \"clear\"");
        return None;
    }
    word(value, path, report)
}
