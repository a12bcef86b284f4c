//! A streaming, lenient reader of web archives: WARC 1.0/1.1 (and the 0.17/0.18 drafts)
//! and the older ARC format (v1, and v2 field lists), plain or gzip-compressed (one member
//! per record, or the whole file as one member, or anything in between).
//!
//! ```no_run
//! let file = std::fs::File::open("crawl.warc.gz")?;
//! for item in herald_warc::WarcReader::new(file) {
//!     match item {
//!         Ok(rec) if rec.is_html_response() => {
//!             let _html: &[u8] = rec.html_body().unwrap_or_default();
//!         }
//!         Ok(_) => {}
//!         Err(e) => eprintln!("skipped: {e}"),
//!     }
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Bad input never panics and never stops the reader while more can be read: a bad record
//! (or stretch of bytes) comes out as one [`RecordError`] with its offset and a reason in
//! words, and the reader resynchronises at the next record header (`WARC/…` at the start
//! of a line, or an ARC header line) or, in gzip files, at the next gzip member. Header
//! sizes, kept record blocks and decoded HTTP bodies are bounded ([`Limits`]).
//!
//! Offsets: [`Record::offset`] and [`RecordError::offset`] count bytes of the *decompressed*
//! stream (for plain files, bytes of the file). In gzip files `gzip_member_offset` is the
//! offset *in the compressed file* of the gzip member where the record (or the damage)
//! starts; for per-record gzip files that is the record's offset as CDX indexes give it.

#![forbid(unsafe_code)]

mod http;
mod source;
mod write;

use std::fmt;
use std::io::Read;

pub use http::HttpResponse;
pub use write::{record_id, write_record, write_response_record};

use source::{Source, SourceError};

/// Size bounds. Everything read from the archive is bounded by one of these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest WARC header (and HTTP header section) accepted; default 64 KiB.
    pub max_header_bytes: usize,
    /// Longest record block kept in memory; longer blocks are kept up to this size, the
    /// rest is skipped and the record is flagged [`Record::truncated`]. Default 64 MiB.
    pub max_record_bytes: usize,
    /// Longest decoded HTTP body (after de-chunking and decompression); longer bodies are
    /// cut and flagged [`HttpResponse::body_truncated`]. Default 16 MiB.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 64 * 1024,
            max_record_bytes: 64 * 1024 * 1024,
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The record type (`WARC-Type`; ARC files give `ArcHeader` and `Response`/`Resource`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Warcinfo,
    Request,
    Response,
    Resource,
    Revisit,
    Metadata,
    Conversion,
    Continuation,
    /// The `filedesc://` record that opens an ARC file.
    ArcHeader,
    /// Any other `WARC-Type`, as written (empty when the field is missing).
    Other(String),
}

impl RecordKind {
    fn parse(s: &str) -> RecordKind {
        match s.trim().to_ascii_lowercase().as_str() {
            "warcinfo" => RecordKind::Warcinfo,
            "request" => RecordKind::Request,
            "response" => RecordKind::Response,
            "resource" => RecordKind::Resource,
            "revisit" => RecordKind::Revisit,
            "metadata" => RecordKind::Metadata,
            "conversion" => RecordKind::Conversion,
            "continuation" => RecordKind::Continuation,
            _ => RecordKind::Other(s.trim().to_string()),
        }
    }

