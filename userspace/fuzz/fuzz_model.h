// The fuzzer's model of what it holds: the seeded PRNG, its own memory (scratch pages
// the kernel may write, a read-only page, a hole nothing is ever mapped in, the arena
// where most mapping happens), the handles of the process (those the run made and may
// close, and those it must keep), the objects they name, and the mappings it made.
// Part of the fuzzer (userspace/fuzz/fuzz.c includes it; it is one translation unit).
//
// Why a model: a call on a random handle value fails at the handle check; a model of
// live handles lets most calls reach the paths behind it, and lets the fuzzer check
// the kernel's handle table against it (a handle it holds never reads BAD_HANDLE, one
// it closed never reads anything else).
//
// With --threads N (FUZZ_THREADS), each of N threads keeps a model of its own: every
// variable below marked FUZZ_TLS is per thread, so a thread's handles, objects, memory
// and mappings are its alone (the partition scripts/fuzz's help describes). What the
// threads share: the handles the process started with (never closed), the root VMAR
// (each thread's ranges there are kept clear of every other thread's, under
// fuzz_root_lock), and the kernel itself.
//
// What the fuzzer never does: touch memory through a pointer it hands the kernel
// (only the kernel touches hostile pointers), let the kernel write into its stack,
// data or start-up pages (only into the scratch pages and the run's own mappings), or
// let a random call unmap, protect or destroy memory it runs on (the root VMAR is used
// only with ranges the run mapped there, or ranges that touch nothing of its own).
#ifndef ZRK_FUZZ_MODEL_H_
#define ZRK_FUZZ_MODEL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>
#include <threads.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>

#ifndef FUZZ_THREADS
#define FUZZ_THREADS 1
#endif
#if FUZZ_THREADS < 1 || FUZZ_THREADS > 16
#error "FUZZ_THREADS must be 1 to 16"
#endif

// State of one fuzzing thread (its own model); shared state is marked as such.
#define FUZZ_TLS _Thread_local

// This thread's number, 0 (the main thread) to FUZZ_THREADS - 1.
static FUZZ_TLS int fuzz_thread;

// --- PRNG: xoshiro256** seeded through splitmix64 ----------------------------------------

static FUZZ_TLS uint64_t rng_state[4];

static uint64_t splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed) {
  for (int i = 0; i < 4; i++) {
    rng_state[i] = splitmix64(&seed);
  }
}

