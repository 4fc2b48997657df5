// The in-guest syscall fuzzer (issues 8 and 13): random sequences of zrk's syscalls,
// with arguments drawn from valid and hostile pools, driven by a seeded PRNG, against a
// model of the handles, memory, channel queues and child processes the process holds.
// It checks that every status is one the syscall documents and, where the model can
// tell, the very one it predicts; that the kernel's handle table and outputs agree with
// the model; that everything it made closes and every child it started dies with its
// job; and that the kernel's free memory and its objects by type come back exactly at
// the end of every epoch. It prints the seed, counts by syscall and status, and TAP lines.
//
// scripts/fuzz builds it with its parameters: it writes a one-file program that
// defines FUZZ_SEED, FUZZ_ITERATIONS (and FUZZ_EPOCH, FUZZ_THREADS, FUZZ_TRACE_FROM) and
// includes this file, since the kernel passes a program no arguments but its name. Built
// as it is (scripts/run userspace/fuzz/fuzz.c), it runs the defaults below.
//
// With FUZZ_THREADS above 1, that many threads of the process fuzz at once, each with a
// model of its own (fuzz_model.h: the state is thread-local), in its own fixed VMAR,
// scratch pages, arena and base job; thread 0 (the main thread) runs exactly the
// sequence one thread would. Every epoch ends with each thread cleaning up after itself
// (killing its base job and everything in it), a barrier, the leak checks by thread 0
// while the others wait, and a second barrier.
//
// Files: fuzz_calls.h (the syscall table: documented statuses, counts, the ring of
// recent calls, violations), fuzz_model.h (PRNG, the fuzzer's memory, the handle pool,
// the objects and the messages the model tracks), fuzz_args.h (argument pools),
// fuzz_ipc.h (channels, ports, events, processes, jobs, mini-process children), this
// file (setup, the handle, VMO, VMAR, futex and thread calls, epochs).
//
// Not fuzzed: zx_process_exit and zx_thread_exit (they end the run), zx_thread_start
// (a thread started at a random address would fault and kill the process), and for now
// zx_object_signal / _signal_peer, zx_object_wait_many, event pairs, timers, the futex
// requeue and owner calls, zx_task_suspend, zx_thread_read_state / write_state,
// exception channels; the calls answered without the kernel (clock, ticks, page size).
#include <pthread.h>
#include <stdarg.h>
#include <zrk/vmar_util.h>

#include "fuzz_args.h"
#include "fuzz_calls.h"
#include "fuzz_model.h"

#ifndef FUZZ_SEED
#define FUZZ_SEED 1
#endif
#ifndef FUZZ_ITERATIONS
#define FUZZ_ITERATIONS 10000
#endif
#ifndef FUZZ_EPOCH  // iterations between clean-ups and leak checks
#define FUZZ_EPOCH 10000
#endif
#ifndef FUZZ_TRACE_FROM  // print every call from this iteration on
#define FUZZ_TRACE_FROM UINT64_MAX
#endif

// Lengths the run commits or maps are cut to this unless rare (pick_work_size).
#define WORK_CAP (64 * FUZZ_PAGE)

// Prints a line of the fuzzer's own on a fresh line.
static __attribute__((format(printf, 1, 2))) void say(const char* format, ...) {
  fresh_line();
  va_list args;
  va_start(args, format);
  vprintf(format, args);
  va_end(args);
}

static uint64_t round_page(uint64_t n) {
  return n > UINT64_MAX - (FUZZ_PAGE - 1) ? 0 : (n + FUZZ_PAGE - 1) & ~(FUZZ_PAGE - 1);
}

static uint32_t load_u32(uint64_t p) {
  uint32_t v;
  memcpy(&v, (const void*)(uintptr_t)p, sizeof v);
  return v;
}
static uint64_t load_u64(uint64_t p) {
  uint64_t v;
  memcpy(&v, (const void*)(uintptr_t)p, sizeof v);
  return v;
}
static void store_u64(uint64_t p, uint64_t v) { memcpy((void*)(uintptr_t)p, &v, sizeof v); }

// Clears an output the kernel is to write, so "OK but nothing written" shows.
static void clear_out(const ptr_t* out, size_t len) {
  if (out->validity == PV_VALID) {
    memset((void*)(uintptr_t)out->p, 0, len);
  }
}

#define CALL(sc, ...)                                        \
  do {                                                       \
    uint64_t args_[] = {__VA_ARGS__};                        \
    call_begin((sc), sizeof args_ / sizeof args_[0], args_); \
  } while (0)

// --- Adopting new handles -------------------------------------------------------------------

static uint8_t kind_of_type(zx_obj_type_t type) {
  switch (type) {
    case ZX_OBJ_TYPE_VMO:
      return K_VMO;
    case ZX_OBJ_TYPE_VMAR:
      return K_VMAR;
    case ZX_OBJ_TYPE_PROCESS:
      return K_PROCESS;
    case ZX_OBJ_TYPE_THREAD:
      return K_THREAD;
    case ZX_OBJ_TYPE_RESOURCE:
      return K_RESOURCE;
    case ZX_OBJ_TYPE_CHANNEL:
      return K_CHANNEL;
    case ZX_OBJ_TYPE_PORT:
      return K_PORT;
    case ZX_OBJ_TYPE_JOB:
      return K_JOB;
    case ZX_OBJ_TYPE_EVENT:
      return K_EVENT;
    default:
      return K_OTHER;
  }
}

#define ANY_RIGHTS 0xffffffffu  // adopt(): do not check the new handle's rights

// Takes a handle a call returned into the pool: checks it is a handle value the process
// did not hold, of the expected kind and (unless ANY_RIGHTS) with the expected rights.
// Returns the slot, or -1 (the handle is then closed again if it is real).
static int adopt(zx_handle_t h, uint8_t kind, uint8_t flags, zx_rights_t want, int obj) {
  if (h == ZX_HANDLE_INVALID || (h & 3) != 3 || is_live(h)) {
    violation(V_OUTPUT, "%s made handle %#x: invalid, or one the process already holds",
              fuzz_syscalls[fuzz_current.sc].name, h);
    return -1;
  }
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof info);
  zx_status_t st = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL);
  if (st != ZX_OK) {
    violation(V_HANDLES, "%s made handle %#x, but ZX_INFO_HANDLE_BASIC on it says %s",
              fuzz_syscalls[fuzz_current.sc].name, h, zx_status_get_string(st));
    return -1;
  }
  if (kind_of_type(info.type) != kind) {
    violation(V_OUTPUT, "%s made a handle of object type %u", fuzz_syscalls[fuzz_current.sc].name,
              info.type);
  }
  if (want != ANY_RIGHTS && info.rights != want) {
    violation(V_OUTPUT, "%s made a handle with rights %#x, not %#x",
              fuzz_syscalls[fuzz_current.sc].name, info.rights, want);
  }
  // The same object as the model says (a duplicate, a handle read back from a
  // channel), or one it knows by koid, or a new one.
  if (obj >= 0 && objs[obj].used && objs[obj].koid != 0 && objs[obj].koid != info.koid) {
    violation(V_HANDLES, "%s made a handle to koid %" PRIu64 "; the model expects koid %" PRIu64,
              fuzz_syscalls[fuzz_current.sc].name, info.koid, objs[obj].koid);
  }
  if (obj < 0) {
    int known = obj_by_koid(info.koid);
    if (known >= 0) {
      violation(V_HANDLES, "%s made a new object with koid %" PRIu64 ", which the model knows",
                fuzz_syscalls[fuzz_current.sc].name, info.koid);
    }
  }
  int s = add_slot(h, kind_of_type(info.type), flags, info.rights, obj);
  if (s < 0) {
    zx_handle_close(h);
    return s;
  }
  objs[slots[s].obj].koid = info.koid;
  objs[slots[s].obj].related = info.related_koid;
  return s;
}

// The rights a VMO child gets (digest 3.6 step 8), for SNAPSHOT, AT_LEAST_ON_WRITE and
// SLICE children; ANY_RIGHTS for other options.
static zx_rights_t child_rights(zx_rights_t parent, uint32_t options) {
  uint32_t kind = options & (ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE |
                             ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_REFERENCE);
  if (kind == 0 || (kind & ZX_VMO_CHILD_REFERENCE)) {
    return ANY_RIGHTS;
  }
  zx_rights_t r = parent & ~ZX_RIGHT_RESIZE;
  if (options & ZX_VMO_CHILD_RESIZABLE) {
    r |= ZX_RIGHT_RESIZE;
  }
  r |= ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  if (options & ZX_VMO_CHILD_NO_WRITE) {
    r &= ~ZX_RIGHT_WRITE;
  } else if (kind != ZX_VMO_CHILD_SLICE) {
    r = (r | ZX_RIGHT_WRITE) & ~ZX_RIGHT_EXECUTE;
  }
  return r;
}

// The slot's object, or -1.
static int obj_of(const harg_t* h) { return h->slot >= 0 ? slots[h->slot].obj : -1; }
static uint64_t vmo_size_of(const harg_t* h) {
  int o = obj_of(h);
  return o >= 0 && objs[o].kind == K_VMO ? objs[o].size : 4 * FUZZ_PAGE;
}

// An offset into something of `size` bytes: mostly inside it (page-aligned half the
// time), else at an edge.
static uint64_t pick_offset(uint64_t size, uint64_t len) {
  if (chance(550)) {
    uint64_t room = (len <= size) ? size - len : 0;
    uint64_t off = rnd(room + 1);
    return chance(500) ? off & ~(FUZZ_PAGE - 1) : off;
  }
  return pick_size(size);
}

// --- Handles ----------------------------------------------------------------------------------

static void op_handle_close(void) {
  harg_t h = pick_handle(K_NONE, true);
  CALL(SC_HANDLE_CLOSE, h.h);
  zx_status_t st = zx_handle_close(h.h);
  call_end(st, h.live);
  if (h.live == 1) {
    if (st != ZX_OK) {
      violation(V_HANDLES, "closing a handle the process holds said %s", zx_status_get_string(st));
    }
    drop_slot(h.slot);
  } else if (h.live == -1 && st != ZX_OK) {
    violation(V_STATUS, "closing ZX_HANDLE_INVALID said %s", zx_status_get_string(st));
  }
}

