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

/// Where one term sits: rule, alternative and the term's place in it (`index` is the
/// term's position among all the engine's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermRef {
    pub rule: u32,
    pub alternative: u16,
    pub term: u16,
    pub index: u32,
}

/// One distinct value the engine looks for (its normal form lives in the table).
#[derive(Debug, Clone, Copy)]
pub struct Atom {
    pub kind: Kind,
    refs: (u32, u32),
}

/// An atom found in the bytes: `start..end` is the span of the candidate it matched
/// (the whole domain for a parent-domain hit, the address for a network hit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub atom: u32,
    pub start: usize,
    pub end: usize,
}

/// A term as the engine keeps it: its kind and its value as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermView<'e> {
    pub kind: Kind,
    pub value: &'e str,
}

/// A compiled rule: its id in the text arena, its terms' range.
#[derive(Debug, Clone, Copy)]
struct RuleEntry {
    id: (u32, u32),
    terms: (u32, u32),
}

#[derive(Debug, Clone, Copy)]
struct TermEntry {
    kind: Kind,
    alternative: u16,
    /// How many terms its alternative has.
    alternative_len: u16,
    value: (u32, u32),
}

/// The compiled, immutable engine. Rules are kept in one text arena and flat tables
/// (a million rules take tens of bytes each besides their text), the values' normal
/// forms in the lookup table.
#[derive(Debug)]
pub struct Engine {
    text: String,
    rules: Vec<RuleEntry>,
    terms: Vec<TermEntry>,
    atoms: Vec<Atom>,
    refs: Vec<TermRef>,
    table: Table,
}

