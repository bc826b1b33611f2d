//! The divergence view: who designates an entity, and who does not.
//!
//! Records of different lists are grouped when they share a normalised name or alias
//! ([`super::names::keys`]) — an automatic **candidate** — or when an analyst
//! **confirmed** a link between them. A **rejected** link keeps two records apart
//! even when their names match. A group is `confirmed` when confirmed links alone
//! join all its members, `candidate` when any automatic match is needed, `single` when
//! it has one record. Every record stays its source's own: a group lists them side by
//! side and never merges them.
//!
//! Automatic matching is cautious, because one list's aliases chain far (a bare
//! `Al-Qaida` is an alias of many affiliates): a key only joins records of
//! *different* authorities; when one authority has several records with the key, only
//! the one whose own name it is takes part, or none; and an automatic match never
//! puts two records of the same authority in one group (an authority that lists two
//! entries means two entities). Keys that are the names of both records are tried
//! first, then a name against an alias, then two aliases. Confirmed links are not bound by these rules.
//!
//! Invariant: pure and deterministic; groups and their members come out sorted.

use super::names::{self, keys};
use super::stix::IndexRow;
use super::{EntityKind, Status};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An analyst's verdict on whether two records name the same entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Confirmed,
    Rejected,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        match text {
            "confirmed" => Some(Verdict::Confirmed),
            "rejected" => Some(Verdict::Rejected),
            _ => None,
        }
    }
}

/// A link between two entity records (their STIX ids), as an analyst decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub a: String,
    pub b: String,
    pub verdict: Verdict,
}

/// How a group's records were put together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grouping {
    Single,
    Confirmed,
    Candidate,
}

impl Grouping {
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Single => "single",
            Grouping::Confirmed => "confirmed",
            Grouping::Candidate => "candidate",
        }
    }
}

/// One authority's record in a group.
#[derive(Clone, Debug, Serialize)]
pub struct Stance {
    pub authority: String,
    pub authority_name: String,
    pub status: Status,
    pub listed_on: Option<String>,
    pub delisted_on: Option<String>,
    pub programmes: Vec<String>,
    pub reference: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub entity_id: String,
    pub designation_id: String,
}

/// Records that name, or may name, the same entity.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The name of the group's first record, for display.
    pub name: String,
    pub kind: EntityKind,
    pub grouping: Grouping,
    /// The normalised names or aliases the records were matched on automatically.
    pub matched_on: Vec<String>,
    pub records: Vec<Stance>,
    /// Authorities that list it now.
    pub listed_by: Vec<String>,
    /// Known authorities with no current listing of it (delisted, or never listed).
    pub not_listed_by: Vec<String>,
    /// Rejected links between records that other matches still put in this group.
    pub disputed: Vec<(String, String)>,
}

impl Group {
    pub fn listed_by(&self, authority: &str) -> bool {
        self.listed_by.iter().any(|key| key == authority)
    }
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut at: usize) -> usize {
        while self.0[at] != at {
            self.0[at] = self.0[self.0[at]];
            at = self.0[at];
        }
        at
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b { (a.to_owned(), b.to_owned()) } else { (b.to_owned(), a.to_owned()) }
}