static uint64_t rnd64(void) {
  uint64_t* s = rng_state;
  uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

// Uniform in [0, n); n > 0.
static uint64_t rnd(uint64_t n) { return rnd64() % n; }
// True with probability per_mille / 1000.
static bool chance(unsigned per_mille) { return rnd(1000) < per_mille; }

// --- The fuzzer's own memory ----------------------------------------------------------------

#define FUZZ_PAGE ((uint64_t)4096)
#define LAZY_PAGES 2
#define SCRATCH_PAGES 4
#define HOLE_PAGES 11
#define FIXED_PAGES (LAZY_PAGES + 1 + SCRATCH_PAGES + HOLE_PAGES)
#define ARENA_SIZE ((uint64_t)1 << 30)
// The tail of the scratch pages that zx_handle_close_many reads (refilled before each
// call, and followed by the hole, so how far the kernel can read is known exactly).
#define CLOSE_ARRAY_ENTRIES 80
#define CLOSE_ARRAY_BYTES (CLOSE_ARRAY_ENTRIES * sizeof(zx_handle_t))
// The whole tail that scratch_ptr() never hands out: the close_many array, the handle
// lists channel writes read and the handle arrays channel reads write (at its very end,
// so a longer one runs into the hole), and at its start the small outputs read back
// (actual_bytes, actual_handles, call arguments). See fuzz_ipc.h.
#define TAIL_BYTES ((uint64_t)2048)
#define LIST_ROOM ((uint64_t)1536)

typedef struct {
  uintptr_t start, end;
} range_t;

static FUZZ_TLS struct {
  // The fixed VMAR: [lazy pages][read-only page][scratch pages][hole], in that order, so
  // that a buffer can run from the read-only page into scratch or from scratch into the
  // hole.
  zx_handle_t fixed_vmar;
  uintptr_t fixed_base;
  // Pages only the kernel touches, decommitted now and then, so that its copies out
  // fault them in. The fuzzer never reads or writes them itself: with memory exhausted
  // (the run gets there), its own fault on such a page would kill it.
  zx_handle_t lazy_vmo;
  uintptr_t lazy;
  zx_handle_t ro_vmo;  // one page, mapped read-only after them
  uintptr_t ro;
  zx_handle_t scratch_vmo;  // SCRATCH_PAGES pages, mapped read-write after it
  uint8_t* scratch;
  uintptr_t scratch_end;
  zx_handle_t hole_vmar;  // a sub-VMAR with no CAN_MAP rights: never mapped
  uintptr_t hole;
  // The arena: a sub-VMAR of the root where the run's sub-VMARs and most mappings live;
  // emptied (unmapped whole) at the end of every epoch.
  zx_handle_t arena;
  uintptr_t arena_base;
  // Memory of the process the run must never unmap or re-protect through the root
  // VMAR: the image, the stack (and its guard and the start-up page above it), the
  // fixed VMAR and the arena.
  uintptr_t root_base, root_end;
  uintptr_t stack_guard;  // an address in the loader's guard region below the stack
  range_t thread_stack;   // this thread's stack, descriptor and TLS (threads but the main)
} mem;

// Shared: memory of the process the run must never unmap or re-protect through the root
// VMAR: the image, the main stack (with its guard and the start-up page above it), and
// each thread's fixed VMAR, arena and (threads but the main) stack and TLS. Filled in
// while the threads set up, read-only after. Each thread's root records (below) are
// out of bounds for every other thread too.
#define FUZZ_MAX_PROTECTED (2 + 3 * FUZZ_THREADS)
static range_t protected_ranges[FUZZ_MAX_PROTECTED];
static int nprotected;

// Shared: taken around every call through a root-VMAR handle that maps, unmaps,
// protects or allocates there, with the range checks and the records of what each
// thread placed in the root, so no thread's call lands on another's.
static mtx_t fuzz_root_lock;

static bool ranges_overlap(uintptr_t a, uintptr_t a_end, uintptr_t b, uintptr_t b_end) {
  return a < b_end && b < a_end;
}

static bool overlaps_other_threads_root_records(uint64_t start, uint64_t end);

// True if [addr, addr + len), rounded out to pages the way the kernel rounds a length,
// stays clear of everything the fuzzer runs on (and of what other threads placed in the
// root VMAR), so a root-VMAR unmap or protect there cannot hurt it. Ranges outside the
// user address space are always fine (the kernel must refuse them). With threads, the
// caller holds fuzz_root_lock.
static bool root_range_ok(uint64_t addr, uint64_t len) {
  if (addr >= ZRK_USER_TOP) {
    return true;
  }
  uint64_t page_len =
      len > UINT64_MAX - (FUZZ_PAGE - 1) ? UINT64_MAX : (len + FUZZ_PAGE - 1) & ~(FUZZ_PAGE - 1);
  uint64_t start = addr & ~(FUZZ_PAGE - 1);
  uint64_t end = page_len > UINT64_MAX - start ? UINT64_MAX : start + page_len;
  for (int i = 0; i < nprotected; i++) {
    if (ranges_overlap(start, end, protected_ranges[i].start, protected_ranges[i].end)) {
      return false;
    }
  }
  return !overlaps_other_threads_root_records(start, end);
}

// --- Handles --------------------------------------------------------------------------------

enum {
  K_NONE,
  K_VMO,
  K_VMAR,
  K_PROCESS,
  K_THREAD,
  K_RESOURCE,
  K_CHANNEL,
  K_PORT,
  K_JOB,
  K_EVENT,
  K_OTHER
};

#define S_OWNED 1u      // made by the run: it may close, replace or consume it
#define S_ROOT 2u       // names the root VMAR: address ranges are checked (root_range_ok)
#define S_NODESTROY 4u  // never passed to zx_vmar_destroy (the root, the arena)
#define S_SELF 8u       // the fuzzer's own process: never killed, written or sent anywhere
#define S_FOREIGN 16u   // a VMAR of another process: its addresses are not the fuzzer's
// Flags a handle passes on to its duplicates (and through a channel, to what is read).
#define S_INHERITED (S_ROOT | S_NODESTROY | S_SELF | S_FOREIGN)

#define FUZZ_MAX_SLOTS 64
#define FUZZ_MAX_OWNED 40
#define FUZZ_MAX_OBJS 96

typedef struct {
  zx_handle_t h;
  uint8_t kind;
  uint8_t flags;
  zx_rights_t rights;
  int obj;  // index into objs
} slot_t;

// Process states the model predicts from (P_UNKNOWN: no prediction).
enum { P_UNKNOWN, P_INITIAL, P_RUNNING, P_KILLED };

// What the model knows of an object (shared by every handle to it).
typedef struct {
  bool used;
  uint8_t kind;
  int refs;        // slots naming it
  int msg_refs;    // handles to it inside messages the model tracks (msgs, below)
  uint64_t size;   // VMO: page-rounded size, as last seen; VMAR: length
  uintptr_t base;  // VMAR: base address
  bool resizable;  // VMO
  bool in_root;    // VMAR: a direct child of the root VMAR (see root_vmars)
  zx_koid_t koid;     // 0 until a handle to it was adopted
  zx_koid_t related;  // ZX_INFO_HANDLE_BASIC's related_koid (a channel's peer)
  // A handle to it may be where the model cannot see (in a child process, or in a
  // message the model does not track): no prediction may rest on its handle count.
  bool escaped;
  // Made by the fuzzer's own call and never escaped: ZX_INFO_HANDLE_COUNT must be
  // exactly refs + msg_refs.
  bool exact;
  // Channel ends.
  int peer;             // objs index of the other end, or -1
  bool peer_closed;     // the other end is known to have lost its last handle
  bool foreign_writes;  // someone the model cannot see may write to this end's queue
  int ctrl_of;          // our end of a mini-process's control channel: the process, or -1
  uint32_t sent;        // messages written toward the peer this epoch (CHANNEL_FULL_WRITE)
  // Ports: user packets queued (bounds), signal packets possible, registrations made.
  uint32_t user_min, user_max;
  bool may_signal;
  uint32_t observers;
  int nregs;
  bool regs_full;
  struct {
    zx_handle_t source;
    uint64_t key;
  } regs[8];
  // Jobs, processes, threads: the parent job (job, process) or process (thread).
  int parent;
  int height;  // job: levels of jobs still allowed below it (-1 unknown)
  bool killed;
  bool policy_set;  // job: a zx_job_set_policy call succeeded on it or an ancestor
  uint8_t pstate;   // process: P_*
  bool mini;        // process: a mini-process serving commands on its control channel
  bool desync;      // mini-process: something else read or wrote its control channel
  uint8_t transfer_kind;  // mini-process: the kind of its transferred handle (K_NONE)
  int npending;           // mini-process: commands sent whose replies are unread
  uint32_t pending[8];
  bool spin;                // process: runs forever (until killed)
  zx_handle_t vmar_keeper;  // our child process: a private handle to its root VMAR
  bool started;             // thread: started (process_start said OK)
} obj_t;

static FUZZ_TLS slot_t slots[FUZZ_MAX_SLOTS];
static FUZZ_TLS int nslots;
static FUZZ_TLS obj_t objs[FUZZ_MAX_OBJS];

// Handles the process holds that no fuzzed call may ever see: the fixed VMAR, the
// hole, the scratch and read-only VMOs, and the private handles kept to clean up.
#define FUZZ_MAX_PRIVATE 48
static FUZZ_TLS zx_handle_t private_handles[FUZZ_MAX_PRIVATE];
static FUZZ_TLS int nprivate;

// Values of handles the run closed (or gave up), newest last.
#define FUZZ_DEAD 64
static FUZZ_TLS zx_handle_t dead[FUZZ_DEAD];
static FUZZ_TLS uint64_t ndead;

static void add_private(zx_handle_t h) {
  if (h != ZX_HANDLE_INVALID && nprivate < FUZZ_MAX_PRIVATE) {
    private_handles[nprivate++] = h;
  }
}

static void remove_private(zx_handle_t h) {
  for (int i = 0; i < nprivate; i++) {
    if (private_handles[i] == h) {
      private_handles[i] = private_handles[--nprivate];
      return;
    }
  }
}

static bool is_private(zx_handle_t h) {
  for (int i = 0; i < nprivate; i++) {
    if (private_handles[i] == h) {
      return true;
    }
  }
  return false;
}

// The slot of a handle the process holds, or -1.
static int slot_of(zx_handle_t h) {
  if (h == ZX_HANDLE_INVALID) {
    return -1;
  }
  for (int i = 0; i < nslots; i++) {
    if (slots[i].h == h) {
      return i;
    }
  }
  return -1;
}

// True if the process holds this value (pool or private).
static bool is_live(zx_handle_t h) { return slot_of(h) >= 0 || is_private(h); }

static int owned_count(void) {
  int n = 0;
  for (int i = 0; i < nslots; i++) {
    n += (slots[i].flags & S_OWNED) != 0;
  }
  return n;
}

static int new_obj(uint8_t kind) {
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    if (!objs[i].used) {
      memset(&objs[i], 0, sizeof objs[i]);
      objs[i].used = true;
      objs[i].kind = kind;
      objs[i].peer = -1;
      objs[i].ctrl_of = -1;
      objs[i].parent = -1;
      objs[i].height = -1;
      return i;
    }
  }
  return -1;
}

