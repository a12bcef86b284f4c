#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Crafted wire-copy variants: the same agency text republished with a new headline,
//! trimmed last paragraphs, site boilerplate or a different dateline is one duplicate
//! group and one story; an unrelated article is neither.

use herald_dedup::{Article, Config, Engine};

const WIRE: &str = "The city council voted 7-2 on Tuesday to approve a $48 million budget for the coming fiscal year, ending weeks of debate over library hours and road repairs.\n\n\
Mayor Janet Alvarez said the plan keeps property taxes flat while adding twelve police officers and restoring weekend service at three branch libraries that closed last spring.\n\n\
Council member Robert Chen, who voted against the measure, argued that the road repair fund was still too small to fix the potholes residents complain about most.\n\n\
The budget also sets aside $2.5 million for a new fire station on the east side, a project first proposed nearly a decade ago and delayed twice by funding shortfalls.\n\n\
City finance director Maria Gomez told the council that sales tax receipts rose four percent last year, giving the city room to expand services without new fees.\n\n\
The budget takes effect on July 1. The council will hold a separate hearing next month on proposed changes to water and sewer rates.";

const OTHER: &str = "Heavy rain flooded several streets in the harbor district overnight, and the national weather service warned that more storms could arrive by the weekend.\n\n\
Emergency crews pumped water from basements along Front Street, and two schools delayed their opening by two hours while buses were rerouted around closed intersections.\n\n\
Forecasters said the ground was already saturated after the wettest March on record, raising the risk of mudslides on the hills above the river valley.";

fn paragraphs(n: usize) -> String {
    WIRE.split("\n\n").take(n).collect::<Vec<_>>().join("\n\n")
}

fn add<'a>(
    e: &mut Engine,
    id: &'a str,
    title: &'a str,
    body: &'a str,
    source: &'a str,
    t: i64,
) -> herald_dedup::Assignment {
    e.add(&Article {
        id,
        title,
        body,
        source: Some(source),
        published: Some(t),
    })
}

const T0: i64 = 1_700_000_000;

#[test]
fn variants_are_copies_of_the_first() {
    let mut e = Engine::new(Config::default());
    let first = add(
        &mut e,
        "ap",
        "Council approves $48 million budget",
        WIRE,
        "apnews.com",
        T0,
    );
    assert!(first.duplicate_of.is_none());
    assert!(first.new_story);

    let headline = add(
        &mut e,
        "a",
        "City budget passes after weeks of debate",
        WIRE,
        "a.example",
        T0 + 600,
    );
    let trimmed = paragraphs(4);
    let trimmed_a = add(
        &mut e,
        "b",
        "Council approves budget",
        &trimmed,
        "b.example",
        T0 + 1200,
    );
    let boiler = format!(
        "Subscribe to our newsletter for the latest local news.\n\n{WIRE}\n\nCopyright 2024 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.\n\nLeave a reply. Your email address will not be published."
    );
    let boiler_a = add(
        &mut e,
        "c",
        "Council approves $48 million budget",
        &boiler,
        "c.example",
        T0 + 1800,
    );
    let dateline = format!("SPRINGFIELD, Ill. (AP) — {WIRE}");
    let dateline_a = add(
        &mut e,
        "d",
        "Council OKs budget",
        &dateline,
        "d.example",
        T0 + 2400,
    );

    for a in [&headline, &trimmed_a, &boiler_a, &dateline_a] {
        assert_eq!(
            a.duplicate_of.as_deref(),
            Some("ap"),
            "{} not folded (score {})",
            a.id,
            a.score
        );
        assert_eq!(&*a.story, "ap");
    }

    let other = add(
        &mut e,
        "rain",
        "Storms flood harbor district",
        OTHER,
        "e.example",
        T0 + 3000,
    );
    assert!(other.duplicate_of.is_none());
    assert_ne!(&*other.story, "ap");

    let story = e.story("ap").unwrap();
    assert_eq!(story.article_count, 5);
    assert_eq!(story.sources.len(), 5);
    assert_eq!(story.first_seen, Some(T0));
    assert_eq!(story.last_seen, Some(T0 + 2400));
}

