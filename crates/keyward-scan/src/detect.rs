//! The detector: one buffer in, candidate secrets out.
//!
//! One case-insensitive Aho-Corasick pass ([`super::keywords`]) finds every rule keyword.
//! Each hit opens a window around itself (the hit's line, at most [`WINDOW`] bytes either
//! side, so a minified one-line bundle costs no more than a normal file), and only the
//! rules that keyword triggers run their regex, over the merged windows. Matches then pass
//! the rule's checks. The vault matcher runs over the whole buffer independently.
//!
//! A window cut in the middle of a long value runs on to the value's end (at most
//! [`LONG_VALUE`]); an escaped JSON document is searched as its unescaped text, and a
//! private key written as per-line string literals as the block it spells (see
//! [`super::views`]), with positions mapped back to the bytes on disk.

use super::checks;
use super::content::{ContentClass, classify};
use super::context;
use super::keywords::KeywordHit;
use super::rules::{Checksum, Rule, RuleSet};
use super::vault_match::VaultMatcher;
use super::views;

/// Bytes searched on each side of a keyword hit, within its line.
const WINDOW: usize = 512;
/// How far past a keyword hit a value may run: a window cut short by [`WINDOW`] in the
/// middle of a run of token bytes is carried on to the run's end, up to this. Long
/// tokens (1Password service-account tokens, AWS session tokens) are well under it; a
/// base64 blob in a minified bundle is cut here rather than searched whole.
const LONG_VALUE: usize = 16 * 1024;
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
    /// Byte range of the whole regex match the secret was taken from (the secret's own
    /// range for a vault value), for allowlists that look at the match.
    pub match_start: usize,
    pub match_end: usize,
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

    /// Every candidate in `data`, ordered by position, for text whose file is unknown.
    pub fn detect(&self, data: &[u8]) -> Vec<Candidate> {
        self.detect_in(data, FileKind::Unknown)
    }

    /// Every candidate in `data`, the content of the file at `relative`.
    pub fn detect_file(&self, data: &[u8], relative: &str) -> Vec<Candidate> {
        let kind = if context::is_source_code(relative) {
            FileKind::Source
        } else {
            FileKind::Unknown
        };
        self.detect_in(data, kind)
    }

    fn detect_in(&self, data: &[u8], file: FileKind) -> Vec<Candidate> {
        let class = classify(data);
        let mut found = self.rule_matches(data, class, file);
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
                        match_start: hit.start,
                        match_end: hit.end,
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

    /// Rule matches in `data`, or for an escaped JSON document in its unescaped text,
    /// with positions in `data` either way.
    fn rule_matches(&self, data: &[u8], class: ContentClass, file: FileKind) -> Vec<Candidate> {
        if !views::looks_like_escaped_json(data) {
            return self.rule_matches_in(data, class, file);
        }
        let view = views::unescape_json(data);
        let mut found = self.rule_matches_in(&view.text, class, file);
        for candidate in &mut found {
            candidate.start = view.map.source(candidate.start);
            candidate.end = view.map.source(candidate.end);
            candidate.match_start = view.map.source(candidate.match_start);
            candidate.match_end = view.map.source(candidate.match_end);
        }
        found
    }

    fn rule_matches_in(&self, data: &[u8], class: ContentClass, file: FileKind) -> Vec<Candidate> {
        let mut hits = Vec::new();
        self.rules.keywords.find_all(data, &mut hits);
        let mut found = Vec::new();
        if hits.is_empty() {
            return found;
        }
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.rules.rules.len()];
        let mut runs = TokenRuns::default();
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
                    around.end(&mut runs)
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
                let before = found.len();
                self.window_matches(index, data, start, end, file, &mut found);
                if rule.spec.multiline
                    && found.len() == before
                    && views::may_hold_literals(&data[start..end])
                {
                    self.literal_matches(index, data, start, end, file, &mut found);
                }
            }
        }
        found
    }

    /// Matches of rule `index` in `data[start..end]`, appended to `found`.
    fn window_matches(
        &self,
        index: usize,
        data: &[u8],
        start: usize,
        end: usize,
        file: FileKind,
        found: &mut Vec<Candidate>,
    ) {
        let rule = &self.rules.rules[index];
        let starts_line = start == 0 || data[start - 1] == b'\n';
        // A window ends on a line end, or (after a long value) where the run of token
        // bytes ends: either way nothing past it continues a match.
        let ends_clean = end == data.len() || data[end] == b'\n' || !is_token_byte(data[end]);
        for captures in rule.regex.captures_iter(&data[start..end]) {
            let Some(secret) = secret_group(rule, &captures) else {
                continue;
            };
            let (secret_start, secret_end) = (start + secret.start(), start + secret.end());
            // A match touching a window edge that is not a line edge may be a piece of
            // something longer.
            if (secret_start == start && !starts_line) || (secret_end == end && !ends_clean) {
                continue;
            }
            let name = rule
                .name_group
                .and_then(|group| captures.get(group))
                .map(|name| name.as_bytes());
            let accepted = accept(rule, data, secret_start, secret_end, name)
                && (name.is_none()
                    || rule.filter.is_some()
                    || self.generic_value_is_literal(data, secret_start, secret_end, file));
            if accepted {
                let whole = captures.get(0).expect("group 0 is the match");
                found.push(Candidate {
                    rule: Some(index),
                    vault_credential: None,
                    start: secret_start,
                    end: secret_end,
                    match_start: start + whole.start(),
                    match_end: start + whole.end(),
                    line: 0,
                    column: 0,
                });
            }
        }
    }

    /// Matches of the multi-line rule `index` in `data[start..end]` read as a key written
    /// one string literal per line; each is reported from its header to its footer as
    /// the source spells them.
    fn literal_matches(
        &self,
        index: usize,
        data: &[u8],
        start: usize,
        end: usize,
        file: FileKind,
        found: &mut Vec<Candidate>,
    ) {
        let view = views::join_literals(&data[start..end]);
        let mut joined = Vec::new();
        self.window_matches(index, &view.text, 0, view.text.len(), file, &mut joined);
        for mut candidate in joined {
            candidate.start = start + view.map.source(candidate.start);
            candidate.end = start + view.map.source(candidate.end);
            candidate.match_start = start + view.map.source(candidate.match_start);
            candidate.match_end = start + view.map.source(candidate.match_end);
            found.push(candidate);
        }
    }
}

