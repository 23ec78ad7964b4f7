//! The team view: the database's rows, each checked against the key the reader pinned
//! for its workstation.
//!
//! The database lists every workstation's public key next to its rows, and whoever can
//! rewrite a row can rewrite that list: a row re-signed with a new key that is also
//! written into `keyward_workstations` would check out against the database's own key.
//! So trust comes only from the reader's side ([`PinnedKeys`]: keys pinned from signed
//! bundles, on first view with `trust_new`, or explicitly), and the database's key only
//! names what is unknown or changed. A row is [`RowTrust::Verified`] when its signature
//! holds under the pinned key; anything else is shown but never trusted.
//!
//! [`TeamRows`] is the database as read, before any trust decision; a reader keeps it
//! and checks it again against its pins whenever it shows it, so pinning a key later
//! takes effect without a new pull.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::signature::{ED25519, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use keyward_report::bundle::key_fingerprint;
use keyward_report::{CredentialSummary, IntegrationSummary};

use crate::row_message;

/// Raw Ed25519 public keys the reader trusts, by workstation id.
pub type PinnedKeys = BTreeMap<String, Vec<u8>>;

/// A workstation as `keyward_workstations` lists it (anyone who can write the database
/// can write this too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegisteredWorkstation {
    pub id: String,
    pub hostname: String,
    pub user: String,
    /// Base64 Ed25519 public key.
    pub public_key: String,
}

/// One row of `keyward_rows`: its JSON text exactly as signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignedRow {
    pub workstation: String,
    /// `credential` or `integration`.
    pub kind: String,
    pub json: String,
    /// Base64 Ed25519 signature over [`row_message`].
    pub signature: String,
}

/// The team database as read: nothing in it is trusted yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamRows {
    pub target: String,
    pub workstations: Vec<RegisteredWorkstation>,
    pub rows: Vec<SignedRow>,
}

/// Why a row is, or is not, trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum RowTrust {
    /// Its signature holds under the key pinned for its workstation.
    Verified,
    /// No key is pinned for its workstation here.
    UnknownKey,
    /// The database now lists another key for its workstation than the one pinned
    /// here, and the row does not verify under the pinned one.
    KeyChanged,
    /// The row does not match its signature under the pinned key: edited in the
    /// database.
    BadSignature,
}

impl RowTrust {
    pub fn describe(self) -> &'static str {
        match self {
            RowTrust::Verified => "signed by the pinned key",
            RowTrust::UnknownKey => "its workstation's key is not pinned here",
            RowTrust::KeyChanged => "its workstation's key changed in the team database",
            RowTrust::BadSignature => "it does not match its signature (edited in the database)",
        }
    }
}

/// How a workstation's key in the database stands against the reader's pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum KeyTrust {
    /// The database's key is the pinned one.
    Pinned,
    /// Not pinned here: compare the fingerprint with the workstation's owner, then pin it.
    Unknown,
    /// Another key than the pinned one: rows signed by it are not trusted.
    Changed,
    /// Pinned by this read (`trust_new`: trust on first use).
    NewlyPinned,
}

/// A workstation's key as the database lists it, and what the reader makes of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WorkstationKey {
    pub workstation: String,
    pub hostname: String,
    pub user: String,
    /// Base64 Ed25519 public key, as the database lists it.
    pub public_key: String,
    /// Fingerprint of that key (`keyward sync` prints it on the workstation).
    pub key_fingerprint: String,
    /// Fingerprint of the key pinned here, when one is.
    pub pinned_fingerprint: Option<String>,
    pub trust: KeyTrust,
}

