//! HTML sanitising for titles, summaries and content.
//!
//! Written by hand (not ammonia) because Herald stores feed HTML the way feedparser emits it:
//! entity and character references are kept as the publisher wrote them (`&#38;` stays
//! `&#38;`), void elements are written `<br />`, attributes are sorted, and SVG / MathML keep
//! their case. An HTML5 tree builder (ammonia/html5ever) re-serialises all of these. Safety
//! does not depend on that choice: every tag is rebuilt from its parsed name and allowlisted
//! attributes, and every `<` in text is escaped, so nothing the input spells survives unless
//! it is on the allowlist.
//!
//! # Allowlist policy
//! * Elements: [`ALLOWED_ELEMENTS`] (text-level and block HTML, lists, tables, media without
//!   scripting, forms controls that cannot submit anywhere dangerous) plus the SVG and MathML
//!   presentation subsets in [`ALLOWED_SVG_ELEMENTS`] / [`ALLOWED_MATHML_ELEMENTS`].
//! * Elements removed with their content: [`DROP_WITH_CONTENT`] (`script`, `style`,
//!   `iframe`, `object`, `embed`, `applet`, `frameset`, `template`, ...).
//! * Any other element: the tag is removed, its text kept.
//! * Attributes: [`ALLOWED_ATTRIBUTES`] (+ the SVG/MathML lists inside those subtrees). No
//!   event handlers (`on*`) ever, no `formaction`, no `srcdoc`.
//! * URL attributes ([`URL_ATTRIBUTES`]): entity-decoded, control characters and whitespace
//!   removed, then only relative URLs and the schemes in [`SAFE_SCHEMES`] are kept
//!   (`javascript:`, `vbscript:`, `data:` ... are dropped); relative URLs are resolved against
//!   the base.
//! * `style`: only declarations whose property is in [`ALLOWED_CSS_PROPERTIES`] and whose
//!   value contains only keywords, numbers, colours and lengths (no `url(`, `expression(`,
//!   escapes or comments).
use crate::urls;
use crate::xml::{html_entity, parse_ref, xml_predefined, Ref};

/// Elements kept (HTML).
pub const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "command",
    "datagrid",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "event-source",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "m",
    "map",
    "mark",
    "menu",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "select",
    "small",
    "sound",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// SVG elements kept inside `<svg>` (no scripting, animation or foreign content).
pub const ALLOWED_SVG_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "path",
    "circle",
    "ellipse",
    "line",
    "polygon",
    "polyline",
    "rect",
    "text",
    "tspan",
    "title",
    "desc",
    "defs",
    "lineargradient",
    "radialgradient",
    "stop",
    "a",
    "metadata",
    "marker",
    "symbol",
    "font-face",
    "glyph",
    "hkern",
    "missing-glyph",
    "mpath",
    "textpath",
    "switch",
    "use",
];

/// MathML presentation elements kept inside `<math>`.
pub const ALLOWED_MATHML_ELEMENTS: &[&str] = &[
    "math",
    "maction",
    "merror",
    "mfrac",
    "mi",
    "mmultiscripts",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "mspace",
    "msqrt",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "none",
    "semantics",
    "menclose",
    "mfenced",
    "mlabeledtr",
];

/// Elements removed together with everything inside them.
pub const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "applet",
    "noembed",
    "noframes",
    "template",
    "xmp",
    "title",
    "head",
    "annotation-xml",
    "foreignobject",
    "animate",
    "set",
    "animatemotion",
    "animatetransform",
    "animatecolor",
    "handler",
    "listener",
    "form",
    "math:annotation-xml",
];

const VOID_ELEMENTS: &[&str] = &[
    "area", "br", "col", "hr", "img", "input", "keygen", "source", "track", "wbr",
];

