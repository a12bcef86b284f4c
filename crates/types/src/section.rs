//! Sections: the portal's top-level navigation (News, Movies, Music, Books by default).

use serde::{Deserialize, Serialize};

/// A section as configured by the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// URL-safe key, used in paths (`/section/news`) and filters (`section:news`).
    pub slug: String,
    /// Name shown in the navigation.
    pub name: String,
}

/// A section slug that cannot appear in a URL path.
#[derive(Debug, thiserror::Error)]
#[error("section slug {0:?} must be 1-40 characters of a-z, 0-9 and '-'")]
pub struct SectionSlugError(pub String);

impl Section {
    /// Builds a section, checking that the slug is URL-safe.
    pub fn new(slug: &str, name: &str) -> Result<Self, SectionSlugError> {
        let valid = !slug.is_empty()
            && slug.len() <= 40
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(SectionSlugError(slug.to_string()));
        }
        Ok(Section {
            slug: slug.to_string(),
            name: name.to_string(),
        })
    }

    /// Turns free text ("Sci/Tech", "World") into a slug, for imports that name
    /// sections loosely.
    pub fn slugify(name: &str) -> String {
        let mut slug = String::new();
        for c in name.trim().chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        while slug.ends_with('-') {
            slug.pop();
        }
        slug.truncate(40);
        slug
    }
}

/// News, Movies, Music, Books: the sections of a portal nobody has configured yet.
pub fn default_sections() -> Vec<Section> {
    [
        ("news", "News"),
        ("movies", "Movies"),
        ("music", "Music"),
        ("books", "Books"),
    ]
    .into_iter()
    .map(|(slug, name)| Section {
        slug: slug.into(),
        name: name.into(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_handles_punctuation_and_case() {
        assert_eq!(Section::slugify("Sci/Tech"), "sci-tech");
        assert_eq!(Section::slugify("  World  "), "world");
        assert_eq!(Section::slugify("Arts & Culture!"), "arts-culture");
        assert_eq!(Section::slugify("!!!"), "");
    }

    #[test]
    fn new_rejects_unsafe_slugs() {
        assert!(Section::new("news", "News").is_ok());
        assert!(Section::new("News", "News").is_err());
        assert!(Section::new("a/b", "x").is_err());
        assert!(Section::new("", "x").is_err());
    }
}
