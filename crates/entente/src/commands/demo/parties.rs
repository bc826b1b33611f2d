//! Who takes part in the demo and what they agree to: five fictional parties and the
//! five treaties between them.
//!
//! The node ids are fixed because the built-in intelligence (`demo/intel.json.gz`,
//! written by `demo/generate.py`) names its authors by them in `created_by_ref`; the
//! generator's `PARTIES` must stay in step with [`PARTIES`]. Country codes come from
//! the ISO 3166 user-assigned range (X*), which no real country holds.
//!
//! The treaties with the distant state and with the NGO say `encrypt_in_transit: must`:
//! what travels under them is sealed end to end to the recipient node's encryption key
//! (`docs/federation.md` §11), so those objects are never in the clear on the wire.
//! The regional treaties say `may`.

use entente_core::Timestamp;
use serde_json::{Value, json};

/// One fictional party.
#[derive(Debug, Clone, Copy)]
pub struct Party {
    /// Short name: its data directory under the demo's root, and a handle in the output.
    pub handle: &'static str,
    pub name: &'static str,
    pub country: Option<&'static str>,
    pub kind: &'static str,
    pub node_id: &'static str,
    pub role: &'static str,
}

pub const NORTHLAND: usize = 0;
pub const SOUTHLAND: usize = 1;
pub const EASTLAND: usize = 2;
pub const FARLAND: usize = 3;
pub const CIVICCERT: usize = 4;

pub const PARTIES: [Party; 5] = [
    Party {
        handle: "northland",
        name: "Northland Ministry of the Interior",
        country: Some("XN"),
        kind: "state",
        node_id: "identity--e8c8c8c0-5748-598c-acd4-c688513db04e",
        role: "regional state; counter-terrorism lead; Farland's partner",
    },
    Party {
        handle: "southland",
        name: "Southland National CERT",
        country: Some("XS"),
        kind: "agency",
        node_id: "identity--3a09257f-002c-5f68-bbe2-ac40d404222d",
        role: "regional CERT; keeps the ATT&CK reference; CivicCERT's partner",
    },
    Party {
        handle: "eastland",
        name: "Eastland Counter-Terrorism Unit",
        country: Some("XE"),
        kind: "agency",
        node_id: "identity--5e51cc72-acbd-56a2-8367-390a3f49a83f",
        role: "regional counter-terrorism unit",
    },
    Party {
        handle: "farland",
        name: "Farland Directorate of Counter-Terrorism",
        country: Some("XF"),
        kind: "state",
        node_id: "identity--372a6f8d-dc88-5c81-8b63-fdd4fb8c0368",
        role: "distant state; counter-terrorism treaty with Northland only",
    },
    Party {
        handle: "civiccert",
        name: "CivicCERT",
        country: None,
        kind: "ngo",
        node_id: "identity--83355c89-c142-591c-aece-a3e8579332f6",
        role: "non-governmental CERT for civil society; narrow cyber treaty with Southland",
    },
];

/// The kinds of treaty the demo concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreatyKind {
    /// Between neighbours: cyber and counter-terrorism, every object type, TLP:AMBER,
    /// onward sharing with treaty partners.
    Regional,
    /// With the distant state: counter-terrorism only, no attribution, no re-sharing,
    /// end-to-end encrypted.
    CounterTerrorism,
    /// With the NGO: cyber indicators only, TLP:GREEN, no attribution, no re-sharing,
    /// end-to-end encrypted.
    NarrowCyber,
}

/// Who proposes to whom, and what: (proposer, partner, kind).
pub const TREATIES: [(usize, usize, TreatyKind); 5] = [
    (NORTHLAND, SOUTHLAND, TreatyKind::Regional),
    (NORTHLAND, EASTLAND, TreatyKind::Regional),
    (SOUTHLAND, EASTLAND, TreatyKind::Regional),
    (NORTHLAND, FARLAND, TreatyKind::CounterTerrorism),
    (SOUTHLAND, CIVICCERT, TreatyKind::NarrowCyber),
];

