// zrk-init: the first program, the only one the kernel starts itself. It gets the boot
// image (a cpio archive, newc) as a read-only VMO and the root job, and starts the
// programs its `manifest` names with zrk_launch (<zrk/launch.h>), in order: each in a
// job of its own under the root job, waiting for one to end before the next starts,
// unless its manifest line ends in " &" (then it runs alongside what follows, and init
// waits for it at the end). Without a manifest, every file of the archive runs, in
// archive order.
//
// It prints the lines test harnesses parse, as the kernel did before it:
// `zrk: run NAME`, `zrk: killed NAME: REASON` (the kernel's report of a fault),
// `zrk: exit NAME status N`, and `zrk: all programs done (N run)`; and it exits with 0 if
// every program exited 0, else the last failure's status if it is in 1..255, else 1
// (the kernel hands that to QEMU under `test`).
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/launch.h>
#include <zrk/startup.h>

#define MAX_PROGRAMS 256

static zx_handle_t image;

// Free memory outside the kernel heap: the heap keeps its high-water marks (handle-table
// slots, run-queue room), which is no leak (as <zrk/vmo_util.h>'s free_bytes()).
static uint64_t free_bytes(void) {
  zx_info_kmem_stats_t stats = {0};
  zx_object_get_info(zrk_startup()->info_resource, ZX_INFO_KMEM_STATS, &stats, sizeof(stats),
                     NULL, NULL);
  return stats.free_bytes + stats.total_heap_bytes;
}

// A program started and not yet reported.
typedef struct {
  char name[100];
  zx_handle_t job, process;
  // Free memory before it started; 0 for a program that ran alongside others, whose
  // memory cannot be told apart from theirs.
  uint64_t free_before;
} running_t;

static int ran;
static int result;
// Where the programs' ZX_PROCESS_TERMINATED arrive: registered before a program runs,
// so that waiting for it allocates nothing in the kernel while it runs (tests compare
// kernel-wide counts).
static zx_handle_t port;

static void note_status(int64_t status) {
  ran++;
  if (status != 0) {
    result = status >= 1 && status <= 255 ? (int)status : 1;
  }
}

static void start(const char* name, running_t* r, bool alone) {
  memset(r, 0, sizeof(*r));
  snprintf(r->name, sizeof(r->name), "%s", name);
  printf("zrk: run %s\n", name);
  fflush(stdout);
  r->free_before = alone ? free_bytes() : 0;
  zx_handle_t token = ZX_HANDLE_INVALID;
  zx_status_t status = zx_job_create(zx_job_default(), 0, &r->job);
  if (status == ZX_OK) {
    const char* argv[] = {name};
    status = zrk_launch_boot_suspended(r->job, name, 1, argv, ZX_HANDLE_INVALID, &r->process,
                                       &token);
  }
  // Everything of ours goes before the program runs (the launcher closed the
  // executable's copy already): the wait's registration, and the observer room a later
  // check of its signals needs.
  if (status == ZX_OK) {
    zx_object_wait_async(r->process, port, 0, ZX_PROCESS_TERMINATED, 0);
    zx_object_wait_one(r->process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE_PAST, NULL);
    zx_handle_close(token);
  }
  if (status != ZX_OK) {
    printf("zrk: killed %s: cannot start: %s\n", name, zx_status_get_string(status));
    printf("zrk: exit %s status %lld\n", name, (long long)ZX_TASK_RETCODE_EXCEPTION_KILL);
    fflush(stdout);
    zx_handle_close(r->job);
    r->job = ZX_HANDLE_INVALID;
    note_status(ZX_TASK_RETCODE_EXCEPTION_KILL);
  }
}

static void finish(running_t* r) {
  if (r->process == ZX_HANDLE_INVALID) {
    return;
  }
  while (zx_object_wait_one(r->process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE_PAST, NULL) !=
         ZX_OK) {
    zx_port_packet_t packet;
    zx_port_wait(port, ZX_TIME_INFINITE, &packet);
  }
  zx_info_process_t info = {0};
  zx_object_get_info(r->process, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL);
  char reason[256] = {0};
  size_t actual = 0;
  if (zx_object_get_info(r->process, ZRK_INFO_PROCESS_EXIT_REASON, reason, sizeof(reason) - 1,
                         &actual, NULL) == ZX_OK &&
      actual > 0) {
    printf("zrk: killed %s: %s\n", r->name, reason);
  }
  printf("zrk: exit %s status %lld\n", r->name, (long long)info.return_code);
  fflush(stdout);
  note_status(info.return_code);
  // Whatever the program started in its job goes with it.
  zx_task_kill(r->job);
  zx_handle_close(r->process);
  zx_handle_close(r->job);
  r->process = r->job = ZX_HANDLE_INVALID;
  // A dead thread's stack is freed at its CPU's next switch: a moment's grace, then
  // any page still missing is reported, as the kernel did for each program.
  uint64_t now = free_bytes();
  for (int i = 0; i < 100 && now < r->free_before; i++) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
    now = free_bytes();
  }
  if (now < r->free_before) {
    printf("zrk-init: %s: %llu pages not returned after exit\n", r->name,
           (unsigned long long)((r->free_before - now) / ZX_PAGE_SIZE));
  }
}

int main(void) {
  image = zrk_startup()->boot_image;
  if (zx_port_create(0, &port) != ZX_OK) {
    printf("zrk-init: no port\n");
    return 1;
  }
  static running_t together[MAX_PROGRAMS];
  size_t together_count = 0;
  zrk_boot_file_t manifest;
  if (zrk_boot_find(image, "manifest", &manifest)) {
    char* text = malloc(manifest.size + 1);
    if (!text || zx_vmo_read(image, text, manifest.offset, manifest.size) != ZX_OK) {
      printf("zrk-init: cannot read the manifest\n");
      return 1;
    }
    text[manifest.size] = 0;
    for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
      // Trim; a trailing '&' runs the program alongside the next ones.
      while (*line == ' ' || *line == '\t') line++;
      char* end = line + strlen(line);
      while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = 0;
      bool background = end > line && end[-1] == '&';
      if (background) {
        *--end = 0;
        while (end > line && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
      }
      if (*line == 0 || *line == '#') {
        continue;
      }
      if (background && together_count < MAX_PROGRAMS) {
        start(line, &together[together_count++], false);
      } else {
        running_t r;
        start(line, &r, true);
        finish(&r);
      }
    }
    free(text);
  } else {
    uint64_t at = 0;
    zrk_boot_file_t e;
    while (zrk_boot_next(image, &at, &e)) {
      if (e.regular && strcmp(e.name, "manifest") != 0 && strcmp(e.name, "zrk-init") != 0) {
        running_t r;
        start(e.name, &r, true);
        finish(&r);
      }
    }
  }
  for (size_t i = 0; i < together_count; i++) {
    finish(&together[i]);
  }
  printf("zrk: all programs done (%d run)\n", ran);
  fflush(stdout);
  return result;
}