// The object with this koid the model knows, or -1.
static int obj_by_koid(zx_koid_t koid) {
  for (int i = 0; koid != 0 && i < FUZZ_MAX_OBJS; i++) {
    if (objs[i].used && objs[i].koid == koid) {
      return i;
    }
  }
  return -1;
}

// --- Messages -------------------------------------------------------------------------------

// Messages queued at channel ends the model tracks (both ends' handles all known to
// it), oldest first by seq, with the handles they carry. A message written toward an
// end the model does not track (a child holds it, or its queue has writers the model
// cannot see) is not kept: its handles escape.
#define FUZZ_MAX_MSGS 24
#define FUZZ_MAX_MSG_HANDLES 48

typedef struct {
  bool used;
  int at;  // the end it is queued at (objs index): read through a handle to that end
  uint64_t seq;
  uint32_t nbytes;
  int nhandles;
} msg_t;

typedef struct {
  int msg;  // msgs index, -1 when free
  int obj;
  uint8_t kind;
  uint8_t flags;
  zx_rights_t rights;
} msg_handle_t;

static FUZZ_TLS msg_t msgs[FUZZ_MAX_MSGS];
static FUZZ_TLS msg_handle_t msg_handles[FUZZ_MAX_MSG_HANDLES];
static FUZZ_TLS uint64_t msg_seq;

