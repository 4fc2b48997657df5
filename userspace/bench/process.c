// Benchmark: processes, on one CPU (scripts/bench boots with -smp 1). See <zrk/bench.h>
// for how rows are timed; scripts/bench runs this.
//
//   process_exit   zx_process_create + zx_vmar_map of the code + zx_thread_create +
//                  zx_process_start + zx_object_wait_one(TERMINATED) + three
//                  zx_handle_close (thread, root VMAR, process). The child's program is
//                  two instructions (<zrk/child_process.h>'s ZRK_CHILD_EXIT_ARG2:
//                  zx_process_exit(arg2)) in one executable page made once, outside the
//                  timed part, and mapped into every child, as Fuchsia maps its vDSO
//                  into every process; the child has no stack (it uses none)
//   process_launch zrk_launch (<zrk/launch.h>) of this program's own ELF file (copied
//                  from the boot image into a VMO once, outside the timed part) with the
//                  argument "exit", whose main returns 0 at once, + wait_one(TERMINATED)
//                  + zx_handle_close: loading every segment into a fresh VMO, the stack,
//                  the start-up block, the bootstrap message, the C runtime's start-up
//                  and exit
#include <zrk/bench.h>
#include <zrk/child_process.h>
#include <zrk/launch.h>
#include <zrk/startup.h>

typedef struct {
  zx_handle_t job;
  zx_handle_t code;  // ZRK_CHILD_EXIT_ARG2, executable
  zx_handle_t elf;   // this program's ELF file
  const char* name;
} process_ctx;

static const char child_name[] = "bench-child";

// One child: created, started (to exit with arg2 = 7), waited for, its handles closed.
static inline void one_child(const process_ctx* c) {
  zx_handle_t process, vmar, thread;
  zx_vaddr_t entry;
  zx_signals_t observed;
  zx_process_create(c->job, child_name, sizeof child_name - 1, 0, &process, &vmar);
  zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, c->code, 0, BENCH_PAGE, &entry);
  zx_thread_create(process, child_name, sizeof child_name - 1, 0, &thread);
  zx_process_start(process, thread, entry, 0, ZX_HANDLE_INVALID, 7);
  zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, &observed);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

static uint64_t process_exit(void* arg, uint64_t n) {
  process_ctx* c = arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    one_child(c);
  }
  return bench_ticks() - start;
}

static uint64_t process_launch(void* arg, uint64_t n) {
  process_ctx* c = arg;
  const char* argv[] = {c->name, "exit"};
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_handle_t process;
    zx_signals_t observed;
    zrk_launch(c->job, c->name, c->elf, 2, argv, NULL, 0, &process);
    zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, &observed);
    zx_handle_close(process);
  }
  return bench_ticks() - start;
}

// Each row's child must end as the row assumes: one of each, checked, untimed.
static void check_children(const process_ctx* c) {
  zx_handle_t process, vmar, thread;
  zx_vaddr_t entry;
  BENCH_CHECK(
      zx_process_create(c->job, child_name, sizeof child_name - 1, 0, &process, &vmar));
  BENCH_CHECK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, c->code, 0,
                          BENCH_PAGE, &entry));
  BENCH_CHECK(zx_thread_create(process, child_name, sizeof child_name - 1, 0, &thread));
  BENCH_CHECK(zx_process_start(process, thread, entry, 0, ZX_HANDLE_INVALID, 7));
  BENCH_CHECK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t info;
  BENCH_CHECK(zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL));
  if (info.return_code != 7) {
    printf("bench-error,the two-instruction child returned %" PRId64 "\n", info.return_code);
    exit(1);
  }
  BENCH_CHECK(zx_handle_close(thread));
  BENCH_CHECK(zx_handle_close(vmar));
  BENCH_CHECK(zx_handle_close(process));

  const char* argv[] = {c->name, "exit"};
  BENCH_CHECK(zrk_launch(c->job, c->name, c->elf, 2, argv, NULL, 0, &process));
  BENCH_CHECK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  BENCH_CHECK(zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL));
  if (info.return_code != 0) {
    printf("bench-error,the launched program returned %" PRId64 "\n", info.return_code);
    exit(1);
  }
  BENCH_CHECK(zx_handle_close(process));
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "exit") == 0) {
    return 0;  // process_launch's child
  }
  bench_info();

  process_ctx c = {.job = zx_job_default(), .name = argv[0]};
  BENCH_CHECK(zx_vmo_create(BENCH_PAGE, 0, &c.code));
  BENCH_CHECK(zx_vmo_write(c.code, ZRK_CHILD_EXIT_ARG2, 0, sizeof ZRK_CHILD_EXIT_ARG2));
  BENCH_CHECK(zx_vmo_replace_as_executable(c.code, zrk_startup()->vmex_resource, &c.code));
  zrk_boot_file_t file;
  if (!zrk_boot_find(zrk_startup()->boot_image, argv[0], &file)) {
    printf("bench-error,no file %s in the boot image\n", argv[0]);
    exit(1);
  }
  BENCH_CHECK(zrk_boot_file_vmo(zrk_startup()->boot_image, &file, &c.elf));
  check_children(&c);

  bench_row("process_exit", 0, process_exit, &c, 20);
  bench_row("process_launch", 0, process_launch, &c, 10);
  BENCH_CHECK(zx_handle_close(c.elf));
  BENCH_CHECK(zx_handle_close(c.code));
  return 0;
}
