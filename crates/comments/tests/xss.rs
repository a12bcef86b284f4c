//! Classic XSS payloads through the renderer: the output must contain no executable
//! markup (checked structurally and by substring), and the reader's text must still
//! be there to read.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::assert_safe;
use herald_comments::{render, Renderer};

const PAYLOADS: &[&str] = &[
    // Plain script and event handlers.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=&#x61;&#x6C;&#x65;&#x72;&#x74;(1)>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<img src=\"x\u{0}\" onerror=\"alert(1)\">",
    "<body onload=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<xss onafterscriptexecute=alert(1)>x</xss>",
    "<a href=\"http://x.example\" onmouseover=\"alert(1)\">x</a>",
    // javascript:, data:, vbscript: in HTML.
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\"javas&Tab;cript:alert(1)\">x</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html,<script>alert(1)</script>\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=javascript:alert(1)>",
    // SVG and MathML.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    // Style.
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style=\"background-image:url(javascript:alert(1))\">x</div>",
    "<p style=\"x:expression(alert(1))\">x</p>",
    // Markdown links and images.
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](javascript://%0aalert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x](https://example.com\" onmouseover=\"alert(1))",
    "[x](https://example.com \"onmouseover=alert(1)\")",
    "[x](https://example.com 'x' onmouseover=alert(1))",
    "<https://example.com/\"onmouseover=\"alert(1)>",
    "[x](https://example.com/?u=javascript:alert(1))",
    "https://example.com/\"><script>alert(1)</script>",
    "https://example.com/?q=<script>alert(1)</script>",
    // Entity-encoded tricks.
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "\\<script>alert(1)\\</script>",
    // Unicode and zero-width obfuscation.
    "[x](java\u{200B}script:alert(1))",
    "[x](java\u{00AD}script:alert(1))",
    "[x](\u{FEFF}javascript:alert(1))",
    "<scr\u{200B}ipt>alert(1)</script>",
    "＜script＞alert(1)＜/script＞",
    "\u{202E}gnp.exe<script>alert(1)</script>",
    "on\u{200B}error=alert(1) and onerror\u{200D}=x",
    // Nested Markdown and HTML.
    "**<img src=x onerror=alert(1)>**",
    "> <script>alert(1)</script>",
    "> > > [x](javascript:alert(1))",
    "*[x](javascript:alert(1))*",
    "[*x*](javascript:alert(1))",
    "[[x](javascript:alert(1))](https://example.com)",
    "![![x](javascript:alert(1))](https://example.com/i.png)",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "`<script>alert(1)</script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "    </code></pre><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<div>\n<script>alert(1)</script>\n</div>",
    "- <script>alert(1)</script>\n- [x](javascript:alert(1))",
    "# <img src=x onerror=alert(1)>",
    "plain text onerror=alert(1) and javascript:alert(1)",
];

#[test]
fn payload_list_is_long_enough() {
    assert!(PAYLOADS.len() >= 40, "{}", PAYLOADS.len());
}

#[test]
fn every_payload_renders_inert() {
    for p in PAYLOADS {
        let html = render(p);
        assert_safe(&html);
    }
}

#[test]
fn every_payload_renders_inert_with_small_limits() {
    let r = Renderer::new(herald_comments::RenderOptions {
        max_chars: 40,
        max_quote_depth: 1,
        max_inline_depth: 1,
        linkify: true,
    });
    for p in PAYLOADS {
        assert_safe(&r.render(p));
    }
}

#[test]
fn every_payload_wrapped_in_markdown_renders_inert() {
    for p in PAYLOADS {
        for wrapped in [
            format!("**{p}**"),
            format!("> {p}"),
            format!("[{p}](https://example.com)"),
            format!("*{p}*\n\n{p}"),
            format!("- {p}"),
            format!("<{p}>"),
        ] {
            assert_safe(&render(&wrapped));
        }
    }
}

#[test]
fn script_text_is_shown_not_run() {
    let html = render("<script>alert(1)</script>");
    assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    let html = render("<img src=x onerror=alert(1)>");
    assert_eq!(html, "<p>&lt;img src=x onerror&#61;alert(1)&gt;</p>");
}

#[test]
fn dangerous_links_keep_their_text_but_lose_the_link() {
    for p in [
        "[click](javascript:alert(1))",
        "[click](javascript&#58;alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](java\u{200B}script:alert(1))",
    ] {
        assert_eq!(render(p), "<p>click</p>", "{p}");
    }
}

#[test]
fn attribute_injection_through_markdown_links_stays_in_href() {
    let html = render("<https://example.com/\"onmouseover=\"alert(1)>");
    assert_safe(&html);
    assert!(!html.contains("onmouseover=\""), "{html}");
    let html = render("[x](https://example.com \"onmouseover=alert(1)\")");
    assert_eq!(
        html,
        "<p><a href=\"https://example.com/\" rel=\"nofollow ugc noopener\">x</a></p>"
    );
}

#[test]
fn fullwidth_and_bidi_characters_are_plain_text() {
    assert_eq!(render("＜script＞"), "<p>＜script＞</p>");
    assert_eq!(render("\u{202E}gnp.exe"), "<p>gnp.exe</p>");
}
#[test]
fn checker_catches_what_it_should() {
    assert!(common::check(
        "<p>ok <a href=\"https://x.example/\" rel=\"nofollow ugc noopener\">x</a></p>"
    )
    .is_ok());
    assert!(common::check("<script>").is_err());
    assert!(common::check("<p onclick=\"x\">").is_err());
    assert!(common::check("<img src=\"x\">").is_err());
    assert!(
        common::check("<a href=\"&#106;avascript&#58;x\" rel=\"nofollow ugc noopener\">").is_err()
    );
    assert!(common::check("<a href=\"https://x/\">").is_err());
    assert!(common::check("<p>x onload = y</p>").is_err());
    assert!(common::check("<p>JavaScript:x</p>").is_err());
    assert!(common::check("<p title=\"x\">").is_err());
}

#[test]
#[ignore = "prints every payload's rendering for review"]
fn show() {
    for p in PAYLOADS {
        println!("{p:?}\n  => {}\n", render(p).replace('\n', "\\n"));
    }
}
