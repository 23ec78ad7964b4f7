//! Inventory and keychain figures for docs/BENCHMARKS.md: adding 10,000 credentials'
//! metadata, listing them, looking one up by name, and the real keychain's store and
//! read latency per item. Run with `make bench` (inside a throwaway Secret Service).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use keyward::Keyward;
use keyward::model::SecretValue;
use keyward::vault::Slot;

use keyward_testsupport::inventory::{COUNT, fill};

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
