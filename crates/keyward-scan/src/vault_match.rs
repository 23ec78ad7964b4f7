//! Finds the vault's own values in scanned text, in the forms a leaked value usually
//! takes: as is, base64 (standard and URL-safe, at each alignment inside a longer
//! encoded text), percent-encoded and hex.
//!
//! The automaton holds only the first [`PREFIX`] bytes of each form; a prefix hit is
//! confirmed against the full form, which is kept in zeroized memory. So the searchable
//! structure, whose memory the automaton library does not wipe, never holds a whole
//! secret, and everything that does is wiped when the matcher is dropped.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::keywords::{KeywordAutomaton, KeywordHit};
use base64::Engine;
use zeroize::Zeroizing;

use keyward_model::SecretValue;

/// Bytes of each form the automaton searches for.
const PREFIX: usize = 8;
/// Values shorter than this are not searched: they would match everywhere.
pub const MIN_VALUE_LEN: usize = 8;
/// Up to this many distinct prefixes (about a hundred credentials) the prefixes are
/// searched with the keyword pass's walk over a DFA, several times faster than the
/// library's default automaton; the DFA then stays under about 4 MiB. Larger vaults use
/// the library's automaton, which picks a compact form for many patterns.
const WALK_PREFIX_LIMIT: usize = 1024;

/// A vault value to look for, with the credential it belongs to.
pub struct VaultValue {
    pub credential: String,
    pub value: SecretValue,
}

struct Form {
    credential: usize,
    bytes: Zeroizing<Vec<u8>>,
}

/// A hit of a vault value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultHit {
    pub credential: String,
    pub start: usize,
    pub end: usize,
}

pub struct VaultMatcher {
    credentials: Vec<String>,
    forms: Vec<Form>,
    /// For each automaton pattern, the forms starting with it.
    prefix_forms: Vec<Vec<usize>>,
    automaton: Option<PrefixSearch>,
}

/// The automaton over the prefixes, by vault size (see [`WALK_PREFIX_LIMIT`]).
enum PrefixSearch {
    /// Boxed: the DFA's header is large next to the library's handle.
    Walk(Box<KeywordAutomaton>),
    Library(AhoCorasick),
}

impl std::fmt::Debug for VaultMatcher {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "VaultMatcher({} credentials, {} forms)",
            self.credentials.len(),
            self.forms.len()
        )
    }
}

impl VaultMatcher {
    pub fn new(values: Vec<VaultValue>) -> Self {
        let mut credentials = Vec::new();
        let mut forms: Vec<Form> = Vec::new();
        for value in values {
            if value.value.len() < MIN_VALUE_LEN {
                continue;
            }
            credentials.push(value.credential);
            let credential = credentials.len() - 1;
            for bytes in encoded_forms(value.value.expose()) {
                if !forms
                    .iter()
                    .any(|form| form.credential == credential && form.bytes == bytes)
                {
                    forms.push(Form { credential, bytes });
                }
            }
        }
        let mut prefixes: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        let mut prefix_forms: Vec<Vec<usize>> = Vec::new();
        for (index, form) in forms.iter().enumerate() {
            let prefix = &form.bytes[..form.bytes.len().min(PREFIX)];
            match prefixes.iter().position(|known| known.as_slice() == prefix) {
                Some(slot) => prefix_forms[slot].push(index),
                None => {
                    prefixes.push(Zeroizing::new(prefix.to_vec()));
                    prefix_forms.push(vec![index]);
                }
            }
        }
        let automaton = (!prefixes.is_empty()).then(|| {
            let prefixes: Vec<&[u8]> = prefixes.iter().map(|prefix| prefix.as_slice()).collect();
            if prefixes.len() <= WALK_PREFIX_LIMIT {
                PrefixSearch::Walk(Box::new(
                    KeywordAutomaton::new(&prefixes, false).expect("literal prefixes always build"),
                ))
            } else {
                PrefixSearch::Library(
                    AhoCorasickBuilder::new()
                        .match_kind(MatchKind::Standard)
                        .build(prefixes)
                        .expect("literal prefixes always build"),
                )
            }
        });
        Self {
            credentials,
            forms,
            prefix_forms,
            automaton,
        }
    }

    /// How many credentials are searched for.
    pub fn len(&self) -> usize {
        self.credentials.len()
    }

    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty()
    }

    /// Every place a vault value occurs in `data`, longest form first where forms overlap.
    pub fn find(&self, data: &[u8]) -> Vec<VaultHit> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut prefix_hits: Vec<KeywordHit> = Vec::new();
        match automaton {
            PrefixSearch::Walk(walk) => walk.find_all(data, &mut prefix_hits),
            PrefixSearch::Library(automaton) => {
                prefix_hits.extend(automaton.find_overlapping_iter(data).map(|hit| KeywordHit {
                    start: hit.start(),
                    end: hit.end(),
                    keyword: hit.pattern().as_usize(),
                }));
            }
        }
        let mut hits: Vec<VaultHit> = Vec::new();
        for hit in prefix_hits {
            for &index in &self.prefix_forms[hit.keyword] {
                let form = &self.forms[index];
                let end = hit.start + form.bytes.len();
                if end <= data.len() && data[hit.start..end] == form.bytes[..] {
                    let credential = self.credentials[form.credential].clone();
                    let found = VaultHit {
                        credential,
                        start: hit.start,
                        end,
                    };
                    let overlapping = hits.iter_mut().find(|known| {
                        known.start < found.end
                            && found.start < known.end
                            && known.credential == found.credential
                    });
                    match overlapping {
                        Some(known) if found.end - found.start > known.end - known.start => {
                            *known = found
                        }
                        Some(_) => {}
                        None => hits.push(found),
                    }
                }
            }
        }
        hits
    }
}

