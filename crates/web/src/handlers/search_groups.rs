//! Folding a page of search hits by story, as news search does: each story appears
//! once, at the rank of its best hit, with the other sources' articles listed under
//! it and copies of one wire text counted rather than repeated.

use herald_types::{ArticleId, StoryId};
use std::collections::HashMap;

/// What grouping needs of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HitKey {
    pub id: ArticleId,
    /// The canonical article when this one is a copy of its wire text.
    pub duplicate_of: Option<ArticleId>,
    pub story: Option<StoryId>,
}

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

/// Groups ranked hits (one page of results; a story whose hits fall on two pages
/// appears on both): a hit whose wire text is already shown counts as a copy of
/// that entry; a hit of a story already shown joins that story's group; any other
/// hit leads a group of its own. Groups keep the rank of their best hit.
pub(crate) fn group_by_story(hits: &[HitKey]) -> Vec<Group> {
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
        if let Some(&g) = hit.story.and_then(|s| stories.get(&s)) {
            texts.insert(text, (g, Some(groups[g].members.len())));
            groups[g].members.push(entry);
            continue;
        }
        texts.insert(text, (groups.len(), None));
        if let Some(story) = hit.story {
            stories.insert(story, groups.len());
        }
        groups.push(Group {
            lead: entry,
            members: Vec::new(),
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: i64, duplicate_of: Option<i64>, story: Option<i64>) -> HitKey {
        HitKey {
            id: ArticleId(id),
            duplicate_of: duplicate_of.map(ArticleId),
            story: story.map(StoryId),
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
}