/// Groups every row; `links` are the analyst's verdicts.
pub fn group(rows: &[IndexRow], links: &[Link]) -> Vec<Group> {
    let by_entity: HashMap<&str, usize> =
        rows.iter().enumerate().map(|(at, row)| (row.entity_id.as_str(), at)).collect();
    let rejected: BTreeSet<(String, String)> =
        links.iter().filter(|link| link.verdict == Verdict::Rejected).map(|link| pair(&link.a, &link.b)).collect();
    let mut all = UnionFind((0..rows.len()).collect());
    let mut confirmed = UnionFind((0..rows.len()).collect());
    for link in links.iter().filter(|link| link.verdict == Verdict::Confirmed) {
        if let (Some(&a), Some(&b)) = (by_entity.get(link.a.as_str()), by_entity.get(link.b.as_str())) {
            all.union(a, b);
            confirmed.union(a, b);
        }
    }
    let matched = match_names(rows, &rejected, &mut all);
    let authorities: BTreeMap<String, String> =
        rows.iter().map(|row| (row.authority.key.clone(), row.authority.name.clone())).collect();
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for at in 0..rows.len() {
        members.entry(all.find(at)).or_default().push(at);
    }
    let mut groups: Vec<Group> = members
        .into_values()
        .map(|indices| make_group(rows, &indices, &mut confirmed, &matched, &rejected, &authorities))
        .collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.records[0].entity_id.cmp(&b.records[0].entity_id)));
    groups
}

/// The automatic matches: joins records in `all`, returns the keys each matched on.
fn match_names(
    rows: &[IndexRow],
    rejected: &BTreeSet<(String, String)>,
    all: &mut UnionFind,
) -> HashMap<usize, BTreeSet<String>> {
    // key → authority → the records of that authority with the key.
    let mut by_key: BTreeMap<String, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
    let mut name_keys: Vec<Option<String>> = Vec::with_capacity(rows.len());
    for (at, row) in rows.iter().enumerate() {
        let keys = keys(row.kind, &row.name, &row.aliases);
        let name_key = keys.first().filter(|_| !names::normalise(&names::without_parentheses(&row.name)).is_empty());
        name_keys.push(name_key.cloned());
        for key in keys {
            by_key.entry(key).or_default().entry(row.authority.key.as_str()).or_default().push(at);
        }
    }
    let mut authorities_of: Vec<BTreeSet<&str>> =
        rows.iter().map(|row| BTreeSet::from([row.authority.key.as_str()])).collect();
    let mut matched: HashMap<usize, BTreeSet<String>> = HashMap::new();
    // Both names first, then a name and an alias, then two aliases.
    for needed_names in [2, 1, 0] {
        for (key, per_authority) in &by_key {
            // One record per authority: the only one with the key, or the one named so.
            let chosen: Vec<usize> = per_authority
                .values()
                .filter_map(|records| match records.as_slice() {
                    [only] => Some(*only),
                    several => {
                        let named: Vec<usize> =
                            several.iter().copied().filter(|&at| name_keys[at].as_ref() == Some(key)).collect();
                        if named.len() == 1 { Some(named[0]) } else { None }
                    }
                })
                .collect();
            for (position, &a) in chosen.iter().enumerate() {
                for &b in &chosen[position + 1..] {
                    // A person and an organisation of the same name are not the same entity.
                    let names = [a, b].iter().filter(|&&at| name_keys[at].as_ref() == Some(key)).count();
                    if names < needed_names
                        || (rows[a].kind == EntityKind::Individual) != (rows[b].kind == EntityKind::Individual)
                        || rejected.contains(&pair(&rows[a].entity_id, &rows[b].entity_id))
                    {
                        continue;
                    }
                    let (root_a, root_b) = (all.find(a), all.find(b));
                    if root_a == root_b {
                        continue;
                    }
                    if !authorities_of[root_a].is_disjoint(&authorities_of[root_b]) {
                        continue;
                    }
                    all.union(a, b);
                    let merged: BTreeSet<&str> =
                        authorities_of[root_a].union(&authorities_of[root_b]).copied().collect();
                    authorities_of[all.find(a)] = merged;
                    matched.entry(a).or_default().insert(key.clone());
                    matched.entry(b).or_default().insert(key.clone());
                }
            }
        }
    }
    matched
}