/// The value and the encodings it is commonly found in.
fn encoded_forms(value: &[u8]) -> Vec<Zeroizing<Vec<u8>>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut forms = vec![Zeroizing::new(value.to_vec())];
    forms.push(Zeroizing::new(STANDARD.encode(value).into_bytes()));
    forms.push(Zeroizing::new(STANDARD_NO_PAD.encode(value).into_bytes()));
    forms.push(Zeroizing::new(URL_SAFE_NO_PAD.encode(value).into_bytes()));
    // Inside a longer encoded text the value can start at any of three byte alignments;
    // each gives a different run of characters that depend on the value alone.
    for offset in 0..3 {
        let mut shifted = Zeroizing::new(vec![0u8; offset]);
        shifted.extend_from_slice(value);
        let first = (offset * 8).div_ceil(6);
        let last = shifted.len() * 8 / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = Zeroizing::new(engine.encode(shifted.as_slice()).into_bytes());
            if last > first + MIN_VALUE_LEN {
                forms.push(Zeroizing::new(encoded[first..last].to_vec()));
            }
        }
    }
    forms.push(Zeroizing::new(hex::encode(value).into_bytes()));
    forms.push(Zeroizing::new(hex::encode_upper(value).into_bytes()));
    let encoded = percent_encode(value);
    if encoded.as_slice() != value {
        forms.push(encoded);
    }
    // Longest first, so that the padded base64 form wins over its unpadded prefix.
    forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    forms
}

fn percent_encode(value: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(value.len() * 3));
    for byte in value {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(*byte);
        } else {
            out.extend_from_slice(format!("%{byte:02X}").as_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(value: &str) -> VaultMatcher {
        VaultMatcher::new(vec![VaultValue {
            credential: "billing".into(),
            value: SecretValue::from_string(value.into()),
        }])
    }

    #[test]
    fn every_encoded_form_is_found_and_named() {
        let value = "s3cr3t/Value+With=Symbols";
        let matcher = matcher(value);
        let encodings = [
            value.to_string(),
            base64::engine::general_purpose::STANDARD.encode(value),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value),
            hex::encode(value),
            String::from_utf8(percent_encode(value.as_bytes()).to_vec()).unwrap(),
        ];
        for encoded in encodings {
            let text = format!("prefix {encoded} suffix");
            let hits = matcher.find(text.as_bytes());
            assert_eq!(hits.len(), 1, "{encoded}: {hits:?}");
            assert_eq!(hits[0].credential, "billing");
            assert_eq!(
                &text.as_bytes()[hits[0].start..hits[0].end],
                encoded.as_bytes()
            );
        }
    }

    #[test]
    fn small_and_large_vaults_find_the_same_values() {
        // Past the prefix limit the matcher switches automata; both must name the same
        // credentials at the same places.
        let values = |count: usize| {
            (0..count)
                .map(|index| VaultValue {
                    credential: format!("service-{index}"),
                    value: SecretValue::from_string(format!("{index:04}-value-Zq9/x+Lm")),
                })
                .collect::<Vec<_>>()
        };
        let small = VaultMatcher::new(values(3));
        let large = VaultMatcher::new(values(400));
        assert!(matches!(small.automaton, Some(PrefixSearch::Walk(_))));
        assert!(matches!(large.automaton, Some(PrefixSearch::Library(_))));
        let text = format!(
            "a = \"0001-value-Zq9/x+Lm\"\nb = {}\n{}",
            hex::encode("0002-value-Zq9/x+Lm"),
            "filler text without values\n".repeat(400)
        );
        let named = |matcher: &VaultMatcher| {
            let mut hits: Vec<(String, usize, usize)> = matcher
                .find(text.as_bytes())
                .into_iter()
                .map(|hit| (hit.credential, hit.start, hit.end))
                .collect();
            hits.sort();
            hits
        };
        let found = named(&small);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "service-1");
        assert_eq!(found[1].0, "service-2");
        assert_eq!(found, named(&large));
    }

    #[test]
    fn a_value_inside_a_longer_base64_text_is_found_at_every_alignment() {
        let value = "pa55word-for-the-db";
        let matcher = matcher(value);
        for prefix in ["", "u", "us", "use", "user:"] {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{prefix}{value}\n"));
            assert_eq!(
                matcher.find(encoded.as_bytes()).len(),
                1,
                "prefix {prefix:?}: {encoded}"
            );
        }
    }

    #[test]
    fn a_prefix_alone_is_not_a_hit() {
        let matcher = matcher("abcdefgh-the-rest-of-it");
        assert!(matcher.find(b"abcdefgh-something-else").is_empty());
    }

    #[test]
    fn short_values_are_not_searched() {
        assert!(matcher("short").is_empty());
    }
}