// The array lives in the last CLOSE_ARRAY_BYTES of scratch, right before the hole: the
// kernel reads it 64 handles at a time (as Zircon does) and a batch that runs into the
// hole fails with INVALID_ARGS after the earlier batches were closed.
static void op_handle_close_many(void) {
  zx_handle_t* array = (zx_handle_t*)(mem.scratch_end - CLOSE_ARRAY_BYTES);
  memset(array, 0, CLOSE_ARRAY_BYTES);
  uint64_t n = chance(900) ? rnd(9) : rnd(CLOSE_ARRAY_ENTRIES + 1);
  for (uint64_t i = 0; i < n; i++) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    uint64_t r = rnd(100);
    if (r < 50) {
      int s = random_slot(K_NONE, S_OWNED);
      h = s >= 0 ? slots[s].h : 0;
    } else if (r < 60 && i > 0) {
      h = array[rnd(i)];  // a repeat
    } else if (r < 75 && ndead > 0) {
      h = dead[rnd(ndead < FUZZ_DEAD ? ndead : FUZZ_DEAD)];
    } else if (r < 85) {
      h = (zx_handle_t)rnd64() | 3;
    }
    int s = slot_of(h);
    if (is_private(h) || (s >= 0 && !(slots[s].flags & S_OWNED)) ||
        (s < 0 && held_by_another_thread(h))) {
      h = ZX_HANDLE_INVALID;
    }
    array[i] = h;
  }
  uint64_t count = chance(850) ? n : pick_size(n);
  uint64_t p = (uint64_t)(uintptr_t)array;
  bool unreadable = false;
  if (chance(120)) {
    static const uint64_t bad[] = {0,      0xffff000000000000ull, 0x0001000000000000ull,
                                   0x1000, UINT64_MAX - 3,        0x0000fffffffffffcull};
    p = chance(500) ? bad[rnd(sizeof bad / sizeof bad[0])] : mem.hole + 4 * rnd(256);
    unreadable = true;
  } else if (chance(40)) {
    p = mem.ro;  // a page of zeros: ZX_HANDLE_INVALID, CLOSE_ARRAY_BYTES... times over
    count = rnd(FUZZ_PAGE / 4 + 1);
  }
  // What the kernel must do: batches of 64 entirely inside the readable array are
  // closed in order; the first that is not fails the call.
  zx_status_t want = ZX_OK;
  bool closed[CLOSE_ARRAY_ENTRIES] = {false};
  if (p == mem.ro) {
    want = ZX_OK;
  } else if (count > 0 && unreadable) {
    want = ZX_ERR_INVALID_ARGS;
  } else {
    bool seen_bad = false;
    for (uint64_t done = 0; done < count; done += 64) {
      uint64_t batch = count - done < 64 ? count - done : 64;
      if (done + batch > CLOSE_ARRAY_ENTRIES) {
        want = ZX_ERR_INVALID_ARGS;
        break;
      }
      for (uint64_t i = done; i < done + batch; i++) {
        zx_handle_t h = array[i];
        if (h == ZX_HANDLE_INVALID) {
          continue;
        }
        bool repeat = false;
        for (uint64_t j = 0; j < i; j++) {
          repeat |= closed[j] && array[j] == h;
        }
        if (!repeat && slot_of(h) >= 0) {
          closed[i] = true;
        } else {
          seen_bad = true;
        }
      }
      if (done + batch == count) {
        want = seen_bad ? ZX_ERR_BAD_HANDLE : ZX_OK;
      }
    }
  }
  CALL(SC_HANDLE_CLOSE_MANY, p, count);
  zx_status_t st = zx_handle_close_many((const zx_handle_t*)(uintptr_t)p, count);
  call_end(st, -1);
  if (st != want) {
    violation(V_HANDLES,
              "zx_handle_close_many said %s where %s was due (%" PRIu64
              " entries at the end of scratch, count %" PRIu64 ")",
              zx_status_get_string(st), zx_status_get_string(want), n, count);
  }
  for (uint64_t i = 0; i < n; i++) {
    if (closed[i]) {
      int s = slot_of(array[i]);
      if (s >= 0) {
        drop_slot(s);
      }
    }
  }
}

static void op_handle_duplicate(void) {
  // Mostly VMOs and VMARs: duplicates of those reach the most paths.
  uint64_t r = rnd(100);
  harg_t h = pick_handle(r < 60 ? K_VMO : r < 85 ? K_VMAR : K_NONE, false);
  zx_rights_t have = h.slot >= 0 ? slots[h.slot].rights : (zx_rights_t)rnd64();
  zx_rights_t rights = pick_rights(have);
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_HANDLE_DUPLICATE, h.h, rights, out.p);
  zx_status_t st = zx_handle_duplicate(h.h, rights, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, h.live);
  // (An out pointer that may or may not be writable decides nothing.)
  if (h.slot >= 0 && st != ZX_ERR_NO_MEMORY && out.validity != PV_UNKNOWN) {
    zx_status_t want = ZX_OK;
    if (!(have & ZX_RIGHT_DUPLICATE)) {
      want = ZX_ERR_ACCESS_DENIED;
    } else if (rights != ZX_RIGHT_SAME_RIGHTS && (rights & ~have) != 0) {
      want = ZX_ERR_INVALID_ARGS;
    } else if (out.validity == PV_INVALID) {
      want = ZX_ERR_INVALID_ARGS;
    }
    if (st != want) {
      violation(V_HANDLES, "zx_handle_duplicate of a handle with rights %#x said %s, not %s", have,
                zx_status_get_string(st), zx_status_get_string(want));
    }
  }
  if (st == ZX_OK && h.slot >= 0 && out.validity == PV_VALID) {
    slot_t src = slots[h.slot];
    adopt(load_u32(out.p), src.kind, (src.flags & S_INHERITED) | S_OWNED,
          rights == ZX_RIGHT_SAME_RIGHTS ? have : rights, src.obj);
  }
}

static void op_handle_replace(void) {
  harg_t h = pick_handle(K_NONE, true);
  zx_rights_t have = h.slot >= 0 ? slots[h.slot].rights : (zx_rights_t)rnd64();
  zx_rights_t rights = pick_rights(have);
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_HANDLE_REPLACE, h.h, rights, out.p);
  zx_status_t st = zx_handle_replace(h.h, rights, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, h.live);
  if (h.slot < 0) {
    return;
  }
  if (st != ZX_ERR_NO_MEMORY && out.validity != PV_UNKNOWN) {
    zx_status_t want = ZX_OK;
    if (rights != ZX_RIGHT_SAME_RIGHTS && (rights & ~have) != 0) {
      want = ZX_ERR_INVALID_ARGS;
    } else if (out.validity == PV_INVALID) {
      want = ZX_ERR_INVALID_ARGS;
    }
    if (st != want) {
      violation(V_HANDLES, "zx_handle_replace of a handle with rights %#x said %s, not %s", have,
                zx_status_get_string(st), zx_status_get_string(want));
    }
  }
  slot_t src = slots[h.slot];
  zx_handle_t old = src.h;
  if (st == ZX_OK && out.validity == PV_VALID) {
    adopt(load_u32(out.p), src.kind, src.flags, rights == ZX_RIGHT_SAME_RIGHTS ? have : rights,
          src.obj);
  }
  // The old handle is gone whatever happened after its lookup.
  int s = slot_of(old);
  if (s >= 0) {
    drop_slot(s);
  }
}

// --- Objects ----------------------------------------------------------------------------------

static uint32_t pick_topic(void) {
  static const uint32_t topics[] = {
      ZX_INFO_HANDLE_VALID,
      ZX_INFO_HANDLE_BASIC,
      ZX_INFO_HANDLE_BASIC,
      ZX_INFO_VMO,
      ZX_INFO_VMO,
      ZX_INFO_VMO_V1,
      ZX_INFO_VMO_V2,
      ZX_INFO_VMAR,
      ZX_INFO_VMAR,
      ZX_INFO_KMEM_STATS,
      ZX_INFO_PROCESS,
      ZX_INFO_PROCESS_MAPS,
      ZX_INFO_TASK_STATS,
      ZX_INFO_NONE,
      ZX_INFO_HANDLE_COUNT,
      ZX_INFO_KMEM_STATS_EXTENDED,
      ZRK_INFO_KERNEL_OBJECTS,
      ZX_INFO_HANDLE_COUNT,
      ZX_INFO_HANDLE_COUNT,
      ZX_INFO_PROCESS,
      ZX_INFO_PROCESS_HANDLE_STATS,
      ZX_INFO_JOB,
      ZX_INFO_JOB_CHILDREN,
      ZX_INFO_JOB_PROCESSES,
      ZX_INFO_PROCESS_THREADS,
      ZX_INFO_THREAD,
      ZX_INFO_THREAD_STATS,
      ZRK_INFO_PROCESS_EXIT_REASON,
  };
  return chance(930) ? topics[rnd(sizeof topics / sizeof topics[0])] : (uint32_t)rnd64();
}

static size_t record_size(uint32_t topic) {
  switch (topic) {
    case ZX_INFO_HANDLE_BASIC:
      return sizeof(zx_info_handle_basic_t);
    case ZX_INFO_VMO:
      return sizeof(zx_info_vmo_t);
    case ZX_INFO_VMO_V1:
      return 104;
    case ZX_INFO_VMO_V2:
      return 120;
    case ZX_INFO_VMAR:
      return sizeof(zx_info_vmar_t);
    case ZX_INFO_KMEM_STATS:
      return sizeof(zx_info_kmem_stats_t);
    case ZRK_INFO_KERNEL_OBJECTS:
      return sizeof(zrk_info_kernel_objects_t);
    case ZX_INFO_HANDLE_COUNT:
      return sizeof(zx_info_handle_count_t);
    case ZX_INFO_PROCESS:
      return sizeof(zx_info_process_t);
    case ZX_INFO_PROCESS_HANDLE_STATS:
      return sizeof(zx_info_process_handle_stats_t);
    case ZX_INFO_JOB:
      return sizeof(zx_info_job_t);
    case ZX_INFO_THREAD:
      return sizeof(zx_info_thread_t);
    case ZX_INFO_THREAD_STATS:
      return sizeof(zx_info_thread_stats_t);
    case ZX_INFO_JOB_CHILDREN:
    case ZX_INFO_JOB_PROCESSES:
    case ZX_INFO_PROCESS_THREADS:
    case ZRK_INFO_PROCESS_EXIT_REASON:
      return 0;  // arrays: any size (koids, or the bytes of a reason)
    default:
      return 64;
  }
}

// Topics the kernel answers (any other is NOT_SUPPORTED before the handle is looked up).
static bool known_topic(uint32_t topic) {
  switch (topic) {
    case ZX_INFO_HANDLE_VALID:
    case ZX_INFO_HANDLE_BASIC:
    case ZX_INFO_HANDLE_COUNT:
    case ZX_INFO_VMO:
    case ZX_INFO_VMO_V1:
    case ZX_INFO_VMO_V2:
    case ZX_INFO_VMAR:
    case ZX_INFO_KMEM_STATS:
    case ZRK_INFO_KERNEL_OBJECTS:
    case ZRK_INFO_PROCESS_EXIT_REASON:
    case ZX_INFO_THREAD:
    case ZX_INFO_THREAD_STATS:
    case ZX_INFO_TIMER:
    case ZX_INFO_PROCESS_THREADS:
    case ZX_INFO_PROCESS:
    case ZX_INFO_PROCESS_HANDLE_STATS:
    case ZX_INFO_JOB:
    case ZX_INFO_JOB_CHILDREN:
    case ZX_INFO_JOB_PROCESSES:
      return true;
    default:
      return false;
  }
}

// The checks on a record the kernel wrote for a handle the model knows (slot `s`).
static void check_task_info(uint32_t topic, const slot_t* s, const void* buf) {
  const obj_t* o = &objs[s->obj];
  if (topic == ZX_INFO_HANDLE_COUNT) {
    zx_info_handle_count_t c;
    memcpy(&c, buf, sizeof c);
    // Every handle the model holds is counted; exactly those, for what only it holds
    // (messages in flight included).
    if (c.handle_count < (uint32_t)o->refs ||
        (o->exact && !o->escaped && c.handle_count != (uint32_t)(o->refs + o->msg_refs))) {
      violation(V_HANDLES,
                "ZX_INFO_HANDLE_COUNT: %u handles to a kind-%u object; the model holds %d in "
                "the table and %d in messages%s",
                c.handle_count, o->kind, o->refs, o->msg_refs,
                o->exact && !o->escaped ? "" : " (and maybe more elsewhere)");
    }
  } else if (topic == ZX_INFO_PROCESS && o->kind == K_PROCESS) {
    zx_info_process_t info;
    memcpy(&info, buf, sizeof info);
    bool bad = false;
    if (o->pstate == P_INITIAL && !o->escaped) {
      bad = info.flags != 0 || info.return_code != 0;  // never started
    } else if (o->pstate == P_RUNNING) {
      bad = !(info.flags & ZX_INFO_PROCESS_FLAG_STARTED);
    } else if (o->pstate == P_KILLED) {
      bad = !(info.flags & ZX_INFO_PROCESS_FLAG_EXITED);  // the kill is under way
    }
    if (bad) {
      violation(V_MODEL, "ZX_INFO_PROCESS: flags %#x return code %" PRId64 " for a process the "
                "model has in state %u", info.flags, info.return_code, o->pstate);
    }
  } else if (topic == ZX_INFO_PROCESS_HANDLE_STATS && o->kind == K_PROCESS &&
             o->pstate == P_INITIAL && !o->escaped) {
    zx_info_process_handle_stats_t stats;
    memcpy(&stats, buf, sizeof stats);
    for (size_t i = 0; i < sizeof stats.handle_count / sizeof stats.handle_count[0]; i++) {
      if (stats.handle_count[i] != 0) {
        violation(V_MODEL, "ZX_INFO_PROCESS_HANDLE_STATS: a process that never ran holds %u "
                  "handles of type %zu", stats.handle_count[i], i);
        break;
      }
    }
  } else if (topic == ZX_INFO_THREAD && o->kind == K_THREAD && !o->started && o->parent >= 0 &&
             objs[o->parent].pstate == P_INITIAL) {
    zx_info_thread_t info;
    memcpy(&info, buf, sizeof info);
    if (info.state != ZX_THREAD_STATE_NEW) {
      violation(V_MODEL, "ZX_INFO_THREAD: state %#x for a thread never started", info.state);
    }
  }
}

