//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Herald: a self-hosted news & search portal.
///
/// Configuration comes from a TOML file (--config), then HERALD_* environment
/// variables, then these flags; later ones win. `herald config --print-defaults`
/// prints every setting with its default.
#[derive(Debug, Parser)]
#[command(name = "herald", version, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the embedded store and the search index [default: ./herald-data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Store URL; its scheme picks the backend (sqlite:PATH or postgres://USER@HOST/DB)
    /// [default: sqlite:DATA_DIR/herald.db]. Nodes sharing one PostgreSQL database each
    /// keep their own search index in their data directory.
    #[arg(long, global = true, value_name = "URL")]
    pub store: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal: front page, sections, articles and search over HTTP.
    ///
    /// The server keeps the search index in step with the store, so articles
    /// imported by another `herald import` become searchable within a second or two.
    Serve(ServeArgs),
    /// Import articles from a file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage the feeds Herald fetches: add (a feed or a site's address), list with
    /// their state, pause, resume, remove, and OPML import/export.
    #[command(subcommand)]
    Source(SourceCommand),
    /// Fetch feeds. `--once` fetches every due feed and exits (for cron); `herald
    /// serve` runs the same scheduler continuously.
    Ingest(IngestArgs),
    /// Manage admin accounts (moderation queue, sources, log).
    #[command(subcommand)]
    User(UserCommand),
    /// Search the index from the command line and print ranked titles with ids.
    Search(SearchArgs),
    /// Rebuild the search index from the store (the index is derived data).
    Reindex,
    /// Verify that the search index agrees with the store: every stored article
    /// indexed exactly once, nothing else. Exits non-zero when they disagree.
    Check,
    /// Copy a whole portal from one store to another (typically the embedded SQLite
    /// store to PostgreSQL when moving to several nodes): articles, stories, sources,
    /// comments, accounts and settings, ids included. Resumable: run it again after an
    /// interruption. Ends by comparing row counts and checksums of every table.
    Migrate(MigrateArgs),
    /// Show configuration.
    Config(ConfigArgs),
    /// Extract the clean article (title, byline, dates, text, sanitised HTML, lead
    /// image, language) from saved web pages, without navigation, ads or comments.
    /// Errors are reported per file on stderr; the other files continue.
    Extract(ExtractArgs),
    /// Work with feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1).
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Measure Herald's quality on test collections.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure Herald's speed on real data.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Load the built-in sample articles (fictional, labelled as such) so the
    /// portal has something to show without any network or import.
    #[arg(long)]
    pub demo: bool,
    /// Do not fetch feeds (another node or a cron job running `herald ingest --once`
    /// does).
    #[arg(long)]
    pub no_ingest: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import JSONL: one JSON object per line with "title" and/or "body" and
    /// optionally "id", "url", "published", "source", "section", "category",
    /// "author", "lang", "summary". Importing the same file again updates, never
    /// duplicates. Bad lines are reported with their line number and skipped.
    Jsonl(ImportJsonlArgs),
    /// Import a web archive (WARC 1.0/1.1 or ARC, plain or .gz): every HTML response
    /// record goes through the article extractor. Damaged records are reported with
    /// their byte offsets and skipped.
    Warc(ImportWarcArgs),
}

