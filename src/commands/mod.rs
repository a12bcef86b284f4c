//! One module per subcommand.

pub mod bench;
pub mod check;
pub mod config;
pub mod eval;
pub mod eval_cluster;
pub mod extract;
pub mod feed;
pub mod import;
pub mod ingest;
pub mod migrate;
pub mod reindex;
pub mod search;
pub mod serve;
pub mod source;
pub mod user;
