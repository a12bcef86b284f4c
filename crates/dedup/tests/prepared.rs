#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Preparing texts apart from the engine (on another thread, ahead of their turn)
//! decides exactly what `Engine::add` decides: copies, stories, merges and splits.

use herald_dedup::{Article, Assignment, Config, Engine};

const EVENTS: [[&str; 6]; 3] = [
    [
        "Flood waters rose through Riverton on Tuesday as the Cedar River crested.",
        "Mayor Ana Ortiz ordered the evacuation of the low-lying Mill District.",
        "The National Guard sent 200 soldiers with boats to Riverton overnight.",
        "Sandbag walls along Front Street held until the early morning hours.",
        "The Cedar River crested at 31 feet, four feet above the 1993 record.",
        "Ortiz said shelters at two schools were housing about 900 residents.",
    ],
    [
        "The Westfield council approved a 4.2 billion budget after a long debate.",
        "Councillor Ben Adeyemi said the budget raises transit spending by a fifth.",
        "The budget freezes property taxes for a second year in Westfield.",
        "Opponents said the council ignored a 300 million hole in pension funding.",
        "Adeyemi said new bus lines will open in the east of Westfield in March.",
        "The vote was 9 to 4, with two members of the council absent.",
    ],
    [
        "Astronomers at the Paranal observatory found a planet orbiting Proxima Centauri.",
        "The planet, Proxima d, is a quarter of the mass of Earth, the team said.",
        "Lead author Joao Faria said the signal was confirmed by two instruments.",
        "Proxima d orbits its star every five days, far too close to hold liquid water.",
        "The Paranal team used the ESPRESSO spectrograph on the Very Large Telescope.",
        "Faria said more planets around Proxima Centauri may yet be found.",
    ],
];

/// Articles mixing the events' sentences, with a few verbatim copies under other ids.
fn articles() -> Vec<(String, String, String, Option<i64>)> {
    let mut out = Vec::new();
    for i in 0..36usize {
        let event = &EVENTS[i % 3];
        let body: Vec<&str> = (0..4).map(|k| event[(i / 3 + k * 2) % 6]).collect();
        let title = event[(i / 3) % 6]
            .split(',')
            .next()
            .unwrap_or("")
            .to_string();
        let published = Some(1_700_000_000 + (i as i64) * 3_600);
        out.push((format!("a{i}"), title.clone(), body.join(" "), published));
        if i % 7 == 0 {
            out.push((format!("copy{i}"), title, body.join(" "), published));
        }
    }
    out
}

fn view<'a>(a: &'a (String, String, String, Option<i64>)) -> Article<'a> {
    Article {
        id: &a.0,
        title: &a.1,
        body: &a.2,
        source: Some(if a.0.starts_with("copy") {
            "other.example"
        } else {
            "wire.example"
        }),
        published: a.3,
    }
}

#[test]
fn prepared_elsewhere_decides_the_same() {
    let docs = articles();
    let mut plain = Engine::new(Config::default());
    let expected: Vec<Assignment> = docs.iter().map(|a| plain.add(&view(a))).collect();
    assert!(
        expected.iter().any(|a| a.duplicate_of.is_some()),
        "the copies are found"
    );

    let config = Config::default();
    let shared = docs.clone();
    let prepared = std::thread::spawn(move || {
        shared
            .iter()
            .map(|a| Engine::prepare(&config, &view(a)))
            .collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    let mut engine = Engine::new(Config::default());
    let got: Vec<Assignment> = docs
        .iter()
        .zip(prepared)
        .map(|(a, p)| engine.add_prepared(&view(a), p))
        .collect();
    assert_eq!(got, expected);
}
