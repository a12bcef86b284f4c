//! A strict checker of rendered comment HTML: only the allowlisted tags, only `href`
//! (absolute http/https/mailto, after decoding character references) and the fixed
//! `rel` on links, nothing else; plus plain substring checks for the byte sequences
//! that must never appear.

#![allow(dead_code)]

use herald_comments::LINK_REL;

const TAGS: &[&str] = &["p", "br", "em", "strong", "a", "blockquote", "code", "pre"];

/// Panics with the offending HTML when it is not safe.
pub fn assert_safe(html: &str) {
    if let Err(why) = check(html) {
        panic!("unsafe output ({why}):\n{html}");
    }
}

pub fn check(html: &str) -> Result<(), String> {
    let lower = html.to_lowercase();
    for needle in ["<script", "javascript:", "vbscript:", "livescript:"] {
        if lower.contains(needle) {
            return Err(format!("contains {needle:?}"));
        }
    }
    if let Some(at) = handler_attribute(&lower) {
        return Err(format!("contains an on…= sequence at byte {at}"));
    }
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = tag_end(after).ok_or("unterminated tag")?;
        check_tag(&after[..close])?;
        rest = &after[close + 1..];
    }
    Ok(())
}

/// The byte offset of ` on<letters>=` (any ASCII whitespace before `on`, optional
/// whitespace before `=`), if present.
pub fn handler_attribute(lower: &str) -> Option<usize> {
    let b = lower.as_bytes();
    for i in 0..b.len() {
        let boundary = b[i].is_ascii_whitespace() || b[i] == b'/' || b[i] == b'"' || b[i] == b'\'';
        if !boundary || !lower[i + 1..].starts_with("on") {
            continue;
        }
        let mut j = i + 3;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        if j == i + 3 {
            continue;
        }
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < b.len() && b[j] == b'=' {
            return Some(i);
        }
    }
    None
}

fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn check_tag(tag: &str) -> Result<(), String> {
    let (closing, body) = match tag.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, tag),
    };
    let name_end = body
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(body.len());
    let name = &body[..name_end];
    if !TAGS.contains(&name) {
        return Err(format!("tag <{tag}> not allowed"));
    }
    let attrs = parse_attrs(&body[name_end..])?;
    if closing && !attrs.is_empty() {
        return Err(format!("closing tag with attributes: <{tag}>"));
    }
    for (k, v) in &attrs {
        match (name, k.as_str()) {
            ("a", "href") => {
                let decoded = decode_refs(v).to_lowercase();
                let ok = ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|s| decoded.starts_with(s));
                if !ok || decoded.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(format!("bad href {v:?}"));
                }
            }
            ("a", "rel") if v == LINK_REL => {}
            _ => return Err(format!("attribute {k}={v:?} not allowed on <{name}>")),
        }
    }
    if name == "a" && !closing {
        if !attrs.iter().any(|(k, _)| k == "href") {
            return Err("link without href".into());
        }
        if !attrs.iter().any(|(k, v)| k == "rel" && v == LINK_REL) {
            return Err("link without rel".into());
        }
    }
    Ok(())
}

fn parse_attrs(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if rest == "/" {
            break;
        }
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("attribute without value: {rest:?}"))?;
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 1..];
        let after = after
            .strip_prefix('"')
            .ok_or_else(|| format!("unquoted attribute: {rest:?}"))?;
        let end = after.find('"').ok_or("unterminated attribute")?;
        out.push((key, after[..end].to_string()));
        rest = after[end + 1..].trim_start();
    }
    Ok(out)
}

/// Decodes the character references a browser would in an attribute value.
fn decode_refs(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let r = &rest[i + 1..];
        let end = r.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &r[..e];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &r[e + 1..];
            }
            None => {
                out.push('&');
                rest = r;
            }
        }
    }
    out.push_str(rest);
    out
}
