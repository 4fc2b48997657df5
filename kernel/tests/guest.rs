//! Guest tests: every `userspace/tests/*.c` (C) or `*.cc`/`*.cpp` (C++) is one program that
//! runs on the kernel under QEMU and reports TAP on the console; each TAP case becomes one
//! test here, named after the file without its extension.
//! Every program runs on four machines (see `Board`): QEMU `virt` with one CPU, with four
//! (`smp4::`), with four, GICv3 and `-cpu max` (`max::`), and QEMU `raspi4b` (the Raspberry Pi 4,
//! with Debian's device tree from `target/firmware/`, which scripts/setup fetches).
//!
//! A custom harness (`harness = false`), because the cases are only known once a
//! program has run. For each program it builds `target/guest-tests/NAME/` with
//! `scripts/build-user`, boots the kernel (`scripts/build`'s `target/kernel.bin`) with
//! that boot image on each board, and reads the console: the TAP lines between the
//! kernel's `zrk: run NAME` and `zrk: exit NAME status N`, then `zrk: all programs done`.
//! Each TAP case is reported as `test guest::NAME::CASE ... ok|FAILED` on `virt` and
//! `test guest::rpi4::NAME::CASE ...` on `raspi4b`, and one more case per program and
//! board checks how it ended (`ran_to_completion`, or `killed_as_expected` for a program
//! marked `// zrk-test: expect-killed KEYWORD`). A program fails on a `not ok`, a missing
//! or short plan, an unexpected exit status (`// zrk-test: expect-exit N` sets the
//! expected one), a kernel panic, a missing `zrk: all programs done`, or a time-out.
//! `// zrk-test: append OPTIONS` adds kernel command-line options for that program's boot
//! (e.g. `append mem=64M` to run it with little memory).
//! Output follows libtest's format, so `cargo test` reads like any other test binary.
//!
//! One more case per status file, `guest::fuchsia_core_vmo_status` and
//! `guest::fuchsia_core_channel_status`, checks `userspace/tests/fuchsia-core-*.status`
//! (see `guest/status.rs`): every case of that Fuchsia core test inventory has a line,
//! and every case of ours a line names as covering one ran in this run and passed.
//!
//! Arguments (those of libtest that make sense here): `FILTER` (a substring of
//! `guest::NAME`, `guest::rpi4::NAME` or of a case's full name: `rpi4` selects the Pi's
//! runs, `--skip rpi4` leaves them out), `--exact`, `--skip FILTER`, `--list`,
//! `--nocapture`/`--show-output` (print each program's console), `--test-threads N`
//! (QEMUs at once, default 2), `--self-test` (only the parser's own checks); other
//! libtest options are accepted and ignored.

// Under tests/guest/, so cargo does not take them for test targets of their own.
#[path = "guest/console.rs"]
mod console;
#[path = "guest/self_check.rs"]
mod self_check;
#[path = "guest/status.rs"]
mod status;