static int msg_count(void) {
  int n = 0;
  for (int i = 0; i < FUZZ_MAX_MSGS; i++) {
    n += msgs[i].used;
  }
  return n;
}

static int msg_handle_count(void) {
  int n = 0;
  for (int i = 0; i < FUZZ_MAX_MSG_HANDLES; i++) {
    n += msg_handles[i].msg >= 0;
  }
  return n;
}

// The oldest message queued at `end`, or -1.
static int msg_head(int end) {
  int best = -1;
  for (int i = 0; i < FUZZ_MAX_MSGS; i++) {
    if (msgs[i].used && msgs[i].at == end && (best < 0 || msgs[i].seq < msgs[best].seq)) {
      best = i;
    }
  }
  return best;
}

static void obj_release(int o);
static void escape_obj(int o);

// Takes a message out of the model. Its handles are closed (`escape` false: the kernel
// destroyed it) or went where the model cannot follow them (`escape` true).
static void msg_drop(int m, bool escape) {
  msgs[m].used = false;
  for (int i = 0; i < FUZZ_MAX_MSG_HANDLES; i++) {
    if (msg_handles[i].msg == m) {
      int o = msg_handles[i].obj;
      msg_handles[i].msg = -1;
      objs[o].msg_refs--;
      if (escape) {
        escape_obj(o);
      }
      obj_release(o);
    }
  }
}

