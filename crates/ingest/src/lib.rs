//! Getting articles into Herald: parsing import files, normalising bodies, deciding
//! identities, and driving the store and the index.
//!
//! Every input here is untrusted. A bad record is reported (with its line number) and
//! skipped; it never stops the records after it.
#![warn(missing_docs)]

pub mod body;
mod error;
pub mod identity;
pub mod jsonl;
mod pipeline;
mod time;

pub use error::{IngestError, IngestResult};
pub use pipeline::{import_jsonl, ImportOptions, ImportProgress, ImportSummary, SkippedLine};
pub use time::parse_datetime;