use console::{evaluate, Case, Verdict};
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);
const DEFAULT_PARALLELISM: usize = 2;
/// Status of a process killed for a fault (ZX_TASK_RETCODE_EXCEPTION_KILL).
const EXCEPTION_KILL: i64 = -1028;

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("guest: {message}");
            return ExitCode::from(2);
        }
    };
    // The parser is this harness's own logic: check it on known transcripts first, so a
    // broken parser shows as itself rather than as odd guest failures.
    self_check::run();
    if args.self_test {
        println!("guest: self-test passed");
        return ExitCode::SUCCESS;
    }
    if args.bench {
        return ExitCode::SUCCESS; // nothing here is a benchmark
    }

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let programs = match discover(&root) {
        Ok(programs) => programs,
        Err(message) => {
            eprintln!("guest: {message}");
            return ExitCode::from(2);
        }
    };
    let all_names: Vec<String> = programs.iter().map(|p| p.name.clone()).collect();
    // One run per program and board.
    let runs: Vec<Program> = programs
        .iter()
        .flat_map(|p| Board::ALL.map(|board| Program { board, ..p.clone() }))
        .collect();
    let total = runs.len() + status::FILES.len(); // the runs and the status-file checks
    let selected: Vec<Program> = runs.into_iter().filter(|p| args.selects(p)).collect();
    let checks: Vec<&status::StatusFileSpec> = status::FILES
        .iter()
        .filter(|spec| args.selects_check(spec.check_name))
        .collect();
    let filtered_out = total - selected.len() - checks.len();

    if args.list {
        for program in &selected {
            println!("guest::{}: test", program.id());
        }
        for spec in &checks {
            println!("guest::{}: test", spec.check_name);
        }
        if !args.terse {
            let n = selected.len() + checks.len();
            println!("\n{n} tests, 0 benchmarks");
        }
        return ExitCode::SUCCESS;
    }

    let started = Instant::now();
    let plural = if selected.len() == 1 { "" } else { "s" };
    println!(
        "\nrunning {} guest program{plural} (each program once per board)",
        selected.len()
    );
    if !selected.is_empty() {
        if let Err(message) = build_kernel(&root) {
            println!("test guest::kernel_image ... FAILED");
            println!("\nfailures:\n\n---- guest::kernel_image ----\n{message}\n");
            print_result(0, 1, 0, filtered_out, started);
            return ExitCode::from(101);
        }
    }

    // The status file speaks of the virt runs' cases (`guest::NAME::CASE`).
    let ran: Vec<String> = selected
        .iter()
        .filter(|p| p.board == Board::Virt)
        .map(|p| p.name.clone())
        .collect();
    let (mut outcomes, results) = run_all(&root, selected, &args);
    for spec in &checks {
        let case = status::check(spec, &root, &all_names, &ran, &results);
        let verdict = match case.verdict {
            Verdict::Pass => "ok",
            Verdict::Skip => "ignored",
            Verdict::Fail(_) => "FAILED",
        };
        println!("test {} ... {verdict}", case.full_name);
        outcomes.push(Outcome { cases: vec![case] });
    }
    let mut passed = 0;
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut ignored = 0;
    for outcome in &outcomes {
        for case in &outcome.cases {
            match &case.verdict {
                Verdict::Pass => passed += 1,
                Verdict::Skip => ignored += 1,
                Verdict::Fail(why) => failures.push((case.full_name.clone(), why.clone())),
            }
        }
    }
    // "filtered out" counts programs: cases a filter left out of a program that ran were
    // never known as tests.
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, why) in &failures {
            println!("---- {name} ----\n{why}\n");
        }
        println!("failures:");
        for (name, _) in &failures {
            println!("    {name}");
        }
    }
    print_result(passed, failures.len(), ignored, filtered_out, started);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(101)
    }
}

