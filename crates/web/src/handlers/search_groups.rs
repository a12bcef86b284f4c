//! Folding search hits by story, as news search does: each story appears once, at the
//! rank of its best hit, with the other sources' articles listed under it and copies
//! of one wire text counted rather than repeated. Results are paged by story, so a
//! story shown on one page does not come back on the next.

use herald_store::StoryKey;
use herald_types::{ArticleId, StoryId};
use std::collections::HashMap;

/// One shown hit (an index into the ranked hits) with the copies folded into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shown {
    pub hit: usize,
    pub copies: usize,
}

/// A story's place in the results: its best hit, then its other articles in rank order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub lead: Shown,
    pub members: Vec<Shown>,
}

impl Group {
    /// The first `listed` members, and how many articles the rest stand for (each
    /// member with the copies folded into it).
    pub(crate) fn listed(&self, listed: usize) -> (&[Shown], usize) {
        let shown = &self.members[..listed.min(self.members.len())];
        let rest = self.members[shown.len()..]
            .iter()
            .map(|m| 1 + m.copies)
            .sum();
        (shown, rest)
    }
}

/// Groups ranked hits: a hit whose wire text is already shown counts as a copy of
/// that entry; a hit of a story already shown joins that story's group; any other
/// hit leads a group of its own. Groups keep the rank of their best hit.
pub(crate) fn group_by_story(hits: &[StoryKey]) -> Vec<Group> {
    // Where each wire text is shown: (group, member index or `None` for the lead).
    let mut texts: HashMap<ArticleId, (usize, Option<usize>)> = HashMap::new();
    let mut stories: HashMap<StoryId, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for (i, hit) in hits.iter().enumerate() {
        let text = hit.duplicate_of.unwrap_or(hit.id);
        if let Some(&(g, member)) = texts.get(&text) {
            let shown = match member {
                None => Some(&mut groups[g].lead),
                Some(m) => groups[g].members.get_mut(m),
            };
            if let Some(shown) = shown {
                shown.copies += 1;
            }
            continue;
        }
        let entry = Shown { hit: i, copies: 0 };
        if let Some(&g) = hit.story_id.and_then(|s| stories.get(&s)) {
            texts.insert(text, (g, Some(groups[g].members.len())));
            groups[g].members.push(entry);
            continue;
        }
        texts.insert(text, (groups.len(), None));
        if let Some(story) = hit.story_id {
            stories.insert(story, groups.len());
        }
        groups.push(Group {
            lead: entry,
            members: Vec::new(),
        });
    }
    groups
}

/// How many entries (groups) the results are taken to have, for the pager, after
/// grouping the first `scanned` of `total` hits into `grouped` groups: exact when
/// every hit was grouped, else the total scaled by the groups per hit seen so far,
/// never fewer than were seen.
pub(crate) fn grouped_total(grouped: usize, scanned: usize, total: usize) -> usize {
    if scanned >= total || scanned == 0 {
        return grouped;
    }
    let estimate = (total as f64 * grouped as f64 / scanned as f64).round() as usize;
    estimate.max(grouped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: i64, duplicate_of: Option<i64>, story: Option<i64>) -> StoryKey {
        StoryKey {
            id: ArticleId(id),
            duplicate_of: duplicate_of.map(ArticleId),
            story_id: story.map(StoryId),
        }
    }

    fn shown(hit: usize, copies: usize) -> Shown {
        Shown { hit, copies }
    }

    #[test]
    fn a_story_is_shown_once_at_the_rank_of_its_best_hit() {
        let groups = group_by_story(&[
            hit(1, None, Some(1)),
            hit(7, None, Some(7)),
            hit(3, None, Some(1)),
            hit(9, None, None),
            hit(4, None, Some(1)),
        ]);
        assert_eq!(
            groups,
            vec![
                Group {
                    lead: shown(0, 0),
                    members: vec![shown(2, 0), shown(4, 0)]
                },
                Group {
                    lead: shown(1, 0),
                    members: vec![]
                },
                Group {
                    lead: shown(3, 0),
                    members: vec![]
                },
            ]
        );
    }

    #[test]
    fn copies_count_against_the_version_of_their_wire_text_that_is_shown() {
        let groups = group_by_story(&[
            hit(5, None, Some(1)),
            hit(2, None, Some(1)),
            hit(6, Some(2), Some(1)),
            hit(8, Some(5), Some(1)),
            hit(9, Some(5), Some(1)),
        ]);
        assert_eq!(
            groups,
            vec![Group {
                lead: shown(0, 2),
                members: vec![shown(1, 1)]
            }]
        );
    }

    #[test]
    fn a_copy_ranked_above_its_original_stands_for_the_text() {
        // The original, ranked lower, is then the copy that is counted.
        let groups = group_by_story(&[hit(6, Some(2), Some(2)), hit(2, None, Some(2))]);
        assert_eq!(
            groups,
            vec![Group {
                lead: shown(0, 1),
                members: vec![]
            }]
        );
    }

    #[test]
    fn members_beyond_the_listed_ones_are_counted_with_their_copies() {
        let group = Group {
            lead: shown(0, 0),
            members: vec![shown(1, 0), shown(2, 3), shown(3, 0), shown(4, 2)],
        };
        assert_eq!(group.listed(2), (&[shown(1, 0), shown(2, 3)][..], 1 + 3));
        assert_eq!(group.listed(9), (&group.members[..], 0));
        assert_eq!(group.listed(0), (&[][..], 4 + 5));
    }

    #[test]
    fn unclustered_hits_stand_alone_unless_they_are_copies() {
        let groups = group_by_story(&[
            hit(1, None, None),
            hit(2, None, None),
            hit(3, Some(1), None),
        ]);
        assert_eq!(
            groups,
            vec![
                Group {
                    lead: shown(0, 1),
                    members: vec![]
                },
                Group {
                    lead: shown(1, 0),
                    members: vec![]
                },
            ]
        );
    }

    #[test]
    fn the_pager_counts_groups_exactly_once_every_hit_is_grouped() {
        assert_eq!(grouped_total(7, 12, 12), 7);
        assert_eq!(grouped_total(0, 0, 0), 0);
    }

    #[test]
    fn the_pager_estimates_groups_from_those_seen_per_hit() {
        // 50 groups among the first 100 of 1,000 hits: about 500.
        assert_eq!(grouped_total(50, 100, 1_000), 500);
        // Never fewer than were seen.
        assert_eq!(grouped_total(50, 100, 101), 51);
    }
}