/// Attributes kept on HTML elements.
pub const ALLOWED_ATTRIBUTES: &[&str] = &[
    "abbr",
    "accept",
    "accept-charset",
    "accesskey",
    "align",
    "alt",
    "autocomplete",
    "autofocus",
    "axis",
    "background",
    "balance",
    "bgcolor",
    "bgproperties",
    "border",
    "bordercolor",
    "bordercolordark",
    "bordercolorlight",
    "bottompadding",
    "cellpadding",
    "cellspacing",
    "ch",
    "challenge",
    "char",
    "charoff",
    "charset",
    "checked",
    "choff",
    "cite",
    "class",
    "clear",
    "color",
    "cols",
    "colspan",
    "compact",
    "contenteditable",
    "controls",
    "coords",
    "data",
    "datafld",
    "datapagesize",
    "datasrc",
    "datetime",
    "default",
    "delay",
    "dir",
    "disabled",
    "draggable",
    "dynsrc",
    "enctype",
    "end",
    "face",
    "for",
    "form",
    "frame",
    "galleryimg",
    "gutter",
    "headers",
    "height",
    "hidden",
    "hidefocus",
    "high",
    "href",
    "hreflang",
    "hspace",
    "icon",
    "id",
    "inputmode",
    "ismap",
    "keytype",
    "label",
    "lang",
    "leftspacing",
    "list",
    "longdesc",
    "loop",
    "loopcount",
    "loopend",
    "loopstart",
    "low",
    "lowsrc",
    "max",
    "maxlength",
    "media",
    "method",
    "min",
    "multiple",
    "name",
    "nohref",
    "noshade",
    "nowrap",
    "open",
    "optimum",
    "pattern",
    "ping",
    "point-size",
    "poster",
    "pqg",
    "preload",
    "prompt",
    "radiogroup",
    "readonly",
    "rel",
    "repeat-max",
    "repeat-min",
    "replace",
    "required",
    "rev",
    "rightspacing",
    "rows",
    "rowspan",
    "rules",
    "scope",
    "selected",
    "shape",
    "size",
    "span",
    "src",
    "srcset",
    "start",
    "step",
    "style",
    "summary",
    "suppress",
    "tabindex",
    "target",
    "template",
    "title",
    "toppadding",
    "type",
    "unselectable",
    "urn",
    "usemap",
    "valign",
    "value",
    "variable",
    "volume",
    "vrml",
    "vspace",
    "width",
    "wrap",
    "xml:lang",
];

/// Attributes kept inside SVG subtrees (compared case-insensitively, written as given).
pub const ALLOWED_SVG_ATTRIBUTES: &[&str] = &[
    "accent-height",
    "accumulate",
    "additive",
    "alphabetic",
    "arabic-form",
    "ascent",
    "baseprofile",
    "bbox",
    "begin",
    "by",
    "calcmode",
    "cap-height",
    "class",
    "color",
    "color-rendering",
    "content",
    "cx",
    "cy",
    "d",
    "dx",
    "dy",
    "descent",
    "display",
    "dur",
    "end",
    "fill",
    "fill-opacity",
    "fill-rule",
    "font-family",
    "font-size",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "fx",
    "fy",
    "g1",
    "g2",
    "glyph-name",
    "gradientunits",
    "hanging",
    "height",
    "horiz-adv-x",
    "horiz-origin-x",
    "id",
    "ideographic",
    "k",
    "keypoints",
    "keysplines",
    "keytimes",
    "lang",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerheight",
    "markerunits",
    "markerwidth",
    "mathematical",
    "max",
    "min",
    "name",
    "offset",
    "opacity",
    "orient",
    "origin",
    "overline-position",
    "overline-thickness",
    "panose-1",
    "path",
    "pathlength",
    "points",
    "preserveaspectratio",
    "r",
    "refx",
    "refy",
    "repeatcount",
    "repeatdur",
    "requiredextensions",
    "requiredfeatures",
    "restart",
    "rotate",
    "rx",
    "ry",
    "slope",
    "stemh",
    "stemv",
    "stop-color",
    "stop-opacity",
    "strikethrough-position",
    "strikethrough-thickness",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "systemlanguage",
    "target",
    "text-anchor",
    "to",
    "transform",
    "type",
    "u1",
    "u2",
    "underline-position",
    "underline-thickness",
    "unicode",
    "unicode-range",
    "units-per-em",
    "values",
    "version",
    "viewbox",
    "visibility",
    "width",
    "widths",
    "x",
    "x-height",
    "x1",
    "x2",
    "xlink:actuate",
    "xlink:arcrole",
    "xlink:href",
    "xlink:role",
    "xlink:show",
    "xlink:title",
    "xlink:type",
    "xml:base",
    "xml:lang",
    "xml:space",
    "xmlns",
    "xmlns:xlink",
    "y",
    "y1",
    "y2",
    "zoomandpan",
    "style",
];

