//! Rotation figures for docs/BENCHMARKS.md: the end-to-end time of one rotation (plan
//! row, create, keychain pending slot, verify, commit, propagation into one file, revoke,
//! every step journaled and audited) with the `generate` adapter, and with the `http`
//! recipe adapter against a fake key API over HTTPS on 127.0.0.1 (three requests).
//! Run with `make bench-rotate` (inside a throwaway Secret Service).

use keyward_testsupport::{http_stand_in as fake, providers};

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use keyward::model::{CredentialKind, NewCredential, SecretValue};
use keyward::rotate::{RotationMethod, RotationSetup};
use keyward::{Keyward, RotationApproval};

fn home(dir: &std::path::Path, value: &str) -> Keyward {
    let mut keyward = Keyward::init(&dir.join("home")).unwrap();
    keyward
        .credentials()
        .add_credential(
            NewCredential {
                name: "svc".into(),
                kind: Some(CredentialKind::ApiKey),
                allowed_hosts: vec!["127.0.0.1".into()],
                ..Default::default()
            },
            SecretValue::from_string(value.into()),
        )
        .unwrap();
    // Keep no replaced value: every iteration rotates the same credential again.
    keyward.rotation().set_rotation_grace_hours(0).unwrap();
    keyward
}

fn rotation(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("rotation");
    group.sample_size(20);

    let dir = tempfile::tempdir().unwrap();
    let value = "sk_live_abcdefghijklmnopqrstuvwxyz012345";
    let mut keyward = home(dir.path(), value);
    let env = dir.path().join("app.env");
    std::fs::write(&env, format!("KEY={value}\n")).unwrap();
    let mut setup = RotationSetup::new(RotationMethod::Generate);
    setup.files = vec![env.clone()];
    keyward.rotation().set_rotation("svc", setup, None).unwrap();
    group.bench_function("generate, one propagated file", |bencher| {
        bencher.iter(|| {
            black_box(
                keyward
                    .rotation()
                    .rotate_credential("svc", &RotationApproval::default(), None, &mut |_| {})
                    .unwrap(),
            )
        })
    });

    let dir = tempfile::tempdir().unwrap();
    let (api, value) = providers::FakeTokens::new("key_");
    let server = fake::start(dir.path(), api.key_api());
    let mut keyward = home(dir.path(), &value);
    let mut setup = RotationSetup::new(RotationMethod::Http);
    setup.recipe = Some(providers::key_api_recipe(&server.base_url()));
    setup.ca_file = Some(server.ca_file.clone());
    setup.key_id = Some("1".into());
    keyward.rotation().set_rotation("svc", setup, None).unwrap();
    group.bench_function("http recipe against a local HTTPS fake", |bencher| {
        bencher.iter(|| {
            black_box(
                keyward
                    .rotation()
                    .rotate_credential("svc", &RotationApproval::default(), None, &mut |_| {})
                    .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, rotation);
criterion_main!(benches);
