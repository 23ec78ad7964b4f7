//! The audit log's tail. With write access to `keyward.db` but not to the keychain, an
//! attacker appends an entry with a correctly computed SHA-256 chain hash after the last
//! anchored one, or deletes the newest entries and waits for the next write to paper
//! over the gap. Each entry carries a MAC under a keychain key, so the appended entry is
//! forged, not an "unanchored" tail; and no write extends a log whose end fails its
//! check, so a truncation stays visible. A real crash between the database commit and
//! the anchor update (fault injection) is still told apart: its entry's MAC is valid, it
//! is reported as a tolerated unanchored tail, and the next write anchors it. A home
//! from before entry MACs is sealed once, on the anchor's word, and says so in its log.

use keyward::store::audit_entries::AuditRow;

use crate::common::{TestHome, canary};

/// init, three creates, a reveal: five entries, all anchored.
fn home_with_history() -> TestHome {
    let home = TestHome::new();
    for name in ["a", "b", "c"] {
        home.add(name, "token", &canary(name));
    }
    home.reveal("a");
    home
}

fn entries(home: &TestHome) -> Vec<AuditRow> {
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    let mut statement = connection
        .prepare("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")
        .unwrap();
    statement
        .query_map([], |row| {
            Ok(AuditRow {
                seq: row.get(0)?,
                at: row.get(1)?,
                actor: row.get(2)?,
                action: row.get(3)?,
                subject: row.get(4)?,
                detail: row.get(5)?,
                prev_hash: row.get(6)?,
                hash: row.get(7)?,
                authentic: None,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Appends an entry the way an attacker with the database would: chained to the last
/// one, its SHA-256 hash computed exactly as Keyward computes it, and (where the column
/// exists) a MAC-shaped value, since the key behind the real ones is in the keychain.
fn append_by_hand(home: &TestHome, subject: &str) -> i64 {
    let last = entries(home).pop().expect("a log with entries");
    let mut forged = AuditRow {
        seq: last.seq + 1,
        at: last.at.clone(),
        actor: last.actor.clone(),
        action: "credential.reveal".into(),
        subject: subject.into(),
        detail: "{}".into(),
        prev_hash: last.hash.clone(),
        hash: String::new(),
        authentic: None,
    };
    forged.hash = keyward::audit::entry_hash(&forged);
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    connection
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
    if has_mac_column(&connection) {
        connection
            .execute(
                "UPDATE audit_log SET mac = ?2 WHERE seq = ?1",
                rusqlite::params![forged.seq, "ab".repeat(32)],
            )
            .unwrap();
    }
    forged.seq
}

fn has_mac_column(connection: &rusqlite::Connection) -> bool {
    has_column(connection, "audit_log", "mac")
}

fn has_column(connection: &rusqlite::Connection, table: &str, column: &str) -> bool {
    connection
        .prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")
        .unwrap()
        .exists([table, column])
        .unwrap()
}

/// A write that must be refused, leaving no credential and no keychain entry behind.
fn assert_write_refused(home: &TestHome, problem: &str) {
    let names = home.credential_names();
    let accounts = home.keychain_value_accounts();
    let count = entries(home).len();
    let (code, stdout, stderr) = home.run(
        &[
            "cred",
            "add",
            "after-tamper",
            "--kind",
            "token",
            "--value-stdin",
        ],
        canary("after").as_bytes(),
    );
    assert_eq!(
        code, 3,
        "a write must not extend a log that fails verification: {stdout}{stderr}"
    );
    assert!(
        stderr.contains("refusing to write")
            && stderr.contains(problem)
            && stderr.contains("keyward audit verify"),
        "the refusal names the problem and the way to see all of them: {stderr}"
    );
    assert_eq!(home.credential_names(), names, "the credential was created");
    assert_eq!(home.keychain_value_accounts(), accounts);
    assert_eq!(entries(home).len(), count, "the log was extended");
}

#[test]
fn an_entry_appended_by_hand_with_a_correct_hash_is_forged_not_unanchored() {
    let home = home_with_history();
    let seq = append_by_hand(&home, "a");
    let (code, output, report) = home.audit_verify();
    assert_eq!(
        code, 1,
        "an entry Keyward did not write is tampering: {output}"
    );
    assert!(
        output.contains(&format!("entry {seq} is forged")),
        "{output}"
    );
    assert!(
        !output.contains("Note:") && report["unanchored"] == 0,
        "a forged entry must not pass as a crash's unanchored tail: {output}"
    );
    assert_eq!(
        report["problems"],
        serde_json::json!([{"problem": "forged", "seq": seq}])
    );

    // The next write neither anchors it nor builds on it.
    assert_write_refused(&home, &format!("entry {seq} is forged"));
    let (code, output, _) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!("entry {seq} is forged")),
        "{output}"
    );
}

#[test]
fn a_write_refuses_to_extend_a_log_whose_newest_entries_were_deleted() {
    let home = home_with_history();
    home.sql("DELETE FROM audit_log WHERE seq >= 4");
    assert_write_refused(&home, "ends at entry 3");
    // Still there for verify to report: the refused write hid nothing.
    let (code, output, _) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("ends at entry 3") && output.contains("anchor records entry 5"),
        "{output}"
    );
    // A reveal is a write too (its audit entry): refused the same way.
    let (code, stdout, stderr) = home.run(&["cred", "reveal", "a"], b"");
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stdout.is_empty(),
        "no value is shown without its audit entry"
    );
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_crash_between_commit_and_anchor_is_a_tolerated_tail_that_the_next_write_anchors() {
    let home = home_with_history();
    let output = home
        .keyward(&["cred", "add", "crashed", "--kind", "token", "--value-stdin"])
        .env("KEYWARD_FAULT", "audit-committed")
        .write_stdin(canary("crash"))
        .output()
        .unwrap();
    assert!(
        !output.status.success()
            && String::from_utf8_lossy(&output.stderr).contains("fault injected"),
        "the process must die between the commit and the anchor update: {output:?}"
    );
    assert!(
        home.credential_names().contains(&"crashed".to_owned()),
        "the transaction committed before the crash"
    );
    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 0, "a crash is not tampering: {output}");
    assert_eq!(report["unanchored"], 1, "{report}");
    assert!(
        output.contains("Note: the newest 1 entry came after the last anchor update"),
        "{output}"
    );

    // The next write extends the tail (its MAC is valid) and anchors over it.
    home.reveal("crashed");
    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 0, "{output}");
    assert_eq!(
        report["unanchored"], 0,
        "the next write anchors the tail: {report}"
    );
    assert_eq!(report["entries"], 7);
}