#[test]
fn three_copies_and_an_unrelated_article() {
    let mut e = Engine::new(Config::default());
    let a = add(
        &mut e,
        "1",
        "Council approves budget",
        WIRE,
        "one.example",
        T0,
    );
    let b = add(
        &mut e,
        "2",
        "Budget approved",
        &paragraphs(5),
        "two.example",
        T0 + 60,
    );
    let c = add(
        &mut e,
        "3",
        "Council budget vote",
        WIRE,
        "three.example",
        T0 + 120,
    );
    let d = add(
        &mut e,
        "4",
        "Storms flood harbor district",
        OTHER,
        "four.example",
        T0 + 180,
    );
    assert_eq!(&*a.story, "1");
    assert_eq!(&*b.story, "1");
    assert_eq!(&*c.story, "1");
    assert_eq!(&*d.story, "4");
    assert_eq!(e.story("1").unwrap().sources.len(), 3);
    assert_eq!(e.story("4").unwrap().article_count, 1);
}

#[test]
fn half_the_text_is_not_a_copy() {
    let mut e = Engine::new(Config::default());
    add(&mut e, "full", "Council approves budget", WIRE, "x", T0);
    // Two of six paragraphs: Jaccard ≈ 1/3, a different article that quotes the wire.
    let part = format!("{}\n\n{}", paragraphs(2), OTHER);
    let p = add(
        &mut e,
        "part",
        "Council approves budget",
        &part,
        "y",
        T0 + 60,
    );
    assert!(p.duplicate_of.is_none());
}

#[test]
fn boilerplate_stubs_with_different_titles_are_not_copies() {
    let stub =
        "Chat with us in Facebook Messenger. Find out what's happening in the world as it unfolds.";
    let mut e = Engine::new(Config::default());
    add(
        &mut e,
        "s1",
        "The first shots fired in Las Vegas",
        stub,
        "cnn",
        T0,
    );
    let b = add(
        &mut e,
        "s2",
        "China accused of letting oil into North Korea",
        stub,
        "cnn",
        T0 + 60,
    );
    assert!(b.duplicate_of.is_none());
    // Untitled one-sentence copies still count.
    let s = "An Australian climber who survived two nights stuck on Mount Cook after seeing his brother die narrowly escaped being buried alive.";
    add(&mut e, "u1", "", s, "x", T0);
    let u = add(
        &mut e,
        "u2",
        "",
        &s.replace("die narrowly", "die also narrowly"),
        "y",
        T0,
    );
    assert_eq!(u.duplicate_of.as_deref(), Some("u1"));
}

#[test]
fn versions_keep_their_story() {
    let mut e = Engine::new(Config::default());
    add(&mut e, "v", "Council approves budget", WIRE, "x", T0);
    let again = add(
        &mut e,
        "v",
        "Council approves budget (updated)",
        &paragraphs(5),
        "x",
        T0 + 60,
    );
    assert!(again.version);
    assert_eq!(&*again.story, "v");
    assert!(again.duplicate_of.is_none());
    assert_eq!(e.story("v").unwrap().article_count, 1);
}

#[test]
fn restore_resumes_groups_and_stories() {
    let mut e = Engine::new(Config::default());
    e.restore(
        &Article {
            id: "old",
            title: "Council approves budget",
            body: WIRE,
            source: Some("x"),
            published: Some(T0),
        },
        "story-1",
        None,
    );
    let a = add(&mut e, "new", "Budget passes", WIRE, "y", T0 + 60);
    assert_eq!(a.duplicate_of.as_deref(), Some("old"));
    assert_eq!(&*a.story, "story-1");
    assert_eq!(e.story("story-1").unwrap().article_count, 2);
}

#[test]
fn no_panics_on_odd_input() {
    let mut e = Engine::new(Config::default());
    let huge = "word ".repeat(2_000_000);
    let weird = "\u{0}\u{feff}🙂 ---- ,,,, 1,2,3.4.5 ÄÖÜ ǅ İ ß ".repeat(1000);
    for (i, body) in ["", " ", "\n\n", huge.as_str(), weird.as_str(), "a"]
        .iter()
        .enumerate()
    {
        let id = i.to_string();
        let a = e.add(&Article {
            id: &id,
            title: body,
            body,
            source: None,
            published: None,
        });
        assert!(!a.story.is_empty());
        assert!(a.score.is_finite());
    }
    e.add(&Article {
        id: "neg",
        title: "t",
        body: "b",
        source: Some(""),
        published: Some(i64::MIN),
    });
    e.add(&Article {
        id: "pos",
        title: "t",
        body: "b",
        source: Some(""),
        published: Some(i64::MAX),
    });
    let s = e.stats();
    assert!(s.live_stories >= 1);
}
