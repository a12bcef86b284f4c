//! Stories through the real binary: syndicated copies of one wire story fold into one
//! story with several sources, an unrelated article stays alone, listings show the
//! story once, and its page lists every version with the wire copies marked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_ok, write_jsonl, Server};
use serde_json::json;

const WIRE: &str = "RIVERTON (Wire) — The state transport board on Monday approved a $48 million plan to rebuild the Marlow Street Bridge, closing the span to traffic for eight weeks from March while crews replace its deck and strengthen the piers. Engineers said the 1931 structure carries about 21,000 vehicles a day and had been rated structurally deficient since 2019. Detour routes will send trucks along the river road and buses over the Canal Street crossing, the board said. Business owners on the north bank told the meeting they feared losing customers during the closure, and the board promised signs and a shuttle service. Work is expected to finish by the end of the year, weather permitting, officials said.";

#[test]
fn three_copies_of_a_wire_story_become_one_story_with_three_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let lines = vec![
        json!({"id": "a", "source": "Riverton Ledger", "title": "Marlow bridge to close for eight weeks", "body": WIRE, "published": "2026-11-20T08:00:00Z"}),
        json!({"id": "b", "source": "Valley Courier", "title": "State approves $48M bridge rebuild", "body": format!("{WIRE} Subscribe to the Valley Courier for more local news."), "published": "2026-11-20T09:30:00Z"}),
        json!({"id": "c", "source": "North Bank News", "title": "Bridge closure worries north bank shops", "body": WIRE.replace("officials said.", "officials said.\n\nThe Courier's Ann Lee contributed."), "published": "2026-11-20T11:00:00Z"}),
        json!({"id": "d", "source": "Riverton Ledger", "title": "Library opens a seed exchange", "body": "The central library will lend vegetable and flower seeds from next spring, librarians announced, inviting gardeners to return seeds from their harvest in the autumn so the collection can grow each year.", "published": "2026-11-20T10:00:00Z"}),
    ];
    let file = write_jsonl(tmp.path(), "wire.jsonl", &lines);
    run_ok(
        &data,
        &["import", "jsonl", "--quiet", file.to_str().unwrap()],
    );

    let mut cmd = common::herald(&data);
    cmd.env("HERALD_COMMENTS__HOLD_FIRST_COMMENT", "false")
        .env("HERALD_COMMENTS__CLOSE_AFTER_DAYS", "0");
    let server = Server::start_with(cmd, &["--no-ingest"]);
    let front = server.get("/").text().unwrap();
    assert!(front.contains("3 sources, 3 articles"), "{front}");
    let link_at = front.find("href=\"/story/").expect("a story link");
    let story_path: String = front[link_at + 6..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    // The other two copies are not listed on their own.
    assert!(
        !front.contains("State approves $48M bridge rebuild"),
        "{front}"
    );
    assert!(front.contains("Library opens a seed exchange"));

    let story = server.get(&story_path).text().unwrap();
    for headline in [
        "Marlow bridge to close for eight weeks",
        "State approves $48M bridge rebuild",
        "Bridge closure worries north bank shops",
    ] {
        assert!(story.contains(headline), "{headline} missing:\n{story}");
    }
    assert!(!story.contains("seed exchange"));
    assert_eq!(story.matches("Same wire text as").count(), 2, "{story}");
    assert!(story.contains("3 articles from 3 sources"));

    // Comments left on two versions of the story meet on its page.
    let marker = "class=\"card-title\"><a href=\"/article/";
    let ids: Vec<String> = story
        .match_indices(marker)
        .map(|(i, _)| {
            story[i + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect()
        })
        .collect();
    assert_eq!(ids.len(), 3, "{story}");
    for (id, who) in [(&ids[0], "First Reader"), (&ids[2], "Second Reader")] {
        let reply = common::client()
            .post(format!("{}/api/v1/articles/{id}/comments", server.base))
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"name":"{who}","email":"{id}@example.com","comment":"Thoughts from {who}."}}"#
            ))
            .send()
            .unwrap();
        assert_eq!(reply.status().as_u16(), 201);
    }
    let story = server.get(&story_path).text().unwrap();
    assert!(story.contains("Conversation (2)"), "{story}");
    assert!(
        story.contains("Thoughts from First Reader")
            && story.contains("Thoughts from Second Reader")
    );
    assert_eq!(server.get("/story/999999").status(), 404);

    // A source's page lists every article it published, stories not folded.
    let article = server.get("/article/1").text().unwrap();
    let at = article
        .find("href=\"/source/")
        .expect("the byline links the source")
        + 6;
    let source_path: String = article[at..].chars().take_while(|c| *c != '"').collect();
    let source = server.get(&source_path).text().unwrap();
    assert!(source.contains("Riverton Ledger"), "{source}");
    assert!(source.contains("Marlow bridge to close for eight weeks"));
    assert!(source.contains("Library opens a seed exchange"));
    assert!(
        !source.contains("State approves $48M bridge rebuild"),
        "another source's copy"
    );
    assert_eq!(server.get("/source/999999").status(), 404);
}

