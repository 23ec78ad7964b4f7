//! The detector: one buffer in, candidate secrets out.
//!
//! One case-insensitive Aho-Corasick pass ([`super::keywords`]) finds every rule keyword.
//! Each hit opens a window around itself (the hit's line, at most [`WINDOW`] bytes either
//! side, so a minified one-line bundle costs no more than a normal file), and only the
//! rules that keyword triggers run their regex, over the merged windows. Matches then pass
//! the rule's checks. The vault matcher runs over the whole buffer independently.

use super::checks;
use super::content::{ContentClass, classify};
use super::keywords::KeywordHit;
use super::rules::{Checksum, Rule, RuleSet};
use super::vault_match::VaultMatcher;

/// Bytes searched on each side of a keyword hit, within its line.
const WINDOW: usize = 512;
/// Bytes searched after a keyword hit by multi-line rules (PEM blocks).
const MULTILINE_WINDOW: usize = 16 * 1024;
/// The inline marker that accepts provider-rule findings on its line (never a vault
/// value: see [`Detector::detect`]).
pub const INLINE_ALLOW: &[u8] = b"keyward:allow";

/// A secret found in a buffer, before it is tied to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The provider rule that matched (index into the rule set); `None` for a vault value
    /// that no rule recognized.
    pub rule: Option<usize>,
    pub vault_credential: Option<String>,
    /// Byte range of the secret in the buffer.
    pub start: usize,
    pub end: usize,
    /// 1-based.
    pub line: u32,
    pub column: u32,
}

/// Rules plus, when a vault is open, its values.
pub struct Detector {
    pub rules: RuleSet,
    pub vault: Option<VaultMatcher>,
}

impl Detector {
    pub fn new(rules: RuleSet, vault: Option<VaultMatcher>) -> Self {
        Self { rules, vault }
    }

    /// Every candidate in `data`, ordered by position.
    pub fn detect(&self, data: &[u8]) -> Vec<Candidate> {
        let class = classify(data);
        let mut found = self.rule_matches(data, class);
        if let Some(vault) = &self.vault {
            for hit in vault.find(data) {
                match found
                    .iter_mut()
                    .find(|candidate| candidate.start < hit.end && hit.start < candidate.end)
                {
                    Some(candidate) => candidate.vault_credential = Some(hit.credential),
                    None => found.push(Candidate {
                        rule: None,
                        vault_credential: Some(hit.credential),
                        start: hit.start,
                        end: hit.end,
                        line: 0,
                        column: 0,
                    }),
                }
            }
        }
        found.sort_by_key(|candidate| (candidate.start, candidate.end));
        drop_generic_overlaps(&mut found, &self.rules);
        locate(data, &mut found);
        // The inline marker accepts provider-rule findings only: anyone who can write the
        // file can write the marker, so it cannot hide a vault value.
        found.retain(|candidate| {
            candidate.vault_credential.is_some() || !line_allows(data, candidate.start)
        });
        found
    }

    fn rule_matches(&self, data: &[u8], class: ContentClass) -> Vec<Candidate> {
        let mut hits = Vec::new();
        self.rules.keywords.find_all(data, &mut hits);
        let mut found = Vec::new();
        if hits.is_empty() {
            return found;
        }
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.rules.rules.len()];
        for hit in &hits {
            let mut around = Around::new(data, hit);
            for &index in &self.rules.keyword_rules[hit.keyword] {
                let rule = &self.rules.rules[index];
                if rule.spec.generic && class != ContentClass::Text {
                    continue;
                }
                let end = if rule.spec.multiline {
                    (hit.end + MULTILINE_WINDOW).min(data.len())
                } else {
                    around.end()
                };
                let list = &mut windows[index];
                // Hits come by position, so a hit inside the rule's last window extends it
                // without looking for its line start at all.
                match list.last_mut() {
                    Some(last) if hit.start <= last.1 || around.start() <= last.1 => {
                        last.1 = last.1.max(end);
                    }
                    _ => list.push((around.start(), end)),
                }
            }
        }
        for (index, list) in windows.iter().enumerate() {
            let rule = &self.rules.rules[index];
            for &(start, end) in list {
                let starts_line = start == 0 || data[start - 1] == b'\n';
                let ends_line = end == data.len() || data[end] == b'\n';
                for captures in rule.regex.captures_iter(&data[start..end]) {
                    let Some(secret) = secret_group(rule, &captures) else {
                        continue;
                    };
                    let (secret_start, secret_end) = (start + secret.start(), start + secret.end());
                    // A match touching a window edge that is not a line edge may be a
                    // piece of something longer.
                    if (secret_start == start && !starts_line) || (secret_end == end && !ends_line)
                    {
                        continue;
                    }
                    let name = rule
                        .name_group
                        .and_then(|group| captures.get(group))
                        .map(|name| name.as_bytes());
                    if accept(rule, data, secret_start, secret_end, name) {
                        found.push(Candidate {
                            rule: Some(index),
                            vault_credential: None,
                            start: secret_start,
                            end: secret_end,
                            line: 0,
                            column: 0,
                        });
                    }
                }
            }
        }
        found
    }
}