static void op_object_get_info(void) {
  harg_t h = pick_handle(K_NONE, false);
  uint32_t topic = pick_topic();
  size_t want_size = record_size(topic);
  uint64_t size;
  switch (rnd(8)) {
    case 0:
      size = 0;
      break;
    case 1:
      size = want_size - 1;
      break;
    case 2:
      size = pick_size(want_size);
      break;
    case 3:
      size = want_size + rnd(64);
      break;
    default:
      size = want_size;
  }
  ptr_t buf = out_ptr(size < 4096 ? size : 4096, obj_of(&h), true);
  ptr_t actual = chance(300) ? (ptr_t){0, PV_VALID} : out_ptr(8, -1, true);
  ptr_t avail = chance(300) ? (ptr_t){0, PV_VALID} : out_ptr(8, -1, true);
  clear_out(&buf, size < 4096 ? size : 4096);
  CALL(SC_OBJECT_GET_INFO, h.h, topic, buf.p, size, actual.p, avail.p);
  zx_status_t st = zx_object_get_info(h.h, topic, (void*)(uintptr_t)buf.p, size,
                                      (size_t*)(uintptr_t)actual.p, (size_t*)(uintptr_t)avail.p);
  // An unknown topic is refused before the lookup; HANDLE_VALID is the lookup itself.
  bool known = known_topic(topic);
  call_end(st, known ? h.live : -1);
  if (!known && st != ZX_ERR_NOT_SUPPORTED) {
    violation(V_MODEL, "zx_object_get_info of unknown topic %#x said %s", topic,
              zx_status_get_string(st));
  }
  if (topic == ZX_INFO_HANDLE_VALID && h.live >= 0 && st != (h.live ? ZX_OK : ZX_ERR_BAD_HANDLE)) {
    violation(V_HANDLES, "ZX_INFO_HANDLE_VALID said %s", zx_status_get_string(st));
  }
  if (st != ZX_OK || topic == ZX_INFO_HANDLE_VALID || topic == ZRK_INFO_PROCESS_EXIT_REASON) {
    return;
  }
  if (want_size == 0) {
    // Koid arrays: as many as fit, of how many there are.
    if (actual.validity == PV_VALID && avail.validity == PV_VALID && actual.p && avail.p &&
        !ranges_overlap(actual.p, actual.p + 8, avail.p, avail.p + 8)) {
      uint64_t a = load_u64(actual.p), v = load_u64(avail.p);
      uint64_t fit = size / 8;
      if (a > v || a != (v < fit ? v : fit)) {
        violation(V_OUTPUT, "zx_object_get_info topic %#x: actual %" PRIu64 ", avail %" PRIu64
                  " for room for %" PRIu64, topic, a, v, fit);
      }
    }
    return;
  }
  if (size >= want_size && classify_ptr(buf.p, want_size, true) == PV_INVALID) {
    violation(V_OUTPUT, "zx_object_get_info said OK, but its buffer is not writable");
    return;
  }
  if (size < want_size) {
    violation(V_OUTPUT,
              "zx_object_get_info said OK with a %" PRIu64 "-byte buffer for a %zu-byte record",
              size, want_size);
    return;
  }
  if ((actual.validity == PV_INVALID && actual.p != 0) ||
      (avail.validity == PV_INVALID && avail.p != 0)) {
    violation(V_OUTPUT, "zx_object_get_info said OK, but actual or avail is not writable");
  }
  // The kernel writes the record, then actual, then avail: an output another one
  // overlaps says nothing.
  bool actual_clobbered =
      avail.p != 0 && ranges_overlap(actual.p, actual.p + 8, avail.p, avail.p + 8);
  bool buf_clobbered =
      (actual.p != 0 && ranges_overlap(buf.p, buf.p + want_size, actual.p, actual.p + 8)) ||
      (avail.p != 0 && ranges_overlap(buf.p, buf.p + want_size, avail.p, avail.p + 8));
  if (actual.p != 0 && actual.validity == PV_VALID && !actual_clobbered &&
      load_u64(actual.p) != 1) {
    violation(V_OUTPUT, "zx_object_get_info: actual is %" PRIu64 ", not 1", load_u64(actual.p));
  }
  if (classify_ptr(buf.p, want_size, true) != PV_VALID || buf_clobbered || h.slot < 0) {
    return;
  }
  const slot_t* s = &slots[h.slot];
  if (topic == ZX_INFO_HANDLE_BASIC) {
    zx_info_handle_basic_t info;
    memcpy(&info, (const void*)(uintptr_t)buf.p, sizeof info);
    if (info.rights != s->rights || kind_of_type(info.type) != s->kind) {
      violation(
          V_HANDLES,
          "ZX_INFO_HANDLE_BASIC: rights %#x type %u; the handle was made with rights %#x kind %u",
          info.rights, info.type, s->rights, s->kind);
    }
  } else if (topic == ZX_INFO_HANDLE_COUNT || topic == ZX_INFO_PROCESS ||
             topic == ZX_INFO_PROCESS_HANDLE_STATS || topic == ZX_INFO_THREAD) {
    char record[sizeof(zx_info_process_handle_stats_t) + sizeof(zx_info_thread_t)];
    memcpy(record, (const void*)(uintptr_t)buf.p, want_size);
    check_task_info(topic, s, record);
  } else if (topic == ZX_INFO_VMO || topic == ZX_INFO_VMO_V1 || topic == ZX_INFO_VMO_V2) {
    zx_info_vmo_t info;
    memcpy(&info, (const void*)(uintptr_t)buf.p, want_size);
    if (info.handle_rights != s->rights) {
      violation(V_HANDLES, "ZX_INFO_VMO: handle_rights %#x, but the handle has %#x",
                info.handle_rights, s->rights);
    }
    if (info.size_bytes % FUZZ_PAGE != 0) {
      violation(V_OUTPUT, "ZX_INFO_VMO: size_bytes %#" PRIx64 " is not page-rounded",
                info.size_bytes);
    }
    objs[s->obj].size = info.size_bytes;
  }
}

static uint32_t pick_property(void) {
  static const uint32_t props[] = {ZX_PROP_NAME,
                                   ZX_PROP_NAME,
                                   ZX_PROP_VMO_CONTENT_SIZE,
                                   ZX_PROP_VMO_CONTENT_SIZE,
                                   ZX_PROP_PROCESS_DEBUG_ADDR,
                                   0};
  return chance(920) ? props[rnd(sizeof props / sizeof props[0])] : (uint32_t)rnd64();
}

static uint64_t pick_property_size(uint32_t property) {
  uint64_t natural = property == ZX_PROP_NAME ? ZX_MAX_NAME_LEN : 8;
  switch (rnd(6)) {
    case 0:
      return natural - 1;
    case 1:
      return pick_size(natural);
    case 2:
      return rnd(natural * 2);
    default:
      return natural;
  }
}

static void op_object_get_property(void) {
  harg_t h = pick_handle(K_NONE, false);
  uint32_t property = pick_property();
  uint64_t size = pick_property_size(property);
  ptr_t value = out_ptr(size < 64 ? size : 64, obj_of(&h), true);
  CALL(SC_OBJECT_GET_PROPERTY, h.h, property, value.p, size);
  zx_status_t st = zx_object_get_property(h.h, property, (void*)(uintptr_t)value.p, size);
  call_end(st, value.p == 0 ? -1 : h.live);
  uint64_t writes = property == ZX_PROP_NAME ? ZX_MAX_NAME_LEN : 8;
  if (st == ZX_OK && classify_ptr(value.p, writes, true) == PV_INVALID) {
    violation(V_OUTPUT, "zx_object_get_property said OK, but its value pointer is not writable");
  }
}

static void op_object_set_property(void) {
  harg_t h = pick_handle(K_NONE, false);
  uint32_t property = pick_property();
  uint64_t size = pick_property_size(property);
  char local[64];
  memset(local, 'n', sizeof local);
  ptr_t value = in_ptr(size < 64 ? size : 64, obj_of(&h), local, sizeof local);
  if (value.validity == PV_VALID && value.p >= (uintptr_t)mem.scratch && size >= 8 &&
      value.p + 8 <= mem.scratch_end) {
    if (property == ZX_PROP_VMO_CONTENT_SIZE) {
      store_u64(value.p, pick_size(vmo_size_of(&h)));
    } else if (property == ZX_PROP_NAME) {
      memcpy((void*)(uintptr_t)value.p, "fuzzed\0", 8);
    }
  }
  CALL(SC_OBJECT_SET_PROPERTY, h.h, property, value.p, size);
  zx_status_t st = zx_object_set_property(h.h, property, (const void*)(uintptr_t)value.p, size);
  call_end(st, value.p == 0 ? -1 : h.live);
  uint64_t reads = property == ZX_PROP_NAME ? (size < 31 ? size : 31)
                                            : (property == ZX_PROP_VMO_CONTENT_SIZE ? 8 : 0);
  if (st == ZX_OK && reads > 0 && classify_ptr(value.p, reads, false) == PV_INVALID) {
    violation(V_OUTPUT, "zx_object_set_property said OK, but its value pointer is not readable");
  }
}

static void op_object_wait_one(void) {
  harg_t h = pick_handle(K_NONE, false);
  static const zx_signals_t signal_sets[] = {ZX_VMO_ZERO_CHILDREN, 0, 0xffffffffu, ZX_USER_SIGNAL_0,
                                             ZX_VMO_ZERO_CHILDREN | 1};
  zx_signals_t signals = chance(800) ? signal_sets[rnd(5)] : random_bit_or_word();
  zx_time_t deadline = pick_deadline();
  ptr_t observed = chance(300) ? (ptr_t){0, PV_VALID} : out_ptr(4, -1, true);
  CALL(SC_OBJECT_WAIT_ONE, h.h, signals, (uint64_t)deadline, observed.p);
  zx_status_t st = zx_object_wait_one(h.h, signals, deadline, (zx_signals_t*)(uintptr_t)observed.p);
  call_end(st, h.live);
  if ((st == ZX_OK || st == ZX_ERR_TIMED_OUT) && observed.p != 0 &&
      observed.validity == PV_INVALID) {
    violation(V_OUTPUT, "zx_object_wait_one said %s, but observed is not writable",
              zx_status_get_string(st));
  }
}

static void op_nanosleep(void) {
  zx_time_t deadline = pick_deadline();
  CALL(SC_NANOSLEEP, (uint64_t)deadline);
  call_end(zx_nanosleep(deadline), -1);
}

