//! MISP warning lists (`list.json`, the files `pymispwarninglists` vendors from
//! misp-warninglists): lists of known false positives — public resolvers, top domains,
//! cloud ranges, RFC 1918 space — and the pure matcher that flags indicator values
//! found on them.
//!
//! Matching follows MISP's semantics per list type:
//! - `string`: the value equals an entry exactly;
//! - `substring`: an entry occurs inside the value;
//! - `hostname`: the value's host (a URL's host, a bare domain) is an entry or a
//!   subdomain of one, compared case-insensitively, trailing dots ignored;
//! - `cidr`: the value is an IP address (or network) inside an entry's network; an
//!   entry without a prefix length is a single address.
//!
//! `regex` lists are loaded but not matched (the node has no regular-expression engine
//! in its core); [`WarningList::is_matched`] says so, and the CLI reports them.
//! A list applies only to the values whose kind its `matching_attributes` names (MISP
//! attribute types, mapped from STIX paths by [`misp_types`]); a list naming none
//! applies to every value.

use super::values::PatternValue;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::net::IpAddr;

#[derive(Debug, thiserror::Error)]
pub enum WarningListError {
    #[error("not a MISP warning list (list.json): {0}")]
    Format(#[from] serde_json::Error),
    #[error("unknown warning list type {0:?} (string, substring, hostname, cidr, regex)")]
    UnknownType(String),
}

/// A list's matching rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    String,
    Substring,
    Hostname,
    Cidr,
    Regex,
}

#[derive(Deserialize)]
struct RawList {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    version: Option<serde_json::Value>,
    #[serde(rename = "type", default = "default_type")]
    kind: String,
    #[serde(default)]
    list: Vec<String>,
    #[serde(default)]
    matching_attributes: Vec<String>,
}

fn default_type() -> String {
    "string".to_owned()
}

/// A parsed list with its lookup structures built once.
#[derive(Debug, Clone)]
pub struct WarningList {
    pub name: String,
    pub description: Option<String>,
    pub version: Option<serde_json::Value>,
    pub kind: ListKind,
    pub matching_attributes: Vec<String>,
    entries: Vec<String>,
    /// `string` and `substring` entries as written, `hostname` entries normalised.
    exact: HashSet<String>,
    /// The distinct byte lengths of `substring` entries, ascending: a value is checked
    /// by looking up each of its substrings of these lengths, so the cost grows with the
    /// value's length, not the list's.
    lengths: Vec<usize>,
    /// `cidr` entries, sorted for binary search (see [`Networks`]).
    networks: Networks,
}

/// A value found on a warning list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub list: String,
    pub kind: ListKind,
    pub path: String,
    pub value: String,
    /// The list entry that matched.
    pub entry: String,
}

