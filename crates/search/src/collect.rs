//! Collectors: ranked pages with a stable cursor and freshness, and facet counts.

use crate::syntax::Sort;
use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap as HashMap;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Where a page ends: the sort key and article id of its last hit. The next page holds
/// the hits strictly after it in (key, id) order, so pages neither repeat nor skip
/// articles when new ones are indexed meanwhile (by date, exactly; by relevance, as
/// long as the hits' scores do not change).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CursorKey {
    pub sort: Sort,
    pub key: f64,
    pub id: u64,
}

impl CursorKey {
    pub(crate) fn encode(&self) -> String {
        let kind = match self.sort {
            Sort::Relevance => 'r',
            Sort::Newest => 'n',
            Sort::Oldest => 'o',
        };
        format!("{kind}{:016x}{:x}", self.key.to_bits(), self.id)
    }

    /// Reads a cursor; anything malformed is `None` (the first page is served).
    pub(crate) fn decode(s: &str) -> Option<CursorKey> {
        let mut chars = s.chars();
        let sort = match chars.next()? {
            'r' => Sort::Relevance,
            'n' => Sort::Newest,
            'o' => Sort::Oldest,
            _ => return None,
        };
        let rest = chars.as_str();
        if rest.len() < 17 || !rest.is_ascii() {
            return None;
        }
        let key = f64::from_bits(u64::from_str_radix(&rest[..16], 16).ok()?);
        let id = u64::from_str_radix(&rest[16..], 16).ok()?;
        key.is_finite().then_some(CursorKey { sort, key, id })
    }
}

/// Multiplies relevance by `1 + weight · 2^(−age / half_life)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Freshness {
    pub now_secs: i64,
    pub half_life_secs: f64,
    pub weight: f64,
}

impl Freshness {
    fn factor(&self, published_secs: i64) -> f64 {
        let age = (self.now_secs - published_secs).max(0) as f64;
        1.0 + self.weight * (-age / self.half_life_secs * std::f64::consts::LN_2).exp()
    }
}

/// The top `limit` hits by (key, id) descending, after an optional cursor.
pub(crate) struct Ranked {
    pub limit: usize,
    pub sort: Sort,
    pub after: Option<CursorKey>,
    pub freshness: Option<Freshness>,
}

/// A collected hit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub key: f64,
    pub id: u64,
    pub score: f32,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
/// Reversed, so that `BinaryHeap` (a max-heap) keeps the worst kept hit on top.
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .key
            .total_cmp(&self.key)
            .then_with(|| other.id.cmp(&self.id))
    }
}

/// The best `limit` of the segments' hits, best first.
fn best(fruits: Vec<Vec<Entry>>, limit: usize) -> Vec<Entry> {
    let mut all: Vec<Entry> = fruits.into_iter().flatten().collect();
    all.sort();
    all.truncate(limit);
    all
}

pub(crate) struct RankedSegment {
    limit: usize,
    sort: Sort,
    after: Option<CursorKey>,
    freshness: Option<Freshness>,
    ids: Column<u64>,
    published: Column<tantivy::DateTime>,
    heap: BinaryHeap<Entry>,
}