    /// The lower-case name (`response`, `arc_header`, or the `WARC-Type` as written).
    pub fn as_str(&self) -> &str {
        match self {
            RecordKind::Warcinfo => "warcinfo",
            RecordKind::Request => "request",
            RecordKind::Response => "response",
            RecordKind::Resource => "resource",
            RecordKind::Revisit => "revisit",
            RecordKind::Metadata => "metadata",
            RecordKind::Conversion => "conversion",
            RecordKind::Continuation => "continuation",
            RecordKind::ArcHeader => "arc_header",
            RecordKind::Other(s) => s,
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One archive record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    /// `WARC/1.0`, `WARC/1.1`, … or `ARC`.
    pub version: String,
    /// `WARC-Target-URI` (ARC: the URL field) as written, trimmed, without the angle
    /// brackets some writers (wget) put around it. Not validated: spaces and malformed
    /// URIs are kept as crawlers wrote them.
    pub target_uri: Option<String>,
    /// `WARC-Date` as written (ISO 8601); ARC's 14-digit dates become `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: Option<String>,
    /// `WARC-Record-ID` as written (`<urn:uuid:…>`); none in ARC files.
    pub record_id: Option<String>,
    /// `Content-Type` of the record (`application/http; msgtype=response`); in ARC files
    /// the content-type field of the header line (the payload's type).
    pub content_type: Option<String>,
    /// The declared block length (`Content-Length`, ARC's length field).
    pub content_length: u64,
    /// Every header field in order (WARC: the named fields; ARC: the header-line fields).
    pub headers: Vec<(String, String)>,
    /// The record block as stored (for `response` records, the whole HTTP message), at most
    /// `Limits::max_record_bytes` long.
    pub body: Vec<u8>,
    /// The block was longer than `Limits::max_record_bytes`; `body` holds its start.
    pub truncated: bool,
    /// The HTTP response envelope of `response` (and `revisit`) records that carry one.
    pub http: Option<HttpResponse>,
    /// Offset of the record's first byte in the decompressed stream.
    pub offset: u64,
    /// In gzip files, the offset in the compressed file of the gzip member holding the
    /// record's first byte.
    pub gzip_member_offset: Option<u64>,
    /// Oddities that did not stop the record from being read, in words (header lines
    /// without a colon, a missing CRLF CRLF after the block, a record spanning gzip
    /// members, an unreadable HTTP envelope, …).
    pub warnings: Vec<String>,
}

impl Record {
    /// The first WARC header field of that name (case-insensitive), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        http::header(&self.headers, name)
    }

    /// The payload: the decoded HTTP body when there is an HTTP envelope, else the block.
    pub fn payload(&self) -> &[u8] {
        match &self.http {
            Some(h) => &h.body,
            None => &self.body,
        }
    }

    /// The payload's media type, lower-cased, without parameters: the HTTP Content-Type,
    /// else (resources, ARC records) the record's content type.
    pub fn payload_mime_type(&self) -> Option<String> {
        if let Some(h) = &self.http {
            if let Some(m) = h.mime_type().filter(|m| !m.is_empty()) {
                return Some(m);
            }
            if self.version != "ARC" {
                return None;
            }
        }
        self.content_type
            .as_deref()
            .map(http::mime_of)
            .filter(|m| !m.is_empty() && m != "application/http")
    }

    /// A successful (2xx) HTTP response whose payload is HTML (by its Content-Type, or by
    /// sniffing when the type is missing), or a `resource` record of type text/html.
    pub fn is_html_response(&self) -> bool {
        let html_type = |m: &str| m == "text/html" || m == "application/xhtml+xml";
        match (&self.kind, &self.http) {
            (RecordKind::Response, Some(h)) => {
                (200..300).contains(&h.status)
                    && match self.payload_mime_type() {
                        Some(m) => html_type(&m),
                        None => looks_like_html(&h.body),
                    }
            }
            (RecordKind::Resource, None) => self.payload_mime_type().is_some_and(|m| html_type(&m)),
            _ => false,
        }
    }

    /// The HTML bytes of a record for which [`Record::is_html_response`] holds.
    pub fn html_body(&self) -> Option<&[u8]> {
        self.is_html_response().then(|| self.payload())
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<!doctype html") || t.starts_with("<html") || t.contains("<html")
}

/// What went wrong with a record or a stretch of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Bytes that are not a record header where one was expected; skipped.
    Garbage,
    /// A header that cannot be used (no valid Content-Length, a bad ARC header line); the
    /// record was skipped.
    BadHeader,
    /// A header longer than `Limits::max_header_bytes`.
    HeaderTooLong,
    /// The input ends inside the record.
    Truncated,
    /// A gzip member is corrupt or truncated; the reader moved on to the next member.
    Gzip,
    /// The underlying reader failed; nothing more is read.
    Io,
}

/// A bad record or stretch of input, reported in place of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    pub kind: ErrorKind,
    /// Offset in the decompressed stream where the bad record or bytes start.
    pub offset: u64,
    /// In gzip files, the offset in the compressed file of the gzip member concerned.
    pub gzip_member_offset: Option<u64>,
    /// What is wrong, in words.
    pub reason: String,
    /// The record's type and target, when its header could be read.
    pub record_kind: Option<RecordKind>,
    pub target_uri: Option<String>,
    /// For [`ErrorKind::Truncated`] blocks: the record as far as it could be read
    /// (`truncated` set, `http` parsed from what there is), for callers that want it.
    pub partial: Option<Box<Record>>,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.gzip_member_offset {
            Some(m) => write!(
                f,
                "at byte {} of the decompressed stream (gzip member at byte {m} of the file)",
                self.offset
            )?,
            None => write!(f, "at byte {}", self.offset)?,
        }
        if let Some(k) = &self.record_kind {
            write!(f, ", {k} record")?;
        }
        if let Some(u) = &self.target_uri {
            write!(f, " for {u}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for RecordError {}

/// Longest line looked at as a possible ARC header line.
const MAX_LINE: usize = 8 * 1024;
const DEFAULT_ARC_FIELDS: [&str; 5] = [
    "URL",
    "IP-address",
    "Archive-date",
    "Content-type",
    "Archive-length",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Warc,
    Arc,
}

/// The decompressed bytes in a window, with their offset.
struct Input<R> {
    src: Source<R>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Offset of `buf[start]` in the decompressed stream.
    pos: u64,
    eof: bool,
}

impl<R: Read> Input<R> {
    fn avail(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.pos += n as u64;
    }

    /// Reads more bytes; `Ok(false)` at the end. On an error the buffered bytes (from the
    /// damaged member) are dropped.
    fn fill(&mut self) -> Result<bool, SourceError> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 && (self.end == self.buf.len() || self.start >= self.buf.len() / 2) {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let len = self.buf.len() * 2;
            self.buf.resize(len, 0);
        }
        match self.src.read(&mut self.buf[self.end..]) {
            Ok(0) => {
                self.eof = true;
                Ok(false)
            }
            Ok(n) => {
                self.end += n;
                Ok(true)
            }
            Err(e) => {
                let n = self.end - self.start;
                self.consume(n);
                if e.fatal {
                    self.eof = true;
                }
                Err(e)
            }
        }
    }

    /// The length of the line at the start of the window (without its `\n`) and whether
    /// its end was seen; looks at most `max` bytes. `None` at the end of the input.
    fn peek_line(&mut self, max: usize) -> Result<Option<(usize, bool)>, SourceError> {
        let mut looked = 0;
        loop {
            let a = self.avail();
            let lim = a.len().min(max);
            if let Some(i) = a[looked..lim].iter().position(|&b| b == b'\n') {
                return Ok(Some((looked + i, true)));
            }
            looked = lim;
            if a.len() >= max {
                return Ok(Some((max, false)));
            }
            if !self.fill()? {
                let n = self.avail().len();
                return Ok((n > 0).then_some((n, false)));
            }
        }
    }
}

enum Step {
    Record(Box<Record>),
    Error(Box<RecordError>),
    End,
}

/// Reads records from a WARC or ARC file, plain or gzip-compressed (detected from the
/// first bytes). An iterator of records and of errors for bad records; it ends at the end
/// of the input or after an I/O error of the underlying reader.
pub struct WarcReader<R> {
    input: Input<R>,
    limits: Limits,
    format: Option<Format>,
    arc_fields: Vec<String>,
    /// An error met while finishing the previous item, reported next.
    pending: Option<RecordError>,
    /// (offset, end offset) of the last record read, to explain garbage right after it.
    last: Option<(u64, u64)>,
    done: bool,
}

impl<R: Read> WarcReader<R> {
    /// A reader with the default [`Limits`]. Pass a `File` as is: reads are buffered.
    pub fn new(reader: R) -> Self {
        WarcReader::with_limits(reader, Limits::default())
    }

    pub fn with_limits(reader: R, limits: Limits) -> Self {
        let cap = (limits.max_header_bytes.max(MAX_LINE) * 2).max(64 * 1024);
        WarcReader {
            input: Input {
                src: Source::new(reader),
                buf: vec![0; cap],
                start: 0,
                end: 0,
                pos: 0,
                eof: false,
            },
            limits,
            format: None,
            arc_fields: DEFAULT_ARC_FIELDS.iter().map(|s| s.to_string()).collect(),
            pending: None,
            last: None,
            done: false,
        }
    }

    /// Whether the input was recognised as gzip.
    pub fn is_gzip(&self) -> bool {
        self.input.src.is_gzip()
    }

    /// Bytes of the decompressed stream consumed so far.
    pub fn position(&self) -> u64 {
        self.input.pos
    }

    fn error(
        &self,
        kind: ErrorKind,
        offset: u64,
        reason: String,
        rec: Option<(&RecordKind, Option<&str>)>,
    ) -> Step {
        Step::Error(Box::new(RecordError {
            kind,
            offset,
            gzip_member_offset: self.input.src.member_of(offset),
            reason,
            record_kind: rec.map(|(k, _)| k.clone()),
            target_uri: rec.and_then(|(_, u)| u.map(str::to_string)),
            partial: None,
        }))
    }

    fn source_error(
        &self,
        e: SourceError,
        offset: u64,
        context: Option<(&RecordKind, Option<&str>)>,
    ) -> RecordError {
        let mut reason = e.reason;
        if context.is_some() && !e.fatal {
            reason.push_str("; the record is lost");
        }
        RecordError {
            kind: if e.fatal {
                ErrorKind::Io
            } else {
                ErrorKind::Gzip
            },
            offset,
            gzip_member_offset: self.input.src.is_gzip().then_some(e.compressed_offset),
            reason,
            record_kind: context.map(|(k, _)| k.clone()),
            target_uri: context.and_then(|(_, u)| u.map(str::to_string)),
            partial: None,
        }
    }

    fn step(&mut self) -> Step {
        if let Some(e) = self.pending.take() {
            return Step::Error(Box::new(e));
        }
        // Records are separated by line ends; be lenient about how many.
        loop {
            let a = self.input.avail();
            let n = a
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
                .count();
            let all = n == a.len();
            self.input.consume(n);
            if !all {
                break;
            }
            match self.input.fill() {
                Ok(true) => {}
                Ok(false) => return Step::End,
                Err(e) => {
                    let at = self.input.pos;
                    return Step::Error(Box::new(self.source_error(e, at, None)));
                }
            }
        }
        let start = self.input.pos;
        self.input.src.forget_before(start);
        let (len, complete) = match self.input.peek_line(MAX_LINE) {
            Ok(Some(l)) => l,
            Ok(None) => return Step::End,
            Err(e) => return Step::Error(Box::new(self.source_error(e, start, None))),
        };
        if self.format != Some(Format::Arc) && self.input.avail().starts_with(b"WARC/") {
            self.format = Some(Format::Warc);
            return self.read_warc(start);
        }
        if self.format != Some(Format::Warc) {
            let line = trim_cr(&self.input.avail()[..len]);
            if let Some(h) = arc_line(line, &self.arc_fields) {
                self.format = Some(Format::Arc);
                return self.read_arc(start, len, complete, h);
            }
        }
        // Not a record header: skip to the next one.
        self.skip_line(len, complete);
        self.skip_to_candidate();
        let skipped = self.input.pos - start;
        let expected = match self.format {
            Some(Format::Warc) => "a WARC record header",
            Some(Format::Arc) => "an ARC record header line",
            None => "a WARC or ARC record header",
        };
        let mut reason = format!(
            "{skipped} bytes of unexpected data where {expected} should start; skipped to the \
             next record"
        );
        if let Some((rec, end)) = self.last {
            if start.saturating_sub(end) <= 4 {
                reason.push_str(&format!(
                    " (they follow the record at byte {rec} directly: its Content-Length may \
                     be wrong)"
                ));
            }
        }
        self.error(ErrorKind::Garbage, start, reason, None)
    }

    /// Consumes the line at the window's start (`len` bytes, plus its `\n` if seen; a line
    /// longer than the window is consumed to its end).
    fn skip_line(&mut self, len: usize, complete: bool) {
        if complete {
            self.input.consume(len + 1);
            return;
        }
        self.input.consume(len);
        loop {
            let a = self.input.avail();
            if let Some(i) = a.iter().position(|&b| b == b'\n') {
                self.input.consume(i + 1);
                return;
            }
            let n = a.len();
            self.input.consume(n);
            match self.input.fill() {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    let at = self.input.pos;
                    self.pending = Some(self.source_error(e, at, None));
                    return;
                }
            }
        }
    }

    /// Skips whole lines until one that can start a record (or the end).
    fn skip_to_candidate(&mut self) {
        while self.pending.is_none() {
            let (len, complete) = match self.input.peek_line(MAX_LINE) {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    let at = self.input.pos;
                    self.pending = Some(self.source_error(e, at, None));
                    return;
                }
            };
            let a = self.input.avail();
            let warc = a.starts_with(b"WARC/") && a.get(5).is_some_and(u8::is_ascii_digit);
            let arc = || arc_line(trim_cr(&a[..len]), &self.arc_fields).is_some();
            let candidate = match self.format {
                Some(Format::Warc) => warc,
                Some(Format::Arc) => arc(),
                None => warc || arc(),
            };
            if candidate {
                return;
            }
            self.skip_line(len, complete);
        }
    }

