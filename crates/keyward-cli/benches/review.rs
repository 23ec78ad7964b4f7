//! Security-lead figures for docs/BENCHMARKS.md: building and writing the HTML, CSV and
//! JSON reports for 10,000 credentials, and syncing 10,000 rows to the team PostgreSQL.
//! `make bench-review` runs it next to a throwaway PostgreSQL and Secret Service.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use keyward::report::{csv_export, html};
use keyward::{Keyward, ReportScope};

use keyward_testsupport::inventory::fill;

fn review(criterion: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut keyward = Keyward::init(&dir.path().join("home")).unwrap();
    fill(&mut keyward);
    let mut group = criterion.benchmark_group("review");
    group.sample_size(10);
    group.bench_function("report model for 10k credentials", |bencher| {
        bencher.iter(|| {
            black_box(
                keyward
                    .review()
                    .build_report(ReportScope::Local)
                    .unwrap()
                    .rows
                    .len(),
            )
        })
    });
    let report = keyward.review().build_report(ReportScope::Local).unwrap();
    group.bench_function("render HTML for 10k credentials", |bencher| {
        bencher.iter(|| black_box(html::render(&report).len()))
    });
    group.bench_function("render CSV for 10k credentials", |bencher| {
        bencher.iter(|| black_box(csv_export::render(&report).unwrap().len()))
    });
    let out = dir.path().join("report.html");
    group.bench_function(
        "keyward report --format html, 10k credentials, end to end",
        |bencher| {
            bencher.iter(|| {
                keyward
                    .review()
                    .write_report(keyward::ReportFormat::Html, ReportScope::Local, &out)
                    .unwrap()
            })
        },
    );
    match std::env::var("KEYWARD_TEST_POSTGRES") {
        Ok(base) => {
            let url = format!("{base}?sslmode=require");
            let ca = std::env::var("KEYWARD_TEST_POSTGRES_CA").unwrap();
            keyward.team().sync_team(&url, Some(ca.as_ref())).unwrap();
            group.bench_function(
                "sync 10k credential rows to PostgreSQL (TLS, loopback)",
                |bencher| {
                    bencher.iter(|| keyward.team().sync_team(&url, Some(ca.as_ref())).unwrap())
                },
            );
            group.bench_function(
                "read the team view of 10k rows, signatures checked",
                |bencher| {
                    bencher.iter(|| {
                        black_box(
                            keyward
                                .team()
                                .team_view(&url, Some(ca.as_ref()))
                                .unwrap()
                                .credentials
                                .len(),
                        )
                    })
                },
            );
        }
        Err(_) => eprintln!(
            "KEYWARD_TEST_POSTGRES is not set: run under scripts/with-postgres.sh for the sync figures"
        ),
    }
    group.finish();
}

criterion_group!(benches, review);
criterion_main!(benches);
