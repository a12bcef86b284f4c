//! Prints the neutral JSON model of one feed file.
//!
//! `cargo run --release --example parse -- [--base-url URL] [--content-type CT]
//! [--content-location URL] FILE`
//!
//! `--content-location` plays the HTTP header of that name: it is resolved against
//! `--base-url` and becomes the base for relative URLs, as Herald's fetcher does.
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut base = None;
    let mut ct = None;
    let mut file = None;
    let mut content_location = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--base-url" => base = args.next(),
            "--content-type" => ct = args.next(),
            "--content-location" => content_location = args.next(),
            _ => file = Some(a),
        }
    }
    let Some(file) = file else {
        eprintln!(
            "usage: parse [--base-url URL] [--content-type CT] [--content-location URL] FILE"
        );
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(1);
        }
    };
    let base = match (&base, &content_location) {
        (_, Some(_)) => herald_feed::effective_base_url(
            base.as_deref().unwrap_or(""),
            content_location.as_deref(),
        ),
        (b, None) => b.clone(),
    };
    let feed = herald_feed::parse(&bytes, base.as_deref(), ct.as_deref());
    println!("{}", feed.to_neutral_json());
    ExitCode::SUCCESS
}