fn make_group(
    rows: &[IndexRow],
    indices: &[usize],
    confirmed: &mut UnionFind,
    matched: &HashMap<usize, BTreeSet<String>>,
    rejected: &BTreeSet<(String, String)>,
    authorities: &BTreeMap<String, String>,
) -> Group {
    let root = confirmed.find(indices[0]);
    let grouping = match indices.len() {
        1 => Grouping::Single,
        _ if indices.iter().all(|&at| confirmed.find(at) == root) => Grouping::Confirmed,
        _ => Grouping::Candidate,
    };
    let matched_on: BTreeSet<String> = indices.iter().filter_map(|at| matched.get(at)).flatten().cloned().collect();
    let mut records: Vec<Stance> = indices.iter().map(|&at| stance(&rows[at])).collect();
    records.sort_by(|a, b| a.authority.cmp(&b.authority).then_with(|| a.reference.cmp(&b.reference)));
    let listed_by: BTreeSet<String> = records
        .iter()
        .filter(|record| record.status == Status::Listed)
        .map(|record| record.authority.clone())
        .collect();
    let ids: BTreeSet<&str> = records.iter().map(|record| record.entity_id.as_str()).collect();
    let disputed =
        rejected.iter().filter(|(a, b)| ids.contains(a.as_str()) && ids.contains(b.as_str())).cloned().collect();
    Group {
        name: rows[indices[0]].name.clone(),
        kind: rows[indices[0]].kind,
        grouping,
        matched_on: if grouping == Grouping::Candidate { matched_on.into_iter().collect() } else { Vec::new() },
        not_listed_by: authorities.keys().filter(|key| !listed_by.contains(*key)).cloned().collect(),
        listed_by: listed_by.into_iter().collect(),
        records,
        disputed,
    }
}

fn stance(row: &IndexRow) -> Stance {
    Stance {
        authority: row.authority.key.clone(),
        authority_name: row.authority.name.clone(),
        status: row.status,
        listed_on: row.listed_on.clone(),
        delisted_on: row.delisted_on.clone(),
        programmes: row.programmes.clone(),
        reference: row.reference.clone(),
        name: row.name.clone(),
        aliases: row.aliases.clone(),
        entity_id: row.entity_id.clone(),
        designation_id: row.designation_id.clone(),
    }
}

/// The groups one query names: a STIX id (entity or designation) picks its group; a
/// name picks every group with a record whose normalised name or alias equals it, or
/// failing that contains it. For individuals, word order does not matter in an exact match.
pub fn find<'g>(groups: &'g [Group], query: &str) -> Vec<&'g Group> {
    let query = query.trim();
    if query.contains("--") {
        return groups
            .iter()
            .filter(|group| {
                group.records.iter().any(|record| record.entity_id == query || record.designation_id == query)
            })
            .collect();
    }
    let wanted = super::names::normalise(query);
    if wanted.is_empty() {
        return Vec::new();
    }
    // Individuals' keys have their words sorted; so is the query, to compare with them.
    let wanted_person = keys(EntityKind::Individual, query, &[]).into_iter().next().unwrap_or_else(|| wanted.clone());
    let wanted_for = |group: &Group| if group.kind == EntityKind::Individual { &wanted_person } else { &wanted };
    let names = |group: &Group| -> Vec<String> {
        group.records.iter().flat_map(|record| keys(group.kind, &record.name, &record.aliases)).collect()
    };
    let exact: Vec<&Group> = groups
        .iter()
        .filter(|group| group.matched_on.contains(wanted_for(group)) || names(group).contains(wanted_for(group)))
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    groups.iter().filter(|group| names(group).iter().any(|name| name.contains(wanted.as_str()))).collect()
}

/// For two authorities: the groups one lists and the other does not.
#[derive(Debug, Serialize)]
pub struct Between<'g> {
    pub a: String,
    pub b: String,
    pub only_a: Vec<&'g Group>,
    pub only_b: Vec<&'g Group>,
    /// How many groups both list.
    pub both: usize,
}