    /// Reads `len` bytes of block, keeping at most `Limits::max_record_bytes`.
    fn read_block(&mut self, len: u64) -> Result<(Vec<u8>, bool), BlockError> {
        let keep = len.min(self.limits.max_record_bytes as u64) as usize;
        let mut block = Vec::with_capacity(keep.min(1 << 20));
        let mut remaining = len;
        while remaining > 0 {
            if self.input.avail().is_empty() {
                match self.input.fill() {
                    Ok(true) => {}
                    Ok(false) => return Err(BlockError::Eof(len - remaining, block)),
                    Err(e) => return Err(BlockError::Source(e)),
                }
            }
            let a = self.input.avail();
            let n = (a.len() as u64).min(remaining) as usize;
            let k = n.min(keep - block.len());
            block.extend_from_slice(&a[..k]);
            self.input.consume(n);
            remaining -= n as u64;
        }
        Ok((block, len > keep as u64))
    }

    /// Reads the block into `rec`; on failure, the error to report instead.
    fn fill_block(&mut self, rec: &mut Record) -> Result<(), Step> {
        let len = rec.content_length;
        match self.read_block(len) {
            Ok((body, truncated)) => {
                rec.body = body;
                rec.truncated = truncated;
                Ok(())
            }
            Err(BlockError::Eof(got, partial)) => {
                rec.body = partial;
                rec.truncated = true;
                self.fix_arc_kind(rec);
                self.parse_http(rec);
                let Step::Error(mut e) = self.error(
                    ErrorKind::Truncated,
                    rec.offset,
                    format!(
                        "the input ends {got} bytes into the record's {len}-byte block \
                         (truncated file, or a wrong length field)"
                    ),
                    Some((&rec.kind, rec.target_uri.as_deref())),
                ) else {
                    return Err(Step::End);
                };
                e.partial = Some(Box::new(rec.clone()));
                Err(Step::Error(e))
            }
            Err(BlockError::Source(e)) => Err(Step::Error(Box::new(self.source_error(
                e,
                rec.offset,
                Some((&rec.kind, rec.target_uri.as_deref())),
            )))),
        }
    }

