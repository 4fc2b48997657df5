// zrk_launch: a static ELF executable from a VMO into a new process (<zrk/launch.h>).
// The same layout the kernel's loader gives the first program (kernel/src/loader.rs),
// built here with ordinary syscalls.

#include <stdbool.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/launch.h>
#include <zrk/startup.h>

#include "copy.h"

#define STACK_SIZE (256u * 1024)
#define STACK_GUARD (64u * 1024)
#define MAX_PHDRS 64
#define MAX_HANDLES 16

// The parts of the ELF-64 headers the loader reads (<elf.h> layouts).
typedef struct {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} elf_header_t;

typedef struct {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
} elf_phdr_t;

_Static_assert(sizeof(elf_header_t) == 64, "ELF-64 header");
_Static_assert(sizeof(elf_phdr_t) == 56, "ELF-64 program header");

#define ET_EXEC 2
#define EM_AARCH64 183
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

static uint64_t page_size(void) { return zx_system_get_page_size(); }

// Copies |len| bytes of |src| at |src_offset| into |dst| at |dst_offset|.
zx_status_t zrk_launch_copy_vmo(zx_handle_t dst, uint64_t dst_offset, zx_handle_t src,
                                uint64_t src_offset, uint64_t len) {
  char buffer[4096];
  while (len > 0) {
    size_t n = len < sizeof(buffer) ? (size_t)len : sizeof(buffer);
    zx_status_t status = zx_vmo_read(src, buffer, src_offset, n);
    if (status != ZX_OK) {
      return status;
    }
    status = zx_vmo_write(dst, buffer, dst_offset, n);
    if (status != ZX_OK) {
      return status;
    }
    src_offset += n;
    dst_offset += n;
    len -= n;
  }
  return ZX_OK;
}

// One PT_LOAD segment: a VMO of its pages, mapped at its address with its permissions.
static zx_status_t load_segment(zx_handle_t vmar, zx_vaddr_t vmar_base, uint64_t vmar_len,
                                zx_handle_t executable, const elf_phdr_t* ph) {
  zx_vm_option_t perms = 0;
  perms |= (ph->flags & PF_R) ? ZX_VM_PERM_READ : 0;
  perms |= (ph->flags & PF_W) ? ZX_VM_PERM_WRITE : 0;
  perms |= (ph->flags & PF_X) ? ZX_VM_PERM_EXECUTE : 0;
  if ((perms & ZX_VM_PERM_WRITE) && (perms & ZX_VM_PERM_EXECUTE)) {
    return ZX_ERR_NOT_SUPPORTED;  // W^X
  }
  if (ph->memsz == 0) {
    return ZX_OK;
  }
  uint64_t end = ph->vaddr + ph->memsz;
  if (end < ph->vaddr || ph->filesz > ph->memsz || ph->vaddr < vmar_base ||
      end > vmar_base + vmar_len) {
    return ZX_ERR_NOT_SUPPORTED;
  }
  uint64_t page = page_size();
  uint64_t first = ph->vaddr & ~(page - 1);
  uint64_t size = ((end + page - 1) & ~(page - 1)) - first;

  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create(size, 0, &vmo);
  if (status != ZX_OK) {
    return status;
  }
  status = zrk_launch_copy_vmo(vmo, ph->vaddr - first, executable, ph->offset, ph->filesz);
  if (status == ZX_OK && (perms & ZX_VM_PERM_EXECUTE)) {
    status = zx_vmo_replace_as_executable(vmo, zrk_startup()->vmex_resource, &vmo);
  }
  if (status == ZX_OK && (perms & ZX_VM_PERM_WRITE)) {
    // Data and bss up front, as the kernel's loader does.
    status = zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, size, NULL, 0);
  }
  zx_vaddr_t addr = 0;
  if (status == ZX_OK) {
    status = zx_vmar_map(vmar, perms | ZX_VM_SPECIFIC, first - vmar_base, vmo, 0, size, &addr);
    if (status == ZX_ERR_ALREADY_EXISTS) {
      status = ZX_ERR_NOT_SUPPORTED;  // two segments share a page
    }
  }
  zx_handle_close(vmo);
  return status;
}

