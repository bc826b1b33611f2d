//! Opening a log and cutting it into chunks of whole records.
//!
//! Compression is recognised by content, not by name (a rotated `dns.log.1` may be
//! gzip): gzip by `1f 8b` (every member read, as `zcat` does), zstd by `28 b5 2f fd`
//! (every frame read), plain otherwise.
//!
//! A plain regular file is mapped into memory rather than read (unless `--no-mmap`):
//! searching the page cache where it lies saves copying every byte out of it, about a
//! fifth of the command's time at 1 GB/s. The price is the one every mapping search
//! tool pays (ripgrep's `--mmap`): a file truncated while it is mapped (logrotate's
//! `copytruncate` on a live log) ends the process with SIGBUS; appended bytes are
//! simply not seen. docs/match.md tells users when to read instead.
//!
//! Chunks are about [`CHUNK`] bytes, cut after their last `\n` so no record straddles
//! two of them; a record longer than a chunk makes the chunk grow until it ends.

use anyhow::Context;
use indicatif::ProgressBar;
use memmap2::Mmap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::ops::Deref;
use std::path::Path;

/// The size a chunk aims at: large enough that handing it to a thread costs nothing
/// next to searching it, small enough that threads stay busy on one file.
pub const CHUNK: usize = 4 << 20;

const GZIP: [u8; 2] = [0x1f, 0x8b];
const ZSTD: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Opens `path` (`-`: standard input), decompressing when the content says so; the
/// progress bar counts the bytes read from the file (compressed ones).
pub fn open(path: &Path, progress: &ProgressBar) -> anyhow::Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot open the log {}", path.display()))?;
        Box::new(file)
    };
    let mut buffered = BufReader::with_capacity(1 << 20, progress.wrap_read(raw));
    let start = buffered.fill_buf()?;
    Ok(if start.starts_with(&GZIP) {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else if start.starts_with(&ZSTD) {
        Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?)
    } else {
        Box::new(buffered)
    })
}

/// A log opened for searching.
pub enum Log {
    /// A plain regular file, mapped.
    Mapped(Mmap),
    /// Standard input, a compressed file, or any file with `--no-mmap`.
    Read(Box<dyn Read + Send>),
}

/// Opens the log `path` (`-`: standard input): mapped when `map` allows and it is a
/// non-empty regular file that is not compressed, read (and decompressed) otherwise.
pub fn open_log(path: &Path, progress: &ProgressBar, map: bool) -> anyhow::Result<Log> {
    if map && path != Path::new("-") {
        let file = File::open(path).with_context(|| format!("cannot open the log {}", path.display()))?;
        let metadata = file.metadata()?;
        if metadata.is_file() && metadata.len() > 0 {
            let mapped = map_file(&file).with_context(|| {
                format!("cannot map the log {} into memory (--no-mmap reads it instead)", path.display())
            })?;
            if !mapped.starts_with(&GZIP) && !mapped.starts_with(&ZSTD) {
                // The kernel reads ahead further and drops pages behind sooner.
                let _ = mapped.advise(memmap2::Advice::Sequential);
                return Ok(Log::Mapped(mapped));
            }
        }
    }
    open(path, progress).map(Log::Read)
}

/// Maps `file` read-only.
#[allow(unsafe_code)]
fn map_file(file: &File) -> std::io::Result<Mmap> {
    // SAFETY: the mapping is private to this process, read-only, and only ever read as
    // bytes, for which every value is valid; it lives as long as the `Log` that owns
    // it, and every chunk borrows from that `Log`. What no code here can rule out is
    // another process changing the file meanwhile: rewritten bytes are searched as
    // they are found, and truncation raises SIGBUS (documented, `--no-mmap` avoids it).
    unsafe { Mmap::map(file) }
}

impl Log {
    /// The log's chunks; a mapped log counts its bytes on `progress` as they are handed out.
    pub fn chunks(&mut self, progress: &ProgressBar) -> Chunks<'_> {
        match self {
            Log::Mapped(mapped) => Chunks::Mapped { bytes: mapped, at: 0, progress: progress.clone() },
            Log::Read(reader) => Chunks::Read(Chunker::new(reader)),
        }
    }
}

/// A chunk of whole records: read into a buffer of its own, or a slice of a mapped log.
#[derive(Debug)]
pub enum Chunk<'a> {
    Read(Vec<u8>),
    Mapped(&'a [u8]),
}

impl Chunk<'_> {
    /// Drops the chunk's first `count` bytes (a header).
    pub fn skip(&mut self, count: usize) {
        match self {
            Chunk::Read(bytes) => drop(bytes.drain(..count)),
            Chunk::Mapped(bytes) => *bytes = &bytes[count..],
        }
    }

    /// The buffer to read the next chunk into (empty for a mapped chunk).
    pub fn into_buffer(self) -> Vec<u8> {
        match self {
            Chunk::Read(bytes) => bytes,
            Chunk::Mapped(_) => Vec::new(),
        }
    }
}

impl Deref for Chunk<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Chunk::Read(bytes) => bytes,
            Chunk::Mapped(bytes) => bytes,
        }
    }
}

/// A log cut into chunks of whole records.
pub enum Chunks<'a> {
    Read(Chunker<&'a mut Box<dyn Read + Send>>),
    Mapped { bytes: &'a [u8], at: usize, progress: ProgressBar },
}

impl<'a> Chunks<'a> {
    /// The next chunk (read into `buffer` when the log is read).
    pub fn next_chunk(&mut self, buffer: Vec<u8>) -> std::io::Result<Option<Chunk<'a>>> {
        match self {
            Chunks::Read(chunker) => Ok(chunker.next_chunk_into(buffer)?.map(Chunk::Read)),
            Chunks::Mapped { bytes, at, progress } => {
                let start = *at;
                if start == bytes.len() {
                    return Ok(None);
                }
                *at = cut(bytes, start);
                progress.inc((*at - start) as u64);
                Ok(Some(Chunk::Mapped(&bytes[start..*at])))
            }
        }
    }
}

