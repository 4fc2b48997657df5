// The boot image as a file system of one directory: a cpio archive (newc) in the VMO
// every program's start-up block names (boot_image), read with zx_vmo_read.

#include <string.h>
#include <zircon/syscalls.h>
#include <zrk/launch.h>
#include <zrk/startup.h>

#include "copy.h"

static uint64_t hex8(const char* s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) {
    char c = s[i];
    v = v * 16 + (uint64_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
  }
  return v;
}

bool zrk_boot_next(zx_handle_t image, uint64_t* at, zrk_boot_file_t* file) {
  uint64_t size = 0;
  char header[110];
  if (zx_vmo_get_size(image, &size) != ZX_OK || *at + sizeof(header) > size ||
      zx_vmo_read(image, header, *at, sizeof(header)) != ZX_OK ||
      memcmp(header, "070701", 6) != 0) {
    return false;
  }
  uint64_t mode = hex8(header + 14), file_size = hex8(header + 54), name_size = hex8(header + 94);
  if (name_size == 0 || name_size > sizeof(file->name)) {
    return false;
  }
  if (zx_vmo_read(image, file->name, *at + sizeof(header), name_size) != ZX_OK) {
    return false;
  }
  file->name[name_size - 1] = 0;
  if (strcmp(file->name, "TRAILER!!!") == 0) {
    return false;
  }
  uint64_t data = (*at + sizeof(header) + name_size + 3) & ~3ull;
  if (data + file_size < data || data + file_size > size) {
    return false;
  }
  file->offset = data;
  file->size = file_size;
  file->regular = (mode & 0170000) == 0100000;
  *at = (data + file_size + 3) & ~3ull;
  return true;
}

bool zrk_boot_find(zx_handle_t image, const char* name, zrk_boot_file_t* file) {
  uint64_t at = 0;
  while (zrk_boot_next(image, &at, file)) {
    if (file->regular && strcmp(file->name, name) == 0) {
      return true;
    }
  }
  return false;
}

zx_status_t zrk_boot_file_vmo(zx_handle_t image, const zrk_boot_file_t* file, zx_handle_t* vmo) {
  zx_status_t status = zx_vmo_create(file->size, 0, vmo);
  if (status == ZX_OK) {
    status = zrk_launch_copy_vmo(*vmo, 0, image, file->offset, file->size);
  }
  if (status != ZX_OK) {
    zx_handle_close(*vmo);
    *vmo = ZX_HANDLE_INVALID;
  }
  return status;
}

static zx_handle_t duplicate(zx_handle_t h) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  if (h != ZX_HANDLE_INVALID) {
    zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &out);
  }
  return out;
}

zx_status_t zrk_launch_boot_suspended(zx_handle_t job, const char* name, int argc,
                                      const char* const* argv, zx_handle_t user0,
                                      zx_handle_t* process, zx_handle_t* suspend_token) {
  const zrk_startup_t* me = zrk_startup();
  zrk_boot_file_t file;
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t status = ZX_ERR_NOT_FOUND;
  if (zrk_boot_find(me->boot_image, name, &file)) {
    status = zrk_boot_file_vmo(me->boot_image, &file, &vmo);
  }
  if (status != ZX_OK) {
    zx_handle_close(user0);
    return status;
  }
  const zrk_launch_handle_t all[] = {
      {ZRK_LAUNCH_SLOT(job), duplicate(job)},
      {ZRK_LAUNCH_SLOT(boot_image), duplicate(me->boot_image)},
      {ZRK_LAUNCH_SLOT(vmex_resource), duplicate(me->vmex_resource)},
      {ZRK_LAUNCH_SLOT(info_resource), duplicate(me->info_resource)},
      {ZRK_LAUNCH_SLOT(user0), user0},
  };
  // Only valid handles travel: a field with none stays ZX_HANDLE_INVALID.
  zrk_launch_handle_t handles[sizeof(all) / sizeof(all[0])];
  size_t count = 0;
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    if (all[i].handle != ZX_HANDLE_INVALID) {
      handles[count++] = all[i];
    }
  }
  status = zrk_launch_suspended(job, name, vmo, argc, argv, handles, count, process,
                                suspend_token);
  zx_handle_close(vmo);
  return status;
}

zx_status_t zrk_launch_boot(zx_handle_t job, const char* name, int argc, const char* const* argv,
                            zx_handle_t user0, zx_handle_t* process) {
  return zrk_launch_boot_suspended(job, name, argc, argv, user0, process, NULL);
}
