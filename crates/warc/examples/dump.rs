//! Lists the records and errors of a WARC/ARC file: `cargo run --example dump -- FILE`.
use std::fs::File;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE.warc[.gz]|FILE.arc[.gz]");
        std::process::exit(2);
    };
    let (mut records, mut errors) = (0, 0);
    for item in herald_warc::WarcReader::new(File::open(&path)?) {
        match item {
            Ok(r) => {
                records += 1;
                let http = r
                    .http
                    .as_ref()
                    .map(|h| format!(" http {} body {}B", h.status, h.body.len()))
                    .unwrap_or_default();
                println!(
                    "{:>8} {:<10} {} {}{http}{}",
                    r.offset,
                    r.kind,
                    r.target_uri.as_deref().unwrap_or("-"),
                    r.gzip_member_offset
                        .map(|m| format!(" [gz member @{m}]"))
                        .unwrap_or_default(),
                    if r.is_html_response() { " html" } else { "" }
                );
                for w in &r.warnings {
                    println!("         warning: {w}");
                }
            }
            Err(e) => {
                errors += 1;
                println!("   ERROR {e}");
            }
        }
    }
    println!("{records} records, {errors} errors");
    Ok(())
}
