//! Host checks of the built library: it is compiled for `aarch64-unknown-none` (in a
//! target directory of its own, so it never waits on the outer build's lock), then
//! inspected with the cross binutils and linked into a C program.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use libzircon::syscalls::{Kind, SYSCALLS};

const TARGET: &str = "aarch64-unknown-none";

/// Builds `libzircon_stubs.a` once per test run and returns its path.
fn library() -> &'static Path {
    static LIBRARY: OnceLock<PathBuf> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("zircon-stubs");
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let status = Command::new(cargo)
            .args(["build", "--release", "--target", TARGET, "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target_dir)
            .status()
            .expect("run cargo to build the stubs library");
        assert!(
            status.success(),
            "building zircon-stubs for {TARGET} failed"
        );
        target_dir
            .join(TARGET)
            .join("release")
            .join("libzircon_stubs.a")
    })
}

/// Runs one of the cross tools, failing clearly when it is not installed.
fn run(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "{tool} is not installed: these tests inspect the aarch64 library with it. \
             Install binutils-aarch64-linux-gnu and gcc-aarch64-linux-gnu (scripts/setup does)."
        ),
        Err(e) => panic!("could not run {tool}: {e}"),
    };
    assert!(
        output.status.success(),
        "{tool} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The global symbols the library defines, with their `nm` type (`T` strong, `W` weak).
fn defined_symbols() -> Vec<(String, String)> {
    let nm = run(
        "aarch64-linux-gnu-nm",
        &[
            "-g".as_ref(),
            "--defined-only".as_ref(),
            library().as_os_str(),
        ],
    );
    nm.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_, kind, name) = (fields.next()?, fields.next()?, fields.next()?);
            Some((name.to_string(), kind.to_string()))
        })
        .collect()
}

#[test]
fn library_defines_every_syscall_of_the_table_under_both_names() {
    let defined = defined_symbols();
    let kind_of = |name: &str| {
        defined
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, kind)| kind.as_str())
            .unwrap_or_else(|| panic!("libzircon_stubs.a does not define {name}"))
    };
    // As in Fuchsia: `_zx_<name>` is the function, `zx_<name>` a weak alias of it.
    for syscall in SYSCALLS {
        assert_eq!(
            kind_of(&format!("_zx_{}", syscall.name)),
            "T",
            "_zx_{}",
            syscall.name
        );
        assert_eq!(
            kind_of(&format!("zx_{}", syscall.name)),
            "W",
            "zx_{}",
            syscall.name
        );
    }
    // zx_status_get_string is no syscall (<zircon/status.h> declares it); both of its
    // names are weak so a runtime's own definition still links.
    assert_eq!(kind_of("zx_status_get_string"), "W");
    assert_eq!(kind_of("_zx_status_get_string"), "W");
}

/// The instructions of each function in the disassembly, by symbol name.
fn disassembly() -> Vec<(String, Vec<String>)> {
    let text = run(
        "aarch64-linux-gnu-objdump",
        &[
            "-d".as_ref(),
            "--no-show-raw-insn".as_ref(),
            library().as_os_str(),
        ],
    );
    let mut functions: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line
            .strip_suffix(">:")
            .and_then(|l| l.split_once(" <"))
            .map(|(_, n)| n)
        {
            functions.push((name.to_string(), Vec::new()));
        } else if let (Some((_, instructions)), Some((_, insn))) =
            (functions.last_mut(), line.split_once(":\t"))
        {
            // "mov\tx16, #0xd   // #13" -> "mov x16, #0xd"
            let insn = insn.split("//").next().unwrap().replace('\t', " ");
            instructions.push(insn.trim().to_string());
        }
    }
    functions
}

#[test]
fn each_kernel_stub_passes_its_number_in_x16_and_traps() {
    let functions = disassembly();
    for syscall in SYSCALLS.iter().filter(|s| !s.is_user_level()) {
        // objdump labels the code with one of the two names at its address.
        let name = format!("zx_{}", syscall.name);
        let (_, body) = functions
            .iter()
            .find(|(n, _)| *n == name || *n == format!("_{name}"))
            .unwrap_or_else(|| panic!("no code for {name} in the disassembly"));
        let number = syscall.number.unwrap();
        let mov = format!("mov x16, #{number:#x}");
        let at = body.iter().position(|i| *i == mov);
        let at = at.unwrap_or_else(|| panic!("{name} never loads {mov}: {body:?}"));
        assert_eq!(
            body.get(at + 1).map(String::as_str),
            Some("svc #0x0"),
            "{name}: {body:?}"
        );
        match syscall.kind {
            Kind::NoReturn => assert!(!body.iter().any(|i| i == "ret"), "{name} returns"),
            Kind::Blocking => assert!(
                body.iter().any(|i| i == "cmn w0, #0x6"),
                "{name} never retries"
            ),
            _ => assert_eq!(
                body.get(at + 2).map(String::as_str),
                Some("ret"),
                "{name}: {body:?}"
            ),
        }
        // Arguments stay where the caller put them: nothing before the trap writes x0-x7.
        let clobbers_args = body[..at].iter().any(|i| {
            let dest = i.split_whitespace().nth(1).unwrap_or("");
            !i.starts_with("stp")
                && (0..8).any(|r| dest == format!("x{r},") || dest == format!("w{r},"))
        });
        assert!(
            !clobbers_args,
            "{name} changes an argument register: {body:?}"
        );
    }
}

