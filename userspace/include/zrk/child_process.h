//! Tiny child processes for tests, until a loader in user space exists: a process whose
//! whole program is a few hand-assembled AArch64 instructions in one executable page,
//! with a stack, started with zx_process_start. The child has no C runtime and enters
//! the kernel itself (`svc #0` with the number of <zircon/zrk-syscall-numbers.h> in x16).
//!
//!   zrk_child_t c;
//!   ASSERT_OK(zrk_child_create(zx_job_default(), "child", ZRK_CHILD_EXIT_ARG2,
//!                              ZRK_CHILD_LEN(ZRK_CHILD_EXIT_ARG2), &c));
//!   ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 42));
//!   EXPECT_EQ(zrk_child_wait(&c), 42);
//!   zrk_child_close(&c);
//!
//! The code page is made executable with the start-up block's VMEX resource
//! (zx_vmo_replace_as_executable). Registers at entry are zx_process_start's: x0 the
//! transferred handle's value in the child (0 for none), x1 `arg2`, sp the stack top.
//! Each program below says what it does with them. Every helper is static inline: each
//! test program is built on its own.
#ifndef ZRK_CHILD_PROCESS_H_
#define ZRK_CHILD_PROCESS_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/zrk-syscall-numbers.h>
#include <zrk/startup.h>

// Instruction encodings (A64), for the programs below and for tests writing their own.
#define ZRK_A64_MOVZ(rd, imm16) (0xD2800000u | ((uint32_t)(imm16) << 5) | (rd))   // movz xd, #imm
#define ZRK_A64_MOV(rd, rm) (0xAA0003E0u | ((uint32_t)(rm) << 16) | (rd))          // mov xd, xm
#define ZRK_A64_SVC0 0xD4000001u                                                    // svc #0
#define ZRK_A64_BRK0 0xD4200000u                                                    // brk #0
#define ZRK_A64_B_SELF 0x14000000u                                                  // b .
// sub xd, sp, #imm12
#define ZRK_A64_SUB_SP(rd, imm12) (0xD10003E0u | ((uint32_t)(imm12) << 10) | (rd))
// str xt, [xn] / ldr xt, [xn]
#define ZRK_A64_STR(rt, rn) (0xF9000000u | ((uint32_t)(rn) << 5) | (rt))
#define ZRK_A64_LDR(rt, rn) (0xF9400000u | ((uint32_t)(rn) << 5) | (rt))
// ldr wt, [xn] / str wt, [xn, #4]
#define ZRK_A64_LDR_W(rt, rn) (0xB9400000u | ((uint32_t)(rn) << 5) | (rt))
#define ZRK_A64_STR_W4(rt, rn) (0xB9000400u | ((uint32_t)(rn) << 5) | (rt))
// add wd, wn, #1
#define ZRK_A64_ADD_W1(rd, rn) (0x11000400u | ((uint32_t)(rn) << 5) | (rd))
// cmp xn, xm
#define ZRK_A64_CMP(rn, rm) (0xEB00001Fu | ((uint32_t)(rm) << 16) | ((uint32_t)(rn) << 5))
// cbz wt, <back `n` instructions>; b.eq <back `n` instructions>
#define ZRK_A64_CBZ_W_BACK(rt, n) (0x34000000u | ((((uint32_t) - (n)) & 0x7FFFFu) << 5) | (rt))
#define ZRK_A64_BEQ_BACK(n) (0x54000000u | ((((uint32_t) - (n)) & 0x7FFFFu) << 5))
// The syscall `name` (x0.. already set): x16 = its number, svc.
#define ZRK_A64_SYSCALL(name) ZRK_A64_MOVZ(16, ZRK_SYS_##name), ZRK_A64_SVC0

#define ZRK_CHILD_LEN(program) (sizeof(program) / sizeof((program)[0]))

