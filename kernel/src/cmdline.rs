//! The kernel command line (`/chosen/bootargs`): space-separated options.
//!
//! | option          | meaning                                                        |
//! |-----------------|----------------------------------------------------------------|
//! | `test`          | test mode: run the test program, exit QEMU with its status     |
//! | `mem=SIZE`      | use at most SIZE bytes of RAM; decimal or `0x` hex, optional   |
//! |                 | `K`/`M`/`G` suffix (either case), nonzero                      |
//! | `crash=KIND`    | crash on purpose: `null`, `stack` (overflow), `undef` or `user` |
//! |                 | (the kernel reads a user page directly: PAN must stop it)     |
//! | `loglevel=LVL`  | `off`, `error`, `warn`, `info`, `debug` or `trace`             |
//! | `watchdog=S`    | seconds a syscall may run before the watchdog stops the kernel |
//! |                 | (default 10; 0: as soon as one spans two timer ticks)          |
//! | `max_port_observers=N` | armed zx_object_wait_async observers a port may have; one |
//! |                 | more is a policy exception that kills the caller (default      |
//! |                 | 50000, Fuchsia's)                                              |
//! | `debugging_syscalls` | enable debugging syscalls (`zx_process_write_memory`); off  |
//! |                 | by default, as Fuchsia's `kernel.enable-debugging-syscalls`    |
//! | `max_asids=N`   | give at most N address spaces an ASID of their own (N >= 1;    |
//! |                 | the rest share one, flushed on switch): tests ASID exhaustion  |
//!
//! Parsing never fails: anything not understood is reported in [`Problems`] and
//! otherwise ignored, so the kernel can say `command line: unknown option 'foo'
//! (ignored)` and go on. When an option repeats, the last valid one wins. Portable,
//! host-tested, allocation-free.

// The parser reports everything the input says; the kernel reads more of it as
// features land (the Pi's GPIO and spin tables, the RNG seed), and tests read the rest.
#![cfg_attr(not(test), allow(dead_code))]

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
    /// `crash=user`: read a mapped user page from the kernel outside the copy routines.
    UserRead,
    /// `crash=lockorder`: take two locks against the written lock order (a checked
    /// build's lock-order checker must stop it).
    LockOrder,
}

/// The options the kernel understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandLine<'a> {
    /// `test`
    pub test_mode: bool,
    /// `mem=SIZE`, in bytes.
    pub mem_limit: Option<u64>,
    /// `crash=null|stack|undef|user`
    pub crash: Option<CrashKind>,
    /// `loglevel=off|error|warn|info|debug|trace`
    pub loglevel: Option<LevelFilter>,
    /// `watchdog=SECONDS`
    pub watchdog: Option<u64>,
    /// `max_port_observers=N`
    pub max_port_observers: Option<usize>,
    /// `debugging_syscalls`
    pub debugging_syscalls: bool,
    /// `max_asids=N`
    pub max_asids: Option<usize>,
    /// The whole command line as given.
    pub raw: &'a str,
}

/// One thing wrong with the command line: the option as written and what is wrong with
/// it. Displays as `unknown option 'foo'`; the kernel adds that it was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem<'a> {
    /// The option's text, e.g. `mem=12X`.
    pub option: &'a str,
    /// What is wrong, e.g. "unknown option".
    pub what: &'static str,
}

impl fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} '{}'", self.what, self.option)
    }
}