// The stack: a sub-region of guard + stack, the stack mapped at its top, so the guard
// below stays unmappable (nobody holds the sub-region's handle).
static zx_status_t map_stack(zx_handle_t vmar, zx_vaddr_t* base) {
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t region_base = 0;
  zx_status_t status = zx_vmar_allocate(
      vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
      STACK_GUARD + STACK_SIZE, &region, &region_base);
  if (status != ZX_OK) {
    return status;
  }
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  status = zx_vmo_create(STACK_SIZE, 0, &vmo);
  if (status == ZX_OK) {
    static const char name[] = "stack";
    zx_object_set_property(vmo, ZX_PROP_NAME, name, sizeof(name));
    status = zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
                         STACK_GUARD, vmo, 0, STACK_SIZE, base);
    zx_handle_close(vmo);
  }
  zx_handle_close(region);
  return status;
}

// The start-up block and argv in one page; its address in *block. Writable: the C
// runtime fills its handle fields from the bootstrap message.
static zx_status_t map_block(zx_handle_t vmar, zx_vaddr_t stack_base, int argc,
                             const char* const* argv, const char* name, zx_vaddr_t* block) {
  uint64_t page = page_size();
  const char* const fallback[] = {name};
  if (argc <= 0) {
    argc = 1;
    argv = fallback;
  }
  size_t pointers = sizeof(zrk_startup_t) + ((size_t)argc + 1) * sizeof(uint64_t);
  size_t total = pointers;
  for (int i = 0; i < argc; i++) {
    total += strlen(argv[i]) + 1;
  }
  if (total > page) {
    return ZX_ERR_OUT_OF_RANGE;
  }
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create(page, 0, &vmo);
  if (status != ZX_OK) {
    return status;
  }
  status = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, page, block);
  if (status == ZX_OK) {
    zrk_startup_t header = {
        .magic = ZRK_STARTUP_MAGIC,
        .version = ZRK_STARTUP_VERSION,
        .argc = (uint32_t)argc,
        .argv = *block + sizeof(zrk_startup_t),
        .stack_base = stack_base,
        .stack_size = STACK_SIZE,
    };
    status = zx_vmo_write(vmo, &header, 0, sizeof(header));
    uint64_t string_at = pointers;
    for (int i = 0; status == ZX_OK && i < argc; i++) {
      uint64_t pointer = *block + string_at;
      size_t len = strlen(argv[i]) + 1;
      status = zx_vmo_write(vmo, &pointer, sizeof(zrk_startup_t) + (size_t)i * 8, 8);
      if (status == ZX_OK) {
        status = zx_vmo_write(vmo, argv[i], string_at, len);
      }
      string_at += len;
    }
    // argv[argc] = NULL: the VMO reads as zeros there already.
  }
  zx_handle_close(vmo);
  return status;
}

// The handle fields the caller may fill (process, vmar_root and thread are the
// launcher's own).
static bool is_handle_slot(uint32_t slot) {
  return slot == ZRK_LAUNCH_SLOT(vmex_resource) || slot == ZRK_LAUNCH_SLOT(info_resource) ||
         slot == ZRK_LAUNCH_SLOT(job) || slot == ZRK_LAUNCH_SLOT(boot_image) ||
         slot == ZRK_LAUNCH_SLOT(user0);
}

