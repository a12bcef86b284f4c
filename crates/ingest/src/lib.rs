//! Getting articles into Herald: parsing import files, normalising bodies, deciding
//! identities, and driving the store and the index.
//!
//! Every input here is untrusted. A bad record is reported (with its line number) and
//! skipped; it never stops the records after it.
#![warn(missing_docs)]

pub mod body;
pub mod discover;
mod error;
pub mod feed_items;
mod handoff;
pub mod identity;
pub mod jsonl;
pub mod opml;
mod pipeline;
pub mod poll;
pub mod schedule;
pub mod scheduler;
pub mod stories;
mod tags;
mod time;
pub mod warc_import;

pub use error::{IngestError, IngestResult};
pub use handoff::{Handoff, HANDOFF_MAX_BYTES};
pub use pipeline::{import_jsonl, ImportOptions, ImportProgress, ImportSummary, SkippedLine};
pub use poll::{PollReport, Poller};
pub use schedule::IngestConfig;
pub use stories::{cluster_alongside, Clusterer, Timings as ClusterTimings};
pub use time::parse_datetime;
pub use warc_import::{import_warc, WarcProblem, WarcSummary};