static void op_debug_write(void) {
  uint64_t len = chance(900) ? rnd(8) : pick_size(256);
  uint64_t p;
  if (chance(700)) {
    p = (uint64_t)(uintptr_t)fuzz_text + rnd(sizeof fuzz_text - 256);
  } else {
    // Only pointers nothing is readable at (the console gets dots or nothing).
    static const uint64_t bad[] = {0,      0xffff000000000000ull, 0x0001000000000000ull,
                                   0x1000, UINT64_MAX - 3,        0x0000fffffffffffcull};
    p = chance(500) ? bad[rnd(sizeof bad / sizeof bad[0])] : mem.hole + rnd(HOLE_PAGES * FUZZ_PAGE);
  }
  CALL(SC_DEBUG_WRITE, p, len);
  zx_status_t st = zx_debug_write((const char*)(uintptr_t)p, len);
  call_end(st, -1);
  if (st == ZX_OK && len > 0) {
    console_dirty = true;
    if (classify_ptr(p, len < 256 ? len : 256, false) == PV_INVALID) {
      violation(V_OUTPUT, "zx_debug_write said OK, but its buffer is not readable");
    }
  }
}

// --- VMOs -------------------------------------------------------------------------------------

static void op_vmo_create(void) {
  uint64_t size =
      chance(700) ? pick_work_size(4 * FUZZ_PAGE, 16 * FUZZ_PAGE, 0) : pick_size(4 * FUZZ_PAGE);
  uint32_t options = pick_vmo_create_options();
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_VMO_CREATE, size, options, out.p);
  zx_status_t st = zx_vmo_create(size, options, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, -1);
  if (st != ZX_OK) {
    return;
  }
  if (out.validity == PV_INVALID) {
    violation(V_OUTPUT, "zx_vmo_create said OK, but out is not writable");
    return;
  }
  zx_rights_t want = ZX_DEFAULT_VMO_RIGHTS | ((options & ZX_VMO_RESIZABLE) ? ZX_RIGHT_RESIZE : 0);
  int s = adopt(load_u32(out.p), K_VMO, S_OWNED, want, -1);
  if (s >= 0) {
    objs[slots[s].obj].size = round_page(size);
    objs[slots[s].obj].resizable = (options & ZX_VMO_RESIZABLE) != 0;
  }
}

static void op_vmo_read_write(bool write) {
  harg_t h = pick_handle_with(K_VMO, false, write ? ZX_RIGHT_WRITE : ZX_RIGHT_READ);
  int obj = obj_of(&h);
  uint64_t vsize = vmo_size_of(&h);
  uint64_t len = pick_work_size(vsize, WORK_CAP, 5);
  uint64_t offset = pick_offset(vsize, len);
  char local[512];
  memset(local, 'w', sizeof local);
  ptr_t buf = write ? in_ptr(len, obj, local, sizeof local) : out_ptr(len, obj, true);
  zx_status_t st;
  if (write) {
    CALL(SC_VMO_WRITE, h.h, buf.p, offset, len);
    st = zx_vmo_write(h.h, (const void*)(uintptr_t)buf.p, offset, len);
  } else {
    CALL(SC_VMO_READ, h.h, buf.p, offset, len);
    st = zx_vmo_read(h.h, (void*)(uintptr_t)buf.p, offset, len);
  }
  call_end(st, h.live);
  if (st == ZX_OK && len > 0 && buf.validity == PV_INVALID) {
    violation(V_OUTPUT, "%s said OK, but its buffer is not %s",
              write ? "zx_vmo_write" : "zx_vmo_read", write ? "readable" : "writable");
  }
}

static void op_vmo_get_size(void) {
  harg_t h = pick_handle(K_VMO, false);
  ptr_t out = out_ptr(8, obj_of(&h), true);
  clear_out(&out, 8);
  CALL(SC_VMO_GET_SIZE, h.h, out.p);
  zx_status_t st = zx_vmo_get_size(h.h, (uint64_t*)(uintptr_t)out.p);
  call_end(st, h.live);
  if (st != ZX_OK) {
    return;
  }
  if (out.validity == PV_INVALID) {
    violation(V_OUTPUT, "zx_vmo_get_size said OK, but size is not writable");
  } else if (out.validity == PV_VALID) {
    uint64_t size = load_u64(out.p);
    if (size % FUZZ_PAGE != 0) {
      violation(V_OUTPUT, "zx_vmo_get_size: %#" PRIx64 " is not page-rounded", size);
    }
    if (h.slot >= 0) {
      objs[slots[h.slot].obj].size = size;
    }
  }
}

static void op_vmo_set_size(void) {
  harg_t h = pick_handle(K_VMO, false);
  uint64_t size = pick_size(vmo_size_of(&h));
  CALL(SC_VMO_SET_SIZE, h.h, size);
  zx_status_t st = zx_vmo_set_size(h.h, size);
  call_end(st, h.live);
  if (st == ZX_OK && h.slot >= 0) {
    objs[slots[h.slot].obj].size = round_page(size);
  }
}

static void op_vmo_op_range(void) {
  static const uint32_t ops[] = {
      ZX_VMO_OP_COMMIT,
      ZX_VMO_OP_COMMIT,
      ZX_VMO_OP_DECOMMIT,
      ZX_VMO_OP_DECOMMIT,
      ZX_VMO_OP_LOCK,
      ZX_VMO_OP_UNLOCK,
      ZX_VMO_OP_CACHE_SYNC,
      ZX_VMO_OP_CACHE_INVALIDATE,
      ZX_VMO_OP_CACHE_CLEAN,
      ZX_VMO_OP_CACHE_CLEAN_INVALIDATE,
      ZX_VMO_OP_ZERO,
      ZX_VMO_OP_ZERO,
      ZX_VMO_OP_TRY_LOCK,
      ZX_VMO_OP_DONT_NEED,
      ZX_VMO_OP_ALWAYS_NEED,
      0,
      5,
      14,
  };
  harg_t h = pick_handle(K_VMO, false);
  uint64_t vsize = vmo_size_of(&h);
  uint32_t op = chance(950) ? ops[rnd(sizeof ops / sizeof ops[0])] : (uint32_t)rnd64();
  uint64_t size = op == ZX_VMO_OP_COMMIT || op == ZX_VMO_OP_ALWAYS_NEED
                      ? pick_work_size(vsize, WORK_CAP, 2)
                      : pick_size(vsize);
  uint64_t offset = pick_offset(vsize, size);
  uint64_t buffer_size = chance(700) ? sizeof(zx_vmo_lock_state_t) : pick_size(32);
  ptr_t buf = out_ptr(buffer_size < 64 ? buffer_size : 64, obj_of(&h), true);
  CALL(SC_VMO_OP_RANGE, h.h, op, offset, size, buf.p, buffer_size);
  zx_status_t st = zx_vmo_op_range(h.h, op, offset, size, (void*)(uintptr_t)buf.p, buffer_size);
  call_end(st, h.live);
  if (st == ZX_OK && op == ZX_VMO_OP_LOCK &&
      (buffer_size < sizeof(zx_vmo_lock_state_t) || buf.validity == PV_INVALID)) {
    violation(V_OUTPUT, "ZX_VMO_OP_LOCK said OK without a writable zx_vmo_lock_state_t");
  }
}

static void op_vmo_create_child(void) {
  harg_t h = pick_handle_with(K_VMO, false, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ);
  uint64_t vsize = vmo_size_of(&h);
  uint32_t options = pick_child_options();
  uint64_t size = chance(600) ? pick_work_size(vsize, 16 * FUZZ_PAGE, 0) : pick_size(vsize);
  uint64_t offset = pick_offset(vsize, size);
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_VMO_CREATE_CHILD, h.h, options, offset, size, out.p);
  zx_status_t st = zx_vmo_create_child(h.h, options, offset, size, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, h.live);
  if (st != ZX_OK) {
    return;
  }
  if (out.validity == PV_INVALID) {
    violation(V_OUTPUT, "zx_vmo_create_child said OK, but out is not writable");
    return;
  }
  if (h.slot < 0) {
    return;  // (call_end reported it)
  }
  int s = adopt(load_u32(out.p), K_VMO, S_OWNED, child_rights(slots[h.slot].rights, options), -1);
  if (s >= 0) {
    objs[slots[s].obj].size = round_page(size);
    objs[slots[s].obj].resizable = (options & ZX_VMO_CHILD_RESIZABLE) != 0;
  }
}

static void op_vmo_set_cache_policy(void) {
  harg_t h = pick_handle(K_VMO, false);
  uint32_t policy = chance(900) ? (uint32_t)rnd(5) : (uint32_t)rnd64();
  CALL(SC_VMO_SET_CACHE_POLICY, h.h, policy);
  zx_status_t st = zx_vmo_set_cache_policy(h.h, policy);
  call_end(st, (policy & ~ZX_CACHE_POLICY_MASK) ? -1 : h.live);
}

static void op_vmo_replace_as_executable(void) {
  harg_t h = pick_handle(K_VMO, true);
  const zrk_startup_t* s0 = zrk_startup();
  zx_handle_t vmex;
  uint64_t r = rnd(100);
  if (r < 60) {
    vmex = s0->vmex_resource;
  } else if (r < 75) {
    vmex = ZX_HANDLE_INVALID;
  } else if (r < 85) {
    vmex = s0->info_resource;
  } else {
    vmex = pick_handle(K_NONE, false).h;
  }
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_VMO_REPLACE_AS_EXECUTABLE, h.h, vmex, out.p);
  zx_status_t st = zx_vmo_replace_as_executable(h.h, vmex, (zx_handle_t*)(uintptr_t)out.p);
  // BAD_HANDLE is also the answer for a handle that is not a VMO, or a bad vmex.
  bool vmex_ok = vmex == ZX_HANDLE_INVALID || vmex == s0->vmex_resource;
  bool is_vmo = h.slot >= 0 && slots[h.slot].kind == K_VMO;
  call_end(st, h.live == 0 ? 0 : (is_vmo && vmex_ok) ? h.live : -1);
  if (h.slot < 0) {
    return;
  }
  slot_t src = slots[h.slot];
  if (st == ZX_OK) {
    if (out.validity == PV_INVALID) {
      violation(V_OUTPUT, "zx_vmo_replace_as_executable said OK, but out is not writable");
    } else if (out.validity == PV_VALID) {
      zx_rights_t want = src.kind == K_VMO ? src.rights | ZX_RIGHT_EXECUTE : ANY_RIGHTS;
      adopt(load_u32(out.p), K_VMO, src.flags, want, src.obj);
    }
  }
  // Consumed whatever happened after its lookup (digest 3.0: release_handle).
  int s = slot_of(src.h);
  if (s >= 0) {
    drop_slot(s);
  }
}

// --- VMARs ------------------------------------------------------------------------------------

// A VMAR handle argument, made safe: a handle to the root VMAR keeps its calls away from
// what the fuzzer runs on (the caller checks ranges), and never reaches zx_vmar_destroy.
static harg_t pick_vmar(bool destroy, zx_rights_t rights) {
  harg_t h = pick_handle_with(K_VMAR, false, rights);
  if (destroy && h.slot >= 0 && (slots[h.slot].flags & S_NODESTROY)) {
    h = classify_handle(ZX_HANDLE_INVALID);
  }
  return h;
}

static bool is_root(const harg_t* h) { return h->slot >= 0 && (slots[h->slot].flags & S_ROOT); }

static void vmar_extent(const harg_t* h, uint64_t* base, uint64_t* len) {
  int o = obj_of(h);
  if (o >= 0 && objs[o].kind == K_VMAR) {
    *base = objs[o].base;
    *len = objs[o].size;
  } else {
    *base = mem.arena_base;
    *len = ARENA_SIZE;
  }
}

