//! The kernel's pseudo-random numbers (handle scrambling keys, ...).
//!
//! Seeded at boot from the device tree's `rng-seed`/`kaslr-seed` when the boot loader
//! provides one (QEMU does), otherwise from the counter's low bits sampled across
//! boot-time work, which is weak; the banner says which. Not for cryptography.

use spin::Mutex;

static STATE: Mutex<u64> = Mutex::new(0x9e37_79b9_7f4a_7c15);

/// Mixes `seed` into the generator's state.
pub fn seed(seed: u64) {
    let mut s = STATE.lock();
    *s ^= seed;
    *s = splitmix(&mut s.clone());
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn next_u64() -> u64 {
    splitmix(&mut STATE.lock())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successive_values_differ() {
        seed(42);
        let a = next_u64();
        let b = next_u64();
        assert_ne!(a, b);
    }
}
