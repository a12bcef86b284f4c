//! The search page through the real binary: typo correction with a way back, facets
//! that filter, newest-first sorting, and completions while typing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Server;

#[test]
fn corrections_facets_sorting_and_suggestions() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), &["--demo", "--no-ingest"]);

    let typo = server.get("/search?q=festivl").text().unwrap();
    assert!(
        typo.contains("Showing results for <strong>festival</strong>"),
        "{typo}"
    );
    assert!(
        typo.contains("exact=1"),
        "a way to search the words as typed"
    );
    let exact = server.get("/search?q=festivl&exact=1").text().unwrap();
    assert!(!exact.contains("Showing results for"));

    let page = server.get("/search?q=festival").text().unwrap();
    assert!(
        page.contains("<h2>Source</h2>") && page.contains("<h2>Section</h2>"),
        "{page}"
    );
    let at = page.find("href=\"/search?q=festival+source").unwrap() + 6;
    let link = page[at..page[at..].find('"').unwrap() + at].replace("&amp;", "&");
    let narrowed = server.get(&link).text().unwrap();
    let count = |html: &str| -> usize {
        let at = html.find("class=\"result-count\"").unwrap();
        html[at..]
            .split('>')
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        count(&narrowed) < count(&page),
        "the source facet narrows the results"
    );

    // Each result's own time, in order (a result that leads a story lists more of the
    // story's coverage under it, which may be older: that is not the order sorted).
    let newest = server.get("/search?q=festival&sort=newest").text().unwrap();
    let times: Vec<&str> = newest
        .split("<li class=\"result\">")
        .skip(1)
        .filter_map(|result| {
            let at = result.find("<time datetime=\"")? + 16;
            result.get(at..at + 20)
        })
        .collect();
    assert!(times.len() >= 3, "{newest}");
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");

    let suggest: serde_json::Value =
        serde_json::from_str(&server.get("/suggest?q=festi").text().unwrap()).unwrap();
    assert!(
        suggest["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["text"].as_str().unwrap().starts_with("festival")),
        "{suggest}"
    );
    let empty: serde_json::Value =
        serde_json::from_str(&server.get("/suggest?q=").text().unwrap()).unwrap();
    assert_eq!(empty["titles"].as_array().unwrap().len(), 0);
}
