//! Header tests: the checked-in headers are what the generator prints, they compile as
//! C11 and C++17 with warnings as errors, and C sees the values Rust has.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{check, headers, layout, render, write_headers, REGENERATE};
use crate::syscalls::SYSCALLS;

fn checked_in_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("include")
}

/// A scratch directory of freshly generated headers, so the compile tests check the
/// generator's output whether or not the checked-in copy is current.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("libzircon-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_headers(&dir.join("include")).expect("write headers to the scratch directory");
        Scratch(dir)
    }

    fn include(&self) -> PathBuf {
        self.0.join("include")
    }

    fn source(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write test source");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Copy)]
enum Lang {
    C11,
    Cxx17,
}

#[derive(Clone, Copy)]
enum Libc {
    /// The cross compiler's own (glibc) headers.
    Default,
    /// picolibc, as user programs are built.
    Picolibc,
}

/// Compiles `source` for syntax only, with every warning an error; panics with the
/// compiler's output on failure.
fn compile(lang: Lang, libc: Libc, include: &Path, source: &Path) {
    let (compiler, std) = match lang {
        Lang::C11 => ("aarch64-linux-gnu-gcc", "-std=c11"),
        Lang::Cxx17 => ("aarch64-linux-gnu-g++", "-std=c++17"),
    };
    let mut command = Command::new(compiler);
    command.args([
        std,
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-fsyntax-only",
    ]);
    if let Lang::Cxx17 = lang {
        command.args(["-x", "c++"]);
    }
    if let Libc::Picolibc = libc {
        command.arg("--specs=picolibc.specs");
    }
    command.arg("-I").arg(include).arg(source);
    let output = match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "{compiler} is not installed: the header tests compile the generated headers with \
             it. Install gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu and \
             picolibc-aarch64-linux-gnu (scripts/setup does)."
        ),
        Err(e) => panic!("could not run {compiler}: {e}"),
    };
    assert!(
        output.status.success(),
        "{compiler} {std} rejected {}:\n{}{}",
        source.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// A program that includes every header and uses a little of each.
fn program_using_every_header() -> String {
    let mut text = String::from(
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <time.h>\n",
    );
    for header in layout::HEADERS {
        text += &format!("#include <{}>\n", header.path);
    }
    text += r#"
static zx_status_t write_and_describe(zx_handle_t vmo) {
  static const char message[] = "hello";
  zx_status_t status = zx_vmo_write(vmo, message, 0, sizeof(message));
  if (status != ZX_OK) {
    return status;
  }
  zx_info_vmo_t info;
  size_t actual = 0, avail = 0;
  status = zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), &actual, &avail);
  if (status == ZX_OK && (info.handle_rights & ZX_DEFAULT_VMO_RIGHTS) == 0) {
    return ZX_ERR_BAD_STATE;
  }
  return zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
}

static zx_status_t wait_and_inspect(zx_handle_t event, zx_handle_t thread) {
  zx_wait_item_t items[ZX_WAIT_MANY_MAX_ITEMS] = {{event, ZX_EVENT_SIGNALED, 0}};
  zx_status_t status = zx_object_wait_many(items, 1, zx_deadline_after(ZX_MSEC(1)));
  zx_info_thread_t info;
  if (zx_object_get_info(thread, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL) == ZX_OK &&
      ZX_THREAD_STATE_BASIC(info.state) == ZX_THREAD_STATE_BLOCKED &&
      info.wait_exception_channel_type != ZX_EXCEPTION_CHANNEL_TYPE_NONE) {
    return ZX_ERR_BAD_STATE;
  }
  zx_thread_state_general_regs_t regs;
  zx_thread_state_vector_regs_t vector;
  if (zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)) == ZX_OK &&
      zx_thread_read_state(thread, ZX_THREAD_STATE_VECTOR_REGS, &vector, sizeof(vector)) ==
          ZX_OK) {
    regs.r[0] = vector.v[31].high + (uint64_t)ZX_CPU_SET_MAX_CPUS;
    (void)zx_thread_write_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs));
  }
  unsigned char bytes[ZX_CPRNG_DRAW_MAX_LEN + 1];
  zx_cprng_draw(bytes, sizeof(bytes));
  return status;
}

#if defined(__cplusplus) && __has_include(<string_view>)
#include <string_view>
static size_t version_length() {
  std::string_view version = zx_system_get_version_string();
  return version.size();
}
#else
static size_t version_length(void) { return zx_system_get_version_string().length; }
#endif

int main(void) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  if (zx_vmo_create(ZX_PAGE_SIZE, ZX_VMO_RESIZABLE, &vmo) != ZX_OK) {
    return 1;
  }
  (void)zx_process_self();
  (void)zx_vmar_root_self();
  printf("%d %u\n", write_and_describe(vmo), zx_system_get_page_size());
  printf("%d %zu %u %u\n", wait_and_inspect(vmo, zx_thread_self()), version_length(),
         zx_system_get_num_cpus(), zx_system_get_dcache_line_size());
  zx_handle_close(vmo);
  zx_process_exit(0);
}
"#;
    text
}

#[test]
fn checked_in_headers_match_the_generator() {
    let dir = checked_in_dir();
    for file in headers() {
        let path = dir.join(file.path);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == file.text,
            "libzircon/include/{} differs from what the generator prints. The headers are \
             generated from libzircon's Rust definitions; regenerate them with `{REGENERATE}` \
             (do not edit them by hand).",
            file.path,
        );
    }
}

#[test]
fn include_dir_holds_only_generated_headers() {
    fn walk(dir: &Path, root: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, found);
            } else {
                found.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let root = checked_in_dir();
    let mut found = Vec::new();
    walk(&root, &root, &mut found);
    let generated: Vec<&str> = headers().iter().map(|f| f.path).collect();
    for path in found {
        assert!(
            generated.contains(&path.as_str()),
            "libzircon/include/{path} is not generated by libzircon: remove it, or add it to \
             cgen/layout.rs and run `{REGENERATE}`"
        );
    }
}

