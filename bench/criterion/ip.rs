//! `Allowlist::contains` for 1 to 10 000 entries, IPv4 and IPv6: with a parsed address, and
//! with address text (what the PHP method does per call).
//!
//! The machine these run on is shared, so each criterion sample is timed as the fastest of
//! its 256-call chunks (one pass over the probes), scaled to the sample's iteration count:
//! time spent descheduled is not the code's cost.
//!
//! Run: `cargo bench --no-default-features --bench ip`
// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use agents_core::ip::{Allowlist, Cidr};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const SIZES: [usize; 5] = [1, 10, 100, 1000, 10_000];
const PROBES: usize = 256;

/// A deterministic pseudo-random sequence (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }
}

/// `n` IPv4 /24 networks and probes of which about half fall inside one.
fn v4_case(n: usize) -> (Allowlist, Vec<IpAddr>, Vec<String>) {
    let mut rng = Lcg(n as u64);
    let nets: Vec<Cidr> = (0..n)
        .map(|_| Cidr::new(IpAddr::V4(Ipv4Addr::from((rng.next() >> 32) as u32)), 24).unwrap())
        .collect();
    let probes: Vec<IpAddr> = (0..PROBES)
        .map(|i| {
            let r = rng.next();
            if i % 2 == 0 {
                let base = match nets[(r as usize) % n].network() {
                    IpAddr::V4(a) => u32::from(a),
                    IpAddr::V6(_) => unreachable!(),
                };
                IpAddr::V4(Ipv4Addr::from(base | ((r >> 40) as u32 & 0xff)))
            } else {
                IpAddr::V4(Ipv4Addr::from((r >> 32) as u32))
            }
        })
        .collect();
    let texts = probes.iter().map(ToString::to_string).collect();
    (Allowlist::from_nets(nets), probes, texts)
}

/// `n` IPv6 /48 networks inside 2001:db8::/32 and probes of which about half fall inside one.
fn v6_case(n: usize) -> (Allowlist, Vec<IpAddr>, Vec<String>) {
    let mut rng = Lcg(n as u64 + 7);
    let prefix = 0x2001_0db8u128 << 96;
    let nets: Vec<Cidr> = (0..n)
        .map(|_| {
            let a = prefix | (u128::from(rng.next() >> 48) << 80);
            Cidr::new(IpAddr::V6(Ipv6Addr::from(a)), 48).unwrap()
        })
        .collect();
    let probes: Vec<IpAddr> = (0..PROBES)
        .map(|i| {
            let r = rng.next();
            let a = if i % 2 == 0 {
                match nets[(r as usize) % n].network() {
                    IpAddr::V6(a) => u128::from(a) | u128::from(r & 0xffff),
                    IpAddr::V4(_) => unreachable!(),
                }
            } else {
                prefix | (u128::from(r) << 16)
            };
            IpAddr::V6(Ipv6Addr::from(a))
        })
        .collect();
    let texts = probes.iter().map(ToString::to_string).collect();
    (Allowlist::from_nets(nets), probes, texts)
}

/// Runs `iters` calls in passes over all probes; returns the fastest pass's time scaled to
/// `iters` calls.
fn fastest_pass(iters: u64, mut call: impl FnMut(usize) -> bool) -> Duration {
    let passes = iters.div_ceil(PROBES as u64).max(1);
    let mut best = Duration::MAX;
    for _ in 0..passes {
        let start = Instant::now();
        for i in 0..PROBES {
            black_box(call(i));
        }
        best = best.min(start.elapsed());
    }
    best.mul_f64(iters as f64 / PROBES as f64)
}

fn bench(c: &mut Criterion) {
    for (family, make) in [
        (
            "v4",
            v4_case as fn(usize) -> (Allowlist, Vec<IpAddr>, Vec<String>),
        ),
        ("v6", v6_case),
    ] {
        let mut group = c.benchmark_group(format!("ip_contains_{family}"));
        group
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_millis(700))
            .sample_size(20);
        for n in SIZES {
            let (list, probes, texts) = make(n);
            group.bench_with_input(BenchmarkId::new("addr", n), &n, |b, _| {
                b.iter_custom(|iters| fastest_pass(iters, |i| list.contains(black_box(probes[i]))))
            });
            group.bench_with_input(BenchmarkId::new("text", n), &n, |b, _| {
                b.iter_custom(|iters| {
                    fastest_pass(iters, |i| {
                        list.contains_text(black_box(texts[i].as_bytes()))
                    })
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