// Forgets an object no handle the model knows of names any more. If nothing escaped,
// the kernel has destroyed it: a channel end's peer sees PEER_CLOSED and the messages
// queued at it are destroyed with their handles.
static void obj_free(int o) {
  obj_t* ob = &objs[o];
  ob->used = false;
  if (ob->kind == K_CHANNEL) {
    for (int m = 0; m < FUZZ_MAX_MSGS; m++) {
      if (msgs[m].used && msgs[m].at == o) {
        msg_drop(m, ob->escaped);
      }
    }
    if (ob->peer >= 0) {
      obj_t* p = &objs[ob->peer];
      p->peer = -1;
      if (ob->escaped) {
        p->foreign_writes = true;  // still unknown whether it lives
      } else {
        p->peer_closed = true;
      }
    }
  }
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    if (objs[i].used && objs[i].parent == o) {
      objs[i].parent = -1;
    }
    if (objs[i].used && objs[i].ctrl_of == o) {
      objs[i].ctrl_of = -1;
    }
  }
  if (ob->vmar_keeper != ZX_HANDLE_INVALID) {
    zx_handle_close(ob->vmar_keeper);
    remove_private(ob->vmar_keeper);
    ob->vmar_keeper = ZX_HANDLE_INVALID;
  }
}

// True if the model knows of a job or process below job `o` (whose kill reaches it).
static bool has_model_children(int o) {
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    if (objs[i].used && objs[i].parent == o && i != o &&
        (objs[i].kind == K_JOB || objs[i].kind == K_PROCESS)) {
      return true;
    }
  }
  return false;
}

static void obj_release(int o) {
  if (!objs[o].used || objs[o].refs != 0 || objs[o].msg_refs != 0) {
    return;
  }
  // A job the fuzzer no longer holds stays in the model while anything below it does: a
  // kill of an ancestor still reaches those (and the job itself lives on with them).
  if (objs[o].kind == K_JOB && has_model_children(o)) {
    return;
  }
  int parent = objs[o].parent;
  obj_free(o);
  if (parent >= 0 && objs[parent].used && objs[parent].kind == K_JOB) {
    obj_release(parent);
  }
}

// A handle to the object went where the model cannot follow (a child process, a
// message it does not track). A channel end's queue can then be read by others (the
// messages the model kept there escape too) and its peer written by others.
static void escape_obj(int o) {
  obj_t* ob = &objs[o];
  if (!ob->used || ob->escaped) {
    return;
  }
  ob->escaped = true;
  if (ob->kind == K_CHANNEL) {
    if (ob->peer >= 0) {
      objs[ob->peer].foreign_writes = true;
    }
    for (int m = 0; m < FUZZ_MAX_MSGS; m++) {
      if (msgs[m].used && msgs[m].at == o) {
        msg_drop(m, true);
      }
    }
  }
  if (ob->kind == K_PROCESS) {
    ob->pstate = P_UNKNOWN;  // another process may kill or start it
  }
}

// True if a handle to channel end `target` can be reached from end `from` through the
// messages the model tracks (from itself, or inside a message queued at it, and so on),
// or if the way leads through an end whose queue the model does not know: writing
// `from` toward `target` could make a cycle no handle outside it keeps alive.
static bool msg_reaches(int from, int target, int depth) {
  if (from == target || objs[from].escaped) {
    return true;
  }
  if (depth > FUZZ_MAX_OBJS) {
    return true;  // (cannot happen without a cycle; refuse)
  }
  for (int i = 0; i < FUZZ_MAX_MSG_HANDLES; i++) {
    if (msg_handles[i].msg >= 0 && msgs[msg_handles[i].msg].at == from &&
        objs[msg_handles[i].obj].kind == K_CHANNEL &&
        msg_reaches(msg_handles[i].obj, target, depth + 1)) {
      return true;
    }
  }
  return false;
}