#[test]
fn every_header_opens_with_the_generated_line_and_its_guard() {
    for file in headers() {
        let mut lines = file.text.lines();
        assert_eq!(
            lines.next(),
            Some(render::generated_line().as_str()),
            "{}",
            file.path
        );
        let guard = render::include_guard(file.path);
        assert!(file
            .text
            .contains(&format!("#ifndef {guard}\n#define {guard}\n")));
        assert!(
            file.text.ends_with(&format!("#endif  // {guard}\n")),
            "{}",
            file.path
        );
    }
    assert_eq!(
        render::include_guard("zircon/syscalls/object.h"),
        "ZIRCON_SYSCALLS_OBJECT_H_"
    );
}

#[test]
fn prototypes_read_like_fuchsia_synopses() {
    let find = |name: &str| SYSCALLS.iter().find(|s| s.name == name).unwrap();
    let synopses = [
        (
            "vmo_write",
            "zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset, \
             size_t buffer_size);",
        ),
        (
            "vmar_map",
            "zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, \
             size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset, size_t len, \
             zx_vaddr_t* mapped_addr);",
        ),
        (
            "object_get_info",
            "zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer, \
             size_t buffer_size, size_t* actual, size_t* avail);",
        ),
        (
            "futex_wait",
            "zx_status_t zx_futex_wait(const zx_futex_t* value_ptr, zx_futex_t current_value, \
             zx_handle_t new_futex_owner, zx_time_t deadline);",
        ),
        ("process_exit", "void zx_process_exit(int64_t retcode);"),
        ("thread_exit", "void zx_thread_exit(void);"),
        (
            "deadline_after",
            "zx_time_t zx_deadline_after(zx_duration_t nanoseconds);",
        ),
    ];
    for (name, synopsis) in synopses {
        assert_eq!(render::prototype(find(name), "zx_"), synopsis);
    }
    assert_eq!(
        render::declaration(find("process_exit"), "_zx_"),
        "extern __NO_RETURN __LEAF_FN void _zx_process_exit(int64_t retcode);"
    );
    assert_eq!(
        render::declaration(find("system_get_page_size"), "zx_"),
        "extern __CONST __LEAF_FN uint32_t zx_system_get_page_size(void);"
    );
}

#[test]
fn constants_are_spelled_as_in_fuchsia_headers() {
    let text: String = headers().into_iter().map(|f| f.text).collect();
    for line in [
        "#define ZX_OK (0)",
        "#define ZX_ERR_INVALID_ARGS (-10)",
        "#define ZX_RIGHT_READ ",
        "((zx_rights_t)1u << 2)",
        "#define ZX_HANDLE_INVALID ",
        "#define ZX_TIME_INFINITE      INT64_MAX",
        "((zx_object_info_topic_t)(23 | (2 << 28)))",
        "((zx_rights_t)((ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT) | ZX_RIGHT_OP_CHILDREN))",
        "  char name[ZX_MAX_NAME_LEN];",
        "  zx_obj_type_t type;",
        "} zx_info_vmo_t;",
    ] {
        assert!(text.contains(line), "no `{line}` in the generated headers");
    }
}

#[test]
fn each_header_compiles_on_its_own() {
    let scratch = Scratch::new("alone");
    for header in layout::HEADERS {
        let stem = header.path.replace('/', "_");
        // A declaration of its own: ISO C refuses an empty translation unit.
        let text = format!(
            "#include <{}>\ntypedef int zx_check_nonempty;\n",
            header.path
        );
        let source = scratch.source(&format!("{stem}.c"), &text);
        compile(Lang::C11, Libc::Default, &scratch.include(), &source);
        compile(Lang::Cxx17, Libc::Default, &scratch.include(), &source);
    }
}

#[test]
fn a_program_using_every_header_compiles_as_c11_and_cxx17() {
    let scratch = Scratch::new("program");
    let source = scratch.source("program.c", &program_using_every_header());
    for libc in [Libc::Default, Libc::Picolibc] {
        compile(Lang::C11, libc, &scratch.include(), &source);
        compile(Lang::Cxx17, libc, &scratch.include(), &source);
    }
}

#[test]
fn c_sees_the_values_and_layouts_rust_has() {
    let scratch = Scratch::new("check");
    let source = scratch.source("check.c", &check::static_asserts());
    compile(Lang::C11, Libc::Default, &scratch.include(), &source);
    compile(Lang::Cxx17, Libc::Default, &scratch.include(), &source);
    compile(Lang::C11, Libc::Picolibc, &scratch.include(), &source);
}

#[test]
fn the_check_file_catches_a_drifted_value() {
    // The check is only worth something if it can fail: change one value in the C view
    // and expect the compiler to refuse.
    let scratch = Scratch::new("drift");
    let rights = scratch.include().join("zircon/rights.h");
    let text = std::fs::read_to_string(&rights).unwrap();
    let drifted = text.replace("((zx_rights_t)1u << 22)", "((zx_rights_t)1u << 23)");
    assert_ne!(text, drifted);
    std::fs::write(&rights, drifted).unwrap();
    let source = scratch.source("check.c", &check::static_asserts());
    let output = Command::new("aarch64-linux-gnu-gcc")
        .args(["-std=c11", "-fsyntax-only", "-I"])
        .arg(scratch.include())
        .arg(&source)
        .output()
        .expect("aarch64-linux-gnu-gcc is not installed (scripts/setup installs it)");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("ZX_RIGHT_RESIZE == 0x400000ull"));
}