/// Attributes kept inside MathML subtrees.
pub const ALLOWED_MATHML_ATTRIBUTES: &[&str] = &[
    "actiontype",
    "align",
    "close",
    "columnalign",
    "columnlines",
    "columnspacing",
    "columnspan",
    "depth",
    "display",
    "displaystyle",
    "encoding",
    "equalcolumns",
    "equalrows",
    "fence",
    "fontstyle",
    "fontweight",
    "frame",
    "height",
    "linethickness",
    "lspace",
    "mathbackground",
    "mathcolor",
    "mathvariant",
    "maxsize",
    "minsize",
    "notation",
    "open",
    "other",
    "rowalign",
    "rowlines",
    "rowspacing",
    "rowspan",
    "rspace",
    "scriptlevel",
    "selection",
    "separator",
    "separators",
    "stretchy",
    "width",
    "xlink:href",
    "xlink:show",
    "xlink:type",
    "xmlns",
    "xmlns:xlink",
];

/// Attributes whose value is a URL (checked against [`SAFE_SCHEMES`] and resolved).
pub const URL_ATTRIBUTES: &[&str] = &[
    "action",
    "background",
    "cite",
    "codebase",
    "data",
    "dynsrc",
    "href",
    "longdesc",
    "lowsrc",
    "poster",
    "profile",
    "src",
    "usemap",
    "xlink:href",
    "xml:base",
    "icon",
];

/// URL schemes allowed in URL attributes (relative URLs are always allowed).
pub const SAFE_SCHEMES: &[&str] = &[
    "http", "https", "ftp", "ftps", "mailto", "news", "nntp", "irc", "ircs", "tel", "feed",
    "magnet", "sftp", "xmpp", "gopher", "aim", "urn", "tag",
];

/// CSS properties kept in `style` attributes.
pub const ALLOWED_CSS_PROPERTIES: &[&str] = &[
    "azimuth",
    "background-color",
    "border-bottom-color",
    "border-collapse",
    "border-color",
    "border-left-color",
    "border-right-color",
    "border-top-color",
    "clear",
    "color",
    "cursor",
    "direction",
    "display",
    "elevation",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "overflow",
    "pause",
    "pause-after",
    "pause-before",
    "pitch",
    "pitch-range",
    "richness",
    "speak",
    "speak-header",
    "speak-numeral",
    "speak-punctuation",
    "speech-rate",
    "stress",
    "text-align",
    "text-decoration",
    "text-indent",
    "unicode-bidi",
    "vertical-align",
    "voice-family",
    "volume",
    "white-space",
    "width",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-opacity",
];

