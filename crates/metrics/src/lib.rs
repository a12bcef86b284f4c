//! Process-wide metrics, written out in the Prometheus text exposition format.
//!
//! Herald's needs are small (a few dozen series: requests per route, fetches per
//! source, index lag), so a registry of atomics behind one lock per family beats a
//! dependency tree. Every metric registers itself on first use through [`global`];
//! hot paths touch only atomics after that, plus a read lock to find their series.
#![warn(missing_docs)]

mod histogram;
mod registry;

pub use histogram::Histogram;
pub use registry::{global, Counter, Gauge, Registry};
