//! Fake secrets made from the rules' `samples` and `negatives` templates, for the rule
//! table test and the benchmark corpus. Templates hold slots instead of values
//! (`ghp_{an:30}{crc}`), so the rule files and the test sources contain nothing a scanner
//! would flag; the values only exist in memory and in generated fixtures.
//!
//! Slots: `{an:N}` letters and digits, `{lo:N}` lower-case letters and digits, `{up:N}`
//! upper-case letters and digits, `{alpha:N}` letters, `{lower:N}` lower-case letters,
//! `{dig:N}` digits, `{hex:N}` lower-case hex, `{uhex:N}` upper-case hex, `{b64:N}`
//! base64 alphabet, `{url:N}` base64url alphabet, `{b32:N}` and `{b32l:N}` base32,
//! `{bech:N}` bech32, `{crc}` the GitHub-style checksum of the slot before it, `{badcrc}`
//! a checksum of the right shape that fails, `{jwt}` a well-formed JWT, `{uuid}` a
//! lower-case UUID (version 4), `{x:N}` N times `x` (a placeholder a negative sample
//! shows, written as a slot so the file holds no token-shaped text). A brace that opens
//! no known slot is kept as text, so JSON samples (`{"auth": "{b64:40}"}`) expand.

use base64::Engine;

use super::checks::github_checksum;

/// How to fill a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Random values from this seed: a true positive.
    Real(u64),
    /// Every slot filled with `x`: a placeholder, as documentation shows it.
    Placeholder,
    /// The last random slot at half its length: token-shaped but too short.
    Truncated(u64),
    /// A correct shape with a wrong checksum.
    WrongChecksum(u64),
}

/// A small deterministic generator (xorshift64*), so fixtures are reproducible.
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    pub fn string(&mut self, alphabet: &[u8], length: usize) -> String {
        (0..length)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

fn alphabet(class: &str) -> Option<&'static [u8]> {
    Some(match class {
        "an" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "lo" => b"abcdefghijklmnopqrstuvwxyz0123456789",
        "up" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "alpha" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "lower" => b"abcdefghijklmnopqrstuvwxyz",
        "dig" => b"0123456789",
        "hex" => b"0123456789abcdef",
        "uhex" => b"0123456789ABCDEF",
        "b64" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "url" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        "b32" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "b32l" => b"abcdefghijklmnopqrstuvwxyz234567",
        "bech" => b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
        _ => return None,
    })
}

