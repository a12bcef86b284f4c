//! The bytes under the record parser: a plain stream, or a sequence of gzip members decoded
//! one member at a time so that every decoded byte can be traced to the compressed offset of
//! the member it came from, and so that a corrupt member can be skipped.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

const READ_CHUNK: usize = 64 * 1024;
/// Compressed bytes of the current member kept so that a corrupt member can be rescanned
/// from its start for the next member; longer members are not rescanned.
const MAX_REWIND: usize = 8 * 1024 * 1024;

/// A buffered reader that counts the bytes consumed from it (the compressed offset).
pub(crate) struct Counting<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    cap: usize,
    consumed: u64,
    /// Bytes consumed since `mark`, while recording.
    recorded: Option<Vec<u8>>,
}

impl<R: Read> Counting<R> {
    fn new(inner: R) -> Self {
        Counting {
            inner,
            buf: vec![0; READ_CHUNK],
            pos: 0,
            cap: 0,
            consumed: 0,
            recorded: None,
        }
    }

    /// Starts recording consumed bytes (the start of a member).
    fn mark(&mut self) {
        match &mut self.recorded {
            Some(r) => r.clear(),
            None => self.recorded = Some(Vec::new()),
        }
    }

    /// Goes back to one byte after the mark, if the bytes since are still recorded.
    fn rewind_past_mark(&mut self) -> bool {
        let Some(rec) = self.recorded.take() else {
            return false;
        };
        if rec.len() < 2 {
            self.recorded = Some(rec);
            return false;
        }
        let back = &rec[1..];
        let mut buf = Vec::with_capacity(back.len() + (self.cap - self.pos) + READ_CHUNK);
        buf.extend_from_slice(back);
        buf.extend_from_slice(&self.buf[self.pos..self.cap]);
        self.cap = buf.len();
        buf.resize(buf.len().max(READ_CHUNK), 0);
        self.buf = buf;
        self.pos = 0;
        self.consumed -= back.len() as u64;
        self.recorded = Some(rec);
        true
    }

    /// Makes at least `n` bytes available unless the input ends first; returns what is
    /// available (possibly fewer than `n` at the end of the input).
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.cap - self.pos < n {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.cap, 0);
                self.cap -= self.pos;
                self.pos = 0;
            }
            if self.cap == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let got = match self.inner.read(&mut self.buf[self.cap..]) {
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if got == 0 {
                break;
            }
            self.cap += got;
        }
        Ok(&self.buf[self.pos..self.cap])
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.cap {
            self.pos = 0;
            self.cap = 0;
            loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => {
                        self.cap = n;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(&self.buf[self.pos..self.cap])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.cap - self.pos);
        if let Some(r) = &mut self.recorded {
            if r.len() + amt <= MAX_REWIND {
                r.extend_from_slice(&self.buf[self.pos..self.pos + amt]);
            } else {
                self.recorded = None;
            }
        }
        self.pos += amt;
        self.consumed += amt as u64;
    }
}

/// A failure of the byte source, in words, with the compressed offset it concerns.
#[derive(Debug)]
pub(crate) struct SourceError {
    /// Offset in the compressed file of the gzip member (or garbage) concerned.
    pub(crate) compressed_offset: u64,
    pub(crate) reason: String,
    /// The underlying reader failed: nothing more can be read.
    pub(crate) fatal: bool,
}

enum State<R> {
    Plain(Counting<R>),
    /// Decoding the member that starts at the given compressed offset.
    Member(Box<GzDecoder<Counting<R>>>, u64),
    /// Between members: the next bytes should start a gzip member.
    Between(Counting<R>),
    Done,
}

/// Decoded bytes, plain or from gzip members, with a log of where members start.
pub(crate) struct Source<R> {
    state: State<R>,
    gzip: bool,
    /// Decoded bytes produced so far (the uncompressed offset).
    produced: u64,
    /// (uncompressed start, compressed start) of recent gzip members, oldest first.
    members: VecDeque<(u64, u64)>,
    /// Decoded bytes produced by the current member so far.
    member_produced: u64,
}

impl<R: Read> Source<R> {
    pub(crate) fn new(inner: R) -> Self {
        let mut c = Counting::new(inner);
        // An unreadable start is reported by the first read, which retries it.
        let gzip = matches!(c.peek(2), Ok(b) if b.starts_with(&[0x1f, 0x8b]));
        Source {
            state: if gzip {
                State::Between(c)
            } else {
                State::Plain(c)
            },
            gzip,
            produced: 0,
            members: VecDeque::new(),
            member_produced: 0,
        }
    }

    pub(crate) fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The compressed offset of the gzip member holding uncompressed offset `at`.
    pub(crate) fn member_of(&self, at: u64) -> Option<u64> {
        if !self.gzip {
            return None;
        }
        self.members
            .iter()
            .rev()
            .find(|(u, _)| *u <= at)
            .map(|(_, c)| *c)
    }

