//! Reading a program's console: the kernel's lines about it, its TAP output, and the
//! verdicts (one test case per TAP result, per long line, and one for how it ended).

use std::collections::HashMap;

use super::{Expect, Program, Run, EXCEPTION_KILL, TIMEOUT};

/// The console of one boot, split into what the kernel said about the program and what
/// the program printed.
#[derive(Debug, Default, PartialEq)]
pub struct Transcript {
    pub started: bool,
    /// The program's own lines, between `zrk: run` and `zrk: exit`.
    pub output: Vec<String>,
    pub killed: Option<String>,
    pub exit_status: Option<i64>,
    pub all_done: bool,
    pub panic: Option<String>,
}

/// Console lines, with the kernel's `zrk: ...` lines split off wherever they start (a
/// program's last line may lack its newline, so the kernel's line follows on the same
/// console line).
pub fn console_lines(console: &str) -> Vec<String> {
    const KERNEL_LINES: [&str; 4] = [
        "zrk: run ",
        "zrk: killed ",
        "zrk: exit ",
        "zrk: all programs done",
    ];
    let mut lines = Vec::new();
    for raw in console.split('\n') {
        let mut line = raw.trim_end_matches('\r');
        loop {
            let split = KERNEL_LINES
                .iter()
                .filter_map(|k| line.find(k))
                .filter(|&at| at > 0)
                .min();
            match split {
                Some(at) => {
                    lines.push(line[..at].to_string());
                    line = &line[at..];
                }
                None => break,
            }
        }
        lines.push(line.to_string());
    }
    lines
}

pub fn read_transcript(console: &str, name: &str) -> Transcript {
    let mut transcript = Transcript::default();
    let run = format!("zrk: run {name}");
    let killed = format!("zrk: killed {name}: ");
    let exit = format!("zrk: exit {name} status ");
    let mut inside = false;
    for line in console_lines(console) {
        if line.contains("KERNEL PANIC") && transcript.panic.is_none() {
            transcript.panic = Some(line.clone());
        }
        if line == run {
            transcript.started = true;
            inside = true;
        } else if let Some(reason) = line.strip_prefix(&killed) {
            transcript.killed = Some(reason.to_string());
        } else if let Some(status) = line.strip_prefix(&exit) {
            transcript.exit_status = status.trim().parse().ok();
            inside = false;
        } else if line.starts_with("zrk: all programs done") {
            transcript.all_done = true;
            inside = false;
        } else if inside {
            transcript.output.push(line);
        }
    }
    transcript
}

/// One TAP line, or something else the program printed that matters here.
#[derive(Debug, PartialEq)]
pub enum Tap {
    Plan(usize),
    Result {
        ok: bool,
        number: usize,
        description: String,
        /// What follows ` # ` on the line: a SKIP/TODO directive or, from our test.h,
        /// `FILE:LINE: CHECK: detail`.
        comment: Option<String>,
    },
    /// `# long-line N: PAYLOAD` from test.h's print_long_line.
    LongLine {
        length: usize,
        payload: String,
    },
    Diagnostic(String),
    Other,
}

