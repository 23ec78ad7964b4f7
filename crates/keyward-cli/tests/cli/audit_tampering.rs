//! `keyward audit verify` against edits made behind Keyward's back with raw SQL.

use crate::common::{TestHome, canary};

/// A home with a few audited actions: init, 3 creates, a reveal, a delete.
fn home_with_history() -> TestHome {
    let home = TestHome::new();
    for name in ["a", "b", "c"] {
        home.add(name, "token", &canary(name));
    }
    home.reveal("a");
    home.keyward(&["cred", "rm", "b"]).assert().success();
    home
}

fn verify(home: &TestHome) -> (i32, String) {
    let (code, stdout, stderr) = home.run(&["audit", "verify"], b"");
    (code, stdout + &stderr)
}

#[test]
fn an_untouched_log_verifies_and_lists_every_action() {
    let home = home_with_history();
    let (code, output) = verify(&home);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("intact: 6 entries"), "{output}");
    let (_, list, _) = home.run(&["audit", "list", "--json"], b"");
    let json: serde_json::Value = serde_json::from_str(&list).unwrap();
    let actions: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "home.init",
            "credential.create",
            "credential.create",
            "credential.create",
            "credential.reveal",
            "credential.delete"
        ]
    );
}

#[test]
fn an_edited_entry_is_named() {
    let home = home_with_history();
    home.sql("UPDATE audit_log SET subject = 'innocent' WHERE seq = 5");
    let (code, output) = verify(&home);
    assert_eq!(code, 1, "tampering is a finding: {output}");
    assert!(output.contains("entry 5 was edited"), "{output}");
}

#[test]
fn a_deleted_entry_is_named() {
    let home = home_with_history();
    home.sql("DELETE FROM audit_log WHERE seq = 3");
    let (code, output) = verify(&home);
    assert_eq!(code, 1);
    assert!(
        output.contains("entries between 2 and 4 were deleted"),
        "{output}"
    );
}

#[test]
fn reordered_entries_are_named() {
    let home = home_with_history();
    home.sql(
        "UPDATE audit_log SET seq = -1 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = 4;
         UPDATE audit_log SET seq = 4 WHERE seq = -1;",
    );
    let (code, output) = verify(&home);
    assert_eq!(code, 1);
    assert!(output.contains("entry 3 does not follow"), "{output}");
}

#[test]
fn a_truncated_log_is_caught_by_the_keychain_anchor() {
    let home = home_with_history();
    home.sql("DELETE FROM audit_log WHERE seq >= 5");
    let (code, output) = verify(&home);
    assert_eq!(
        code, 1,
        "deleting the newest entries leaves a valid-looking chain; only the anchor can tell"
    );
    assert!(
        output.contains("ends at entry 4") && output.contains("anchor records entry 6"),
        "{output}"
    );
}

#[test]
fn a_rewritten_chain_is_caught_by_the_keychain_anchor() {
    let home = home_with_history();
    // Forge entry 5 and recompute every hash after it, as an attacker with the database
    // (but not the keychain) could.
    let connection = rusqlite::Connection::open(home.database()).unwrap();
    connection
        .execute("UPDATE audit_log SET subject = 'c' WHERE seq = 5", [])
        .unwrap();
    let mut statement = connection
        .prepare("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")
        .unwrap();
    let rows: Vec<keyward::store::audit_entries::AuditRow> = statement
        .query_map([], |row| {
            Ok(keyward::store::audit_entries::AuditRow {
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
        .unwrap();
    drop(statement);
    let mut previous_hash = String::new();
    for mut row in rows {
        if row.seq >= 5 {
            row.prev_hash = previous_hash.clone();
            row.hash = keyward::audit::entry_hash(&row);
            connection
                .execute(
                    "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
                    rusqlite::params![row.seq, row.prev_hash, row.hash],
                )
                .unwrap();
        }
        previous_hash = row.hash;
    }
    drop(connection);
    let (code, output) = verify(&home);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("differs from the one the keychain anchor recorded"),
        "{output}"
    );
}