impl Detector {
    /// Whether a generic assignment's value at `data[start..end]` is a literal that may be
    /// a secret: not an unquoted expression in program source, not an identifier, a
    /// constant's name, a call or a format string, and not shaped like a provider's
    /// token (the provider's rule has judged that one: reported it, or refused it as a
    /// fake whose checksum fails or a placeholder).
    fn generic_value_is_literal(
        &self,
        data: &[u8],
        start: usize,
        end: usize,
        file: FileKind,
    ) -> bool {
        let value = &data[start..end];
        let quoted = start > 0 && matches!(data[start - 1], b'"' | b'\'' | b'`');
        if file == FileKind::Source && !quoted {
            return false;
        }
        // Secrets are ASCII; a natural-language sentence in quotes is an example.
        if !value.is_ascii()
            || checks::is_identifier(value)
            || checks::is_call(value)
            || checks::is_format_string(value)
            || checks::is_encoded_json(value)
        {
            return false;
        }
        !self.shaped_like_provider_token(value)
    }

    /// Whether a provider rule (not a generic one) whose keyword occurs in `value`
    /// matches inside it on its own.
    fn shaped_like_provider_token(&self, value: &[u8]) -> bool {
        let mut hits = Vec::new();
        self.rules.keywords.find_all(value, &mut hits);
        hits.iter().any(|hit| {
            self.rules.keyword_rules[hit.keyword].iter().any(|&index| {
                let rule = &self.rules.rules[index];
                !rule.spec.generic && !rule.spec.multiline && rule.regex.is_match(value)
            })
        })
    }
}

/// What is known of the file a buffer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    /// Program source: string literals are quoted.
    Source,
    /// Configuration, scripts, documents, or not known.
    Unknown,
}

/// The secret is the first participating group other than `name`, or the whole match.
/// A rule from a gitleaks configuration takes its `secretGroup` (no secret when that
/// group did not take part or is empty), else its first non-empty group, as gitleaks
/// does.
fn secret_group<'h>(
    rule: &Rule,
    captures: &regex::bytes::Captures<'h>,
) -> Option<regex::bytes::Match<'h>> {
    if let Some(filter) = &rule.filter {
        return match filter.secret_group {
            Some(group) => captures.get(group).filter(|secret| !secret.is_empty()),
            None => (1..captures.len())
                .find_map(|group| captures.get(group).filter(|secret| !secret.is_empty()))
                .or_else(|| captures.get(0)),
        };
    }
    (1..captures.len())
        .filter(|group| Some(*group) != rule.name_group)
        .find_map(|group| captures.get(group))
        .or_else(|| captures.get(0))
}

