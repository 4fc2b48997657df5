//! The harness's checks of its own logic (marker, TAP and transcript parsing,
//! verdicts, arguments) on known inputs. They run at the start of every guest run, so
//! a broken parser shows as itself instead of as odd guest failures, and alone with
//! `--self-test`.

use super::console::*;
use super::*;
use std::collections::HashMap;

fn program(name: &str, expect: Expect) -> Program {
    Program {
        name: name.into(),
        board: Board::Virt,
        source: PathBuf::from(format!("userspace/tests/{name}.c")),
        expect,
        append: Vec::new(),
        first: Vec::new(),
    }
}

fn markers(expect: Expect, append: &[&str]) -> Markers {
    Markers {
        expect,
        append: append.iter().map(|s| s.to_string()).collect(),
        first: Vec::new(),
    }
}

fn run_of(console: &str, qemu: Option<i32>) -> Run {
    Run {
        build_error: None,
        console: console.into(),
        qemu_status: qemu,
        elapsed: Duration::ZERO,
    }
}

fn verdicts(cases: &[Case]) -> Vec<(&str, bool)> {
    cases
        .iter()
        .map(|c| (c.full_name.as_str(), c.verdict == Verdict::Pass))
        .collect()
}

pub fn run() {
    // Markers.
    assert_eq!(
        parse_markers("int main;\n"),
        Ok(markers(Expect::Exit(0), &[]))
    );
    assert_eq!(
        parse_markers("// zrk-test: expect-killed data abort\n"),
        Ok(markers(Expect::Killed("data abort".into()), &[]))
    );
    assert_eq!(
        parse_markers("  // zrk-test: expect-exit -7"),
        Ok(markers(Expect::Exit(-7), &[]))
    );
    assert!(parse_markers("// zrk-test: expect-kiled x").is_err());
    assert_eq!(
        parse_markers("// zrk-test: append mem=64M\n// zrk-test: append loglevel=warn x=1\n"),
        Ok(markers(
            Expect::Exit(0),
            &["mem=64M", "loglevel=warn", "x=1"]
        ))
    );
    assert!(parse_markers("// zrk-test: append").is_err());
    assert!(parse_markers("// zrk-test: append mem=64M\"; rm").is_err());
    assert_eq!(
        parse_markers("// zrk-test: run-first userspace/tests/helpers/a.c\n").map(|m| m.first),
        Ok(vec![PathBuf::from("userspace/tests/helpers/a.c")])
    );
    assert!(parse_markers("// zrk-test: run-first a.h").is_err());
    assert!(parse_markers("// zrk-test: run-first a.c b.c").is_err());
    assert_eq!(command_line(&[]), "test");
    assert_eq!(
        command_line(&["mem=64M".to_string(), "loglevel=warn".to_string()]),
        "test mem=64M loglevel=warn"
    );

    status_file();

    // TAP lines.
    assert_eq!(parse_tap("1..12"), Tap::Plan(12));
    assert_eq!(
        parse_tap("not ok 3 - closes_twice # t.c:9: EXPECT_OK(x): got ZX_ERR_BAD_HANDLE (-11)"),
        Tap::Result {
            ok: false,
            number: 3,
            description: "closes_twice".into(),
            comment: Some("t.c:9: EXPECT_OK(x): got ZX_ERR_BAD_HANDLE (-11)".into()),
        }
    );
    assert_eq!(
        parse_tap("ok 1"),
        Tap::Result {
            ok: true,
            number: 1,
            description: String::new(),
            comment: None
        }
    );
    assert_eq!(
        parse_tap("# long-line 3: 012"),
        Tap::LongLine {
            length: 3,
            payload: "012".into()
        }
    );
    assert_eq!(parse_tap("okay then"), Tap::Other);
    assert_eq!(case_name("a b/c", 4), "a_b_c");
    assert_eq!(case_name("", 4), "case_4");
    assert_eq!(qemu_status_for(-1028), 1);
    assert_eq!(qemu_status_for(42), 42);

    // A passing program, with the banner around it and a partial last line.
    let console = "zrk 0.1.0 banner\nzrk: run t\n1..2\nok 1 - first\n# note\n\
                   ok 2 - secondzrk: exit t status 0\nzrk: all programs done (1 run)\n";
    let t = read_transcript(console, "t");
    assert!(t.started && t.all_done && t.killed.is_none() && t.panic.is_none());
    assert_eq!(t.exit_status, Some(0));
    assert_eq!(
        t.output,
        ["1..2", "ok 1 - first", "# note", "ok 2 - second"]
    );
    let cases = evaluate(&program("t", Expect::Exit(0)), &run_of(console, Some(0)));
    assert_eq!(
        verdicts(&cases),
        [
            ("guest::t::first", true),
            ("guest::t::second", true),
            ("guest::t::ran_to_completion", true)
        ]
    );

    // A failing case names program, case and location; a short plan fails the ending.
    let console = "zrk: run t\n1..3\nok 1 - a\n# t.c:5: EXPECT_EQ(1, 2): 1 vs 2\n\
                   not ok 2 - b # t.c:5: EXPECT_EQ(1, 2): 1 vs 2\n\
                   zrk: exit t status 1\nzrk: all programs done\n";
    let cases = evaluate(&program("t", Expect::Exit(0)), &run_of(console, Some(1)));
    assert_eq!(
        verdicts(&cases),
        [
            ("guest::t::a", true),
            ("guest::t::b", false),
            ("guest::t::ran_to_completion", false)
        ]
    );
    match &cases[1].verdict {
        Verdict::Fail(why) => assert!(why.contains("program t, case 2 (b): t.c:5:"), "{why}"),
        other => panic!("{other:?}"),
    }
    match &cases[2].verdict {
        Verdict::Fail(why) => {
            assert!(why.contains("planned 3 cases, 2 reported"), "{why}");
            assert!(why.contains("exit status 1, expected 0"), "{why}");
        }
        other => panic!("{other:?}"),
    }

    // An expected kill, and an unexpected one.
    let console = "zrk: run f\n# about to fault\nzrk: killed f: data abort (translation \
                   fault, read) at 0x0, pc 0x1\nzrk: exit f status -1028\n\
                   zrk: all programs done\n";
    let killed = program("f", Expect::Killed("Data Abort".into()));
    assert_eq!(
        verdicts(&evaluate(&killed, &run_of(console, Some(1)))),
        [("guest::f::killed_as_expected", true)]
    );
    let undef = program("f", Expect::Killed("undefined instruction".into()));
    assert_eq!(
        verdicts(&evaluate(&undef, &run_of(console, Some(1)))),
        [("guest::f::killed_as_expected", false)]
    );
    assert_eq!(
        verdicts(&evaluate(
            &program("f", Expect::Exit(0)),
            &run_of(console, Some(1))
        )),
        [("guest::f::ran_to_completion", false)]
    );

    // The kernel must go on after a kill; a panic and a time-out fail the program.
    let console = "zrk: run f\nzrk: killed f: data abort\nzrk: exit f status -1028\n";
    assert_eq!(
        verdicts(&evaluate(&killed, &run_of(console, Some(1)))),
        [("guest::f::killed_as_expected", false)]
    );
    let console = "zrk: run t\n1..1\nok 1 - a\nKERNEL PANIC at x\n";
    assert_eq!(
        verdicts(&evaluate(
            &program("t", Expect::Exit(0)),
            &run_of(console, None)
        )),
        [
            ("guest::t::a", true),
            ("guest::t::ran_to_completion", false)
        ]
    );

    // Long lines must arrive byte for byte.
    let good = format!(
        "zrk: run l\n1..0\n# long-line 12: {}\nzrk: exit l status 0\nzrk: all programs done\n",
        long_line_payload(12)
    );
    assert_eq!(
        verdicts(&evaluate(
            &program("l", Expect::Exit(0)),
            &run_of(&good, Some(0))
        )),
        [
            ("guest::l::long_line_12_arrives_whole", true),
            ("guest::l::ran_to_completion", true)
        ]
    );
    let bad =
        "zrk: run l\n1..0\n# long-line 12: 0123456\nzrk: exit l status 0\nzrk: all programs done\n";
    assert_eq!(
        verdicts(&evaluate(
            &program("l", Expect::Exit(0)),
            &run_of(bad, Some(0))
        )),
        [
            ("guest::l::long_line_12_arrives_whole", false),
            ("guest::l::ran_to_completion", true)
        ]
    );

    // Arguments.
    let args = |list: &[&str]| Args::parse(list.iter().map(|s| s.to_string())).unwrap();
    let p = program("handle_close", Expect::Exit(0));
    assert!(args(&[]).selects(&p));
    assert!(args(&["--nocapture", "handle"]).selects(&p));
    assert!(!args(&["nanosleep"]).selects(&p));
    assert!(args(&["guest::handle_close::closing_tw"]).selects(&p));
    assert!(!args(&["--exact", "handle"]).selects(&p));
    assert!(!args(&["--skip", "close"]).selects(&p));
    assert!(args(&["--test-threads", "1", "--color=never", "close"]).selects(&p));
    let a = args(&["guest::handle_close::closing_tw"]);
    assert!(a.reports("handle_close", "guest::handle_close::closing_twice"));
    assert!(!a.reports("handle_close", "guest::handle_close::other"));
    assert!(args(&["handle"]).reports("handle_close", "guest::handle_close::other"));
    assert!(args(&[]).selects_check("fuchsia_core_vmo_status"));
    assert!(args(&["vmo"]).selects_check("fuchsia_core_vmo_status"));
    assert!(!args(&["vmo_create"]).selects_check("fuchsia_core_vmo_status"));
    assert!(!args(&["--skip", "status"]).selects_check("fuchsia_core_vmo_status"));

    // Boards: the Pi's runs are guest::rpi4::NAME, selected by "rpi4" or the program's
    // name, left out by --skip rpi4; virt's keep guest::NAME.
    let pi = Program {
        board: Board::Rpi4,
        ..program("handle_close", Expect::Exit(0))
    };
    assert_eq!(
        (p.id(), pi.id()),
        ("handle_close".into(), "rpi4::handle_close".into())
    );
    assert!(args(&["handle"]).selects(&pi));
    assert!(args(&["rpi4"]).selects(&pi) && !args(&["rpi4"]).selects(&p));
    assert!(!args(&["--skip", "rpi4"]).selects(&pi) && args(&["--skip", "rpi4"]).selects(&p));
    assert!(args(&["guest::handle_close"]).selects(&p));
    assert!(!args(&["guest::handle_close"]).selects(&pi));
    assert!(args(&["--exact", "guest::rpi4::handle_close"]).selects(&pi));
    let a = args(&["guest::rpi4::handle_close::closing_tw"]);
    assert!(a.selects(&pi) && !a.selects(&p));
    assert!(a.reports(&pi.id(), "guest::rpi4::handle_close::closing_twice"));
    assert!(!a.reports(&pi.id(), "guest::rpi4::handle_close::other"));
    let cases = evaluate(
        &pi,
        &run_of(
            "zrk: run handle_close\n1..1\nok 1 - a\nzrk: exit handle_close status 0\n\
             zrk: all programs done (1 run)\n",
            Some(0),
        ),
    );
    assert_eq!(
        verdicts(&cases),
        [
            ("guest::rpi4::handle_close::a", true),
            ("guest::rpi4::handle_close::ran_to_completion", true)
        ]
    );
}

