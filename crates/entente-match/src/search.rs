//! A chunk of whole records → [`Match`]es: the engine's hits placed on their line,
//! given their field (and dropped where the field's type does not fit the kind), and
//! rules of several terms kept only when every term hit in the same record.
//!
//! Line numbers and offsets are relative to the chunk: the caller, who knows where
//! the chunk sits in its input, adds its own bases (so chunks can be searched in
//! parallel and their matches put in order afterwards).

use crate::engine::{Engine, Hit, TermRef};
use crate::format::{Field, Format, Layout};

/// One term of one rule found in a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match<'a> {
    pub rule: u32,
    pub alternative: u16,
    pub term: u16,
    /// 1-based line within the chunk.
    pub line: u64,
    /// Byte offset of the line's first byte within the chunk.
    pub line_start: usize,
    /// Span of the matched candidate within the chunk.
    pub start: usize,
    pub end: usize,
    pub field: Option<Field<'a>>,
    /// The record's time (seconds since the epoch) where the format gives one.
    pub timestamp: Option<f64>,
}

/// What one search went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub bytes: u64,
    pub lines: u64,
    /// Matches reported.
    pub matches: u64,
    /// Hits dropped because their field's type does not fit the indicator's kind.
    pub off_field: u64,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, other: Stats) {
        self.bytes += other.bytes;
        self.lines += other.lines;
        self.matches += other.matches;
        self.off_field += other.off_field;
    }
}

/// Searches chunks with one engine and one input's layout.
#[derive(Debug, Clone, Copy)]
pub struct Searcher<'e> {
    engine: &'e Engine,
    layout: &'e Layout,
}

/// A term hit waiting for the rest of its conjunction on the same line.
#[derive(Debug, Clone, Copy)]
struct Pending<'c> {
    r: TermRef,
    start: usize,
    end: usize,
    field: Option<Field<'c>>,
}

impl<'e> Searcher<'e> {
    pub fn new(engine: &'e Engine, layout: &'e Layout) -> Searcher<'e> {
        Searcher { engine, layout }
    }

    /// Searches `chunk` (whole records) and hands every match to `sink`, in order.
    pub fn search<'c>(&'c self, chunk: &'c [u8], sink: &mut impl FnMut(&Match<'c>)) -> Stats {
        let mut stats = Stats { bytes: chunk.len() as u64, ..Stats::default() };
        let mut line = Line { number: 1, start: 0, end: None, skip: None, timestamp: None, pending: Vec::new() };
        let structured = self.layout.format != Format::Text;
        self.engine.find(chunk, |hit: Hit| {
            if line.end.is_none_or(|end| hit.start >= end) {
                // Move forward to the hit's line.
                let gap = &chunk[line.start..hit.start];
                let count = memchr::memchr_iter(b'\n', gap).count() as u64;
                if let Some(last) = memchr::memrchr(b'\n', gap) {
                    self.flush(chunk, &mut line, &mut stats, sink);
                    line.number += count;
                    line.start += last + 1;
                    line.end = None;
                    line.skip = None;
                    line.timestamp = None;
                }
            }
            let end = *line.end.get_or_insert_with(|| {
                memchr::memchr(b'\n', &chunk[line.start..]).map_or(chunk.len(), |at| line.start + at)
            });
            let text = &chunk[line.start..end];
            if *line.skip.get_or_insert_with(|| self.layout.skips(text)) {
                return;
            }
            let kind = self.engine.atom(hit.atom).kind;
            let field = if structured { self.layout.field(text, hit.start - line.start) } else { None };
            if field.is_some_and(|f| !f.ty.admits(kind)) {
                stats.off_field += 1;
                return;
            }
            for &r in self.engine.refs(hit.atom) {
                if self.engine.alternative_len(r) == 1 {
                    stats.matches += 1;
                    sink(&Match {
                        rule: r.rule,
                        alternative: r.alternative,
                        term: r.term,
                        line: line.number,
                        line_start: line.start,
                        start: hit.start,
                        end: hit.end,
                        field,
                        timestamp: *line.timestamp.get_or_insert_with(|| self.layout.timestamp(text)),
                    });
                } else {
                    line.pending.push(Pending { r, start: hit.start, end: hit.end, field });
                }
            }
        });
        self.flush(chunk, &mut line, &mut stats, sink);
        let tail = memchr::memchr_iter(b'\n', &chunk[line.start..]).count() as u64;
        let unterminated = chunk.last().is_some_and(|b| *b != b'\n');
        stats.lines = line.number - 1 + tail + u64::from(unterminated);
        stats
    }

    /// Reports the conjunctions of the current line whose every term hit.
    fn flush<'c>(&'c self, chunk: &'c [u8], line: &mut Line<'c>, stats: &mut Stats, sink: &mut impl FnMut(&Match<'c>)) {
        if line.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut line.pending);
        pending.sort_by_key(|p| (p.r.rule, p.r.alternative, p.r.term, p.start));
        let end = line.end.unwrap_or(chunk.len());
        let text = &chunk[line.start..end];
        let timestamp = *line.timestamp.get_or_insert_with(|| self.layout.timestamp(text));
        for group in pending.chunk_by(|a, b| (a.r.rule, a.r.alternative) == (b.r.rule, b.r.alternative)) {
            let first = group[0].r;
            let needed = self.engine.alternative_len(first);
            let mut seen = 0u64;
            for p in group {
                seen |= 1 << p.r.term;
            }
            if seen.count_ones() as usize != needed {
                continue;
            }
            for p in group {
                stats.matches += 1;
                sink(&Match {
                    rule: p.r.rule,
                    alternative: p.r.alternative,
                    term: p.r.term,
                    line: line.number,
                    line_start: line.start,
                    start: p.start,
                    end: p.end,
                    field: p.field,
                    timestamp,
                });
            }
        }
    }
}

struct Line<'c> {
    number: u64,
    start: usize,
    end: Option<usize>,
    skip: Option<bool>,
    /// The record's time, read once for all its matches.
    timestamp: Option<Option<f64>>,
    pending: Vec<Pending<'c>>,
}