    /// ARC records without an HTTP envelope are resources.
    fn fix_arc_kind(&self, rec: &mut Record) {
        if rec.version == "ARC"
            && rec.kind == RecordKind::Response
            && !rec.body.starts_with(b"HTTP/")
        {
            rec.kind = RecordKind::Resource;
        }
    }

    /// Checks what follows a block (WARC wants CRLF CRLF) without consuming more than it.
    fn check_trailer(&mut self, want: &[u8], rec: &mut Record) {
        while self.input.avail().len() < want.len() {
            match self.input.fill() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let at = self.input.pos;
                    self.pending = Some(self.source_error(e, at, None));
                    return;
                }
            }
        }
        let a = self.input.avail();
        if a.starts_with(want) {
            self.input.consume(want.len());
        } else if !a.is_empty() || want.len() > 1 {
            let what = if want == b"\r\n\r\n" {
                "CRLF CRLF"
            } else {
                "a line end"
            };
            rec.warnings.push(format!(
                "the block is not followed by {what} (its Content-Length may be wrong)"
            ));
        }
    }

    fn finish(&mut self, mut rec: Record, end: u64) -> Step {
        let spans = self.input.src.members_starting_within(rec.offset, end);
        if spans > 0 {
            rec.warnings.push(format!(
                "the record spans {} gzip members (expected one member per record)",
                spans + 1
            ));
        }
        self.last = Some((rec.offset, end));
        Step::Record(Box::new(rec))
    }

    fn read_warc(&mut self, start: u64) -> Step {
        let max = self.limits.max_header_bytes;
        let (head_end, body_start) = loop {
            let a = self.input.avail();
            if let Some(e) = http::header_end(a, max) {
                break e;
            }
            if a.len() >= max {
                self.skip_line(0, false);
                self.skip_to_candidate();
                return self.error(
                    ErrorKind::HeaderTooLong,
                    start,
                    format!(
                        "WARC header longer than {max} bytes; skipped {} bytes to the next \
                         record",
                        self.input.pos - start
                    ),
                    None,
                );
            }
            match self.input.fill() {
                Ok(true) => {}
                Ok(false) => {
                    let n = self.input.avail().len();
                    self.input.consume(n);
                    return self.error(
                        ErrorKind::Truncated,
                        start,
                        format!("the input ends inside a WARC record header ({n} bytes)"),
                        None,
                    );
                }
                Err(e) => return Step::Error(Box::new(self.source_error(e, start, None))),
            }
        };
        let head = &self.input.avail()[..head_end];
        let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        let version = String::from_utf8_lossy(trim_cr(&head[..line_end]))
            .trim()
            .to_string();
        let (headers, bad_lines) = http::parse_fields(&head[(line_end + 1).min(head.len())..]);
        self.input.consume(body_start);

        let field = |name: &str| http::header(&headers, name).map(str::to_string);
        let kind = RecordKind::parse(field("WARC-Type").as_deref().unwrap_or(""));
        let target_uri = field("WARC-Target-URI").map(|u| clean_uri(&u));
        let mut warnings = Vec::new();
        if bad_lines > 0 {
            warnings.push(format!(
                "{bad_lines} WARC header lines without a colon were ignored"
            ));
        }
        if kind == RecordKind::Other(String::new()) {
            warnings.push("no WARC-Type field".to_string());
        }
        let length = match field("Content-Length").map(|v| v.trim().parse::<u64>()) {
            Some(Ok(n)) => n,
            other => {
                let what = match other {
                    None => "no Content-Length field".to_string(),
                    Some(_) => format!(
                        "invalid Content-Length {:?}",
                        field("Content-Length").unwrap_or_default()
                    ),
                };
                self.skip_to_candidate();
                let reason = format!(
                    "{what}; skipped {} bytes to the next record",
                    self.input.pos - start
                );
                return self.error(
                    ErrorKind::BadHeader,
                    start,
                    reason,
                    Some((&kind, target_uri.as_deref())),
                );
            }
        };
        let content_type = field("Content-Type");
        let mut rec = Record {
            kind,
            version,
            target_uri,
            date: field("WARC-Date"),
            record_id: field("WARC-Record-ID"),
            content_type,
            content_length: length,
            headers,
            body: Vec::new(),
            truncated: false,
            http: None,
            offset: start,
            gzip_member_offset: self.input.src.member_of(start),
            warnings,
        };
        if let Err(step) = self.fill_block(&mut rec) {
            return step;
        }
        let end = self.input.pos;
        self.parse_http(&mut rec);
        self.check_trailer(b"\r\n\r\n", &mut rec);
        self.finish(rec, end)
    }

    fn parse_http(&self, rec: &mut Record) {
        if !matches!(rec.kind, RecordKind::Response | RecordKind::Revisit) {
            return;
        }
        let ct = rec
            .content_type
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        let declared = ct.starts_with("application/http") && !ct.contains("msgtype=request");
        let looks = rec.body.starts_with(b"HTTP/");
        if !looks && (rec.kind == RecordKind::Revisit || !declared) {
            return;
        }
        match http::parse_response(
            &rec.body,
            self.limits.max_header_bytes,
            self.limits.max_body_bytes,
        ) {
            Ok(h) => {
                if h.chunked_fallback {
                    rec.warnings.push(
                        "Transfer-Encoding chunked declared but the body is not validly \
                         chunked; the body is used as stored"
                            .to_string(),
                    );
                }
                if let Some(why) = &h.decoding_error {
                    rec.warnings.push(why.clone());
                }
                if h.body_truncated {
                    rec.warnings.push(format!(
                        "decoded HTTP body cut at {} bytes",
                        self.limits.max_body_bytes
                    ));
                }
                rec.http = Some(h);
            }
            Err(why) => rec
                .warnings
                .push(format!("HTTP envelope unreadable: {why}")),
        }
    }

    fn read_arc(&mut self, start: u64, len: usize, complete: bool, h: ArcLine) -> Step {
        self.skip_line(len, complete);
        let is_filedesc = h.url.starts_with("filedesc:");
        let kind = if is_filedesc {
            RecordKind::ArcHeader
        } else {
            RecordKind::Response
        };
        let length = match h.length {
            Ok(n) => n,
            Err(raw) => {
                self.skip_to_candidate();
                let reason = format!(
                    "invalid length field {raw:?} in the ARC header line; skipped {} bytes to \
                     the next record",
                    self.input.pos - start
                );
                return self.error(
                    ErrorKind::BadHeader,
                    start,
                    reason,
                    Some((&kind, Some(&h.url))),
                );
            }
        };
        let mut rec = Record {
            kind,
            version: "ARC".to_string(),
            target_uri: Some(h.url),
            date: Some(arc_date(&h.date)),
            record_id: None,
            content_type: Some(h.content_type),
            content_length: length,
            headers: h.fields,
            body: Vec::new(),
            truncated: false,
            http: None,
            offset: start,
            gzip_member_offset: self.input.src.member_of(start),
            warnings: Vec::new(),
        };
        if let Err(step) = self.fill_block(&mut rec) {
            return step;
        }
        let end = self.input.pos;
        if is_filedesc {
            // Version block: "1 0 name" then the field list "URL IP-address …".
            if let Some(line) = rec.body.split(|&b| b == b'\n').nth(1) {
                let names: Vec<String> = String::from_utf8_lossy(trim_cr(line))
                    .split_ascii_whitespace()
                    .map(str::to_string)
                    .collect();
                if names.len() >= 5 && names[0].eq_ignore_ascii_case("URL") {
                    self.arc_fields = names;
                }
            }
        }
        self.fix_arc_kind(&mut rec);
        self.parse_http(&mut rec);
        self.check_trailer(b"\n", &mut rec);
        self.finish(rec, end)
    }
}

