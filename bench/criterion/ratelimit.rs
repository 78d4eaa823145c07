//! Core rate limiter: the GCRA step alone and a hit on a node table.
// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]
use std::hint::black_box;

use agents_core::ratelimit::gcra::{Params, decide};
use agents_core::ratelimit::{local, shm};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let p = Params::new(1_000_000_000, 60);
    let now = 1_700_000_000_000_000u64;
    c.bench_function("gcra_decide", |b| {
        b.iter(|| {
            decide(
                black_box(&p),
                black_box(now - 5),
                black_box(now),
                black_box(1),
            )
        })
    });
    let table = local::Table::new(shm::map(local::DEFAULT_SLOTS).expect("mmap"));
    let keys: Vec<String> = (0..1024)
        .map(|i| format!("198.51.100.{i}|health"))
        .collect();
    let mut i = 0usize;
    let prefix = table.key_for(b"bench:");
    c.bench_function("local_table_hit", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            table.hit(&p, prefix, keys[i].as_bytes(), 1, now)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
