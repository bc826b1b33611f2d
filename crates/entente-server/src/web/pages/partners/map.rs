//! The map of partners by country: a server-rendered SVG world map whose countries
//! carry CSS classes for the state of the relations with partners there. Nothing
//! needs JavaScript, and nothing is styled inline (the CSP forbids it).
//!
//! The outlines are adapted from `@svg-maps/world` (CC BY 4.0; see
//! `assets/vendor/world/README.md`), keyed by lower-case ISO 3166-1 alpha-2 ids.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The SVG view box the outlines are drawn in.
pub(crate) const VIEW_BOX: &str = "0 0 1010 666";

const COUNTRIES: &str = include_str!("../../../../assets/vendor/world/countries.tsv");

/// One outline: (alpha-2 id, name, path).
static OUTLINES: LazyLock<Vec<(&'static str, &'static str, &'static str)>> = LazyLock::new(|| {
    COUNTRIES
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            Some((fields.next()?, fields.next()?, fields.next()?))
        })
        .collect()
});

/// Whether `code` (alpha-2, any case) has an outline on the map.
pub(crate) fn on_the_map(code: &str) -> bool {
    let code = code.to_ascii_lowercase();
    OUTLINES.iter().any(|(id, _, _)| *id == code)
}

/// A country on the map.
#[derive(Debug, Clone)]
pub(crate) struct Country {
    pub(crate) id: &'static str,
    pub(crate) path: &'static str,
    /// `country`, plus `partner state-…` where this node has partners.
    pub(crate) class: String,
    /// What a pointer over the country shows: its name and the partners there.
    pub(crate) title: String,
}

/// How far a relation has come, to colour a country with several partners by the
/// most advanced one.
fn rank(state: &str) -> u8 {
    match state {
        "in-force" => 6,
        "suspended" => 5,
        "negotiating" => 4,
        "recognized" => 3,
        "contact" => 2,
        _ => 1,
    }
}

/// The map, given each partner's (country, name, relation state). Countries are
/// matched case-insensitively on their alpha-2 code; unknown codes are ignored.
pub(crate) fn countries<'a>(partners: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Vec<Country> {
    let mut by_country: BTreeMap<String, (Vec<&str>, &str)> = BTreeMap::new();
    for (country, name, state) in partners {
        let entry = by_country.entry(country.to_ascii_lowercase()).or_insert((Vec::new(), state));
        entry.0.push(name);
        if rank(state) > rank(entry.1) {
            entry.1 = state;
        }
    }
    OUTLINES
        .iter()
        .map(|&(id, name, path)| match by_country.get(id) {
            Some((names, state)) => Country {
                id,
                path,
                class: format!("country partner state-{state}"),
                title: format!("{name}: {} ({state})", names.join(", ")),
            },
            None => Country { id, path, class: "country".to_owned(), title: name.to_owned() },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outlines_are_keyed_by_alpha_2_codes() {
        assert!(OUTLINES.len() > 200, "{} outlines", OUTLINES.len());
        // Alpha-2 codes, and a few islands as `um-xx` (parts of the U.S. Minor Outlying Islands).
        let code = |id: &str| id.len() == 2 || id.strip_prefix("um-").is_some_and(|part| part.len() == 2);
        assert!(OUTLINES.iter().all(|(id, _, path)| code(id) && path.starts_with('m')));
        assert!(OUTLINES.iter().any(|(id, name, _)| *id == "fr" && *name == "France"));
    }

    #[test]
    fn a_country_takes_the_most_advanced_state_of_its_partners() {
        let map = countries([("FR", "Alpha", "contact"), ("fr", "Bravo", "in-force"), ("DE", "Charlie", "suspended")]);
        let class = |id: &str| map.iter().find(|country| country.id == id).map(|country| country.class.clone());
        assert_eq!(class("fr").as_deref(), Some("country partner state-in-force"));
        assert_eq!(class("de").as_deref(), Some("country partner state-suspended"));
        assert_eq!(class("it").as_deref(), Some("country"));
        let france = map.iter().find(|country| country.id == "fr").map(|country| country.title.clone());
        assert_eq!(france.as_deref(), Some("France: Alpha, Bravo (in-force)"));
    }
}
