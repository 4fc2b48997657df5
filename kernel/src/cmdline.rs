//! The kernel command line (`/chosen/bootargs`): space-separated options.
//!
//! | option          | meaning                                                        |
//! |-----------------|----------------------------------------------------------------|
//! | `test`          | test mode: run the test program, exit QEMU with its status     |
//! | `mem=SIZE`      | use at most SIZE bytes of RAM; decimal or `0x` hex, optional   |
//! |                 | `K`/`M`/`G` suffix (either case), nonzero                      |
//! | `crash=KIND`    | crash on purpose: `null`, `stack` (overflow) or `undef`        |
//! | `loglevel=LVL`  | `off`, `error`, `warn`, `info`, `debug` or `trace`             |
//!
//! Parsing never fails: anything not understood is reported in [`Problems`] and
//! otherwise ignored, so the kernel can say `command line: unknown option 'foo'
//! (ignored)` and go on. When an option repeats, the last valid one wins. Portable,
//! host-tested, allocation-free.

use core::fmt;

use log::LevelFilter;

/// How many problems [`Problems`] keeps; later ones are only counted.
pub const MAX_PROBLEMS: usize = 8;

/// What `crash=` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashKind {
    /// `crash=null`: read through a null pointer.
    Null,
    /// `crash=stack`: overflow the kernel stack.
    StackOverflow,
    /// `crash=undef`: execute an undefined instruction.
    Undefined,
}

/// The options the kernel understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandLine<'a> {
    /// `test`
    pub test_mode: bool,
    /// `mem=SIZE`, in bytes.
    pub mem_limit: Option<u64>,
    /// `crash=null|stack|undef`
    pub crash: Option<CrashKind>,
    /// `loglevel=off|error|warn|info|debug|trace`
    pub loglevel: Option<LevelFilter>,
    /// The whole command line as given.
    pub raw: &'a str,
}

/// One thing wrong with the command line: the option as written and what is wrong with
/// it. Displays as `unknown option 'foo' (ignored)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem<'a> {
    /// The option's text, e.g. `mem=12X`.
    pub option: &'a str,
    /// What is wrong, e.g. "unknown option".
    pub what: &'static str,
}

impl fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} '{}' (ignored)", self.what, self.option)
    }
}

/// Reasons a [`Problem`] gives.
pub mod what {
    pub const UNKNOWN_OPTION: &str = "unknown option";
    pub const BAD_SIZE: &str = "bad size (want a number with optional K, M or G)";
    pub const ZERO_SIZE: &str = "memory size must not be zero";
    pub const SIZE_TOO_LARGE: &str = "memory size too large";
    pub const BAD_CRASH: &str = "unknown crash kind (want null, stack or undef)";
    pub const BAD_LOGLEVEL: &str = "unknown log level (want off, error, warn, info, debug or trace)";
    pub const NO_VALUE_EXPECTED: &str = "option takes no value";
}

/// A fixed-capacity list of [`Problem`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problems<'a> {
    items: [Problem<'a>; MAX_PROBLEMS],
    len: usize,
    dropped: usize,
}

impl<'a> Problems<'a> {
    const fn new() -> Self {
        Problems { items: [Problem { option: "", what: "" }; MAX_PROBLEMS], len: 0, dropped: 0 }
    }

    fn push(&mut self, option: &'a str, what: &'static str) {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = Problem { option, what };
                self.len += 1;
            }
            None => self.dropped += 1,
        }
    }

    pub fn as_slice(&self) -> &[Problem<'a>] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    pub fn iter(&self) -> impl Iterator<Item = Problem<'a>> + '_ {
        self.as_slice().iter().copied()
    }

    /// Problems kept.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the command line was fully understood.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.dropped == 0
    }

    /// Problems found beyond the first [`MAX_PROBLEMS`], counted but not kept.
    pub fn dropped(&self) -> usize {
        self.dropped
    }
}

/// Parses a command line. Never fails; see the module documentation.
pub fn parse(s: &str) -> (CommandLine<'_>, Problems<'_>) {
    let mut line =
        CommandLine { test_mode: false, mem_limit: None, crash: None, loglevel: None, raw: s };
    let mut problems = Problems::new();

    for option in s.split_ascii_whitespace() {
        let (key, value) = match option.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (option, None),
        };
        match (key, value) {
            ("test", None) => line.test_mode = true,
            ("test", Some(_)) => problems.push(option, what::NO_VALUE_EXPECTED),
            ("mem", Some(v)) => match parse_size(v) {
                Ok(0) => problems.push(option, what::ZERO_SIZE),
                Ok(bytes) => line.mem_limit = Some(bytes),
                Err(why) => problems.push(option, why),
            },
            ("crash", Some(v)) => match v {
                "null" => line.crash = Some(CrashKind::Null),
                "stack" => line.crash = Some(CrashKind::StackOverflow),
                "undef" => line.crash = Some(CrashKind::Undefined),
                _ => problems.push(option, what::BAD_CRASH),
            },
            ("loglevel", Some(v)) => match parse_level(v) {
                Some(level) => line.loglevel = Some(level),
                None => problems.push(option, what::BAD_LOGLEVEL),
            },
            ("mem", None) => problems.push(option, what::BAD_SIZE),
            ("crash", None) => problems.push(option, what::BAD_CRASH),
            ("loglevel", None) => problems.push(option, what::BAD_LOGLEVEL),
            _ => problems.push(option, what::UNKNOWN_OPTION),
        }
    }
    (line, problems)
}

/// `123`, `0x7b`, `64M`, `2g`... in bytes. Err says why not.
fn parse_size(text: &str) -> Result<u64, &'static str> {
    let (digits, shift) = if let Some(d) = text.strip_suffix(['k', 'K']) {
        (d, 10)
    } else if let Some(d) = text.strip_suffix(['m', 'M']) {
        (d, 20)
    } else if let Some(d) = text.strip_suffix(['g', 'G']) {
        (d, 30)
    } else {
        (text, 0)
    };
    let (digits, radix) = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    if digits.is_empty() {
        return Err(what::BAD_SIZE);
    }
    let mut value: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or(what::BAD_SIZE)?;
        value = value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or(what::SIZE_TOO_LARGE)?;
    }
    value
        .checked_mul(1u64 << shift)
        .ok_or(what::SIZE_TOO_LARGE)
}

fn parse_level(text: &str) -> Option<LevelFilter> {
    const LEVELS: [(&str, LevelFilter); 6] = [
        ("off", LevelFilter::Off),
        ("error", LevelFilter::Error),
        ("warn", LevelFilter::Warn),
        ("info", LevelFilter::Info),
        ("debug", LevelFilter::Debug),
        ("trace", LevelFilter::Trace),
    ];
    LEVELS.iter().find(|(name, _)| name.eq_ignore_ascii_case(text)).map(|(_, level)| *level)
}
