//! Print the chosen article root of a page and its extracted text (a tuning aid).
//! `cargo run --release --example inspect -- PAGE.html [URL]`
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: inspect PAGE.html [URL]");
        std::process::exit(2);
    };
    let html = std::fs::read(path).expect("read page");
    println!("{}", herald_extract::debug_root(&html));
    if let Some(n) = args.get(2) {
        println!("{}", herald_extract::debug_path(&html, n));
    }
    match herald_extract::extract(&html, args.get(1).map(String::as_str), None) {
        Ok(a) => {
            let mut meta = a.clone();
            meta.text = format!("{} chars", a.text.len());
            meta.html = format!("{} chars", a.html.len());
            println!(
                "{}",
                serde_json::to_string_pretty(&meta).unwrap_or_default()
            );
            println!("-----\n{}", a.text);
        }
        Err(e) => println!("error: {e}"),
    }
}