/// The checks a match must pass to be reported.
fn accept(rule: &Rule, data: &[u8], start: usize, end: usize, name: Option<&[u8]>) -> bool {
    let secret = &data[start..end];
    if let Some(filter) = &rule.filter {
        // gitleaks' one check on a match: the whole secret's entropy, strictly above
        // the floor. Keyward's placeholder and blob heuristics would report less than
        // the rule's author tested against gitleaks.
        return filter
            .entropy
            .is_none_or(|floor| checks::shannon_entropy(secret) > floor);
    }
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
    !checks::is_documentation_host(data, end)
        && !checks::inside_embedded_blob(data, start)
        && (rule.spec.multiline || !checks::inside_wrapped_blob(data, start, end))
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

    /// The window's end: the line's, or [`WINDOW`] past the hit carried on through the
    /// token run it cuts.
    fn end(&mut self, runs: &mut TokenRuns) -> usize {
        let (data, hit) = (self.data, self.hit);
        *self.end.get_or_insert_with(|| {
            let end = line_end(data, hit.end, WINDOW);
            if end == data.len() || data[end] == b'\n' {
                end
            } else {
                runs.end(data, end, (hit.end + LONG_VALUE).min(data.len()))
            }
        })
    }
}

/// Bytes that make up tokens: base64 and base64url, and the separators of JWTs and
/// URL-encoded values.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(byte, b'+' | b'/' | b'=' | b'_' | b'-' | b'.' | b'~' | b'%')
}

/// The last token run measured, so hits close together inside one long run (a minified
/// bundle's embedded blob) measure it once between them rather than once each.
#[derive(Default)]
struct TokenRuns {
    /// `data[from..to]` is all token bytes.
    from: usize,
    to: usize,
    /// Whether `to` is the run's real end (a non-token byte or the buffer's end) rather
    /// than where the last measurement stopped.
    ended: bool,
}

impl TokenRuns {
    /// Where the run of token bytes from `at` ends, looking no further than `limit`.
    fn end(&mut self, data: &[u8], at: usize, limit: usize) -> usize {
        let known = self.from <= at && at <= self.to;
        if known && (self.ended || self.to >= limit) {
            return self.to.min(limit);
        }
        let scan_from = if known { self.to } else { at };
        let to = data[scan_from..limit]
            .iter()
            .position(|byte| !is_token_byte(*byte))
            .map_or(limit, |length| scan_from + length);
        if !known {
            self.from = at;
        }
        self.to = to;
        self.ended = to < limit || limit == data.len();
        to
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{Fill, expand};

    fn detector() -> Detector {
        Detector::new(RuleSet::builtin().expect("built-in rules"), None)
    }

    /// (rule id, secret text, line, column) of every candidate.
    fn found<'d>(detector: &Detector, data: &'d [u8]) -> Vec<(String, &'d str, u32, u32)> {
        detector
            .detect(data)
            .iter()
            .map(|candidate| {
                let rule = candidate
                    .rule
                    .map_or("vault", |index| detector.rules.rules[index].id());
                let text = std::str::from_utf8(&data[candidate.start..candidate.end]).unwrap();
                (rule.to_owned(), text, candidate.line, candidate.column)
            })
            .collect()
    }

    fn pem_body(seed: u64, lines: usize) -> Vec<String> {
        (0..lines)
            .map(|line| expand("{b64:64}", Fill::Real(seed + line as u64)))
            .collect()
    }

