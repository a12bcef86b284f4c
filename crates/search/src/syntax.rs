//! The reader's query language: text → [`ParsedQuery`].
//!
//! ```text
//! council budget                 ranked words: documents with more of them rank higher
//! "city hall"                    an exact phrase (stopwords inside it count)
//! -strike                        exclude documents with the word (or -"a phrase")
//! tram OR bus                    either word; binds tighter than the implicit AND
//! (tram OR bus) fares            parentheses group
//! +vote, a AND b                 require a word (AND requires both sides)
//! title:budget                   only in headlines (title:"…", title:(…) too)
//! source:reuters section:news author:smith lang:en      filters; -source:x excludes
//! after:2024-01-01 before:2024-02-01 since:7d (h, d, w, m, y)      date filters
//! sort:newest                    newest first instead of by relevance
//! ```
//!
//! Parsing is total: every input, however malformed, yields a query. Unbalanced quotes
//! are closed at the end, stray parentheses and operators are ignored, unknown
//! `field:` prefixes are searched as words, control characters are spaces, and input
//! beyond [`MAX_QUERY_BYTES`] is cut at a character boundary. The parser is a pure
//! function of the text and the clock passed in, so it is tested exhaustively with
//! generated input.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::fmt;

/// Longest query text parsed; the rest is ignored rather than rejected, so a pasted
/// paragraph still searches (the longest verbose test queries are about 2 KB).
pub const MAX_QUERY_BYTES: usize = 4096;
/// Most words and phrases kept from one query: each one costs a posting-list walk.
const MAX_UNITS: usize = 256;
/// Deepest parenthesis nesting honoured; deeper parentheses are ignored, which keeps
/// the recursion bounded on inputs such as ten thousand `(`.
const MAX_DEPTH: usize = 8;

/// Which text a word or phrase is searched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Title, lead and body.
    All,
    /// Headlines only (`title:`).
    Title,
}

/// How a clause combines with its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Counts towards the score; the more of these a document has, the higher it ranks.
    Should,
    /// Must match (`+word`, `a AND b`).
    Must,
    /// Must not match (`-word`).
    Exclude,
}

/// A searchable unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// One word as typed (analysis into index terms happens when the query is built).
    Word {
        /// The word.
        text: String,
        /// Where to look.
        scope: Scope,
        /// A function word ("the", "of") outside quotes: it carries no topic, so it is
        /// not searched unless the query has nothing else.
        stopword: bool,
    },
    /// Words next to each other in this order. A phrase in a short query is required;
    /// in a long, verbose one (where quotes are often scare quotes) it only ranks.
    Phrase {
        /// The words, stopwords included.
        words: Vec<String>,
        /// Where to look.
        scope: Scope,
    },
    /// Any of these (`a OR b OR c`).
    Any(Vec<Expr>),
    /// A parenthesised sub-query.
    Group(Vec<Clause>),
}

/// One clause of a query or a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// How it combines.
    pub occur: Occur,
    /// What it matches.
    pub expr: Expr,
}

/// A field filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterField {
    /// `section:` — the section slug.
    Section,
    /// `source:` — words of the source's name, case-insensitive.
    Source,
    /// `author:` — words of the byline, case-insensitive.
    Author,
    /// `lang:` — the language tag.
    Lang,
}

impl FilterField {
    fn name(self) -> &'static str {
        match self {
            FilterField::Section => "section",
            FilterField::Source => "source",
            FilterField::Author => "author",
            FilterField::Lang => "lang",
        }
    }
}

/// `field:value` (or `-field:value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Which field.
    pub field: FilterField,
    /// The value as typed, lower-cased.
    pub value: String,
    /// `-field:value`: exclude instead of require.
    pub negated: bool,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest publication first.
    Newest,
    /// Oldest publication first.
    Oldest,
}

