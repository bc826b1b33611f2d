//! The summary as text, for people: short sections, the most telling facts first.

use super::summary::{PartyReport, Summary};
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let fate = if summary.kept { "kept after exit" } else { "removed on exit" };
    let _ = writeln!(
        out,
        "\nEntente demo: five sovereign nodes on this machine, sync settled in {:.1} s.",
        summary.settled_after_seconds
    );
    let _ = writeln!(out, "Data directories under {} ({fate}).\n", summary.root);
    parties(&mut out, summary);
    treaties(&mut out, summary);
    holdings(&mut out, summary);
    held_back(&mut out, summary);
    let _ = writeln!(out, "TRY (while the demo runs)");
    for command in &summary.try_commands {
        let _ = writeln!(out, "  {command}");
    }
    out
}

fn parties(out: &mut String, summary: &Summary) {
    let _ = writeln!(out, "PARTIES");
    for party in &summary.parties {
        let country = party.country.map(|code| format!(", {code}")).unwrap_or_default();
        let _ = writeln!(out, "  {:<10} {} ({}{country}): {}", party.handle, party.name, party.kind, party.role);
        let _ = writeln!(out, "  {:<10} {}  {}", "", party.url, party.node_id);
        let _ = writeln!(out, "  {:<10} admin token {}", "", party.admin_token);
        let _ = writeln!(out, "  {:<10} fingerprint {}", "", party.fingerprint);
        let _ = writeln!(out, "  {:<10} entente --dir {}", "", party.dir);
    }
    out.push('\n');
}

fn treaties(out: &mut String, summary: &Summary) {
    let _ = writeln!(
        out,
        "TREATIES IN FORCE AND THE REGIONAL ALLIANCE (negotiated and signed with signed notes over HTTP)"
    );
    for treaty in &summary.treaties {
        let [a, b] = &treaty.parties;
        let [ours, theirs] = &treaty.state;
        let state = if ours == theirs { ours.clone() } else { format!("{ours} / {theirs}") };
        let _ = writeln!(out, "  {a} ↔ {b}: {} [{state}]", treaty.terms);
        let _ = writeln!(out, "      \"{}\" {}", treaty.title, treaty.hash);
    }
    let alliance = &summary.alliance;
    let _ = writeln!(
        out,
        "  {} ({}): members {}, membership version {} {}{}, charter {}\n",
        alliance.name,
        alliance.id,
        alliance.members.join(", "),
        alliance.version.map_or_else(|| "-".to_owned(), |version| version.to_string()),
        alliance.membership_hash.as_deref().unwrap_or("-"),
        if alliance.agreed_by_all_members {
            ", held alike by every member"
        } else {
            ", NOT yet held alike by every member"
        },
        alliance.charter_hash,
    );
}

fn holdings(out: &mut String, summary: &Summary) {
    let _ = writeln!(out, "WHAT EACH PARTY HOLDS (from its store and its audit ledger)");
    for party in &summary.parties {
        let list = |counts: &[super::summary::Count]| {
            counts.iter().map(|count| format!("{} {}", count.partner, count.objects)).collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(
            out,
            "  {:<10} originated {}; received {} object versions ({}); released {} ({}); ledger {} entries",
            party.handle,
            party.originated,
            party.received.len(),
            list(&party.received_from),
            party.released_to.iter().map(|count| count.objects).sum::<u64>(),
            list(&party.released_to),
            party.ledger_entries,
        );
        let _ = writeln!(out, "  {:<10} received by TLP: {}", "", by_tlp(party));
    }
    out.push('\n');
}

/// `clear 35, green 9, amber 20`: RED and AMBER+STRICT never appear.
fn by_tlp(party: &PartyReport) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for received in &party.received {
        *counts.entry(received.object.tlp.unwrap_or("unmarked")).or_default() += 1;
    }
    let attributed = party.received.iter().filter(|received| received.object.created_by_ref.is_some()).count();
    let order = ["clear", "green", "amber", "unmarked", "amber+strict", "red"];
    let mut parts: Vec<String> =
        order.iter().filter_map(|tlp| counts.get(tlp).map(|count| format!("{tlp} {count}"))).collect();
    if parts.is_empty() {
        parts.push("nothing".into());
    }
    format!("{}; {attributed} name their author", parts.join(", "))
}

fn held_back(out: &mut String, summary: &Summary) {
    let _ = writeln!(out, "WHAT THE RELEASE DECISION HELD BACK (every object version, along every treaty)");
    for flow in &summary.flows {
        let _ = writeln!(out, "  {} → {}: {} allowed", flow.from, flow.to, flow.allowed);
        for (reason, denied) in &flow.denied {
            let name = denied.example.name.as_deref().unwrap_or(&denied.example.id);
            let _ = writeln!(
                out,
                "      {reason} ×{}: e.g. {} \"{name}\" — {}",
                denied.count, denied.example.object_type, denied.why
            );
        }
    }
    out.push('\n');
}
