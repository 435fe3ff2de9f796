//! A small property-test driver for the unit tests: each property runs on
//! many random cases from a seeded generator, and a failing case reports its
//! seed so it can be replayed (`AIO_CHECK_SEED=<seed>`). (proptest would do,
//! but its dependencies collide with the standard library's own when the
//! standard library is built from source, as it is for this target.)

/// xorshift64*: small, fast, and plenty for generating test cases.
pub struct Rng(u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `range` (half-open).
    pub fn below(&mut self, range: core::ops::Range<u64>) -> u64 {
        range.start + self.next_u64() % (range.end - range.start)
    }

    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
}

/// Runs `property` on `cases` random cases (or on the one seed given in
/// AIO_CHECK_SEED), naming the seed of a case that panics.
pub fn cases(cases: u32, property: impl Fn(&mut Rng)) {
    let seeds: Vec<u64> = match std::env::var("AIO_CHECK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seed) => vec![seed],
        None => (1..=u64::from(cases))
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
            .collect(),
    };
    for seed in seeds {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| property(&mut Rng(seed))));
        if let Err(panic) = outcome {
            eprintln!("property failed for AIO_CHECK_SEED={seed}");
            std::panic::resume_unwind(panic);
        }
    }
}
