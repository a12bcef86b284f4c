//! Dump the metadata of every page in a directory as JSON lines (a tuning aid).
//! `cargo run --release --example meta_dump -- DIR > out.jsonl`
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("read dir")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        let id = p
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let html = std::fs::read(&p).expect("read page");
        if let Ok(mut a) = herald_extract::extract(&html, None, None) {
            a.text = a.text.chars().take(80).collect();
            a.html = String::new();
            let mut v = serde_json::to_value(&a).unwrap_or_default();
            v["id"] = serde_json::Value::String(id);
            println!("{v}");
        }
    }
}
