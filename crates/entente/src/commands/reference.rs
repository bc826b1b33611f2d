//! `entente reference load attack|taxonomy|warninglists`, `status`, `explain`.
//!
//! Reference files are parsed by `entente-core` (the only judge of their formats) and
//! stored in the reference tables, never in a collection.

use super::intel::{open_input, progress_bar};
use super::now_micros;
use crate::cli::{ReferenceCommand, ReferenceLoad};
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::Context;
use entente_core::reference::{AttackId, Taxonomy, WarningList, attack_entry};
use entente_core::stix::stream::read_objects;
use entente_store::{Store, WarningListRecord};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub fn run(dir: &DataDir, command: ReferenceCommand) -> anyhow::Result<()> {
    let store = dir.open_store()?;
    match command {
        ReferenceCommand::Load(ReferenceLoad::Attack { files, json }) => load_attack(&store, &files, json),
        ReferenceCommand::Load(ReferenceLoad::Taxonomy { paths, json }) => load_taxonomies(&store, &paths, json),
        ReferenceCommand::Load(ReferenceLoad::Warninglists { paths, json }) => load_warninglists(&store, &paths, json),
        ReferenceCommand::Status { json } => {
            let counts = store.reference_counts()?;
            emit(json, &counts, |counts| {
                format!(
                    "ATT&CK: {} entries ({} techniques); taxonomies: {}; warning lists: {}",
                    counts.attack_entries, counts.attack_techniques, counts.taxonomies, counts.warninglists
                )
            })
        }
        ReferenceCommand::Explain { tag, json } => explain(&store, &tag, json),
    }
}

#[derive(Serialize)]
struct AttackLoaded {
    file: String,
    entries: u64,
    techniques: u64,
}

fn load_attack(store: &Store, files: &[PathBuf], json: bool) -> anyhow::Result<()> {
    let mut loaded = Vec::new();
    for file in files {
        let progress = progress_bar(file);
        let input = open_input(file, &progress).with_context(|| format!("opening {}", file.display()))?;
        let mut entries = Vec::new();
        read_objects(input, &mut |raw| {
            let object: serde_json::Value = serde_json::from_str(raw.get()).map_err(|error| error.to_string())?;
            entries.extend(attack_entry(&object));
            Ok(())
        })
        .with_context(|| format!("reading {} as a STIX bundle", file.display()))?;
        progress.finish_and_clear();
        if entries.is_empty() {
            anyhow::bail!(
                "{} holds no ATT&CK objects (none has a mitre-attack external id): is it an ATT&CK bundle?",
                file.display()
            );
        }
        let source =
            file.file_name().map_or_else(|| file.display().to_string(), |name| name.to_string_lossy().into_owned());
        let techniques = entries.iter().filter(|entry| entry.kind == "attack-pattern").count() as u64;
        let count = store.load_attack(&entries, &source, now_micros())?;
        loaded.push(AttackLoaded { file: source, entries: count, techniques });
    }
    emit(json, &loaded, |loaded| {
        let lines: Vec<String> = loaded
            .iter()
            .map(|file| format!("{}: {} ATT&CK entries, {} techniques", file.file, file.entries, file.techniques))
            .collect();
        format!("{}\nObjects citing these techniques now show them: `entente intel show ID`.", lines.join("\n"))
    })
}

