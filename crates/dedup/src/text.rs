//! Text normalisation shared by near-duplicate detection and story clustering.
//!
//! Words are maximal runs of alphanumeric characters, lower-cased; everything else
//! (punctuation, quotes, dashes, markup remnants) separates words. Digit groups joined
//! by `,` or `.` (`6,000`, `2.5`) stay one number. Work is bounded: callers pass a
//! maximum number of words, and only that many are produced.

use xxhash_rust::xxh3::xxh3_64;

/// One normalised word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lower-cased word (digit separators removed for numbers).
    pub text: String,
    /// The original started with an upper-case letter.
    pub capitalised: bool,
    /// The word is made of digits only.
    pub number: bool,
}

/// Splits `text` into normalised words, at most `max_words` of them.
pub fn words(text: &str, max_words: usize) -> Vec<Word> {
    let mut out = Vec::new();
    for_each_word(text, max_words, |w, capitalised, number| {
        out.push(Word {
            text: w.to_string(),
            capitalised,
            number,
        });
    });
    out
}

/// Calls `f(word, capitalised, number)` for each of the first `max_words` normalised
/// words of `text`, reusing one buffer (no allocation per word).
///
/// Tokenising is much of what preparing an article costs, so words are found on the
/// bytes: a character is decoded only where a byte is not ASCII, and a word that is
/// ASCII without capitals or digit separators (most words of English news) is passed
/// as a slice of `text`, not copied.
pub fn for_each_word(text: &str, max_words: usize, mut f: impl FnMut(&str, bool, bool)) {
    let bytes = text.as_bytes();
    let mut n = 0usize;
    let mut cur = String::new();
    let mut i = 0usize;
    while i < bytes.len() {
        if n >= max_words {
            return;
        }
        // Find the next word's first character.
        let b = bytes[i];
        let capitalised = if b.is_ascii() {
            if !b.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            b.is_ascii_uppercase()
        } else {
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            if !c.is_alphanumeric() {
                i += c.len_utf8();
                continue;
            }
            c.is_uppercase()
        };
        // Take the word: alphanumeric characters, and within a number `,` or `.`
        // before a digit (`6,000`, `2.5`), which are dropped.
        let start = i;
        let mut all_digits = true;
        // ASCII lower case and digits only, nothing dropped: the word is the slice.
        let mut as_is = true;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                if b.is_ascii_alphanumeric() {
                    all_digits &= b.is_ascii_digit();
                    as_is &= !b.is_ascii_uppercase();
                    i += 1;
                } else if (b == b',' || b == b'.')
                    && all_digits
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                {
                    as_is = false;
                    i += 1;
                } else {
                    break;
                }
            } else {
                match text[i..].chars().next() {
                    Some(c) if c.is_alphanumeric() => {
                        all_digits = false;
                        as_is = false;
                        i += c.len_utf8();
                    }
                    _ => break,
                }
            }
        }
        let word = &text[start..i];
        if as_is {
            f(word, capitalised, all_digits);
        } else {
            cur.clear();
            for c in word.chars() {
                if c.is_ascii() {
                    if c.is_ascii_alphanumeric() {
                        cur.push(c.to_ascii_lowercase());
                    }
                } else {
                    cur.extend(c.to_lowercase());
                }
            }
            f(&cur, capitalised, all_digits);
        }
        n += 1;
    }
}

/// 64-bit hash of a normalised word.
pub fn word_hash(w: &str) -> u64 {
    xxh3_64(w.as_bytes())
}

/// English function words and news-reporting verbs that carry no topic.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "according",
    "across",
    "after",
    "again",
    "against",
    "ago",
    "all",
    "almost",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "are",
    "around",
    "as",
    "at",
    "away",
    "back",
    "be",
    "became",
    "because",
    "become",
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
    "done",
    "down",
    "during",
    "each",
    "either",
    "else",
    "even",
    "ever",
    "every",
    "few",
    "first",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "got",
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
    "however",
    "i",
    "if",
    "in",
    "including",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "later",
    "least",
    "less",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "mr",
    "mrs",
    "ms",
    "much",
    "must",
    "my",
    "myself",
    "never",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "others",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "per",
    "put",
    "rather",
    "really",
    "reported",
    "said",
    "same",
    "say",
    "says",
    "see",
    "seen",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "take",
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
    "though",
    "through",
    "thus",
    "to",
    "told",
    "too",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "way",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
];

