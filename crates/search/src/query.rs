//! Reader query text → the text the query parser sees.
//!
//! The index keeps stopwords, so a phrase such as `"the who"` still matches. Outside
//! quotes, function words carry no topic, and in verbose questions ("I am interested
//! in articles about …") they add noise to every score, so they are dropped — unless
//! nothing would be left.

/// English function words (the common NLTK list, less nothing): words that never name
/// a topic on their own.
const STOPWORDS: &[&str] = &[
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

fn is_stopword(word: &str) -> bool {
    let lower = word.to_lowercase();
    STOPWORDS.binary_search(&lower.as_str()).is_ok()
}

/// Drops unquoted stopwords from `query`, keeping operators, phrases, field filters
/// and required (`+word`) terms.
pub(crate) fn drop_stopwords(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut kept_terms = 0usize;
    for segment in split_quoted(query) {
        if segment.starts_with('"') {
            kept_terms += 1;
            out.push_str(segment);
            out.push(' ');
            continue;
        }
        for token in segment.split_whitespace() {
            let core = token.trim_matches(|c: char| c == '(' || c == ')' || c == '-' || c == '+');
            let operator = matches!(token, "AND" | "OR" | "NOT");
            let filter = token.contains(':');
            let required = token.starts_with('+');
            let structural = token.contains('(') || token.contains(')');
            let stop = !operator && !filter && !required && !core.is_empty() && is_stopword(core);
            if stop && !structural {
                continue;
            }
            if !operator && !core.is_empty() {
                kept_terms += 1;
            }
            out.push_str(if stop { keep_parens(token) } else { token });
            out.push(' ');
        }
    }
    if kept_terms == 0 {
        return query.to_string();
    }
    out.trim_end().to_string()
}

/// A stopword glued to parentheses, e.g. `(the`: keep the parentheses only.
fn keep_parens(token: &str) -> &str {
    if token.starts_with('(') {
        let n = token.chars().take_while(|&c| c == '(').count();
        &token[..n]
    } else {
        let n = token.chars().rev().take_while(|&c| c == ')').count();
        &token[token.len() - n..]
    }
}

/// Splits into alternating unquoted text and `"quoted phrases"` (an unclosed quote
/// runs to the end).
fn split_quoted(query: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = query;
    while let Some(start) = rest.find('"') {
        parts.push(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('"') {
            Some(end) => {
                parts.push(&rest[start..start + end + 2]);
                rest = &after[end + 1..];
            }
            None => {
                parts.push(&rest[start..]);
                rest = "";
            }
        }
    }
    parts.push(rest);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_list_is_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn verbose_questions_lose_function_words() {
        assert_eq!(
            drop_stopwords("I am interested in the history of the library"),
            "interested history library"
        );
    }

    #[test]
    fn phrases_operators_and_filters_are_kept() {
        assert_eq!(
            drop_stopwords("\"the who\" live in concert"),
            "\"the who\" live concert"
        );
        assert_eq!(drop_stopwords("cats OR the dogs"), "cats OR dogs");
        assert_eq!(
            drop_stopwords("+the band -on title:the"),
            "+the band title:the"
        );
        assert_eq!(drop_stopwords("(the budget) vote"), "( budget) vote");
    }

    #[test]
    fn all_stopwords_are_kept_rather_than_searching_nothing() {
        assert_eq!(drop_stopwords("to be or not to be"), "to be or not to be");
        assert_eq!(drop_stopwords("the"), "the");
    }

    #[test]
    fn unbalanced_quotes_do_not_break_it() {
        assert_eq!(drop_stopwords("the \"unclosed phrase"), "\"unclosed phrase");
    }
}
