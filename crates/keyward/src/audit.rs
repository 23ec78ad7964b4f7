//! The audit trail: an append-only, hash-chained log of every action on a secret.
//!
//! Each entry stores the SHA-256 of the entry before it and its own hash over its
//! fields. An edit, a deletion or a reordering inside the log breaks the chain at a
//! place [`verify`] can name. Someone with write access to the database could rewrite
//! the whole chain from the edited entry on, so the newest entry's sequence number and
//! hash are also kept in the OS keychain (the anchor): a rewritten or truncated log no
//! longer ends where the anchor says.
//!
//! The anchor alone cannot vouch for entries written after it, and a crash between a
//! commit and the anchor update leaves such entries legitimately. So each entry also
//! carries a MAC of its hash under the home's integrity key in the keychain (computed by
//! the store as it inserts the entry): an entry with a valid MAC after the anchor is a
//! crash's unanchored tail, one without is forged. Before any write extends the chain,
//! [`check_tail`] looks at the anchored entry and everything after it, so a write never
//! builds on a chain whose end was forged or cut off.

use chrono::{DateTime, Utc};
use ring::digest::{SHA256, digest};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};
use subtle::ConstantTimeEq;

use crate::model::SecretValue;
use crate::store::{self, StoreError, audit_entries::AuditRow};
use crate::vault::{Slot, Vault, VaultError};

/// The hash that the first entry names as its predecessor.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. The dotted names are what `audit list` shows and what the database
/// stores; they are part of the exported audit format, so never rename one. No case
/// style yields the dots, so those variants name themselves twice, for serde and for
/// strum; a test holds the two equal.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
    strum::Display,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum AuditAction {
    #[serde(rename = "home.init")]
    #[strum(serialize = "home.init")]
    HomeInit,
    /// A home from before row and entry MACs got its integrity key: what was sealed,
    /// and up to which entry the keychain anchor vouched for the log.
    #[serde(rename = "home.integrity")]
    #[strum(serialize = "home.integrity")]
    HomeIntegrity,
    #[serde(rename = "credential.create")]
    #[strum(serialize = "credential.create")]
    CredentialCreate,
    #[serde(rename = "credential.update")]
    #[strum(serialize = "credential.update")]
    CredentialUpdate,
    #[serde(rename = "credential.reveal")]
    #[strum(serialize = "credential.reveal")]
    CredentialReveal,
    #[serde(rename = "credential.copy")]
    #[strum(serialize = "credential.copy")]
    CredentialCopy,
    #[serde(rename = "credential.delete")]
    #[strum(serialize = "credential.delete")]
    CredentialDelete,
    #[serde(rename = "credential.rotate")]
    #[strum(serialize = "credential.rotate")]
    CredentialRotate,
    #[serde(rename = "credential.use")]
    #[strum(serialize = "credential.use")]
    CredentialUse,
    #[serde(rename = "integration.create")]
    #[strum(serialize = "integration.create")]
    IntegrationCreate,
    #[serde(rename = "integration.update")]
    #[strum(serialize = "integration.update")]
    IntegrationUpdate,
    #[serde(rename = "integration.delete")]
    #[strum(serialize = "integration.delete")]
    IntegrationDelete,
    Import,
    Export,
    Probe,
    Scan,
    Review,
    /// Connecting or forgetting the team database (its URL goes to the keychain).
    #[serde(rename = "team.database")]
    #[strum(serialize = "team.database")]
    TeamDatabase,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An audit entry as shown to users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// JSON object with the facts of the action; never a secret value.
    pub detail: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            detail: row.detail,
            hash: row.hash,
        }
    }
}