/// The status-file parser and its check against a run's results.
fn status_file() {
    use super::status::{evaluate, parse, Kind};
    let text = "# a comment\n\
                inventory S A B\n\
                inventory T C\n\
                S.A  covered-by p::a_case q::Other  # a note\n\
                S.B  partly-covered-by p::b  # the mapping half needs VMARs\n\
                T.C  n/a  needs threads\n";
    let file = parse(text).expect("a good file parses");
    assert_eq!(file.inventory, ["S.A", "S.B", "T.C"]);
    assert_eq!(file.entries.len(), 3);
    assert_eq!(file.entries[0].kind, Kind::Covered);
    assert_eq!(
        file.entries[0].refs,
        [
            ("p".to_string(), "a_case".to_string()),
            ("q".to_string(), "Other".to_string())
        ]
    );
    assert_eq!(file.entries[1].kind, Kind::Partly);
    assert_eq!(file.entries[2].kind, Kind::NotApplicable);
    assert_eq!(file.entries[2].note, "needs threads");

    // Format errors, each found.
    let bad = |t: &str| parse(t).expect_err(t).len();
    assert_eq!(bad("inventory S A\nS.A covered-by\n"), 1); // no refs
    assert_eq!(bad("inventory S A\nS.A partly-covered-by p::a\n"), 1); // no note
    assert_eq!(bad("inventory S A\nS.A n/a\n"), 1); // no reason
    assert_eq!(bad("inventory S A\nS.A covered p::a\n"), 1); // bad kind
    assert_eq!(bad("inventory S A\nSA covered-by p::a\n"), 2); // bad name, A has no line
    assert_eq!(bad("inventory S A\nS.A covered-by p:a\n"), 1); // bad ref
    assert_eq!(bad("inventory S A B\nS.A n/a x\n"), 1); // B missing
    assert_eq!(bad("inventory S A\nS.A n/a x\nS.A n/a y\n"), 1); // twice
    assert_eq!(bad("inventory S A\nS.A n/a x\nS.Z n/a y\n"), 1); // not in inventory
    assert_eq!(bad("# nothing\n"), 1); // no inventory

    // Against results: passing, failing, missing, not run, unknown program.
    let programs: Vec<String> = ["p", "q"].iter().map(|s| s.to_string()).collect();
    let mut results = HashMap::new();
    results.insert("guest::p::a_case".to_string(), true);
    results.insert("guest::q::Other".to_string(), true);
    results.insert("guest::p::b".to_string(), false);
    let report = evaluate(&file, &programs, &programs, &results);
    assert_eq!(
        (report.covered, report.partly, report.not_applicable),
        (1, 1, 1)
    );
    assert_eq!(report.failing, ["S.B (p::b failed)"]);
    assert!(report.not_run.is_empty() && report.problems.is_empty());
    results.insert("guest::p::b".to_string(), true);
    let report = evaluate(&file, &programs, &programs, &results);
    assert!(report.failing.is_empty());
    results.remove("guest::q::Other");
    let report = evaluate(&file, &programs, &programs, &results);
    assert_eq!(
        report.failing,
        ["S.A (q::Other did not run (no such case))"]
    );
    let report = evaluate(&file, &programs, &programs[..1], &results);
    assert_eq!(report.not_run, ["q"]);
    let report = evaluate(&file, &programs[..1], &programs[..1], &results);
    assert_eq!(report.problems.len(), 1);
}