/// One credential row of the team view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamCredential {
    pub workstation: String,
    pub hostname: String,
    pub user: String,
    pub credential: CredentialSummary,
    /// True only for rows signed by the key pinned here for the workstation: anything
    /// else is shown, never trusted.
    pub verified: bool,
    pub trust: RowTrust,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamIntegration {
    pub workstation: String,
    pub hostname: String,
    pub integration: IntegrationSummary,
    pub verified: bool,
    pub trust: RowTrust,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamView {
    pub target: String,
    pub workstations: u32,
    pub credentials: Vec<TeamCredential>,
    pub integrations: Vec<TeamIntegration>,
    /// Every workstation's key and how it stands against the pins.
    pub keys: Vec<WorkstationKey>,
}

impl TeamView {
    /// Rows shown but not trusted.
    pub fn unverified_rows(&self) -> usize {
        self.credentials.iter().filter(|row| !row.verified).count()
            + self.integrations.iter().filter(|row| !row.verified).count()
    }
}

impl TeamRows {
    /// The view of these rows for a reader who pinned `pins`. With `trust_new`, the
    /// database's key of every workstation without a pin counts as pinned (and is listed
    /// as [`KeyTrust::NewlyPinned`], for the caller to store); a changed key never is.
    pub fn check(&self, pins: &PinnedKeys, trust_new: bool) -> TeamView {
        let mut keys = Vec::with_capacity(self.workstations.len());
        let mut effective: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
        let mut registered: BTreeMap<&str, &RegisteredWorkstation> = BTreeMap::new();
        for workstation in &self.workstations {
            registered.insert(workstation.id.as_str(), workstation);
            let listed = BASE64.decode(&workstation.public_key).unwrap_or_default();
            let pinned = pins.get(&workstation.id);
            let trust = match pinned {
                Some(pinned) if *pinned == listed => KeyTrust::Pinned,
                Some(_) => KeyTrust::Changed,
                None if trust_new && !listed.is_empty() => KeyTrust::NewlyPinned,
                None => KeyTrust::Unknown,
            };
            match (pinned, trust) {
                (Some(pinned), _) => {
                    effective.insert(workstation.id.as_str(), pinned.clone());
                }
                (None, KeyTrust::NewlyPinned) => {
                    effective.insert(workstation.id.as_str(), listed.clone());
                }
                _ => {}
            }
            keys.push(WorkstationKey {
                workstation: workstation.id.clone(),
                hostname: workstation.hostname.clone(),
                user: workstation.user.clone(),
                public_key: workstation.public_key.clone(),
                key_fingerprint: key_fingerprint(&listed),
                pinned_fingerprint: pinned.map(|key| key_fingerprint(key)),
                trust,
            });
        }
        let changed: Vec<String> = keys
            .iter()
            .filter(|key| key.trust == KeyTrust::Changed)
            .map(|key| key.workstation.clone())
            .collect();
        let mut view = TeamView {
            target: self.target.clone(),
            workstations: self.workstations.len() as u32,
            credentials: Vec::new(),
            integrations: Vec::new(),
            keys,
        };
        for row in &self.rows {
            let Some(workstation) = registered.get(row.workstation.as_str()) else {
                continue;
            };
            let trust = match effective.get(row.workstation.as_str()) {
                None => RowTrust::UnknownKey,
                Some(key) if signature_holds(key, row) => RowTrust::Verified,
                Some(_) if changed.contains(&row.workstation) => RowTrust::KeyChanged,
                Some(_) => RowTrust::BadSignature,
            };
            let verified = trust == RowTrust::Verified;
            match row.kind.as_str() {
                "credential" => {
                    if let Ok(credential) = serde_json::from_str::<CredentialSummary>(&row.json) {
                        view.credentials.push(TeamCredential {
                            workstation: workstation.id.clone(),
                            hostname: workstation.hostname.clone(),
                            user: workstation.user.clone(),
                            credential,
                            verified,
                            trust,
                        });
                    }
                }
                "integration" => {
                    if let Ok(integration) = serde_json::from_str::<IntegrationSummary>(&row.json) {
                        view.integrations.push(TeamIntegration {
                            workstation: workstation.id.clone(),
                            hostname: workstation.hostname.clone(),
                            integration,
                            verified,
                            trust,
                        });
                    }
                }
                _ => {}
            }
        }
        view
    }
}

fn signature_holds(key: &[u8], row: &SignedRow) -> bool {
    let Ok(signature) = BASE64.decode(&row.signature) else {
        return false;
    };
    UnparsedPublicKey::new(&ED25519, key)
        .verify(
            &row_message(&row.workstation, &row.kind, &row.json),
            &signature,
        )
        .is_ok()
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    use super::*;

    fn key_pair() -> Ed25519KeyPair {
        let document = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(document.as_ref()).unwrap()
    }

    fn integration_json(name: &str) -> String {
        serde_json::to_string(&IntegrationSummary {
            name: name.into(),
            provider: "stripe".into(),
            owner: "payments".into(),
            environment: "prod".into(),
            tags: Vec::new(),
            endpoints: Vec::new(),
            credentials: Vec::new(),
        })
        .unwrap()
    }

    fn signed(pair: &Ed25519KeyPair, workstation: &str, json: &str) -> SignedRow {
        SignedRow {
            workstation: workstation.into(),
            kind: "integration".into(),
            json: json.into(),
            signature: BASE64.encode(
                pair.sign(&row_message(workstation, "integration", json))
                    .as_ref(),
            ),
        }
    }

    fn rows(listed: &Ed25519KeyPair, rows: Vec<SignedRow>) -> TeamRows {
        TeamRows {
            target: "postgres://db/team".into(),
            workstations: vec![RegisteredWorkstation {
                id: "w1".into(),
                hostname: "laptop".into(),
                user: "ada".into(),
                public_key: BASE64.encode(listed.public_key().as_ref()),
            }],
            rows,
        }
    }

    fn trusts(view: &TeamView) -> Vec<RowTrust> {
        view.integrations.iter().map(|row| row.trust).collect()
    }

    #[test]
    fn only_a_pinned_key_makes_a_row_verified() {
        let owner = key_pair();
        let table = rows(&owner, vec![signed(&owner, "w1", &integration_json("a"))]);
        let none = PinnedKeys::new();
        assert_eq!(
            trusts(&table.check(&none, false)),
            [RowTrust::UnknownKey],
            "a key the reader never pinned proves nothing, however well the row is signed"
        );
        assert_eq!(table.check(&none, false).keys[0].trust, KeyTrust::Unknown);
        let view = table.check(&none, true);
        assert_eq!(trusts(&view), [RowTrust::Verified]);
        assert_eq!(view.keys[0].trust, KeyTrust::NewlyPinned);
        let pins = PinnedKeys::from([("w1".into(), owner.public_key().as_ref().to_vec())]);
        let view = table.check(&pins, false);
        assert_eq!(trusts(&view), [RowTrust::Verified]);
        assert_eq!(view.keys[0].trust, KeyTrust::Pinned);
        assert_eq!(view.unverified_rows(), 0);
    }

    #[test]
    fn a_row_re_signed_with_a_key_swapped_into_the_database_is_not_verified() {
        let owner = key_pair();
        let attacker = key_pair();
        let pins = PinnedKeys::from([("w1".into(), owner.public_key().as_ref().to_vec())]);
        let table = rows(
            &attacker,
            vec![
                signed(&attacker, "w1", &integration_json("forged")),
                signed(&owner, "w1", &integration_json("untouched")),
            ],
        );
        for trust_new in [false, true] {
            let view = table.check(&pins, trust_new);
            assert_eq!(
                trusts(&view),
                [RowTrust::KeyChanged, RowTrust::Verified],
                "the swapped key is never trusted, not even with trust_new; rows the pinned key signed still verify"
            );
            assert_eq!(view.keys[0].trust, KeyTrust::Changed);
            assert_eq!(
                view.keys[0].pinned_fingerprint.as_deref(),
                Some(key_fingerprint(owner.public_key().as_ref()).as_str())
            );
        }
    }

    #[test]
    fn an_edited_row_fails_under_the_pinned_key() {
        let owner = key_pair();
        let pins = PinnedKeys::from([("w1".into(), owner.public_key().as_ref().to_vec())]);
        let mut row = signed(&owner, "w1", &integration_json("a"));
        row.json = row.json.replace("payments", "nobody");
        let view = rows(&owner, vec![row]).check(&pins, false);
        assert_eq!(trusts(&view), [RowTrust::BadSignature]);
        assert!(!view.integrations[0].verified);
    }
}