#[test]
fn user_level_calls_answer_without_a_trap_of_their_own() {
    let functions = disassembly();
    for syscall in SYSCALLS.iter().filter(|s| s.is_user_level()) {
        // The weak alias (a branch) and the function, under whichever labels objdump
        // gives them.
        let name = format!("zx_{}", syscall.name);
        let bodies: Vec<&Vec<String>> = functions
            .iter()
            .filter(|(n, _)| *n == name || *n == format!("_{name}"))
            .map(|(_, body)| body)
            .collect();
        assert!(!bodies.is_empty(), "no code for {name} in the disassembly");
        for body in bodies {
            assert!(
                !body.iter().any(|i| i.starts_with("svc")),
                "{name} enters the kernel itself: {body:?}"
            );
        }
    }
}

/// zx_cprng_draw is Zircon's loop: ZX_CPRNG_DRAW_MAX_LEN-byte pieces through the kernel's
/// zx_cprng_draw_once, and a trap (which kills the process) if the kernel refuses one.
#[test]
fn cprng_draw_loops_over_draw_once_and_traps_on_failure() {
    let text = run(
        "aarch64-linux-gnu-objdump",
        &[
            "-dr".as_ref(),
            "--no-show-raw-insn".as_ref(),
            library().as_os_str(),
        ],
    );
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.ends_with("<_zx_cprng_draw>:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert!(!body.is_empty(), "no code for _zx_cprng_draw");
    let has = |needle: &str| body.iter().any(|l| l.contains(needle));
    assert!(
        has("R_AARCH64_CALL26\t_zx_cprng_draw_once"),
        "does not call _zx_cprng_draw_once: {body:#?}"
    );
    assert!(has("#0x100"), "no 256-byte pieces: {body:#?}");
    assert!(has("brk"), "no trap on failure: {body:#?}");
    assert!(!has("svc"), "enters the kernel itself: {body:#?}");
}

#[test]
fn version_string_names_zrk_and_its_version() {
    let bytes = std::fs::read(library()).unwrap();
    let want = format!("zrk-{}\0", env!("CARGO_PKG_VERSION"));
    assert!(
        bytes.windows(want.len()).any(|w| w == want.as_bytes()),
        "the library holds no {want:?}"
    );
}

#[test]
fn a_c_program_links_against_the_library_with_picolibc() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("zircon-stubs-link");
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("program.c");
    std::fs::write(
        &source,
        r#"#include <stdatomic.h>
#include <string.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

static atomic_int word;

int main(void) {
  static const char message[] = "hello from C\n";
  zx_debug_write(message, strlen(message));
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create(zx_system_get_page_size(), 0, &vmo);
  atomic_fetch_add(&word, 1);
  zx_futex_wake(&word, 1);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(1)) + zx_ticks_get() / zx_ticks_per_second());
  zx_handle_close(vmo);
  zx_debug_write(zx_status_get_string(status), 5);
  zx_string_view_t version = zx_system_get_version_string();
  zx_debug_write(version.c_str, version.length);
  unsigned char random[300];
  zx_cprng_draw(random, sizeof(random));
  zx_wait_item_t item = {vmo, ZX_VMO_ZERO_CHILDREN, 0};
  status = zx_object_wait_many(&item, 1, zx_clock_get_boot());
  zx_process_exit(status + zx_clock_get_monotonic() + random[299] +
                  zx_system_get_dcache_line_size() + zx_system_get_num_cpus());
}
"#,
    )
    .unwrap();
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include");
    let lib_dir = library().parent().unwrap();
    let output = dir.join("program.elf");
    run(
        "aarch64-linux-gnu-gcc",
        &[
            "--specs=picolibc.specs".as_ref(),
            "-O2".as_ref(),
            "-std=c11".as_ref(),
            "-Wall".as_ref(),
            "-Wextra".as_ref(),
            "-Werror".as_ref(),
            "-I".as_ref(),
            include.as_os_str(),
            source.as_os_str(),
            "-L".as_ref(),
            lib_dir.as_os_str(),
            "-lzircon_stubs".as_ref(),
            "-o".as_ref(),
            output.as_os_str(),
        ],
    );
    let nm = run("aarch64-linux-gnu-nm", &[output.as_os_str()]);
    for name in [
        "zx_vmo_create",
        "zx_nanosleep",
        "zx_clock_get_monotonic",
        "zx_process_exit",
        "zx_cprng_draw",
        "zx_system_get_version_string",
        "zx_object_wait_many",
    ] {
        assert!(
            nm.lines().any(|l| l.ends_with(&format!(" W {name}"))),
            "{name} not linked"
        );
    }
}