/// Whether `w` (lower-cased) is a stopword.
pub fn is_stopword(w: &str) -> bool {
    STOPWORDS.binary_search(&w).is_ok()
}

type StopSet =
    std::collections::HashSet<u64, std::hash::BuildHasherDefault<crate::fasthash::PreHashed>>;

fn stopword_hashes() -> &'static StopSet {
    static SET: std::sync::OnceLock<StopSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| STOPWORDS.iter().map(|w| word_hash(w)).collect())
}

/// Light English suffix folding: plural `-s`/`-ies` only, so that `pirates` and
/// `pirate` meet while names stay recognisable.
pub fn fold_plural(w: &str) -> std::borrow::Cow<'_, str> {
    let b = w.as_bytes();
    let n = b.len();
    if n > 4 && w.ends_with("ies") {
        return std::borrow::Cow::Owned(format!("{}y", &w[..n - 3]));
    }
    if n > 3
        && b[n - 1] == b's'
        && !matches!(b[n - 2], b's' | b'u' | b'i' | b'\'')
        && b[n - 2].is_ascii_alphabetic()
    {
        return std::borrow::Cow::Borrowed(&w[..n - 1]);
    }
    std::borrow::Cow::Borrowed(w)
}

/// A content term of a text, for clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Hash of the folded, lower-cased word.
    pub hash: u64,
    /// Capitalised word or number: a named-entity-like token.
    pub entity: bool,
}

/// The content term of a normalised word whose hash is `h`, if it is one
/// (stopwords, one-letter words and possessive `s` are not).
fn term_of(t: &str, h: u64, capitalised: bool, number: bool, stopwords: &StopSet) -> Option<Term> {
    if t.len() < 2 || (t.len() <= 4 && t.chars().nth(1).is_none()) {
        return None;
    }
    if stopwords.contains(&h) {
        return None;
    }
    if number {
        return Some(Term {
            hash: h,
            entity: true,
        });
    }
    let folded = fold_plural(t);
    Some(Term {
        hash: if folded.len() == t.len() {
            h
        } else {
            word_hash(&folded)
        },
        entity: capitalised,
    })
}

/// Content terms (stopwords, one-letter words and possessive `s` dropped).
pub fn terms(text: &str, max_words: usize) -> Vec<Term> {
    let stopwords = stopword_hashes();
    let mut out = Vec::new();
    for_each_word(text, max_words, |t, capitalised, number| {
        if let Some(term) = term_of(t, word_hash(t), capitalised, number, stopwords) {
            out.push(term);
        }
    });
    out
}