/// What a reader's query means, ready to be turned into an index query and to be
/// shown back ("searching for …") by [`fmt::Display`], which prints it in the query
/// language itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedQuery {
    /// Top-level clauses.
    pub clauses: Vec<Clause>,
    /// Field filters; filters on one field are alternatives, on different fields all
    /// apply.
    pub filters: Vec<Filter>,
    /// Only documents published at or after this instant.
    pub after: Option<DateTime<Utc>>,
    /// Only documents published before this instant.
    pub before: Option<DateTime<Utc>>,
    /// Requested order.
    pub sort: Sort,
    /// Parts of the input that were repaired or ignored, in plain words, so the page
    /// can say so ("closed an unbalanced quote").
    pub notes: Vec<String>,
}

impl ParsedQuery {
    /// Nothing to rank: no words, phrases or groups (filters alone may still list
    /// documents, newest first).
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Searchable words outside quotes (stopwords included), in order.
    pub fn words(&self) -> Vec<&str> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
            match e {
                Expr::Word { text, .. } => out.push(text),
                Expr::Phrase { .. } => {}
                Expr::Any(v) => v.iter().for_each(|x| walk(x, out)),
                Expr::Group(c) => c.iter().for_each(|x| walk(&x.expr, out)),
            }
        }
        let mut out = Vec::new();
        for c in &self.clauses {
            if c.occur != Occur::Exclude {
                walk(&c.expr, &mut out);
            }
        }
        out
    }
}

/// Parses `text` leniently; `now` anchors relative dates (`since:7d`).
pub fn parse(text: &str, now: DateTime<Utc>) -> ParsedQuery {
    let mut notes = Vec::new();
    let text = if text.len() > MAX_QUERY_BYTES {
        notes.push(format!(
            "only the first {MAX_QUERY_BYTES} bytes of the query were used"
        ));
        let mut end = MAX_QUERY_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    } else {
        text
    };
    let tokens = lex(text, &mut notes);
    let mut p = Parser {
        tokens,
        pos: 0,
        now,
        out: ParsedQuery::default(),
        units: 0,
        depth: 0,
    };
    let clauses = p.clauses(false);
    let mut out = p.out;
    out.clauses = clauses;
    out.notes.splice(0..0, notes);
    mark_stopwords(&mut out.clauses);
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(Vec<String>),
    Open,
    Close,
    Or,
    And,
    /// `-` or `+` glued to what follows.
    Minus,
    Plus,
    /// `name:` glued to what follows (name lower-cased, known or not).
    Field(String),
}

fn lex(text: &str, notes: &mut Vec<String>) -> Vec<Tok> {
    // A query typed or pasted all in capitals ("I AM INTERESTED IN … OR …") uses OR,
    // AND and NOT as words, not operators.
    let shouting =
        text.split_whitespace().nth(3).is_some() && !text.chars().any(char::is_lowercase);
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut toks = Vec::new();
    let mut i = 0;
    // Whether the previous character glues a prefix (`-`, `+`, `field:`) to this one.
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '"' | '“' | '”' | '„' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && !matches!(chars[end], '"' | '“' | '”' | '„') {
                    end += 1;
                }
                if end == chars.len() {
                    notes.push("closed an unbalanced quote".into());
                }
                let inner: String = chars[start..end.min(chars.len())].iter().collect();
                let words: Vec<String> = inner.split_whitespace().map(str::to_string).collect();
                if !words.is_empty() {
                    toks.push(Tok::Phrase(words));
                }
                i = end + 1;
            }
            '(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            '-' | '+' if i + 1 < chars.len() && glues(chars[i + 1]) && at_start(&chars, i) => {
                toks.push(if c == '+' { Tok::Plus } else { Tok::Minus });
                i += 1;
            }
            '|' => {
                toks.push(Tok::Or);
                i += 1;
            }
            _ => {
                let start = i;
                let mut was_field = false;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '"' | '(' | ')' | '“' | '”' | '„')
                {
                    // `name:` ends a field prefix when something follows it.
                    if chars[i] == ':'
                        && i > start
                        && i + 1 < chars.len()
                        && !chars[i + 1].is_whitespace()
                    {
                        let name: String =
                            chars[start..i].iter().collect::<String>().to_lowercase();
                        if name.chars().all(|c| c.is_ascii_alphabetic()) {
                            toks.push(Tok::Field(name));
                            i += 1;
                            was_field = true;
                            break;
                        }
                    }
                    i += 1;
                }
                if was_field {
                    continue;
                }
                let word: String = chars[start..i].iter().collect();
                match word.as_str() {
                    "OR" | "||" if !shouting => toks.push(Tok::Or),
                    "AND" | "&&" | "&" if !shouting => toks.push(Tok::And),
                    "NOT" if !shouting => toks.push(Tok::Minus),
                    _ => toks.push(Tok::Word(word)),
                }
            }
        }
    }
    toks
}