/// libtest's closing line; the run failed if anything did.
fn print_result(
    passed: usize,
    failed: usize,
    ignored: usize,
    filtered_out: usize,
    started: Instant,
) {
    println!(
        "\ntest result: {}. {passed} passed; {failed} failed; {ignored} ignored; 0 measured; \
         {filtered_out} filtered out; finished in {:.2}s\n",
        if failed == 0 { "ok" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
}

// --- Arguments ------------------------------------------------------------------------------

#[derive(Default)]
struct Args {
    filters: Vec<String>,
    skips: Vec<String>,
    exact: bool,
    list: bool,
    terse: bool,
    show_output: bool,
    parallelism: Option<usize>,
    self_test: bool,
    bench: bool,
    only_ignored: bool,
}

impl Args {
    fn parse(args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args::default();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let (flag, inline_value) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| -> Result<String, String> {
                inline_value
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag.as_str() {
                "--list" => parsed.list = true,
                "--format" => parsed.terse = value("--format")? == "terse",
                "--exact" => parsed.exact = true,
                "--skip" => parsed.skips.push(value("--skip")?),
                "--nocapture" | "--no-capture" | "--show-output" => parsed.show_output = true,
                "--test-threads" => {
                    let n = value("--test-threads")?;
                    let n: usize = n.parse().map_err(|_| format!("bad --test-threads {n}"))?;
                    parsed.parallelism = Some(n.max(1));
                }
                "--self-test" => parsed.self_test = true,
                "--bench" => parsed.bench = true,
                "--ignored" => parsed.only_ignored = true,
                // Options with a value that change nothing here.
                "--color" | "--logfile" | "-Z" | "--shuffle-seed" => {
                    value(&flag)?;
                }
                // Flags that change nothing here (`--test` is what cargo passes to a
                // harness = false test binary it runs as a test).
                f if f.starts_with('-') => {}
                _ => parsed.filters.push(arg),
            }
        }
        Ok(parsed)
    }

    fn matches(&self, filter: &str, name: &str) -> bool {
        if self.exact {
            name == filter
        } else {
            name.contains(filter)
        }
    }

    /// Whether a program runs: no filter, or a filter naming it or one of its cases
    /// (`guest::NAME::...`). No guest test is ignored, so `--ignored` selects none.
    fn selects(&self, program: &Program) -> bool {
        if self.only_ignored {
            return false;
        }
        let full = format!("guest::{}", program.id());
        if self
            .skips
            .iter()
            .any(|s| self.matches(s, &program.name) || self.matches(s, &full))
        {
            return false;
        }
        self.filters.is_empty()
            || self.filters.iter().any(|f| {
                self.matches(f, &program.name)
                    || self.matches(f, &full)
                    || f.starts_with(&format!("{full}::"))
            })
    }

    /// Whether a harness-level check (`guest::NAME`, not a program) runs: no filter, or a
    /// filter naming it. Skips apply as to programs.
    fn selects_check(&self, name: &str) -> bool {
        if self.only_ignored {
            return false;
        }
        let full = format!("guest::{name}");
        if self
            .skips
            .iter()
            .any(|s| self.matches(s, name) || self.matches(s, &full))
        {
            return false;
        }
        self.filters.is_empty()
            || self
                .filters
                .iter()
                .any(|f| self.matches(f, name) || self.matches(f, &full))
    }

    /// Whether a case of a selected program is reported: filters that reach into the
    /// program's cases (`guest::NAME::CASE`) keep only the cases they name.
    fn reports(&self, program: &str, case_full_name: &str) -> bool {
        let prefix = format!("guest::{program}::");
        let case_filters: Vec<&String> = self
            .filters
            .iter()
            .filter(|f| f.starts_with(&prefix))
            .collect();
        if case_filters.is_empty()
            || self.filters.iter().any(|f| {
                !f.starts_with(&prefix)
                    && (self.matches(f, program) || self.matches(f, &format!("guest::{program}")))
            })
        {
            return !self.skips.iter().any(|s| self.matches(s, case_full_name));
        }
        case_filters.iter().any(|f| self.matches(f, case_full_name))
            && !self.skips.iter().any(|s| self.matches(s, case_full_name))
    }
}

// --- Programs and their markers ---------------------------------------------------------------

/// How a program is expected to end, from its `// zrk-test:` markers.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    /// Exit with this status (0 unless `expect-exit N`).
    Exit(i64),
    /// Be killed with a report containing this keyword (`expect-killed KEYWORD`).
    Killed(String),
}

/// The machines every program runs on: one CPU and four, both interrupt controllers,
/// software PAN (the Pi's Cortex-A72) and hardware PAN (`-cpu max`, the only model under
/// which QEMU shows a missing TLB invalidation), and the Pi with all four cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Board {
    /// QEMU `virt`, Cortex-A72, one CPU, GICv2, 256 MiB.
    Virt,
    /// QEMU `virt`, Cortex-A72, four CPUs, GICv2.
    Smp4,
    /// QEMU `virt,gic-version=3`, `-cpu max` (hardware PAN), four CPUs.
    Max,
    /// QEMU `raspi4b` with Debian's bcm2711-rpi-4-b.dtb, as `scripts/run --board rpi4`:
    /// four Cortex-A72 cores, GIC-400.
    Rpi4,
}

