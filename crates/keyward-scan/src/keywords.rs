//! The keyword pass: every occurrence of every rule keyword in a buffer, case-insensitively,
//! overlapping ones included (a keyword inside another still selects its own rules). The
//! vault matcher uses the same walk, case-sensitively, for the prefixes of vault values.
//!
//! This pass touches every byte of every file, so it sets the scanner's speed. It walks an
//! Aho-Corasick DFA, whose next state depends on the previous one: one walk waits on one
//! table load per byte, and the CPU sits idle in between. The buffer is therefore cut
//! into [`STREAMS`] stretches walked in the same loop, three independent chains of loads
//! the CPU overlaps; each stretch runs on past its end by the longest keyword, so a
//! keyword straddling a cut is found by the stretch it starts in. On the benchmark
//! corpus this is three times as fast as the library's own overlapping iterator (see
//! docs/BENCHMARKS.md).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, BuildError, MatchKind};

/// Independent walks per buffer: three measured fastest on the bench corpus (two
/// overlap too few loads; four measured slower than three).
const STREAMS: usize = 3;
/// Buffers shorter than this are walked in one stretch: cutting them gains nothing.
const MIN_SPLIT_LEN: usize = 4096;

/// One keyword occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct KeywordHit {
    pub start: usize,
    pub end: usize,
    /// Index of the keyword in the list the automaton was built from.
    pub keyword: usize,
}

/// The compiled keywords.
#[derive(Debug, Clone)]
pub(crate) struct KeywordAutomaton {
    dfa: DFA,
    start: StateID,
}

impl KeywordAutomaton {
    /// Compiles `keywords`, matched ignoring ASCII case or not.
    pub fn new<K: AsRef<[u8]>>(keywords: &[K], ignore_case: bool) -> Result<Self, BuildError> {
        let dfa = DFA::builder()
            .ascii_case_insensitive(ignore_case)
            .match_kind(MatchKind::Standard)
            // The prefilter only helps a walk that may skip ahead from its start state;
            // with two hundred keywords it finds a candidate every few bytes.
            .prefilter(false)
            .build(keywords)?;
        let start = dfa
            .start_state(Anchored::No)
            .expect("an unanchored DFA has an unanchored start state");
        Ok(Self { dfa, start })
    }

    /// Every keyword occurrence in `data`, appended to `hits` ordered by start (then end,
    /// then keyword).
    pub fn find_all(&self, data: &[u8], hits: &mut Vec<KeywordHit>) {
        let first = hits.len();
        if data.len() < MIN_SPLIT_LEN {
            self.walk(data, 0, data.len(), data.len(), self.start, hits);
        } else {
            self.find_split(data, hits);
        }
        hits[first..].sort_unstable();
    }