// An address range for unmap/protect: a mapping the run made, a piece of the VMAR, an
// edge or hostile address. Through the root VMAR only ranges clear of the fuzzer's own.
static void pick_range(const harg_t* h, uint64_t* addr, uint64_t* len) {
  uint64_t base, vlen;
  vmar_extent(h, &base, &vlen);
  uint64_t r = rnd(100);
  const mapping_t* m = NULL;
  if (r < 45 && (m = chance(800) ? mapping_within(base, vlen) : random_mapping(-1)) != NULL) {
    *addr = m->addr + (chance(300) ? FUZZ_PAGE * rnd(m->len / FUZZ_PAGE + 1) : 0);
    *len = chance(500) ? m->len : pick_size(m->len);
  } else if (r < 70) {
    *addr = base + FUZZ_PAGE * rnd(vlen / FUZZ_PAGE + 1);
    *len = chance(500) ? FUZZ_PAGE * (1 + rnd(64)) : pick_size(vlen);
  } else if (r < 85) {
    *addr = hostile_ptr(FUZZ_PAGE, false);
    *len = pick_size(FUZZ_PAGE);
  } else {
    *addr = base + pick_size(vlen);
    *len = pick_size(vlen);
  }
  if (chance(50)) {
    *addr += 1 + rnd(FUZZ_PAGE - 1);  // unaligned
  }
  if (is_root(h) && !root_range_ok(*addr, *len)) {
    if (nroot_maps > 0 && chance(700)) {
      const range_t* m = &root_maps[rnd((uint64_t)nroot_maps)];
      *addr = m->start;
      *len = m->end - m->start;
    } else {
      *addr = 0xffff000000000000ull;
    }
  }
}

// Calls through a root-VMAR handle hold fuzz_root_lock (see fuzz_model.h).
static void root_lock(bool root) {
  if (root) {
    mtx_lock(&fuzz_root_lock);
  }
}
static void root_unlock(bool root) {
  if (root) {
    mtx_unlock(&fuzz_root_lock);
  }
}

// With threads: a thread's root records stay out of bounds for the others until its
// epoch ends, even after it unmapped them itself. The kernel may place another thread's
// new mapping or sub-VMAR in such a range; that placement is undone at once (counted),
// or the first thread's clean-up would unmap it.
static uint64_t root_placements_undone;  // (shared)
static void undo_root_placement(zx_status_t st) {
  __atomic_fetch_add(&root_placements_undone, 1, __ATOMIC_RELAXED);
  if (st != ZX_OK) {
    violation(V_CLEANUP, "undoing a root placement on another thread's range said %s",
              zx_status_get_string(st));
  }
}

static void op_vmar_map(void) {
  harg_t v = pick_vmar(false, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  harg_t vmo = pick_handle_with(K_VMO, false, ZX_RIGHT_MAP | ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  if (is_root(&v) && nroot_maps == FUZZ_ROOT_RECORDS) {
    v = classify_handle(mem.arena);  // the root's record is full until the epoch ends
  }
  bool root = is_root(&v);
  root_lock(root);
  uint64_t base, vlen;
  vmar_extent(&v, &base, &vlen);
  uint64_t vsize = vmo_size_of(&vmo);
  uint32_t options = pick_map_options();
  uint64_t len = pick_work_size(vsize, 4 * WORK_CAP, 2);
  uint64_t vmar_offset = 0;
  if (options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT)) {
    vmar_offset = chance(750) ? FUZZ_PAGE * rnd(vlen / FUZZ_PAGE + 1) : pick_size(vlen);
  } else if (chance(50)) {
    vmar_offset = pick_size(vlen);
  }
  uint64_t vmo_offset = chance(500)   ? 0
                        : chance(600) ? FUZZ_PAGE * rnd(vsize / FUZZ_PAGE + 1)
                                      : pick_size(vsize);
  if (is_root(&v) && (options & ZX_VM_SPECIFIC_OVERWRITE)) {
    uint64_t at = vmar_offset > UINT64_MAX - base ? UINT64_MAX : base + vmar_offset;
    if (!root_range_ok(at, len)) {
      options = (options & ~ZX_VM_SPECIFIC_OVERWRITE) | ZX_VM_SPECIFIC;
    }
  }
  ptr_t out = out_ptr(8, -1, false);
  clear_out(&out, 8);
  CALL(SC_VMAR_MAP, v.h, options, vmar_offset, vmo.h, vmo_offset, len, out.p);
  zx_status_t st =
      zx_vmar_map(v.h, options, vmar_offset, vmo.h, vmo_offset, len, (zx_vaddr_t*)(uintptr_t)out.p);
  // The VMAR is looked up first: it alone decides unless it is live and right.
  bool vmar_ok = v.slot >= 0 && slots[v.slot].kind == K_VMAR;
  call_end(st, v.live == 0 ? 0 : vmar_ok && vmo.live >= 0 ? vmo.live : -1);
  if (st != ZX_OK) {
    root_unlock(root);
    return;
  }
  if (out.validity == PV_INVALID) {
    violation(V_OUTPUT, "zx_vmar_map said OK, but mapped_addr is not writable");
    root_unlock(root);
    return;
  }
  uint64_t addr = load_u64(out.p);
  uint64_t mapped_len = round_page(len);
  if (addr == 0 || addr % FUZZ_PAGE != 0 || addr < base || addr - base > vlen ||
      mapped_len > vlen - (addr - base)) {
    violation(V_OUTPUT,
              "zx_vmar_map put %#" PRIx64 " bytes at %#" PRIx64 ", outside the VMAR [%#" PRIx64
              ", +%#" PRIx64 ")",
              mapped_len, addr, base, vlen);
  }
  if (root && overlaps_other_threads_root_records(addr, addr + mapped_len)) {
    // Placed where another thread had something it has unmapped since, but still
    // records, and will unmap at the end of its epoch: give the range back at once.
    undo_root_placement(zx_vmar_unmap(zx_vmar_root_self(), addr, mapped_len));
    root_unlock(root);
    return;
  }
  if (v.slot < 0 || !(slots[v.slot].flags & S_FOREIGN)) {
    record_mapping(addr, mapped_len, obj_of(&vmo), is_root(&v));  // (not another process's)
  }
  if (is_root(&v) && nroot_maps < FUZZ_ROOT_RECORDS) {
    root_maps[nroot_maps] = (range_t){addr, addr + mapped_len};
    __atomic_store_n(&nroot_maps, nroot_maps + 1, __ATOMIC_RELEASE);
  }
  root_unlock(root);
}

static void op_vmar_unmap(void) {
  harg_t v = pick_vmar(false, ZX_RIGHT_OP_CHILDREN);
  bool root = is_root(&v);
  root_lock(root);
  uint64_t addr, len;
  pick_range(&v, &addr, &len);
  CALL(SC_VMAR_UNMAP, v.h, addr, len);
  call_end(zx_vmar_unmap(v.h, addr, len), v.live);
  root_unlock(root);
}

static void op_vmar_protect(void) {
  harg_t v = pick_vmar(false, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  bool root = is_root(&v);
  root_lock(root);
  uint64_t addr, len;
  pick_range(&v, &addr, &len);
  uint32_t options = pick_protect_options();
  CALL(SC_VMAR_PROTECT, v.h, options, addr, len);
  call_end(zx_vmar_protect(v.h, options, addr, len), v.live);
  root_unlock(root);
}

static void op_vmar_allocate(void) {
  harg_t v = pick_vmar(false, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  if (is_root(&v) && (nroot_vmars == FUZZ_ROOT_RECORDS || nprivate == FUZZ_MAX_PRIVATE)) {
    v = classify_handle(mem.arena);
  }
  uint64_t base, vlen;
  vmar_extent(&v, &base, &vlen);
  uint32_t options = pick_allocate_options();
  uint64_t size = chance(600) ? FUZZ_PAGE * (1 + rnd(256)) : pick_size(vlen);
  uint64_t offset = 0;
  if (options & (ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT)) {
    offset = chance(750) ? FUZZ_PAGE * rnd(vlen / FUZZ_PAGE + 1) : pick_size(vlen);
  } else if (chance(50)) {
    offset = pick_size(vlen);
  }
  ptr_t out_vmar = out_ptr(4, -1, false);
  ptr_t out_addr = out_ptr(8, -1, false);
  if (out_vmar.validity == PV_VALID && out_addr.validity == PV_VALID &&
      ranges_overlap(out_vmar.p, out_vmar.p + 4, out_addr.p, out_addr.p + 8)) {
    out_addr.p = out_vmar.p >= (uintptr_t)mem.scratch + 8 ? out_vmar.p - 8 : out_vmar.p + 4;
  }
  clear_out(&out_vmar, 4);
  clear_out(&out_addr, 8);
  bool root = is_root(&v);
  root_lock(root);
  CALL(SC_VMAR_ALLOCATE, v.h, options, offset, size, out_vmar.p, out_addr.p);
  zx_status_t st = zx_vmar_allocate(v.h, options, offset, size, (zx_handle_t*)(uintptr_t)out_vmar.p,
                                    (zx_vaddr_t*)(uintptr_t)out_addr.p);
  call_end(st, v.live);
  if (st != ZX_OK) {
    root_unlock(root);
    return;
  }
  if (out_vmar.validity == PV_INVALID || out_addr.validity == PV_INVALID) {
    violation(V_OUTPUT, "zx_vmar_allocate said OK, but child_vmar or child_addr is not writable");
    root_unlock(root);
    return;
  }
  uint64_t addr = load_u64(out_addr.p);
  uint64_t alloc_len = round_page(size);
  if (addr == 0 || addr % FUZZ_PAGE != 0 || addr < base || addr - base > vlen ||
      alloc_len > vlen - (addr - base)) {
    violation(V_OUTPUT,
              "zx_vmar_allocate put %#" PRIx64 " bytes at %#" PRIx64
              ", outside the parent [%#" PRIx64 ", +%#" PRIx64 ")",
              alloc_len, addr, base, vlen);
  }
  zx_handle_t child = load_u32(out_vmar.p);
  int s = adopt(child, K_VMAR, S_OWNED | (v.slot >= 0 ? slots[v.slot].flags & S_FOREIGN : 0), ANY_RIGHTS, -1);
  if (s >= 0) {
    objs[slots[s].obj].base = addr;
    objs[slots[s].obj].size = alloc_len;
  }
  if (root && is_live(child) && overlaps_other_threads_root_records(addr, addr + alloc_len)) {
    // As in op_vmar_map: the handle stays in the pool, naming a destroyed VMAR.
    undo_root_placement(zx_vmar_destroy(child));
    root_unlock(root);
    return;
  }
  if (is_root(&v) && is_live(child)) {
    // Kept privately, so the end of the epoch can destroy it whatever the run did.
    zx_handle_t keeper = ZX_HANDLE_INVALID;
    zx_status_t dup = zx_handle_duplicate(child, ZX_RIGHT_SAME_RIGHTS, &keeper);
    if (dup != ZX_OK) {
      violation(V_HANDLES, "duplicating a new sub-VMAR of the root said %s",
                zx_status_get_string(dup));
    } else {
      add_private(keeper);
      root_vmars[nroot_vmars].range = (range_t){addr, addr + alloc_len};
      root_vmars[nroot_vmars].keeper = keeper;
      __atomic_store_n(&nroot_vmars, nroot_vmars + 1, __ATOMIC_RELEASE);
    }
  }
  root_unlock(root);
}

static void op_vmar_destroy(void) {
  harg_t v = pick_vmar(true, ZX_RIGHT_OP_CHILDREN);
  CALL(SC_VMAR_DESTROY, v.h);
  call_end(zx_vmar_destroy(v.h), v.live);
}

// --- Futexes and threads (NOT_SUPPORTED until the scheduler lands) -------------------------

static void op_futex(void) {
  uint64_t p = chance(600) ? scratch_ptr(4) : hostile_ptr(4, false);
  int32_t current = classify_ptr(p, 4, false) == PV_VALID && chance(500) ? (int32_t)load_u32(p)
                                                                         : (int32_t)rnd64();
  if (chance(500)) {
    harg_t owner = pick_handle(K_THREAD, false);
    // A deadline never far ahead: a waiter that is never woken must not stall the run.
    zx_time_t deadline = chance(500) ? 0 : zx_clock_get_monotonic() + (zx_time_t)rnd(2000);
    CALL(SC_FUTEX_WAIT, p, (uint64_t)(uint32_t)current, owner.h, (uint64_t)deadline);
    call_end(zx_futex_wait((const zx_futex_t*)(uintptr_t)p, current, owner.h, deadline), -1);
  } else {
    uint32_t count = chance(500) ? (uint32_t)rnd(3) : (uint32_t)rnd64();
    CALL(SC_FUTEX_WAKE, p, count);
    call_end(zx_futex_wake((const zx_futex_t*)(uintptr_t)p, count), -1);
  }
}

static void op_thread_create(void) {
  harg_t process = pick_handle(K_PROCESS, false);
  uint64_t name_size = chance(800) ? rnd(40) : pick_size(32);
  char local[64];
  memset(local, 't', sizeof local);
  ptr_t name = in_ptr(name_size < 64 ? name_size : 64, -1, local, sizeof local);
  uint32_t options = chance(900) ? 0 : random_bit_or_word();
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_THREAD_CREATE, process.h, name.p, name_size, options, out.p);
  zx_status_t st = zx_thread_create(process.h, (const char*)(uintptr_t)name.p, name_size, options,
                                    (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, options ? -1 : process.live);
  if (st == ZX_OK && out.validity == PV_VALID) {
    int s = adopt(load_u32(out.p), K_THREAD, S_OWNED, ANY_RIGHTS, -1);
    int po = obj_of(&process);
    if (s >= 0 && po >= 0 && objs[po].kind == K_PROCESS) {
      objs[slots[s].obj].parent = po;  // (a thread of the fuzzer itself, or of a child)
      objs[slots[s].obj].exact = !(slots[process.slot].flags & S_SELF);
    }
  }
}

#include "fuzz_ipc.h"

// --- The fuzzer's own upkeep ----------------------------------------------------------------

// Decommits the lazy pages, so the kernel's next copies into them fault them in.
static void op_decommit_lazy(void) {
  zx_status_t st =
      zx_vmo_op_range(mem.lazy_vmo, ZX_VMO_OP_DECOMMIT, 0, LAZY_PAGES * FUZZ_PAGE, NULL, 0);
  if (st != ZX_OK) {
    violation(V_CLEANUP, "decommitting the lazy pages said %s", zx_status_get_string(st));
  }
}

// --- The loop ---------------------------------------------------------------------------------

typedef struct {
  void (*fn)(void);
  unsigned weight;
} op_t;

static void op_vmo_read(void) { op_vmo_read_write(false); }
static void op_vmo_write(void) { op_vmo_read_write(true); }

static const op_t ops_table[] = {
    {op_handle_close, 40},
    {op_handle_close_many, 10},
    {op_handle_duplicate, 40},
    {op_handle_replace, 20},
    {op_object_get_info, 50},
    {op_object_get_property, 20},
    {op_object_set_property, 20},
    {op_object_wait_one, 12},
    {op_nanosleep, 4},
    {op_debug_write, 3},
    {op_vmo_create, 45},
    {op_vmo_read, 70},
    {op_vmo_write, 70},
    {op_vmo_get_size, 15},
    {op_vmo_set_size, 25},
    {op_vmo_op_range, 40},
    {op_vmo_create_child, 40},
    {op_vmo_set_cache_policy, 12},
    {op_vmo_replace_as_executable, 8},
    {op_vmar_map, 50},
    {op_vmar_unmap, 30},
    {op_vmar_protect, 30},
    {op_vmar_allocate, 25},
    {op_vmar_destroy, 8},
    {op_futex, 4},
    {op_thread_create, 3},
    {op_event_create, 8},
    {op_channel_create, 14},
    {op_channel_write, 30},
    {op_channel_write_etc, 14},
    {op_channel_read, 30},
    {op_channel_read_etc, 12},
    {op_channel_call, 6},
    {op_channel_call_etc, 3},
    {op_port_create, 6},
    {op_port_queue, 12},
    {op_port_wait, 12},
    {op_port_cancel, 6},
    {op_object_wait_async, 14},
    {op_job_create, 5},
    {op_process_create, 7},
    {op_process_start, 12},
    {op_task_kill, 5},
    {op_process_read_memory, 6},
    {op_process_write_memory, 2},
    {op_object_get_child, 6},
    {op_job_set_policy, 4},
    {op_minip_command, 30},
};

static bool creates_handle(void (*fn)(void)) {
  return fn == op_handle_duplicate || fn == op_vmo_create || fn == op_vmo_create_child ||
         fn == op_vmar_allocate || fn == op_thread_create || fn == op_event_create ||
         fn == op_channel_create || fn == op_port_create || fn == op_job_create ||
         fn == op_process_create || fn == op_object_get_child || fn == op_process_start ||
         fn == op_minip_command;
}

// Puts a handle to this thread's base job back in the pool (from the private one) when
// the pool has none: the process and job calls need a job to work in.
static void restock_base_job(void) {
  for (int k = 0; k < nslots; k++) {
    if (slots[k].obj == base_obj) {
      return;
    }
  }
  zx_handle_t dup = ZX_HANDLE_INVALID;
  if (base_obj >= 0 && zx_handle_duplicate(base_job, ZX_RIGHT_SAME_RIGHTS, &dup) == ZX_OK) {
    int s = add_slot(dup, K_JOB, S_OWNED, ZX_DEFAULT_JOB_RIGHTS, base_obj);
    if (s < 0) {
      zx_handle_close(dup);
    }
  }
}

static void run_one(void) {
  static FUZZ_TLS unsigned total;
  if (total == 0) {
    for (size_t i = 0; i < sizeof ops_table / sizeof ops_table[0]; i++) {
      total += ops_table[i].weight;
    }
  }
  if (chance(5)) {
    op_decommit_lazy();
  }
  uint64_t r = rnd(total);
  size_t i = 0;
  while (r >= ops_table[i].weight) {
    r -= ops_table[i++].weight;
  }
  void (*fn)(void) = ops_table[i].fn;
  // Keep the pool stocked: a few VMOs and sub-VMARs to work on, channels, a port, a
  // child or two, room for more.
  int vmos = 0, vmars = 0, channels = 0, ports = 0, procs = 0;
  for (int k = 0; k < nslots; k++) {
    vmos += slots[k].kind == K_VMO;
    vmars += slots[k].kind == K_VMAR && (slots[k].flags & S_OWNED);
    channels += slots[k].kind == K_CHANNEL;
    ports += slots[k].kind == K_PORT;
    procs += slots[k].kind == K_PROCESS && !(slots[k].flags & S_SELF);
  }
  if (base_obj >= 0 && chance(50)) {
    restock_base_job();
  }
  if (vmos < 4 && chance(500)) {
    fn = op_vmo_create;
  } else if (vmars < 2 && chance(200)) {
    fn = op_vmar_allocate;
  } else if (channels < 2 && chance(200)) {
    fn = op_channel_create;
  } else if (ports < 1 && chance(100)) {
    fn = op_port_create;
  } else if (procs < 1 && chance(30)) {
    fn = op_process_create;
  } else if (chance(40)) {
    int need = child_stock();  // a mini-process to command, and one to start
    fn = need == 1 ? op_process_create : need == 2 ? op_process_start : fn;
  }
  if (creates_handle(fn) && owned_count() + msg_handle_count() >= FUZZ_MAX_OWNED) {
    fn = chance(500) ? op_channel_read : op_handle_close;  // the pool is full: make room first
  }
  fn();
}

// --- Setup, epochs, and the leak check --------------------------------------------------------

static FUZZ_TLS bool setup_ok = true;

static void must(zx_status_t st, const char* what) {
  if (st != ZX_OK) {
    say("# setup: %s failed: %s\n", what, zx_status_get_string(st));
    setup_ok = false;
  }
}

static int adopt_startup(zx_handle_t h, uint8_t flags, uint64_t base, uint64_t len) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof info);
  if (h == ZX_HANDLE_INVALID ||
      zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL) != ZX_OK) {
    return -1;
  }
  int s = add_slot(h, kind_of_type(info.type), flags, info.rights, -1);
  if (s >= 0) {
    objs[slots[s].obj].base = base;
    objs[slots[s].obj].size = len;
    objs[slots[s].obj].koid = info.koid;
  }
  return s;
}

