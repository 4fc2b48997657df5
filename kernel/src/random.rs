//! The kernel's cryptographically secure random numbers: what `zx_cprng_draw` returns,
//! and the kernel's own (handle-scrambling keys, address-space layout).
//!
//! Built as Zircon's CPRNG is (Fuchsia's `docs/concepts/kernel/cprng.md`): a secret
//! 256-bit key, and output that is the ChaCha20 keystream under it. Adding entropy
//! replaces the key with `SHA-256(entropy || old key)`, so whoever adds entropy (a
//! program calling `zx_cprng_add_entropy` included) can only add to what the key holds,
//! never erase or choose it. The generator is reseeded from the kernel's own entropy
//! sources every [`RESEED_INTERVAL_NS`], which bounds how much past output a stolen key
//! reveals; Zircon does it from a thread, this kernel at the first draw once the
//! interval has passed.
//!
//! Entropy sources: the device tree's `rng-seed` and `kaslr-seed` (QEMU provides them),
//! mixed in at boot; counter jitter when the tree has no seed (weak: the boot log says
//! so) and at every reseed; whatever programs add. Seeding from the tree alone at boot
//! keeps a boot repeatable under QEMU's `-seed` (the benchmarks and the fuzzer rely on
//! it) until the first reseed, and always under `-icount`, where jitter is a function of
//! the instructions run.
//!
//! The crates: `chacha20` (RustCrypto; its RNG without the `cipher` feature) and `sha2`
//! with `force-soft`, both `no_std`. On `aarch64-unknown-none-softfloat` both use their
//! portable code, never FP/SIMD registers, which the kernel must not touch.

use chacha20::rand_core::{Rng, SeedableRng};
use chacha20::ChaCha20Rng;
use sha2::{Digest, Sha256};

/// How often the generator is reseeded from the kernel's entropy sources (Zircon's 30 s).
pub const RESEED_INTERVAL_NS: u64 = 30_000_000_000;

/// The generator's state: the key and the keystream under it.
pub struct Cprng {
    key: [u8; 32],
    /// The ChaCha20 keystream under `key`, from where the last draw left it.
    stream: ChaCha20Rng,
    /// When the key last took in the kernel's own entropy (monotonic ns).
    last_reseed_ns: u64,
}

impl Cprng {
    /// A generator that has taken in no entropy yet: its output is predictable until
    /// [`Cprng::add_entropy`] runs.
    pub fn new() -> Cprng {
        let key = [0; 32];
        Cprng {
            key,
            stream: ChaCha20Rng::from_seed(key),
            last_reseed_ns: 0,
        }
    }

    /// Mixes `entropy` into the key: `key = SHA-256(entropy || key)`. The keystream
    /// starts over under the new key.
    pub fn add_entropy(&mut self, entropy: &[u8]) {
        let mut hash = Sha256::new();
        hash.update(entropy);
        hash.update(self.key);
        self.key = hash.finalize().into();
        self.stream = ChaCha20Rng::from_seed(self.key);
    }

    /// Fills `out` with the next bytes of the keystream.
    pub fn draw(&mut self, out: &mut [u8]) {
        self.stream.fill_bytes(out);
    }

    /// Whether the kernel's entropy sources are due to be mixed in again at `now_ns`.
    pub fn reseed_due(&self, now_ns: u64) -> bool {
        now_ns.saturating_sub(self.last_reseed_ns) >= RESEED_INTERVAL_NS
    }

    /// Mixes in `entropy` from the kernel's own sources, and notes the time.
    pub fn reseed(&mut self, entropy: &[u8], now_ns: u64) {
        self.add_entropy(entropy);
        self.last_reseed_ns = now_ns;
    }
}

impl Default for Cprng {
    fn default() -> Cprng {
        Cprng::new()
    }
}

/// The kernel's generator, shared by all CPUs. This spin lock protects it; it is a leaf
/// (nothing else is locked while it is held, and nothing under it faults or blocks) and
/// no interrupt handler takes it, so it is taken with IRQs as they are. `None` until the
/// first use.
#[cfg(target_os = "none")]
static CPRNG: spin::Mutex<Option<Cprng>> = spin::Mutex::new(None);

/// Runs `f` on the kernel's generator, first reseeding it from counter jitter if
/// [`RESEED_INTERVAL_NS`] has passed since the last time.
#[cfg(target_os = "none")]
fn with_cprng<R>(f: impl FnOnce(&mut Cprng) -> R) -> R {
    let now = crate::arch::timer::monotonic_ns();
    let mut guard = CPRNG.lock();
    let cprng = guard.get_or_insert_with(Cprng::new);
    if cprng.reseed_due(now) {
        let mut jitter = [0u8; JITTER_BYTES];
        jitter_sample(&mut jitter);
        cprng.reseed(&jitter, now);
    }
    f(cprng)
}

