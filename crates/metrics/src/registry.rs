//! Families of labelled series and their text rendering.

use crate::histogram::Histogram;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

/// A monotonically increasing count.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The current count.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    /// Replaces the value.
    pub fn set(&self, v: i64) {
        self.0.store(v, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone)]
enum Series {
    Counter(Arc<Counter>),
    Gauge(Arc<Gauge>),
    Histogram(Arc<Histogram>),
}

#[derive(Debug)]
struct Family {
    help: &'static str,
    kind: &'static str,
    labels: &'static [&'static str],
    series: BTreeMap<Vec<String>, Series>,
}

/// A set of metric families. Most code uses the process-wide one from [`global`];
/// tests make their own.
#[derive(Debug, Default)]
pub struct Registry {
    families: RwLock<BTreeMap<&'static str, Family>>,
}

/// The process-wide registry that `/metrics` renders.
pub fn global() -> &'static Registry {
    static GLOBAL: OnceLock<Registry> = OnceLock::new();
    GLOBAL.get_or_init(Registry::default)
}

/// Label values are untrusted (a source's name comes from a feed); cap their length
/// so one odd value cannot bloat every scrape.
const MAX_LABEL_LEN: usize = 120;

impl Registry {
    fn series(
        &self,
        name: &'static str,
        help: &'static str,
        kind: &'static str,
        labels: &'static [&'static str],
        values: &[&str],
        make: impl FnOnce() -> Series,
    ) -> Series {
        let key: Vec<String> = values
            .iter()
            .map(|v| v.chars().take(MAX_LABEL_LEN).collect())
            .collect();
        if let Ok(families) = self.families.read() {
            if let Some(series) = families.get(name).and_then(|f| f.series.get(&key)) {
                return series.clone();
            }
        }
        let mut families = match self.families.write() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        let family = families.entry(name).or_insert_with(|| Family {
            help,
            kind,
            labels,
            series: BTreeMap::new(),
        });
        family.series.entry(key).or_insert_with(make).clone()
    }

    /// The counter `name{labels=values}`, created on first use.
    pub fn counter(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
        values: &[&str],
    ) -> Arc<Counter> {
        match self.series(name, help, "counter", labels, values, || {
            Series::Counter(Arc::default())
        }) {
            Series::Counter(c) => c,
            // A name registered as another kind: count into a detached series rather
            // than fail at run time.
            _ => Arc::default(),
        }
    }

    /// The gauge `name{labels=values}`, created on first use.
    pub fn gauge(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
        values: &[&str],
    ) -> Arc<Gauge> {
        match self.series(name, help, "gauge", labels, values, || {
            Series::Gauge(Arc::default())
        }) {
            Series::Gauge(g) => g,
            _ => Arc::default(),
        }
    }

    /// The histogram `name{labels=values}` with latency buckets, created on first use.
    pub fn histogram(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
        values: &[&str],
    ) -> Arc<Histogram> {
        match self.series(name, help, "histogram", labels, values, || {
            Series::Histogram(Arc::new(Histogram::latency()))
        }) {
            Series::Histogram(h) => h,
            _ => Arc::new(Histogram::latency()),
        }
    }

    /// Every family in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let families = match self.families.read() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (name, family) in families.iter() {
            let _ = writeln!(out, "# HELP {name} {}", family.help);
            let _ = writeln!(out, "# TYPE {name} {}", family.kind);
            for (values, series) in &family.series {
                let labels = label_set(family.labels, values);
                match series {
                    Series::Counter(c) => {
                        let _ = writeln!(out, "{name}{} {}", braces(&labels), c.get());
                    }
                    Series::Gauge(g) => {
                        let _ = writeln!(out, "{name}{} {}", braces(&labels), g.get());
                    }
                    Series::Histogram(h) => h.render(&mut out, name, &labels),
                }
            }
        }
        out
    }
}

/// `a="x",b="y"` with values escaped as the format requires.
fn label_set(names: &[&str], values: &[String]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in names.iter().zip(values).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{name}=\"");
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out
}

pub(crate) fn braces(labels: &str) -> String {
    if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_families_with_escaped_labels() {
        let r = Registry::default();
        r.counter("x_total", "Things.", &["source"], &["a \"b\"\n"])
            .add(3);
        r.counter("x_total", "Things.", &["source"], &["a \"b\"\n"])
            .inc();
        r.gauge("lag", "Lag.", &[], &[]).set(-2);
        let text = r.render();
        assert!(text.contains("# TYPE x_total counter\n"), "{text}");
        assert!(
            text.contains("x_total{source=\"a \\\"b\\\"\\n\"} 4\n"),
            "{text}"
        );
        assert!(text.contains("lag -2\n"), "{text}");
    }

    #[test]
    fn a_name_of_another_kind_does_not_panic() {
        let r = Registry::default();
        r.gauge("m", "M.", &[], &[]).set(1);
        r.counter("m", "M.", &[], &[]).inc();
        assert!(r.render().contains("m 1\n"));
    }
}