impl Board {
    const ALL: [Board; 4] = [Board::Virt, Board::Smp4, Board::Max, Board::Rpi4];

    /// What goes between `guest::` and the program's name in test names: nothing on
    /// `virt` (so its names, which the status file uses, stay as they were).
    fn prefix(self) -> &'static str {
        match self {
            Board::Virt => "",
            Board::Smp4 => "smp4::",
            Board::Max => "max::",
            Board::Rpi4 => "rpi4::",
        }
    }

    /// The console log's file name in the program's output directory.
    fn console_file(self) -> &'static str {
        match self {
            Board::Virt => "console.txt",
            Board::Smp4 => "console-smp4.txt",
            Board::Max => "console-max.txt",
            Board::Rpi4 => "console-rpi4.txt",
        }
    }

    /// The QEMU machine options, or why the board cannot boot here.
    fn qemu_args(self, root: &Path) -> Result<Vec<std::ffi::OsString>, String> {
        let args: Vec<std::ffi::OsString> = match self {
            Board::Virt => ["-M", "virt", "-cpu", "cortex-a72", "-m", "256M"]
                .map(Into::into)
                .into(),
            Board::Smp4 => [
                "-M",
                "virt",
                "-cpu",
                "cortex-a72",
                "-smp",
                "4",
                "-m",
                "256M",
            ]
            .map(Into::into)
            .into(),
            Board::Max => [
                "-M",
                "virt,gic-version=3",
                "-cpu",
                "max",
                "-smp",
                "4",
                "-m",
                "256M",
            ]
            .map(Into::into)
            .into(),
            Board::Rpi4 => {
                let dtb = root.join("target/firmware/bcm2711-rpi-4-b.dtb");
                if !dtb.is_file() {
                    return Err(format!(
                        "{} is missing: run scripts/setup (it fetches Debian's Raspberry Pi 4 \
                         device tree)\n",
                        dtb.display()
                    ));
                }
                vec!["-M".into(), "raspi4b".into(), "-dtb".into(), dtb.into()]
            }
        };
        Ok(args)
    }
}

#[derive(Clone, Debug)]
struct Program {
    name: String,
    /// The board this run boots; programs are discovered once and run on each.
    board: Board,
    /// Relative to the repository root, as the compiler (and so __FILE__) sees it.
    source: PathBuf,
    expect: Expect,
    /// Kernel command-line options added after `test` for this program's boot
    /// (`// zrk-test: append OPTIONS`).
    append: Vec<String>,
    /// Programs that run before it in the same boot (`// zrk-test: run-first PATH.c`).
    first: Vec<PathBuf>,
}

impl Program {
    /// The program's name in test names: `NAME` on `virt`, `rpi4::NAME` on the Pi.
    fn id(&self) -> String {
        format!("{}{}", self.board.prefix(), self.name)
    }
}

/// What a program's `// zrk-test:` markers say.
#[derive(Clone, Debug, PartialEq)]
struct Markers {
    expect: Expect,
    append: Vec<String>,
    /// Programs (`// zrk-test: run-first PATH.c`, from the repository root) that run
    /// before this one in the same boot.
    first: Vec<PathBuf>,
}

fn discover(root: &Path) -> Result<Vec<Program>, String> {
    let dir = root.join("userspace/tests");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut programs = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(extension @ ("c" | "cc" | "cpp")) = path.extension().and_then(|e| e.to_str())
        else {
            continue;
        };
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format!("{}: not a UTF-8 name", path.display()))?
            .to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let markers = parse_markers(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        programs.push(Program {
            board: Board::Virt,
            source: PathBuf::from("userspace/tests").join(format!("{name}.{extension}")),
            name,
            expect: markers.expect,
            append: markers.append,
            first: markers.first,
        });
    }
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    // Test names are file stems: x.c and x.cc would share one.
    if let Some(pair) = programs.windows(2).find(|p| p[0].name == p[1].name) {
        return Err(format!(
            "{} and {} are both test {}",
            pair[0].source.display(),
            pair[1].source.display(),
            pair[0].name
        ));
    }
    Ok(programs)
}

