//! `herald-fetch`: Herald's polite, guarded HTTP fetcher.
//!
//! The ingestion pipeline and the scheduler hand a [`FetchRequest`] (a URL plus the
//! validators of the last fetch) to a shared [`Fetcher`] and get back a
//! [`FetchResponse`] (a body or "not modified", the final URL after redirects, whether a
//! redirect was permanent, and the headers worth storing) or a [`FetchError`] that says in
//! words what went wrong and for which URL.
//!
//! What each fetch goes through, hop by hop:
//! 1. the scheme rule (http and https only) and the address guard (module `guard`):
//!    loopback, private, link-local, CGNAT, multicast and cloud-metadata addresses are
//!    refused unless allowlisted, checked on the addresses the connection will use;
//! 2. robots.txt of the origin, fetched once and cached (module `robots`);
//! 3. the host's turn (module `politeness`): a concurrency limit and a minimum interval
//!    between request starts, widened by `Crawl-delay`;
//! 4. the GET itself, with `If-None-Match` / `If-Modified-Since`, compressed transfer,
//!    timeouts, and retries with jittered exponential backoff on 429/5xx honouring
//!    `Retry-After`;
//! 5. redirects followed by hand (limit, loop detection, permanent-move bookkeeping);
//! 6. the body read with a size limit counted after decompression.
//!
//! ```no_run
//! # async fn demo() -> Result<(), herald_fetch::FetchError> {
//! use herald_fetch::{FetchOutcome, FetchRequest, FetcherBuilder};
//!
//! let fetcher = FetcherBuilder::new().build()?;
//! let url = url::Url::parse("https://news.example/feed.xml").expect("valid URL");
//! let response = fetcher.fetch(&FetchRequest::new(url)).await?;
//! if let Some(moved_to) = response.permanent_url() {
//!     println!("source moved to {moved_to}");
//! }
//! match response.outcome {
//!     FetchOutcome::Fetched { body } => println!("{} bytes", body.len()),
//!     FetchOutcome::NotModified => println!("unchanged"),
//! }
//! # Ok(()) }
//! ```
//!
//! Logs go to the tracing target `ingest::fetch`.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod config;
pub mod error;
mod fetcher;
mod guard;
mod politeness;
mod robots;

pub use config::FetchConfig;
pub use error::{FetchError, Result};
pub use fetcher::{
    FetchOutcome, FetchRequest, FetchResponse, Fetcher, FetcherBuilder, Redirect, ResponseHeaders,
};
pub use url::Url;