/// Maximum nesting of kept elements in sanitised output (deeper tags are dropped).
const MAX_HTML_DEPTH: usize = 256;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Html,
    Svg,
    Math,
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Sanitises an HTML fragment, resolving relative URLs against `base`.
pub fn sanitize(input: &str, base: Option<&str>) -> String {
    let b = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    // (output name, lower-case local name, context of its children)
    let mut stack: Vec<(String, String, Ctx)> = Vec::new();
    // Same byte offsets as `input` (ASCII lower-casing keeps lengths).
    let lower_input = input.to_ascii_lowercase();
    // End tags already known to be missing, and whether any '>' is left: both keep the
    // work linear on hostile input.
    let mut missing_end: Vec<String> = Vec::new();
    let mut no_more_gt = false;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            let end = input[i..].find('<').map(|e| i + e).unwrap_or(b.len());
            push_text(&input[i..end], &mut out);
            i = end;
            continue;
        }
        let rest = &input[i..];
        if let Some(body) = rest.strip_prefix("<!--") {
            i = match body.find("-->") {
                Some(e) => i + 4 + e + 3,
                None => b.len(),
            };
            continue;
        }
        let decl_like = rest.starts_with("<?")
            || (rest.starts_with("<!")
                && rest
                    .as_bytes()
                    .get(2)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'['));
        if decl_like {
            match (!no_more_gt).then(|| rest.find('>')).flatten() {
                Some(e) => i += e + 1,
                None => {
                    no_more_gt = true;
                    out.push_str("&lt;");
                    i += 1;
                }
            }
            continue;
        }
        // SGML's empty tags `<>` and `</>` carry nothing.
        if rest.starts_with("<>") || rest.starts_with("</>") {
            i += if rest.starts_with("<>") { 2 } else { 3 };
            continue;
        }
        let is_end = rest.starts_with("</");
        let name_start = if is_end { 2 } else { 1 };
        let nb = rest.as_bytes();
        if nb.get(name_start).is_none_or(|c| !c.is_ascii_alphabetic()) {
            out.push_str("&lt;");
            i += 1;
            continue;
        }
        let tag = parse_tag(rest, name_start);
        i += tag.len;
        let lname = lower(&tag.name);
        let local = lname.rsplit(':').next().unwrap_or(&lname).to_string();
        let ctx = stack.last().map(|s| s.2).unwrap_or(Ctx::Html);
        if is_end {
            if let Some(pos) = stack.iter().rposition(|(_, l, _)| *l == local) {
                while stack.len() > pos {
                    if let Some((n, _, _)) = stack.pop() {
                        out.push_str("</");
                        out.push_str(&n);
                        out.push('>');
                    }
                }
            }
            continue;
        }
        let svg_title = ctx == Ctx::Svg && local == "title";
        if !svg_title
            && (DROP_WITH_CONTENT.contains(&local.as_str())
                || DROP_WITH_CONTENT.contains(&lname.as_str()))
        {
            if !tag.self_closing {
                // Skip to the matching end tag (raw-text style: the first `</name`).
                let needle = format!("</{lname}");
                // Without an end tag only the start tag is dropped; the rest is sanitised
                // as usual.
                let found = if missing_end.contains(&needle) {
                    None
                } else {
                    lower_input.get(i..).and_then(|h| h.find(&needle))
                };
                match found {
                    Some(p) => {
                        let after = i + p;
                        i = input[after..]
                            .find('>')
                            .map(|e| after + e + 1)
                            .unwrap_or(b.len());
                    }
                    None => {
                        if missing_end.len() < 64 && !missing_end.contains(&needle) {
                            missing_end.push(needle);
                        }
                    }
                }
            }
            continue;
        }
        let (allowed, child_ctx) = match (ctx, local.as_str()) {
            (_, "svg") => (true, Ctx::Svg),
            (_, "math") => (true, Ctx::Math),
            (Ctx::Svg, n) => (ALLOWED_SVG_ELEMENTS.contains(&n), Ctx::Svg),
            (Ctx::Math, n) => (ALLOWED_MATHML_ELEMENTS.contains(&n), Ctx::Math),
            (Ctx::Html, n) => (ALLOWED_ELEMENTS.contains(&n), Ctx::Html),
        };
        if !allowed || stack.len() >= MAX_HTML_DEPTH {
            continue;
        }
        let out_name = if child_ctx == Ctx::Html {
            local.clone()
        } else {
            tag.name.rsplit(':').next().unwrap_or(&tag.name).to_string()
        };
        out.push('<');
        out.push_str(&out_name);
        write_attrs(&local, &tag.attrs, child_ctx, base, &mut out);
        let void = child_ctx == Ctx::Html && VOID_ELEMENTS.contains(&local.as_str());
        if void || (tag.self_closing && child_ctx != Ctx::Html) {
            // Self-closing is honoured in SVG / MathML (HTML5 foreign content), so keep it:
            // feedparser's `<circle ...>` would make browsers nest the following siblings.
            out.push_str(" />");
        } else {
            out.push('>');
            stack.push((out_name, local.clone(), child_ctx));
        }
    }
    while let Some((n, _, _)) = stack.pop() {
        out.push_str("</");
        out.push_str(&n);
        out.push('>');
    }
    out
}

