//! Inventory fixtures shared by the benchmarks.

use chrono::Utc;
use keyward::Keyward;
use keyward::model::{Credential, CredentialKind, StorageKind};
use keyward::store::credentials::{self, StoredCredential};
use strum::IntoEnumIterator;

pub const COUNT: usize = 10_000;

/// Metadata of the `index`th synthetic credential (no keychain entry behind it).
pub fn metadata(index: usize) -> StoredCredential {
    let now = Utc::now();
    StoredCredential {
        credential: Credential {
            id: 0,
            name: format!("service-{index:05}-token"),
            kind: CredentialKind::iter()
                .nth(index % CredentialKind::iter().len())
                .expect("the index is within the kinds"),
            provider: Some(["github", "aws", "stripe", "gitlab"][index % 4].to_owned()),
            integration: None,
            created_at: now - chrono::Duration::days((index % 400) as i64),
            rotated_at: now - chrono::Duration::days((index % 200) as i64),
            expires_at: index
                .is_multiple_of(10)
                .then(|| now + chrono::Duration::days((index % 120) as i64 - 20)),
            rotate_every_days: Some(90),
            rotation_method: None,
            allowed_hosts: vec![format!("api{}.example.com", index % 50)],
            allow_insecure: false,
            token_url: None,
            fingerprint: format!("{index:064x}"),
            value_length: 40,
            storage: StorageKind::Keychain,
            certificate: None,
            notes: None,
        },
        slot_id: format!("{index:032x}"),
        sealed_value: None,
    }
}

/// Adds `COUNT` credentials' metadata in one transaction.
pub fn fill(keyward: &mut Keyward) {
    let connection = keyward.store().connection();
    connection.execute_batch("BEGIN IMMEDIATE").unwrap();
    for index in 0..COUNT {
        credentials::insert(connection, &metadata(index)).unwrap();
    }
    connection.execute_batch("COMMIT").unwrap();
}