impl Collector for Ranked {
    type Fruit = Vec<Entry>;
    type Child = RankedSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<RankedSegment> {
        Ok(RankedSegment {
            limit: self.limit,
            sort: self.sort,
            after: self.after,
            freshness: self.freshness,
            ids: segment.fast_fields().u64("id")?,
            published: segment.fast_fields().date("published")?,
            heap: BinaryHeap::with_capacity(self.limit.min(1024) + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Entry>>) -> tantivy::Result<Vec<Entry>> {
        Ok(best(fruits, self.limit))
    }
}

impl SegmentCollector for RankedSegment {
    type Fruit = Vec<Entry>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(id) = self.ids.first(doc) else {
            return;
        };
        let published = || {
            self.published
                .first(doc)
                .map_or(0, |d| d.into_timestamp_secs())
        };
        let key = match self.sort {
            Sort::Relevance => match self.freshness {
                Some(f) => score as f64 * f.factor(published()),
                None => score as f64,
            },
            Sort::Newest => published() as f64,
            Sort::Oldest => -(published() as f64),
        };
        if let Some(after) = self.after {
            // Only hits strictly after the cursor in (key, id) descending order.
            let later = key < after.key || (key == after.key && id < after.id);
            if !later {
                return;
            }
        }
        let entry = Entry { key, id, score };
        if self.heap.len() < self.limit {
            self.heap.push(entry);
        } else if let Some(worst) = self.heap.peek() {
            if entry < *worst {
                self.heap.pop();
                self.heap.push(entry);
            }
        }
    }

    fn harvest(self) -> Vec<Entry> {
        self.heap.into_vec()
    }
}

/// The best `limit` hits by relevance, ties broken by article id (higher first), with
/// block-max pruning.
///
/// tantivy's own top-k breaks ties by document address, which neither survives a merge
/// nor matches the (score, id) order that cursors page by, so the page used to be
/// ranked 64 hits deep and re-sorted to keep a tie group at its edge whole; that margin
/// lowered the pruning bar to the 74th score. Here each segment keeps its best `limit`
/// by (score, id) and asks the query only for documents scoring at least the current
/// `limit`-th score (equal scores included, since the id may still win), so the bar is
/// the page's own and ties are exact.
pub(crate) struct TopById {
    pub limit: usize,
}

/// Just below `score`: documents scoring exactly `score` still reach the collector.
fn just_below(score: Score) -> Score {
    score - score.abs() * 1e-6 - f32::MIN_POSITIVE
}

impl Collector for TopById {
    type Fruit = Vec<Entry>;
    type Child = RankedSegment;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<RankedSegment> {
        Ranked {
            limit: self.limit,
            sort: Sort::Relevance,
            after: None,
            freshness: None,
        }
        .for_segment(ord, segment)
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Entry>>) -> tantivy::Result<Vec<Entry>> {
        Ok(best(fruits, self.limit))
    }

    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Entry>> {
        let mut segment = self.for_segment(ord, reader)?;
        let alive = reader.alive_bitset();
        let mut bar = Score::MIN;
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return bar;
            }
            segment.collect(doc, score);
            if segment.heap.len() >= segment.limit {
                if let Some(worst) = segment.heap.peek() {
                    bar = just_below(worst.score);
                }
            }
            bar
        })?;
        Ok(segment.harvest())
    }
}

/// Article ids of hits given by address, opening each segment's `id` column once:
/// opening one decodes the column's whole block index, which done per hit had been a
/// fifth of a query's time at a million articles.
pub(crate) struct HitIds<'a> {
    searcher: &'a tantivy::Searcher,
    columns: Vec<Option<Column<u64>>>,
}

impl<'a> HitIds<'a> {
    pub(crate) fn new(searcher: &'a tantivy::Searcher) -> Self {
        HitIds {
            searcher,
            columns: vec![None; searcher.segment_readers().len()],
        }
    }

    /// The article id stored with the document at `address`.
    pub(crate) fn id(&mut self, address: tantivy::DocAddress) -> tantivy::Result<Option<u64>> {
        let Some(slot) = self.columns.get_mut(address.segment_ord as usize) else {
            return Ok(None);
        };
        if slot.is_none() {
            *slot = Some(
                self.searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .u64("id")?,
            );
        }
        Ok(slot.as_ref().and_then(|c| c.first(address.doc_id)))
    }
}

/// Date histogram bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateGranularity {
    /// Calendar days (UTC).
    #[default]
    Day,
    /// ISO weeks, starting on Monday.
    Week,
    /// Calendar months.
    Month,
}

/// One facet value and the number of matching articles that have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    /// The value (section slug, source name, language tag).
    pub value: String,
    /// Matching articles with it.
    pub count: u64,
}

/// One bar of the date histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateBucket {
    /// First day of the bucket (UTC).
    pub start: NaiveDate,
    /// Matching articles published in it.
    pub count: u64,
}

/// Counts over every matching article (not just the page), for filter links.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facets {
    /// By section slug, most first.
    pub sections: Vec<FacetValue>,
    /// By source name, most first.
    pub sources: Vec<FacetValue>,
    /// By language tag, most first.
    pub langs: Vec<FacetValue>,
    /// By publication date, oldest bucket first.
    pub dates: Vec<DateBucket>,
    /// Width of the date buckets.
    pub granularity: DateGranularity,
}

pub(crate) struct FacetCollector {
    pub granularity: DateGranularity,
}

#[derive(Default)]
pub(crate) struct RawFacets {
    sections: HashMap<String, u64>,
    sources: HashMap<String, u64>,
    langs: HashMap<String, u64>,
    dates: HashMap<NaiveDate, u64>,
}