    /// How many gzip members start strictly inside (from, to).
    pub(crate) fn members_starting_within(&self, from: u64, to: u64) -> usize {
        self.members
            .iter()
            .filter(|(u, _)| *u > from && *u < to)
            .count()
    }

    /// Forgets members that end before uncompressed offset `at` (keeps the log short).
    pub(crate) fn forget_before(&mut self, at: u64) {
        while self.members.len() > 1 && self.members[1].0 <= at {
            self.members.pop_front();
        }
    }

    /// Reads decoded bytes; `Ok(0)` is the end of the input. A read never spans two gzip
    /// members. After a non-fatal error the source has moved on to the next member.
    pub(crate) fn read(&mut self, out: &mut [u8]) -> Result<usize, SourceError> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(0),
                State::Plain(mut c) => {
                    let r = c.read(out);
                    let at = c.consumed;
                    match r {
                        Ok(n) => {
                            self.state = State::Plain(c);
                            self.produced += n as u64;
                            return Ok(n);
                        }
                        Err(e) => return Err(fatal(at, &e)),
                    }
                }
                State::Between(mut c) => {
                    let head = match c.peek(3) {
                        Ok(h) => h,
                        Err(e) => return Err(fatal(c.consumed, &e)),
                    };
                    if head.is_empty() {
                        return Ok(0);
                    }
                    if head.starts_with(&[0x1f, 0x8b]) {
                        let start = c.consumed;
                        self.members.push_back((self.produced, start));
                        self.member_produced = 0;
                        c.mark();
                        self.state = State::Member(Box::new(GzDecoder::new(c)), start);
                        continue;
                    }
                    // Not a gzip member: skip to the next one.
                    let start = c.consumed;
                    let skipped = match skip_to_magic(&mut c, false) {
                        Ok(n) => n,
                        Err(e) => return Err(fatal(c.consumed, &e)),
                    };
                    let at_end = matches!(c.peek(1), Ok(b) if b.is_empty());
                    self.state = State::Between(c);
                    let reason = if at_end {
                        format!("{skipped} bytes after the last gzip member are not gzip data")
                    } else {
                        format!(
                            "{skipped} bytes between gzip members are not gzip data; skipped to \
                             the next gzip member"
                        )
                    };
                    return Err(SourceError {
                        compressed_offset: start,
                        reason,
                        fatal: false,
                    });
                }
                State::Member(mut d, start) => match d.read(out) {
                    Ok(0) => {
                        let mut c = d.into_inner();
                        c.recorded = None;
                        self.state = State::Between(c);
                    }
                    Ok(n) => {
                        self.state = State::Member(d, start);
                        self.produced += n as u64;
                        self.member_produced += n as u64;
                        return Ok(n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                        self.state = State::Member(d, start);
                    }
                    Err(e) => {
                        let mut c = d.into_inner();
                        let truncated = e.kind() == io::ErrorKind::UnexpectedEof
                            || matches!(c.peek(1), Ok(b) if b.is_empty());
                        let reason = if truncated {
                            format!(
                                "the gzip member starting at byte {start} is truncated (the file \
                                 ends inside it, after {} decoded bytes)",
                                self.member_produced
                            )
                        } else {
                            format!(
                                "the gzip member starting at byte {start} is corrupt after {} \
                                 decoded bytes ({e}); skipped to the next gzip member",
                                self.member_produced
                            )
                        };
                        // Move past the damage: the next member starts at the next magic
                        // after this member's start (deflate may have read past it).
                        c.rewind_past_mark();
                        c.recorded = None;
                        let stuck = c.consumed <= start;
                        if let Err(e) = skip_to_magic(&mut c, stuck) {
                            return Err(fatal(c.consumed, &e));
                        }
                        let reason = if matches!(c.peek(1), Ok(b) if !b.is_empty()) {
                            format!("{reason} at byte {}", c.consumed)
                        } else {
                            reason
                        };
                        self.state = State::Between(c);
                        return Err(SourceError {
                            compressed_offset: start,
                            reason,
                            fatal: false,
                        });
                    }
                },
            }
        }
    }
}

fn fatal(at: u64, e: &io::Error) -> SourceError {
    SourceError {
        compressed_offset: at,
        reason: format!("read error: {e}"),
        fatal: true,
    }
}

/// Consumes bytes up to the next gzip magic (1f 8b 08) or the end; returns how many.
/// With `advance`, a magic right at the current position is not taken (no progress).
fn skip_to_magic<R: Read>(c: &mut Counting<R>, advance: bool) -> io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = c.peek(3)?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        if buf.len() < 3 {
            // The end of the input: too short to hold a member.
            let n = buf.len();
            c.consume(n);
            return Ok(skipped + n as u64);
        }
        let from = usize::from(advance && skipped == 0);
        if let Some(i) = buf[from..].windows(3).position(|w| w == [0x1f, 0x8b, 0x08]) {
            c.consume(from + i);
            return Ok(skipped + (from + i) as u64);
        }
        // Keep the last two bytes: they may begin a magic.
        let n = buf.len() - 2;
        c.consume(n);
        skipped += n as u64;
    }
}
