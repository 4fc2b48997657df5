// Shows what a zrk process starts with: its arguments, the handles of its start-up
// block (<zircon/process.h>) and what each refers to (zx_object_get_info with
// ZX_INFO_HANDLE_BASIC).
#include <inttypes.h>
#include <stdio.h>

#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

static const char* type_name(zx_obj_type_t type) {
  switch (type) {
    case ZX_OBJ_TYPE_PROCESS:
      return "process";
    case ZX_OBJ_TYPE_THREAD:
      return "thread";
    case ZX_OBJ_TYPE_VMAR:
      return "VMAR";
    default:
      return "other";
  }
}

static void show(const char* what, zx_handle_t handle) {
  zx_info_handle_basic_t info;
  zx_status_t status =
      zx_object_get_info(handle, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL);
  if (status != ZX_OK) {
    printf("%-10s handle 0x%08" PRIx32 ": %s\n", what, handle, zx_status_get_string(status));
    return;
  }
  printf("%-10s handle 0x%08" PRIx32 ": %s, koid %" PRIu64 ", rights 0x%" PRIx32
         ", related koid %" PRIu64 "\n",
         what, handle, type_name(info.type), info.koid, info.rights, info.related_koid);
}

int main(int argc, char** argv) {
  printf("argc = %d\n", argc);
  for (int i = 0; i < argc; i++) {
    printf("argv[%d] = \"%s\"\n", i, argv[i]);
  }
  show("process", zx_process_self());
  show("root VMAR", zx_vmar_root_self());
  show("thread", zx_thread_self());
  printf("default job: 0x%08" PRIx32 "\n", zx_job_default());
  return 0;
}
