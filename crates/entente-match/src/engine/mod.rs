//! The compiled engine: [`Engine::build`] turns rules into lookup tables once;
//! [`Engine::find`] reports every hit in a record's bytes. Immutable after build, so
//! one engine serves every thread.

mod avx2;
mod masks;
mod scan;
mod table;

use crate::kind::{Kind, Normal};
use table::Table;

/// One value an indicator looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub kind: Kind,
    pub value: String,
}

impl Term {
    pub fn new(kind: Kind, value: impl Into<String>) -> Term {
        Term { kind, value: value.into() }
    }
}

/// An indicator as the engine sees it: alternatives (any may match), each a list of
/// terms that must all hit in one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The indicator's id (or any label the caller wants back in matches).
    pub id: String,
    pub alternatives: Vec<Vec<Term>>,
}

impl Rule {
    /// A rule of one value.
    pub fn single(id: impl Into<String>, term: Term) -> Rule {
        Rule { id: id.into(), alternatives: vec![vec![term]] }
    }
}

/// A rule the engine refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub id: String,
    pub reason: String,
}

/// What a build compiled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// Rules compiled.
    pub rules: usize,
    /// Distinct values looked for (an atom serves every rule holding the same value).
    pub atoms: usize,
    /// Terms compiled, by kind.
    pub terms_by_kind: Vec<(Kind, usize)>,
    pub rejected: Vec<Rejected>,
}

/// Where one term sits: rule, alternative and the term's place in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermRef {
    pub rule: u32,
    pub alternative: u16,
    pub term: u16,
}

/// One distinct value the engine looks for.
#[derive(Debug, Clone)]
pub struct Atom {
    pub kind: Kind,
    pub normal: Normal,
    refs: std::ops::Range<u32>,
}

/// An atom found in the bytes: `start..end` is the span of the candidate it matched
/// (the whole domain for a parent-domain hit, the address for a network hit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub atom: u32,
    pub start: usize,
    pub end: usize,
}

/// The compiled, immutable engine.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    atoms: Vec<Atom>,
    refs: Vec<TermRef>,
    table: Table,
}

impl Engine {
    /// Compiles `rules`. A rule with a value that does not fit its kind is left out
    /// whole and named in the report.
    pub fn build(rules: impl IntoIterator<Item = Rule>) -> (Engine, BuildReport) {
        let mut report = BuildReport::default();
        let mut kept = Vec::new();
        let mut by_normal: std::collections::HashMap<(Kind, Normal), u32, foldhash::fast::FixedState> =
            std::collections::HashMap::with_hasher(foldhash::fast::FixedState::with_seed(0x5eed));
        let mut atoms: Vec<(Kind, Normal)> = Vec::new();
        let mut pairs: Vec<(u32, TermRef)> = Vec::new();
        let mut counts = [0usize; Kind::ALL.len()];
        for rule in rules {
            let mut normals = Vec::new();
            let mut error = None;
            for term in rule.alternatives.iter().flatten() {
                match Normal::of(term.kind, &term.value) {
                    Ok(normal) => normals.push((term.kind, normal)),
                    Err(reason) => {
                        error = Some(reason);
                        break;
                    }
                }
            }
            if rule.alternatives.is_empty() || rule.alternatives.iter().any(Vec::is_empty) {
                error = error.or_else(|| Some("a rule needs at least one value in every alternative".into()));
            }
            if rule.alternatives.len() > usize::from(u16::MAX) || rule.alternatives.iter().any(|a| a.len() > 64) {
                error = error.or_else(|| Some("too many alternatives or terms in one rule".into()));
            }
            if let Some(reason) = error {
                report.rejected.push(Rejected { id: rule.id, reason });
                continue;
            }
            let rule_index = kept.len() as u32;
            let mut normals = normals.into_iter();
            for (alternative, terms) in rule.alternatives.iter().enumerate() {
                for term in 0..terms.len() {
                    let Some(key) = normals.next() else { break };
                    counts[Kind::ALL.iter().position(|k| *k == key.0).unwrap_or(0)] += 1;
                    let atom = *by_normal.entry(key.clone()).or_insert_with(|| {
                        atoms.push(key);
                        (atoms.len() - 1) as u32
                    });
                    pairs
                        .push((atom, TermRef { rule: rule_index, alternative: alternative as u16, term: term as u16 }));
                }
            }
            kept.push(rule);
        }
        pairs.sort_unstable_by_key(|(atom, r)| (*atom, r.rule, r.alternative, r.term));
        pairs.dedup();
        let mut compiled = Vec::with_capacity(atoms.len());
        let mut refs = Vec::with_capacity(pairs.len());
        let mut next = 0usize;
        for (index, (kind, normal)) in atoms.into_iter().enumerate() {
            let first = refs.len() as u32;
            while next < pairs.len() && pairs[next].0 as usize == index {
                refs.push(pairs[next].1);
                next += 1;
            }
            compiled.push(Atom { kind, normal, refs: first..refs.len() as u32 });
        }
        let table = Table::build(&compiled);
        report.rules = kept.len();
        report.atoms = compiled.len();
        report.terms_by_kind =
            Kind::ALL.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(kind, n)| (*kind, n)).collect();
        (Engine { rules: kept, atoms: compiled, refs, table }, report)
    }

    /// Every hit in `hay` (one record or several; tokens never cross a `\n`).
    pub fn find(&self, hay: &[u8], mut sink: impl FnMut(Hit)) {
        if !self.atoms.is_empty() {
            scan::find(&self.table, hay, &mut sink);
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, index: u32) -> &Rule {
        &self.rules[index as usize]
    }

    pub fn atom(&self, index: u32) -> &Atom {
        &self.atoms[index as usize]
    }

    /// The terms an atom stands for, in rule order.
    pub fn refs(&self, atom: u32) -> &[TermRef] {
        let range = &self.atoms[atom as usize].refs;
        &self.refs[range.start as usize..range.end as usize]
    }

    /// The term a reference points at.
    pub fn term(&self, r: TermRef) -> &Term {
        &self.rules[r.rule as usize].alternatives[usize::from(r.alternative)][usize::from(r.term)]
    }

    /// Bytes held by the compiled tables (an estimate of the engine's memory, without
    /// the rules' own strings).
    pub fn table_bytes(&self) -> usize {
        self.table.bytes_held()
            + self.refs.len() * std::mem::size_of::<TermRef>()
            + self.atoms.len() * std::mem::size_of::<Atom>()
    }
}