/// Text: keep valid references as written, escape bare `&` and every `<`.
fn push_text(t: &str, out: &mut String) {
    let mut rest = t;
    while let Some(p) = rest.find(['&', '<']) {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        if rest.starts_with('<') {
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        }
        match parse_ref(rest) {
            Some((Ref::Char(Some(c)), len)) => {
                if is_cp1252_ref(&rest[..len]) {
                    out.push_str(&format!("&#x{:x};", c as u32));
                } else {
                    out.push_str(&rest[..len]);
                }
                rest = &rest[len..];
            }
            Some((Ref::Named(n), len))
                if xml_predefined(n).is_some() || html_entity(n).is_some() =>
            {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
            }
            _ => {
                out.push_str("&amp;");
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// True for `&#128;`..`&#159;` (and hex forms), which are rewritten to the windows-1252
/// character they stand for.
fn is_cp1252_ref(r: &str) -> bool {
    let body = r.trim_start_matches("&#").trim_end_matches(';');
    let v = if let Some(h) = body.strip_prefix(['x', 'X']) {
        u32::from_str_radix(h, 16).ok()
    } else {
        body.parse::<u32>().ok()
    };
    v.is_some_and(|v| (0x80..0xA0).contains(&v))
}

struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    self_closing: bool,
    len: usize,
}

/// Parses a tag at the start of `s`; attribute values are returned raw (undecoded).
fn parse_tag(s: &str, name_start: usize) -> Tag {
    let b = s.as_bytes();
    let mut i = name_start;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let name = s[name_start..i].to_string();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'>' {
            i += 1;
            break;
        }
        if c == b'/' {
            if b.get(i + 1) == Some(&b'>') {
                self_closing = true;
                i += 2;
                break;
            }
            i += 1;
            continue;
        }
        let ns = i;
        while i < b.len()
            && !b[i].is_ascii_whitespace()
            && b[i] != b'='
            && b[i] != b'>'
            && !(b[i] == b'/' && b.get(i + 1) == Some(&b'>'))
        {
            i += 1;
        }
        let an = s[ns..i].to_string();
        if an.is_empty() {
            i += 1;
            continue;
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut val = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let vs = i + 1;
                    let ve = s[vs..].find(q as char).map(|e| vs + e).unwrap_or(b.len());
                    val = s[vs..ve].to_string();
                    i = (ve + 1).min(b.len());
                }
                _ => {
                    let vs = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    val = s[vs..i].to_string();
                }
            }
        }
        if attrs.len() < 128 {
            attrs.push((an, val));
        }
    }
    Tag {
        name,
        attrs,
        self_closing,
        len: i.min(b.len()),
    }
}

fn write_attrs(
    local: &str,
    attrs: &[(String, String)],
    ctx: Ctx,
    base: Option<&str>,
    out: &mut String,
) {
    let mut kept: Vec<(String, String)> = Vec::new();
    for (name, raw) in attrs {
        let lname = lower(name);
        if lname.starts_with("on")
            || lname.contains('&')
            || lname.contains('"')
            || lname.contains('<')
        {
            continue;
        }
        let ok = match ctx {
            Ctx::Html => ALLOWED_ATTRIBUTES.contains(&lname.as_str()),
            Ctx::Svg => ALLOWED_SVG_ATTRIBUTES.contains(&lname.as_str()),
            Ctx::Math => ALLOWED_MATHML_ATTRIBUTES.contains(&lname.as_str()),
        };
        if !ok {
            continue;
        }
        let out_name = if ctx == Ctx::Html {
            lname.clone()
        } else {
            name.clone()
        };
        let value = if URL_ATTRIBUTES.contains(&lname.as_str()) {
            match safe_url(raw, base) {
                Some(u) => escape_attr(&u),
                // Keep the attribute, emptied, as feedparser does.
                None => String::new(),
            }
        } else if lname == "srcset" {
            continue;
        } else if lname == "style" {
            let css = sanitize_css(&decode_all(raw));
            if css.is_empty() {
                continue;
            }
            escape_attr(&css)
        } else {
            let mut v = String::new();
            push_attr_keep_refs(raw, &mut v);
            if lname == "rel" || lname == "type" {
                v = v.to_ascii_lowercase();
            }
            v
        };
        // Namespace declarations may only name the namespaces they stand for.
        let value = match lname.as_str() {
            "xmlns" if local == "svg" => "http://www.w3.org/2000/svg".to_string(),
            "xmlns" if local == "math" => "http://www.w3.org/1998/Math/MathML".to_string(),
            "xmlns" => continue,
            "xmlns:xlink" => "http://www.w3.org/1999/xlink".to_string(),
            _ => value,
        };
        // Defence in depth: no attribute value may spell a script scheme or a CSS
        // expression anywhere, whatever the attribute.
        if mentions_script(&value) {
            if URL_ATTRIBUTES.contains(&lname.as_str()) {
                kept.retain(|(n, _)| *n != out_name);
                kept.push((out_name, String::new()));
            }
            continue;
        }
        if let Some(slot) = kept.iter_mut().find(|(n, _)| *n == out_name) {
            slot.1 = value;
        } else {
            kept.push((out_name, value));
        }
    }
    if ctx != Ctx::Html {
        // Keep foreign content self-describing even when its namespace declarations were
        // made on an ancestor outside the fragment.
        let has = |kept: &[(String, String)], n: &str| kept.iter().any(|(k, _)| k == n);
        if kept.iter().any(|(k, _)| k.starts_with("xlink:")) && !has(&kept, "xmlns:xlink") {
            kept.push(("xmlns:xlink".into(), "http://www.w3.org/1999/xlink".into()));
        }
        if local == "svg" && !has(&kept, "xmlns") {
            kept.push(("xmlns".into(), "http://www.w3.org/2000/svg".into()));
        }
        if local == "math" && !has(&kept, "xmlns") {
            kept.push(("xmlns".into(), "http://www.w3.org/1998/Math/MathML".into()));
        }
    }
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    for (n, v) in kept {
        out.push(' ');
        out.push_str(&n);
        out.push_str("=\"");
        out.push_str(&v);
        out.push('"');
    }
}