    #[test]
    fn wrapped_blobs_and_encoded_json_are_not_tokens() {
        // Lines of 64 base64 characters, the middle one starting like a Square token.
        let line = |template: &str, seed| expand(template, Fill::Real(seed));
        let (first, token, last) = (
            line("MIIE{b64:60}", 1),
            line("EAAA{b64:60}", 2),
            line("MFIZ{b64:60}", 3),
        );
        let blob = format!("  \"{first}\\n\"\n  \"{token}\\n\"\n  \"{last}\\n\"\n");
        let start = blob.find(&token).unwrap();
        assert!(checks::inside_wrapped_blob(
            blob.as_bytes(),
            start,
            start + 64
        ));
        let other = line("EAAA{b64:60}", 4);
        let tokens = format!("{token}\n{other}\n");
        assert!(
            !checks::inside_wrapped_blob(tokens.as_bytes(), 0, 64),
            "a list of tokens"
        );
        let alone = format!("SQUARE_TOKEN={token}\nPORT=8080\n");
        let start = alone.find(&token).unwrap();
        assert!(!checks::inside_wrapped_blob(
            alone.as_bytes(),
            start,
            start + 64
        ));

        let header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"HS256"}"#,
        );
        assert!(checks::is_encoded_json(header.as_bytes()));
        assert!(!checks::is_encoded_json(line("eyJ{an:32}", 5).as_bytes()));
        assert!(!checks::is_encoded_json(b"q8Zr2LmV0xT7bNcW"));
    }

    #[test]
    fn a_value_longer_than_the_window_after_its_keyword_is_found_whole() {
        let detector = detector();
        let onepassword = expand("ops_eyJ{url:900}", Fill::Real(1));
        let session = expand("{b64:1200}", Fill::Real(2));
        let text = format!(
            "export OP_SERVICE_ACCOUNT_TOKEN=\"{onepassword}\"\nAWS_SESSION_TOKEN={session} # temp\n"
        );
        let found = found(&detector, text.as_bytes());
        assert_eq!(
            found,
            vec![
                (
                    "onepassword-service-account-token".to_owned(),
                    onepassword.as_str(),
                    1,
                    34
                ),
                ("aws-session-token".to_owned(), session.as_str(), 2, 19),
            ]
        );
    }

    #[test]
    fn a_long_value_inside_a_megabyte_minified_line_is_found() {
        let detector = detector();
        let onepassword = expand("ops_eyJ{url:1000}", Fill::Real(3));
        let mut bundle = "var a=function(b){return b*2};".repeat(40_000);
        bundle.insert_str(600_000, &format!(";var t=\"{onepassword}\";"));
        let found = found(&detector, bundle.as_bytes());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, onepassword);
        assert_eq!((found[0].2, found[0].3), (1, 600_000 + 9));
    }

    #[test]
    fn a_token_run_past_the_cap_is_not_reported_as_a_piece() {
        let detector = detector();
        let endless = expand(
            &format!("ops_eyJ{{url:{}}}", LONG_VALUE + 100),
            Fill::Real(4),
        );
        let text = format!("t = {endless}\n");
        let found = found(&detector, text.as_bytes());
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn keyword_hits_inside_one_long_run_measure_it_once() {
        // Hits every 600 bytes through a 4 MB base64 run: each window stops at the cap,
        // and the run is walked once, not once per hit.
        let mut runs = TokenRuns::default();
        let data = vec![b'A'; 4 << 20];
        let mut previous = 0;
        for at in (0..data.len() - LONG_VALUE).step_by(600) {
            let end = runs.end(&data, at, at + LONG_VALUE);
            assert_eq!(end, at + LONG_VALUE);
            assert!(runs.to >= previous);
            previous = runs.to;
        }
        let mut ended = TokenRuns::default();
        let data = b"AAAA;BBBB";
        assert_eq!(ended.end(data, 1, data.len()), 4);
        assert_eq!(ended.end(data, 2, data.len()), 4, "inside a measured run");
        assert_eq!(ended.end(data, 5, data.len()), 9);
    }

    #[test]
    fn secrets_in_notebook_cells_are_found_at_their_place_in_the_file() {
        let detector = detector();
        let secret = expand("{b64:40}", Fill::Real(5));
        let notebook = format!(
            concat!(
                "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"source\": [\n",
                "    \"import boto3\\n\",\n",
                "    \"aws_secret_access_key = \\\"{secret}\\\"\\n\",\n",
                "    \"print(\\\"ok\\\")\"\n",
                "   ]\n  }}\n ],\n \"nbformat\": 4\n}}\n"
            ),
            secret = secret
        );
        let found = found(&detector, notebook.as_bytes());
        assert_eq!(
            found,
            vec![("aws-secret-access-key".to_owned(), secret.as_str(), 7, 32)]
        );
    }

    /// The label of the RSA keys below, and their armor lines built at run time, so this
    /// file holds no private key block for a scanner to report.
    const RSA: &str = "RSA PRIVATE KEY";

    fn armor(edge: &str, label: &str) -> String {
        format!("-----{edge} {label}-----")
    }

    #[test]
    fn a_private_key_with_json_escapes_is_found_in_a_service_account_file() {
        let detector = detector();
        let body = pem_body(10, 6).join("\\n");
        let (begin, end) = (armor("BEGIN", "PRIVATE KEY"), armor("END", "PRIVATE KEY"));
        let key = format!("{begin}\\n{body}\\n{end}");
        let file = format!(
            "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo\",\n  \"private_key\": \"{key}\\n\",\n  \"client_email\": \"a@demo.iam.gserviceaccount.com\"\n}}\n"
        );
        let found = found(&detector, file.as_bytes());
        assert_eq!(found, vec![("private-key".to_owned(), key.as_str(), 4, 19)]);
    }

    #[test]
    fn a_private_key_split_over_notebook_source_lines_is_one_finding() {
        let detector = detector();
        let mut source = vec![format!("    \"{}\\n\",", armor("BEGIN", RSA))];
        source.extend(
            pem_body(20, 5)
                .iter()
                .map(|line| format!("    \"{line}\\n\",")),
        );
        source.push(format!("    \"{}\\n\"", armor("END", RSA)));
        let notebook = format!(
            "{{\"cells\": [{{\"cell_type\": \"code\", \"source\": [\n    \"key = \\\"\\\"\\\"\\n\",\n{}\n]}}]}}\n",
            source.join("\n")
        );
        let found = found(&detector, notebook.as_bytes());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "private-key");
        assert!(found[0].1.starts_with(&armor("BEGIN", RSA)));
        assert!(found[0].1.ends_with(&armor("END", RSA)));
        assert_eq!((found[0].2, found[0].3), (3, 6));
    }

    #[test]
    fn private_keys_written_as_per_line_string_literals_are_one_finding() {
        let detector = detector();
        let body = pem_body(30, 6);
        let join = |open: &str, close: &str, indent: &str| {
            let mut lines = vec![format!("{open}{}\\n{close}", armor("BEGIN", RSA))];
            lines.extend(
                body.iter()
                    .map(|line| format!("{indent}{open}{line}\\n{close}")),
            );
            lines.push(format!("{indent}{open}{}\\n\"", armor("END", RSA)));
            lines.join("\n")
        };
        let sources = [
            (
                "c",
                format!("static const char *key = {};\n", join("\"", "\"", "    ")),
            ),
            ("go", format!("var key = {}\n", join("\"", "\" +", "\t"))),
            (
                "java",
                format!("String key =\n    {};\n", join("\"", "\" +", "    ")),
            ),
            (
                "python",
                format!("KEY = (\n    {}\n)\n", join("\"", "\"", "    ")),
            ),
            (
                "js",
                format!(
                    "const key = [\n  {}\n].join('');\n",
                    join("\"", "\",", "  ")
                ),
            ),
            (
                "rust",
                format!(
                    "const KEY: &str = concat!(\n    {}\n);\n",
                    join("\"", "\",", "    ")
                ),
            ),
        ];
        for (language, source) in sources {
            let found = found(&detector, source.as_bytes());
            assert_eq!(found.len(), 1, "{language}: {found:?}");
            let (rule, text, line, _) = &found[0];
            assert_eq!(rule, "private-key", "{language}");
            assert!(text.starts_with(&armor("BEGIN", RSA)), "{language}");
            assert!(text.ends_with(&armor("END", RSA)), "{language}");
            let header = source.lines().position(|l| l.contains("BEGIN")).unwrap() + 1;
            assert_eq!(*line as usize, header, "{language}");
        }
        // A Rust string with line continuations.
        let mut rust = format!("let key = \"{}\\n\\\n", armor("BEGIN", RSA));
        for line in &body {
            rust.push_str(&format!("    {line}\\n\\\n"));
        }
        rust.push_str(&format!("    {}\\n\";\n", armor("END", RSA)));
        let found = found(&detector, rust.as_bytes());
        assert_eq!(found.len(), 1, "rust continuation: {found:?}");
    }

    #[test]
    fn a_quoted_header_with_no_key_after_it_stays_silent() {
        let detector = detector();
        let code = format!(
            "if line == \"{}\" {{\n    return Kind::Rsa;\n}}\nlet end = \"{}\";\n",
            armor("BEGIN", RSA),
            armor("END", RSA)
        );
        assert!(found(&detector, code.as_bytes()).is_empty());
    }
}