/// Turns a home into one an older Keyward left: schema version 7 (no row MACs, no entry
/// MACs, no finding confidences), the anchor in the old `seq:hash` format, no integrity key in the keychain.
fn as_home_from_before_macs(home: &TestHome) {
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    connection
        .execute_batch("DROP TABLE IF EXISTS row_macs; PRAGMA user_version = 7;")
        .unwrap();
    if has_mac_column(&connection) {
        connection
            .execute_batch("ALTER TABLE audit_log DROP COLUMN mac;")
            .unwrap();
    }
    if has_column(&connection, "scan_findings", "confidence") {
        connection
            .execute_batch("ALTER TABLE scan_findings DROP COLUMN confidence;")
            .unwrap();
    }
    drop(connection);
    let vault = home.vault_id();
    let last = entries(home).pop().unwrap();
    keyring::Entry::new("keyward", &format!("{vault}/audit-anchor"))
        .unwrap()
        .set_password(&format!("{}:{}", last.seq, last.hash))
        .unwrap();
    match keyring::Entry::new("keyward", &format!("{vault}/integrity-key"))
        .unwrap()
        .delete_credential()
    {
        Ok(()) | Err(keyring::Error::NoEntry) => {}
        Err(error) => panic!("cannot remove the integrity key: {error}"),
    }
}

fn integrity_key_exists(home: &TestHome) -> bool {
    let vault = home.vault_id();
    keyring::Entry::new("keyward", &format!("{vault}/integrity-key"))
        .unwrap()
        .get_secret()
        .is_ok()
}

#[test]
fn a_home_from_before_entry_macs_is_sealed_once_on_the_anchors_word_and_says_so() {
    let home = home_with_history();
    home.keyward(&[
        "integration",
        "add",
        "billing",
        "--provider",
        "example",
        "--owner",
        "payments",
        "--env",
        "prod",
        "--endpoint",
        "https://api.example.com/v1",
        "--auth",
        "bearer",
        "--cred",
        "a",
    ])
    .assert()
    .success();
    as_home_from_before_macs(&home);
    let before = entries(&home).len() as i64;

    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 0, "{output}");
    assert_eq!(report["entries"], before + 1, "{report}");
    let (_, list, _) = home.run(&["audit", "list", "--json"], b"");
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let last = list["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "home.integrity", "{last}");
    let detail: serde_json::Value = serde_json::from_str(last["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["vouched_through"], before, "{detail}");
    assert_eq!(detail["sealed_entries"], before, "{detail}");
    assert!(
        detail["sealed_rows"].as_u64().unwrap() >= 4,
        "three credentials and an endpoint were sealed: {detail}"
    );
    assert!(integrity_key_exists(&home));

    // Sealed once: a second look adds nothing, and edits are caught from now on.
    let (code, _, report) = home.audit_verify();
    assert_eq!((code, report["entries"].clone()), (0, (before + 1).into()));
    home.sql("UPDATE endpoints SET url = 'https://elsewhere.example.com/v1'");
    let (code, output, _) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("endpoints row"), "{output}");
    let seq = append_by_hand(&home, "a");
    let (code, output, _) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!("entry {seq} is forged")),
        "{output}"
    );
}

#[test]
fn a_home_from_before_entry_macs_with_entries_after_its_anchor_is_not_sealed() {
    let home = home_with_history();
    as_home_from_before_macs(&home);
    // After the old anchor, before any MAC existed: nothing can vouch for this entry.
    let seq = append_by_hand(&home, "b");
    let (code, output, report) = home.audit_verify();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!("1 entry after entry {}", seq - 1)),
        "{output}"
    );
    assert_eq!(report["problems"][0]["problem"], "unvouched", "{report}");
    assert!(
        !integrity_key_exists(&home),
        "a log the anchor does not vouch for is not sealed"
    );
    assert_write_refused(&home, "after entry");
}
