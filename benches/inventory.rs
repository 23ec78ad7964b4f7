//! Inventory and keychain figures for docs/BENCHMARKS.md: adding 10,000 credentials'
//! metadata, listing them, looking one up by name, and the real keychain's store and
//! read latency per item. Run with `make bench` (inside a throwaway Secret Service).

use std::hint::black_box;

use chrono::Utc;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use keyward::Keyward;
use keyward::model::{Credential, CredentialKind, SecretValue, StorageKind};
use keyward::store::credentials::{self, StoredCredential};
use keyward::vault::Slot;

const COUNT: usize = 10_000;

fn metadata(index: usize) -> StoredCredential {
    let now = Utc::now();
    StoredCredential {
        credential: Credential {
            id: 0,
            name: format!("service-{index:05}-token"),
            kind: CredentialKind::ALL[index % CredentialKind::ALL.len()],
            provider: Some(["github", "aws", "stripe", "gitlab"][index % 4].to_owned()),
            integration: None,
            created_at: now,
            rotated_at: now,
            expires_at: None,
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

fn fill(keyward: &mut Keyward) {
    let connection = keyward.store().connection();
    connection.execute_batch("BEGIN IMMEDIATE").unwrap();
    for index in 0..COUNT {
        credentials::insert(connection, &metadata(index)).unwrap();
    }
    connection.execute_batch("COMMIT").unwrap();
}

fn inventory(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("inventory");
    group.sample_size(10);
    group.bench_function("add 10k credentials' metadata", |bencher| {
        bencher.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let keyward = Keyward::init(&dir.path().join("home")).unwrap();
                (dir, keyward)
            },
            |(dir, mut keyward)| {
                fill(&mut keyward);
                (dir, keyward)
            },
            BatchSize::PerIteration,
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let mut keyward = Keyward::init(&dir.path().join("home")).unwrap();
    fill(&mut keyward);
    group.sample_size(30);
    group.bench_function("list 10k credentials", |bencher| {
        bencher.iter(|| black_box(keyward.list_credentials().unwrap().len()))
    });
    group.bench_function("look up one credential by name among 10k", |bencher| {
        let mut index = 0;
        bencher.iter(|| {
            index = (index + 7919) % COUNT;
            black_box(
                keyward
                    .credential(&format!("service-{index:05}-token"))
                    .unwrap(),
            )
        })
    });
    group.finish();

    let mut group = criterion.benchmark_group("keychain");
    group.sample_size(20);
    let vault = keyward.vault().clone();
    let value = SecretValue::from_string("ghp_".to_owned() + &"x".repeat(36));
    let mut counter = 0u64;
    group.bench_function("store one item (Secret Service)", |bencher| {
        bencher.iter(|| {
            counter += 1;
            vault
                .store(&Slot::Other(format!("bench/{}", counter % 64)), &value)
                .unwrap()
        })
    });
    group.bench_function("read one item (Secret Service)", |bencher| {
        bencher.iter(|| black_box(vault.read(&Slot::Other("bench/1".into())).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, inventory);
criterion_main!(benches);