/// Reasons a [`Problem`] gives, worded to precede the quoted option.
pub mod what {
    pub const UNKNOWN_OPTION: &str = "unknown option";
    pub const BAD_SIZE: &str = "bad size (want digits and an optional K, M or G) in";
    pub const ZERO_SIZE: &str = "zero memory size in";
    pub const SIZE_TOO_LARGE: &str = "size too large in";
    pub const BAD_CRASH: &str =
        "unknown crash kind (want null, stack, undef, user or lockorder) in";
    pub const BAD_WATCHDOG: &str = "watchdog wants whole seconds in";
    pub const BAD_PORT_OBSERVERS: &str = "max_port_observers wants a whole number in";
    pub const BAD_LOGLEVEL: &str =
        "unknown log level (want off, error, warn, info, debug or trace) in";
    pub const NO_VALUE_EXPECTED: &str = "unexpected value in";
    pub const BAD_ASIDS: &str = "max_asids wants a whole number of at least 1 in";
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
        Problems {
            items: [Problem {
                option: "",
                what: "",
            }; MAX_PROBLEMS],
            len: 0,
            dropped: 0,
        }
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
    let mut line = CommandLine {
        test_mode: false,
        mem_limit: None,
        crash: None,
        loglevel: None,
        watchdog: None,
        max_port_observers: None,
        debugging_syscalls: false,
        max_asids: None,
        raw: s,
    };
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
                "user" => line.crash = Some(CrashKind::UserRead),
                "lockorder" => line.crash = Some(CrashKind::LockOrder),
                _ => problems.push(option, what::BAD_CRASH),
            },
            ("loglevel", Some(v)) => match parse_level(v) {
                Some(level) => line.loglevel = Some(level),
                None => problems.push(option, what::BAD_LOGLEVEL),
            },
            ("watchdog", Some(v)) => match v.parse() {
                Ok(seconds) => line.watchdog = Some(seconds),
                Err(_) => problems.push(option, what::BAD_WATCHDOG),
            },
            ("watchdog", None) => problems.push(option, what::BAD_WATCHDOG),
            ("max_port_observers", Some(v)) => match v.parse() {
                Ok(n) => line.max_port_observers = Some(n),
                Err(_) => problems.push(option, what::BAD_PORT_OBSERVERS),
            },
            ("max_port_observers", None) => problems.push(option, what::BAD_PORT_OBSERVERS),
            ("debugging_syscalls", None) => line.debugging_syscalls = true,
            ("debugging_syscalls", Some(_)) => problems.push(option, what::NO_VALUE_EXPECTED),
            ("max_asids", Some(v)) => match v.parse() {
                Ok(n) if n >= 1 => line.max_asids = Some(n),
                _ => problems.push(option, what::BAD_ASIDS),
            },
            ("max_asids", None) => problems.push(option, what::BAD_ASIDS),
            ("mem", None) => problems.push(option, what::BAD_SIZE),
            ("crash", None) => problems.push(option, what::BAD_CRASH),
            ("loglevel", None) => problems.push(option, what::BAD_LOGLEVEL),
            // `module.param=...` is for some driver of Linux's: the Pi's firmware adds
            // several (vc_mem.*, smsc95xx.*). Not ours, not a mistake.
            (k, _) if k.contains('.') => {}
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
    let (digits, radix) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
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
    value.checked_mul(1u64 << shift).ok_or(what::SIZE_TOO_LARGE)
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
    LEVELS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, level)| *level)
}