/// A prefix operator needs something searchable right after it.
fn glues(next: char) -> bool {
    !next.is_whitespace() && !matches!(next, '-' | '+' | ')')
}

/// `-` only negates at the start of a token ("covid-19" is a word, not an exclusion).
fn at_start(chars: &[char], i: usize) -> bool {
    i == 0 || chars[i - 1].is_whitespace() || matches!(chars[i - 1], '(' | '"')
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    now: DateTime<Utc>,
    out: ParsedQuery,
    units: usize,
    depth: usize,
}

/// One operand with its prefix.
enum Item {
    Clause(Clause),
    /// Consumed (a filter, an option, something ignored).
    Nothing,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn note(&mut self, s: &str) {
        if !self.out.notes.iter().any(|n| n == s) {
            self.out.notes.push(s.to_string());
        }
    }

    /// A sequence of clauses until the end (or a `)` when `nested`).
    fn clauses(&mut self, nested: bool) -> Vec<Clause> {
        let mut out: Vec<Clause> = Vec::new();
        let mut pending_or = false;
        let mut pending_and = false;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Close => {
                    if nested {
                        return out;
                    }
                    self.pos += 1;
                    self.note("ignored an unmatched ')'");
                    continue;
                }
                Tok::Or => {
                    self.pos += 1;
                    pending_or = !out.is_empty();
                    continue;
                }
                Tok::And => {
                    self.pos += 1;
                    pending_and = !out.is_empty();
                    continue;
                }
                _ => {}
            }
            let Item::Clause(clause) = self.item(Scope::All) else {
                continue;
            };
            if pending_or {
                pending_or = false;
                if let Some(last) = out.last_mut() {
                    if last.occur != Occur::Exclude && clause.occur != Occur::Exclude {
                        let alt = std::mem::replace(&mut last.expr, Expr::Any(Vec::new()));
                        let mut alts = match alt {
                            Expr::Any(v) => v,
                            other => vec![other],
                        };
                        alts.push(clause.expr);
                        last.expr = Expr::Any(alts);
                        continue;
                    }
                }
            }
            if pending_and {
                pending_and = false;
                if let Some(last) = out.last_mut() {
                    if last.occur == Occur::Should {
                        last.occur = Occur::Must;
                    }
                }
                let mut clause = clause;
                if clause.occur == Occur::Should {
                    clause.occur = Occur::Must;
                }
                out.push(clause);
                continue;
            }
            out.push(clause);
        }
        if nested {
            self.note("closed an unbalanced '('");
        }
        out
    }

    /// One operand: an optional `-`/`+`, an optional `field:`, then a word, phrase or
    /// group.
    fn item(&mut self, scope: Scope) -> Item {
        let mut occur = Occur::Should;
        loop {
            match self.peek() {
                Some(Tok::Minus) => occur = Occur::Exclude,
                Some(Tok::Plus) => occur = Occur::Must,
                _ => break,
            }
            self.pos += 1;
        }
        let Some(tok) = self.next() else {
            return Item::Nothing;
        };
        let expr = match tok {
            Tok::Word(w) => self.word(w, scope),
            Tok::Phrase(words) => self.phrase(words, scope),
            Tok::Open => {
                if self.depth >= MAX_DEPTH {
                    self.note("ignored deeply nested parentheses");
                    return Item::Nothing;
                }
                self.depth += 1;
                let inner = self.clauses(true);
                self.depth -= 1;
                if matches!(self.peek(), Some(Tok::Close)) {
                    self.pos += 1;
                }
                let inner = rescope(inner, scope);
                match inner.len() {
                    0 => None,
                    1 if inner[0].occur == Occur::Should => {
                        inner.into_iter().next().map(|c| c.expr)
                    }
                    _ => Some(Expr::Group(inner)),
                }
            }
            Tok::Field(name) => return self.field(name, occur, scope),
            Tok::Close | Tok::Or | Tok::And | Tok::Minus | Tok::Plus => {
                self.note("ignored a stray operator");
                None
            }
        };
        match expr {
            Some(expr) => Item::Clause(Clause { occur, expr }),
            None => Item::Nothing,
        }
    }

    fn word(&mut self, w: String, scope: Scope) -> Option<Expr> {
        // Punctuation on its own (a lone "-", "?", "…") searches nothing.
        if !w.chars().any(char::is_alphanumeric) {
            return None;
        }
        if self.units >= MAX_UNITS {
            self.note("ignored words beyond the first 256");
            return None;
        }
        self.units += 1;
        Some(Expr::Word {
            text: w,
            scope,
            stopword: false,
        })
    }

    fn phrase(&mut self, words: Vec<String>, scope: Scope) -> Option<Expr> {
        let words: Vec<String> = words
            .into_iter()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect();
        if words.is_empty() || self.units >= MAX_UNITS {
            return None;
        }
        self.units += 1;
        if words.len() == 1 {
            // A quoted single word is still a word, but one the reader insists on.
            return Some(Expr::Word {
                text: words.into_iter().next().unwrap_or_default(),
                scope,
                stopword: false,
            });
        }
        Some(Expr::Phrase { words, scope })
    }

    fn field(&mut self, name: String, occur: Occur, scope: Scope) -> Item {
        let negated = occur == Occur::Exclude;
        let filter_field = match name.as_str() {
            "section" => Some(FilterField::Section),
            "source" | "site" => Some(FilterField::Source),
            "author" | "by" => Some(FilterField::Author),
            "lang" | "language" => Some(FilterField::Lang),
            _ => None,
        };
        if let Some(field) = filter_field {
            let value = match self.next() {
                Some(Tok::Word(w)) => w,
                Some(Tok::Phrase(words)) => words.join(" "),
                Some(other) => {
                    // `source:(` and the like: the value is missing; re-read the token.
                    self.pos -= 1;
                    let _ = other;
                    self.note("ignored a filter without a value");
                    return Item::Nothing;
                }
                None => return Item::Nothing,
            };
            self.out.filters.push(Filter {
                field,
                value: value.to_lowercase(),
                negated,
            });
            return Item::Nothing;
        }
        match name.as_str() {
            "title" | "intitle" | "headline" => {
                let Some(tok) = self.peek().cloned() else {
                    return Item::Nothing;
                };
                match tok {
                    Tok::Word(_) | Tok::Phrase(_) | Tok::Open => match self.item(Scope::Title) {
                        Item::Clause(mut c) => {
                            if occur != Occur::Should {
                                c.occur = occur;
                            }
                            Item::Clause(c)
                        }
                        Item::Nothing => Item::Nothing,
                    },
                    _ => Item::Nothing,
                }
            }
            "after" | "since" | "before" | "until" | "sort" | "order" => {
                let value = match self.next() {
                    Some(Tok::Word(w)) => w,
                    Some(Tok::Phrase(words)) => words.join(" "),
                    _ => {
                        self.pos -= 1;
                        return Item::Nothing;
                    }
                };
                self.option(&name, &value);
                Item::Nothing
            }
            _ => {
                // An unknown prefix (`covid:`, `10:`) is part of the text: search it as
                // a word, then go on with what followed the colon.
                match self.word(name, scope) {
                    Some(expr) => Item::Clause(Clause { occur, expr }),
                    None => Item::Nothing,
                }
            }
        }
    }

    fn option(&mut self, name: &str, value: &str) {
        let lower = value.to_lowercase();
        match name {
            "sort" | "order" => match lower.as_str() {
                "newest" | "new" | "date" | "recent" | "latest" => self.out.sort = Sort::Newest,
                "oldest" | "old" => self.out.sort = Sort::Oldest,
                "relevance" | "best" | "rank" => self.out.sort = Sort::Relevance,
                _ => self.note("ignored an unknown sort order"),
            },
            "since" => match relative(&lower, self.now).or_else(|| absolute(&lower)) {
                Some(t) => self.out.after = Some(t),
                None => self.note("ignored a date it could not read"),
            },
            "after" => match absolute(&lower).or_else(|| relative(&lower, self.now)) {
                Some(t) => self.out.after = Some(t),
                None => self.note("ignored a date it could not read"),
            },
            _ => match absolute(&lower).or_else(|| relative(&lower, self.now)) {
                Some(t) => self.out.before = Some(t),
                None => self.note("ignored a date it could not read"),
            },
        }
    }
}