/// True when `v` (entity-decoded, whitespace and control characters removed, any case)
/// contains `javascript:`, `vbscript:`, `livescript:` or `expression(`.
fn mentions_script(v: &str) -> bool {
    // Every pattern needs ':' or '(' (possibly spelled as a reference).
    if !v.contains([':', '(', '&']) {
        return false;
    }
    let squeezed: String = decode_all(v)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    ["javascript:", "vbscript:", "livescript:", "expression("]
        .iter()
        .any(|p| squeezed.contains(p))
}

/// Decodes every entity / character reference (for URL and CSS checks).
pub fn decode_all(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

fn escape_attr(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}

fn push_attr_keep_refs(raw: &str, out: &mut String) {
    let mut rest = raw;
    while let Some(p) = rest.find(['&', '<', '>', '"']) {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        match rest.as_bytes()[0] {
            b'<' => {
                out.push_str("&lt;");
                rest = &rest[1..];
            }
            b'>' => {
                out.push_str("&gt;");
                rest = &rest[1..];
            }
            b'"' => {
                out.push_str("&quot;");
                rest = &rest[1..];
            }
            _ => match parse_ref(rest) {
                Some((Ref::Char(Some(_)), len)) => {
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                }
                Some((Ref::Named(n), len))
                    if xml_predefined(n).is_some() || html_entity(n).is_some() =>
                {
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                }
                _ => {
                    out.push_str("&amp;");
                    rest = &rest[1..];
                }
            },
        }
    }
    out.push_str(rest);
}

/// Returns the URL if it is relative or uses a safe scheme, resolved against `base`.
pub fn safe_url(raw: &str, base: Option<&str>) -> Option<String> {
    let decoded = decode_all(raw);
    // Browsers ignore control characters and whitespace inside a scheme: strip them before
    // looking at it.
    let compact: String = decoded
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace() && *c != '\u{feff}')
        .collect();
    if let Some(colon) = compact.find(':') {
        let before = &compact[..colon];
        let is_scheme = !before.is_empty()
            && !before.contains(['/', '?', '#'])
            && before
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            if !SAFE_SCHEMES.contains(&before.to_ascii_lowercase().as_str()) {
                return None;
            }
            return Some(decoded.trim().to_string());
        }
        if !before.contains(['/', '?', '#']) {
            // Something that is neither a scheme nor a path before the colon: refuse.
            return None;
        }
    }
    Some(urls::resolve(base, decoded.trim()))
}

/// CSS keywords allowed in `background*`, `border*`, `margin*` and `padding*` values.
const ALLOWED_CSS_KEYWORDS: &[&str] = &[
    "auto",
    "aqua",
    "black",
    "block",
    "blue",
    "bold",
    "both",
    "bottom",
    "brown",
    "center",
    "collapse",
    "dashed",
    "dotted",
    "fuchsia",
    "gray",
    "green",
    "!important",
    "italic",
    "left",
    "lime",
    "maroon",
    "medium",
    "none",
    "navy",
    "normal",
    "nowrap",
    "olive",
    "pointer",
    "purple",
    "red",
    "right",
    "solid",
    "silver",
    "teal",
    "top",
    "transparent",
    "underline",
    "white",
    "yellow",
];

/// `#hex`, `rgb(...)` pieces and short lengths (`1px`, `0.5em`, `50%`).
fn valid_css_value(k: &str) -> bool {
    if let Some(h) = k.strip_prefix('#') {
        return !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(r) = k.strip_prefix("rgb(") {
        return r
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '%' | ',' | ')'));
    }
    let digits_end = k
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(k.len());
    let (num, unit) = k.split_at(digits_end);
    let parts: Vec<&str> = num.split('.').collect();
    if parts.len() > 2 || parts.iter().any(|p| p.len() > 2) {
        return false;
    }
    matches!(
        unit,
        "" | "cm" | "em" | "ex" | "in" | "mm" | "pc" | "pt" | "px" | "%" | "," | ")"
    )
}

