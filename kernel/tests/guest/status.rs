//! The Fuchsia status files ([`FILES`]), such as `userspace/tests/fuchsia-core-vmo.status`:
//! one line per case of one of Fuchsia's core test inventories (`zircon/system/utest/core/vmo/`,
//! listed in the digest's section 5; `core/channel/channel.cc`) saying which of our guest
//! test cases cover it, or why it does not apply yet. A file carries the inventory itself,
//! so this check can tell a missing line from a case nobody listed. Each file is one
//! harness-level case, `guest::NAME`.
//!
//! ```text
//! # comment
//! inventory VmoTestCase Create SizeAlign ...          (any number of these lines)
//! VmoTestCase.Create      covered-by vmo_create::Create
//! VmoTestCase.ReadWrite   partly-covered-by vmo_read_write::ReadWrite  # what is left
//! VmoTestCase.Map         n/a  needs VMARs
//! ```
//!
//! `covered-by` and `partly-covered-by` name one or more `PROGRAM::CASE`s (a program is
//! `userspace/tests/PROGRAM.c`, a case one of its TAP cases); `partly-covered-by` needs a
//! `# note` saying what is not covered. `n/a` needs a reason. The check fails on a format
//! error, an inventory case without exactly one line, a line for a case not in the
//! inventory, a named case that did not run or did not pass, or a named program that was
//! not part of this run (run the whole suite, or `cargo test -p kernel --test guest -- vmo vmar map_`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::console::{Case, Verdict};

/// One status file: its check's name, its path, and the programs to run for it.
pub struct StatusFileSpec {
    pub check_name: &'static str,
    pub file: &'static str,
    pub run_hint: &'static str,
}

pub const FILES: &[StatusFileSpec] = &[
    StatusFileSpec {
        check_name: "fuchsia_core_vmo_status",
        file: "userspace/tests/fuchsia-core-vmo.status",
        run_hint: "vmo vmar map_",
    },
    StatusFileSpec {
        check_name: "fuchsia_core_channel_status",
        file: "userspace/tests/fuchsia-core-channel.status",
        run_hint: "channel_",
    },
    StatusFileSpec {
        check_name: "fuchsia_core_port_status",
        file: "userspace/tests/fuchsia-core-port.status",
        run_hint: "port_",
    },
    StatusFileSpec {
        check_name: "fuchsia_core_process_status",
        file: "userspace/tests/fuchsia-core-process.status",
        run_hint: "process_",
    },
    StatusFileSpec {
        check_name: "fuchsia_core_job_status",
        file: "userspace/tests/fuchsia-core-job.status",
        run_hint: "job_",
    },
    StatusFileSpec {
        check_name: "fuchsia_core_exceptions_status",
        file: "userspace/tests/fuchsia-core-exceptions.status",
        run_hint: "exception_",
    },
    StatusFileSpec {
        check_name: "fuchsia_core_handle_status",
        file: "userspace/tests/fuchsia-core-handle.status",
        run_hint: "handle_",
    },
    StatusFileSpec {
        check_name: "fuchsia_core_object_wait_status",
        file: "userspace/tests/fuchsia-core-object-wait.status",
        run_hint: "object_wait event_signal",
    },
];

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Covered,
    Partly,
    NotApplicable,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub line: usize,
    /// `Suite.Case`.
    pub name: String,
    pub kind: Kind,
    /// `(program, case)` for covered and partly covered entries.
    pub refs: Vec<(String, String)>,
    /// The reason (n/a) or the note after `#`.
    pub note: String,
}