#[derive(Debug, Args)]
pub struct ImportWarcArgs {
    /// The archive; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Section for the pages [default: from config].
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,
    /// Source name for pages that do not name their site [default: the host name].
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Do not show a progress bar even on a terminal.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ImportJsonlArgs {
    /// The file; `-` reads standard input; a `.gz` name is decompressed.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Section for lines with no section or an unknown one [default: from config].
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,
    /// Source name for lines that name none.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Do not show a progress bar even on a terminal.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Subscribe to a feed. URL may be the feed itself or a web page that links to its
    /// feed (<link rel="alternate">); the feed is fetched once to check it.
    Add(SourceAddArgs),
    /// Show every feed with its state: last fetch, HTTP status, last error, items,
    /// next fetch.
    List(SourceListArgs),
    /// Unsubscribe (the articles already fetched stay).
    Remove(SourceRefArgs),
    /// Stop fetching a feed until it is resumed.
    Pause(SourceRefArgs),
    /// Fetch a paused feed again (it becomes due at once).
    Resume(SourceRefArgs),
    /// Subscribe to every feed in an OPML file. Folders named like a section file
    /// their feeds under it. Feeds already subscribed are left alone.
    ImportOpml(SourceImportOpmlArgs),
    /// Print the subscriptions as OPML 2.0, one folder per section.
    ExportOpml,
}

#[derive(Debug, Args)]
pub struct SourceAddArgs {
    /// Feed URL or site URL.
    #[arg(value_name = "URL")]
    pub url: String,
    /// Section for its items (slug) [default: import.default_section].
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,
    /// Source name its items are shown under [default: the feed's title].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Subscribe without fetching first (no check, no discovery).
    #[arg(long)]
    pub no_check: bool,
}

#[derive(Debug, Args)]
pub struct SourceListArgs {
    /// Print JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SourceRefArgs {
    /// The feed's id (from `source list`) or URL.
    #[arg(value_name = "ID|URL")]
    pub feed: String,
}

#[derive(Debug, Args)]
pub struct SourceImportOpmlArgs {
    /// The OPML file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Section for feeds outside any folder named like a section.
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Fetch every due feed once and exit.
    #[arg(long, required = true)]
    pub once: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an admin account. The password is asked for twice on a terminal, or
    /// read as the first line of standard input otherwise (for scripts).
    Add(UserAddArgs),
    /// Set a new password for an account (same input rules as `add`).
    Passwd(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Login name (letters, digits, . _ -).
    #[arg(value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to search for.
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// How many results to print.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Only this section (slug).
    #[arg(long, value_name = "SLUG")]
    pub section: Option<String>,
    /// Print results as JSON lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print a complete, commented configuration file with every default.
    #[arg(long, conflicts_with = "print")]
    pub print_defaults: bool,
    /// Print the effective configuration (file, environment and flags merged).
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Import+index throughput: imports FILE into a fresh temporary store and index
    /// several times and prints articles/s (median), peak memory and index size.
    /// `--clustering` also times each run with story clustering beside the import (as
    /// `herald import` does it) and prints the ratio and where the clustering time
    /// went.
    Import(BenchImportArgs),
    /// Search speed at scale: builds a corpus of N articles (FILE repeated with new
    /// ids), indexes it through the engine, and times 200 title-word queries (ranked
    /// OR, AND, phrase) against Herald's engine and SQLite FTS5 side by side.
    Search(BenchSearchArgs),
}

#[derive(Debug, Args)]
pub struct BenchSearchArgs {
    /// A JSONL file (optionally .gz) of articles to repeat.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Articles in the corpus.
    #[arg(long, default_value_t = 1_000_000)]
    pub docs: usize,
    /// Timed passes over the query set (the median pass is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Skip SQLite FTS5.
    #[arg(long)]
    pub no_fts5: bool,
    /// Skip the end-to-end timing through the HTTP search page and API.
    #[arg(long)]
    pub no_http: bool,
    /// Build the corpus, store and index in DIR and keep them; a later run with the
    /// same DIR and --docs reuses them and only times the queries.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchImportArgs {
    /// A JSONL file of articles (optionally .gz), e.g. a file of news-corpus; or web
    /// pages that go through the article extractor as fetched pages do: a WARC or ARC
    /// archive (`.warc`, `.arc`, optionally .gz), or a folder of `.html` files (each
    /// page archived under a site of its own).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Number of timed runs.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Also run every import with story clustering (near-duplicates and stories,
    /// placed beside the import as `herald import` does), alternating with the runs
    /// without, and compare the two.
    #[arg(long)]
    pub clustering: bool,
    /// With --clustering: cluster in a pass of its own after the import instead of
    /// beside it, for comparison.
    #[arg(long, requires = "clustering")]
    pub after: bool,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Ranking quality: for each collection DIR (docs.jsonl, queries.jsonl,
    /// qrels.tsv), index the documents in a temporary directory with Herald's real
    /// import and analysis, run every query as the search page does, and print
    /// nDCG@10, MAP@1000, MRR@10 and Recall@100 (trec_eval conventions).
    Search(EvalSearchArgs),
    /// Story clustering and near-duplicate quality: processes FILE's articles
    /// ({"id","title","body","published","source"}, optional "cluster") in
    /// publication order exactly as ingest does, prints B-cubed and pairwise
    /// precision/recall/F1 when clusters are given, near-duplicate precision/recall
    /// when a pairs file is given (or pairs.jsonl sits next to FILE), and writes
    /// {"id","story","duplicate_of"} lines with --out.
    Cluster(EvalClusterArgs),
}

#[derive(Debug, Args)]
pub struct EvalClusterArgs {
    /// Articles, one JSON object per line.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Where to write the assignments (JSON lines).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Labelled pairs ({"a","b","label"}); default: pairs.jsonl next to FILE, if any.
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// Also report the mean over this many seeded shuffled orders (for sets whose
    /// order carries no meaning).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub shuffle: u64,
}

#[derive(Debug, Args)]
pub struct EvalSearchArgs {
    /// Collection directories.
    #[arg(value_name = "DIR", required = true, num_args = 1..)]
    pub dirs: Vec<PathBuf>,
    /// Write the TREC run file (qid Q0 docid rank score herald), top 1000 per query.
    #[arg(long, value_name = "FILE")]
    pub run: Option<PathBuf>,
    /// Override a ranking parameter for this run, e.g. `--set feedback_docs=0`
    /// (repeatable); measures what each ranking component contributes.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Parse a feed file and print what Herald reads from it: a summary, or with
    /// --json the neutral model (version, encoding, bozo, feed, entries). Ill-formed
    /// feeds are recovered as far as possible and flagged (bozo), never rejected.
    Parse(FeedParseArgs),
}

#[derive(Debug, Args)]
pub struct FeedParseArgs {
    /// The feed file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The URL the feed was fetched from: the base for relative links.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The HTTP Content-Type it was served with (its charset counts).
    #[arg(long, value_name = "CT")]
    pub content_type: Option<String>,
    /// The HTTP Content-Location it was served with (overrides the base URL).
    #[arg(long, value_name = "URL")]
    pub content_location: Option<String>,
    /// Print the neutral JSON model.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExtractFormat {
    /// Title and plain text.
    Text,
    /// One pretty-printed JSON object per page.
    Json,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// HTML files.
    #[arg(value_name = "PATH", required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    /// The page's URL: resolves relative links and images, and dates in the URL count.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Output format; several paths print JSON lines unless json is asked for.
    #[arg(long, value_enum, default_value_t = ExtractFormat::Text)]
    pub format: ExtractFormat,
}

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// The store to copy from: sqlite:PATH or postgres://…
    #[arg(long)]
    pub from: String,
    /// The store to copy into (created and migrated on first use).
    #[arg(long)]
    pub to: String,
    /// Rows per transaction.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Only compare the two stores; copy nothing.
    #[arg(long)]
    pub verify_only: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
}