/// Reads the `// zrk-test: ...` lines of a test program. An unknown directive is an
/// error, so a misspelt marker cannot silently turn an expected kill into a failure.
fn parse_markers(text: &str) -> Result<Markers, String> {
    let mut expect = Expect::Exit(0);
    let mut append = Vec::new();
    let mut first = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("// zrk-test:") else {
            continue;
        };
        let rest = rest.trim();
        if let Some(keyword) = rest.strip_prefix("expect-killed") {
            let keyword = keyword.trim();
            if keyword.is_empty() {
                return Err("expect-killed needs a keyword, e.g. `data abort`".into());
            }
            expect = Expect::Killed(keyword.to_string());
        } else if let Some(status) = rest.strip_prefix("expect-exit") {
            let status = status.trim();
            expect = Expect::Exit(
                status
                    .parse()
                    .map_err(|_| format!("expect-exit needs a number, not {status:?}"))?,
            );
        } else if let Some(options) = rest.strip_prefix("append") {
            let options: Vec<String> = options.split_whitespace().map(String::from).collect();
            if options.is_empty() {
                return Err("append needs kernel options, e.g. `mem=64M`".into());
            }
            // Each becomes one word of QEMU's -append: keep them plain.
            if let Some(bad) = options.iter().find(|o| {
                !o.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "=._,:-".contains(c))
            }) {
                return Err(format!("append: {bad:?} is not a plain kernel option"));
            }
            append.extend(options);
        } else if let Some(path) = rest.strip_prefix("run-first") {
            let path = path.trim();
            if !path.ends_with(".c") || path.contains(char::is_whitespace) {
                return Err(format!("run-first needs one PATH.c, not {path:?}"));
            }
            first.push(PathBuf::from(path));
        } else {
            return Err(format!("unknown zrk-test marker {rest:?}"));
        }
    }
    Ok(Markers {
        expect,
        append,
        first,
    })
}

// --- Running ----------------------------------------------------------------------------------

fn build_kernel(root: &Path) -> Result<(), String> {
    let output = Command::new(root.join("scripts/build"))
        .arg("--quiet")
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run scripts/build: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "scripts/build failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// What one program's run produced.
struct Run {
    /// Build failure (compiler output), if it did not build.
    build_error: Option<String>,
    console: String,
    /// QEMU's exit status; None if it was killed after the time-out.
    qemu_status: Option<i32>,
    elapsed: Duration,
}

/// Builds one program once and boots it for each of `runs` (the same program on
/// different boards), in order.
fn run_program(root: &Path, runs: &[Program]) -> Vec<Run> {
    let Some(program) = runs.first() else {
        return Vec::new();
    };
    let started = Instant::now();
    let out_dir = root.join("target/guest-tests").join(&program.name);
    // The project's own programs build with warnings as errors.
    let build = Command::new(root.join("scripts/build-user"))
        .arg("--werror")
        .arg("--out")
        .arg(&out_dir)
        .args(&program.first)
        .arg(&program.source)
        .current_dir(root)
        .output();
    let build_error = match build {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )),
        Err(e) => Some(format!("cannot run scripts/build-user: {e}")),
    };
    if let Some(error) = build_error {
        let elapsed = started.elapsed();
        return runs
            .iter()
            .map(|_| Run {
                build_error: Some(error.clone()),
                console: String::new(),
                qemu_status: None,
                elapsed,
            })
            .collect();
    }
    runs.iter()
        .map(|run| {
            let booted = Instant::now();
            let (console, qemu_status) =
                boot(root, run.board, &out_dir.join("initrd.cpio"), &run.append);
            // Kept for reading after the fact; a failure to save it changes no verdict.
            let _ = std::fs::write(out_dir.join(run.board.console_file()), &console);
            Run {
                build_error: None,
                console,
                qemu_status,
                elapsed: booted.elapsed(),
            }
        })
        .collect()
}