/// Expands a template. Unknown slots are kept literally, so a typo shows in the test.
pub fn expand(template: &str, fill: Fill) -> String {
    let seed = match fill {
        Fill::Real(seed) | Fill::Truncated(seed) | Fill::WrongChecksum(seed) => seed,
        Fill::Placeholder => 0,
    };
    let mut random = Random::new(seed);
    let last_slot = template
        .rfind("{")
        .filter(|_| matches!(fill, Fill::Truncated(_)));
    let last_random_slot = last_slot.map(|_| {
        let mut position = template.len();
        while let Some(found) = template[..position].rfind('{') {
            if !template[found..].starts_with("{crc}")
                && !template[found..].starts_with("{badcrc}")
                && !template[found..].starts_with("{x:")
            {
                return found;
            }
            position = found;
        }
        0
    });
    let mut out = String::new();
    let mut previous_slot = String::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let slot = &rest[open + 1..open + close];
        let at = offset + open;
        let value = match slot.split_once(':') {
            Some((class, length))
                if alphabet(class).is_some() && length.parse::<usize>().is_ok() =>
            {
                let mut length: usize = length.parse().expect("checked");
                if Some(at) == last_random_slot {
                    length /= 2;
                }
                match fill {
                    Fill::Placeholder => "x".repeat(length),
                    _ => random.string(alphabet(class).expect("checked"), length),
                }
            }
            Some(("x", length)) if length.parse::<usize>().is_ok() => {
                "x".repeat(length.parse().expect("checked"))
            }
            None if slot == "badcrc" => {
                let right = github_checksum(previous_slot.as_bytes());
                let first = if right.starts_with('A') { 'B' } else { 'A' };
                format!("{first}{}", &right[1..])
            }
            None if slot == "uuid" => match fill {
                Fill::Placeholder => "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".into(),
                _ => {
                    let hex = random.string(b"0123456789abcdef", 30);
                    let variant = random.string(b"89ab", 1);
                    let tail = if Some(at) == last_random_slot { 24 } else { 30 };
                    format!(
                        "{}-{}-4{}-{variant}{}-{}",
                        &hex[..8],
                        &hex[8..12],
                        &hex[12..15],
                        &hex[15..18],
                        &hex[18..tail]
                    )
                }
            },
            None if slot == "crc" => match fill {
                Fill::Placeholder => "xxxxxx".into(),
                Fill::WrongChecksum(_) => {
                    let right = github_checksum(previous_slot.as_bytes());
                    let first = if right.starts_with('A') { 'B' } else { 'A' };
                    format!("{first}{}", &right[1..])
                }
                _ => github_checksum(previous_slot.as_bytes()),
            },
            None if slot == "jwt" => jwt(&mut random, fill),
            // Not a slot (`{"type": …}` in a JSON sample, a misspelt slot): the brace
            // is text, and expansion goes on right after it.
            _ => {
                out.push('{');
                offset += open + 1;
                rest = &rest[open + 1..];
                continue;
            }
        };
        previous_slot.clone_from(&value);
        out.push_str(&value);
        offset += open + close + 1;
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The slots of `template` that look like slots (`{word}` or `{word:N}` in lower case)
/// but that [`expand`] does not know, so a misspelt slot fails the catalogue test
/// instead of leaving literal braces in a sample.
pub fn unknown_slots(template: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let slot = &rest[open + 1..open + close];
        let (class, length) = slot.split_once(':').unwrap_or((slot, ""));
        let slot_like = !class.is_empty()
            && class
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
            && length.bytes().all(|byte| byte.is_ascii_digit());
        let known = if length.is_empty() {
            matches!(class, "crc" | "badcrc" | "jwt" | "uuid")
        } else {
            class == "x" || alphabet(class).is_some()
        };
        if slot_like && !known {
            unknown.push(format!("{{{slot}}}"));
        }
        rest = &rest[open + close + 1..];
    }
    unknown
}

fn jwt(random: &mut Random, fill: Fill) -> String {
    let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    match fill {
        Fill::Placeholder => {
            "eyJxxxxxxxxxxxxxxx.eyJxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxx".into()
        }
        Fill::Truncated(_) => format!(
            "{}.{}",
            encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            "eyJzdWIi"
        ),
        _ => {
            let header = encode(r#"{"alg":"HS256","typ":"JWT"}"#);
            let subject = random.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 12);
            let payload = encode(&format!(
                r#"{{"sub":"{subject}","iat":1700000000,"exp":1900000000}}"#
            ));
            let signature = random.string(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                43,
            );
            format!("{header}.{payload}.{signature}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github_checksum_valid;

    #[test]
    fn templates_expand_to_the_requested_shapes() {
        let real = expand("ghp_{an:30}{crc}", Fill::Real(7));
        assert_eq!(real.len(), 40);
        assert!(github_checksum_valid(real.as_bytes()));
        let wrong = expand("ghp_{an:30}{crc}", Fill::WrongChecksum(7));
        assert!(!github_checksum_valid(wrong.as_bytes()));
        assert_eq!(expand("k={hex:8}", Fill::Placeholder), "k=xxxxxxxx");
        assert_eq!(
            expand("a{hex:4}b{hex:8}", Fill::Truncated(1)).len(),
            1 + 4 + 1 + 4
        );
        assert_ne!(
            expand("{an:20}", Fill::Real(1)),
            expand("{an:20}", Fill::Real(2))
        );
        let bad = expand("ghp_{an:30}{badcrc}", Fill::Real(7));
        assert_eq!(bad.len(), 40);
        assert!(!github_checksum_valid(bad.as_bytes()));
        assert_eq!(expand("k={x:5}", Fill::Real(3)), "k=xxxxx");
        let uuid = expand("{uuid}", Fill::Real(5));
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert_eq!(expand("{uuid}", Fill::Truncated(5)).len(), 30);
    }
}
