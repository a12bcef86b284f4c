//! Run the extractor over a directory of pages and write a predictions JSON for the
//! project's scorer, printing pages/s and MB/s (single thread, HTML already in memory).
//!
//! ```text
//! cargo run --release --example devset -- DIR/html OUT.json [GROUND_TRUTH.json] [--runs N]
//! python3 ../shared/tools/extract_eval.py ../shared/data/extraction-dev/ground-truth.json OUT.json
//! ```
//! With a ground-truth file, the URL of each page is passed to the extractor.
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: devset HTML_DIR OUT.json [GROUND_TRUTH.json] [--runs N]");
        std::process::exit(2);
    }
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let urls: BTreeMap<String, String> = args
        .get(2)
        .filter(|a| !a.starts_with("--"))
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.into_iter()
                .filter_map(|(k, v)| Some((k, v.get("url")?.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut pages = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&args[0])
        .expect("read dir")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("html") {
            continue;
        }
        let id = p.file_stem().unwrap().to_string_lossy().to_string();
        pages.push((id, std::fs::read(&p).expect("read page")));
    }
    let bytes: usize = pages.iter().map(|(_, b)| b.len()).sum();
    let mut out = serde_json::Map::new();
    let mut times = Vec::new();
    let cpu0 = thread_cpu_secs();
    for run in 0..runs.max(1) {
        let t = Instant::now();
        for (id, html) in &pages {
            let url = urls.get(id).map(String::as_str);
            let a = herald_extract::extract(html, url, None);
            if run == 0 {
                let body = a.map(|a| a.text).unwrap_or_default();
                out.insert(id.clone(), serde_json::json!({ "articleBody": body }));
            }
        }
        times.push(t.elapsed().as_secs_f64());
    }
    let cpu = thread_cpu_secs()
        .zip(cpu0)
        .map(|(b, a)| (b - a) / runs.max(1) as f64);
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let med = times[times.len() / 2];
    println!(
        "herald-extract: {} pages, {:.1} MB, median of {} runs: {:.3}s = {:.0} pages/s, {:.1} MB/s",
        pages.len(),
        bytes as f64 / 1e6,
        times.len(),
        med,
        pages.len() as f64 / med,
        bytes as f64 / 1e6 / med
    );
    if let Some(cpu) = cpu.filter(|c| *c > 0.0) {
        // On a shared machine wall time includes waiting for the CPU; thread CPU time does not.
        println!(
            "  by thread CPU time: {:.3}s per run = {:.0} pages/s, {:.1} MB/s",
            cpu,
            pages.len() as f64 / cpu,
            bytes as f64 / 1e6 / cpu
        );
    }
    std::fs::write(&args[1], serde_json::to_string(&out).unwrap()).expect("write output");
}

/// User + system CPU time of this thread (Linux `/proc/thread-self/stat`, 100 Hz ticks).
fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