#[cfg(test)]
mod tests {
    #[test]
    fn debugging_syscalls_and_max_asids() {
        let (line, problems) = super::parse("debugging_syscalls max_asids=8");
        assert!(line.debugging_syscalls);
        assert_eq!(line.max_asids, Some(8));
        assert!(problems.is_empty());
        let (line, problems) = super::parse("max_asids=0 debugging_syscalls=1");
        assert!(!line.debugging_syscalls);
        assert_eq!(line.max_asids, None);
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn module_parameters_of_other_kernels_are_ignored_quietly() {
        let (line, problems) =
            super::parse("vc_mem.mem_base=0x3ec00000 smsc95xx.macaddr=DC:A6 test");
        assert!(line.test_mode);
        assert!(problems.is_empty());
    }

    extern crate std;

    use super::*;
    use std::string::ToString;
    use std::vec::Vec;

    fn problems(s: &str) -> Vec<(&str, &'static str)> {
        parse(s).1.iter().map(|p| (p.option, p.what)).collect()
    }

    #[test]
    fn empty_command_line_sets_nothing_and_has_no_problems() {
        for s in ["", "   ", "\t\n"] {
            let (line, probs) = parse(s);
            assert_eq!(
                line,
                CommandLine {
                    test_mode: false,
                    mem_limit: None,
                    crash: None,
                    loglevel: None,
                    watchdog: None,
                    max_port_observers: None,
                    debugging_syscalls: false,
                    max_asids: None,
                    raw: s
                }
            );
            assert!(probs.is_empty());
        }
    }

    #[test]
    fn qemu_fixture_bootargs_turn_on_test_mode_and_a_64m_limit() {
        let (line, probs) = parse("test mem=64M");
        assert!(line.test_mode);
        assert_eq!(line.mem_limit, Some(64 << 20));
        assert_eq!(line.raw, "test mem=64M");
        assert!(probs.is_empty());
    }

    #[test]
    fn options_may_be_separated_by_any_run_of_whitespace() {
        let (line, probs) = parse("  test\t\tloglevel=debug \n crash=null ");
        assert!(line.test_mode);
        assert_eq!(line.loglevel, Some(LevelFilter::Debug));
        assert_eq!(line.crash, Some(CrashKind::Null));
        assert!(probs.is_empty());
    }

    #[test]
    fn mem_accepts_k_m_g_suffixes_in_either_case_and_hex() {
        let mem = |s: &str| parse(s).0.mem_limit;
        assert_eq!(mem("mem=4096"), Some(4096));
        assert_eq!(mem("mem=4k"), Some(4 << 10));
        assert_eq!(mem("mem=4K"), Some(4 << 10));
        assert_eq!(mem("mem=64m"), Some(64 << 20));
        assert_eq!(mem("mem=2G"), Some(2 << 30));
        assert_eq!(mem("mem=2g"), Some(2 << 30));
        assert_eq!(mem("mem=0x1000"), Some(0x1000));
        assert_eq!(mem("mem=0X10M"), Some(16 << 20));
        assert_eq!(mem("mem=16E"), None);
    }

    #[test]
    fn mem_rejects_bad_values_with_the_option_text() {
        for bad in [
            "mem=12X", "mem=", "mem=M", "mem=-5", "mem=1.5G", "mem=0x", "mem=0xG", "mem",
        ] {
            let (line, probs) = parse(bad);
            assert_eq!(line.mem_limit, None, "{bad}");
            let first = probs.iter().next().unwrap();
            assert!(bad.starts_with(first.option), "{bad}");
        }
        assert_eq!(problems("mem=12X"), [("mem=12X", what::BAD_SIZE)]);
        // A space ends the option: "mem=4 K" is 4 bytes and an unknown option "K".
        assert_eq!(parse("mem=4 K").0.mem_limit, Some(4));
        assert_eq!(problems("mem=4 K"), [("K", what::UNKNOWN_OPTION)]);
    }

    #[test]
    fn mem_zero_is_rejected() {
        assert_eq!(problems("mem=0"), [("mem=0", what::ZERO_SIZE)]);
        assert_eq!(problems("mem=0G"), [("mem=0G", what::ZERO_SIZE)]);
        assert_eq!(parse("mem=0").0.mem_limit, None);
    }

    #[test]
    fn mem_rejects_overflow_instead_of_wrapping() {
        assert_eq!(
            problems("mem=99999999999G"),
            [("mem=99999999999G", what::SIZE_TOO_LARGE)]
        );
        assert_eq!(
            problems("mem=18446744073709551616"),
            [("mem=18446744073709551616", what::SIZE_TOO_LARGE)]
        );
        assert_eq!(
            problems("mem=0x10000000000000000"),
            [("mem=0x10000000000000000", what::SIZE_TOO_LARGE)]
        );
        assert_eq!(
            problems("mem=17179869184G"),
            [("mem=17179869184G", what::SIZE_TOO_LARGE)]
        );
        // The largest values that fit still parse.
        assert_eq!(
            parse("mem=18446744073709551615").0.mem_limit,
            Some(u64::MAX)
        );
        assert_eq!(
            parse("mem=17179869183G").0.mem_limit,
            Some(17_179_869_183 << 30)
        );
    }

    #[test]
    fn crash_kinds_are_null_stack_and_undef() {
        let crash = |s: &str| parse(s).0.crash;
        assert_eq!(crash("crash=null"), Some(CrashKind::Null));
        assert_eq!(crash("crash=stack"), Some(CrashKind::StackOverflow));
        assert_eq!(crash("crash=undef"), Some(CrashKind::Undefined));
        assert_eq!(crash("crash=user"), Some(CrashKind::UserRead));
        assert_eq!(crash("crash=boom"), None);
        assert_eq!(problems("crash=boom"), [("crash=boom", what::BAD_CRASH)]);
        assert_eq!(problems("crash"), [("crash", what::BAD_CRASH)]);
    }

    #[test]
    fn watchdog_takes_whole_seconds() {
        assert_eq!(parse("watchdog=0").0.watchdog, Some(0));
        assert_eq!(parse("watchdog=30").0.watchdog, Some(30));
        assert_eq!(parse("test").0.watchdog, None);
        assert_eq!(
            problems("watchdog=1.5"),
            [("watchdog=1.5", what::BAD_WATCHDOG)]
        );
        assert_eq!(problems("watchdog"), [("watchdog", what::BAD_WATCHDOG)]);
    }

    #[test]
    fn max_port_observers_takes_a_whole_number() {
        assert_eq!(
            parse("max_port_observers=100").0.max_port_observers,
            Some(100)
        );
        assert_eq!(parse("test").0.max_port_observers, None);
        assert_eq!(
            problems("max_port_observers=1e3"),
            [("max_port_observers=1e3", what::BAD_PORT_OBSERVERS)]
        );
        assert_eq!(
            problems("max_port_observers"),
            [("max_port_observers", what::BAD_PORT_OBSERVERS)]
        );
    }

    #[test]
    fn loglevel_names_every_level_filter() {
        let level = |s: &str| parse(s).0.loglevel;
        assert_eq!(level("loglevel=off"), Some(LevelFilter::Off));
        assert_eq!(level("loglevel=error"), Some(LevelFilter::Error));
        assert_eq!(level("loglevel=warn"), Some(LevelFilter::Warn));
        assert_eq!(level("loglevel=info"), Some(LevelFilter::Info));
        assert_eq!(level("loglevel=debug"), Some(LevelFilter::Debug));
        assert_eq!(level("loglevel=TRACE"), Some(LevelFilter::Trace));
        assert_eq!(problems("loglevel=7"), [("loglevel=7", what::BAD_LOGLEVEL)]);
        assert_eq!(problems("loglevel="), [("loglevel=", what::BAD_LOGLEVEL)]);
    }

    #[test]
    fn unknown_options_are_reported_and_the_rest_still_applies() {
        let (line, probs) = parse("foo test bar=1 mem=1M");
        assert!(line.test_mode);
        assert_eq!(line.mem_limit, Some(1 << 20));
        let got: Vec<_> = probs.iter().map(|p| (p.option, p.what)).collect();
        assert_eq!(
            got,
            [
                ("foo", what::UNKNOWN_OPTION),
                ("bar=1", what::UNKNOWN_OPTION)
            ]
        );
    }

    #[test]
    fn options_are_case_sensitive_and_test_takes_no_value() {
        assert_eq!(problems("TEST"), [("TEST", what::UNKNOWN_OPTION)]);
        assert_eq!(problems("test=1"), [("test=1", what::NO_VALUE_EXPECTED)]);
        assert!(!parse("test=1").0.test_mode);
    }

    #[test]
    fn a_repeated_option_takes_the_last_valid_value() {
        let (line, probs) = parse("mem=1M mem=2M loglevel=info loglevel=nope");
        assert_eq!(line.mem_limit, Some(2 << 20));
        assert_eq!(line.loglevel, Some(LevelFilter::Info));
        assert_eq!(probs.len(), 1);
    }

    #[test]
    fn problems_display_as_the_kernel_prints_them() {
        let (_, probs) = parse("foo mem=12X");
        let shown: Vec<_> = probs.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            shown,
            [
                "unknown option 'foo'",
                "bad size (want digits and an optional K, M or G) in 'mem=12X'",
            ]
        );
    }

    #[test]
    fn problems_beyond_capacity_are_counted_not_kept() {
        let (_, probs) = parse("a b c d e f g h i j");
        assert_eq!(probs.len(), MAX_PROBLEMS);
        assert_eq!(probs.dropped(), 2);
        assert!(!probs.is_empty());
        assert_eq!(probs.as_slice().last().map(|p| p.option), Some("h"));
    }

    #[test]
    fn non_ascii_text_never_panics() {
        let (line, probs) = parse("mem=1é test ünïcode=ß mem=５M loglevel=ｉｎｆｏ");
        assert!(line.test_mode);
        assert_eq!(line.mem_limit, None);
        assert_eq!(probs.len(), 4);
    }
}