pub fn parse_tap(line: &str) -> Tap {
    if let Some(count) = line.strip_prefix("1..") {
        if let Ok(n) = count.trim().parse() {
            return Tap::Plan(n);
        }
    }
    let (ok, rest) = if let Some(rest) = line.strip_prefix("ok ") {
        (true, rest)
    } else if let Some(rest) = line.strip_prefix("not ok ") {
        (false, rest)
    } else if let Some(rest) = line.strip_prefix("# long-line ") {
        if let Some((length, payload)) = rest.split_once(": ") {
            if let Ok(length) = length.parse() {
                return Tap::LongLine {
                    length,
                    payload: payload.to_string(),
                };
            }
        }
        return Tap::Diagnostic(line[1..].trim().to_string());
    } else if let Some(text) = line.strip_prefix('#') {
        return Tap::Diagnostic(text.trim().to_string());
    } else {
        return Tap::Other;
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Ok(number) = digits.parse() else {
        return Tap::Other;
    };
    let rest = rest[digits.len()..].trim_start();
    let rest = rest.strip_prefix("- ").unwrap_or(rest);
    let (description, comment) = match rest.split_once(" # ") {
        Some((d, c)) => (d.trim().to_string(), Some(c.trim().to_string())),
        None => match rest.strip_prefix("# ") {
            Some(c) => (String::new(), Some(c.trim().to_string())),
            None => (rest.trim().to_string(), None),
        },
    };
    Tap::Result {
        ok,
        number,
        description,
        comment,
    }
}

pub fn long_line_payload(length: usize) -> String {
    (0..length)
        .map(|i| char::from(b'0' + (i % 10) as u8))
        .collect()
}

// --- Verdicts ---------------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
pub enum Verdict {
    Pass,
    Skip,
    Fail(String),
}

#[derive(Debug)]
pub struct Case {
    pub full_name: String,
    pub verdict: Verdict,
}

/// A case name usable in a test path: TAP descriptions may hold any text.
pub fn case_name(description: &str, number: usize) -> String {
    let name: String = description
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_matches('_').to_string();
    if name.is_empty() {
        format!("case_{number}")
    } else {
        name
    }
}

/// QEMU's exit status for a run of one program ending with `status` (the kernel's rule).
pub fn qemu_status_for(status: i64) -> i32 {
    match status {
        0 => 0,
        1..=255 => status as i32,
        _ => 1,
    }
}

/// The end of a console for a failure message: from the program's `zrk: run` line (the
/// banner before it says nothing about the program), at most `n` lines.
pub fn console_excerpt(console: &str, name: &str, n: usize) -> String {
    let lines = console_lines(console);
    let run = format!("zrk: run {name}");
    let from = lines.iter().position(|l| *l == run).unwrap_or(0);
    let start = from.max(lines.len().saturating_sub(n));
    lines[start..].join("\n").trim_end().to_string()
}

/// Turns one program's run into its cases: one per TAP result, one per long line, and
/// one for how the program ended.
pub fn evaluate(program: &Program, run: &Run) -> Vec<Case> {
    let prefix = format!("guest::{}", program.id());
    if let Some(error) = &run.build_error {
        return vec![Case {
            full_name: format!("{prefix}::build"),
            verdict: Verdict::Fail(format!(
                "{} does not build:\n{error}",
                program.source.display()
            )),
        }];
    }
    let transcript = read_transcript(&run.console, &program.name);
    let mut cases = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut plan = None;
    let mut results = 0;
    let mut diagnostics: Vec<String> = Vec::new();
    let mut seen_names: HashMap<String, usize> = HashMap::new();

    for line in &transcript.output {
        match parse_tap(line) {
            Tap::Plan(n) => {
                if plan.is_some() {
                    problems.push("more than one plan line".into());
                }
                plan = Some(n);
            }
            Tap::Result {
                ok,
                number,
                description,
                comment,
            } => {
                results += 1;
                if number != results {
                    problems.push(format!("case numbered {number} where {results} was due"));
                }
                let mut name = case_name(&description, number);
                let count = seen_names.entry(name.clone()).or_insert(0);
                *count += 1;
                if *count > 1 {
                    name = format!("{name}_{count}");
                }
                let directive = comment.as_deref().unwrap_or("").to_ascii_uppercase();
                let verdict = if directive.starts_with("SKIP") || directive.starts_with("TODO") {
                    Verdict::Skip
                } else if ok {
                    Verdict::Pass
                } else {
                    let location = comment.unwrap_or_else(|| "(no location given)".into());
                    let mut why = format!(
                        "program {}, case {number} ({description}): {location}",
                        program.name
                    );
                    // The diagnostics printed during the case, less the one the
                    // result line repeats.
                    let others: Vec<&String> =
                        diagnostics.iter().filter(|d| **d != location).collect();
                    for diagnostic in others {
                        why.push_str("\n  ");
                        why.push_str(diagnostic);
                    }
                    Verdict::Fail(why)
                };
                diagnostics.clear();
                cases.push(Case {
                    full_name: format!("{prefix}::{name}"),
                    verdict,
                });
            }
            Tap::LongLine { length, payload } => {
                let want = long_line_payload(length);
                let verdict = if payload == want {
                    Verdict::Pass
                } else {
                    Verdict::Fail(format!(
                        "program {}: a {length}-byte line arrived as {} bytes{}",
                        program.name,
                        payload.len(),
                        match payload.bytes().zip(want.bytes()).position(|(a, b)| a != b) {
                            Some(at) => format!(", first difference at byte {at}"),
                            None => String::new(),
                        }
                    ))
                };
                cases.push(Case {
                    full_name: format!("{prefix}::long_line_{length}_arrives_whole"),
                    verdict,
                });
            }
            Tap::Diagnostic(text) => diagnostics.push(text),
            Tap::Other => {}
        }
    }

    // How the program ended: one case that says everything that went wrong.
    if let Some(panic) = &transcript.panic {
        problems.push(format!("the kernel panicked: {panic}"));
    }
    match run.qemu_status {
        None => problems.push(format!(
            "time-out: QEMU killed after {}s",
            TIMEOUT.as_secs()
        )),
        Some(_) if !transcript.started => problems.push(format!(
            "the kernel never printed `zrk: run {}`",
            program.name
        )),
        Some(_) => {}
    }
    let ending = match &program.expect {
        Expect::Exit(expected) => {
            if let Some(reason) = &transcript.killed {
                problems.push(format!("killed: {reason}"));
            }
            match plan {
                None => problems.push("no TAP plan (1..N) was printed".into()),
                Some(n) if n != results => {
                    problems.push(format!("planned {n} cases, {results} reported"))
                }
                Some(_) => {}
            }
            match transcript.exit_status {
                Some(status) if status == *expected => {}
                Some(status) => problems.push(format!("exit status {status}, expected {expected}")),
                None if transcript.started => problems.push("no `zrk: exit` line".into()),
                None => {}
            }
            if let Some(status) = run.qemu_status {
                let want = qemu_status_for(*expected);
                if status != want && transcript.exit_status.is_some() {
                    problems.push(format!("QEMU exited with {status}, expected {want}"));
                }
            }
            "ran_to_completion"
        }
        Expect::Killed(keyword) => {
            match &transcript.killed {
                None => problems.push(format!("expected to be killed ({keyword}), was not")),
                Some(reason) if !reason.to_lowercase().contains(&keyword.to_lowercase()) => {
                    problems.push(format!("killed for `{reason}`, expected `{keyword}`"))
                }
                Some(_) => {}
            }
            match transcript.exit_status {
                Some(EXCEPTION_KILL) => {}
                Some(status) => {
                    problems.push(format!("exit status {status}, expected {EXCEPTION_KILL}"))
                }
                None if transcript.started => problems.push("no `zrk: exit` line".into()),
                None => {}
            }
            if let Some(status) = run.qemu_status {
                let want = qemu_status_for(EXCEPTION_KILL);
                if status != want && transcript.exit_status.is_some() {
                    problems.push(format!("QEMU exited with {status}, expected {want}"));
                }
            }
            if let Some(n) = plan {
                if n != results {
                    problems.push(format!("planned {n} cases, {results} reported"));
                }
            }
            "killed_as_expected"
        }
    };
    if transcript.started && !transcript.all_done {
        problems.push("the kernel did not go on to `zrk: all programs done`".into());
    }
    let verdict = if problems.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "program {} ({}): {}\nconsole (all of it in target/guest-tests/{}/{}):\n{}",
            program.id(),
            program.source.display(),
            problems.join("; "),
            program.name,
            program.board.console_file(),
            console_excerpt(&run.console, &program.name, 40)
        ))
    };
    cases.push(Case {
        full_name: format!("{prefix}::{ending}"),
        verdict,
    });
    cases
}
