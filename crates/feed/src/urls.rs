//! Relative URL resolution.
use url::Url;

/// True when `s` starts with a URI scheme (`http:`, `mailto:`, `tag:` ...).
pub fn has_scheme(s: &str) -> bool {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    for (_, c) in chars {
        if c == ':' {
            return true;
        }
        if !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.') {
            return false;
        }
    }
    false
}

/// Resolves `href` against `base`. Absolute references are returned unchanged (no
/// normalisation: ids such as `HTTP://Example.org/%7Ebob` must survive byte for byte).
pub fn resolve(base: Option<&str>, href: &str) -> String {
    let href_t = href.trim();
    if has_scheme(href_t) {
        return href_t.to_string();
    }
    let Some(base) = base else {
        return href_t.to_string();
    };
    match Url::parse(base) {
        Ok(b) => match b.join(href_t) {
            Ok(u) => {
                let s = u.to_string();
                unpunycode_like_base(base, s)
            }
            Err(_) => href_t.to_string(),
        },
        Err(_) => href_t.to_string(),
    }
}

/// `url` converts IRI hosts to punycode; when the base was written as an IRI, keep the host
/// as written so `http://www.詹姆斯.com/` stays readable.
fn unpunycode_like_base(base: &str, resolved: String) -> String {
    if base.is_ascii() {
        return resolved;
    }
    let host_of = |s: &str| -> Option<String> {
        let rest = s.split_once("://")?.1;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        Some(rest[..end].to_string())
    };
    match (
        host_of(base),
        Url::parse(base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string)),
    ) {
        (Some(orig), Some(puny)) if orig != puny => resolved.replacen(&puny, &orig, 1),
        _ => resolved,
    }
}

/// Like [`resolve`], but returns an empty string for URLs whose scheme is not on the
/// sanitiser's allowlist (`javascript:`, `data:` ...): links, enclosures and images are
/// rendered as `href`/`src` by consumers.
pub fn resolve_safe(base: Option<&str>, href: &str) -> String {
    let compact: String = href
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    if let Some(colon) = compact.find(':') {
        let scheme = &compact[..colon];
        if !scheme.contains(['/', '?', '#'])
            && !crate::html::SAFE_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
        {
            return String::new();
        }
    }
    resolve(base, href)
}

/// Resolves an `xml:base` value against the enclosing base.
pub fn join_base(base: Option<&str>, xml_base: &str) -> Option<String> {
    Some(resolve(base, xml_base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves() {
        assert_eq!(
            resolve(Some("http://example.com/a/b.xml"), "/relative/uri"),
            "http://example.com/relative/uri"
        );
        assert_eq!(
            resolve(Some("http://example.com/a/"), "x"),
            "http://example.com/a/x"
        );
        assert_eq!(resolve(None, "x"), "x");
        assert_eq!(
            resolve(Some("http://e.com/"), "HTTP://Ex.org/%7Ebob"),
            "HTTP://Ex.org/%7Ebob"
        );
        assert_eq!(
            resolve(Some("http://www.詹姆斯.com/feed"), ""),
            "http://www.詹姆斯.com/feed"
        );
    }
}