/// One pass over a body for both uses: the hashes of its first `max_words` words
/// (for shingles) into `hashes`, and the content terms of its first `max_term_words`
/// words into `terms` (as [`terms`] would give them). Both are cleared first.
pub fn scan(
    text: &str,
    max_words: usize,
    max_term_words: usize,
    hashes: &mut Vec<u64>,
    terms: &mut Vec<Term>,
) {
    hashes.clear();
    terms.clear();
    // Room for the words a text of this length usually has (about six bytes each), so
    // that the lists rarely grow word by word.
    let likely = text.len() / 5 + 16;
    hashes.reserve(likely.min(max_words));
    terms.reserve(likely.min(max_term_words));
    let stopwords = stopword_hashes();
    let mut n = 0usize;
    for_each_word(
        text,
        max_words.max(max_term_words),
        |t, capitalised, number| {
            let h = word_hash(t);
            if n < max_words {
                hashes.push(h);
            }
            if n < max_term_words {
                if let Some(term) = term_of(t, h, capitalised, number, stopwords) {
                    terms.push(term);
                }
            }
            n += 1;
        },
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The character-at-a-time definition of [`for_each_word`], which the byte-wise
    /// one must match exactly.
    fn words_by_char(text: &str, max_words: usize) -> Vec<(String, bool, bool)> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut capitalised = false;
        let mut all_digits = true;
        let mut chars = text.chars().peekable();
        let mut prev_digit = false;
        while let Some(c) = chars.next() {
            if out.len() >= max_words {
                return out;
            }
            if c.is_alphanumeric() {
                if cur.is_empty() {
                    capitalised = c.is_uppercase();
                    all_digits = true;
                }
                if !c.is_ascii_digit() {
                    all_digits = false;
                }
                cur.extend(c.to_lowercase());
                prev_digit = c.is_ascii_digit();
                continue;
            }
            if (c == ',' || c == '.')
                && prev_digit
                && all_digits
                && chars.peek().is_some_and(char::is_ascii_digit)
            {
                continue;
            }
            prev_digit = false;
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), capitalised, all_digits));
            }
        }
        if !cur.is_empty() && out.len() < max_words {
            out.push((cur, capitalised, all_digits));
        }
        out
    }

    fn words_by_byte(text: &str, max_words: usize) -> Vec<(String, bool, bool)> {
        let mut out = Vec::new();
        for_each_word(text, max_words, |w, c, d| out.push((w.to_string(), c, d)));
        out
    }

    #[test]
    fn byte_wise_words_match_the_definition() {
        let texts = [
            "Hello, World! It's $6,000 -- 2.5% “quoted”",
            "Zoë Marchetti's 'Café Nocturne' — ÉTÉ Straße İstanbul ǅemal",
            "1,000,000.50 and 3.14. Then 7, 8; 9.x 10.",
            "x²+y² ½ Ⅻ ٣٤ 12٣ ab\u{0}cd \t\n tail",
            "",
            "    ",
            "a",
            "ΑΘΗΝΑ Москва 東京 e\u{301}te",
        ];
        for text in texts {
            for max in [0, 1, 3, 1000] {
                assert_eq!(
                    words_by_byte(text, max),
                    words_by_char(text, max),
                    "{text:?} / {max}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn byte_wise_words_match_on_any_text(text in "\\PC{0,80}", max in 0usize..12) {
            proptest::prop_assert_eq!(words_by_byte(&text, max), words_by_char(&text, max));
        }

        #[test]
        fn byte_wise_words_match_on_news_like_text(
            text in "([A-Za-z0-9éÉüß,.'$%-]{1,9}[ ,.;:!?\n]{1,2}){0,30}",
            max in 0usize..40,
        ) {
            proptest::prop_assert_eq!(words_by_byte(&text, max), words_by_char(&text, max));
        }
    }

    #[test]
    fn stopwords_sorted() {
        let mut s = STOPWORDS.to_vec();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s, STOPWORDS);
    }

    #[test]
    fn words_normalise() {
        let w: Vec<String> = words("Hello, World! It's $6,000 -- 2.5% “quoted”", 100)
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(w, ["hello", "world", "it", "s", "6000", "25", "quoted"]);
        assert!(words("Paris", 10)[0].capitalised);
        assert!(words("2017", 10)[0].number);
        assert_eq!(words("a b c d", 2).len(), 2);
        assert!(words("", 10).is_empty());
    }

    #[test]
    fn plural_folding() {
        assert_eq!(fold_plural("pirates"), "pirate");
        assert_eq!(fold_plural("stories"), "story");
        assert_eq!(fold_plural("story"), "story");
        assert_eq!(fold_plural("business"), "business");
        assert_eq!(fold_plural("bus"), "bus");
        assert_eq!(fold_plural("analysis"), "analysis");
    }

    #[test]
    fn scan_agrees_with_words_and_terms() {
        let text = "The Indian Navy said on Saturday it captured 23 pirates, who were Somali. \
                    Pirates attacked the ships; the navy's commandos responded within minutes.";
        let (mut hashes, mut t) = (Vec::new(), Vec::new());
        scan(text, 1000, 9, &mut hashes, &mut t);
        let all: Vec<u64> = words(text, 1000)
            .iter()
            .map(|w| word_hash(&w.text))
            .collect();
        assert_eq!(hashes, all);
        assert_eq!(t, terms(text, 9));
        scan(text, 5, 1000, &mut hashes, &mut t);
        assert_eq!(hashes.len(), 5);
        assert_eq!(t, terms(text, 1000));
    }

    #[test]
    fn terms_drop_stopwords() {
        let t = terms("The pirates said that the Navy", 100);
        assert_eq!(t.len(), 2);
        assert!(!t[0].entity);
        assert!(t[1].entity);
    }
}
