//! Rendering the divergence view as text, JSON or CSV.

use super::all_designations;
use entente_core::designation::divergence::{self, Group, Link};
use entente_store::Store;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Copy)]
pub(super) enum Output {
    Text,
    Json,
    Csv,
}

pub(super) fn divergence(
    store: &Store,
    entity: Option<&str>,
    between: &[String],
    output: Output,
) -> anyhow::Result<()> {
    let rows = all_designations(store)?;
    let links: Vec<Link> = store.designation_links()?.into_iter().map(|record| record.link).collect();
    let groups = divergence::group(&rows, &links);
    if let [a, b] = between {
        let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        for key in [&a, &b] {
            if !rows.iter().any(|row| &row.authority.key == key) {
                anyhow::bail!(
                    "this node holds no designations by {key:?}; `entente designations list` shows the authorities"
                );
            }
        }
        let result = divergence::between(&groups, &a, &b);
        return match output {
            Output::Json => print(serde_json::to_string_pretty(&result)?),
            Output::Csv => {
                let sides = [(format!("only-{a}"), &result.only_a), (format!("only-{b}"), &result.only_b)];
                csv(sides.iter().flat_map(|(side, groups)| groups.iter().map(move |group| (side.as_str(), *group))))
            }
            Output::Text => {
                let mut lines = vec![format!("Listed by {a}, not by {b} ({}):", result.only_a.len())];
                lines.extend(result.only_a.iter().map(|group| format!("  {}", headline(group))));
                lines.push(format!("Listed by {b}, not by {a} ({}):", result.only_b.len()));
                lines.extend(result.only_b.iter().map(|group| format!("  {}", headline(group))));
                lines.push(format!("Listed by both: {}", result.both));
                print(lines.join("\n"))
            }
        };
    }
    let chosen: Vec<&Group> = match entity {
        Some(query) => {
            let found = divergence::find(&groups, query);
            if found.is_empty() {
                anyhow::bail!(
                    "no designated entity matches {query:?}; try a shorter name or `entente designations list --name …`"
                );
            }
            found
        }
        None => groups.iter().filter(|group| group.records.len() > 1).collect(),
    };
    match output {
        Output::Json => {
            #[derive(Serialize)]
            struct View<'g> {
                groups: &'g [&'g Group],
            }
            print(serde_json::to_string_pretty(&View { groups: &chosen })?)
        }
        Output::Csv => csv(chosen.iter().map(|group| ("", *group))),
        Output::Text => {
            let mut lines: Vec<String> = chosen.iter().map(|group| text(group)).collect();
            if entity.is_none() {
                lines.push(format!("{} entities named by more than one list", chosen.len()));
            }
            print(lines.join("\n"))
        }
    }
}

/// Writes the view to standard output; a reader that went away (`| head`) is not an error.
fn print(text: String) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// One line: the name, who lists it, how it was grouped.
fn headline(group: &Group) -> String {
    let references: Vec<String> =
        group.records.iter().map(|record| format!("{} {}", record.authority, record.reference)).collect();
    format!("{} [{}] ({})", group.name, references.join(", "), group.grouping.as_str())
}

fn text(group: &Group) -> String {
    let mut lines = vec![match group.grouping {
        divergence::Grouping::Candidate => {
            format!(
                "{} — candidate match (names: {}), not confirmed by an analyst",
                group.name,
                group.matched_on.join("; ")
            )
        }
        divergence::Grouping::Confirmed => format!("{} — records linked by an analyst", group.name),
        divergence::Grouping::Single => group.name.clone(),
    }];
    for record in &group.records {
        let since = match (&record.listed_on, &record.delisted_on) {
            (_, Some(until)) => format!("delisted {until}"),
            (Some(since), None) => format!("listed since {since}"),
            (None, None) => "listed".to_owned(),
        };
        lines.push(format!(
            "  {:<5} {:<22} {:<28} {:<10} {}  {}",
            record.authority,
            since,
            record.programmes.join(", "),
            record.reference,
            record.name,
            record.entity_id
        ));
    }
    let not_listed = if group.not_listed_by.is_empty() { "none".to_owned() } else { group.not_listed_by.join(", ") };
    lines.push(format!("  not listed by: {not_listed}"));
    for (a, b) in &group.disputed {
        lines.push(format!("  disputed: an analyst rejected {a} = {b}"));
    }
    lines.join("\n")
}

fn csv<'g>(groups: impl Iterator<Item = (&'g str, &'g Group)>) -> anyhow::Result<()> {
    // Written to memory first (a view is small), so a closed pipe is handled in one place.
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "side",
        "group",
        "grouping",
        "authority",
        "status",
        "listed_on",
        "delisted_on",
        "programmes",
        "reference",
        "name",
        "entity_id",
        "not_listed_by",
    ])?;
    for (side, group) in groups {
        for record in &group.records {
            writer.write_record([
                side,
                &group.name,
                group.grouping.as_str(),
                &record.authority,
                record.status.as_str(),
                record.listed_on.as_deref().unwrap_or(""),
                record.delisted_on.as_deref().unwrap_or(""),
                &record.programmes.join("; "),
                &record.reference,
                &record.name,
                &record.entity_id,
                &group.not_listed_by.join(" "),
            ])?;
        }
    }
    let bytes = writer.into_inner().map_err(|error| anyhow::anyhow!("writing CSV: {error}"))?;
    let text = String::from_utf8(bytes)?;
    print(text.trim_end().to_owned())
}