// This thread's base job: a child of the fuzzer's own job that holds every process and
// job the thread makes, killed (and made anew) at the end of every epoch. Its private
// handle counts among the model's handles to it.
static bool make_base_job(void) {
  if (zx_job_create(zx_job_default(), 0, &base_job) != ZX_OK) {
    base_obj = -1;
    return false;
  }
  add_private(base_job);
  if (base_height < 0 && fuzz_thread == 0) {
    // How many levels of jobs it allows below it (the kernel's limit), once.
    zx_handle_t chain[40];
    int n = 0;
    zx_handle_t parent = base_job;
    while (n < 40 && zx_job_create(parent, 0, &chain[n]) == ZX_OK) {
      parent = chain[n++];
    }
    for (int i = n - 1; i >= 0; i--) {
      zx_handle_close(chain[i]);
    }
    __atomic_store_n(&base_height, n, __ATOMIC_RELEASE);
  }
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof info);
  zx_object_get_info(base_job, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL);
  base_obj = new_obj(K_JOB);
  if (base_obj >= 0) {
    objs[base_obj].refs = 1;  // the private handle
    objs[base_obj].koid = info.koid;
    objs[base_obj].exact = true;
    objs[base_obj].height = __atomic_load_n(&base_height, __ATOMIC_ACQUIRE);
  }
  restock_base_job();
  return true;
}

// Ends the base job and everything in it (every child the thread made, started or not,
// with whatever handles they hold), and waits for it: a kill that never finishes is a
// kernel hang.
static void end_base_job(void) {
  // Base jobs killed during the epoch must be TERMINATED too, everything in them dead.
  for (int i = 0; i < nretired; i++) {
    zx_signals_t seen = 0;
    zx_status_t st = zx_object_wait_one(retired_jobs[i], ZX_JOB_TERMINATED,
                                        zx_deadline_after(ZX_SEC(10)), &seen);
    if (st != ZX_OK) {
      violation(V_CLEANUP, "a base job killed during the epoch was not TERMINATED after 10 s "
                "(%s, signals %#x)", zx_status_get_string(st), seen);
    }
    zx_handle_close(retired_jobs[i]);
    remove_private(retired_jobs[i]);
    objs[retired_objs[i]].refs--;
    obj_release(retired_objs[i]);
  }
  nretired = 0;
  if (base_obj < 0) {
    return;
  }
  zx_status_t st = zx_task_kill(base_job);
  if (st != ZX_OK) {
    violation(V_CLEANUP, "killing the base job said %s", zx_status_get_string(st));
  }
  zx_signals_t seen = 0;
  st = zx_object_wait_one(base_job, ZX_JOB_TERMINATED, zx_deadline_after(ZX_SEC(10)), &seen);
  if (st != ZX_OK) {
    violation(V_CLEANUP, "the killed base job was not TERMINATED after 10 s (%s, signals %#x)",
              zx_status_get_string(st), seen);
  }
}

