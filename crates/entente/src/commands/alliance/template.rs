//! `entente alliance template`: a commented charter to edit, with a fresh alliance id,
//! this node and the `--with` nodes as founders, and the treaty template's scope and
//! terms. `alliance found` removes the comment lines again.

use crate::commands::relations::{now, resolve};
use crate::datadir::DataDir;
use anyhow::{Context, bail};
use entente_core::alliance::Charter;
use entente_core::treaty::{parse_template, strip_comment_lines, template_text};
use serde_json::Value;

pub(super) fn template(dir: &DataDir, with: &[String], json: bool) -> anyhow::Result<()> {
    let store = dir.open_store()?;
    let us = store.node_settings()?.identity_id;
    let mut founders = vec![us.clone()];
    for given in with {
        let founder = resolve(&store, given)?.to_string();
        if founders.contains(&founder) {
            bail!("{given} is named twice among the founders (this node is always one of them)");
        }
        founders.push(founder);
    }
    if founders.len() < 2 {
        bail!("a charter has at least two founders: name the others with --with NODE (node id or partner name)");
    }
    let text = filled(&founders)?;
    let value: Value = serde_json::from_str(&strip_comment_lines(&text)).context("the template is JSON")?;
    Charter::parse(&value).context("the filled-in template is not a valid charter (a bug; please report it)")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{text}");
    }
    Ok(())
}

/// Pretty JSON indented to sit as a member's value at the template's first level.
fn indented(value: &Value) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)?.replace('\n', "\n  "))
}

fn filled(founders: &[String]) -> anyhow::Result<String> {
    let treaty = parse_template(template_text()).context("the treaty template")?.to_value();
    let alliance = format!("identity--{}", uuid::Uuid::new_v4());
    let founders: Vec<String> = founders.iter().map(|founder| format!("\"{founder}\"")).collect();
    Ok(format!(
        r#"// An Entente alliance charter. Lines that start with // are comments and are removed
// before the charter is read. Every founder signs exactly this text: once founded, it
// cannot change (amending a charter means founding a new alliance).
{{
  "entente": "1",
  "type": "alliance-charter",
  // The alliance id: an alliance is a party in STIX terms. Treaties name it in
  // `resharing.alliances`; it may not be one of the founders.
  "id": "{alliance}",
  // At most 300 characters.
  "name": "Regional Cyber Alliance",
  // What the alliance is for (at most 20,000 characters; line breaks allowed).
  "purpose": "To share intelligence on terrorist and cyber threats among its members.",
  // Optional: a name, ISO 3166-1 alpha-2 codes in upper case, or both; remove to omit.
  "region": {{"name": "Sahel", "countries": ["SN", "ML", "NE"]}},
  // Node ids, each once: at least two. The alliance is founded when all have signed.
  "founders": [{founders}],
  // {{"rule": "unanimity"}}, or a qualified majority n/d in lowest terms with
  // 1/2 < n/d < 1: yes votes x d >= n x eligible members.
  "decision_rule": {{"rule": "qualified-majority", "numerator": 2, "denominator": 3}},
  // Exactly a treaty's scope, IEP terms and re-sharing (see `entente treaty template`).
  // The alliance counts for the release decision between start_date and end_date.
  "scope": {scope},
  "terms": {terms},
  "resharing": {{"to": "alliance-parties", "alliances": ["{alliance}"]}},
  "created": "{created}"
}}
"#,
        founders = founders.join(", "),
        scope = indented(&treaty["scope"])?,
        terms = indented(&treaty["terms"])?,
        created = now(),
    ))
}