pub fn between<'g>(groups: &'g [Group], a: &str, b: &str) -> Between<'g> {
    let mut result = Between { a: a.to_owned(), b: b.to_owned(), only_a: Vec::new(), only_b: Vec::new(), both: 0 };
    for group in groups {
        match (group.listed_by(a), group.listed_by(b)) {
            (true, true) => result.both += 1,
            (true, false) => result.only_a.push(group),
            (false, true) => result.only_b.push(group),
            (false, false) => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designation::Authority;

    fn row(authority: Authority, reference: &str, name: &str, aliases: &[&str]) -> IndexRow {
        IndexRow {
            designation_id: format!("x-entente-designation--{}-{reference}", authority.key),
            entity_id: format!("threat-actor--{}-{reference}", authority.key),
            authority,
            reference: reference.into(),
            kind: EntityKind::Organization,
            name: name.into(),
            aliases: aliases.iter().map(|alias| (*alias).to_owned()).collect(),
            programmes: Vec::new(),
            listed_on: None,
            status: Status::Listed,
            delisted_on: None,
            created: String::new(),
            modified: String::new(),
            entity_hash: String::new(),
            designation_hash: String::new(),
        }
    }

    fn rows() -> Vec<IndexRow> {
        vec![
            row(Authority::un(), "QDe.007", "ASBAT AL-ANSAR", &[]),
            row(Authority::canada(), "15", "Asbat Al-Ansar (AAA)", &["Osbat Al Ansar"]),
            row(Authority::canada(), "30", "Hizballah", &["Hezbollah"]),
            row(Authority::ofac(), "1", "HIZBALLAH", &[]),
            row(Authority::canada(), "510", "Proud Boys", &[]),
        ]
    }

    #[test]
    fn matches_names_across_lists_as_candidates() {
        let groups = group(&rows(), &[]);
        assert_eq!(groups.len(), 3);
        let asbat = find(&groups, "Asbat al Ansar");
        assert_eq!(asbat.len(), 1);
        assert_eq!(asbat[0].grouping, Grouping::Candidate);
        assert_eq!(asbat[0].listed_by, vec!["ca", "un"]);
        assert_eq!(asbat[0].not_listed_by, vec!["ofac"]);
        assert_eq!(asbat[0].matched_on, vec!["asbat alansar"]);
    }

    #[test]
    fn analysts_confirm_and_reject() {
        let confirm =
            Link { a: "threat-actor--un-QDe.007".into(), b: "threat-actor--ca-15".into(), verdict: Verdict::Confirmed };
        let groups = group(&rows(), &[confirm]);
        assert_eq!(find(&groups, "asbat al-ansar")[0].grouping, Grouping::Confirmed);
        let reject =
            Link { a: "threat-actor--ofac-1".into(), b: "threat-actor--ca-30".into(), verdict: Verdict::Rejected };
        let groups = group(&rows(), &[reject]);
        assert_eq!(groups.len(), 4, "the rejected pair stays apart");
        assert_eq!(find(&groups, "threat-actor--ofac-1")[0].records.len(), 1);
    }

    #[test]
    fn individuals_are_found_in_any_word_order() {
        let mut person = row(Authority::ofac(), "2674", "ABBAS, Abu", &[]);
        person.kind = EntityKind::Individual;
        let groups = group(&[person], &[]);
        assert_eq!(find(&groups, "Abu Abbas").len(), 1);
        assert_eq!(find(&groups, "abbas abu").len(), 1);
    }

    #[test]
    fn between_two_authorities() {
        let groups = group(&rows(), &[]);
        let result = between(&groups, "ca", "un");
        assert_eq!(result.both, 1);
        assert_eq!(result.only_a.len(), 2);
        assert!(result.only_b.is_empty());
    }

    #[test]
    fn a_delisting_counts_as_not_listed() {
        let mut rows = rows();
        rows[0].status = Status::Delisted;
        let groups = group(&rows, &[]);
        let asbat = find(&groups, "asbat al ansar");
        assert_eq!(asbat[0].listed_by, vec!["ca"]);
        assert!(asbat[0].not_listed_by.contains(&"un".to_owned()));
    }
}