static void setup(void) {
  const zrk_startup_t* s = zrk_startup();
  map_test_setup();  // faults in the image and stack now, not during the run
  zx_handle_t root = zx_vmar_root_self();
  zx_info_vmar_t root_vmar = root_info();
  mem.root_base = root_vmar.base;
  mem.root_end = root_vmar.base + root_vmar.len;

  must(zx_vmar_allocate(root, CAN_RW_SPECIFIC, 0, FIXED_PAGES * FUZZ_PAGE, &mem.fixed_vmar,
                        &mem.fixed_base),
       "the fixed VMAR");
  must(zx_vmo_create(LAZY_PAGES * FUZZ_PAGE, 0, &mem.lazy_vmo), "the lazy VMO");
  must(zx_vmar_map(mem.fixed_vmar, PERM_RW | ZX_VM_SPECIFIC, 0, mem.lazy_vmo, 0,
                   LAZY_PAGES * FUZZ_PAGE, &mem.lazy),
       "mapping it");
  must(zx_vmo_create(FUZZ_PAGE, 0, &mem.ro_vmo), "the read-only VMO");
  must(zx_vmo_op_range(mem.ro_vmo, ZX_VMO_OP_COMMIT, 0, FUZZ_PAGE, NULL, 0), "committing it");
  must(zx_vmar_map(mem.fixed_vmar, PERM_R | ZX_VM_SPECIFIC, LAZY_PAGES * FUZZ_PAGE, mem.ro_vmo, 0,
                   FUZZ_PAGE, &mem.ro),
       "mapping it");
  must(zx_vmo_create(SCRATCH_PAGES * FUZZ_PAGE, 0, &mem.scratch_vmo), "the scratch VMO");
  must(zx_vmo_op_range(mem.scratch_vmo, ZX_VMO_OP_COMMIT, 0, SCRATCH_PAGES * FUZZ_PAGE, NULL, 0),
       "committing it");
  zx_vaddr_t scratch = 0;
  must(zx_vmar_map(mem.fixed_vmar, PERM_RW | ZX_VM_SPECIFIC, (LAZY_PAGES + 1) * FUZZ_PAGE,
                   mem.scratch_vmo, 0, SCRATCH_PAGES * FUZZ_PAGE, &scratch),
       "mapping it");
  mem.scratch = (uint8_t*)scratch;
  mem.scratch_end = scratch + SCRATCH_PAGES * FUZZ_PAGE;
  if (setup_ok) {
    // Touched now, so its page tables exist before memory can run out: a copy into
    // scratch never needs memory.
    memset(mem.scratch, 0, SCRATCH_PAGES * FUZZ_PAGE);
  }
  must(
      zx_vmar_allocate(mem.fixed_vmar, ZX_VM_SPECIFIC, (LAZY_PAGES + 1 + SCRATCH_PAGES) * FUZZ_PAGE,
                       HOLE_PAGES * FUZZ_PAGE, &mem.hole_vmar, &mem.hole),
      "the hole");
  must(zx_vmar_allocate(root, CAN_RWX | ZX_VM_CAN_MAP_SPECIFIC, 0, ARENA_SIZE, &mem.arena,
                        &mem.arena_base),
       "the arena");
  if (!setup_ok) {
    return;
  }
  add_private(mem.fixed_vmar);
  add_private(mem.lazy_vmo);
  add_private(mem.ro_vmo);
  add_private(mem.scratch_vmo);
  add_private(mem.hole_vmar);
  add_private(probe_vmo());

  uintptr_t block_page = (uintptr_t)s & ~(uintptr_t)(FUZZ_PAGE - 1);
  uintptr_t stack_low = s->stack_base - 16 * FUZZ_PAGE;  // the loader's guard is below it
  uintptr_t stack_high = s->stack_base + s->stack_size;
  uintptr_t low = stack_low < block_page ? stack_low : block_page;
  uintptr_t high = stack_high > block_page + FUZZ_PAGE ? stack_high : block_page + FUZZ_PAGE;
  mtx_lock(&fuzz_root_lock);
  if (fuzz_thread == 0) {
    protected_ranges[nprotected++] =
        (range_t){(uintptr_t)__zrk_image_start, (uintptr_t)__zrk_image_end};
    protected_ranges[nprotected++] = (range_t){low, high};
  }
  protected_ranges[nprotected++] =
      (range_t){mem.fixed_base, mem.fixed_base + FIXED_PAGES * FUZZ_PAGE};
  protected_ranges[nprotected++] = (range_t){mem.arena_base, mem.arena_base + ARENA_SIZE};
  if (mem.thread_stack.end != 0) {
    protected_ranges[nprotected++] = mem.thread_stack;
  }
  mtx_unlock(&fuzz_root_lock);
  mem.stack_guard = s->stack_base - FUZZ_PAGE;

  // The handles the process started with join the pool, but the run never closes them.
  adopt_startup(root, S_ROOT | S_NODESTROY, mem.root_base, root_vmar.len);
  adopt_startup(mem.arena, S_NODESTROY, mem.arena_base, ARENA_SIZE);
  int self = adopt_startup(s->process, S_SELF, 0, 0);
  if (self >= 0) {
    objs[slots[self].obj].pstate = P_RUNNING;
    self_koid = objs[slots[self].obj].koid;
  }
  adopt_startup(s->thread, 0, 0, 0);
  adopt_startup(s->vmex_resource, 0, 0, 0);
  adopt_startup(s->info_resource, 0, 0, 0);
  model_reset_messages();
  if (!make_base_job()) {
    say("# setup: the base job could not be made\n");
    setup_ok = false;
  }
}

// Takes away everything the epoch made: the arena's contents, the sub-VMARs and
// mappings placed in the root VMAR, every handle the run owns, the lazy pages' contents.
// Failures are violations.
static void end_epoch(void) {
  zx_time_t t0 = zx_clock_get_monotonic();
  end_base_job();
  zx_status_t st = zx_vmar_unmap(mem.arena, mem.arena_base, ARENA_SIZE);
  zx_time_t t_arena = zx_clock_get_monotonic();
  if (st != ZX_OK) {
    violation(V_CLEANUP, "emptying the arena said %s", zx_status_get_string(st));
  }
  mtx_lock(&fuzz_root_lock);
  for (int i = 0; i < nroot_vmars; i++) {
    st = zx_vmar_destroy(root_vmars[i].keeper);
    if (st != ZX_OK && st != ZX_ERR_BAD_STATE) {
      violation(V_CLEANUP, "destroying a sub-VMAR of the root said %s", zx_status_get_string(st));
    }
    st = zx_handle_close(root_vmars[i].keeper);
    if (st != ZX_OK) {
      violation(V_CLEANUP, "closing a kept sub-VMAR handle said %s", zx_status_get_string(st));
    }
    remove_private(root_vmars[i].keeper);
  }
  nroot_vmars = 0;
  zx_time_t t_vmars = zx_clock_get_monotonic();
  for (int i = 0; i < nroot_maps; i++) {
    zx_time_t t = zx_clock_get_monotonic();
    st = zx_vmar_unmap(zx_vmar_root_self(), root_maps[i].start,
                       root_maps[i].end - root_maps[i].start);
    t = zx_clock_get_monotonic() - t;
    if (t > 500000000) {
      say("# fuzz: unmapping %#" PRIxPTR " bytes at %#" PRIxPTR " from the root took %lld ms\n",
          root_maps[i].end - root_maps[i].start, root_maps[i].start, (long long)(t / 1000000));
    }
    if (st != ZX_OK) {
      violation(V_CLEANUP, "unmapping [%#" PRIxPTR ", %#" PRIxPTR ") from the root said %s",
                root_maps[i].start, root_maps[i].end, zx_status_get_string(st));
    }
  }
  nroot_maps = 0;
  mtx_unlock(&fuzz_root_lock);
  nmappings = 0;
  zx_time_t t_maps = zx_clock_get_monotonic();
  for (int i = nslots - 1; i >= 0; i--) {
    if (slots[i].flags & S_OWNED) {
      zx_handle_t h = slots[i].h;
      st = zx_handle_close(h);
      if (st != ZX_OK) {
        violation(V_CLEANUP, "closing handle %#x said %s", h, zx_status_get_string(st));
      }
      drop_slot(i);
    }
  }
  // The base job's own handle, and whatever the model still knew (objects whose handles
  // escaped: the killed children held them). Then a new base job for the next epoch.
  if (base_obj >= 0) {
    st = zx_handle_close(base_job);
    if (st != ZX_OK) {
      violation(V_CLEANUP, "closing the base job said %s", zx_status_get_string(st));
    }
    remove_private(base_job);
    objs[base_obj].refs--;
    obj_release(base_obj);
    base_obj = -1;
  }
  model_reset_messages();
  for (int o = 0; o < FUZZ_MAX_OBJS; o++) {
    objs[o].msg_refs = 0;
    bool startup = false;
    for (int i = 0; i < nslots; i++) {
      startup |= slots[i].obj == o;
    }
    if (objs[o].used && !startup) {
      objs[o].refs = objs[o].msg_refs = 0;
      objs[o].escaped = true;
      obj_free(o);
    }
  }
  blind_writes = port_queues = wait_asyncs = 0;
  policies_set = false;
  if (!make_base_job()) {
    violation(V_CLEANUP, "making a new base job failed");
  }
  op_decommit_lazy();  // as they were at the start
  zx_time_t t_end = zx_clock_get_monotonic();
  if (t_end - t0 > 100000000) {
    say("# fuzz: clean-up took %lld ms (arena %lld, root sub-VMARs %lld, root mappings %lld, "
        "handles %lld)\n",
        (long long)((t_end - t0) / 1000000), (long long)((t_arena - t0) / 1000000),
        (long long)((t_vmars - t_arena) / 1000000), (long long)((t_maps - t_vmars) / 1000000),
        (long long)((t_end - t_maps) / 1000000));
  }
}

static zx_info_kmem_stats_t baseline;
static uint64_t leaks;

// Live kernel objects by type (ZRK_INFO_KERNEL_OBJECTS, this kernel's own topic); false
// if the kernel does not answer it.
static bool kernel_objects(zrk_info_kernel_objects_t* out) {
  memset(out, 0, sizeof *out);
  return zx_object_get_info(zrk_startup()->info_resource, ZRK_INFO_KERNEL_OBJECTS, out, sizeof *out,
                            NULL, NULL) == ZX_OK;
}
static zrk_info_kernel_objects_t objects_baseline;
static bool have_objects;
static uint64_t object_leaks;

static void check_objects(uint64_t first, uint64_t last) {
  zrk_info_kernel_objects_t now;
  if (!have_objects || !kernel_objects(&now)) {
    return;
  }
  if (memcmp(&now, &objects_baseline, sizeof now) != 0) {
    const zrk_info_kernel_objects_t* b = &objects_baseline;
    violation(V_LEAK,
              "after iterations %" PRIu64 "..%" PRIu64
              " and clean-up, kernel objects differ from "
              "before: processes %+" PRId64 ", threads %+" PRId64 ", VMOs %+" PRId64
              ", VMARs %+" PRId64 ", resources %+" PRId64 ", handles %+" PRId64
              ", events %+" PRId64 ", timers %+" PRId64 ", ports %+" PRId64 ", jobs %+" PRId64
              ", channel ends %+" PRId64,
              first, last, (int64_t)(now.processes - b->processes),
              (int64_t)(now.threads - b->threads), (int64_t)(now.vmos - b->vmos),
              (int64_t)(now.vmars - b->vmars), (int64_t)(now.resources - b->resources),
              (int64_t)(now.handles - b->handles), (int64_t)(now.events - b->events),
              (int64_t)(now.timers - b->timers), (int64_t)(now.ports - b->ports),
              (int64_t)(now.jobs - b->jobs), (int64_t)(now.channels - b->channels));
    object_leaks++;
    objects_baseline = now;
  }
}

// Free memory outside the kernel heap (free_bytes + total_heap_bytes, as <zrk/vmo_util.h>'s
// free_bytes(): the heap keeps what its high-water marks need, which is no leak).
static uint64_t free_outside_heap(const zx_info_kmem_stats_t* k) {
  return k->free_bytes + k->total_heap_bytes;
}