/// A follow-up by another source: the same event in its own words, so it joins the
/// wire story's story without being a copy of its text.
const FOLLOW_UP: &str = "Shop owners on Riverton's north bank are bracing for the eight-week closure of the Marlow Street Bridge, which the state transport board voted on Monday to rebuild for $48 million. With the 1931 bridge shut from March, the 21,000 drivers who cross it each day will be sent over the Canal Street crossing, and a bakery owner on Front Street said she expected to lose a third of her customers. The board has promised detour signs and a free shuttle across the river while crews replace the deck and strengthen the piers.";

/// `herald eval cluster` on a file with bad lines: each is named on standard error
/// with its line number, and the good lines are still clustered and scored.
#[test]
fn eval_cluster_names_bad_lines_and_scores_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let good = |id: serde_json::Value, source: &str, body: String, cluster: u32| {
        json!({"id": id, "source": source, "title": "Marlow bridge to close", "body": body,
               "published": "2026-11-20T08:00:00Z", "cluster": cluster})
        .to_string()
    };
    let lines = [
        good(json!("a"), "Riverton Ledger", WIRE.to_string(), 1),
        "{\"id\": \"broken".to_string(),
        good(json!(2), "Valley Courier", format!("{WIRE} Subscribe for more."), 1),
        good(json!("a"), "North Bank News", WIRE.to_string(), 1),
        json!({"id": "d", "title": "Library opens a seed exchange", "cluster": 2,
               "body": "The central library will lend vegetable and flower seeds from next spring, librarians said."})
            .to_string(),
    ];
    let file = tmp.path().join("labelled.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out_file = tmp.path().join("assignments.jsonl");
    let out = eval_cluster(tmp.path(), &file, &out_file);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}\n{stdout}");
    assert!(stderr.contains("line 2 skipped"), "{stderr}");
    assert!(
        stderr.contains("line 4 skipped: id \"a\" already used on line 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 articles read, 2 lines skipped"),
        "{stderr}"
    );
    assert!(
        stdout.contains("3 articles, 2 stories (gold 2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("B-cubed          P 1.000  R 1.000  F1 1.000"),
        "{stdout}"
    );
    let assigned: Vec<serde_json::Value> = std::fs::read_to_string(&out_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = assigned.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{assigned:?}");
    for id in ["a", "2", "d"] {
        assert!(ids.contains(&id), "{assigned:?}");
    }

    // A file with nothing usable is an error, not an empty score.
    std::fs::write(&file, "not json\n{}\n").unwrap();
    let out = common::run(tmp.path(), &["eval", "cluster", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("none of its 2 lines could be read as articles"),
        "{stderr}"
    );
}

/// `herald eval cluster` reads a line as ingest stores it: an HTML body is its text,
/// so a copy marked up differently is still a copy (on the raw line, the tags would
/// count as words and break most of its shingles).
#[test]
fn evaluation_reads_bodies_as_ingest_stores_them() {
    let tmp = tempfile::tempdir().unwrap();
    let marked_up: String = WIRE
        .split(' ')
        .enumerate()
        .map(|(i, w)| {
            if i % 3 == 0 {
                format!("<b>{w}</b>")
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let lines = [
        json!({"id": "plain", "source": "Riverton Ledger", "title": "Marlow bridge to close", "body": WIRE, "published": "2026-11-20T08:00:00Z"}),
        json!({"id": "html", "source": "Valley Courier", "title": "Bridge rebuild approved", "body": format!("<p>{marked_up}</p>"), "published": "2026-11-20T09:00:00Z"}),
    ];
    let file = tmp.path().join("copies.jsonl");
    std::fs::write(&file, lines.map(|l| l.to_string()).join("\n")).unwrap();
    let assigned = eval_assignments(tmp.path(), &file);
    let html = assigned.iter().find(|a| a["id"] == "html").unwrap();
    assert_eq!(html["duplicate_of"], "plain", "{assigned:?}");
}

/// `herald eval cluster` scores what ingest does: importing the demo articles (HTML
/// bodies, several stories of two to five articles) places each in the story the
/// evaluation gives it, so the evaluation's figures are ingest's.
#[test]
fn evaluation_places_articles_as_an_import_does() {
    let tmp = tempfile::tempdir().unwrap();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/articles.jsonl");
    // The evaluation's stories, as sets of line numbers (ids are `demo-NNN`).
    let assigned = eval_assignments(tmp.path(), &file);
    let eval = stories(assigned.iter().map(|a| {
        let line: usize = a["id"].as_str().unwrap()[5..].parse().unwrap();
        (a["story"].as_str().unwrap().to_string(), line)
    }));
    let data = tmp.path().join("data");
    run_ok(
        &data,
        &["import", "jsonl", "--quiet", file.to_str().unwrap()],
    );
    let server = Server::start(&data, &["--no-ingest"]);
    // Articles are stored in file order: line n is article n.
    let import = stories((1..=assigned.len()).map(|n| {
        let a: serde_json::Value =
            serde_json::from_str(&server.get(&format!("/api/v1/articles/{n}")).text().unwrap())
                .unwrap();
        (
            a["story_id"]
                .as_i64()
                .expect("placed in a story")
                .to_string(),
            n,
        )
    }));
    assert!(eval.iter().any(|s| s.len() >= 3), "{eval:?}");
    assert_eq!(import, eval);
}

/// Stories as sets of members, from (story, member) pairs.
fn stories(
    members: impl Iterator<Item = (String, usize)>,
) -> std::collections::BTreeSet<Vec<usize>> {
    let mut by_story: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (story, member) in members {
        by_story.entry(story).or_default().push(member);
    }
    by_story
        .into_values()
        .map(|mut members| {
            members.sort_unstable();
            members
        })
        .collect()
}

/// Runs `herald eval cluster FILE --out …` in `dir` and returns its assignment lines.
fn eval_assignments(dir: &std::path::Path, file: &std::path::Path) -> Vec<serde_json::Value> {
    let out_file = dir.join("assignments.jsonl");
    let out = eval_cluster(dir, file, &out_file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&out_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs `herald eval cluster FILE --out OUT`.
fn eval_cluster(
    dir: &std::path::Path,
    file: &std::path::Path,
    out: &std::path::Path,
) -> std::process::Output {
    common::run(
        dir,
        &[
            "eval",
            "cluster",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

/// The bridge story (the wire text, a copy of it, another source's follow-up) and an
/// unrelated article, all about Riverton's north bank.
fn north_bank_lines() -> Vec<serde_json::Value> {
    vec![
        json!({"id": "a", "source": "Riverton Ledger", "title": "Marlow bridge to close for eight weeks", "body": WIRE, "published": "2026-11-20T08:00:00Z"}),
        json!({"id": "b", "source": "Valley Courier", "title": "State approves $48M bridge rebuild", "body": format!("{WIRE} Subscribe to the Valley Courier for more local news."), "published": "2026-11-20T09:30:00Z"}),
        json!({"id": "f", "source": "North Bank News", "title": "North bank shops brace for Marlow bridge closure", "body": FOLLOW_UP, "published": "2026-11-20T12:00:00Z"}),
        json!({"id": "d", "source": "Riverton Ledger", "title": "Library opens a seed exchange on the north bank", "body": "The central library will lend vegetable and flower seeds from next spring, librarians announced, inviting gardeners on the north bank to return seeds from their harvest in the autumn.", "published": "2026-11-20T10:00:00Z"}),
    ]
}

/// Results are paged by story: a story whose hits rank far apart is shown once, on
/// the page of its best hit, and never comes back on a later page.
#[test]
fn search_pages_by_story_so_a_story_never_returns_on_a_later_page() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut lines = north_bank_lines();
    lines.extend([
        json!({"id": "g", "source": "North Bank News", "title": "Chess club on the north bank crowns its first junior champion", "body": "An eleven-year-old pupil won the north bank chess club's junior championship on Saturday after seven rounds, beating the club's treasurer in the final game with a queen sacrifice.", "published": "2026-11-19T18:00:00Z"}),
        json!({"id": "h", "source": "Valley Courier", "title": "Rowing regatta on the north bank draws crews from four counties", "body": "Forty crews raced on the river below the north bank boathouse on Sunday, and a women's eight from the university took the regatta's main trophy in a headwind.", "published": "2026-11-18T15:00:00Z"}),
    ]);
    let file = write_jsonl(tmp.path(), "paging.jsonl", &lines);
    run_ok(
        &data,
        &["import", "jsonl", "--quiet", file.to_str().unwrap()],
    );
    let mut command = common::herald(&data);
    command.env("HERALD_WEB__PAGE_SIZE", "2");
    let server = Server::start_with(command, &["--no-ingest"]);

    let headlines: Vec<&str> = lines.iter().map(|l| l["title"].as_str().unwrap()).collect();
    // Follow the pager from the first page to the last.
    let mut pages: Vec<String> = Vec::new();
    let mut next = Some("/search?q=north+bank".to_string());
    while let Some(url) = next.take() {
        assert!(pages.len() < 10, "the pager never ends, at {url}");
        let page = server.get(&url).text().unwrap();
        next = page
            .split("<a rel=\"next\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"));
        pages.push(page);
    }
    assert!(pages.len() >= 2, "two entries a page: {}", pages[0]);
    let last = pages.len();
    assert!(
        pages[last - 1].contains(&format!("Page {last} of {last}<")),
        "every hit grouped, the page count is exact: {}",
        pages[last - 1]
    );
    let beyond = server.get(&format!("/search?q=north+bank&page={}", last + 1));
    assert_eq!(beyond.status(), 404, "past the last page");
    for (i, page) in pages.iter().enumerate() {
        let entries = page.matches("<li class=\"result\">").count();
        assert!((1..=2).contains(&entries), "page {}: {page}", i + 1);
    }
    // The bridge story is shown on one page, whatever the ranks of its articles.
    let stories_on = |page: &str| -> std::collections::BTreeSet<String> {
        page.split("href=\"/story/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_string)
            .collect()
    };
    let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
    for (i, page) in pages.iter().enumerate() {
        for story in stories_on(page) {
            if let Some(first) = seen.insert(story.clone(), i + 1) {
                panic!("story {story} is shown on pages {first} and {}", i + 1);
            }
        }
    }
    assert!(!seen.is_empty(), "the bridge story links to its coverage");
    // Each headline is shown on one page at most, and every text is shown somewhere
    // (the wire copy may be counted rather than shown).
    for headline in &headlines {
        let on: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].contains(headline))
            .map(|i| i + 1)
            .collect();
        assert!(on.len() <= 1, "“{headline}” is shown on pages {on:?}");
        if *headline != "State approves $48M bridge rebuild" {
            assert_eq!(on.len(), 1, "“{headline}” is on no page");
        }
    }
}

#[test]
fn search_shows_a_story_once_with_its_other_coverage_under_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let lines = north_bank_lines();
    let file = write_jsonl(tmp.path(), "coverage.jsonl", &lines);
    run_ok(
        &data,
        &["import", "jsonl", "--quiet", file.to_str().unwrap()],
    );
    let server = Server::start_with(common::herald(&data), &["--no-ingest"]);

    let page = server.get("/search?q=north+bank").text().unwrap();
    // Four articles match: the bridge story once (its best hit, the other version
    // under it, the copy counted), and the library article on its own.
    assert!(page.contains("4 articles"), "{page}");
    assert_eq!(page.matches("<li class=\"result\">").count(), 2, "{page}");
    let headlines = [
        "Marlow bridge to close for eight weeks",
        "State approves $48M bridge rebuild",
        "North bank shops brace for Marlow bridge closure",
    ];
    let shown = headlines.iter().filter(|h| page.contains(*h)).count();
    assert_eq!(
        shown, 2,
        "one version and the follow-up, not the copy:\n{page}"
    );
    let grouped = page
        .split("<li class=\"result\">")
        .find(|entry| entry.contains("class=\"coverage\""))
        .expect("a story entry with its other coverage listed");
    let in_entry = headlines.iter().filter(|h| grouped.contains(*h)).count();
    assert_eq!(in_entry, 2, "{grouped}");
    assert!(!grouped.contains("seed exchange"), "{grouped}");
    assert!(page.contains("more copy"), "{page}");
    assert!(page.contains("\">Full coverage<span"), "{page}");

    // A hit whose story's other articles do not match still links to its coverage;
    // an article alone in its story does not.
    let page = server.get("/search?q=bakery").text().unwrap();
    assert!(page.contains("1 article"), "{page}");
    assert!(
        page.contains("\">Full coverage<span") && page.contains("3 articles from 3 sources"),
        "{page}"
    );
    let page = server.get("/search?q=seed+exchange").text().unwrap();
    assert!(page.contains("Library opens a seed exchange"), "{page}");
    assert!(!page.contains("Full coverage"), "{page}");

    // A search's feed sends each wire text once, as its first version.
    let feed: serde_json::Value =
        serde_json::from_str(&server.get("/search/feed.json?q=north+bank").text().unwrap())
            .unwrap();
    let titles: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        vec![
            "North bank shops brace for Marlow bridge closure",
            "Library opens a seed exchange on the north bank",
            "Marlow bridge to close for eight weeks",
        ],
        "newest first, the copy of the wire text left out: {feed}"
    );

    // The API gives each hit its story and wire text, for clients that group.
    let api: serde_json::Value =
        serde_json::from_str(&server.get("/api/v1/search?q=north+bank").text().unwrap()).unwrap();
    let items = api["items"].as_array().unwrap();
    let story_of = |title: &str| {
        let item = items.iter().find(|i| i["title"] == title).unwrap();
        (item["story_id"].as_i64(), item["duplicate_of"].as_i64())
    };
    let (wire_story, _) = story_of(headlines[0]);
    assert!(wire_story.is_some(), "{api}");
    assert_eq!(story_of(headlines[2]), (wire_story, None), "{api}");
    let copy = story_of(headlines[1]);
    assert_eq!(copy.0, wire_story, "{api}");
    assert!(copy.1.is_some(), "the copy names its original: {api}");
    assert_ne!(
        story_of("Library opens a seed exchange on the north bank").0,
        wire_story
    );
}