    // Indexing the three stretches by one offset measured faster than zipping them.
    #[expect(
        clippy::needless_range_loop,
        reason = "the offset indexes every stretch, not one"
    )]
    fn find_split(&self, data: &[u8], hits: &mut Vec<KeywordHit>) {
        let stretch = data.len() / STREAMS;
        let stretches: [&[u8]; STREAMS] =
            std::array::from_fn(|index| &data[index * stretch..(index + 1) * stretch]);
        let mut states = [self.start; STREAMS];
        for offset in 0..stretch {
            for (index, state) in states.iter_mut().enumerate() {
                *state = self
                    .dfa
                    .next_state(Anchored::No, *state, stretches[index][offset]);
                if self.dfa.is_special(*state) {
                    self.report(*state, index * stretch + offset + 1, usize::MAX, hits);
                }
            }
        }
        // Each stretch runs on into the next one far enough to finish the keywords that
        // start inside it, and reports only those; the last one runs to the end.
        let overrun = self.dfa.max_pattern_len().saturating_sub(1);
        for (index, state) in states.into_iter().enumerate() {
            let end = (index + 1) * stretch;
            if index + 1 == STREAMS {
                self.walk(data, end, data.len(), data.len(), state, hits);
            } else {
                self.walk(data, end, (end + overrun).min(data.len()), end, state, hits);
            }
        }
    }

    /// Walks `data[from..to]` from `state`, reporting keywords that start before `limit`.
    fn walk(
        &self,
        data: &[u8],
        from: usize,
        to: usize,
        limit: usize,
        mut state: StateID,
        hits: &mut Vec<KeywordHit>,
    ) {
        for (position, byte) in data[from..to].iter().enumerate() {
            state = self.dfa.next_state(Anchored::No, state, *byte);
            if self.dfa.is_special(state) {
                self.report(state, from + position + 1, limit, hits);
            }
        }
    }

    /// Records the keywords that end at `end` if `state` is a match state (without a
    /// prefilter, the only special states an unanchored walk reaches).
    #[inline(never)]
    fn report(&self, state: StateID, end: usize, limit: usize, hits: &mut Vec<KeywordHit>) {
        if !self.dfa.is_match(state) {
            return;
        }
        for index in 0..self.dfa.match_len(state) {
            let pattern = self.dfa.match_pattern(state, index);
            let start = end - self.dfa.pattern_len(pattern);
            if start < limit {
                hits.push(KeywordHit {
                    start,
                    end,
                    keyword: pattern.as_usize(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use aho_corasick::AhoCorasickBuilder;

    /// The library's overlapping iterator, the reference the split walk must agree with.
    fn reference(keywords: &[&str], data: &[u8]) -> Vec<KeywordHit> {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(keywords)
            .unwrap();
        let mut hits: Vec<KeywordHit> = automaton
            .find_overlapping_iter(data)
            .map(|hit| KeywordHit {
                start: hit.start(),
                end: hit.end(),
                keyword: hit.pattern().as_usize(),
            })
            .collect();
        hits.sort_unstable();
        hits
    }

    fn found(keywords: &[&str], data: &[u8]) -> Vec<KeywordHit> {
        let mut hits = Vec::new();
        KeywordAutomaton::new(keywords, true)
            .unwrap()
            .find_all(data, &mut hits);
        hits
    }

    #[test]
    fn keywords_straddling_every_cut_are_found_once() {
        let keywords = ["password", "pass", "word", "sk_live_", "://"];
        // Keywords planted at every offset around the two cuts of a split buffer.
        for length in [MIN_SPLIT_LEN, MIN_SPLIT_LEN + 1, MIN_SPLIT_LEN + 2, 9001] {
            let stretch = length / STREAMS;
            for cut in [stretch, 2 * stretch] {
                for shift in 0..10 {
                    let mut data = vec![b'x'; length];
                    let at = cut - shift;
                    data[at..at + 8].copy_from_slice(b"PassWord");
                    data[length - 4..].copy_from_slice(b"s://");
                    assert_eq!(
                        found(&keywords, &data),
                        reference(&keywords, &data),
                        "length {length}, keyword at {at}, cut at {cut}"
                    );
                }
            }
        }
    }

    #[test]
    fn overlapping_and_nested_keywords_are_all_reported() {
        let keywords = ["api_key", "key", "_k", "pwd"];
        let text = b"API_KEY=1 apikey pwd key_".repeat(400);
        let hits = found(&keywords, &text);
        assert_eq!(hits, reference(&keywords, &text));
        assert!(
            hits.iter().any(|hit| hit.keyword == 1 && hit.start == 4),
            "a keyword inside a longer one must select its own rules too"
        );
    }

    #[test]
    fn exact_case_matching_leaves_other_cases_alone() {
        let mut hits = Vec::new();
        KeywordAutomaton::new(&["AbC"], false)
            .unwrap()
            .find_all(&b"abc ABC AbC ".repeat(1000), &mut hits);
        assert_eq!(
            hits.len(),
            1000,
            "only the exact spelling is a vault-value prefix"
        );
        assert!(hits.iter().all(|hit| hit.start % 12 == 8));
    }

    #[test]
    fn short_buffers_are_walked_whole() {
        let keywords = ["ghp_", "xoxb-"];
        let text = b"token: ghp_abc xoxb-1";
        assert_eq!(found(&keywords, text), reference(&keywords, text));
        assert!(found(&keywords, b"").is_empty());
    }
}