/// `title:(a b)` applies the title scope to every word inside.
fn rescope(clauses: Vec<Clause>, scope: Scope) -> Vec<Clause> {
    if scope == Scope::All {
        return clauses;
    }
    fn expr(e: Expr, scope: Scope) -> Expr {
        match e {
            Expr::Word { text, stopword, .. } => Expr::Word {
                text,
                scope,
                stopword,
            },
            Expr::Phrase { words, .. } => Expr::Phrase { words, scope },
            Expr::Any(v) => Expr::Any(v.into_iter().map(|x| expr(x, scope)).collect()),
            Expr::Group(c) => Expr::Group(rescope(c, scope)),
        }
    }
    clauses
        .into_iter()
        .map(|c| Clause {
            occur: c.occur,
            expr: expr(c.expr, scope),
        })
        .collect()
}

/// `2024-01-31`, `2024-01`, `2024` (the start of that day, month or year, UTC).
fn absolute(s: &str) -> Option<DateTime<Utc>> {
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u32>().ok());
    let year = parts.first()?.parse::<i32>().ok()?;
    if !(1000..=9999).contains(&year) || parts.len() > 3 {
        return None;
    }
    let month = if parts.len() > 1 { num(1)? } else { 1 };
    let day = if parts.len() > 2 { num(2)? } else { 1 };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}

