//! Print the clean HTML (or, with `--text`, the text) of one page (a tuning aid).
//! `cargo run --release --example show -- PAGE.html [URL] [--text]`
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: show PAGE.html [URL] [--text]");
        std::process::exit(2);
    };
    let html = std::fs::read(path).expect("read page");
    let url = args
        .get(1)
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str);
    match herald_extract::extract(&html, url, None) {
        Ok(a) if args.iter().any(|a| a == "--text") => println!("{}", a.text),
        Ok(a) => println!("{}", a.html),
        Err(e) => eprintln!("error: {e}"),
    }
}
