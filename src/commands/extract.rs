//! `herald extract PATH…`: the clean article from saved web pages.

use crate::cli::{ExtractArgs, ExtractFormat};
use anyhow::{bail, Result};
use std::io::Write;

pub fn run(args: &ExtractArgs) -> Result<()> {
    // Several files always print one JSON object per line, so output stays parseable.
    let format = if args.paths.len() > 1 && args.format == ExtractFormat::Text {
        ExtractFormat::Jsonl
    } else {
        args.format
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0usize;
    for path in &args.paths {
        let name = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("herald: {name}: {e}");
                failed += 1;
                continue;
            }
        };
        let article = match herald_extract::extract(&bytes, args.url.as_deref(), None) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("herald: {name}: {e}");
                failed += 1;
                continue;
            }
        };
        match format {
            ExtractFormat::Text => {
                if let Some(title) = &article.title {
                    writeln!(out, "{title}\n")?;
                }
                writeln!(out, "{}", article.text)?;
            }
            ExtractFormat::Json | ExtractFormat::Jsonl => {
                let mut value = serde_json::to_value(&article)?;
                if let Some(map) = value.as_object_mut() {
                    map.insert("path".into(), serde_json::Value::String(name));
                }
                if format == ExtractFormat::Json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
                } else {
                    writeln!(out, "{value}")?;
                }
            }
        }
    }
    if failed == args.paths.len() {
        bail!("no page could be extracted");
    }
    Ok(())
}