impl Engine {
    /// Compiles `rules` (any iterator: the caller need not hold them all). A rule
    /// with a value that does not fit its kind is left out whole and named in the
    /// report.
    pub fn build(rules: impl IntoIterator<Item = Rule>) -> (Engine, BuildReport) {
        let mut report = BuildReport::default();
        let mut table = Table::new();
        let mut text = String::new();
        let mut entries = Vec::new();
        let mut terms = Vec::new();
        let mut atoms: Vec<Atom> = Vec::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut counts = [0usize; Kind::ALL.len()];
        let mut normals = Vec::new();
        for rule in rules {
            normals.clear();
            let mut error = None;
            if rule.alternatives.is_empty() || rule.alternatives.iter().any(Vec::is_empty) {
                error = Some("a rule needs at least one value in every alternative".to_owned());
            } else if rule.alternatives.len() > usize::from(u16::MAX) || rule.alternatives.iter().any(|a| a.len() > 64)
            {
                error = Some("too many alternatives, or more than 64 terms in one".to_owned());
            }
            for term in rule.alternatives.iter().flatten() {
                if error.is_some() {
                    break;
                }
                match Normal::of(term.kind, &term.value) {
                    Ok(normal) => normals.push(normal),
                    Err(reason) => error = Some(reason),
                }
            }
            if let Some(reason) = error {
                report.rejected.push(Rejected { id: rule.id, reason });
                continue;
            }
            let first_term = terms.len() as u32;
            let id = push_text(&mut text, &rule.id);
            let mut normals = normals.drain(..);
            for (alternative, alt_terms) in rule.alternatives.iter().enumerate() {
                for term in alt_terms {
                    let Some(normal) = normals.next() else { break };
                    counts[Kind::ALL.iter().position(|k| *k == term.kind).unwrap_or(0)] += 1;
                    let atom = table.intern(normal, atoms.len() as u32);
                    if atom as usize == atoms.len() {
                        atoms.push(Atom { kind: term.kind, refs: (0, 0) });
                    }
                    let index = terms.len() as u32;
                    terms.push(TermEntry {
                        kind: term.kind,
                        alternative: alternative as u16,
                        alternative_len: alt_terms.len() as u16,
                        value: push_text(&mut text, &term.value),
                    });
                    pairs.push((atom, index));
                }
            }
            entries.push(RuleEntry { id, terms: (first_term, terms.len() as u32) });
        }
        // Each atom's references, in rule order, in one array.
        pairs.sort_unstable();
        pairs.dedup();
        let mut refs = Vec::with_capacity(pairs.len());
        let mut term_rule = vec![0u32; terms.len()];
        let mut term_position = vec![0u16; terms.len()];
        for (rule_index, entry) in entries.iter().enumerate() {
            let mut position = 0u16;
            let mut previous_alternative = None;
            for index in entry.terms.0..entry.terms.1 {
                let alternative = terms[index as usize].alternative;
                if previous_alternative != Some(alternative) {
                    position = 0;
                    previous_alternative = Some(alternative);
                }
                term_rule[index as usize] = rule_index as u32;
                term_position[index as usize] = position;
                position += 1;
            }
        }
        let mut next = 0usize;
        for (index, atom) in atoms.iter_mut().enumerate() {
            let first = refs.len() as u32;
            while next < pairs.len() && pairs[next].0 as usize == index {
                let term = pairs[next].1 as usize;
                refs.push(TermRef {
                    rule: term_rule[term],
                    alternative: terms[term].alternative,
                    term: term_position[term],
                    index: term as u32,
                });
                next += 1;
            }
            atom.refs = (first, refs.len() as u32);
        }
        table.finish();
        report.rules = entries.len();
        report.atoms = atoms.len();
        report.terms_by_kind =
            Kind::ALL.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(kind, n)| (*kind, n)).collect();
        text.shrink_to_fit();
        (Engine { text, rules: entries, terms, atoms, refs, table }, report)
    }

    /// Every hit in `hay` (one record or several; tokens never cross a `\n`).
    pub fn find(&self, hay: &[u8], mut sink: impl FnMut(Hit)) {
        if !self.atoms.is_empty() {
            scan::find(&self.table, hay, &mut sink);
        }
    }

    /// How many rules were compiled.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// A compiled rule's id.
    pub fn rule_id(&self, rule: u32) -> &str {
        self.slice(self.rules[rule as usize].id)
    }

    /// A compiled rule, rebuilt (allocates: for reports and tests).
    pub fn rule(&self, rule: u32) -> Rule {
        let entry = self.rules[rule as usize];
        let mut alternatives: Vec<Vec<Term>> = Vec::new();
        for index in entry.terms.0..entry.terms.1 {
            let term = self.terms[index as usize];
            if alternatives.len() <= usize::from(term.alternative) {
                alternatives.push(Vec::new());
            }
            alternatives[usize::from(term.alternative)].push(Term::new(term.kind, self.slice(term.value)));
        }
        Rule { id: self.rule_id(rule).to_owned(), alternatives }
    }

    /// Every compiled rule, rebuilt (allocates).
    pub fn rules(&self) -> Vec<Rule> {
        (0..self.rules.len() as u32).map(|rule| self.rule(rule)).collect()
    }

    pub fn atom(&self, index: u32) -> Atom {
        self.atoms[index as usize]
    }

    /// The terms an atom stands for, in rule order.
    pub fn refs(&self, atom: u32) -> &[TermRef] {
        let (first, end) = self.atoms[atom as usize].refs;
        &self.refs[first as usize..end as usize]
    }

    /// The term a reference points at.
    pub fn term(&self, r: TermRef) -> TermView<'_> {
        let term = self.terms[r.index as usize];
        TermView { kind: term.kind, value: self.slice(term.value) }
    }

    /// How many terms the alternative of `r` has (all must hit in one record).
    pub fn alternative_len(&self, r: TermRef) -> usize {
        usize::from(self.terms[r.index as usize].alternative_len)
    }

    fn slice(&self, (start, end): (u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    /// Bytes held by the engine (its memory without allocator overhead).
    pub fn table_bytes(&self) -> usize {
        self.table.bytes_held()
            + self.text.capacity()
            + self.rules.capacity() * std::mem::size_of::<RuleEntry>()
            + self.terms.capacity() * std::mem::size_of::<TermEntry>()
            + self.atoms.capacity() * std::mem::size_of::<Atom>()
            + self.refs.capacity() * std::mem::size_of::<TermRef>()
    }
}

fn push_text(text: &mut String, value: &str) -> (u32, u32) {
    let start = text.len() as u32;
    text.push_str(value);
    (start, text.len() as u32)
}
