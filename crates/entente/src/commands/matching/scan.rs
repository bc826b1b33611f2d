//! Searching one input on worker threads: each worker takes the next chunk from the
//! shared reader (reading it into its own buffer, so no thread only copies bytes),
//! searches it with the one shared `Engine` (and the input's one `Layout`), and sends
//! its matches here, where they are put in input order and get the chunk's line and
//! byte bases added.
//!
//! Invariant: matches reach `each` in input order whatever the thread count, so
//! `--threads 1` and `--threads 8` print the same bytes.

use super::input::{Chunk, Chunks};
use entente_match::Engine;
use entente_match::format::{Format, Layout};
use entente_match::search::{Searcher, Stats};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

/// One match, placed in its input.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub rule: u32,
    pub alternative: u16,
    pub term: u16,
    /// 1-based line in the input.
    pub line: u64,
    /// Byte offset of the matched text in the decompressed input.
    pub offset: u64,
    pub matched: String,
    pub field: Option<String>,
    pub timestamp: Option<f64>,
}

/// A searched chunk: matches with chunk-relative lines and offsets.
struct Done {
    index: u64,
    found: Vec<Found>,
    stats: Stats,
}

/// The chunks the workers share, and the number of the next one handed out.
struct Source<'a> {
    chunks: Chunks<'a>,
    /// The first chunk, read (and its header taken) before the workers start.
    first: Option<Chunk<'a>>,
    next: u64,
    failed: bool,
}

/// Searches `chunks` (of an input named `name`, for format detection) and hands every
/// match to `each` in order; returns what was searched. `forced` overrides detection.
pub fn search_input(
    mut chunks: Chunks<'_>,
    name: Option<&str>,
    forced: Option<Format>,
    engine: &Engine,
    threads: usize,
    each: &mut dyn FnMut(Found) -> anyhow::Result<()>,
) -> anyhow::Result<Stats> {
    let Some(mut first) = chunks.next_chunk(Vec::new())? else { return Ok(Stats::default()) };
    let format = forced.unwrap_or_else(|| Format::detect(&first, name));
    let mut layout = Layout::new(format);
    let header = layout.read_header(&first).min(first.len());
    let header_lines = first[..header].iter().filter(|b| **b == b'\n').count() as u64;
    first.skip(header);
    let mut order = Order {
        next: 0,
        waiting: BTreeMap::new(),
        line_base: header_lines,
        byte_base: header as u64,
        stats: Stats::default(),
    };
    order.stats.bytes = header as u64;
    order.stats.lines = header_lines;
    let source = Mutex::new(Source { chunks, first: Some(first), next: 0, failed: false });
    let (results, done) = channel::<std::io::Result<Done>>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (source, layout, results) = (&source, &layout, results.clone());
            scope.spawn(move || work(engine, layout, source, &results));
        }
        drop(results);
        // Ends when every worker has stopped (the input is read) or on the first error;
        // dropping the receiver then makes the workers stop after their chunk.
        let outcome = done.iter().try_for_each(|message| order.take(message?, each));
        drop(done);
        outcome.map(|()| order.stats)
    })
}

/// A worker: reads the next chunk and searches it, until the input ends.
fn work(engine: &Engine, layout: &Layout, source: &Mutex<Source<'_>>, results: &Sender<std::io::Result<Done>>) {
    let searcher = Searcher::new(engine, layout);
    let mut buffer = Vec::new();
    loop {
        let (index, chunk) = {
            let Ok(mut source) = source.lock() else { return };
            if source.failed {
                return;
            }
            let read = match source.first.take() {
                Some(first) => Ok(Some(first)),
                None => source.chunks.next_chunk(std::mem::take(&mut buffer)),
            };
            match read {
                Ok(Some(chunk)) => {
                    source.next += 1;
                    (source.next - 1, chunk)
                }
                Ok(None) => return,
                Err(error) => {
                    source.failed = true;
                    let _ = results.send(Err(error));
                    return;
                }
            }
        };
        let mut found = Vec::new();
        let stats = searcher.search(&chunk, &mut |m| {
            found.push(Found {
                rule: m.rule,
                alternative: m.alternative,
                term: m.term,
                line: m.line,
                offset: m.start as u64,
                matched: String::from_utf8_lossy(&chunk[m.start..m.end]).into_owned(),
                field: m.field.map(|field| field.name.to_owned()),
                timestamp: m.timestamp,
            });
        });
        buffer = chunk.into_buffer();
        if results.send(Ok(Done { index, found, stats })).is_err() {
            return;
        }
    }
}

/// Puts searched chunks back in input order and adds their bases.
struct Order {
    next: u64,
    waiting: BTreeMap<u64, Done>,
    line_base: u64,
    byte_base: u64,
    stats: Stats,
}

impl Order {
    /// Takes a searched chunk and reports every chunk now in order.
    fn take(&mut self, done: Done, each: &mut dyn FnMut(Found) -> anyhow::Result<()>) -> anyhow::Result<()> {
        self.waiting.insert(done.index, done);
        while let Some(done) = self.waiting.remove(&self.next) {
            for mut found in done.found {
                found.line += self.line_base;
                found.offset += self.byte_base;
                each(found)?;
            }
            self.line_base += done.stats.lines;
            self.byte_base += done.stats.bytes;
            self.stats += done.stats;
            self.next += 1;
        }
        Ok(())
    }
}