// Exits with arg2 as its return code.
static const uint32_t ZRK_CHILD_EXIT_ARG2[] = {
    ZRK_A64_MOV(0, 1),
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// Exits with x0 as its return code: the value the transferred handle got in the child.
static const uint32_t ZRK_CHILD_EXIT_X0[] = {
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// Closes the transferred handle (x0) and exits with zx_handle_close's status.
static const uint32_t ZRK_CHILD_CLOSE_X0[] = {
    ZRK_A64_SYSCALL(handle_close),
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// Runs forever (until killed).
static const uint32_t ZRK_CHILD_SPIN[] = {ZRK_A64_B_SELF};

// arg2 is the child's address of a shared word pair {request, reply}: waits until
// `request` is nonzero, writes request + 1 to `reply`, and exits with request + 1.
static const uint32_t ZRK_CHILD_ECHO[] = {
    ZRK_A64_LDR_W(2, 1),          // w2 = request
    ZRK_A64_CBZ_W_BACK(2, 1),     // until nonzero
    ZRK_A64_ADD_W1(2, 2),         // w2 += 1
    ZRK_A64_STR_W4(2, 1),         // reply = w2
    ZRK_A64_MOV(0, 2),            // exit(w2)
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// Keeps arg2 in the word 16 bytes below its stack top, storing and reloading it
// forever; exits with 99 if it ever reads back something else (another address space's
// store, seen through a stale translation).
static const uint32_t ZRK_CHILD_KEEP_ARG2[] = {
    ZRK_A64_SUB_SP(2, 16),        // x2 = sp - 16
    ZRK_A64_STR(1, 2),            // loop: [x2] = arg2
    ZRK_A64_LDR(3, 2),            //       x3 = [x2]
    ZRK_A64_CMP(3, 1),
    ZRK_A64_BEQ_BACK(3),          //       while x3 == arg2
    ZRK_A64_MOVZ(0, 99),
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// Tries zx_vmo_create(4096, 0, sp - 16) and exits with its status (job policy tests).
static const uint32_t ZRK_CHILD_VMO_CREATE[] = {
    ZRK_A64_MOVZ(0, 4096),
    ZRK_A64_MOVZ(1, 0),
    ZRK_A64_SUB_SP(2, 16),
    ZRK_A64_SYSCALL(vmo_create),
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// The child's stack: 16 KiB, read-write.
#define ZRK_CHILD_STACK_SIZE (16u * 1024)

typedef struct {
  zx_handle_t process;
  zx_handle_t vmar;    // its root VMAR
  zx_handle_t thread;  // its first thread, not yet started
  uintptr_t code;      // the child's address of its code
  uintptr_t stack;     // the child's address of the lowest stack byte
  uintptr_t stack_top;
} zrk_child_t;

// Maps `size` bytes of `vmo` at `vmar_offset` of the child's root VMAR (0 and no
// ZX_VM_SPECIFIC in `options`: anywhere).
static inline zx_status_t zrk_child_map(zrk_child_t* c, zx_vm_option_t options,
                                        size_t vmar_offset, zx_handle_t vmo, size_t size,
                                        uintptr_t* child_addr) {
  return zx_vmar_map(c->vmar, options, vmar_offset, vmo, 0, size, child_addr);
}

// A new process named `name` in `job`, with `program` (`count` instructions, one page
// at most) mapped read-execute and a stack mapped read-write; its thread is created but
// not started. With `stack_offset` nonzero the stack is mapped at that offset of the
// root VMAR (so several children can have it at the same address). On failure every
// handle made so far is closed.
static inline zx_status_t zrk_child_create_at(zx_handle_t job, const char* name,
                                              const uint32_t* program, size_t count,
                                              size_t stack_offset, zrk_child_t* c) {
  memset(c, 0, sizeof *c);
  zx_status_t s = zx_process_create(job, name, strlen(name), 0, &c->process, &c->vmar);
  if (s != ZX_OK) {
    return s;
  }
  zx_handle_t code = ZX_HANDLE_INVALID, stack = ZX_HANDLE_INVALID;
  if ((s = zx_vmo_create(4096, 0, &code)) != ZX_OK ||
      (s = zx_vmo_write(code, program, 0, count * sizeof(uint32_t))) != ZX_OK ||
      (s = zx_vmo_replace_as_executable(code, zrk_startup()->vmex_resource, &code)) !=
          ZX_OK ||
      (s = zrk_child_map(c, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code, 4096, &c->code)) !=
          ZX_OK ||
      (s = zx_vmo_create(ZRK_CHILD_STACK_SIZE, 0, &stack)) != ZX_OK ||
      (s = zrk_child_map(
           c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | (stack_offset ? ZX_VM_SPECIFIC : 0),
           stack_offset, stack, ZRK_CHILD_STACK_SIZE, &c->stack)) != ZX_OK ||
      (s = zx_thread_create(c->process, "child", 5, 0, &c->thread)) != ZX_OK) {
    zx_handle_close(code);
    zx_handle_close(stack);
    zx_handle_close(c->vmar);
    zx_handle_close(c->process);
    memset(c, 0, sizeof *c);
    return s;
  }
  zx_handle_close(code);
  zx_handle_close(stack);
  c->stack_top = c->stack + ZRK_CHILD_STACK_SIZE;
  return ZX_OK;
}

static inline zx_status_t zrk_child_create(zx_handle_t job, const char* name,
                                           const uint32_t* program, size_t count,
                                           zrk_child_t* c) {
  return zrk_child_create_at(job, name, program, count, 0, c);
}

// Starts the child at its code with `arg1` (a handle, moved into the child) and `arg2`.
static inline zx_status_t zrk_child_start(zrk_child_t* c, zx_handle_t arg1, uintptr_t arg2) {
  return zx_process_start(c->process, c->thread, c->code, c->stack_top, arg1, arg2);
}

// ZX_INFO_PROCESS of the child (all zeros if the call fails).
static inline zx_info_process_t zrk_child_info(const zrk_child_t* c) {
  zx_info_process_t info;
  memset(&info, 0, sizeof info);
  zx_object_get_info(c->process, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL);
  return info;
}

// Waits (10 s at most) for the child to end; its return code, or INT64_MIN on a timeout.
static inline int64_t zrk_child_wait(const zrk_child_t* c) {
  zx_signals_t seen = 0;
  if (zx_object_wait_one(c->process, ZX_PROCESS_TERMINATED,
                         zx_deadline_after(ZX_SEC(10)), &seen) != ZX_OK) {
    return INT64_MIN;
  }
  return zrk_child_info(c).return_code;
}

// Closes the handles (the child goes on running if it has started).
static inline void zrk_child_close(zrk_child_t* c) {
  zx_handle_close(c->thread);
  zx_handle_close(c->vmar);
  zx_handle_close(c->process);
  memset(c, 0, sizeof *c);
}

// Leak checks across child processes: free memory and live kernel objects. Free memory
// counts what the kernel heap holds as free (as <zrk/vmo_util.h>'s free_bytes()): the
// heap keeps its high-water marks (handle-table slots, run-queue room), which is no leak;
// leaked objects show in the object counts.
typedef struct {
  uint64_t free_bytes;
  zrk_info_kernel_objects_t objects;
} zrk_usage_t;

static inline zrk_usage_t zrk_usage(void) {
  zrk_usage_t u;
  memset(&u, 0, sizeof u);
  zx_info_kmem_stats_t kmem;
  memset(&kmem, 0, sizeof kmem);
  zx_handle_t info = zrk_startup()->info_resource;
  zx_object_get_info(info, ZX_INFO_KMEM_STATS, &kmem, sizeof kmem, NULL, NULL);
  zx_object_get_info(info, ZRK_INFO_KERNEL_OBJECTS, &u.objects, sizeof u.objects, NULL, NULL);
  u.free_bytes = kmem.free_bytes + kmem.total_heap_bytes;
  return u;
}

static inline int zrk_usage_equal(const zrk_usage_t* a, const zrk_usage_t* b) {
  return a->free_bytes == b->free_bytes &&
         memcmp(&a->objects, &b->objects, sizeof a->objects) == 0;
}

// Usage once it matches `want`, or after 2 s: a dead child's thread is freed by its
// CPU's next switch, a moment after TERMINATED.
static inline zrk_usage_t zrk_usage_settled(const zrk_usage_t* want) {
  zx_time_t give_up = zx_deadline_after(ZX_SEC(2));
  zrk_usage_t now = zrk_usage();
  while (!zrk_usage_equal(&now, want) && zx_clock_get_monotonic() < give_up) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
    now = zrk_usage();
  }
  return now;
}

#endif  // ZRK_CHILD_PROCESS_H_