static void model_reset_messages(void) {
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < FUZZ_MAX_MSG_HANDLES; i++) {
    msg_handles[i].msg = -1;
  }
}

// Adds a handle to the pool; `obj` is shared with its other handles (or -1 for a new
// object of `kind`). Returns the slot, or -1 if the pool is full (the caller closes it).
static int add_slot(zx_handle_t h, uint8_t kind, uint8_t flags, zx_rights_t rights, int obj) {
  if (nslots == FUZZ_MAX_SLOTS) {
    return -1;
  }
  if (obj < 0) {
    obj = new_obj(kind);
    if (obj < 0) {
      return -1;
    }
  }
  objs[obj].refs++;
  slots[nslots] = (slot_t){h, kind, flags, rights, obj};
  return nslots++;
}

// Forgets a handle (closed or consumed): its value joins the dead ones. The object
// goes from the model with its last handle (obj_release).
static void drop_slot(int i) {
  int o = slots[i].obj;
  objs[o].refs--;
  dead[ndead++ % FUZZ_DEAD] = slots[i].h;
  slots[i] = slots[--nslots];
  obj_release(o);
}

// A handle that went where the model cannot follow (into a child, or into a message
// it does not track): its object escapes, then the handle is forgotten.
static void escape_slot(int i) {
  escape_obj(slots[i].obj);
  drop_slot(i);
}

// A random pool slot of `kind` (any kind for K_NONE) carrying all of `flags` and all of
// `rights`; -1 if none.
static int random_slot_with(uint8_t kind, uint8_t flags, zx_rights_t rights) {
  int candidates[FUZZ_MAX_SLOTS];
  int n = 0;
  for (int i = 0; i < nslots; i++) {
    if ((kind == K_NONE || slots[i].kind == kind) && (slots[i].flags & flags) == flags &&
        (slots[i].rights & rights) == rights) {
      candidates[n++] = i;
    }
  }
  return n == 0 ? -1 : candidates[rnd((uint64_t)n)];
}

static int random_slot(uint8_t kind, uint8_t flags) { return random_slot_with(kind, flags, 0); }

// --- Mappings -------------------------------------------------------------------------------

// Mappings the run made (successful zx_vmar_map calls, newest last). They may have been
// unmapped or changed since; they only supply addresses the kernel gets to check.
typedef struct {
  uintptr_t addr;
  uint64_t len;
  int vmo_obj;  // objs index when mapped (the object may be gone from the model)
  bool in_root;
} mapping_t;

#define FUZZ_MAPPINGS 64
static FUZZ_TLS mapping_t mappings[FUZZ_MAPPINGS];
static FUZZ_TLS uint64_t nmappings;

// Everything the run placed directly in the root VMAR, kept exactly so the end of an
// epoch can take it away: mappings (unmapped through the root) and sub-VMARs (destroyed
// through a private duplicate taken when they were made).
#define FUZZ_ROOT_RECORDS 32
static FUZZ_TLS range_t root_maps[FUZZ_ROOT_RECORDS];
static FUZZ_TLS int nroot_maps;
static FUZZ_TLS struct {
  range_t range;
  zx_handle_t keeper;  // private duplicate, for zx_vmar_destroy at the end of the epoch
} root_vmars[FUZZ_ROOT_RECORDS];
static FUZZ_TLS int nroot_vmars;

static void record_mapping(uintptr_t addr, uint64_t len, int vmo_obj, bool in_root) {
  mappings[nmappings++ % FUZZ_MAPPINGS] = (mapping_t){addr, len, vmo_obj, in_root};
}

// A recorded mapping that starts inside [base, base + len), or NULL.
static const mapping_t* mapping_within(uintptr_t base, uint64_t len) {
  uint64_t n = nmappings < FUZZ_MAPPINGS ? nmappings : FUZZ_MAPPINGS;
  uint64_t start = n ? rnd(n) : 0;
  for (uint64_t k = 0; k < n; k++) {
    const mapping_t* m = &mappings[(start + k) % n];
    if (m->addr >= base && m->addr - base < len) {
      return m;
    }
  }
  return NULL;
}