impl TreatyKind {
    pub fn summary(self) -> &'static str {
        match self {
            TreatyKind::Regional => {
                "cyber + counter-terrorism, every object type, up to TLP:AMBER, re-sharing to treaty partners"
            }
            TreatyKind::CounterTerrorism => {
                "counter-terrorism only (indicators, actors, intrusion sets, campaigns, reports), up to TLP:AMBER, \
                 attribution must-not, no re-sharing, encrypted end to end"
            }
            TreatyKind::NarrowCyber => {
                "cyber indicators only, up to TLP:GREEN, attribution must-not, no re-sharing, encrypted end to end"
            }
        }
    }

    /// The treaty text `proposer` puts to `partner`, in force from an hour ago for a year.
    pub fn text(self, proposer: &Party, partner: &Party, now: Timestamp) -> Value {
        let hour = 3_600_000_000;
        let start = Timestamp::from_unix_micros(now.unix_micros() - hour);
        let end = Timestamp::from_unix_micros(now.unix_micros() + 365 * 24 * hour);
        let encrypt_in_transit = if self == TreatyKind::Regional { "may" } else { "must" };
        let (title, topics, types, tlp, attribution, resharing): (&str, &[&str], &[&str], _, _, _) = match self {
            TreatyKind::Regional => (
                "Northern Marches bilateral treaty on cyber and counter-terrorism cooperation",
                &["counter-terrorism", "cyber"],
                &[],
                "amber",
                "may",
                "treaty-partners",
            ),
            TreatyKind::CounterTerrorism => (
                "Bilateral counter-terrorism intelligence agreement",
                &["counter-terrorism"],
                &["indicator", "threat-actor", "intrusion-set", "campaign", "report"],
                "amber",
                "must-not",
                "nobody",
            ),
            TreatyKind::NarrowCyber => (
                "Memorandum on sharing cyber threat indicators with civil society",
                &["cyber"],
                &["indicator"],
                "green",
                "must-not",
                "nobody",
            ),
        };
        json!({
            "entente": "1",
            "type": "treaty",
            "id": format!("treaty--{}", uuid::Uuid::new_v4()),
            "version": 1,
            "title": title,
            "purpose": format!("Cooperation between {} and {}: {}.", proposer.name, partner.name, self.summary()),
            "parties": [proposer.node_id, partner.node_id],
            "proposed_by": proposer.node_id,
            "scope": {"topics": topics, "object_types": types, "labels": []},
            "terms": {
                "iep_version": "2.0",
                "encrypt_in_transit": encrypt_in_transit,
                "permitted_actions": "internally-visible-actions",
                "affected_party_notifications": "may",
                "tlp": tlp,
                "attribution": attribution,
                "unmodified_resale": "must-not",
                "start_date": start.to_string(),
                "end_date": end.to_string(),
            },
            "resharing": {"to": resharing},
            "notice_period_days": 30,
            "created": now.to_string(),
        })
    }
}

/// The regional alliance of Northland, Southland and Eastland (its id names it in
/// re-sharing rules).
pub const ALLIANCE_ID: &str = "identity--7a1f0c5e-4c2b-4d7e-9a61-2f3b8c9d0e11";
pub const ALLIANCE_NAME: &str = "Northern Marches Security Alliance";

/// The regional alliance's charter, founded by the three neighbours: unanimity for
/// admissions, the regional treaties' scope and terms. Its re-sharing rule is the
/// treaties' (`treaty-partners`), so founding it changes no flow of the demo; a charter
/// is a sharing agreement between its members in force, like a treaty.
pub fn regional_charter(now: Timestamp) -> Value {
    let treaty = TreatyKind::Regional.text(&PARTIES[NORTHLAND], &PARTIES[SOUTHLAND], now);
    json!({
        "entente": "1", "type": "alliance-charter", "id": ALLIANCE_ID, "name": ALLIANCE_NAME,
        "purpose": "To protect the Northern Marches together: shared warning of terrorist and cyber threats \
                    among the region's states and agencies.",
        "region": {"name": "Northern Marches", "countries": ["XN", "XS", "XE"]},
        "founders": [PARTIES[NORTHLAND].node_id, PARTIES[SOUTHLAND].node_id, PARTIES[EASTLAND].node_id],
        "decision_rule": {"rule": "unanimity"},
        "scope": treaty["scope"], "terms": treaty["terms"], "resharing": treaty["resharing"],
        "created": now.to_string(),
    })
}