impl WarningList {
    pub fn parse(json: &str) -> Result<WarningList, WarningListError> {
        let raw: RawList = serde_json::from_str(json)?;
        let kind = match raw.kind.as_str() {
            "string" => ListKind::String,
            "substring" => ListKind::Substring,
            "hostname" => ListKind::Hostname,
            "cidr" => ListKind::Cidr,
            "regex" => ListKind::Regex,
            other => return Err(WarningListError::UnknownType(other.to_owned())),
        };
        let exact: HashSet<String> = match kind {
            ListKind::String | ListKind::Substring => raw.list.iter().filter(|e| !e.is_empty()).cloned().collect(),
            ListKind::Hostname => raw.list.iter().map(|entry| normal_host(entry)).collect(),
            _ => HashSet::new(),
        };
        let mut lengths: Vec<usize> =
            if kind == ListKind::Substring { exact.iter().map(String::len).collect() } else { Vec::new() };
        lengths.sort_unstable();
        lengths.dedup();
        let networks = if kind == ListKind::Cidr {
            Networks::new(raw.list.iter().filter_map(|entry| Network::parse(entry)).collect())
        } else {
            Networks::default()
        };
        Ok(WarningList {
            name: raw.name,
            description: raw.description,
            version: raw.version,
            kind,
            matching_attributes: raw.matching_attributes,
            entries: raw.list,
            exact,
            lengths,
            networks,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// False for `regex` lists, which this matcher does not evaluate.
    pub fn is_matched(&self) -> bool {
        self.kind != ListKind::Regex
    }

    /// Whether the list is meant for values at this STIX path.
    pub fn applies_to(&self, path: &str) -> bool {
        self.matching_attributes.is_empty()
            || misp_types(path).iter().any(|kind| self.matching_attributes.iter().any(|attribute| attribute == kind))
    }

    /// The entry `value` matches, if any.
    pub fn find(&self, value: &str) -> Option<String> {
        self.find_probe(&Probe::of(value))
    }

    fn find_probe(&self, probe: &Probe<'_>) -> Option<String> {
        let value = probe.value;
        match self.kind {
            ListKind::String => self.exact.get(value).cloned(),
            ListKind::Substring => (0..value.len()).find_map(|start| {
                let longest = value.len() - start;
                self.lengths
                    .iter()
                    .take_while(|length| **length <= longest)
                    .find_map(|length| self.exact.get(value.get(start..start + length)?).cloned())
            }),
            ListKind::Hostname => {
                let mut candidate = probe.host.as_str();
                loop {
                    if let Some(found) = self.exact.get(candidate) {
                        return Some(found.clone());
                    }
                    candidate = candidate.split_once('.')?.1;
                }
            }
            ListKind::Cidr => self.networks.containing(probe.network.as_ref()?).map(Network::to_text),
            ListKind::Regex => None,
        }
    }
}

/// A value prepared once for every list: its host, normalised, and its address.
struct Probe<'a> {
    value: &'a str,
    host: String,
    network: Option<Network>,
}

impl<'a> Probe<'a> {
    fn of(value: &'a str) -> Probe<'a> {
        Probe { value, host: normal_host(host_of(value)), network: Network::parse(value) }
    }
}

/// Every hit of `values` on `lists`, in list then value order: what an import report,
/// a match and `GET /api/v1/objects/{id}/warnings` show.
pub fn warning_hits(lists: &[WarningList], values: &[PatternValue]) -> Vec<Hit> {
    let probes: Vec<Probe<'_>> = values.iter().map(|value| Probe::of(&value.value)).collect();
    let mut hits = Vec::new();
    for list in lists {
        for (value, probe) in values.iter().zip(&probes).filter(|(value, _)| list.applies_to(&value.path)) {
            if let Some(entry) = list.find_probe(probe) {
                hits.push(Hit {
                    list: list.name.clone(),
                    kind: list.kind,
                    path: value.path.clone(),
                    value: value.value.clone(),
                    entry,
                });
            }
        }
    }
    hits
}

/// The MISP attribute types a STIX path's values would have in MISP.
pub fn misp_types(path: &str) -> &'static [&'static str] {
    let (object_type, property) = path.split_once(':').unwrap_or((path, ""));
    match (object_type, property) {
        ("ipv4-addr" | "ipv6-addr", _) => &["ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "ip"],
        ("domain-name", _) => &["domain", "hostname", "domain|ip"],
        ("url", _) => &["url", "uri", "link"],
        ("email-addr", _) => &["email", "email-src", "email-dst"],
        ("file", "name") => &["filename"],
        ("file", property) if property.starts_with("hashes") => &["md5", "sha1", "sha256", "sha512", "ssdeep"],
        ("x509-certificate", _) => &["x509-fingerprint-sha1", "x509-fingerprint-sha256", "x509-fingerprint-md5"],
        _ => &[],
    }
}

/// The host of a URL (`https://user@Host.example:443/x` → `Host.example`), or the value.
fn host_of(value: &str) -> &str {
    let Some((_, rest)) = value.split_once("://") else { return value };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if host.starts_with('[') {
        return host.trim_start_matches('[').split(']').next().unwrap_or(host);
    }
    host.split(':').next().unwrap_or(host)
}

fn normal_host(host: &str) -> String {
    host.trim().trim_end_matches('.').trim_start_matches("*.").to_ascii_lowercase()
}

/// An address or network, as a 128-bit number (IPv4 in its own space) and prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Network {
    v6: bool,
    bits: u128,
    prefix: u8,
}

impl Network {
    fn parse(text: &str) -> Option<Network> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let (v6, bits, width) = match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) => (false, u128::from(u32::from(v4)), 32),
            IpAddr::V6(v6) => (true, u128::from(v6), 128),
        };
        let prefix = prefix.unwrap_or(width);
        if prefix > width {
            return None;
        }
        Some(Network { v6, bits: bits & mask(prefix, width), prefix })
    }

    fn width(&self) -> u8 {
        if self.v6 { 128 } else { 32 }
    }

    /// `other` lies wholly inside this network.
    fn contains(&self, other: &Network) -> bool {
        self.v6 == other.v6 && other.prefix >= self.prefix && other.bits & mask(self.prefix, self.width()) == self.bits
    }

    fn to_text(&self) -> String {
        let address = if self.v6 {
            IpAddr::from(std::net::Ipv6Addr::from(self.bits)).to_string()
        } else {
            IpAddr::from(std::net::Ipv4Addr::from(self.bits as u32)).to_string()
        };
        format!("{address}/{}", self.prefix)
    }
}

/// The mask of the first `prefix` bits of a `width`-bit address.
fn mask(prefix: u8, width: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let all = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
    all & !((1u128 << (width - prefix)) - 1)
}

/// CIDR entries as a laminar family (any two blocks are nested or disjoint), sorted by
/// family, first address and then widest first, each with the index of its nearest
/// enclosing block. A block containing a value, if any, is the last block starting at
/// or before the value's first address or one of its ancestors: a binary search and a
/// walk of at most 128 parents, whatever the list's size.
#[derive(Debug, Clone, Default)]
struct Networks {
    blocks: Vec<(Network, Option<usize>)>,
}

impl Networks {
    fn new(mut networks: Vec<Network>) -> Networks {
        networks.sort_by_key(|network| (network.v6, network.bits, network.prefix));
        networks.dedup();
        let mut blocks: Vec<(Network, Option<usize>)> = Vec::with_capacity(networks.len());
        let mut open: Vec<usize> = Vec::new();
        for network in networks {
            while open.last().is_some_and(|&index| !blocks[index].0.contains(&network)) {
                open.pop();
            }
            blocks.push((network, open.last().copied()));
            open.push(blocks.len() - 1);
        }
        Networks { blocks }
    }

    fn containing(&self, value: &Network) -> Option<&Network> {
        let after = self.blocks.partition_point(|(block, _)| (block.v6, block.bits) <= (value.v6, value.bits));
        let mut index = after.checked_sub(1);
        while let Some(at) = index {
            let (block, parent) = &self.blocks[at];
            if block.contains(value) {
                return Some(block);
            }
            index = *parent;
        }
        None
    }
}

#[cfg(test)]
#[path = "warninglist_tests.rs"]
mod tests;