enum BlockError {
    Eof(u64, Vec<u8>),
    Source(SourceError),
}

impl<R: Read> Iterator for WarcReader<R> {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Step::Record(r) => Some(Ok(*r)),
            Step::Error(e) => {
                if e.kind == ErrorKind::Io {
                    self.done = true;
                }
                Some(Err(*e))
            }
            Step::End => {
                self.done = true;
                None
            }
        }
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `<http://x/>` → `http://x/`; surrounding white space removed; nothing else touched.
fn clean_uri(raw: &str) -> String {
    let t = raw.trim();
    t.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(t)
        .trim()
        .to_string()
}

struct ArcLine {
    url: String,
    date: String,
    content_type: String,
    /// The length, or the raw field when it is not a number.
    length: Result<u64, String>,
    fields: Vec<(String, String)>,
}

/// Parses a line as an ARC header line (`URL IP date type length`, or the v2 field list),
/// or `None` when it does not look like one. URLs may contain spaces: the other fields are
/// counted from the right.
fn arc_line(line: &[u8], names: &[String]) -> Option<ArcLine> {
    let text = std::str::from_utf8(line).ok()?;
    let tokens: Vec<&str> = text.split_ascii_whitespace().collect();
    let n = names.len().max(2);
    if tokens.len() < n {
        return None;
    }
    let url_tokens = tokens.len() - (n - 1);
    let url = tokens[..url_tokens].join(" ");
    let scheme_end = url.find(':')?;
    if scheme_end == 0
        || scheme_end + 1 >= url.len()
        || !url[..scheme_end]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let value = |name: &str| -> Option<&str> {
        let i = names.iter().position(|x| x.eq_ignore_ascii_case(name))?;
        (i > 0).then(|| tokens[url_tokens + i - 1])
    };
    let date = value("Archive-date")?;
    if date.len() < 12 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let raw_len = tokens[tokens.len() - 1];
    let fields = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let v = if i == 0 {
                url.clone()
            } else {
                tokens[url_tokens + i - 1].to_string()
            };
            (name.clone(), v)
        })
        .collect();
    Some(ArcLine {
        date: date.to_string(),
        content_type: value("Content-type").unwrap_or("").to_string(),
        length: raw_len.parse::<u64>().map_err(|_| raw_len.to_string()),
        fields,
        url,
    })
}