static void check_memory(uint64_t first, uint64_t last) {
  // Dead children's threads are freed by their CPU's next switch, a moment after the
  // job is TERMINATED: wait (2 s at most) for the counts to come back.
  zx_time_t give_up = zx_deadline_after(ZX_SEC(2));
  for (;;) {
    zrk_info_kernel_objects_t objects;
    zx_info_kmem_stats_t k = kmem();
    bool same = free_outside_heap(&k) == free_outside_heap(&baseline) &&
                (!have_objects ||
                 (kernel_objects(&objects) &&
                  memcmp(&objects, &objects_baseline, sizeof objects) == 0));
    if (same || zx_clock_get_monotonic() > give_up) {
      break;
    }
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  check_objects(first, last);
  zx_info_kmem_stats_t now = kmem();
  if (free_outside_heap(&now) != free_outside_heap(&baseline)) {
    violation(V_LEAK,
              "after iterations %" PRIu64 "..%" PRIu64 " and clean-up, free_bytes + "
              "total_heap_bytes is %" PRIu64 " where it was %" PRIu64 " (%+" PRId64
              "; vmo_bytes %+" PRId64 ", mmu_overhead_bytes %+" PRId64 ")",
              first, last, free_outside_heap(&now), free_outside_heap(&baseline),
              (int64_t)(free_outside_heap(&now) - free_outside_heap(&baseline)),
              (int64_t)(now.vmo_bytes - baseline.vmo_bytes),
              (int64_t)(now.mmu_overhead_bytes - baseline.mmu_overhead_bytes));
    leaks++;
    baseline = now;  // report each epoch's own leak
  }
}

// --- Threads ---------------------------------------------------------------------------------

// A barrier for all FUZZ_THREADS threads (nothing with one).
static zx_futex_t barrier_count, barrier_gen;
static void barrier(void) {
  if (FUZZ_THREADS == 1) {
    return;
  }
  int gen = __atomic_load_n(&barrier_gen, __ATOMIC_ACQUIRE);
  if (__atomic_add_fetch(&barrier_count, 1, __ATOMIC_ACQ_REL) == FUZZ_THREADS) {
    __atomic_store_n(&barrier_count, 0, __ATOMIC_RELAXED);
    __atomic_fetch_add(&barrier_gen, 1, __ATOMIC_RELEASE);
    zx_futex_wake(&barrier_gen, UINT32_MAX);
    return;
  }
  while (__atomic_load_n(&barrier_gen, __ATOMIC_ACQUIRE) == gen) {
    zx_futex_wait(&barrier_gen, gen, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
}

// Threads other than the main one: their stack size, and their stack, descriptor and
// TLS, which no root-VMAR call may touch (with a margin: the runtime puts a guard page
// below the stack and the descriptor and TLS block above it, in one sub-VMAR).
#define FUZZ_THREAD_STACK (256 * 1024)
extern const char __tls_size[];

// Commits this thread's stack now (the loader does the main thread's), so that its
// growth during the run does not move free memory between two leak checks.
static void thread_memory_setup(void) {
  uintptr_t here = (uintptr_t)__builtin_frame_address(0) & ~(uintptr_t)(FUZZ_PAGE - 1);
  for (uintptr_t p = here - FUZZ_THREAD_STACK + 4 * FUZZ_PAGE; p < here; p += FUZZ_PAGE) {
    (void)probe_write(p);
  }
  uintptr_t tp = (uintptr_t)__builtin_thread_pointer();
  mem.thread_stack = (range_t){here - FUZZ_THREAD_STACK - 16 * FUZZ_PAGE,
                               tp + (uintptr_t)__tls_size + 16 * FUZZ_PAGE};
}

static uint64_t iterations_each, epoch_each;
static int setup_failures;
static zx_time_t run_t0, run_elapsed;

static zx_info_kmem_stats_t start_stats, end_stats;

// One thread's run: set up its own memory and model, then its share of the calls, with
// every epoch ending in a clean-up by each thread and, once all have cleaned up (a
// barrier), the leak checks by the main thread.
static void run_thread(uint64_t seed) {
  fuzz_current_of[fuzz_thread] = &fuzz_current;
  // Thread 0 runs the seed's own sequence (with one thread, exactly as before threads).
  rng_seed(fuzz_thread == 0 ? seed : seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)fuzz_thread));
  setup();
  if (!setup_ok) {
    __atomic_fetch_add(&setup_failures, 1, __ATOMIC_RELAXED);
  }
  publish_thread_state();
  barrier();
  if (__atomic_load_n(&setup_failures, __ATOMIC_RELAXED) != 0) {
    return;
  }
  if (fuzz_thread == 0) {
    if (FUZZ_THREADS == 1) {
      say("# fuzz: lazy pages %#" PRIxPTR ", read-only page %#" PRIxPTR ", scratch %#" PRIxPTR
          ", hole %#" PRIxPTR ", arena %#" PRIxPTR "\n",
          mem.lazy, mem.ro, (uintptr_t)mem.scratch, mem.hole, mem.arena_base);
    }
    baseline = kmem();
    start_stats = baseline;
    have_objects = kernel_objects(&objects_baseline);
    if (!have_objects) {
      say("# fuzz: the kernel does not answer ZRK_INFO_KERNEL_OBJECTS: object counts go "
          "unchecked\n");
    }
    run_t0 = zx_clock_get_monotonic();
  }
  barrier();
  uint64_t iterations = iterations_each;
  uint64_t epoch = epoch_each;
  uint64_t progress_every =
      iterations / 10 > 10000 ? 10000 : (iterations / 10 ? iterations / 10 : 1);
  uint64_t epoch_start = 0;
  for (fuzz_iteration = 0; fuzz_iteration < iterations; fuzz_iteration++) {
    run_one();
    uint64_t done = fuzz_iteration + 1;
    if (done % epoch == 0 || done == iterations) {
      fuzz_current.nargs = 0;
      fuzz_current.done = false;
      end_epoch();
      barrier();  // every thread has cleaned up: nothing of the run is left
      if (fuzz_thread == 0) {
        check_memory(epoch_start * FUZZ_THREADS, done * FUZZ_THREADS - 1);
        if (done == iterations) {
          end_stats = kmem();  // (before the threads exit and give their stacks back)
        }
        if (FUZZ_THREADS > 1) {
          zx_time_t ms = (zx_clock_get_monotonic() - run_t0) / 1000000;
          say("# fuzz: %" PRIu64 " iterations, %lld ms, %" PRIu64 " violations\n",
              done * FUZZ_THREADS, (long long)ms,
              __atomic_load_n(&fuzz_violations_total, __ATOMIC_RELAXED));
        }
      }
      barrier();
      epoch_start = done;
    }
    if (FUZZ_THREADS == 1 && done % progress_every == 0) {
      zx_time_t ms = (zx_clock_get_monotonic() - run_t0) / 1000000;
      say("# fuzz: %" PRIu64 " iterations, %lld ms, %" PRIu64 " violations\n", done, (long long)ms,
          fuzz_violations_total);
    }
  }
  if (fuzz_thread == 0) {
    run_elapsed = zx_clock_get_monotonic() - run_t0;
  }
  if (iterations == 0) {
    end_epoch();
    barrier();
    if (fuzz_thread == 0) {
      check_memory(0, 0);
    }
    barrier();
  }
  merge_counts();
}

static void* fuzz_thread_main(void* arg) {
  fuzz_thread = (int)(intptr_t)arg;
  thread_memory_setup();
  run_thread(fuzz_seed_for_report);
  return NULL;
}

int main(void) {
  uint64_t seed = FUZZ_SEED;
  uint64_t iterations = FUZZ_ITERATIONS;
  uint64_t epoch = FUZZ_EPOCH;
  fuzz_trace_from = FUZZ_TRACE_FROM;
  fuzz_seed_for_report = seed;
  // Each thread makes the same number of calls (so that all reach each epoch's end).
  iterations_each = (iterations + FUZZ_THREADS - 1) / FUZZ_THREADS;
  epoch_each = epoch / FUZZ_THREADS ? epoch / FUZZ_THREADS : 1;
  iterations = iterations_each * FUZZ_THREADS;
  if (FUZZ_THREADS == 1) {
    say("# fuzz: seed %#" PRIx64 ", %" PRIu64 " iterations, epochs of %" PRIu64 "\n", seed,
        iterations, epoch);
  } else {
    say("# fuzz: seed %#" PRIx64 ", %" PRIu64 " iterations from %d threads (%" PRIu64
        " each), epochs of %" PRIu64 " (%" PRIu64 " a thread), on %u CPUs\n",
        seed, iterations, FUZZ_THREADS, iterations_each, epoch_each * FUZZ_THREADS, epoch_each,
        zx_system_get_num_cpus());
  }
  mtx_init(&fuzz_root_lock, mtx_plain);
  map_test_setup();  // faults in the image and main stack now, not during the run
  pthread_t threads[FUZZ_THREADS];
  for (int t = 1; t < FUZZ_THREADS; t++) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, FUZZ_THREAD_STACK);
    if (pthread_create(&threads[t], &attr, fuzz_thread_main, (void*)(intptr_t)t) != 0) {
      printf("1..0 # cannot create fuzzing thread %d\n", t);
      return 1;
    }
  }
  run_thread(seed);
  for (int t = 1; t < FUZZ_THREADS; t++) {
    pthread_join(threads[t], NULL);
  }
  if (setup_failures != 0) {
    printf("1..0 # setup failed\n");
    return 1;
  }
  zx_time_t elapsed = run_elapsed;
  zx_info_kmem_stats_t start = start_stats;
  zx_info_kmem_stats_t end = iterations == 0 ? kmem() : end_stats;

  say("# fuzz: done: seed %#" PRIx64 ", %" PRIu64 " iterations in %lld ms (%" PRIu64
      " per second)\n",
      seed, iterations, (long long)(elapsed / 1000000),
      elapsed > 0 ? (uint64_t)((double)iterations * 1e9 / (double)elapsed) : 0);
  print_counts();
  say("# fuzz: free bytes (outside the heap) before %" PRIu64 ", after %" PRIu64 "\n",
      free_outside_heap(&start), free_outside_heap(&end));
  say("# fuzz: children: %" PRIu64 " started (%" PRIu64 " mini-processes), %" PRIu64
      " commands sent, %" PRIu64 " replies checked, %" PRIu64 " handles from children, %" PRIu64
      " killed mid-command, %" PRIu64 " base jobs killed\n",
      children_started, minis_started, commands_sent, replies_checked, handles_from_children,
      kills_mid_command, base_jobs_killed);
  if (FUZZ_THREADS > 1) {
    say("# fuzz: %" PRIu64 " root placements undone (they fell where another thread had been)\n",
        root_placements_undone);
  }

  plan(7);
  char name[160];
  snprintf(name, sizeof name, "every status is one the syscall documents (%" PRIu64 " not)",
           fuzz_violations[V_STATUS]);
  ok(fuzz_violations[V_STATUS] == 0, name);
  snprintf(name, sizeof name,
           "the kernel's handle table agrees with the model (%" PRIu64 " disagreements)",
           fuzz_violations[V_HANDLES]);
  ok(fuzz_violations[V_HANDLES] == 0, name);
  snprintf(name, sizeof name,
           "every status the model predicts is the one the kernel gives (%" PRIu64 " not)",
           fuzz_violations[V_MODEL]);
  ok(fuzz_violations[V_MODEL] == 0, name);
  snprintf(name, sizeof name, "outputs and claims of success hold up (%" PRIu64 " did not)",
           fuzz_violations[V_OUTPUT]);
  ok(fuzz_violations[V_OUTPUT] == 0, name);
  snprintf(name, sizeof name, "everything the run made closes and unmaps (%" PRIu64 " failures)",
           fuzz_violations[V_CLEANUP]);
  ok(fuzz_violations[V_CLEANUP] == 0, name);
  snprintf(name, sizeof name, "free memory comes back after every epoch (%" PRIu64 " leaks)",
           leaks);
  ok(leaks == 0, name);
  snprintf(name, sizeof name,
           "kernel objects by type come back after every epoch (%" PRIu64 " leaks%s)", object_leaks,
           have_objects ? "" : "; not checked: the kernel does not count them");
  ok(object_leaks == 0, name);
  int result = done_testing();
  say("# fuzz: %s (seed %#" PRIx64 ", %" PRIu64 " iterations)\n", result == 0 ? "PASS" : "FAIL",
      seed, iterations);
  return result;
}