pub(crate) struct FacetSegment {
    granularity: DateGranularity,
    columns: [Option<(StrColumn, Vec<u64>)>; 3],
    published: Column<tantivy::DateTime>,
    dates: HashMap<i64, u64>,
}

fn bucket(granularity: DateGranularity, secs: i64) -> Option<NaiveDate> {
    let date = chrono::DateTime::from_timestamp(secs, 0)?.date_naive();
    Some(match granularity {
        DateGranularity::Day => date,
        DateGranularity::Week => {
            date - chrono::Days::new(date.weekday().num_days_from_monday() as u64)
        }
        DateGranularity::Month => date.with_day(1)?,
    })
}

impl Collector for FacetCollector {
    type Fruit = RawFacets;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        let column = |name: &str| -> tantivy::Result<Option<(StrColumn, Vec<u64>)>> {
            Ok(ff.str(name)?.map(|c| {
                let n = c.num_terms();
                (c, vec![0u64; n])
            }))
        };
        Ok(FacetSegment {
            granularity: self.granularity,
            columns: [column("section")?, column("source")?, column("lang")?],
            published: ff.date("published")?,
            dates: HashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawFacets>) -> tantivy::Result<RawFacets> {
        let mut out = RawFacets::default();
        for f in fruits {
            for (target, source) in [
                (&mut out.sections, f.sections),
                (&mut out.sources, f.sources),
                (&mut out.langs, f.langs),
            ] {
                for (k, v) in source {
                    *target.entry(k).or_default() += v;
                }
            }
            for (k, v) in f.dates {
                *out.dates.entry(k).or_default() += v;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = RawFacets;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                if let Some(c) = counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
        if let Some(d) = self.published.first(doc) {
            // Bucket by day here; days are folded into weeks or months at harvest.
            *self
                .dates
                .entry(d.into_timestamp_secs().div_euclid(86_400))
                .or_default() += 1;
        }
    }

    fn harvest(self) -> RawFacets {
        let mut out = RawFacets::default();
        let [a, b, c] = self.columns;
        for (column, target) in [
            (a, &mut out.sections),
            (b, &mut out.sources),
            (c, &mut out.langs),
        ] {
            let Some((column, counts)) = column else {
                continue;
            };
            let mut text = String::new();
            for (ord, count) in counts.into_iter().enumerate() {
                if count > 0 && column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                    *target.entry(text.clone()).or_default() += count;
                }
            }
        }
        for (day, count) in self.dates {
            if let Some(b) = bucket(self.granularity, day * 86_400) {
                *out.dates.entry(b).or_default() += count;
            }
        }
        out
    }
}

impl RawFacets {
    /// Multiplies every count by `factor` (for counts taken on a sample).
    pub(crate) fn scale(&mut self, factor: f64) {
        let scaled = |c: &mut u64| *c = (*c as f64 * factor).round() as u64;
        for map in [&mut self.sections, &mut self.sources, &mut self.langs] {
            map.values_mut().for_each(scaled);
        }
        self.dates.values_mut().for_each(scaled);
    }

    pub(crate) fn finish(self, granularity: DateGranularity) -> Facets {
        let sorted = |m: HashMap<String, u64>| {
            let mut v: Vec<FacetValue> = m
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            v
        };
        let mut dates: Vec<DateBucket> = self
            .dates
            .into_iter()
            .map(|(start, count)| DateBucket { start, count })
            .collect();
        dates.sort_by_key(|b| b.start);
        Facets {
            sections: sorted(self.sections),
            sources: sorted(self.sources),
            langs: sorted(self.langs),
            dates,
            granularity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = CursorKey {
            sort: Sort::Newest,
            key: 1.7e9,
            id: 12345,
        };
        assert_eq!(CursorKey::decode(&c.encode()), Some(c));
        assert_eq!(CursorKey::decode("garbage"), None);
        assert_eq!(CursorKey::decode(""), None);
        assert_eq!(CursorKey::decode("r€€€€€€€€€€€€€€€€€€"), None);
    }

    #[test]
    fn buckets() {
        let secs = chrono::NaiveDate::from_ymd_opt(2024, 3, 14)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .map(|d| d.and_utc().timestamp())
            .unwrap_or_default();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(bucket(DateGranularity::Day, secs), day(2024, 3, 14));
        assert_eq!(bucket(DateGranularity::Week, secs), day(2024, 3, 11));
        assert_eq!(bucket(DateGranularity::Month, secs), day(2024, 3, 1));
    }
}
