//! The engine alone, without the command around it: how long `Engine::build` takes
//! for a set of indicator values, how much memory the engine holds, and how fast a
//! corpus already in memory is searched with 1 and with N threads (issue 6).
//!
//! `bash bench/match.sh` runs it next to grep, ripgrep and `entente match`; alone:
//!
//! ```sh
//! cargo bench -p entente-match --bench scan -- VALUES CORPUS [THREADS]
//! ```
//!
//! VALUES has one value a line, its kind guessed by `Kind::guess` (the format of
//! `entente match --values`), one rule per value; CORPUS is JSON lines, read whole
//! into memory before any clock starts, so only the search is timed. THREADS
//! (default 2) is the second thread count measured after 1; chunks are cut at `\n`
//! and each thread has its own `Searcher` over the same engine and layout, as the
//! command does. Each scan runs BENCH_RUNS times (default 3) and the best is kept.
//! A last single-threaded pass calls `Engine::find` alone (no lines, fields or
//! conjunctions), to tell the tokenizer and lookups from the searcher's share.
//! The last line, `RESULT key=value …`, is for the script.

use entente_match::format::{Format, Layout};
use entente_match::search::{Searcher, Stats};
use entente_match::{Engine, Kind, Rule, Term};
use std::time::Instant;

fn main() {
    // `cargo bench` appends `--bench`; the positional arguments are ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let (Some(values_path), Some(corpus_path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: cargo bench -p entente-match --bench scan -- VALUES CORPUS [THREADS]");
        std::process::exit(2);
    };
    let threads: usize = args.get(2).map_or(2, |text| text.parse().expect("THREADS is a number"));
    let runs: usize = std::env::var("BENCH_RUNS").ok().map_or(3, |text| text.parse().expect("BENCH_RUNS is a number"));

    let (rules, unguessed) = read_rules(values_path);
    let rss_before = proc_status_kb("VmRSS");
    let started = Instant::now();
    let (engine, report) = Engine::build(rules);
    let build_seconds = started.elapsed().as_secs_f64();
    let rss_engine_mb = proc_status_kb("VmRSS").saturating_sub(rss_before) as f64 / 1024.0;
    let peak_build_mb = proc_status_kb("VmHWM") as f64 / 1024.0;
    let table_mb = engine.table_bytes() as f64 / 1e6;
    let kinds: Vec<String> = report.terms_by_kind.iter().map(|(kind, n)| format!("{}:{n}", kind.name())).collect();
    println!(
        "build: {} rules, {} atoms, {} rejected, {unguessed} unguessed; {build_seconds:.3} s; \
         table_bytes {table_mb:.1} MB; RSS +{rss_engine_mb:.1} MB (engine and rules), peak {peak_build_mb:.1} MB",
        report.rules,
        report.atoms,
        report.rejected.len()
    );
    println!("kinds: {}", kinds.join(" "));

    let corpus = std::fs::read(corpus_path).expect("the corpus is readable");
    let layout = Layout::new(Format::Jsonl);
    let gb = corpus.len() as f64 / 1e9;
    println!("corpus: {corpus_path}, {gb:.3} GB");
    let mut result = format!(
        "RESULT values={} rules={} build_seconds={build_seconds:.4} table_mb={table_mb:.1} rss_engine_mb={rss_engine_mb:.1} \
         peak_build_mb={peak_build_mb:.1} bytes={}",
        report.rules + report.rejected.len() + unguessed,
        report.rules,
        corpus.len()
    );
    for count in if threads > 1 { vec![1, threads] } else { vec![1] } {
        let (stats, seconds) = best_of(runs, || search(&engine, &layout, &corpus, count));
        println!(
            "search {count} thread(s): {seconds:.3} s, {:.3} GB/s, {} lines, {} matches ({} off-field)",
            gb / seconds,
            stats.lines,
            stats.matches,
            stats.off_field
        );
        result += &format!(" t{count}_seconds={seconds:.4} t{count}_matches={}", stats.matches);
    }
    let (hits, seconds) = best_of(runs, || {
        let mut hits = 0u64;
        engine.find(&corpus, |_| hits += 1);
        hits
    });
    println!("engine find only, 1 thread: {seconds:.3} s, {:.3} GB/s, {hits} hits", gb / seconds);
    result += &format!(" find_seconds={seconds:.4} find_hits={hits}");
    println!("{result}");
}

/// One rule per line, its kind guessed; lines with no kind are counted, not compiled.
fn read_rules(path: &str) -> (Vec<Rule>, usize) {
    let text = std::fs::read_to_string(path).expect("the values file is readable");
    let mut rules = Vec::new();
    let mut unguessed = 0;
    for value in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        match Kind::guess(value) {
            Some(kind) => rules.push(Rule::single(value, Term::new(kind, value))),
            None => unguessed += 1,
        }
    }
    (rules, unguessed)
}

/// Searches `corpus` on `threads` threads, each a slice of whole lines.
fn search(engine: &Engine, layout: &Layout, corpus: &[u8], threads: usize) -> Stats {
    let chunks = split_lines(corpus, threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let searcher = Searcher::new(engine, layout);
                    searcher.search(chunk, &mut |_| {})
                })
            })
            .collect();
        let mut total = Stats::default();
        for worker in workers {
            total += worker.join().expect("a search thread finished");
        }
        total
    })
}

/// `count` slices of about equal size, each ending just after a `\n` (or at the end).
fn split_lines(bytes: &[u8], count: usize) -> Vec<&[u8]> {
    let mut chunks = Vec::with_capacity(count);
    let mut start = 0;
    for index in 1..=count {
        let target = (bytes.len() * index / count).max(start);
        let end = if index == count {
            bytes.len()
        } else {
            memchr::memchr(b'\n', &bytes[target..]).map_or(bytes.len(), |at| target + at + 1)
        };
        chunks.push(&bytes[start..end]);
        start = end;
    }
    chunks
}

/// The result of the fastest of `runs` runs, and its seconds.
fn best_of<T>(runs: usize, mut run: impl FnMut() -> T) -> (T, f64) {
    let mut best: Option<(T, f64)> = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let value = run();
        let seconds = started.elapsed().as_secs_f64();
        if best.as_ref().is_none_or(|(_, fastest)| seconds < *fastest) {
            best = Some((value, seconds));
        }
    }
    best.expect("at least one run")
}

/// A field of /proc/self/status in kB (0 where there is no /proc).
fn proc_status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