/// `7d`, `12h`, `2w`, `3m` (months of 30 days), `1y`; a bare number is days.
fn relative(s: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: i64 = s[..split].parse().ok()?;
    let n = n.min(100_000);
    let hours = match &s[split..] {
        "h" | "hour" | "hours" => n,
        "" | "d" | "day" | "days" => n * 24,
        "w" | "week" | "weeks" => n * 24 * 7,
        "m" | "mo" | "month" | "months" => n * 24 * 30,
        "y" | "year" | "years" => n * 24 * 365,
        _ => return None,
    };
    now.checked_sub_signed(Duration::hours(hours))
}

/// English function words (the common NLTK list): words that never name a topic on
/// their own. Sorted, for binary search.
pub(crate) const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether `word` is a function word (case-insensitive; punctuation around it ignored).
pub fn is_stopword(word: &str) -> bool {
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    if core.len() > 12 {
        return false;
    }
    let lower = core.to_lowercase();
    STOPWORDS.binary_search(&lower.as_str()).is_ok()
}

/// Marks unquoted stopwords, unless that would leave the query with no word at all
/// ("to be or not to be", "the who" typed without quotes): then every word counts.
fn mark_stopwords(clauses: &mut [Clause]) {
    fn content(e: &Expr) -> bool {
        match e {
            Expr::Word { text, .. } => !is_stopword(text),
            Expr::Phrase { .. } => true,
            Expr::Any(v) => v.iter().any(content),
            Expr::Group(c) => c
                .iter()
                .any(|x| x.occur != Occur::Exclude && content(&x.expr)),
        }
    }
    fn mark(e: &mut Expr) {
        match e {
            Expr::Word { text, stopword, .. } => *stopword = is_stopword(text),
            Expr::Phrase { .. } => {}
            Expr::Any(v) => {
                // `a OR the`: an alternative never vanishes on its own.
                if v.iter().all(|x| matches!(x, Expr::Word { .. })) && !v.iter().any(content) {
                    return;
                }
                v.iter_mut().for_each(mark)
            }
            Expr::Group(c) => c.iter_mut().for_each(|x| mark(&mut x.expr)),
        }
    }
    let any_content = clauses
        .iter()
        .any(|c| c.occur != Occur::Exclude && content(&c.expr));
    if !any_content {
        return;
    }
    for c in clauses.iter_mut() {
        // A word the reader requires (`+the`) or excludes is meant literally.
        if c.occur == Occur::Should {
            mark(&mut c.expr);
        }
    }
}