#[derive(Debug, Default, PartialEq)]
pub struct StatusFile {
    /// Inventory names in file order.
    pub inventory: Vec<String>,
    pub entries: Vec<Entry>,
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_program(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

fn is_case(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parses the file; every problem is reported with its line number.
pub fn parse(text: &str) -> Result<StatusFile, Vec<String>> {
    let mut file = StatusFile::default();
    let mut problems = Vec::new();
    // Every line with a well-formed name, bad or good otherwise: a bad line is reported
    // once, not again as a missing one.
    let mut named: Vec<(String, usize)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (body, note) = match trimmed.split_once('#') {
            Some((b, n)) => (b.trim(), n.trim().to_string()),
            None => (trimmed, String::new()),
        };
        let words: Vec<&str> = body.split_whitespace().collect();
        if words[0] == "inventory" {
            match words.get(1) {
                Some(suite) if is_ident(suite) && words.len() > 2 => {
                    for case in &words[2..] {
                        if is_ident(case) {
                            file.inventory.push(format!("{suite}.{case}"));
                        } else {
                            problems.push(format!("line {line}: bad case name {case:?}"));
                        }
                    }
                }
                _ => problems.push(format!(
                    "line {line}: want `inventory SUITE CASE...`, got {trimmed:?}"
                )),
            }
            continue;
        }
        let name = words[0];
        match name.split_once('.') {
            Some((suite, case)) if is_ident(suite) && is_ident(case) => {}
            _ => {
                problems.push(format!("line {line}: {name:?} is not `Suite.Case`"));
                continue;
            }
        }
        named.push((name.to_string(), line));
        let kind = match words.get(1).copied() {
            Some("covered-by") => Kind::Covered,
            Some("partly-covered-by") => Kind::Partly,
            Some("n/a") => Kind::NotApplicable,
            other => {
                problems.push(format!(
                    "line {line}: want covered-by, partly-covered-by or n/a after {name}, got {:?}",
                    other.unwrap_or("")
                ));
                continue;
            }
        };
        let mut entry = Entry {
            line,
            name: name.to_string(),
            kind: kind.clone(),
            refs: Vec::new(),
            note: note.clone(),
        };
        match kind {
            Kind::NotApplicable => {
                let reason = words[2..].join(" ");
                if reason.is_empty() {
                    problems.push(format!("line {line}: n/a needs a reason"));
                    continue;
                }
                entry.note = if note.is_empty() {
                    reason
                } else {
                    format!("{reason} ({note})")
                };
            }
            Kind::Covered | Kind::Partly => {
                if words.len() < 3 {
                    problems.push(format!("line {line}: {name} names no PROGRAM::CASE"));
                    continue;
                }
                for r in &words[2..] {
                    match r.split_once("::") {
                        Some((p, c)) if is_program(p) && is_case(c) => {
                            entry.refs.push((p.to_string(), c.to_string()))
                        }
                        _ => problems.push(format!("line {line}: {r:?} is not PROGRAM::CASE")),
                    }
                }
                if kind == Kind::Partly && note.is_empty() {
                    problems.push(format!(
                        "line {line}: partly-covered-by needs a `# note` saying what is left"
                    ));
                }
            }
        }
        file.entries.push(entry);
    }
    // Inventory and lines must match one to one.
    let mut seen_inventory = HashSet::new();
    for name in &file.inventory {
        if !seen_inventory.insert(name.as_str()) {
            problems.push(format!("{name} is in the inventory twice"));
        }
    }
    let mut lines_for: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (name, line) in &named {
        lines_for.entry(name).or_default().push(*line);
        if !seen_inventory.contains(name.as_str()) {
            problems.push(format!("line {line}: {name} is not in the inventory"));
        }
    }
    for name in &file.inventory {
        match lines_for.get(name.as_str()) {
            None => problems.push(format!("{name} has no status line")),
            Some(lines) if lines.len() > 1 => problems.push(format!(
                "{name} has {} status lines: {lines:?}",
                lines.len()
            )),
            Some(_) => {}
        }
    }
    if file.inventory.is_empty() {
        problems.push("no inventory lines".into());
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

/// Totals and the problems found against this run's results.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub covered: usize,
    pub partly: usize,
    pub not_applicable: usize,
    /// Inventory cases (covered or partly) with a named case that failed or is missing.
    pub failing: Vec<String>,
    /// Named programs that exist but were not run this time.
    pub not_run: Vec<String>,
    pub problems: Vec<String>,
}

/// Checks a parsed file against the programs there are (`programs`), the ones this run
/// ran (`ran`), and every case result of the run (`results`: `guest::P::C` → passed).
pub fn evaluate(
    file: &StatusFile,
    programs: &[String],
    ran: &[String],
    results: &HashMap<String, bool>,
) -> Report {
    let mut report = Report::default();
    let mut not_run = HashSet::new();
    for entry in &file.entries {
        match entry.kind {
            Kind::NotApplicable => {
                report.not_applicable += 1;
                continue;
            }
            Kind::Covered => report.covered += 1,
            Kind::Partly => report.partly += 1,
        }
        let mut bad = Vec::new();
        for (program, case) in &entry.refs {
            if !programs.iter().any(|p| p == program) {
                report.problems.push(format!(
                    "line {}: no program userspace/tests/{program}.c",
                    entry.line
                ));
                continue;
            }
            if !ran.iter().any(|p| p == program) {
                not_run.insert(program.clone());
                continue;
            }
            let full = format!("guest::{program}::{case}");
            match results.get(&full) {
                Some(true) => {}
                Some(false) => bad.push(format!("{program}::{case} failed")),
                None => bad.push(format!("{program}::{case} did not run (no such case)")),
            }
        }
        if !bad.is_empty() {
            report
                .failing
                .push(format!("{} ({})", entry.name, bad.join(", ")));
        }
    }
    let mut not_run: Vec<String> = not_run.into_iter().collect();
    not_run.sort();
    report.not_run = not_run;
    report
}

/// The check of one file as one test case.
pub fn check(
    spec: &StatusFileSpec,
    root: &Path,
    programs: &[String],
    ran: &[String],
    results: &HashMap<String, bool>,
) -> Case {
    let StatusFileSpec {
        check_name,
        file,
        run_hint,
    } = *spec;
    let full_name = format!("guest::{check_name}");
    let fail = |why: String| Case {
        full_name: full_name.clone(),
        verdict: Verdict::Fail(why),
    };
    let path = root.join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => return fail(format!("{file}: {e}")),
    };
    let parsed = match parse(&text) {
        Ok(parsed) => parsed,
        Err(problems) => return fail(format!("{file}:\n  {}", problems.join("\n  "))),
    };
    let report = evaluate(&parsed, programs, ran, results);
    let total = parsed.inventory.len();
    let not_run = if report.not_run.is_empty() {
        String::new()
    } else {
        format!(" ({} named programs not run)", report.not_run.len())
    };
    println!(
        "guest: {file}: {total} Fuchsia cases: {} covered, {} partly covered, {} n/a; \
         {} of the {} covered or partly covered failing{not_run}",
        report.covered,
        report.partly,
        report.not_applicable,
        report.failing.len(),
        report.covered + report.partly
    );
    let mut why = Vec::new();
    why.extend(report.problems.iter().cloned());
    if !report.not_run.is_empty() {
        why.push(format!(
            "programs the file names were not part of this run: {} (run all guest tests, or \
             `cargo test -p kernel --test guest -- {run_hint}`)",
            report.not_run.join(", ")
        ));
    }
    for failing in &report.failing {
        why.push(format!("failing: {failing}"));
    }
    if why.is_empty() {
        Case {
            full_name,
            verdict: Verdict::Pass,
        }
    } else {
        fail(format!("{file}:\n  {}", why.join("\n  ")))
    }
}