/// The kernel command line for a program's boot: test mode, then its `append` options.
fn command_line(append: &[String]) -> String {
    std::iter::once("test")
        .chain(append.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

fn boot(root: &Path, board: Board, initrd: &Path, append: &[String]) -> (String, Option<i32>) {
    let machine = match board.qemu_args(root) {
        Ok(args) => args,
        Err(message) => return (message, None),
    };
    // On raspi4b as on virt, the first -serial is the PL011, the kernel's console.
    let child = Command::new("qemu-system-aarch64")
        .args(machine)
        .args(["-display", "none", "-monitor", "none", "-serial", "stdio"])
        .args([
            "-no-reboot",
            "-semihosting-config",
            "enable=on,target=native",
        ])
        .arg("-kernel")
        .arg(root.join("target/kernel.bin"))
        .arg("-initrd")
        .arg(initrd)
        .arg("-append")
        .arg(command_line(append))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return (format!("cannot start qemu-system-aarch64: {e}\n"), None),
    };
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    let mut console = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    console.push_str(&String::from_utf8_lossy(&err.join().unwrap_or_default()));
    (console, status)
}

struct Outcome {
    cases: Vec<Case>,
}

/// Runs the programs, `--test-threads` (default 2) QEMUs at a time, printing each
/// program's cases as it finishes. Returns the reported cases, and every case's result
/// (passed or not) by full name, reported or not, for the status-file check.
fn run_all(
    root: &Path,
    programs: Vec<Program>,
    args: &Args,
) -> (Vec<Outcome>, HashMap<String, bool>) {
    // One job per program: built once, then booted on each selected board.
    let mut jobs: Vec<Vec<Program>> = Vec::new();
    for program in programs {
        match jobs.iter_mut().find(|job| job[0].name == program.name) {
            Some(job) => job.push(program),
            None => jobs.push(vec![program]),
        }
    }
    let parallelism = args
        .parallelism
        .unwrap_or(DEFAULT_PARALLELISM)
        .min(jobs.len().max(1));
    let queue = Arc::new(Mutex::new(VecDeque::from(jobs)));
    let (sender, receiver) = mpsc::channel::<(Program, Run)>();
    let mut workers = Vec::new();
    for _ in 0..parallelism {
        let queue = Arc::clone(&queue);
        let sender = sender.clone();
        let root = root.to_path_buf();
        workers.push(std::thread::spawn(move || loop {
            let next = queue.lock().expect("queue lock").pop_front();
            let Some(job) = next else { break };
            let runs = run_program(&root, &job);
            for (program, run) in job.into_iter().zip(runs) {
                if sender.send((program, run)).is_err() {
                    return;
                }
            }
        }));
    }
    drop(sender);

    let mut outcomes = Vec::new();
    let mut results = HashMap::new();
    for (program, run) in receiver {
        if args.show_output {
            println!("---- console of {} ----\n{}", program.id(), run.console);
        }
        let all = evaluate(&program, &run);
        for case in &all {
            results.insert(case.full_name.clone(), case.verdict == Verdict::Pass);
        }
        let cases: Vec<Case> = all
            .into_iter()
            .filter(|c| args.reports(&program.id(), &c.full_name))
            .collect();
        for case in &cases {
            let verdict = match case.verdict {
                Verdict::Pass => "ok",
                Verdict::Skip => "ignored",
                Verdict::Fail(_) => "FAILED",
            };
            println!("test {} ... {verdict}", case.full_name);
        }
        if args.show_output {
            println!("({} took {:.1}s)", program.id(), run.elapsed.as_secs_f64());
        }
        outcomes.push(Outcome { cases });
    }
    for worker in workers {
        let _ = worker.join();
    }
    (outcomes, results)
}