/// Mixes `entropy` into the kernel's generator (`zx_cprng_add_entropy`, boot seeds).
#[cfg(target_os = "none")]
pub fn add_entropy(entropy: &[u8]) {
    with_cprng(|cprng| cprng.add_entropy(entropy));
}

/// Mixes counter jitter into the kernel's generator: the only entropy there is when
/// the device tree carries no seed.
#[cfg(target_os = "none")]
pub fn add_jitter_entropy() {
    let mut jitter = [0u8; JITTER_BYTES];
    jitter_sample(&mut jitter);
    add_entropy(&jitter);
}

/// Fills `out` from the kernel's generator.
#[cfg(target_os = "none")]
pub fn draw(out: &mut [u8]) {
    with_cprng(|cprng| cprng.draw(out));
}

/// A random 64-bit value from the kernel's generator.
#[cfg(target_os = "none")]
pub fn next_u64() -> u64 {
    let mut bytes = [0u8; 8];
    draw(&mut bytes);
    u64::from_le_bytes(bytes)
}

/// Samples of counter jitter taken per (re)seed.
const JITTER_BYTES: usize = 64;

/// Fills `out` with counter jitter: for each byte, the counter's low bits after a short
/// run of work whose length depends on the counter itself. Weak on its own (the counter
/// runs at tens of MHz), but it changes from boot to boot on real hardware and under
/// QEMU without `-icount`.
#[cfg(target_os = "none")]
fn jitter_sample(out: &mut [u8; JITTER_BYTES]) {
    use crate::arch::timer::counter;
    let mut mix = counter();
    for byte in out.iter_mut() {
        let rounds = 16 + (mix & 0x3f);
        for _ in 0..rounds {
            mix = core::hint::black_box(mix.rotate_left(7) ^ counter());
        }
        *byte = (counter() ^ mix ^ (mix >> 29)) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn output_is_the_chacha20_keystream() {
        // RFC 8439 appendix A.1, test vector 1: all-zero key and nonce, block 0.
        let mut cprng = Cprng::new();
        let mut out = [0u8; 32];
        cprng.draw(&mut out);
        assert_eq!(
            hex(&out),
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
        );
    }

    #[test]
    fn adding_entropy_hashes_it_with_the_old_key() {
        // key = SHA-256("abc" || 32 zero bytes); the output is ChaCha20 under it (72
        // bytes: into the second block). Expected values from an independent SHA-256 and
        // ChaCha20 (Python's hashlib and cryptography).
        let mut cprng = Cprng::new();
        cprng.add_entropy(b"abc");
        assert_eq!(
            hex(&cprng.key),
            "1b23f860db9bd9eccc26b36eaa3b6c223ef34539cdef01b240ad76ee45e176c1"
        );
        let mut out = [0u8; 72];
        cprng.draw(&mut out);
        assert_eq!(
            hex(&out),
            "c7dc513d2e7e1da8d08a3914a9ac4a363eb407d1aec49401793773682483d9ef\
             af5b892a515470949ce1960489bcd823de38d0ee69c1b270318ecb86c2724f41\
             88e51d293f3f3276"
        );
        cprng.add_entropy(b"zrk");
        assert_eq!(
            hex(&cprng.key),
            "dc3e9974ad87434b6ec62e6ece332e7d96b37f2e4e08b0627115321db0cbce8c"
        );
    }

    #[test]
    fn added_entropy_cannot_replace_the_key() {
        // Two generators that differ only in their past keep differing whatever the
        // same caller adds to both.
        let mut a = Cprng::new();
        let mut b = Cprng::new();
        a.add_entropy(b"boot seed one");
        b.add_entropy(b"boot seed two");
        for attempt in [&b""[..], b"chosen", &[0u8; 256]] {
            a.add_entropy(attempt);
            b.add_entropy(attempt);
            let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
            a.draw(&mut x);
            b.draw(&mut y);
            assert_ne!(x, y);
        }
    }

    #[test]
    fn successive_draws_differ() {
        let mut cprng = Cprng::new();
        cprng.add_entropy(&42u64.to_le_bytes());
        let mut seen = std::collections::HashSet::new();
        for size in [1usize, 8, 8, 31, 64, 64, 255, 256, 256] {
            let mut out = vec![0u8; size];
            cprng.draw(&mut out);
            assert!(seen.insert(out), "a draw of {size} bytes repeated");
        }
    }

    #[test]
    fn reseeding_is_due_every_thirty_seconds() {
        let mut cprng = Cprng::new();
        assert!(cprng.reseed_due(RESEED_INTERVAL_NS));
        cprng.reseed(b"jitter", 5_000_000_000);
        assert!(!cprng.reseed_due(5_000_000_000));
        assert!(!cprng.reseed_due(34_999_999_999));
        assert!(cprng.reseed_due(35_000_000_000));
        // A clock reading from before the last reseed never triggers one.
        assert!(!cprng.reseed_due(0));
        let key = cprng.key;
        cprng.reseed(b"jitter", 35_000_000_000);
        assert_ne!(cprng.key, key);
    }
}