fn quote_if_needed(s: &str) -> String {
    if s.chars()
        .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | ':'))
    {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Word { text, scope, .. } => {
                if *scope == Scope::Title {
                    f.write_str("title:")?;
                }
                f.write_str(text)
            }
            Expr::Phrase { words, scope } => {
                if *scope == Scope::Title {
                    f.write_str("title:")?;
                }
                write!(f, "\"{}\"", words.join(" "))
            }
            Expr::Any(v) => {
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Expr::Group(c) => {
                f.write_str("(")?;
                write_clauses(f, c)?;
                f.write_str(")")
            }
        }
    }
}

fn write_clauses(f: &mut fmt::Formatter<'_>, clauses: &[Clause]) -> fmt::Result {
    let mut first = true;
    for c in clauses {
        if let Expr::Word { stopword: true, .. } = c.expr {
            continue;
        }
        if !first {
            f.write_str(" ")?;
        }
        first = false;
        match c.occur {
            Occur::Should => {}
            Occur::Must => {
                if !matches!(c.expr, Expr::Phrase { .. }) {
                    f.write_str("+")?
                }
            }
            Occur::Exclude => f.write_str("-")?,
        }
        write!(f, "{}", c.expr)?;
    }
    Ok(())
}

/// The query as searched, in the query language: stopwords that were skipped are
/// left out, repairs are applied, filters and options follow the words.
impl fmt::Display for ParsedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_clauses(f, &self.clauses)?;
        let mut sep = !self.clauses.is_empty();
        let mut put = |f: &mut fmt::Formatter<'_>, s: String| -> fmt::Result {
            if sep {
                f.write_str(" ")?;
            }
            sep = true;
            f.write_str(&s)
        };
        for filter in &self.filters {
            let neg = if filter.negated { "-" } else { "" };
            put(
                f,
                format!(
                    "{neg}{}:{}",
                    filter.field.name(),
                    quote_if_needed(&filter.value)
                ),
            )?;
        }
        if let Some(t) = self.after {
            put(f, format!("after:{}", t.format("%Y-%m-%d")))?;
        }
        if let Some(t) = self.before {
            put(f, format!("before:{}", t.format("%Y-%m-%d")))?;
        }
        match self.sort {
            Sort::Relevance => {}
            Sort::Newest => put(f, "sort:newest".into())?,
            Sort::Oldest => put(f, "sort:oldest".into())?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn p(s: &str) -> ParsedQuery {
        parse(s, now())
    }

    fn shown(s: &str) -> String {
        p(s).to_string()
    }

    #[test]
    fn stopword_list_is_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn plain_words_and_stopwords() {
        assert_eq!(
            shown("I am interested in the history of the library"),
            "interested history library"
        );
        assert_eq!(shown("to be or not to be"), "to be or not to be");
        assert_eq!(shown("the who"), "the who");
    }

    #[test]
    fn phrases_keep_stopwords_and_are_required() {
        let q = p("\"the who\" live in concert");
        assert_eq!(q.to_string(), "\"the who\" live concert");
        assert_eq!(shown("the \"unclosed phrase"), "\"unclosed phrase\"");
        assert_eq!(p("\"unclosed").notes, vec!["closed an unbalanced quote"]);
    }

    #[test]
    fn operators() {
        assert_eq!(shown("cats OR dogs -mice"), "cats OR dogs -mice");
        // OR binds tighter than the implicit AND, so no parentheses are needed.
        assert_eq!(shown("(tram OR bus) fares"), "tram OR bus fares");
        assert_eq!(shown("(x y) OR z"), "(x y) OR z");
        assert_eq!(shown("a AND b c"), "+a +b c");
        assert_eq!(shown("covid-19 vaccine"), "covid-19 vaccine");
        assert_eq!(shown("-\"city hall\" budget"), "-\"city hall\" budget");
        assert_eq!(shown("NOT strike"), "-strike");
        assert_eq!(
            shown("BOOKS OR JOURNALS AND NOT MAPS"),
            "BOOKS JOURNALS MAPS"
        );
    }

    #[test]
    fn fields_and_filters() {
        let q = p("title:budget source:Reuters -section:sport author:\"Jane Smith\" lang:EN");
        assert_eq!(
            q.to_string(),
            "title:budget source:reuters -section:sport author:\"jane smith\" lang:en"
        );
        assert_eq!(shown("title:(tram OR bus)"), "title:tram OR title:bus");
        assert_eq!(shown("title:\"city hall\""), "title:\"city hall\"");
        assert_eq!(shown("covid:19 10:30"), "covid 19 10:30");
    }

    #[test]
    fn dates_and_sort() {
        let q = p("budget after:2024-01-02 before:2024-02 sort:newest");
        assert_eq!(q.sort, Sort::Newest);
        assert_eq!(
            q.to_string(),
            "budget after:2024-01-02 before:2024-02-01 sort:newest"
        );
        let q = p("since:7d budget");
        assert_eq!(q.after, Some(now() - Duration::days(7)));
        let q = p("after:yesterday budget");
        assert_eq!(q.after, None);
        assert!(!q.notes.is_empty());
    }

    #[test]
    fn malformed_input_degrades() {
        assert_eq!(shown("((budget"), "budget");
        assert_eq!(shown("budget))"), "budget");
        assert_eq!(shown("OR OR budget AND"), "budget");
        assert_eq!(shown("- + -- ++ budget"), "budget");
        assert_eq!(shown("budget\u{0}\u{7}vote"), "budget vote");
        assert!(p("\"\"").is_empty());
        assert_eq!(shown("source:"), "source:");
        assert_eq!(shown("Дейр-эз-Зор 東京 محافظة"), "Дейр-эз-Зор 東京 محافظة");
        let deep = "(".repeat(4_000) + "budget";
        assert_eq!(shown(&deep), "budget");
        // 10 kB: cut at 4 KiB, still a search of what was kept.
        let long = "budget ".repeat(1_500);
        assert!(!p(&long).is_empty());
        let many = "word ".repeat(2000);
        assert!(p(&many).clauses.len() <= MAX_UNITS);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Text built from the query language's own pieces, so generated input reaches
    /// the interesting states (nesting, operators, fields, quotes) often.
    fn query_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("(".to_string()),
            Just(")".to_string()),
            Just("\"".to_string()),
            Just("-".to_string()),
            Just("+".to_string()),
            Just(" OR ".to_string()),
            Just(" AND ".to_string()),
            Just("NOT ".to_string()),
            Just("title:".to_string()),
            Just("source:".to_string()),
            Just("since:".to_string()),
            Just("after:2024-13-45".to_string()),
            Just("sort:".to_string()),
            Just(" ".to_string()),
            Just("the".to_string()),
            "[a-z]{1,8}",
            "\\PC{1,4}",
            any::<char>().prop_map(|c| c.to_string()),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parser_is_total_on_structured_input(text in query_text()) {
            let now = Utc::now();
            let q = parse(&text, now);
            // Printing and re-parsing what was understood also never fails.
            let _ = parse(&q.to_string(), now);
        }

        #[test]
        fn words_always_search_something(words in proptest::collection::vec("[a-zA-Z\\p{L}]{1,10}", 1..30)) {
            // Any run of words (stopwords only, other scripts, "OR"/"AND" aside)
            // yields a query with something to rank.
            let text = words.join(" ");
            prop_assume!(words.iter().any(|w| !matches!(w.as_str(), "OR" | "AND" | "NOT")));
            let q = parse(&text, Utc::now());
            prop_assert!(!q.is_empty(), "{text:?} gave an empty query");
            prop_assert!(!q.to_string().is_empty());
        }

        #[test]
        fn parser_is_total_on_any_string(text in any::<String>()) {
            let _ = parse(&text, Utc::now()).to_string();
        }

        #[test]
        fn long_input_is_bounded(word in "[a-z(\"]{1,6}", n in 1usize..3000) {
            let text = format!("{word} ").repeat(n);
            let q = parse(&text, Utc::now());
            prop_assert!(q.clauses.len() <= MAX_UNITS);
        }
    }
}