// A recorded mapping (of `vmo_obj` if that is >= 0 and one exists), or NULL.
static const mapping_t* random_mapping(int vmo_obj) {
  uint64_t n = nmappings < FUZZ_MAPPINGS ? nmappings : FUZZ_MAPPINGS;
  if (n == 0) {
    return NULL;
  }
  if (vmo_obj >= 0) {
    uint64_t start = rnd(n);
    for (uint64_t k = 0; k < n; k++) {
      const mapping_t* m = &mappings[(start + k) % n];
      if (m->vmo_obj == vmo_obj) {
        return m;
      }
    }
  }
  return &mappings[rnd(n)];
}

// --- What other threads hold ---------------------------------------------------------------

// Shared: where each thread keeps its handles and root records (addresses of its
// thread-locals, published once at set-up). Other threads read them racily, only to
// stay away: a handle value another thread holds is never forged, closed or used here,
// and a range another thread placed in the root is never unmapped or re-protected here.
static struct {
  const slot_t* slots;
  const int* nslots;
  const zx_handle_t* private_handles;
  const int* nprivate;
  const range_t* root_maps;
  const int* nroot_maps;
  const range_t* root_vmar_ranges[FUZZ_ROOT_RECORDS];
  const int* nroot_vmars;
} fuzz_threads[FUZZ_THREADS];

static void publish_thread_state(void) {
  fuzz_threads[fuzz_thread].slots = slots;
  fuzz_threads[fuzz_thread].nslots = &nslots;
  fuzz_threads[fuzz_thread].private_handles = private_handles;
  fuzz_threads[fuzz_thread].nprivate = &nprivate;
  fuzz_threads[fuzz_thread].root_maps = root_maps;
  fuzz_threads[fuzz_thread].nroot_maps = &nroot_maps;
  for (int i = 0; i < FUZZ_ROOT_RECORDS; i++) {
    fuzz_threads[fuzz_thread].root_vmar_ranges[i] = &root_vmars[i].range;
  }
  fuzz_threads[fuzz_thread].nroot_vmars = &nroot_vmars;
}

// True if another thread holds `h` (in its pool or privately).
static bool held_by_another_thread(zx_handle_t h) {
  if (FUZZ_THREADS == 1 || h == ZX_HANDLE_INVALID) {
    return false;
  }
  for (int t = 0; t < FUZZ_THREADS; t++) {
    if (t == fuzz_thread || fuzz_threads[t].slots == NULL) {
      continue;
    }
    int n = __atomic_load_n(fuzz_threads[t].nslots, __ATOMIC_RELAXED);
    for (int i = 0; i < n && i < FUZZ_MAX_SLOTS; i++) {
      if (__atomic_load_n(&fuzz_threads[t].slots[i].h, __ATOMIC_RELAXED) == h) {
        return true;
      }
    }
    n = __atomic_load_n(fuzz_threads[t].nprivate, __ATOMIC_RELAXED);
    for (int i = 0; i < n && i < FUZZ_MAX_PRIVATE; i++) {
      if (__atomic_load_n(&fuzz_threads[t].private_handles[i], __ATOMIC_RELAXED) == h) {
        return true;
      }
    }
  }
  return false;
}

// True if [start, end) touches what another thread placed in the root VMAR (the caller
// holds fuzz_root_lock, under which those records change).
static bool overlaps_other_threads_root_records(uint64_t start, uint64_t end) {
  for (int t = 0; t < FUZZ_THREADS; t++) {
    if (t == fuzz_thread || fuzz_threads[t].root_maps == NULL) {
      continue;
    }
    for (int i = 0; i < *fuzz_threads[t].nroot_maps; i++) {
      if (ranges_overlap(start, end, fuzz_threads[t].root_maps[i].start,
                         fuzz_threads[t].root_maps[i].end)) {
        return true;
      }
    }
    for (int i = 0; i < *fuzz_threads[t].nroot_vmars; i++) {
      const range_t* r = fuzz_threads[t].root_vmar_ranges[i];
      if (ranges_overlap(start, end, r->start, r->end)) {
        return true;
      }
    }
  }
  return false;
}

#endif  // ZRK_FUZZ_MODEL_H_