/// `20140216050221` → `2014-02-16T05:02:21Z` (longer stamps are cut to 14 digits, shorter
/// ones padded with zeros).
fn arc_date(raw: &str) -> String {
    let mut d: String = raw.chars().take(14).collect();
    while d.len() < 14 {
        d.push('0');
    }
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arc_lines() {
        let names: Vec<String> = DEFAULT_ARC_FIELDS.iter().map(|s| s.to_string()).collect();
        let h = arc_line(
            b"http://e.com/a b c 1.2.3.4 20140216050221 text/html 1591",
            &names,
        )
        .unwrap_or_else(|| panic!("should parse"));
        assert_eq!(h.url, "http://e.com/a b c");
        assert_eq!(h.length, Ok(1591));
        assert_eq!(h.content_type, "text/html");
        assert!(arc_line(
            b"URL IP-address Archive-date Content-type Archive-length",
            &names
        )
        .is_none());
        assert!(arc_line(b"Date: Sun, 16 Feb 2014 05:02:20 GMT", &names).is_none());
        assert!(arc_line(b"1 0 LiveWeb Capture", &names).is_none());
        assert_eq!(arc_date("20140216050221"), "2014-02-16T05:02:21Z");
        assert_eq!(arc_date("201404010000000000"), "2014-04-01T00:00:00Z");
    }

    #[test]
    fn chunked() {
        assert_eq!(
            http::dechunk(b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n"),
            Ok(b"Wikipedia".to_vec())
        );
        assert!(http::dechunk(b"<html>").is_err());
        assert!(http::dechunk(b"ff\r\nshort").is_err());
    }

    #[test]
    fn uris() {
        assert_eq!(clean_uri(" <http://e.com/> "), "http://e.com/");
        assert_eq!(clean_uri("file:///a b.png"), "file:///a b.png");
    }
}