zx_status_t zrk_launch_suspended(zx_handle_t job, const char* name, zx_handle_t executable,
                                 int argc, const char* const* argv,
                                 const zrk_launch_handle_t* handles, size_t num_handles,
                                 zx_handle_t* process_out, zx_handle_t* suspend_token) {
  zx_handle_t process = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  zx_handle_t token = ZX_HANDLE_INVALID;
  zx_handle_t thread = ZX_HANDLE_INVALID, channel[2] = {ZX_HANDLE_INVALID, ZX_HANDLE_INVALID};
  // The bootstrap message: handles and the slot each fills. The caller's first (they
  // are consumed whatever happens), then the launcher's own three.
  uint32_t slots[MAX_HANDLES];
  zx_handle_t to_send[MAX_HANDLES];
  size_t count = 0;
  zx_status_t status = ZX_OK;
  if (num_handles > MAX_HANDLES - 3) {
    status = ZX_ERR_OUT_OF_RANGE;
  }
  for (size_t i = 0; i < num_handles; i++) {
    if (status == ZX_OK && !is_handle_slot(handles[i].slot)) {
      status = ZX_ERR_INVALID_ARGS;
    }
    if (status == ZX_OK) {
      slots[count] = handles[i].slot;
      to_send[count++] = handles[i].handle;
    } else {
      zx_handle_close(handles[i].handle);
    }
  }

  elf_header_t eh;
  elf_phdr_t phdrs[MAX_PHDRS];
  if (status == ZX_OK) {
    status = zx_vmo_read(executable, &eh, 0, sizeof(eh));
  }
  if (status == ZX_OK) {
    bool elf = memcmp(eh.ident, "\177ELF", 4) == 0 && eh.ident[4] == 2 && eh.ident[5] == 1;
    if (!elf || eh.type != ET_EXEC || eh.machine != EM_AARCH64 ||
        eh.phentsize != sizeof(elf_phdr_t) || eh.phnum == 0 || eh.phnum > MAX_PHDRS) {
      status = ZX_ERR_NOT_SUPPORTED;
    }
  }
  if (status == ZX_OK) {
    status = zx_vmo_read(executable, phdrs, eh.phoff, eh.phnum * sizeof(elf_phdr_t));
  }
  if (status == ZX_OK) {
    status = zx_process_create(job, name, strlen(name), 0, &process, &vmar);
  }
  zx_info_vmar_t root = {0};
  if (status == ZX_OK) {
    status = zx_object_get_info(vmar, ZX_INFO_VMAR, &root, sizeof(root), NULL, NULL);
  }
  bool entry_executable = false;
  for (size_t i = 0; status == ZX_OK && i < eh.phnum; i++) {
    if (phdrs[i].type != PT_LOAD) {
      continue;
    }
    status = load_segment(vmar, root.base, root.len, executable, &phdrs[i]);
    if ((phdrs[i].flags & PF_X) && eh.entry >= phdrs[i].vaddr &&
        eh.entry < phdrs[i].vaddr + phdrs[i].memsz) {
      entry_executable = true;
    }
  }
  if (status == ZX_OK && !entry_executable) {
    status = ZX_ERR_NOT_SUPPORTED;
  }
  zx_vaddr_t stack_base = 0, block = 0;
  if (status == ZX_OK) {
    status = map_stack(vmar, &stack_base);
  }
  if (status == ZX_OK) {
    status = map_block(vmar, stack_base, argc, argv, name, &block);
  }
  if (status == ZX_OK) {
    status = zx_thread_create(process, name, strlen(name), 0, &thread);
  }
  if (status == ZX_OK) {
    status = zx_channel_create(0, &channel[0], &channel[1]);
  }
  if (status == ZX_OK) {
    slots[count] = ZRK_LAUNCH_SLOT(process);
    status = zx_handle_duplicate(process, ZX_RIGHT_SAME_RIGHTS, &to_send[count]);
    count += status == ZX_OK;
  }
  if (status == ZX_OK) {
    slots[count] = ZRK_LAUNCH_SLOT(thread);
    status = zx_handle_duplicate(thread, ZX_RIGHT_SAME_RIGHTS, &to_send[count]);
    count += status == ZX_OK;
  }
  if (status == ZX_OK) {
    slots[count] = ZRK_LAUNCH_SLOT(vmar_root);
    to_send[count++] = vmar;
    vmar = ZX_HANDLE_INVALID;
    status = zx_channel_write(channel[0], 0, slots, (uint32_t)(count * sizeof(uint32_t)),
                              to_send, (uint32_t)count);
    count = 0;  // consumed by the write, whatever it returned
  }
  // Held until everything here is cleaned up (and, for zrk_launch_suspended, until the
  // caller has finished too): the new program then never sees a launcher's handle or
  // object go away while it runs, which kernel-wide counts would show.
  if (status == ZX_OK) {
    status = zx_task_suspend(thread, &token);
  }
  if (status == ZX_OK) {
    status = zx_process_start(process, thread, eh.entry, stack_base + STACK_SIZE, channel[1],
                              block);
    channel[1] = ZX_HANDLE_INVALID;
  }

  for (size_t i = 0; i < count; i++) {
    zx_handle_close(to_send[i]);
  }
  zx_handle_close(channel[0]);
  zx_handle_close(channel[1]);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  if (status == ZX_OK && suspend_token) {
    *suspend_token = token;
    token = ZX_HANDLE_INVALID;
  }
  zx_handle_close(token);
  if (status == ZX_OK && process_out) {
    *process_out = process;
  } else {
    if (status != ZX_OK && process != ZX_HANDLE_INVALID) {
      // A half-built process: never started, so closing its last handle ends it.
      zx_task_kill(process);
    }
    zx_handle_close(process);
  }
  return status;
}

zx_status_t zrk_launch(zx_handle_t job, const char* name, zx_handle_t executable, int argc,
                       const char* const* argv, const zrk_launch_handle_t* handles,
                       size_t num_handles, zx_handle_t* process) {
  return zrk_launch_suspended(job, name, executable, argc, argv, handles, num_handles, process,
                              NULL);
}