/// Appends an entry inside the caller's transaction and returns it; the caller writes
/// the anchor with [`write_anchor`] once the transaction has committed.
pub fn append(
    connection: &Connection,
    at: DateTime<Utc>,
    actor: &str,
    action: AuditAction,
    subject: &str,
    detail: serde_json::Value,
) -> Result<AuditRow, StoreError> {
    let previous = store::audit_entries::last(connection)?;
    let (seq, prev_hash) = match previous {
        Some(row) => (row.seq + 1, row.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut row = AuditRow {
        seq,
        at: store::to_db_time(at),
        actor: actor.to_owned(),
        action: action.as_str().to_owned(),
        subject: subject.to_owned(),
        detail: detail.to_string(),
        prev_hash,
        hash: String::new(),
        authentic: None,
    };
    row.hash = entry_hash(&row);
    store::audit_entries::insert(connection, &row)?;
    Ok(row)
}

/// The hash of an entry: SHA-256 over its fields, each length-prefixed so that moving
/// text from one field to the next changes the hash.
pub fn entry_hash(row: &AuditRow) -> String {
    let mut material = Vec::new();
    let seq = row.seq.to_string();
    for field in [
        &row.prev_hash,
        &seq,
        &row.at,
        &row.actor,
        &row.action,
        &row.subject,
        &row.detail,
    ] {
        material.extend_from_slice(field.len().to_string().as_bytes());
        material.push(b':');
        material.extend_from_slice(field.as_bytes());
        material.push(b'\n');
    }
    hex::encode(digest(&SHA256, &material))
}

/// The anchor format of homes whose entries carry MACs: `2:seq:hash`. Homes from before
/// (`seq:hash`) are sealed once (service/integrity.rs), which rewrites the anchor.
const SEALED_ANCHOR: &str = "2";

/// Records the newest entry as the keychain anchor.
pub fn write_anchor(vault: &Vault, row: &AuditRow) -> Result<(), VaultError> {
    let text = format!("{SEALED_ANCHOR}:{}:{}", row.seq, row.hash);
    vault.store(&Slot::AuditAnchor, &SecretValue::from_string(text))
}

/// The anchor read back: the sequence number and hash of the newest entry it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    /// Written by a Keyward that MACs entries: every entry up to it carries one. `false`
    /// for an anchor from before, which the first load of the integrity key replaces.
    pub sealed: bool,
}

pub fn read_anchor(vault: &Vault) -> Result<Option<Anchor>, VaultError> {
    let Some(value) = vault.read(&Slot::AuditAnchor)? else {
        return Ok(None);
    };
    let parsed = value.expose_str().and_then(|text| {
        let parts: Vec<&str> = text.split(':').collect();
        let (seq, hash, sealed) = match parts.as_slice() {
            [SEALED_ANCHOR, seq, hash] => (seq, hash, true),
            [seq, hash] => (seq, hash, false),
            _ => return None,
        };
        Some(Anchor {
            seq: seq.parse().ok()?,
            hash: (*hash).to_owned(),
            sealed,
        })
    });
    Ok(parsed)
}

/// One way the log differs from an untouched chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum AuditProblem {
    /// The entry's fields no longer match its hash.
    Edited { seq: i64 },
    /// Entries between `after` and `before` are gone.
    Missing { after: i64, before: i64 },
    /// The entry does not name the one stored before it as its predecessor: entries were
    /// reordered, or one was replaced together with its hash.
    BrokenLink { seq: i64 },
    /// The log ends before the anchor's entry: its newest entries were deleted.
    Truncated { last_seq: i64, anchor_seq: i64 },
    /// The entry the anchor names has a different hash: the log was rewritten from there.
    AnchorMismatch { seq: i64 },
    /// There are entries but no anchor in the keychain.
    AnchorMissing,
    /// The entry carries no valid MAC: it was added or rewritten outside Keyward (with
    /// its hash recomputed, as anyone with the database can).
    Forged { seq: i64 },
    /// A home from before entry MACs has `count` entries after its anchor (entry
    /// `after`): a crash before the anchor moved, or entries added by hand. Nothing can
    /// tell which, so the home is not sealed and takes no writes.
    Unvouched { after: i64, count: u64 },
    /// Entries and rows are MACed but the keychain no longer holds the integrity key, so
    /// none of them can be checked.
    IntegrityKeyMissing,
    /// A protected inventory row no longer matches its MAC: changed outside Keyward.
    RowAltered {
        table: String,
        row: String,
        name: String,
        fields: String,
    },
    /// A protected row was deleted outside Keyward while its MAC stayed.
    RowDeleted { table: String, row: String },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited { seq } => write!(
                formatter,
                "entry {seq} was edited: its contents no longer match its hash"
            ),
            Self::Missing { after, before } => write!(
                formatter,
                "entries between {after} and {before} were deleted"
            ),
            Self::BrokenLink { seq } => write!(
                formatter,
                "entry {seq} does not follow the entry before it: entries were reordered or replaced"
            ),
            Self::Truncated {
                last_seq,
                anchor_seq,
            } => write!(
                formatter,
                "the log ends at entry {last_seq} but the keychain anchor records entry {anchor_seq}: the newest entries were deleted"
            ),
            Self::AnchorMismatch { seq } => write!(
                formatter,
                "entry {seq} differs from the one the keychain anchor recorded: the log was rewritten from there on"
            ),
            Self::AnchorMissing => write!(
                formatter,
                "the log has entries but the keychain holds no anchor for it"
            ),
            Self::Forged { seq } => write!(
                formatter,
                "entry {seq} is forged: it carries no valid MAC, so Keyward did not write it (it was added or rewritten outside Keyward)"
            ),
            Self::Unvouched { after, count } => write!(
                formatter,
                "{count} {} after entry {after}, the last one the keychain anchor vouches for, {} written before entries were MACed: by a crash before the anchor moved or by hand, which nothing can tell apart",
                if *count == 1 { "entry" } else { "entries" },
                if *count == 1 { "was" } else { "were" }
            ),
            Self::IntegrityKeyMissing => write!(
                formatter,
                "the keychain no longer holds this home's integrity key, so no entry or inventory row can be checked"
            ),
            Self::RowAltered {
                table,
                row,
                name,
                fields,
            } => write!(
                formatter,
                "{table} row {row} ({name}) was changed outside Keyward: the MAC over its {fields} no longer matches"
            ),
            Self::RowDeleted { table, row } => write!(
                formatter,
                "{table} row {row} was deleted outside Keyward (its MAC is still there)"
            ),
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditVerification {
    pub entries: u64,
    pub intact: bool,
    /// What differs from what Keyward wrote: the chain's problems, then the protected
    /// inventory rows that fail their MACs.
    pub problems: Vec<AuditProblem>,
    /// Entries newer than the anchor: written, but the anchor update did not happen (a
    /// crash between the two). They are chained and carry valid MACs, so Keyward wrote
    /// them; the next write anchors them.
    pub unanchored: u64,
}

/// Compares two hex hashes in constant time, so that how long a check takes does not
/// tell a forger how much of a guessed hash was right.
fn same_hash(left: &str, right: &str) -> bool {
    left.as_bytes().ct_eq(right.as_bytes()).into()
}

/// What is wrong with one entry given the one stored before it (`None`: the first):
/// its hash, its MAC (when it was read with its MAC checked) and its link.
fn entry_problems(row: &AuditRow, previous: Option<&AuditRow>, problems: &mut Vec<AuditProblem>) {
    if !same_hash(&entry_hash(row), &row.hash) {
        problems.push(AuditProblem::Edited { seq: row.seq });
    }
    if row.authentic == Some(false) {
        problems.push(AuditProblem::Forged { seq: row.seq });
    }
    let (expected_seq, expected_prev) = match previous {
        Some(before) => (before.seq + 1, before.hash.as_str()),
        None => (1, GENESIS_HASH),
    };
    if row.seq > expected_seq {
        problems.push(AuditProblem::Missing {
            after: expected_seq - 1,
            before: row.seq,
        });
    } else if !same_hash(&row.prev_hash, expected_prev) {
        problems.push(AuditProblem::BrokenLink { seq: row.seq });
    }
}

/// Walks the chain in storage order and compares its end with the anchor. Rows read
/// with their MACs checked also have those checked; entries after the anchor are its
/// unanchored tail, tolerated (a crash between commit and anchor update) only because
/// their MACs show Keyward wrote them.
pub fn verify(rows: &[AuditRow], anchor: Option<&Anchor>) -> AuditVerification {
    let mut problems = Vec::new();
    let mut previous: Option<&AuditRow> = None;
    for row in rows {
        entry_problems(row, previous, &mut problems);
        previous = Some(row);
    }
    let mut unanchored = 0;
    match (anchor, rows.last()) {
        (None, Some(_)) => problems.push(AuditProblem::AnchorMissing),
        (None, None) => {}
        (Some(anchor), last) => {
            let last_seq = last.map_or(0, |row| row.seq);
            if last_seq < anchor.seq {
                problems.push(AuditProblem::Truncated {
                    last_seq,
                    anchor_seq: anchor.seq,
                });
            } else {
                match rows.iter().find(|row| row.seq == anchor.seq) {
                    Some(row) if same_hash(&row.hash, &anchor.hash) => {
                        // Forged entries are problems, not a tolerated tail.
                        unanchored = rows
                            .iter()
                            .filter(|row| row.seq > anchor.seq && row.authentic != Some(false))
                            .count() as u64;
                    }
                    _ => problems.push(AuditProblem::AnchorMismatch { seq: anchor.seq }),
                }
            }
        }
    }
    AuditVerification {
        entries: rows.len() as u64,
        intact: problems.is_empty(),
        problems,
        unanchored,
    }
}

/// The check a write makes before it extends the chain: the entry the anchor names is
/// there, unchanged and authentic, and every entry after it follows it with a valid MAC;
/// no entry up to the anchor was cut off. It reads the anchored entry and the
/// unanchored tail only (usually one or two rows), so it costs the same at any length of
/// log; edits further back cannot be hidden by a later write and are left to
/// [`verify`]. Empty when the chain may be extended.
pub fn check_tail(
    connection: &Connection,
    anchor: Option<&Anchor>,
) -> Result<Vec<AuditProblem>, StoreError> {
    let mut problems = Vec::new();
    let Some(anchor) = anchor else {
        if store::audit_entries::last(connection)?.is_some() {
            problems.push(AuditProblem::AnchorMissing);
        }
        return Ok(problems);
    };
    let tail = store::audit_entries::from_checked(connection, anchor.seq)?;
    let Some(anchored) = tail.first() else {
        let last_seq = store::audit_entries::last(connection)?.map_or(0, |row| row.seq);
        problems.push(AuditProblem::Truncated {
            last_seq,
            anchor_seq: anchor.seq,
        });
        return Ok(problems);
    };
    if anchored.seq != anchor.seq || !same_hash(&anchored.hash, &anchor.hash) {
        problems.push(AuditProblem::AnchorMismatch { seq: anchor.seq });
    }
    if !same_hash(&entry_hash(anchored), &anchored.hash) {
        problems.push(AuditProblem::Edited { seq: anchored.seq });
    }
    if anchored.authentic != Some(true) {
        problems.push(AuditProblem::Forged { seq: anchored.seq });
    }
    for pair in tail.windows(2) {
        entry_problems(&pair[1], Some(&pair[0]), &mut problems);
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(count: i64) -> Vec<AuditRow> {
        let connection = crate::store::Store::open_in_memory().unwrap();
        connection.install_integrity_key(&[7; 32]);
        for index in 0..count {
            append(
                connection.connection(),
                Utc::now(),
                "tester",
                AuditAction::CredentialReveal,
                &format!("credential-{index}"),
                serde_json::json!({"n": index}),
            )
            .unwrap();
        }
        store::audit_entries::all_checked(connection.connection()).unwrap()
    }

    fn anchor_of(rows: &[AuditRow]) -> Anchor {
        let last = rows.last().unwrap();
        Anchor {
            seq: last.seq,
            hash: last.hash.clone(),
            sealed: true,
        }
    }

    #[test]
    fn actions_round_trip_through_their_serde_names() {
        use strum::IntoEnumIterator;

        for action in AuditAction::iter() {
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
            assert_eq!(action.to_string(), action.as_str());
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
        }
        assert_eq!(AuditAction::HomeInit.as_str(), "home.init");
        assert_eq!(AuditAction::Import.as_str(), "import");
        assert_eq!(AuditAction::TeamDatabase.as_str(), "team.database");
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let rows = chain(5);
        let report = verify(&rows, Some(&anchor_of(&rows)));
        assert!(report.intact, "{:?}", report.problems);
        assert_eq!(report.entries, 5);
    }

    #[test]
    fn an_edit_is_named_by_its_entry() {
        let mut rows = chain(5);
        let anchor = anchor_of(&rows);
        rows[2].subject = "someone-else".into();
        assert_eq!(
            verify(&rows, Some(&anchor)).problems,
            vec![AuditProblem::Edited { seq: 3 }]
        );
    }

    #[test]
    fn a_rewritten_tail_disagrees_with_the_anchor() {
        let mut rows = chain(4);
        let anchor = anchor_of(&rows);
        rows[1].subject = "forged".into();
        for index in 1..rows.len() {
            rows[index].prev_hash = rows[index - 1].hash.clone();
            rows[index].hash = entry_hash(&rows[index]);
        }
        assert_eq!(
            verify(&rows, Some(&anchor)).problems,
            vec![AuditProblem::AnchorMismatch { seq: 4 }]
        );
    }

    #[test]
    fn deletions_in_the_middle_and_at_the_end_are_found() {
        let mut rows = chain(5);
        let anchor = anchor_of(&rows);
        rows.remove(2);
        assert_eq!(
            verify(&rows, Some(&anchor)).problems,
            vec![AuditProblem::Missing {
                after: 2,
                before: 4
            }]
        );
        let mut rows = chain(5);
        rows.pop();
        assert_eq!(
            verify(&rows, Some(&anchor)).problems,
            vec![AuditProblem::Truncated {
                last_seq: 4,
                anchor_seq: 5
            }]
        );
    }

    #[test]
    fn an_entry_after_the_anchor_is_reported_as_unanchored() {
        let rows = chain(3);
        let anchor = Anchor {
            seq: 2,
            hash: rows[1].hash.clone(),
            sealed: true,
        };
        let report = verify(&rows, Some(&anchor));
        assert!(report.intact);
        assert_eq!(report.unanchored, 1);
    }

    #[test]
    fn an_entry_without_a_valid_mac_is_forged_even_after_the_anchor() {
        let mut rows = chain(3);
        let anchor = Anchor {
            seq: 2,
            hash: rows[1].hash.clone(),
            sealed: true,
        };
        rows[2].authentic = Some(false);
        let report = verify(&rows, Some(&anchor));
        assert_eq!(report.problems, vec![AuditProblem::Forged { seq: 3 }]);
        assert!(
            !report.intact,
            "a forged tail is not a crash's unanchored tail"
        );
    }

    /// A store holding `count` chained entries, and the anchor of entry `anchored`.
    fn stored_chain(count: i64, anchored: i64) -> (crate::store::Store, Anchor) {
        let store = crate::store::Store::open_in_memory().unwrap();
        store.install_integrity_key(&[7; 32]);
        let mut rows = Vec::new();
        for index in 0..count {
            rows.push(
                append(
                    store.connection(),
                    Utc::now(),
                    "tester",
                    AuditAction::CredentialReveal,
                    &format!("credential-{index}"),
                    serde_json::json!({"n": index}),
                )
                .unwrap(),
            );
        }
        let row = &rows[anchored as usize - 1];
        let anchor = Anchor {
            seq: row.seq,
            hash: row.hash.clone(),
            sealed: true,
        };
        (store, anchor)
    }

    #[test]
    fn the_tail_check_passes_an_anchored_or_crash_tolerated_end() {
        let (store, anchor) = stored_chain(4, 4);
        assert_eq!(
            check_tail(store.connection(), Some(&anchor)).unwrap(),
            vec![]
        );
        let (store, anchor) = stored_chain(4, 2);
        assert_eq!(
            check_tail(store.connection(), Some(&anchor)).unwrap(),
            vec![],
            "entries after the anchor with valid MACs are a crash's tail"
        );
    }

    #[test]
    fn the_tail_check_refuses_a_forged_or_cut_end() {
        let (store, anchor) = stored_chain(3, 3);
        let forged = AuditRow {
            seq: 4,
            at: "2026-01-01T00:00:00.000000Z".into(),
            actor: "attacker".into(),
            action: "credential.reveal".into(),
            subject: "x".into(),
            detail: "{}".into(),
            prev_hash: anchor.hash.clone(),
            hash: String::new(),
            authentic: None,
        };
        let forged = AuditRow {
            hash: entry_hash(&forged),
            ..forged
        };
        store
            .connection()
            .execute(
                "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                rusqlite::params![
                    forged.seq,
                    forged.at,
                    forged.actor,
                    forged.action,
                    forged.subject,
                    forged.detail,
                    forged.prev_hash,
                    forged.hash
                ],
            )
            .unwrap();
        assert_eq!(
            check_tail(store.connection(), Some(&anchor)).unwrap(),
            vec![AuditProblem::Forged { seq: 4 }]
        );

        let (store, anchor) = stored_chain(3, 3);
        store
            .connection()
            .execute("DELETE FROM audit_log WHERE seq = 3", [])
            .unwrap();
        assert_eq!(
            check_tail(store.connection(), Some(&anchor)).unwrap(),
            vec![AuditProblem::Truncated {
                last_seq: 2,
                anchor_seq: 3
            }]
        );
    }
}
