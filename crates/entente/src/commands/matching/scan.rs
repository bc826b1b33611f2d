//! Searching one input on worker threads: this thread reads chunks and hands them out,
//! `threads` workers search them with the one shared `Engine` (and the input's one
//! `Layout`), and their matches come back here, are put in input order and get the
//! chunk's line and byte bases added.
//!
//! Invariant: matches reach `each` in input order whatever the thread count, so
//! `--threads 1` and `--threads 8` print the same bytes.

use super::input::Chunker;
use entente_match::Engine;
use entente_match::format::{Format, Layout};
use entente_match::search::{Searcher, Stats};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Arc, Mutex};

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

/// A chunk to search.
struct Job {
    index: u64,
    chunk: Vec<u8>,
    layout: Arc<Layout>,
}

/// A searched chunk: matches with chunk-relative lines and offsets.
struct Done {
    index: u64,
    found: Vec<Found>,
    stats: Stats,
    /// The chunk's buffer, given back to be read into again.
    buffer: Vec<u8>,
}

/// Searches `reader` (named `name`, for format detection) and hands every match to
/// `each` in order; returns what was searched. `forced` overrides detection.
pub fn search_input(
    reader: impl Read,
    name: Option<&str>,
    forced: Option<Format>,
    engine: &Engine,
    threads: usize,
    each: &mut dyn FnMut(Found) -> anyhow::Result<()>,
) -> anyhow::Result<Stats> {
    let mut chunker = Chunker::new(reader);
    let Some(mut first) = chunker.next_chunk()? else { return Ok(Stats::default()) };
    let format = forced.unwrap_or_else(|| Format::detect(&first, name));
    let mut layout = Layout::new(format);
    let header = layout.read_header(&first).min(first.len());
    let header_lines = first[..header].iter().filter(|b| **b == b'\n').count() as u64;
    first.drain(..header);
    let layout = Arc::new(layout);
    let mut order = Order {
        next: 0,
        waiting: BTreeMap::new(),
        line_base: header_lines,
        byte_base: header as u64,
        stats: Stats::default(),
    };
    order.stats.bytes = header as u64;
    order.stats.lines = header_lines;
    // Made before the scope: the workers borrow the queue for as long as they run.
    let (jobs, queue) = sync_channel::<Job>(threads);
    let queue = Mutex::new(queue);
    let (results, done) = channel::<Done>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (queue, results) = (&queue, results.clone());
            scope.spawn(move || work(engine, queue, &results));
        }
        drop(results);
        let mut sent = 0u64;
        let mut next = Some(first);
        let outcome = (|| {
            let mut spare: Vec<Vec<u8>> = Vec::new();
            while let Some(chunk) = next.take() {
                jobs.send(Job { index: sent, chunk, layout: layout.clone() })?;
                sent += 1;
                while let Ok(finished) = done.try_recv() {
                    spare.push(order.take(finished, each)?);
                }
                next = chunker.next_chunk_into(spare.pop().unwrap_or_default())?;
            }
            drop(jobs);
            while order.next < sent {
                order.take(done.recv()?, each)?;
            }
            anyhow::Ok(())
        })();
        outcome.map(|()| order.stats)
    })
}

/// A worker: searches chunks until the queue closes.
fn work(engine: &Engine, queue: &Mutex<Receiver<Job>>, results: &std::sync::mpsc::Sender<Done>) {
    loop {
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let searcher = Searcher::new(engine, &job.layout);
        let mut found = Vec::new();
        let stats = searcher.search(&job.chunk, &mut |m| {
            found.push(Found {
                rule: m.rule,
                alternative: m.alternative,
                term: m.term,
                line: m.line,
                offset: m.start as u64,
                matched: String::from_utf8_lossy(&job.chunk[m.start..m.end]).into_owned(),
                field: m.field.map(|field| field.name.to_owned()),
                timestamp: m.timestamp,
            });
        });
        if results.send(Done { index: job.index, found, stats, buffer: job.chunk }).is_err() {
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
    /// Takes a searched chunk and reports every chunk now in order; gives back the
    /// chunk's buffer.
    fn take(&mut self, mut done: Done, each: &mut dyn FnMut(Found) -> anyhow::Result<()>) -> anyhow::Result<Vec<u8>> {
        let buffer = std::mem::take(&mut done.buffer);
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
        Ok(buffer)
    }
}
