//! Opening a log and cutting it into chunks of whole records.
//!
//! Compression is recognised by content, not by name (a rotated `dns.log.1` may be
//! gzip): gzip by `1f 8b` (every member read, as `zcat` does), zstd by `28 b5 2f fd`
//! (every frame read), plain otherwise.
//!
//! Chunks are about [`CHUNK`] bytes, cut after their last `\n` so no record straddles
//! two of them; a record longer than a chunk makes the chunk grow until it ends.

use anyhow::Context;
use indicatif::ProgressBar;
use std::io::{BufRead, BufReader, Read};
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
}