/// Keeps only allowlisted declarations with inert values (feedparser's rules): `url(...)`
/// is removed first; a style with any character outside a small safe set, or parentheses
/// holding anything but digits and commas, is dropped whole.
pub fn sanitize_css(css: &str) -> String {
    // Remove url(...) tokens.
    if css.len() > 16 * 1024 {
        return String::new();
    }
    let mut st = String::with_capacity(css.len());
    let lower_css = css.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(i) = lower_css
        .get(pos..)
        .and_then(|r| r.find("url"))
        .map(|i| pos + i)
    {
        let after_url = &css[i + 3..];
        let after = after_url.trim_start();
        if let Some(inner) = after.strip_prefix('(') {
            if let Some(close) = inner.find(')') {
                st.push_str(&css[pos..i]);
                st.push(' ');
                let rest = inner[close + 1..].trim_start();
                pos = css.len() - rest.len();
                continue;
            }
        }
        st.push_str(&css[pos..i + 3]);
        pos = i + 3;
    }
    st.push_str(&css[pos..]);
    let lowered = st.to_ascii_lowercase();
    if lowered.contains("expression")
        || lowered.contains("javascript")
        || lowered.contains("behavior")
        || lowered.contains("binding")
    {
        return String::new();
    }
    let safe_chars = st.chars().all(|c| {
        c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || ":,;#%.!-_'\"()".contains(c)
    });
    if !safe_chars {
        return String::new();
    }
    // Parentheses may only hold digits, commas, percent signs and spaces.
    let mut in_paren = false;
    for c in st.chars() {
        match c {
            '(' if in_paren => return String::new(),
            '(' => in_paren = true,
            ')' => in_paren = false,
            c if in_paren
                && !(c.is_ascii_digit() || c == ',' || c == '%' || c.is_ascii_whitespace()) =>
            {
                return String::new()
            }
            _ => {}
        }
    }
    let mut out: Vec<String> = Vec::new();
    for decl in st.split(';') {
        let Some((prop, val)) = decl.split_once(':') else {
            continue;
        };
        let prop = prop.trim();
        let val = val.trim_start();
        if val.trim().is_empty() || val.contains(':') {
            continue;
        }
        let lp = prop.to_ascii_lowercase();
        let ok = if ALLOWED_CSS_PROPERTIES.contains(&lp.as_str()) {
            true
        } else if ["background", "border", "margin", "padding"]
            .contains(&lp.split('-').next().unwrap_or(""))
        {
            val.split_whitespace()
                .all(|k| ALLOWED_CSS_KEYWORDS.contains(&k) || valid_css_value(k))
        } else {
            false
        };
        if ok {
            out.push(format!("{prop}: {val};"));
        }
    }
    out.join(" ")
}

/// True when text contains markup that could execute if rendered as HTML: a tag of a
/// dangerous element, an `on…=` handler, a script scheme or a CSS expression.
pub fn has_dangerous_markup(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    let b = l.as_bytes();
    for (i, _) in l.match_indices('<') {
        let rest = l[i + 1..].trim_start();
        for tag in [
            "script", "iframe", "object", "embed", "applet", "meta", "link", "style", "base",
            "form", "svg", "math",
        ] {
            if let Some(after) = rest.strip_prefix(tag) {
                if !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                    return true;
                }
            }
        }
    }
    for (i, _) in l.match_indices("on") {
        if i == 0 || !b[i - 1].is_ascii_whitespace() {
            continue;
        }
        let rest = &l[i + 2..];
        let word = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if word > 0 && rest[word..].trim_start().starts_with('=') {
            return true;
        }
    }
    l.contains("javascript:") || l.contains("vbscript:") || mentions_script(s)
}