/// Every file named `name` under `paths` (a path naming a file is taken as is), sorted.
fn files_named(paths: &[PathBuf], name: &str) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, name: &str, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, name, found)?;
            } else if path.file_name().is_some_and(|file| file == name) {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, name, &mut found).with_context(|| format!("reading {}", path.display()))?;
        } else if path.exists() {
            found.push(path.clone());
        } else {
            anyhow::bail!("{} does not exist", path.display());
        }
    }
    found.sort();
    if found.is_empty() {
        anyhow::bail!(
            "no {name} file under {}",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(found)
}

#[derive(Serialize)]
struct TaxonomyLoaded {
    namespace: String,
    tags: usize,
}

fn load_taxonomies(store: &Store, paths: &[PathBuf], json: bool) -> anyhow::Result<()> {
    let mut loaded = Vec::new();
    for file in files_named(paths, "machinetag.json")? {
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let taxonomy = Taxonomy::parse(&text).with_context(|| format!("{}", file.display()))?;
        store.put_taxonomy(&taxonomy.namespace, &text, now_micros())?;
        loaded.push(TaxonomyLoaded { tags: taxonomy.tag_count(), namespace: taxonomy.namespace });
    }
    emit(json, &loaded, |loaded| {
        let names: Vec<&str> = loaded.iter().map(|taxonomy| taxonomy.namespace.as_str()).collect();
        format!(
            "loaded {} taxonomies: {}\nExplain a tag with `entente reference explain pap:AMBER`.",
            loaded.len(),
            names.join(", ")
        )
    })
}

#[derive(Serialize)]
struct WarningListsLoaded {
    lists: usize,
    entries: u64,
    /// Regular-expression lists: stored, but not matched by this node.
    not_matched: Vec<String>,
}

fn load_warninglists(store: &Store, paths: &[PathBuf], json: bool) -> anyhow::Result<()> {
    let mut records = Vec::new();
    let mut not_matched = Vec::new();
    for file in files_named(paths, "list.json")? {
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let list = WarningList::parse(&text).with_context(|| format!("{}", file.display()))?;
        if !list.is_matched() {
            not_matched.push(list.name.clone());
        }
        let kind = serde_json::to_value(list.kind)?.as_str().unwrap_or_default().to_owned();
        records.push(WarningListRecord { name: list.name.clone(), kind, entries: list.len() as u64, json: text });
    }
    store.put_warninglists(&records, now_micros())?;
    let loaded = WarningListsLoaded {
        lists: records.len(),
        entries: records.iter().map(|record| record.entries).sum(),
        not_matched,
    };
    emit(json, &loaded, |loaded| {
        let mut text = format!("loaded {} warning lists ({} entries)", loaded.lists, loaded.entries);
        if !loaded.not_matched.is_empty() {
            text.push_str(&format!(
                "\n{} regular-expression lists are stored but not matched: {}",
                loaded.not_matched.len(),
                loaded.not_matched.join(", ")
            ));
        }
        text.push_str("\nIndicators on these lists are flagged by `entente intel import` and `entente intel show`.");
        text
    })
}

fn explain(store: &Store, tag: &str, json: bool) -> anyhow::Result<()> {
    if let Some(id) = AttackId::parse(tag) {
        let entry = store.attack_by_ids(std::slice::from_ref(&id))?.into_iter().next().with_context(|| {
            format!("{id} is not in the loaded ATT&CK catalogue; load it with `entente reference load attack FILE`")
        })?;
        return emit(json, &entry, |entry| {
            format!(
                "{} {} ({}) tactics: {} {}",
                entry.attack_id,
                entry.name,
                entry.kind,
                entry.tactics.join(", "),
                entry.url.as_deref().unwrap_or_default()
            )
        });
    }
    let taxonomies: Vec<Taxonomy> = store.taxonomies()?.iter().filter_map(|json| Taxonomy::parse(json).ok()).collect();
    let explained = taxonomies.iter().find_map(|taxonomy| taxonomy.explain(tag)).with_context(|| {
        format!(
            "{tag:?} is not a tag of the {} loaded taxonomies; load more with `entente reference load taxonomy DIR`",
            taxonomies.len()
        )
    })?;
    emit(json, &explained, |explained| {
        let entry = explained.value.as_ref().unwrap_or(&explained.predicate);
        let mut text = format!("{} ({} taxonomy)", explained.tag, explained.namespace);
        for line in [&entry.expanded, &entry.description].into_iter().flatten() {
            text.push_str(&format!("\n  {line}"));
        }
        text
    })
}
