#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Two events of one kind (two players of one team arrested for drunk driving, weeks
//! apart, reported without dates): the first reports of the second event join the
//! first event's story, which then holds two groups and is split in two. Articles
//! that move are reported, and applying the reports gives the engine's own stories.

use std::collections::HashMap;

use herald_dedup::{Article, Assignment, Config, Engine};

const SHARED: [&str; 8] = [
    "The San Diego Chargers said they were aware of the arrest and were gathering information.",
    "California Highway Patrol officers stopped the car on a freeway outside downtown San Diego.",
    "The player was booked into county jail on suspicion of driving under the influence and released on bail.",
    "The Chargers have had several players arrested on suspicion of drunken driving in recent years.",
    "A team spokesman declined to comment further, citing the ongoing investigation by the highway patrol.",
    "Under the league's conduct policy, a player arrested for drunken driving may face a fine or a suspension.",
    "The city attorney's office will decide whether to file misdemeanor charges after reviewing the blood test.",
    "The arrest came early on a weekend morning, the California Highway Patrol said in a statement.",
];

const FIRST: [&str; 8] = [
    "Wide receiver Vincent Jackson failed sobriety tests shortly after 2 a.m. on state Route 52.",
    "Jackson, 25, was driving a black Mercedes when officers clocked him at 85 miles an hour.",
    "Vincent Jackson said he was innocent and expected to play in the playoff game at Pittsburgh.",
    "Jackson caught 59 passes for 1,098 yards this season, the best year of his career.",
    "Coach Norv Turner said Vincent Jackson would travel with the team to face the Steelers.",
    "Jackson's agent said the receiver had one glass of wine at a team dinner before driving home.",
    "Officer Brad Baehr said Jackson was cooperative and blew a 0.09 on a breath test.",
    "The Steelers game on Sunday is the biggest of Jackson's career, a divisional playoff.",
];

const SECOND: [&str; 8] = [
    "Defensive tackle Jamal Williams was pulled over for speeding in his Bentley on state Route 94.",
    "Williams, 32, was going west at about 1:30 a.m. when officers stopped the Bentley.",
    "Jamal Williams is a three-time Pro Bowl nose tackle who anchored the defensive line for a decade.",
    "Williams declined a breath test at the scene and gave a blood sample at the jail instead.",
    "The arrest of Jamal Williams follows a knee injury that ended his season in September.",
    "Williams' lawyer said the tackle had not been drinking and would fight any charge in court.",
    "Officers said Jamal Williams was polite and was released to a friend later that morning.",
    "Williams signed a contract extension last spring that runs through the 2010 season.",
];

/// An article of `n` sentences drawn from the event's and the shared pools.
fn article(event: &[&str; 8], seed: usize) -> String {
    let mut out = Vec::new();
    for k in 0..4 {
        out.push(event[(seed * 3 + k * 5) % 8]);
        out.push(SHARED[(seed * 5 + k * 3) % 8]);
    }
    out.push(event[(seed + 7) % 8]);
    out.join(" ")
}

#[test]
fn a_story_holding_two_events_is_split() {
    let mut docs: Vec<(String, String, String, &str)> = Vec::new();
    for i in 0..6 {
        docs.push((
            format!("a{i}"),
            format!("Chargers receiver Vincent Jackson arrested, report {i}"),
            article(&FIRST, i),
            "first",
        ));
    }
    for i in 0..6 {
        docs.push((
            format!("b{i}"),
            format!("Chargers tackle Jamal Williams arrested, report {i}"),
            article(&SECOND, i + 3),
            "second",
        ));
    }
    let mut engine = Engine::new(Config::without_time());
    // Term statistics from a wider stream than these twelve articles.
    for (id, title, body, _) in &docs {
        engine.observe(&Article {
            id,
            title,
            body,
            source: None,
            published: None,
        });
    }
    let mut story: HashMap<String, String> = HashMap::new();
    let mut redirects: HashMap<String, String> = HashMap::new();
    let mut moved = 0;
    for (id, title, body, _) in &docs {
        let a: Assignment = engine.add(&Article {
            id,
            title,
            body,
            source: Some("wire"),
            published: None,
        });
        for m in &a.merged {
            redirects.insert(m.from.to_string(), m.into.to_string());
        }
        for m in &a.moved {
            story.insert(m.id.to_string(), m.story.to_string());
            redirects.remove(&*m.story);
            moved += 1;
        }
        story.insert(id.clone(), a.story.to_string());
    }
    let resolve = |s: &str| {
        let mut s = s.to_string();
        while let Some(n) = redirects.get(&s) {
            s = n.clone();
        }
        s
    };
    let first = resolve(&story["a0"]);
    let second = resolve(&story["b0"]);
    assert!(moved > 0, "no split happened: {story:?}");
    assert_ne!(first, second, "{story:?}");
    for (id, _, _, event) in &docs {
        let s = resolve(&story[id]);
        assert_eq!(&s, if *event == "first" { &first } else { &second }, "{id}");
    }
    // The engine's own stories agree with the reported assignments.
    assert_eq!(engine.story(&first).unwrap().article_count, 6);
    assert_eq!(engine.story(&second).unwrap().article_count, 6);
    // The first story keeps its id; the new one is named after its first article.
    assert_eq!(first, "a0");
    assert!(second.starts_with('b'), "{second}");
}