/// Plain text of an HTML fragment: tags removed (with the content of `script`/`style`),
/// references decoded, whitespace collapsed. For titles and snippets.
pub fn to_text(html: &str) -> String {
    let clean = sanitize(html, None);
    let mut out = String::with_capacity(clean.len());
    let mut in_tag = false;
    for c in clean.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = decode_all(&out);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// feedparser's heuristic for RSS text that may be HTML: it must contain an end tag or an
/// entity reference, all its tags must be allowlisted elements and all its named entities
/// known HTML entities.
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let mut has_close = false;
    let mut has_ref = false;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' {
            let mut j = i + 1;
            let closing = b.get(j) == Some(&b'/');
            if closing {
                j += 1;
            }
            let ns = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > ns {
                let name = s[ns..j].to_ascii_lowercase();
                if !ALLOWED_ELEMENTS.contains(&name.as_str()) {
                    return false;
                }
                if closing && b.get(j) == Some(&b'>') {
                    has_close = true;
                }
            }
            i = j.max(i + 1);
        } else if b[i] == b'&' {
            let mut j = i + 1;
            let numeric = b.get(j) == Some(&b'#');
            if numeric {
                j += 1;
            }
            let ns = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > ns && b.get(j) == Some(&b';') {
                has_ref = true;
                if !numeric {
                    let name = &s[ns..j];
                    if xml_predefined(name).is_none() && html_entity(name).is_none() {
                        return false;
                    }
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    has_close || has_ref
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> String {
        sanitize(x, Some("http://example.com/a/"))
    }

    #[test]
    fn removes_scripts_and_handlers() {
        assert_eq!(
            s("<p onclick=\"x()\">a<script>alert(1)</script>b</p>"),
            "<p>ab</p>"
        );
        assert_eq!(
            s("<a href=\"javascript:alert(1)\">x</a>"),
            "<a href=\"\">x</a>"
        );
        assert_eq!(
            s("<a href=\"jav&#x09;ascript:alert(1)\">x</a>"),
            "<a href=\"\">x</a>"
        );
        assert_eq!(
            s("<a href=\" JAVASCRIPT:alert(1)\">x</a>"),
            "<a href=\"\">x</a>"
        );
        assert_eq!(s("<img src=\"vbscript:x\" />"), "<img src=\"\" />");
        assert_eq!(s("<iframe src=\"http://e.com\">in</iframe>ok"), "inok");
        assert_eq!(s("a<meta http-equiv=\"refresh\"><link rel=x>b"), "ab");
        assert_eq!(s("<style>p{}</style><b>x</b>"), "<b>x</b>");
        assert_eq!(
            s("<span style=\"width: expression(alert(1))\">x</span>"),
            "<span>x</span>"
        );
        assert_eq!(
            s("<span style=\"color: red; background: url(x)\">x</span>"),
            "<span style=\"color: red;\">x</span>"
        );
        assert_eq!(
            s("<span style=\"color: red; position: absolute\">x</span>"),
            "<span style=\"color: red;\">x</span>"
        );
        assert_eq!(
            s("<span style=\"color: red; x: \\65xpression(1)\">x</span>"),
            "<span>x</span>"
        );
        assert_eq!(
            s("<svg><animate attributeName=\"href\" values=\"javascript:x\"/></svg>"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"
        );
        assert_eq!(s("<unknown>text</unknown>"), "text");
        assert_eq!(s("1 < 2"), "1 &lt; 2");
        assert_eq!(s("<<script>script>x"), "&lt;script>x");
    }

    #[test]
    fn keeps_markup_and_resolves() {
        assert_eq!(
            s("<a href=\"/x\" title=\"&#38;\">&amp; &#x26;</a>"),
            "<a href=\"http://example.com/x\" title=\"&#38;\">&amp; &#x26;</a>"
        );
        assert_eq!(s("a<br>b<BR/>"), "a<br />b<br />");
        assert_eq!(s("<b>unclosed"), "<b>unclosed</b>");
        assert_eq!(
            s("<img src=\"c.jpg\" alt=\"x\">"),
            "<img alt=\"x\" src=\"http://example.com/a/c.jpg\" />"
        );
        assert_eq!(s("AT&T"), "AT&amp;T");
        assert_eq!(
            to_text("<p>Tom &amp; <b>Jerry</b></p><script>x</script>"),
            "Tom & Jerry"
        );
    }

    #[test]
    fn dangerous_text() {
        assert!(has_dangerous_markup("x <script>y</script>"));
        assert!(has_dangerous_markup("<img src=x onerror=y>"));
        assert!(!has_dangerous_markup("History of the <blink> tag"));
        assert!(!has_dangerous_markup("1 < 2 and one of them"));
    }

    #[test]
    fn html_heuristic() {
        assert!(looks_like_html("<b>x</b>"));
        assert!(looks_like_html("a &amp; b"));
        assert!(!looks_like_html("1 < 2"));
        assert!(!looks_like_html("<blink>x</blink>") || ALLOWED_ELEMENTS.contains(&"blink"));
        assert!(!looks_like_html("<foo>x</foo>"));
    }
}
