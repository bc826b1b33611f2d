//! The pattern of a MISP object, as MISP writes it: an object of a single-observable
//! template (`file`, `url`, `domain-ip`, `mutex`…) is one observation on that object
//! type, where an attribute that does not map onto it is `x_misp_<relation>`; other
//! templates (network connections) are the conjunction of their attributes' own
//! comparisons, one observation per object type.

use super::Object;
use super::attributes::{Comparison, comparisons};

/// Templates whose attributes all describe one observable of this STIX type.
const SINGLE_ROOT: &[(&str, &str)] = &[
    ("file", "file"),
    ("hashlookup", "file"),
    ("lnk", "file"),
    ("url", "url"),
    ("domain-ip", "domain-name"),
    ("mutex", "mutex"),
    ("x509", "x509-certificate"),
    ("registry-key", "windows-registry-key"),
    ("asn", "autonomous-system"),
    ("directory", "directory"),
    ("user-account", "user-account"),
    ("artifact", "artifact"),
];

/// Relations that name a property of the root other than their attribute type's.
const RELATIONS: &[(&str, &str, &str)] = &[
    ("domain-ip", "ip", "domain-name:resolves_to_refs[*].value"),
    ("directory", "path", "directory:path"),
    ("user-account", "username", "user-account:account_login"),
    ("asn", "asn", "autonomous-system:number"),
    ("mutex", "name", "mutex:name"),
    ("registry-key", "key", "windows-registry-key:key"),
    ("x509", "issuer", "x509-certificate:issuer"),
    ("x509", "subject", "x509-certificate:subject"),
    ("x509", "serial-number", "x509-certificate:serial_number"),
];

/// Relations whose content MISP writes as a referenced artifact, not a comparison.
const CONTENT_RELATIONS: &[&str] = &["malware-sample", "attachment"];

/// Templates that describe one connection: a single `network-traffic` observation.
const CONNECTIONS: &[&str] = &["ip-port", "network-socket", "network-connection", "netflow"];

/// The comparisons of the object's detecting attributes (all of them when none
/// detects), grouped into observations by object type, in attribute order.
pub fn object_observations(object: &Object) -> Vec<Vec<Comparison>> {
    let detect = object.attributes.iter().any(|attribute| attribute.to_ids);
    let chosen = object.attributes.iter().filter(|attribute| attribute.to_ids || !detect);
    let account = account_type(&object.name);
    let root = SINGLE_ROOT
        .iter()
        .find(|(name, _)| *name == object.name)
        .map(|(_, root)| *root)
        .or(account.map(|_| "user-account"));
    let mut groups: Vec<(String, Vec<Comparison>)> = Vec::new();
    if let Some(kind) = account {
        groups.push((
            "user-account".into(),
            vec![Comparison { path: "user-account:account_type".into(), value: kind.into() }],
        ));
    }
    for attribute in chosen {
        let relation = attribute.object_relation.as_deref().unwrap_or(&attribute.kind);
        if CONTENT_RELATIONS.contains(&relation) {
            continue;
        }
        let own = comparisons(&attribute.kind, &attribute.value).unwrap_or_default();
        let found = match root {
            _ if CONNECTIONS.contains(&object.name.as_str()) => connection(relation, &attribute.kind, &attribute.value),
            Some(root) if account.is_some() && relation == "id" => {
                vec![Comparison { path: format!("{root}:user_id"), value: attribute.value.clone() }]
            }
            Some(root) => {
                let own = rehome_hashes(own, root);
                let fits =
                    !own.is_empty() && own.iter().all(|comparison| comparison.path.starts_with(&format!("{root}:")));
                let named = RELATIONS.iter().find(|(name, key, _)| *name == object.name && *key == relation);
                if let Some((_, _, path)) = named {
                    vec![Comparison { path: (*path).to_owned(), value: attribute.value.clone() }]
                } else if fits {
                    own
                } else {
                    let property = relation.replace('-', "_");
                    vec![Comparison { path: format!("{root}:x_misp_{property}"), value: attribute.value.clone() }]
                }
            }
            None => own,
        };
        for comparison in found {
            let object_type = comparison.path.split(':').next().unwrap_or_default().to_owned();
            match groups.iter_mut().find(|(name, _)| *name == object_type) {
                Some((_, list)) => list.push(comparison),
                None => groups.push((object_type, vec![comparison])),
            }
        }
    }
    groups.into_iter().map(|(_, list)| list).collect()
}

/// `github-user` → `github`, `facebook-account` → `facebook`.
fn account_type(template: &str) -> Option<&str> {
    template.strip_suffix("-account").or_else(|| template.strip_suffix("-user")).filter(|name| *name != "user")
}

/// A hash attribute inside an artifact or certificate object hashes that object.
fn rehome_hashes(own: Vec<Comparison>, root: &str) -> Vec<Comparison> {
    own.into_iter()
        .map(|comparison| match comparison.path.strip_prefix("file:hashes.") {
            Some(hash) if matches!(root, "artifact" | "x509-certificate") => {
                Comparison { path: format!("{root}:hashes.{hash}"), value: comparison.value }
            }
            _ => comparison,
        })
        .collect()
}

/// One attribute of a connection template as `network-traffic` comparisons.
fn connection(relation: &str, kind: &str, value: &str) -> Vec<Comparison> {
    let side =
        if relation.starts_with("src") || relation.starts_with("ip-src") || kind == "ip-src" { "src" } else { "dst" };
    let reference = |family: &str| {
        vec![
            Comparison { path: format!("network-traffic:{side}_ref.type"), value: family.to_owned() },
            Comparison { path: format!("network-traffic:{side}_ref.value"), value: value.to_owned() },
        ]
    };
    match kind {
        "ip-src" | "ip-dst" => reference(if value.contains(':') { "ipv6-addr" } else { "ipv4-addr" }),
        "domain" | "hostname" => reference("domain-name"),
        "port" => vec![Comparison { path: format!("network-traffic:{side}_port"), value: value.to_owned() }],
        _ => Vec::new(),
    }
}
