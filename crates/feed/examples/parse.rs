//! Prints the neutral JSON model of one feed file.
//!
//! `cargo run --release --example parse -- [--base-url URL] [--content-type CT] FILE`
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut base = None;
    let mut ct = None;
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--base-url" => base = args.next(),
            "--content-type" => ct = args.next(),
            _ => file = Some(a),
        }
    }
    let Some(file) = file else {
        eprintln!("usage: parse [--base-url URL] [--content-type CT] FILE");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(1);
        }
    };
    let feed = herald_feed::parse(&bytes, base.as_deref(), ct.as_deref());
    println!("{}", feed.to_neutral_json());
    ExitCode::SUCCESS
}