/// The secret is the first participating group other than `name`, or the whole match.
fn secret_group<'h>(
    rule: &Rule,
    captures: &regex::bytes::Captures<'h>,
) -> Option<regex::bytes::Match<'h>> {
    (1..captures.len())
        .filter(|group| Some(*group) != rule.name_group)
        .find_map(|group| captures.get(group))
        .or_else(|| captures.get(0))
}

/// The checks a match must pass to be reported.
fn accept(rule: &Rule, data: &[u8], start: usize, end: usize, name: Option<&[u8]>) -> bool {
    let secret = &data[start..end];
    match rule.checksum {
        Some(Checksum::GithubCrc32) if !checks::github_checksum_valid(secret) => return false,
        Some(Checksum::Jwt) if !checks::jwt_valid(secret) => return false,
        _ => {}
    }
    let random = rule.strip_prefix(secret);
    if checks::is_placeholder(random) {
        return false;
    }
    if rule.checksum.is_none()
        && !rule.spec.multiline
        && checks::shannon_entropy(random) < rule.entropy
    {
        return false;
    }
    if let Some(name) = name {
        if checks::is_benign_name(name) || checks::is_code_like(secret) {
            return false;
        }
        // A generic value needs more than letters: digits or symbols.
        if !secret.iter().any(|byte| !byte.is_ascii_alphabetic()) {
            return false;
        }
    }
    !checks::inside_embedded_blob(data, start)
}

/// A generic match overlapping a provider rule's match is the same secret, reported
/// better by the provider rule.
fn drop_generic_overlaps(found: &mut Vec<Candidate>, rules: &RuleSet) {
    let is_generic = |candidate: &Candidate| {
        candidate
            .rule
            .is_some_and(|index| rules.rules[index].spec.generic)
    };
    let specific: Vec<(usize, usize)> = found
        .iter()
        .filter(|candidate| !is_generic(candidate))
        .map(|candidate| (candidate.start, candidate.end))
        .collect();
    found.retain(|candidate| {
        !is_generic(candidate)
            || !specific
                .iter()
                .any(|(start, end)| *start < candidate.end && candidate.start < *end)
    });
    found.dedup_by(|later, earlier| {
        later.start == earlier.start && later.end == earlier.end && later.rule == earlier.rule
    });
}

/// The window around one keyword hit: from the start of its line to the end of its line,
/// at most [`WINDOW`] bytes either side; each edge is looked for once, when first needed.
struct Around<'a> {
    data: &'a [u8],
    hit: &'a KeywordHit,
    start: Option<usize>,
    end: Option<usize>,
}

impl<'a> Around<'a> {
    fn new(data: &'a [u8], hit: &'a KeywordHit) -> Self {
        Self {
            data,
            hit,
            start: None,
            end: None,
        }
    }

    fn start(&mut self) -> usize {
        *self
            .start
            .get_or_insert_with(|| line_start(self.data, self.hit.start, WINDOW))
    }

    fn end(&mut self) -> usize {
        *self
            .end
            .get_or_insert_with(|| line_end(self.data, self.hit.end, WINDOW))
    }
}

/// The start of the line holding `at`, looking back at most `reach` bytes.
fn line_start(data: &[u8], at: usize, reach: usize) -> usize {
    let floor = at.saturating_sub(reach);
    memchr::memrchr(b'\n', &data[floor..at]).map_or(floor, |position| floor + position + 1)
}

/// The end (the newline or the buffer's end) of the line holding `at`, looking ahead at
/// most `reach` bytes.
fn line_end(data: &[u8], at: usize, reach: usize) -> usize {
    let ceiling = (at + reach).min(data.len());
    memchr::memchr(b'\n', &data[at..ceiling]).map_or(ceiling, |position| at + position)
}

/// Fills in line and column numbers; `found` is sorted by start.
fn locate(data: &[u8], found: &mut [Candidate]) {
    let mut line = 1u32;
    let mut counted_to = 0usize;
    let mut last_newline: Option<usize> = None;
    for candidate in found.iter_mut() {
        for offset in memchr::memchr_iter(b'\n', &data[counted_to..candidate.start]) {
            line += 1;
            last_newline = Some(counted_to + offset);
        }
        counted_to = candidate.start;
        candidate.line = line;
        let column_base = last_newline.map_or(0, |position| position + 1);
        candidate.column = u32::try_from(candidate.start - column_base + 1).unwrap_or(u32::MAX);
    }
}

/// Whether the line holding `at` carries the inline allow marker (looked for within
/// 4 KiB either side, so a minified megabyte-long line costs no more than a short one).
fn line_allows(data: &[u8], at: usize) -> bool {
    let start = line_start(data, at, 4096);
    let end = line_end(data, at, 4096);
    data[start..end]
        .windows(INLINE_ALLOW.len())
        .any(|window| window.eq_ignore_ascii_case(INLINE_ALLOW))
}
