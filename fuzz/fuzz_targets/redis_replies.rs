//! The Redis store's reply readers on arbitrary bytes from the server, and the check of a hit's
//! `BITFIELD` answers on arbitrary numbers.
//!
//! Never panics. Every reader either refuses the input or consumes no more than it holds; the
//! exact-shape readers accept only what the generic reader reads as that shape, and give the
//! same answer whether the bytes come in one piece or a few bytes at a time. The step's
//! check believes an admission only when the answers are the ones Redis' arithmetic gives for
//! some stored state, and then the new TAT fits the burst bound.
#![no_main]

use agents_core::ratelimit::redis::bitfield::Step;
use agents_core::ratelimit::redis::resp::{self, Reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut line = Vec::new();
    let generic = {
        let mut r = data;
        resp::read_reply(&mut r, 0).map(|reply| (reply, data.len() - r.len()))
    };
    let mut r = data;
    if let Ok(ints) = resp::read_ints::<5>(&mut r, &mut line) {
        let Ok((Reply::Array(items), used)) = &generic else {
            panic!("read_ints accepted what read_reply does not read as an array: {data:?}");
        };
        assert_eq!(*used, data.len() - r.len());
        for (item, v) in items.iter().zip(ints) {
            match (item, v) {
                (Reply::Int(a), Some(b)) => assert_eq!(*a, b),
                (Reply::Bulk(None), None) => {}
                other => panic!("disagree: {other:?}"),
            }
        }
    }
    let mut r = data;
    if let Ok(n) = resp::read_int(&mut r, &mut line) {
        assert!(matches!(&generic, Ok((Reply::Int(m), _)) if *m == n));
    }
    let mut r = data;
    let time = resp::read_time(&mut r, &mut line);

    // The same readers over a buffer of a few bytes (lines split across reads).
    let chunk = 1 + data.first().map_or(0, |b| usize::from(b % 8));
    let chunked = || std::io::BufReader::with_capacity(chunk, data);
    let mut r = data;
    assert_eq!(
        resp::read_ints::<5>(&mut chunked(), &mut line).ok(),
        resp::read_ints::<5>(&mut r, &mut line).ok()
    );
    let mut r = data;
    assert_eq!(
        resp::read_int(&mut chunked(), &mut line).ok(),
        resp::read_int(&mut r, &mut line).ok()
    );
    assert_eq!(resp::read_time(&mut chunked(), &mut line).ok(), time.ok());

    // The step's check on numbers from the input.
    if data.len() >= 56 {
        let word = |i: usize| u64::from_le_bytes(data[i * 8..i * 8 + 8].try_into().unwrap());
        let (now, bound) = (word(0) >> 12, (word(1) >> 20).max(1));
        let Some(step) = Step::new(now, (word(2) % bound).max(1), bound) else {
            return;
        };
        let answer = |i: usize| {
            let w = word(3 + i);
            (w & 1 == 0).then_some(i64::try_from(w >> 1).unwrap_or(i64::MAX))
        };
        let answers = [answer(0), answer(1), answer(2), answer(3)];
        if let Some((true, tat)) = step.read(answers) {
            assert!(tat >= now && tat - now <= bound, "{step:?} {answers:?}");
        }
    }
});