/// Where the chunk of `bytes` starting at `start` ends: after its last `\n` within
/// [`CHUNK`] bytes, after the first one beyond if it has none, or at the end.
fn cut(bytes: &[u8], start: usize) -> usize {
    let end = start.saturating_add(CHUNK);
    if end >= bytes.len() {
        return bytes.len();
    }
    match memchr::memrchr(b'\n', &bytes[start..end]) {
        Some(last) => start + last + 1,
        None => memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |first| end + first + 1),
    }
}

/// Cuts a reader into chunks of whole records.
pub struct Chunker<R> {
    reader: R,
    /// The start of a record read past the previous chunk's last `\n`.
    carry: Vec<u8>,
    eof: bool,
}

impl<R: Read> Chunker<R> {
    pub fn new(reader: R) -> Chunker<R> {
        Chunker { reader, carry: Vec::new(), eof: false }
    }

    /// The next chunk: whole records ending with `\n`, except the input's last one.
    #[cfg(test)]
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        self.next_chunk_into(Vec::new())
    }

    /// [`Chunker::next_chunk`] into a buffer of the caller's (a searched chunk's,
    /// given back): memory already mapped is reused, and a chunk is read without
    /// growing its buffer.
    pub fn next_chunk_into(&mut self, mut chunk: Vec<u8>) -> std::io::Result<Option<Vec<u8>>> {
        // The buffer is kept at its full length while reading (only memory it never
        // had is zeroed, once), and cut to what was read at the end.
        let mut filled = self.carry.len();
        let mut target = CHUNK.max(filled + 1);
        if chunk.len() < target {
            chunk.resize(target, 0);
        }
        chunk[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        loop {
            while !self.eof && filled < target {
                match self.reader.read(&mut chunk[filled..target]) {
                    Ok(0) => self.eof = true,
                    Ok(read) => filled += read,
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(error) => return Err(error),
                }
            }
            if self.eof {
                chunk.truncate(filled);
                return Ok(if chunk.is_empty() { None } else { Some(chunk) });
            }
            match memchr::memrchr(b'\n', &chunk[..filled]) {
                Some(cut) => {
                    self.carry.extend_from_slice(&chunk[cut + 1..filled]);
                    chunk.truncate(cut + 1);
                    return Ok(Some(chunk));
                }
                // One record longer than the chunk: read on until it ends.
                None => {
                    target *= 2;
                    chunk.resize(target, 0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hold_whole_records_and_lose_nothing() {
        let mut input = Vec::new();
        for n in 0..400_000u32 {
            input.extend_from_slice(format!("record {n} {}\n", "x".repeat((n % 97) as usize)).as_bytes());
        }
        input.extend_from_slice(b"last without newline");
        let mut chunker = Chunker::new(&input[..]);
        let mut joined = Vec::new();
        let mut chunks = 0;
        while let Some(chunk) = chunker.next_chunk().expect("reads") {
            chunks += 1;
            let is_last = joined.len() + chunk.len() == input.len();
            assert!(is_last || chunk.ends_with(b"\n"));
            joined.extend_from_slice(&chunk);
        }
        assert!(chunks > 2, "{chunks} chunks");
        assert_eq!(joined, input);
    }

    #[test]
    fn a_record_longer_than_a_chunk_grows_it() {
        let mut input = vec![b'a'; CHUNK * 2 + 10];
        input.push(b'\n');
        while input.len() < CHUNK * 6 {
            input.extend_from_slice(b"short\n");
        }
        let mut chunker = Chunker::new(&input[..]);
        let first = chunker.next_chunk().expect("reads").expect("a chunk");
        assert!(first.len() > CHUNK * 2 + 10 && first.ends_with(b"\n"), "{} bytes", first.len());
        let mut joined = first;
        while let Some(chunk) = chunker.next_chunk().expect("reads") {
            assert!(chunk.ends_with(b"\n"));
            joined.extend_from_slice(&chunk);
        }
        assert_eq!(joined, input);
    }

    /// Mapped chunks hold whole records, at most a chunk's worth unless one record is
    /// longer, and lose nothing.
    #[test]
    fn mapped_chunks_hold_whole_records() {
        let mut input = vec![b'a'; CHUNK * 2 + 10];
        input.push(b'\n');
        for n in 0..600_000u32 {
            input.extend_from_slice(format!("record {n} {}\n", "x".repeat((n % 97) as usize)).as_bytes());
        }
        input.extend_from_slice(b"last without newline");
        let progress = ProgressBar::hidden();
        let mut chunks = Chunks::Mapped { bytes: &input, at: 0, progress: progress.clone() };
        let mut joined = Vec::new();
        let mut sizes = Vec::new();
        while let Some(chunk) = chunks.next_chunk(Vec::new()).expect("cuts") {
            let is_last = joined.len() + chunk.len() == input.len();
            assert!(is_last || chunk.ends_with(b"\n"), "chunk {} ends inside a record", sizes.len());
            sizes.push(chunk.len());
            joined.extend_from_slice(&chunk);
        }
        assert!(joined == input, "the chunks do not add up to the input");
        assert_eq!(sizes[0], CHUNK * 2 + 11, "the long record is one chunk");
        assert!(sizes.len() > 3 && sizes[1..].iter().all(|size| *size <= CHUNK), "{sizes:?}");
        assert_eq!(progress.position(), input.len() as u64);
    }
}
