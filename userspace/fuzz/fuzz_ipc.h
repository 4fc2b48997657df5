// Channels, ports, events, processes and jobs: the fuzzer's calls for issue 13 and the
// model they are checked against. Part of the fuzzer (userspace/fuzz/fuzz.c includes it
// after its own helpers; it is one translation unit).
//
// What the model predicts, beyond "documented": the status of every call from what it
// knows (handles, rights, types, options, pointers, which channel ends are open, what
// is queued where, which jobs were killed, which processes started), where it knows
// enough, and who owns each handle after a channel write, call or process_start. A
// message written between two ends the fuzzer holds is kept in the model (fuzz_model.h,
// msgs): reading it must give exactly its size and its handles, with the kinds and
// rights they were sent with. Whatever goes to a child process (a handle, a message for
// its end) "escapes": the model stops predicting what depends on it.
//
// Children: every process the fuzzer makes lives in this thread's base job (a child of
// the fuzzer's own job), which the end of every epoch kills. Children that run are
// safe: mini-processes serving commands on a control channel (<mini-process/mini-
// process.h>'s child, started here with zx_process_start so the call is fuzzed) or a
// few instructions from <zrk/child_process.h>. The fuzzer sends them commands (some
// reply with a new event or channel, some make the child trap or exit), writes handles
// into channels whose other end they hold, and kills them and their jobs, also in the
// middle of a command. It never kills, writes or sends its own process, never kills its
// own job (no handle to it is in the pool), and never blocks without a deadline.
#ifndef ZRK_FUZZ_IPC_H_
#define ZRK_FUZZ_IPC_H_

#include <mini-process/mini-process.h>
#include <zircon/syscalls/policy.h>
#include <zircon/syscalls/port.h>
#include <zrk/child_process.h>

// A status the model does not predict.
#define WANT_ANY 1
// The acknowledgement a mini-process sends first (kept as a pending "command").
#define MINIP_ACK 0xffffffffu

// Per thread and epoch: how many calls could add to a queue whose depth the model
// does not know, kept under the kernel's policy limits (3,500 messages at a channel
// end, 4,096 user packets and 50,000 observers at a port), which would kill the fuzzer.
#define MAX_BLIND_WRITES 3000
#define MAX_PORT_QUEUES 4000
#define MAX_WAIT_ASYNCS 20000
// Children alive at once (each holds a private VMAR handle until the epoch ends).
#define MAX_CHILDREN 6

static FUZZ_TLS uint32_t blind_writes, port_queues, wait_asyncs;
// What the run did with children (all threads, for the summary line).
static uint64_t children_started, minis_started, commands_sent, replies_checked,
    handles_from_children, kills_mid_command, base_jobs_killed;
#define COUNT(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
static FUZZ_TLS bool policies_set;  // a job policy was set this epoch (children may be denied)
// This thread's base job: a private handle (killed and closed at the end of every epoch)
// and its objs index; the levels of jobs it allows below it (probed once).
static FUZZ_TLS zx_handle_t base_job;
static FUZZ_TLS int base_obj = -1;
static int base_height = -1;  // (shared: the same for every thread's base job)
static zx_koid_t self_koid;  // the fuzzer's own process (shared)

// The violations of a predicted status (fuzz_calls.h's V_MODEL).
static void expect(zx_status_t st, zx_status_t want, const char* what) {
  if (want == WANT_ANY || st == want || st == ZX_ERR_NO_MEMORY) {
    return;
  }
  violation(V_MODEL, "%s said %s where the model predicts %s", what, zx_status_get_string(st),
            zx_status_get_string(want));
}

// What the kernel's lookup of `h` as a `kind` with all of `rights` gives, in Zircon's
// order (handle, type, rights); WANT_ANY where the model cannot say.
static zx_status_t want_lookup(const harg_t* h, uint8_t kind, zx_rights_t rights) {
  if (h->live != 1) {
    return ZX_ERR_BAD_HANDLE;
  }
  if (h->slot < 0) {
    return WANT_ANY;
  }
  const slot_t* s = &slots[h->slot];
  if (s->kind != kind) {
    return s->kind == K_OTHER ? WANT_ANY : ZX_ERR_WRONG_TYPE;
  }
  return (s->rights & rights) == rights ? ZX_OK : ZX_ERR_ACCESS_DENIED;
}

static zx_obj_type_t type_of_kind(uint8_t kind) {
  switch (kind) {
    case K_VMO:
      return ZX_OBJ_TYPE_VMO;
    case K_VMAR:
      return ZX_OBJ_TYPE_VMAR;
    case K_PROCESS:
      return ZX_OBJ_TYPE_PROCESS;
    case K_THREAD:
      return ZX_OBJ_TYPE_THREAD;
    case K_RESOURCE:
      return ZX_OBJ_TYPE_RESOURCE;
    case K_CHANNEL:
      return ZX_OBJ_TYPE_CHANNEL;
    case K_PORT:
      return ZX_OBJ_TYPE_PORT;
    case K_JOB:
      return ZX_OBJ_TYPE_JOB;
    case K_EVENT:
      return ZX_OBJ_TYPE_EVENT;
    default:
      return ZX_OBJ_TYPE_NONE;
  }
}

// Objects zx_object_wait_one / wait_async / port_cancel accept (0 unknown, 1 yes, -1 no).
static int waitable(uint8_t kind) {
  switch (kind) {
    case K_VMAR:
    case K_RESOURCE:
    case K_PORT:
      return -1;
    case K_OTHER:
    case K_NONE:
      return 0;
    default:
      return 1;
  }
}

// The object a pool slot names, or -1.
static int slot_obj(int slot) { return slot >= 0 ? slots[slot].obj : -1; }

// A pool slot naming object `o` (with all of `rights`), or -1.
static int slot_naming(int o, zx_rights_t rights) {
  for (int i = 0; i < nslots; i++) {
    if (slots[i].obj == o && (slots[i].rights & rights) == rights) {
      return i;
    }
  }
  return -1;
}

// Takes a handle whose object the model does not know in advance (read from a queue it
// does not track, handed out by a child, or by zx_object_get_child): its kind comes from
// the kernel, its object is found by koid or is new. `escaped`: other holders may exist.
static int adopt_unknown(zx_handle_t h, uint8_t flags, bool escaped) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof info);
  if (h == ZX_HANDLE_INVALID || (h & 3) != 3 || is_live(h)) {
    violation(V_OUTPUT, "%s gave handle %#x: invalid, or one the process already holds",
              fuzz_syscalls[fuzz_current.sc].name, h);
    return -1;
  }
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL) != ZX_OK) {
    violation(V_HANDLES, "%s gave handle %#x, which ZX_INFO_HANDLE_BASIC refuses",
              fuzz_syscalls[fuzz_current.sc].name, h);
    return -1;
  }
  uint8_t kind = kind_of_type(info.type);
  int o = obj_by_koid(info.koid);
  if (o >= 0 && objs[o].kind != kind) {
    violation(V_OUTPUT, "%s gave a handle of type %u to koid %" PRIu64 ", known as kind %u",
              fuzz_syscalls[fuzz_current.sc].name, info.type, info.koid, objs[o].kind);
    o = -1;
  }
  bool known = o >= 0;
  if (known) {
    for (int i = 0; i < nslots; i++) {
      if (slots[i].obj == o) {
        flags |= slots[i].flags & S_INHERITED;  // (the root VMAR, the fuzzer itself, ...)
      }
    }
  } else if (kind == K_VMAR) {
    flags |= S_FOREIGN;  // whose it is is unknown: its addresses are never used as ours
  }
  int s = add_slot(h, kind, flags, info.rights, o);
  if (s < 0) {
    zx_handle_close(h);
    return -1;
  }
  o = slots[s].obj;
  objs[o].koid = info.koid;
  objs[o].related = info.related_koid;
  if (!known && kind == K_VMAR) {
    zx_info_vmar_t vi;
    memset(&vi, 0, sizeof vi);
    zx_object_get_info(h, ZX_INFO_VMAR, &vi, sizeof vi, NULL, NULL);
    objs[o].base = vi.base;
    objs[o].size = vi.len;
  }
  if (!known) {
    objs[o].escaped = escaped;
    if (kind == K_CHANNEL) {
      objs[o].foreign_writes = true;  // its peer is somewhere the model cannot see
    }
    if (kind == K_PORT) {
      objs[o].may_signal = true;
      objs[o].user_max = MAX_PORT_QUEUES;
      objs[o].regs_full = true;
    }
  } else if (escaped) {
    escape_obj(o);
  }
  return s;
}

// --- Events --------------------------------------------------------------------------------

static void op_event_create(void) {
  uint32_t options = chance(900) ? 0 : random_bit_or_word();
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_EVENT_CREATE, options, out.p);
  zx_status_t st = zx_event_create(options, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, -1);
  zx_status_t want = options != 0                     ? ZX_ERR_INVALID_ARGS
                     : out.validity == PV_INVALID     ? ZX_ERR_INVALID_ARGS
                     : out.validity == PV_UNKNOWN     ? WANT_ANY
                                                      : ZX_OK;
  expect(st, want, "zx_event_create");
  if (st == ZX_OK && out.validity == PV_VALID) {
    int s = adopt(load_u32(out.p), K_EVENT, S_OWNED, ZX_DEFAULT_EVENT_RIGHTS, -1);
    if (s >= 0) {
      objs[slots[s].obj].exact = true;
    }
  }
}

// --- Channels ------------------------------------------------------------------------------

// Two distinct 4-byte outputs (for the two ends, or a handle and an address).
static void two_outs(ptr_t* a, ptr_t* b) {
  *a = out_ptr(4, -1, false);
  *b = out_ptr(4, -1, false);
  if (a->validity == PV_VALID && b->validity == PV_VALID &&
      ranges_overlap(a->p, a->p + 4, b->p, b->p + 4)) {
    b->p = a->p >= (uintptr_t)mem.scratch + 8 ? a->p - 8 : a->p + 8;
  }
  clear_out(a, 4);
  clear_out(b, 4);
}

// Makes both ends of a new channel known to the model (handles h0, h1 already adopted
// into slots s0, s1, either of which may be -1 if the pool was full).
static void pair_ends(int s0, int s1) {
  int o0 = slot_obj(s0), o1 = slot_obj(s1);
  if (o0 >= 0) {
    objs[o0].exact = true;
    objs[o0].peer = o1;
    objs[o0].peer_closed = o1 < 0;
  }
  if (o1 >= 0) {
    objs[o1].exact = true;
    objs[o1].peer = o0;
    objs[o1].peer_closed = o0 < 0;
  }
  if (o0 >= 0 && o1 >= 0 && (objs[o0].related != 0 || objs[o1].related != 0) &&
      (objs[o0].related != objs[o1].koid || objs[o1].related != objs[o0].koid)) {
    violation(V_OUTPUT, "a new channel's ends do not name each other as related koids");
  }
}

static void op_channel_create(void) {
  uint32_t options = chance(930) ? 0 : random_bit_or_word();
  ptr_t out0, out1;
  two_outs(&out0, &out1);
  CALL(SC_CHANNEL_CREATE, options, out0.p, out1.p);
  zx_status_t st = zx_channel_create(options, (zx_handle_t*)(uintptr_t)out0.p,
                                     (zx_handle_t*)(uintptr_t)out1.p);
  call_end(st, -1);
  zx_status_t want = ZX_OK;
  if (options != 0 || out0.validity == PV_INVALID || out1.validity == PV_INVALID) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (out0.validity == PV_UNKNOWN || out1.validity == PV_UNKNOWN) {
    want = WANT_ANY;
  }
  expect(st, want, "zx_channel_create");
  if (st != ZX_OK) {
    return;
  }
  if (out0.validity != PV_VALID || out1.validity != PV_VALID) {
    if (out0.validity == PV_INVALID || out1.validity == PV_INVALID) {
      violation(V_OUTPUT, "zx_channel_create said OK, but an out pointer is not writable");
    }
    return;  // (the handles cannot be found: they stay in the table, unmodelled, until exit)
  }
  int s0 = adopt(load_u32(out0.p), K_CHANNEL, S_OWNED, ZX_DEFAULT_CHANNEL_RIGHTS, -1);
  int s1 = adopt(load_u32(out1.p), K_CHANNEL, S_OWNED, ZX_DEFAULT_CHANNEL_RIGHTS, -1);
  pair_ends(s0, s1);
}

// A handle list for a write or call: entries as the kernel will read them, and what the
// fuzzer knows of each.
#define LIST_MAX 70
typedef struct {
  zx_handle_t h;
  int slot;  // pool slot when built, or -1
  uint32_t op;
  zx_obj_type_t type;
  zx_rights_t rights;
} listed_t;

// The tail of scratch holds the lists the kernel reads and the handle arrays it
// writes, ending where the hole begins, so a list or array longer than what the fuzzer
// placed there runs into unmapped memory (see fuzz_model.h, TAIL_BYTES).
static uint64_t tail_at(uint64_t bytes) { return mem.scratch_end - bytes; }

// Fills `l` with `n` entries for a message written through channel end `chan` (objs
// index, or -1) toward end `dest` (-1 unknown): owned handles of every kind (never a
// start-up handle, the fuzzer's own process, the root VMAR or the arena), repeats,
// closed and forged values, the written channel itself, and no channel end whose
// sending would make a cycle of ends only each other's queues hold.
static int build_list(listed_t* l, int n, bool etc, int chan, int dest, zx_handle_t chan_h) {
  bool clean = chance(550);  // only handles the process holds, as they are
  for (int i = 0; i < n; i++) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    uint64_t r = clean ? 0 : rnd(100);
    if (r < 60) {
      int s = random_slot(K_NONE, S_OWNED);
      h = s >= 0 ? slots[s].h : ZX_HANDLE_INVALID;
    } else if (r < 67 && i > 0) {
      h = l[rnd((uint64_t)i)].h;
    } else if (r < 75 && ndead > 0) {
      h = dead[rnd(ndead < FUZZ_DEAD ? ndead : FUZZ_DEAD)];
    } else if (r < 80) {
      h = (zx_handle_t)rnd64() | 3;
    } else if (r < 84) {
      h = chan_h;
    } else if (r < 88) {
      h = ZX_HANDLE_INVALID;
    } else {
      int s = random_slot(K_NONE, S_OWNED);
      h = s >= 0 ? slots[s].h : ZX_HANDLE_INVALID;
    }
    int s = slot_of(h);
    if (is_private(h) || (s < 0 && held_by_another_thread(h)) ||
        (s >= 0 && (!(slots[s].flags & S_OWNED) || (slots[s].flags & (S_SELF | S_ROOT |
                                                                      S_NODESTROY))))) {
      h = ZX_HANDLE_INVALID;
      s = -1;
    }
    // The end the message goes to: the model's peer, or the one the kernel names as
    // related (the model may have lost track of it).
    int to = dest >= 0 ? dest : chan >= 0 ? obj_by_koid(objs[chan].related) : -1;
    zx_koid_t to_koid = chan >= 0 ? objs[chan].related : 0;
    if (s >= 0 && slots[s].kind == K_CHANNEL && slots[s].obj != chan &&
        (objs[slots[s].obj].koid == to_koid || objs[slots[s].obj].escaped ||
         (to >= 0 && msg_reaches(slots[s].obj, to, 0)))) {
      h = ZX_HANDLE_INVALID;  // a cycle: the end would (or might) hold itself
      s = -1;
    }
    l[i] = (listed_t){h, s, ZX_HANDLE_OP_MOVE, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS};
    if (!etc || (clean && chance(700))) {
      continue;
    }
    uint64_t k = rnd(100);
    l[i].op = k < 85 ? ZX_HANDLE_OP_MOVE : k < 96 ? ZX_HANDLE_OP_DUPLICATE : (uint32_t)rnd64();
    k = rnd(100);
    if (k >= 80 && k < 92 && s >= 0) {
      l[i].type = type_of_kind(slots[s].kind);
    } else if (k >= 92) {
      l[i].type = chance(500) ? (zx_obj_type_t)rnd(32) : (zx_obj_type_t)rnd64();
    }
    k = rnd(100);
    if (k >= 75 && k < 90 && s >= 0) {
      l[i].rights = slots[s].rights & (zx_rights_t)rnd64();
    } else if (k >= 90) {
      l[i].rights = (zx_rights_t)rnd64();
    }
  }
  return n;
}

// What taking the listed handles does (Zircon's order per handle: the lookup, the
// operation, TRANSFER, not the channel written to, the type asked for, rights that are a
// subset; DUPLICATE right last for duplicates). `consumed[i]`: entry i left the table.
// `into[i]`: entry i becomes a handle in the message (with `rights_to[i]`). Returns the
// first error, or ZX_OK; WANT_ANY where the model cannot tell.
static zx_status_t simulate_take(const listed_t* l, int n, bool etc, int chan, bool* consumed,
                                 bool* into, zx_rights_t* rights_to) {
  zx_status_t first = ZX_OK;
  bool unsure = false;
  for (int i = 0; i < n; i++) {
    consumed[i] = into[i] = false;
    int s = l[i].slot;
    bool present = s >= 0;
    for (int j = 0; j < i && present; j++) {
      if (consumed[j] && l[j].h == l[i].h) {
        present = false;
      }
    }
    zx_status_t e = ZX_OK;
    bool dup = etc && l[i].op == ZX_HANDLE_OP_DUPLICATE;
    if (!present) {
      e = ZX_ERR_BAD_HANDLE;
    } else {
      const slot_t* sl = &slots[s];
      consumed[i] = !dup;
      if (etc && !dup && l[i].op != ZX_HANDLE_OP_MOVE) {
        e = ZX_ERR_INVALID_ARGS;
      } else if (!(sl->rights & ZX_RIGHT_TRANSFER)) {
        e = ZX_ERR_ACCESS_DENIED;
      } else if (sl->kind == K_CHANNEL && sl->obj == chan) {
        e = ZX_ERR_NOT_SUPPORTED;
      } else if (l[i].type != ZX_OBJ_TYPE_NONE && sl->kind == K_OTHER) {
        unsure = true;
      } else if (l[i].type != ZX_OBJ_TYPE_NONE && l[i].type != type_of_kind(sl->kind)) {
        e = ZX_ERR_WRONG_TYPE;
      } else if (l[i].rights != ZX_RIGHT_SAME_RIGHTS && (l[i].rights & ~sl->rights) != 0) {
        e = ZX_ERR_INVALID_ARGS;
      } else if (dup && !(sl->rights & ZX_RIGHT_DUPLICATE)) {
        e = ZX_ERR_ACCESS_DENIED;
      } else {
        into[i] = true;
        rights_to[i] = l[i].rights == ZX_RIGHT_SAME_RIGHTS ? sl->rights : l[i].rights;
      }
    }
    if (e != ZX_OK && first == ZX_OK) {
      first = e;
    }
  }
  return unsure && first == ZX_OK ? WANT_ANY : first;
}

// Which entries the kernel removes from the table on a path that fails before the
// handles are taken (it reads the list 64 entries at a time and stops at the first
// batch it cannot read), or on the taking path (all or nothing). The two agree for the
// lists the fuzzer builds: `readable` entries at the front, the rest beyond the scratch.
static void consumption(const listed_t* l, int n, bool etc, int readable, bool* consumed) {
  int batches_ok = readable / 64;  // whole batches of 64 that can be read
  for (int i = 0; i < n; i++) {
    bool read = n <= 64 ? readable >= n : (i / 64 < batches_ok || (i / 64 == batches_ok &&
                                                                     readable >= n));
    bool dup = etc && l[i].op == ZX_HANDLE_OP_DUPLICATE;
    bool present = l[i].slot >= 0;
    for (int j = 0; j < i && present; j++) {
      if (consumed[j] && l[j].h == l[i].h) {
        present = false;
      }
    }
    consumed[i] = read && !dup && present;
  }
}

// After a write or call: every consumed handle must be gone from the table, every
// other listed handle the process held must still be there; the model follows.
static void settle_list(const listed_t* l, int n, const bool* consumed, bool escape) {
  for (int i = 0; i < n; i++) {
    if (l[i].slot < 0) {
      continue;
    }
    // Once per value: gone if any entry naming it was consumed.
    bool first = true, gone = false;
    for (int j = 0; j < n; j++) {
      first &= !(j < i && l[j].h == l[i].h);
      gone |= l[j].h == l[i].h && consumed[j];
    }
    int s = slot_of(l[i].h);
    if (!first || s < 0) {
      continue;
    }
    zx_status_t valid = zx_object_get_info(l[i].h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL);
    if (gone) {
      if (valid != ZX_ERR_BAD_HANDLE) {
        violation(V_HANDLES, "%s left handle %#x (entry %d) in the table; it was consumed",
                  fuzz_syscalls[fuzz_current.sc].name, l[i].h, i);
      }
      if (escape) {
        escape_slot(s);
      } else {
        drop_slot(s);
      }
    } else if (valid != ZX_OK) {
      violation(V_HANDLES, "%s took handle %#x (entry %d), which it should have left",
                fuzz_syscalls[fuzz_current.sc].name, l[i].h, i);
      drop_slot(s);
    }
  }
}

// Queues a message the model tracks at end `at`, carrying the listed entries that go
// `into` it.
static void model_queue(int at, uint32_t nbytes, const listed_t* l, int n, const bool* into,
                        const zx_rights_t* rights_to) {
  int m = -1;
  for (int i = 0; i < FUZZ_MAX_MSGS && m < 0; i++) {
    if (!msgs[i].used) {
      m = i;
    }
  }
  if (m < 0) {
    return;  // (the caller checked for room)
  }
  msgs[m] = (msg_t){true, at, msg_seq++, nbytes, 0};
  for (int i = 0; i < n; i++) {
    if (!into[i]) {
      continue;
    }
    const slot_t* sl = &slots[l[i].slot];
    for (int k = 0; k < FUZZ_MAX_MSG_HANDLES; k++) {
      if (msg_handles[k].msg < 0) {
        msg_handles[k] = (msg_handle_t){m, sl->obj, sl->kind,
                                        (uint8_t)((sl->flags & S_INHERITED) | S_OWNED),
                                        rights_to[i]};
        objs[sl->obj].msg_refs++;
        msgs[m].nhandles++;
        break;
      }
    }
  }
}

// Where a write through end `chan` lands: the peer's objs index if the model tracks
// its queue, else -1 (and *blind: the destination is someone else's).
static int modeled_dest(int chan, bool* blind) {
  *blind = true;
  if (chan < 0 || objs[chan].escaped || objs[chan].peer < 0) {
    return -1;
  }
  int p = objs[chan].peer;
  if (objs[p].escaped || objs[p].foreign_writes) {
    return -1;
  }
  *blind = false;
  return p;
}

// The state of end `chan`'s peer: 1 open, 0 closed, -1 unknown.
static int peer_open(int chan) {
  if (chan < 0) {
    return -1;
  }
  if (objs[chan].peer_closed) {
    return 0;
  }
  int p = objs[chan].peer;
  if (p < 0 || objs[p].escaped) {
    return -1;
  }
  return 1;
}

// The message bytes for a write or call: plain bytes (in_ptr), or with
// ZX_CHANNEL_WRITE_USE_IOVEC a few iovecs in scratch. Returns the pointer and count the
// call takes, the message size in *nbytes, and what the model expects of the copy.
// *nbytes is UINT32_MAX when the message's size is not known (iovecs the fuzzer did not
// fill).
static uint64_t pick_message_bytes(uint32_t options, uint32_t* count, uint32_t* nbytes,
                                   zx_status_t* want, char* local, size_t local_len) {
  if (options & ZX_CHANNEL_WRITE_USE_IOVEC) {
    uint32_t n = chance(900) ? (uint32_t)rnd(4) : (uint32_t)pick_size(8);
    if (n > 4) {
      *count = n;
      *nbytes = UINT32_MAX;
      *want = n > ZX_CHANNEL_MAX_MSG_IOVECS ? ZX_ERR_OUT_OF_RANGE : WANT_ANY;
      return scratch_ptr(64);
    }
    zx_channel_iovec_t* v = (zx_channel_iovec_t*)(uintptr_t)scratch_ptr(64);
    v = (zx_channel_iovec_t*)((uintptr_t)v & ~(uintptr_t)7);
    *want = ZX_OK;
    *nbytes = 0;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t len = (uint32_t)rnd(24);
      v[i].buffer = fuzz_text + rnd(64);
      v[i].capacity = len;
      v[i].reserved = 0;
      if (chance(80)) {
        v[i].reserved = 1;
        *want = ZX_ERR_INVALID_ARGS;
      } else if (chance(50) && len > 0) {
        v[i].buffer = (const void*)(uintptr_t)hostile_ptr(len, false);
        if (classify_ptr((uint64_t)(uintptr_t)v[i].buffer, len, false) != PV_VALID &&
            *want == ZX_OK) {
          *want = WANT_ANY;  // INVALID_ARGS unless the pointer happens to be readable
        }
      }
      *nbytes += len;
    }
    *count = n;
    return (uint64_t)(uintptr_t)v;
  }
  uint32_t n = chance(850) ? (uint32_t)rnd(64) : (uint32_t)pick_size(ZX_CHANNEL_MAX_MSG_BYTES);
  if (chance(20)) {
    n = ZX_CHANNEL_MAX_MSG_BYTES + (uint32_t)rnd(2);
  }
  ptr_t b = in_ptr(n < 4096 ? n : 4096, -1, local, local_len);
  int v = n == 0 ? PV_VALID : classify_ptr(b.p, n, false);
  if (v == PV_INVALID && (uintptr_t)local <= b.p && b.p - (uintptr_t)local < local_len) {
    v = PV_UNKNOWN;
  }
  *count = n;
  *nbytes = n;
  *want = n > ZX_CHANNEL_MAX_MSG_BYTES ? ZX_ERR_OUT_OF_RANGE
          : v == PV_VALID              ? ZX_OK
          : v == PV_INVALID            ? ZX_ERR_INVALID_ARGS
                                       : WANT_ANY;
  return b.p;
}

// Writes the list for the kernel: at the end of scratch (all of it readable), running
// into the hole (only `*readable` entries), or somewhere unreadable.
static uint64_t place_list(const listed_t* l, int n, bool etc, int* readable) {
  size_t size = etc ? sizeof(zx_handle_disposition_t) : sizeof(zx_handle_t);
  uint64_t r = rnd(100);
  if (n == 0 && chance(500)) {
    *readable = 0;
    return chance(500) ? 0 : hostile_ptr(4, false);
  }
  int fit = n;
  if (r < 6 && n > 0) {
    *readable = 0;
    return chance(500) ? 0 : mem.hole + 4 * rnd(64);
  }
  if (r < 12 && n > 1) {
    fit = (int)rnd((uint64_t)n);  // the rest runs into the hole
  }
  if ((uint64_t)fit * size > LIST_ROOM) {
    fit = (int)(LIST_ROOM / size);
  }
  uint64_t p = tail_at((uint64_t)fit * size);
  for (int i = 0; i < fit; i++) {
    if (etc) {
      zx_handle_disposition_t d = {l[i].op, l[i].h, l[i].type, l[i].rights, ZX_OK};
      memcpy((void*)(uintptr_t)(p + (uint64_t)i * size), &d, size);
    } else {
      memcpy((void*)(uintptr_t)(p + (uint64_t)i * size), &l[i].h, size);
    }
  }
  *readable = fit;
  return p;
}

// How many handles to send: mostly none or a few, sometimes up to the limit or past it.
static int pick_list_len(void) {
  uint64_t r = rnd(100);
  if (r < 45) {
    return 0;
  }
  if (r < 90) {
    return 1 + (int)rnd(3);
  }
  if (r < 97) {
    return 1 + (int)rnd(12);
  }
  return 63 + (int)rnd(LIST_MAX - 63);
}

static uint32_t pick_write_options(void) {
  uint64_t r = rnd(100);
  return r < 90 ? 0 : r < 96 ? ZX_CHANNEL_WRITE_USE_IOVEC : random_bit_or_word();
}

// A channel handle for writing, kept away from ends whose queue the fuzzer could fill
// past the policy limit without knowing.
static harg_t pick_channel(zx_rights_t rights) {
  harg_t h = pick_handle_with(K_CHANNEL, false, rights);
  int o = obj_of(&h);
  if (o >= 0 && objs[o].kind == K_CHANNEL && objs[o].ctrl_of >= 0 && chance(700)) {
    h = pick_handle_with(K_CHANNEL, false, rights);  // control channels: less often
  }
  return h;
}

static void op_channel_write_common(bool etc) {
  harg_t c = pick_channel(ZX_RIGHT_WRITE);
  int chan = obj_of(&c);
  if (chan >= 0 && objs[chan].kind != K_CHANNEL) {
    chan = -1;
  }
  bool blind;
  int dest = modeled_dest(chan, &blind);
  uint32_t options = pick_write_options();
  char local[128];
  memset(local, 'c', sizeof local);
  uint32_t count, nbytes;
  zx_status_t want_bytes;
  uint64_t bytes = pick_message_bytes(options, &count, &nbytes, &want_bytes, local, sizeof local);
  int n = pick_list_len();
  // Room in the model for what a tracked queue gets; no unbounded queues.
  if (dest >= 0 && (msg_count() >= FUZZ_MAX_MSGS || msg_handle_count() + n > FUZZ_MAX_MSG_HANDLES ||
                    objs[chan].sent >= MAX_BLIND_WRITES)) {
    n = 0;
    if (msg_count() >= FUZZ_MAX_MSGS) {
      return;
    }
  }
  if (blind && blind_writes >= MAX_BLIND_WRITES) {
    return;
  }
  listed_t l[LIST_MAX];
  build_list(l, n, etc, chan, chan >= 0 ? objs[chan].peer : -1, c.h);
  int readable = 0;
  uint64_t list = place_list(l, n, etc, &readable);
  bool consumed[LIST_MAX], into[LIST_MAX];
  zx_rights_t rights_to[LIST_MAX];
  zx_status_t take = simulate_take(l, n, etc, chan, consumed, into, rights_to);
  consumption(l, n, etc, readable, consumed);

  zx_status_t want;
  zx_status_t lk = want_lookup(&c, K_CHANNEL, ZX_RIGHT_WRITE);
  if (options & ~ZX_CHANNEL_WRITE_USE_IOVEC) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (lk != ZX_OK) {
    want = lk;
  } else if (n > (int)ZX_CHANNEL_MAX_MSG_HANDLES) {
    want = ZX_ERR_OUT_OF_RANGE;
  } else if (want_bytes != ZX_OK) {
    want = want_bytes;
  } else if (n > 0 && readable < n) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (take != ZX_OK) {
    want = take;
  } else {
    int open = peer_open(chan);
    want = open == 1 ? ZX_OK : open == 0 ? ZX_ERR_PEER_CLOSED : WANT_ANY;
  }
  if (chan >= 0 && objs[chan].ctrl_of >= 0) {
    objs[objs[chan].ctrl_of].desync = true;
  }
  zx_status_t st;
  if (etc) {
    CALL(SC_CHANNEL_WRITE_ETC, c.h, options, bytes, count, list, (uint64_t)n);
    st = zx_channel_write_etc(c.h, options, (const void*)(uintptr_t)bytes, count,
                              (zx_handle_disposition_t*)(uintptr_t)list, (uint32_t)n);
  } else {
    CALL(SC_CHANNEL_WRITE, c.h, options, bytes, count, list, (uint64_t)n);
    st = zx_channel_write(c.h, options, (const void*)(uintptr_t)bytes, count,
                          (const zx_handle_t*)(uintptr_t)list, (uint32_t)n);
  }
  call_end(st, (options & ~ZX_CHANNEL_WRITE_USE_IOVEC) || n > 0 ? -1 : c.live);
  expect(st, want, etc ? "zx_channel_write_etc" : "zx_channel_write");
  bool tracked = st == ZX_OK && dest >= 0 && !blind && nbytes != UINT32_MAX;
  if (st == ZX_OK && dest >= 0 && !blind && nbytes == UINT32_MAX) {
    objs[dest].foreign_writes = true;  // a message of unknown size: stop predicting there
  }
  if (tracked) {
    model_queue(dest, nbytes, l, n, into, rights_to);
    objs[chan].sent++;
  } else if (st == ZX_OK) {
    blind_writes++;
  }
  // The written channel's own handle may be in the list: settle it like the others.
  settle_list(l, n, consumed, st == ZX_OK && !tracked);
}

static void op_channel_write(void) { op_channel_write_common(false); }
static void op_channel_write_etc(void) { op_channel_write_common(true); }

// Adopts a message's handles read from end `at` (values, or zx_handle_info_t with
// `etc`) from the array at `p`: `m` the message the model tracked (-1: unknown, with
// `count` entries).
static void adopt_read_handles(uint64_t p, bool etc, int m, int count, int at) {
  int k = 0;
  for (int i = 0; i < FUZZ_MAX_MSG_HANDLES && m >= 0; i++) {
    if (msg_handles[i].msg != m) {
      continue;
    }
    msg_handle_t e = msg_handles[i];
    zx_handle_t h;
    if (etc) {
      zx_handle_info_t info;
      memcpy(&info, (const void*)(uintptr_t)(p + (uint64_t)k * sizeof info), sizeof info);
      h = info.handle;
      if (info.type != type_of_kind(e.kind) || info.rights != e.rights || info.unused != 0) {
        violation(V_HANDLES,
                  "zx_channel_read_etc: entry %d says type %u rights %#x (unused %u); it was "
                  "sent as type %u rights %#x",
                  k, info.type, info.rights, info.unused, type_of_kind(e.kind), e.rights);
      }
    } else {
      h = load_u32(p + (uint64_t)k * 4);
    }
    // The handle leaves the message for the pool: the object keeps its count.
    objs[e.obj].msg_refs--;
    msg_handles[i].msg = -1;
    adopt(h, e.kind, e.flags, e.rights, e.obj);
    obj_release(e.obj);
    k++;
  }
  for (int i = 0; m < 0 && i < count; i++) {
    zx_handle_t h;
    if (etc) {
      zx_handle_info_t info;
      memcpy(&info, (const void*)(uintptr_t)(p + (uint64_t)i * sizeof info), sizeof info);
      h = info.handle;
    } else {
      h = load_u32(p + (uint64_t)i * 4);
    }
    adopt_unknown(h, S_OWNED, true);
  }
  (void)at;
}

static void op_channel_read_common(bool etc) {
  harg_t c = pick_channel(ZX_RIGHT_READ);
  int chan = obj_of(&c);
  if (chan >= 0 && objs[chan].kind != K_CHANNEL) {
    chan = -1;
  }
  int head = chan >= 0 && !objs[chan].escaped ? msg_head(chan) : -1;
  uint32_t options = chance(850) ? 0 : chance(700) ? ZX_CHANNEL_READ_MAY_DISCARD
                                                     : random_bit_or_word();
  uint32_t hb = head >= 0 ? msgs[head].nbytes : 64;
  uint32_t hh = head >= 0 ? (uint32_t)msgs[head].nhandles : 4;
  uint32_t num_bytes = chance(800) ? hb + (uint32_t)rnd(3) * (uint32_t)rnd(64)
                       : chance(500) ? (hb > 0 ? hb - 1 : 0)
                                     : (uint32_t)pick_size(hb);
  uint32_t num_handles = chance(800) ? hh + (uint32_t)rnd(3) : chance(500) ? (hh > 0 ? hh - 1 : 0)
                                                                            : (uint32_t)rnd64();
  size_t hsize = etc ? sizeof(zx_handle_info_t) : sizeof(zx_handle_t);
  // The bytes anywhere (scratch, mappings, hostile); the handle array at the end of
  // scratch (the fuzzer reads the values back) or unwritable; actual_* apart from both.
  ptr_t bytes = out_ptr(num_bytes < 4096 ? num_bytes : 4096, -1, true);
  uint32_t slots_room = (uint32_t)((TAIL_BYTES - 64) / hsize);
  uint32_t in_room = num_handles < slots_room ? num_handles : slots_room;
  uint64_t handles = tail_at(in_room * hsize);
  int hv = PV_VALID;
  if (chance(60)) {
    handles = hostile_ptr(hsize, true);  // (never one the fuzzer cannot read back)
    hv = classify_ptr(handles, hsize, true) == PV_INVALID && handles != 0 ? PV_INVALID : PV_VALID;
    if (hv == PV_VALID) {
      handles = mem.hole + 8 * rnd(64);
      hv = PV_INVALID;
    }
  }
  if (hv == PV_VALID) {
    memset((void*)(uintptr_t)handles, 0, in_room * hsize);
  }
  uint64_t ab = tail_at(TAIL_BYTES), ah = tail_at(TAIL_BYTES) + 8;
  int abv = PV_VALID, ahv = PV_VALID;
  // (Optional outputs: NULL is fine, and so is a hostile pointer that came out NULL.)
  if (chance(150)) {
    ab = 0;
  } else if (chance(40)) {
    ab = hostile_ptr(4, true);
    abv = ab == 0 ? PV_VALID : classify_ptr(ab, 4, true) == PV_INVALID ? PV_INVALID : PV_UNKNOWN;
  }
  if (chance(150)) {
    ah = 0;
  } else if (chance(40)) {
    ah = hostile_ptr(4, true);
    ahv = ah == 0 ? PV_VALID : classify_ptr(ah, 4, true) == PV_INVALID ? PV_INVALID : PV_UNKNOWN;
  }
  if (abv == PV_VALID && ab) {
    store_u64(ab & ~(uint64_t)7, UINT64_MAX);
  }
  if (ahv == PV_VALID && ah) {
    memset((void*)(uintptr_t)ah, 0xff, 4);
  }
  // Whether a read that takes a message can find its handles afterwards.
  bool handles_known = hv == PV_VALID;  // (a message has at most 64: they always fit)

  zx_status_t want = WANT_ANY;
  bool removed = false;  // the model's head leaves the queue
  zx_status_t lk = want_lookup(&c, K_CHANNEL, ZX_RIGHT_READ);
  if (lk != ZX_OK) {
    want = lk;
  } else if (options & ~ZX_CHANNEL_READ_MAY_DISCARD) {
    want = ZX_ERR_NOT_SUPPORTED;
  } else if (chan < 0 || objs[chan].escaped) {
    want = WANT_ANY;
  } else if (head < 0) {
    int open = peer_open(chan);
    if (objs[chan].foreign_writes || open < 0) {
      want = WANT_ANY;
    } else {
      want = open ? ZX_ERR_SHOULD_WAIT : ZX_ERR_PEER_CLOSED;
    }
  } else {
    const msg_t* m = &msgs[head];
    bool too_small = m->nbytes > num_bytes || (uint32_t)m->nhandles > num_handles;
    bool actual_bad = abv == PV_INVALID || ahv == PV_INVALID;
    bool actual_unknown = abv == PV_UNKNOWN || ahv == PV_UNKNOWN;
    if (too_small) {
      removed = (options & ZX_CHANNEL_READ_MAY_DISCARD) != 0;
      want = actual_bad ? ZX_ERR_INVALID_ARGS : actual_unknown ? WANT_ANY : ZX_ERR_BUFFER_TOO_SMALL;
    } else {
      removed = true;
      int bv = m->nbytes == 0 ? PV_VALID : classify_ptr(bytes.p, m->nbytes, true);
      int hvv = m->nhandles == 0 ? PV_VALID : hv;
      bool bad = actual_bad || bv == PV_INVALID || hvv == PV_INVALID;
      bool unknown = actual_unknown || bv == PV_UNKNOWN || hvv == PV_UNKNOWN;
      want = unknown ? WANT_ANY : bad ? ZX_ERR_INVALID_ARGS : ZX_OK;
    }
  }
  if (chan >= 0 && objs[chan].ctrl_of >= 0) {
    objs[objs[chan].ctrl_of].desync = true;
  }
  zx_status_t st;
  if (etc) {
    CALL(SC_CHANNEL_READ_ETC, c.h, options, bytes.p, handles, num_bytes, num_handles, ab, ah);
    st = zx_channel_read_etc(c.h, options, (void*)(uintptr_t)bytes.p,
                             (zx_handle_info_t*)(uintptr_t)handles, num_bytes, num_handles,
                             (uint32_t*)(uintptr_t)ab, (uint32_t*)(uintptr_t)ah);
  } else {
    CALL(SC_CHANNEL_READ, c.h, options, bytes.p, handles, num_bytes, num_handles, ab, ah);
    st = zx_channel_read(c.h, options, (void*)(uintptr_t)bytes.p, (zx_handle_t*)(uintptr_t)handles,
                         num_bytes, num_handles, (uint32_t*)(uintptr_t)ab,
                         (uint32_t*)(uintptr_t)ah);
  }
  call_end(st, c.live);
  if (st != want && want != WANT_ANY && st != ZX_ERR_NO_MEMORY) {
    say("#   (model: head %d of %u bytes %d handles, validities bytes %d handles %d actual %d %d)\n",
        head, head >= 0 ? msgs[head].nbytes : 0, head >= 0 ? msgs[head].nhandles : 0,
        head >= 0 ? classify_ptr(bytes.p, msgs[head].nbytes, true) : -1, hv, abv, ahv);
  }
  expect(st, want, etc ? "zx_channel_read_etc" : "zx_channel_read");
  if (head >= 0 && lk == ZX_OK && !(options & ~ZX_CHANNEL_READ_MAY_DISCARD)) {
    const msg_t m = msgs[head];
    // (The bytes are written after actual_*: a long message over them says nothing.)
    if (st == ZX_OK && ranges_overlap(bytes.p, bytes.p + m.nbytes, tail_at(TAIL_BYTES),
                                      tail_at(TAIL_BYTES) + 16)) {
      ab = ah = 0;
    }
    // What the kernel reports of the message: its sizes in actual_* (OK, too small).
    if ((st == ZX_OK || st == ZX_ERR_BUFFER_TOO_SMALL) && abv == PV_VALID && ab &&
        load_u32(ab) != m.nbytes) {
      violation(V_OUTPUT, "zx_channel_read: actual_bytes %u, the message has %u", load_u32(ab),
                m.nbytes);
    }
    if ((st == ZX_OK || st == ZX_ERR_BUFFER_TOO_SMALL) && ahv == PV_VALID && ah &&
        load_u32(ah) != (uint32_t)m.nhandles) {
      violation(V_OUTPUT, "zx_channel_read: actual_handles %u, the message has %d",
                load_u32(ah), m.nhandles);
    }
    // Follow the kernel where the model could not say.
    if (want == WANT_ANY || st != want) {
      removed = st == ZX_OK || st == ZX_ERR_INVALID_ARGS ||
                (st == ZX_ERR_BUFFER_TOO_SMALL && (options & ZX_CHANNEL_READ_MAY_DISCARD));
    }
    if (st == ZX_OK && hv == PV_VALID) {
      msgs[head].used = false;
      adopt_read_handles(handles, etc, head, m.nhandles, chan);
    } else if (removed) {
      msg_drop(head, st == ZX_OK);  // destroyed (its handles closed), or unreadable here
    }
    return;
  }
  if (st == ZX_OK && handles_known) {
    // A message the model did not track: its handle count from actual_handles, or the
    // values written (the array was zeroed).
    int count = 0;
    if (ahv == PV_VALID && ah) {
      count = (int)load_u32(ah);
    } else {
      while ((uint32_t)count < in_room &&
             load_u32(handles + (uint64_t)count * hsize) != ZX_HANDLE_INVALID) {
        count++;
      }
    }
    if ((uint32_t)count > in_room) {
      violation(V_OUTPUT, "zx_channel_read said OK with %d handles for an array of %u", count,
                num_handles);
      count = (int)in_room;
    }
    adopt_read_handles(handles, etc, -1, count, chan);
  }
}

static void op_channel_read(void) { op_channel_read_common(false); }
static void op_channel_read_etc(void) { op_channel_read_common(true); }

// zx_channel_call with a short deadline: a call to a channel nobody answers (both ends
// the fuzzer's) must time out, its request left queued at the peer; a mini-process
// answers on its control channel (it serves the txid's bits as commands).
static void op_channel_call_common(bool etc) {
  harg_t c = pick_channel(ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  int chan = obj_of(&c);
  if (chan >= 0 && objs[chan].kind != K_CHANNEL) {
    chan = -1;
  }
  bool blind;
  int dest = modeled_dest(chan, &blind);
  uint32_t options = chance(950) ? 0 : pick_write_options();
  char local[128];
  memset(local, 'k', sizeof local);
  uint32_t count, nbytes;
  zx_status_t want_bytes;
  uint64_t bytes = pick_message_bytes(options, &count, &nbytes, &want_bytes, local, sizeof local);
  if (chance(300) && !(options & ZX_CHANNEL_WRITE_USE_IOVEC)) {
    count = nbytes = 4 + (uint32_t)rnd(5);  // what a mini-process reads (8 bytes at most)
    bytes = scratch_ptr(count);
    want_bytes = ZX_OK;
  }
  int n = chance(600) ? 0 : pick_list_len();
  if (dest >= 0 && (msg_count() >= FUZZ_MAX_MSGS || msg_handle_count() + n > FUZZ_MAX_MSG_HANDLES ||
                    objs[chan].sent >= MAX_BLIND_WRITES)) {
    return;
  }
  if (blind && blind_writes >= MAX_BLIND_WRITES) {
    return;
  }
  listed_t l[LIST_MAX];
  build_list(l, n, etc, chan, chan >= 0 ? objs[chan].peer : -1, c.h);
  int readable = 0;
  uint64_t list = place_list(l, n, etc, &readable);
  bool consumed[LIST_MAX], into[LIST_MAX];
  zx_rights_t rights_to[LIST_MAX];
  zx_status_t take = simulate_take(l, n, etc, chan, consumed, into, rights_to);
  consumption(l, n, etc, readable, consumed);

  // The reply side: bytes anywhere, handles at the end of scratch, actual_* apart.
  uint32_t rd_bytes_n = chance(800) ? 64 : (uint32_t)pick_size(8);
  uint32_t rd_handles_n = chance(800) ? 2 : (uint32_t)rnd(4);
  size_t hsize = etc ? sizeof(zx_handle_info_t) : sizeof(zx_handle_t);
  ptr_t rd_bytes = out_ptr(rd_bytes_n < 4096 ? rd_bytes_n : 4096, -1, false);
  uint64_t rd_handles = tail_at(TAIL_BYTES - 128);  // apart from the list at the very end
  memset((void*)(uintptr_t)rd_handles, 0, 4 * hsize);
  uint64_t ab = tail_at(TAIL_BYTES), ah = tail_at(TAIL_BYTES) + 8;
  int av = PV_VALID;
  if (chance(50)) {
    ah = chance(500) ? 0 : hostile_ptr(4, true);
    av = classify_ptr(ah, 4, true) == PV_INVALID || ah == 0 ? PV_INVALID : PV_UNKNOWN;
  }
  // The arguments: in scratch (the kernel reads them first), or unreadable.
  uint64_t args_p = tail_at(TAIL_BYTES) + 16;
  bool args_ok = true;
  if (chance(30)) {
    // Unreadable arguments (never readable bytes that are not arguments: their list
    // pointer could name anything).
    args_p = hostile_ptr(sizeof(zx_channel_call_args_t), false);
    args_ok = false;
    if (classify_ptr(args_p, sizeof(zx_channel_call_args_t), false) != PV_INVALID) {
      args_p = 0;
    }
  } else {
    zx_channel_call_args_t a = {
        .wr_bytes = (const void*)(uintptr_t)bytes,
        .wr_handles = (const zx_handle_t*)(uintptr_t)list,
        .rd_bytes = (void*)(uintptr_t)rd_bytes.p,
        .rd_handles = (zx_handle_t*)(uintptr_t)rd_handles,
        .wr_num_bytes = count,
        .wr_num_handles = (uint32_t)n,
        .rd_num_bytes = rd_bytes_n,
        .rd_num_handles = rd_handles_n,
    };
    memcpy((void*)(uintptr_t)args_p, &a, sizeof a);
  }
  if (!args_ok) {
    for (int i = 0; i < n; i++) {
      consumed[i] = false;  // the kernel never saw the list
    }
  }
  zx_time_t deadline = pick_deadline();

  zx_status_t want;
  zx_status_t lk = want_lookup(&c, K_CHANNEL, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  bool queued = false;  // the request stays at the peer (the model tracks it)
  if (!args_ok || (options & ~ZX_CHANNEL_WRITE_USE_IOVEC)) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (lk != ZX_OK) {
    want = lk;
  } else if (n > (int)ZX_CHANNEL_MAX_MSG_HANDLES) {
    want = ZX_ERR_OUT_OF_RANGE;
  } else if (want_bytes != ZX_OK) {
    want = want_bytes;
  } else if (nbytes < sizeof(zx_txid_t)) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (n > 0 && readable < n) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (take != ZX_OK) {
    want = take;
  } else {
    int open = peer_open(chan);
    if (open == 0) {
      want = ZX_ERR_PEER_CLOSED;
    } else if (open == 1 && dest >= 0 && !blind) {
      want = ZX_ERR_TIMED_OUT;  // nobody else holds the peer: no reply can come
      queued = true;
    } else {
      want = WANT_ANY;
    }
  }
  if (chan >= 0 && objs[chan].ctrl_of >= 0) {
    objs[objs[chan].ctrl_of].desync = true;
  }
  zx_status_t st;
  if (etc) {
    CALL(SC_CHANNEL_CALL_ETC, c.h, options, (uint64_t)deadline, args_p, ab, ah);
    st = zx_channel_call_etc(c.h, options, deadline,
                             (zx_channel_call_etc_args_t*)(uintptr_t)args_p,
                             (uint32_t*)(uintptr_t)ab, (uint32_t*)(uintptr_t)ah);
  } else {
    CALL(SC_CHANNEL_CALL, c.h, options, (uint64_t)deadline, args_p, ab, ah);
    st = zx_channel_call(c.h, options, deadline, (const zx_channel_call_args_t*)(uintptr_t)args_p,
                         (uint32_t*)(uintptr_t)ab, (uint32_t*)(uintptr_t)ah);
  }
  call_end(st, (!args_ok || (options & ~ZX_CHANNEL_WRITE_USE_IOVEC) || n > 0) ? -1 : c.live);
  expect(st, want, etc ? "zx_channel_call_etc" : "zx_channel_call");
  // The request (and the handles in it) stays at the peer unless the call failed before
  // sending it, as predicted; where the model cannot tell, its handles escape.
  bool failed_before = want != WANT_ANY && st == want && want != ZX_ERR_TIMED_OUT;
  if (queued && st == ZX_ERR_TIMED_OUT && nbytes != UINT32_MAX) {
    model_queue(dest, nbytes, l, n, into, rights_to);
    objs[chan].sent++;
    settle_list(l, n, consumed, false);
  } else {
    if (!failed_before) {
      blind_writes++;
      if (dest >= 0) {
        objs[dest].foreign_writes = true;  // something the model did not follow
      }
    }
    settle_list(l, n, consumed, !failed_before);
  }
  if (st == ZX_OK && av == PV_VALID && ah != 0) {
    uint32_t got = load_u32(ah);
    if (got > rd_handles_n) {
      violation(V_OUTPUT, "zx_channel_call said OK with %u handles for %u", got, rd_handles_n);
      got = rd_handles_n;
    }
    adopt_read_handles(rd_handles, etc, -1, got > 4 ? 4 : (int)got, chan);
  }
}

static void op_channel_call(void) { op_channel_call_common(false); }
static void op_channel_call_etc(void) { op_channel_call_common(true); }

// --- Ports ---------------------------------------------------------------------------------

static void op_port_create(void) {
  uint32_t options = chance(900) ? 0 : chance(300) ? ZX_PORT_BIND_TO_INTERRUPT
                                                   : random_bit_or_word();
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  CALL(SC_PORT_CREATE, options, out.p);
  zx_status_t st = zx_port_create(options, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, -1);
  zx_status_t want = options != 0 && options != ZX_PORT_BIND_TO_INTERRUPT ? ZX_ERR_INVALID_ARGS
                     : out.validity == PV_INVALID ? ZX_ERR_INVALID_ARGS
                     : out.validity == PV_UNKNOWN ? WANT_ANY
                                                  : ZX_OK;
  expect(st, want, "zx_port_create");
  if (st == ZX_OK && out.validity == PV_VALID) {
    int s = adopt(load_u32(out.p), K_PORT, S_OWNED, ZX_DEFAULT_PORT_RIGHTS, -1);
    if (s >= 0) {
      objs[slots[s].obj].exact = true;
    }
  }
}

// The port of a port handle argument, or -1.
static int port_obj(const harg_t* h) {
  int o = obj_of(h);
  return o >= 0 && objs[o].kind == K_PORT ? o : -1;
}

// The key of every user packet the fuzzer queues: this thread's, and a count, so the
// packet read back can be recognised (the last ones queued are remembered: a packet
// queued through a pointer into the middle of one may carry a key-like word too).
static FUZZ_TLS uint64_t packet_counter;
#define PACKET_KEYS 32
static FUZZ_TLS uint64_t packet_keys[PACKET_KEYS];

static bool packet_key_known(uint64_t key) {
  for (int i = 0; i < PACKET_KEYS; i++) {
    if (packet_keys[i] == key && key != 0) {
      return true;
    }
  }
  return false;
}

static void op_port_queue(void) {
  harg_t p = pick_handle_with(K_PORT, false, ZX_RIGHT_WRITE);
  int o = port_obj(&p);
  if (port_queues >= MAX_PORT_QUEUES || (o >= 0 && objs[o].user_max >= MAX_PORT_QUEUES)) {
    return;
  }
  zx_port_packet_t packet;
  memset(&packet, 0, sizeof packet);
  packet.key = ((uint64_t)0xf0 << 56) | packet_counter++;
  packet.type = chance(800) ? ZX_PKT_TYPE_USER : (uint32_t)rnd64();
  packet.status = chance(800) ? ZX_OK : (zx_status_t)rnd64();
  packet.user.u64[0] = packet.key;
  packet.user.u64[1] = ~packet.key;
  ptr_t in = in_ptr(sizeof packet, -1, &packet, sizeof packet);
  if (chance(700)) {
    in.p = (uint64_t)(uintptr_t)&packet;
    in.validity = PV_VALID;
  } else if (in.validity == PV_VALID && in.p >= (uintptr_t)mem.scratch &&
             in.p + sizeof packet <= mem.scratch_end) {
    memcpy((void*)(uintptr_t)in.p, &packet, sizeof packet);
  }
  bool ours = in.p == (uint64_t)(uintptr_t)&packet || (in.validity == PV_VALID &&
                                                       in.p >= (uintptr_t)mem.scratch &&
                                                       in.p + sizeof packet <= mem.scratch_end);
  zx_status_t lk = want_lookup(&p, K_PORT, ZX_RIGHT_WRITE);
  zx_status_t want = lk != ZX_OK                    ? lk
                     : in.validity == PV_INVALID   ? ZX_ERR_INVALID_ARGS
                     : in.validity == PV_UNKNOWN   ? WANT_ANY
                                                   : ZX_OK;
  CALL(SC_PORT_QUEUE, p.h, in.p);
  zx_status_t st = zx_port_queue(p.h, (const zx_port_packet_t*)(uintptr_t)in.p);
  call_end(st, p.live);
  expect(st, want, "zx_port_queue");
  if (st == ZX_OK) {
    port_queues++;
    if (ours) {
      packet_keys[packet.key % PACKET_KEYS] = packet.key;
    }
    if (o >= 0) {
      objs[o].user_max++;
      if (ours && !objs[o].escaped) {
        objs[o].user_min++;
      } else {
        objs[o].may_signal = true;  // something unrecognisable may come out
      }
    }
  }
}

static void op_port_wait(void) {
  harg_t p = pick_handle_with(K_PORT, false, ZX_RIGHT_READ);
  int o = port_obj(&p);
  ptr_t out = out_ptr(sizeof(zx_port_packet_t), -1, false);
  if (out.validity == PV_VALID) {
    memset((void*)(uintptr_t)out.p, 0xa5, sizeof(zx_port_packet_t));
  }
  zx_time_t deadline = pick_deadline();
  zx_status_t lk = want_lookup(&p, K_PORT, ZX_RIGHT_READ);
  zx_status_t want = WANT_ANY;
  if (lk != ZX_OK) {
    want = lk;
  } else if (o >= 0 && !objs[o].escaped && objs[o].user_min > 0) {
    want = out.validity == PV_VALID     ? ZX_OK
           : out.validity == PV_INVALID ? ZX_ERR_INVALID_ARGS
                                        : WANT_ANY;
  } else if (o >= 0 && !objs[o].escaped && objs[o].user_max == 0 && !objs[o].may_signal) {
    want = ZX_ERR_TIMED_OUT;
  }
  CALL(SC_PORT_WAIT, p.h, (uint64_t)deadline, out.p);
  zx_status_t st = zx_port_wait(p.h, deadline, (zx_port_packet_t*)(uintptr_t)out.p);
  call_end(st, p.live);
  expect(st, want, "zx_port_wait");
  if (o < 0 || (st != ZX_OK && st != ZX_ERR_INVALID_ARGS)) {
    return;
  }
  if (st == ZX_OK && out.validity == PV_VALID) {
    zx_port_packet_t got;
    memcpy(&got, (const void*)(uintptr_t)out.p, sizeof got);
    if (got.type == ZX_PKT_TYPE_USER && packet_key_known(got.key)) {
      if (objs[o].user_max > 0) {
        objs[o].user_max--;
      }
      if (objs[o].user_min > 0) {
        objs[o].user_min--;
      }
      packet_keys[got.key % PACKET_KEYS] = 0;
      if (got.user.u64[0] != got.key || got.user.u64[1] != ~got.key) {
        violation(V_OUTPUT, "zx_port_wait: a user packet's payload changed on the way");
      }
    } else if (got.type == ZX_PKT_TYPE_SIGNAL_ONE) {
      if (!objs[o].may_signal) {
        violation(V_OUTPUT, "zx_port_wait gave a signal packet on a port nothing registered on");
      }
      if (got.status != ZX_OK || got.signal.count != 1 ||
          (got.signal.trigger & got.signal.observed) == 0) {
        // Level or edge, a packet fires because a watched signal is up.
        violation(V_OUTPUT,
                  "zx_port_wait: signal packet status %d count %" PRIu64
                  " trigger %#x observed %#x",
                  got.status, got.signal.count, got.signal.trigger, got.signal.observed);
      }
    } else if (got.type == ZX_PKT_TYPE_USER) {
      if (objs[o].user_max > 0) {
        objs[o].user_max--;  // (one queued through an unrecognisable pointer)
      }
    } else {
      violation(V_OUTPUT, "zx_port_wait: a packet of type %u", got.type);
    }
  } else {
    // Lost in the copy (or unreadable here): which kind is not known.
    if (objs[o].user_min > 0 && !objs[o].may_signal) {
      objs[o].user_min--;
      objs[o].user_max--;
    } else if (objs[o].user_min > 0) {
      objs[o].user_min--;
    }
  }
}

static zx_signals_t pick_signals(void) {
  static const zx_signals_t sets[] = {ZX_CHANNEL_READABLE,
                                      ZX_CHANNEL_WRITABLE,
                                      ZX_CHANNEL_PEER_CLOSED,
                                      ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                                      ZX_EVENT_SIGNALED,
                                      ZX_USER_SIGNAL_0,
                                      ZX_TASK_TERMINATED,
                                      0};
  return chance(800) ? sets[rnd(sizeof sets / sizeof sets[0])] : random_bit_or_word();
}

static void op_object_wait_async(void) {
  harg_t h = pick_handle(K_NONE, false);
  harg_t p = pick_handle_with(K_PORT, false, ZX_RIGHT_WRITE);
  int o = port_obj(&p);
  if (wait_asyncs >= MAX_WAIT_ASYNCS || (o >= 0 && objs[o].observers >= MAX_WAIT_ASYNCS)) {
    return;
  }
  uint64_t key = chance(500) ? rnd(4) : rnd64();
  zx_signals_t signals = pick_signals();
  uint32_t options = chance(900) ? (uint32_t)rnd(4) : random_bit_or_word();
  zx_status_t want;
  zx_status_t lk = want_lookup(&p, K_PORT, ZX_RIGHT_WRITE);
  if (options & ~(ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_EDGE)) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (lk != ZX_OK) {
    want = lk;
  } else if (h.live != 1) {
    want = ZX_ERR_BAD_HANDLE;
  } else if (h.slot < 0) {
    want = WANT_ANY;
  } else if (!(slots[h.slot].rights & ZX_RIGHT_WAIT)) {
    want = ZX_ERR_ACCESS_DENIED;
  } else {
    int w = waitable(slots[h.slot].kind);
    want = w == 1 ? ZX_OK : w == -1 ? ZX_ERR_NOT_SUPPORTED : WANT_ANY;
  }
  CALL(SC_OBJECT_WAIT_ASYNC, h.h, p.h, key, signals, options);
  zx_status_t st = zx_object_wait_async(h.h, p.h, key, signals, options);
  call_end(st, -1);
  expect(st, want, "zx_object_wait_async");
  if (st == ZX_OK) {
    wait_asyncs++;
    if (o >= 0) {
      objs[o].observers++;
      objs[o].may_signal = true;
      if (objs[o].nregs < 8) {
        objs[o].regs[objs[o].nregs].source = h.h;
        objs[o].regs[objs[o].nregs].key = key;
        objs[o].nregs++;
      } else {
        objs[o].regs_full = true;
      }
    }
  }
}

static void op_port_cancel(void) {
  harg_t p = pick_handle_with(K_PORT, false, ZX_RIGHT_WRITE);
  int o = port_obj(&p);
  harg_t src;
  uint64_t key;
  if (o >= 0 && objs[o].nregs > 0 && chance(700)) {
    int r = (int)rnd((uint64_t)objs[o].nregs);
    src = classify_handle(objs[o].regs[r].source);
    if (src.live == 1 && src.slot < 0) {
      src = classify_handle(ZX_HANDLE_INVALID);  // (never a private handle)
    }
    key = chance(850) ? objs[o].regs[r].key : rnd64();
  } else {
    src = pick_handle(K_NONE, false);
    key = chance(500) ? rnd(4) : rnd64();
  }
  bool registered = o < 0 || objs[o].regs_full || objs[o].escaped;
  for (int i = 0; o >= 0 && i < objs[o].nregs; i++) {
    registered |= objs[o].regs[i].source == src.h && objs[o].regs[i].key == key;
  }
  zx_status_t want;
  zx_status_t lk = want_lookup(&p, K_PORT, ZX_RIGHT_WRITE);
  if (lk != ZX_OK) {
    want = lk;
  } else if (src.live != 1) {
    want = ZX_ERR_BAD_HANDLE;
  } else if (src.slot < 0) {
    want = WANT_ANY;
  } else if (!(slots[src.slot].rights & ZX_RIGHT_WAIT)) {
    want = ZX_ERR_ACCESS_DENIED;
  } else if (waitable(slots[src.slot].kind) == -1) {
    want = ZX_ERR_NOT_SUPPORTED;
  } else if (waitable(slots[src.slot].kind) == 0 || registered) {
    want = WANT_ANY;  // (OK, or NOT_FOUND once it fired and was read)
  } else {
    want = ZX_ERR_NOT_FOUND;
  }
  CALL(SC_PORT_CANCEL, p.h, src.h, key);
  zx_status_t st = zx_port_cancel(p.h, src.h, key);
  call_end(st, -1);
  expect(st, want, "zx_port_cancel");
}

// --- Jobs and processes -------------------------------------------------------------------

static bool make_base_job(void);

// The base job was killed through the pool: its children are gone; a new one takes its
// place (the old one stays in the model, killed, for the handles the pool still has).
// Killed base jobs, kept (with the objs index their private handle counts in) until the
// end of the epoch, which waits for each to be TERMINATED.
#define MAX_RETIRED 8
static FUZZ_TLS zx_handle_t retired_jobs[MAX_RETIRED];
static FUZZ_TLS int retired_objs[MAX_RETIRED];
static FUZZ_TLS int nretired;

static void retire_base_job(void) {
  COUNT(base_jobs_killed);
  int old = base_obj;
  base_obj = -1;
  if (nretired < MAX_RETIRED) {
    retired_jobs[nretired] = base_job;
    retired_objs[nretired++] = old;
  } else {
    zx_handle_close(base_job);
    remove_private(base_job);
    objs[old].refs--;
    obj_release(old);
  }
  make_base_job();
}

// Marks a task and everything the model knows below it killed.
static void kill_obj(int o, int depth) {
  if (o < 0 || depth > FUZZ_MAX_OBJS) {
    return;
  }
  objs[o].killed = true;
  if (objs[o].kind == K_PROCESS) {
    objs[o].pstate = P_KILLED;
    if (objs[o].vmar_keeper != ZX_HANDLE_INVALID) {
      zx_handle_close(objs[o].vmar_keeper);  // (it can never start now)
      remove_private(objs[o].vmar_keeper);
      objs[o].vmar_keeper = ZX_HANDLE_INVALID;
    }
    return;
  }
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    if (objs[i].used && objs[i].parent == o && i != o &&
        (objs[i].kind == K_JOB || objs[i].kind == K_PROCESS)) {
      kill_obj(i, depth + 1);
    }
  }
}

// True if the model knows job `o` has a child that is alive.
static bool has_live_child(int o) {
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    // (A started process may have exited and left; a job or a process that never ran
    // lives while the model holds a handle to it.)
    if (objs[i].used && objs[i].parent == o && !objs[i].killed && !objs[i].escaped &&
        (objs[i].kind == K_JOB || (objs[i].kind == K_PROCESS && objs[i].pstate == P_INITIAL))) {
      return true;
    }
  }
  return false;
}

static int live_children(void) {
  int n = 0;
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    n += objs[i].used && objs[i].kind == K_PROCESS && objs[i].vmar_keeper != ZX_HANDLE_INVALID &&
         !objs[i].killed;
  }
  return n;
}

// What the pool lacks for the process calls to reach their paths: 0 nothing, 1 a child
// that never ran (to start), 2 a running mini-process (to command).
static int child_stock(void) {
  bool initial = false, mini = false;
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    if (objs[i].used && objs[i].kind == K_PROCESS && !objs[i].killed) {
      initial |= objs[i].pstate == P_INITIAL && objs[i].vmar_keeper != ZX_HANDLE_INVALID;
      mini |= objs[i].mini && objs[i].pstate == P_RUNNING;
    }
  }
  return mini ? 0 : initial ? 2 : 1;
}

static void op_job_create(void) {
  harg_t parent = pick_handle_with(K_JOB, false, ZX_RIGHT_MANAGE_JOB);
  uint32_t options = chance(920) ? 0 : random_bit_or_word();
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  int po = obj_of(&parent);
  zx_status_t lk = want_lookup(&parent, K_JOB, ZX_RIGHT_MANAGE_JOB);
  zx_status_t want;
  if (options != 0) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (lk != ZX_OK) {
    want = lk;
  } else if (objs[po].height < 0) {
    want = WANT_ANY;
  } else if (objs[po].height == 0) {
    want = ZX_ERR_OUT_OF_RANGE;
  } else if (objs[po].killed) {
    want = ZX_ERR_BAD_STATE;
  } else if (objs[po].escaped) {
    want = WANT_ANY;
  } else {
    want = out.validity == PV_VALID     ? ZX_OK
           : out.validity == PV_INVALID ? ZX_ERR_INVALID_ARGS
                                        : WANT_ANY;
  }
  CALL(SC_JOB_CREATE, parent.h, options, out.p);
  zx_status_t st = zx_job_create(parent.h, options, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, options ? -1 : parent.live);
  expect(st, want, "zx_job_create");
  if (st == ZX_OK && out.validity == PV_VALID) {
    int s = adopt(load_u32(out.p), K_JOB, S_OWNED, ZX_DEFAULT_JOB_RIGHTS, -1);
    if (s >= 0) {
      obj_t* j = &objs[slots[s].obj];
      j->exact = true;
      j->parent = po;
      j->height = po >= 0 && objs[po].height > 0 ? objs[po].height - 1 : -1;
    }
  }
}

static void op_process_create(void) {
  harg_t job = pick_handle_with(K_JOB, false, ZX_RIGHT_MANAGE_PROCESS);
  uint64_t name_size = chance(800) ? rnd(40) : pick_size(32);
  char local[64];
  memset(local, 'p', sizeof local);
  uint64_t name_len = name_size < ZX_MAX_NAME_LEN ? name_size : ZX_MAX_NAME_LEN;
  ptr_t name = in_ptr(name_len, -1, local, sizeof local);
  if (chance(30)) {
    name = (ptr_t){0, PV_INVALID};
  }
  uint32_t options = chance(900) ? 0 : chance(500) ? ZX_PROCESS_SHARED : random_bit_or_word();
  ptr_t out_p, out_v;
  two_outs(&out_p, &out_v);
  if (live_children() >= MAX_CHILDREN) {
    name = (ptr_t){0, PV_INVALID};  // make none: a child per thread is kept private
  }
  int jo = obj_of(&job);
  int nv = name.p == 0 ? PV_INVALID : name_len == 0 ? PV_VALID : name.validity;
  if (nv == PV_INVALID && name.p != 0 && (uintptr_t)local <= name.p &&
      name.p - (uintptr_t)local < sizeof local) {
    nv = PV_UNKNOWN;
  }
  zx_status_t lk = want_lookup(&job, K_JOB, ZX_RIGHT_MANAGE_PROCESS);
  zx_status_t want;
  if (options != 0 && options != ZX_PROCESS_SHARED) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (nv == PV_INVALID) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (nv == PV_UNKNOWN) {
    want = WANT_ANY;
  } else if (lk != ZX_OK) {
    want = lk;
  } else if (options == ZX_PROCESS_SHARED) {
    want = ZX_ERR_NOT_SUPPORTED;
  } else if (objs[jo].killed) {
    want = ZX_ERR_BAD_STATE;
  } else if (objs[jo].escaped) {
    want = WANT_ANY;
  } else if (out_p.validity == PV_INVALID || out_v.validity == PV_INVALID) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (out_p.validity == PV_UNKNOWN || out_v.validity == PV_UNKNOWN) {
    want = WANT_ANY;
  } else {
    want = ZX_OK;
  }
  CALL(SC_PROCESS_CREATE, job.h, name.p, name_size, options, out_p.p, out_v.p);
  zx_status_t st = zx_process_create(job.h, (const char*)(uintptr_t)name.p, name_size, options,
                                     (zx_handle_t*)(uintptr_t)out_p.p,
                                     (zx_handle_t*)(uintptr_t)out_v.p);
  call_end(st, (options & ~ZX_PROCESS_SHARED) || nv != PV_VALID ? -1 : job.live);
  expect(st, want, "zx_process_create");
  if (st != ZX_OK || out_p.validity != PV_VALID || out_v.validity != PV_VALID) {
    return;
  }
  int sp = adopt(load_u32(out_p.p), K_PROCESS, S_OWNED, ZX_DEFAULT_PROCESS_RIGHTS, -1);
  zx_handle_t vmar = load_u32(out_v.p);
  zx_handle_t keeper = ZX_HANDLE_INVALID;
  if (nprivate < FUZZ_MAX_PRIVATE &&
      zx_handle_duplicate(vmar, ZX_RIGHT_SAME_RIGHTS, &keeper) == ZX_OK) {
    add_private(keeper);
  }
  int sv = adopt(vmar, K_VMAR, S_OWNED | S_FOREIGN, ANY_RIGHTS, -1);
  if (sv >= 0) {
    zx_info_vmar_t info;
    memset(&info, 0, sizeof info);
    zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof info, NULL, NULL);
    objs[slots[sv].obj].base = info.base;
    objs[slots[sv].obj].size = info.len;
  }
  if (sp >= 0) {
    obj_t* p = &objs[slots[sp].obj];
    p->exact = true;
    p->parent = jo;
    p->pstate = P_INITIAL;
    p->vmar_keeper = keeper;
  } else if (keeper != ZX_HANDLE_INVALID) {
    zx_handle_close(keeper);
    remove_private(keeper);
  }
}

// The process a thread handle's thread belongs to (objs index), or -1.
static int thread_owner(const harg_t* t) {
  int o = obj_of(t);
  return o >= 0 && objs[o].kind == K_THREAD ? objs[o].parent : -1;
}

// The mini-process context message (<mini-process/mini-process.h>'s protocol: "ZRKMINIP",
// version 1): the child checks it before it acknowledges.
typedef struct {
  uint64_t magic;
  uint32_t version;
  uint32_t reserved;
} fuzz_minip_ctx_t;

// Gets a child ready to start: code and a stack in its address space (a mini-process
// or one of <zrk/child_process.h>'s tiny programs). Returns false if it could not.
// Mini-processes get a control channel: our end is adopted (*ctrl_slot), the child's
// end is *arg1, and an owned handle may travel in the context message.
static bool prepare_child(int po, zx_handle_t keep0, zx_handle_t keep1, bool may_spin,
                          uint64_t* entry, uint64_t* stack, zx_handle_t* arg1, uint64_t* arg2,
                          int* ctrl_slot, bool* mini, bool* spin) {
  zx_handle_t vmar = objs[po].vmar_keeper;
  *ctrl_slot = -1;
  *mini = false;
  *spin = false;
  if (chance(750)) {
    zx_vaddr_t base = 0, sp = 0;
    if (mini_process_load_stack(vmar, true, &base, &sp) != ZX_OK) {
      return false;
    }
    zx_handle_t ch[2];
    if (zx_channel_create(0, &ch[0], &ch[1]) != ZX_OK) {
      return false;
    }
    fuzz_minip_ctx_t ctx = {0x50494e494d4b525aull, 1, 0};
    zx_handle_t transfer = ZX_HANDLE_INVALID;
    uint8_t transfer_kind = K_NONE;
    int ts = chance(400) ? random_slot(K_NONE, S_OWNED) : -1;
    if (ts >= 0 && !(slots[ts].flags & (S_SELF | S_ROOT | S_NODESTROY)) &&
        (slots[ts].rights & ZX_RIGHT_TRANSFER) && slots[ts].h != keep0 && slots[ts].h != keep1) {
      transfer = slots[ts].h;
      transfer_kind = slots[ts].kind;
    }
    zx_status_t w = zx_channel_write(ch[0], 0, &ctx, sizeof ctx, &transfer, transfer ? 1 : 0);
    if (transfer != ZX_HANDLE_INVALID) {
      escape_slot(slot_of(transfer));  // into the message, then into the child
    }
    if (w != ZX_OK) {
      zx_handle_close(ch[0]);
      zx_handle_close(ch[1]);
      return false;
    }
    *ctrl_slot = adopt(ch[0], K_CHANNEL, S_OWNED, ZX_DEFAULT_CHANNEL_RIGHTS, -1);
    if (*ctrl_slot >= 0) {
      obj_t* c = &objs[slots[*ctrl_slot].obj];
      c->exact = true;
      c->foreign_writes = true;  // the child answers on it
      c->ctrl_of = po;
    }
    objs[po].transfer_kind = transfer_kind;
    *entry = base;
    *stack = sp;
    *arg1 = ch[1];
    *arg2 = chance(950) || !may_spin ? 1 : 0;  // commands, or (rarely) spin
    *mini = *arg2 == 1;
    *spin = !*mini;
    return true;
  }
  static const struct {
    const uint32_t* code;
    size_t count;
  } programs[] = {
      {ZRK_CHILD_EXIT_ARG2, ZRK_CHILD_LEN(ZRK_CHILD_EXIT_ARG2)},
      {ZRK_CHILD_EXIT_X0, ZRK_CHILD_LEN(ZRK_CHILD_EXIT_X0)},
      {ZRK_CHILD_CLOSE_X0, ZRK_CHILD_LEN(ZRK_CHILD_CLOSE_X0)},
      {ZRK_CHILD_VMO_CREATE, ZRK_CHILD_LEN(ZRK_CHILD_VMO_CREATE)},
      {ZRK_CHILD_SPIN, ZRK_CHILD_LEN(ZRK_CHILD_SPIN)},
  };
  size_t which = rnd(sizeof programs / sizeof programs[0]);
  if (which == 4 && (!may_spin || !chance(200))) {
    which = 0;  // spinning children cost CPU until killed: rare, and killed at once
  }
  zx_handle_t code = ZX_HANDLE_INVALID, stk = ZX_HANDLE_INVALID;
  zx_vaddr_t code_at = 0, stack_at = 0;
  bool ok = zx_vmo_create(FUZZ_PAGE, 0, &code) == ZX_OK &&
            zx_vmo_write(code, programs[which].code, 0, programs[which].count * 4) == ZX_OK &&
            zx_vmo_replace_as_executable(code, zrk_startup()->vmex_resource, &code) == ZX_OK &&
            zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code, 0, FUZZ_PAGE,
                        &code_at) == ZX_OK &&
            zx_vmo_create(ZRK_CHILD_STACK_SIZE, 0, &stk) == ZX_OK &&
            zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stk, 0, ZRK_CHILD_STACK_SIZE,
                        &stack_at) == ZX_OK;
  zx_handle_close(code);
  zx_handle_close(stk);
  if (!ok) {
    return false;
  }
  *entry = code_at;
  *stack = stack_at + ZRK_CHILD_STACK_SIZE;
  *arg1 = ZX_HANDLE_INVALID;
  int ts = chance(500) ? random_slot(K_NONE, S_OWNED) : -1;
  if (ts >= 0 && !(slots[ts].flags & (S_SELF | S_ROOT | S_NODESTROY)) && slots[ts].h != keep0 &&
      slots[ts].h != keep1) {
    *arg1 = slots[ts].h;
  }
  *arg2 = rnd(256);
  *spin = which == 4;
  return true;
}

static void op_process_start(void) {
  harg_t proc = pick_handle_with(K_PROCESS, false, ZX_RIGHT_WRITE);
  int po = obj_of(&proc);
  if (po >= 0 && objs[po].kind != K_PROCESS) {
    po = -1;
  }
  // A thread of that process, mostly.
  harg_t thr = classify_handle(ZX_HANDLE_INVALID);
  for (int i = 0; i < nslots && po >= 0 && chance(900); i++) {
    if (slots[i].kind == K_THREAD && objs[slots[i].obj].parent == po &&
        !objs[slots[i].obj].started) {
      thr = classify_handle(slots[i].h);
      break;
    }
  }
  if (thr.live != 1 && po >= 0 && objs[po].pstate == P_INITIAL && chance(700) &&
      owned_count() < FUZZ_MAX_OWNED) {
    // Make one (not a fuzzed call: the process needs a thread to start).
    zx_handle_t t = ZX_HANDLE_INVALID;
    if (zx_thread_create(proc.h, "fuzzed", 6, 0, &t) == ZX_OK) {
      int s = adopt(t, K_THREAD, S_OWNED, ANY_RIGHTS, -1);
      if (s >= 0) {
        objs[slots[s].obj].parent = po;
        objs[slots[s].obj].exact = true;
        thr = classify_handle(t);
      }
    }
  }
  if (thr.live != 1 && chance(800)) {
    thr = pick_handle_with(K_THREAD, false, ZX_RIGHT_WRITE);
  }
  uint64_t entry = 0, stack = 0, arg2 = rnd64();
  zx_handle_t arg1 = ZX_HANDLE_INVALID;
  int ctrl_slot = -1;
  bool mini = false, spin = false, prepared = false;
  if (po >= 0 && objs[po].pstate == P_INITIAL && objs[po].vmar_keeper != ZX_HANDLE_INVALID &&
      thr.slot >= 0 && objs[slots[thr.slot].obj].parent == po && chance(800)) {
    // A child that would spin is killed right after it starts, through this handle.
    bool may_spin = proc.slot >= 0 && (slots[proc.slot].rights & ZX_RIGHT_DESTROY);
    prepared = prepare_child(po, proc.h, thr.h, may_spin, &entry, &stack, &arg1, &arg2,
                             &ctrl_slot, &mini, &spin);
    // (slots may have moved: look the handles up again)
    proc = classify_handle(proc.h);
    thr = classify_handle(thr.h);
  }
  zx_handle_t ctrl_h = ctrl_slot >= 0 ? slots[ctrl_slot].h : ZX_HANDLE_INVALID;
  int to = thr.slot >= 0 ? slots[thr.slot].obj : -1;
  if (!prepared) {
    // Hostile starts: an entry the kernel refuses, or 0 or an unmapped user address (the
    // child faults at once and dies); never an address where anything is mapped.
    switch (rnd(6)) {
      case 0:
        entry = 0;
        break;
      case 1:
        entry = 0xffff000000000000ull + rnd(FUZZ_PAGE);
        break;
      case 2:
        entry = 0x0001000000000000ull;
        break;
      case 3:
        entry = 0x1000;
        break;
      case 4:
        entry = ZRK_USER_TOP - 4;
        break;
      default:
        entry = 0x7f0000000000ull;  // a user address nothing maps in a child
    }
    stack = chance(500) ? rnd64() : 0x7f0000001000ull;
    harg_t a = chance(600) ? pick_handle(K_NONE, true) : classify_handle(ZX_HANDLE_INVALID);
    if (a.slot >= 0 && (slots[a.slot].flags & (S_SELF | S_ROOT | S_NODESTROY))) {
      a = classify_handle(ZX_HANDLE_INVALID);
    }
    arg1 = a.h;
  }
  harg_t a1 = classify_handle(arg1);
  zx_status_t want;
  zx_status_t lp = want_lookup(&proc, K_PROCESS, ZX_RIGHT_WRITE);
  zx_status_t lt = want_lookup(&thr, K_THREAD, ZX_RIGHT_WRITE);
  int owner = thread_owner(&thr);
  bool user_entry = entry == 0 || (entry >= 0x200000 && entry < ZRK_USER_TOP - 16 * 1024 * 1024);
  bool kernel_entry = entry >= ZRK_USER_TOP || (entry != 0 && entry < 0x200000);
  if (lp != ZX_OK) {
    want = lp;
  } else if (lt != ZX_OK) {
    want = lt;
  } else if (owner < 0 || po < 0) {
    want = WANT_ANY;
  } else if (owner != po) {
    want = ZX_ERR_ACCESS_DENIED;
  } else if (a1.slot >= 0 && !(slots[a1.slot].rights & ZX_RIGHT_TRANSFER)) {
    want = ZX_ERR_ACCESS_DENIED;
  } else if (objs[po].pstate == P_UNKNOWN) {
    want = WANT_ANY;
  } else if (objs[po].pstate != P_INITIAL) {
    want = ZX_ERR_BAD_STATE;
  } else if (kernel_entry) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (!user_entry) {
    want = WANT_ANY;
  } else if (objs[to].started) {
    want = ZX_ERR_BAD_STATE;
  } else {
    want = ZX_OK;
  }
  CALL(SC_PROCESS_START, proc.h, thr.h, entry, stack, arg1, arg2);
  zx_status_t st = zx_process_start(proc.h, thr.h, entry, stack, arg1, arg2);
  call_end(st, thr.live == 1 ? proc.live : -1);
  expect(st, want, "zx_process_start");
  // The model first (object indices stay put), then arg1: it left the fuzzer whatever
  // happened, into the child or closed.
  int cs = slot_of(ctrl_h);
  if (cs >= 0 && st != ZX_OK) {
    obj_t* c = &objs[slots[cs].obj];
    c->foreign_writes = false;  // the child's end was closed with the failed start
    c->peer_closed = true;
    c->ctrl_of = -1;
  }
  if (st == ZX_OK) {
    COUNT(children_started);
    if (mini) {
      COUNT(minis_started);
    }
  }
  if (st == ZX_OK && po >= 0 && objs[po].kind == K_PROCESS) {
    objs[po].pstate = P_RUNNING;
    objs[po].mini = mini;
    objs[po].spin = spin;
    // A mini-process first acknowledges the context message: {16 bytes, its handles}.
    objs[po].npending = mini ? 1 : 0;
    objs[po].pending[0] = MINIP_ACK;
    objs[po].desync = false;
  }
  if (st == ZX_OK && to >= 0) {
    objs[to].started = true;
  }
  int s1 = slot_of(arg1);
  if (s1 >= 0) {
    zx_status_t v = zx_object_get_info(arg1, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL);
    if (v != ZX_ERR_BAD_HANDLE) {
      violation(V_HANDLES, "zx_process_start left arg1 %#x in the caller's table", arg1);
    }
    if (st == ZX_OK) {
      escape_slot(s1);
    } else {
      drop_slot(s1);
    }
  }
  // A spinning child takes a CPU until it dies: let it run a moment, then kill it there.
  int ps = po >= 0 ? slot_naming(po, ZX_RIGHT_DESTROY) : -1;
  if (st == ZX_OK && spin && ps >= 0) {
    zx_nanosleep(zx_clock_get_monotonic() + (zx_time_t)rnd(2000000));
    CALL(SC_TASK_KILL, slots[ps].h);
    zx_status_t k = zx_task_kill(slots[ps].h);
    call_end(k, 1);
    expect(k, ZX_OK, "zx_task_kill of a running child");
    kill_obj(po, 0);
  }
}

static void op_task_kill(void) {
  uint64_t r = rnd(100);
  harg_t h = pick_handle(r < 55 ? K_PROCESS : r < 85 ? K_JOB : K_NONE, false);
  if (h.slot >= 0 && (slots[h.slot].flags & S_SELF)) {
    h = classify_handle(ZX_HANDLE_INVALID);  // never the fuzzer itself
  }
  // Killing the base job ends every child of the thread until the epoch ends: rare.
  if (h.slot >= 0 && slots[h.slot].obj == base_obj && !chance(100)) {
    h = pick_handle(K_PROCESS, false);
    if (h.slot >= 0 && (slots[h.slot].flags & S_SELF)) {
      h = classify_handle(ZX_HANDLE_INVALID);
    }
  }
  zx_status_t want;
  if (h.live != 1) {
    want = ZX_ERR_BAD_HANDLE;
  } else if (h.slot < 0) {
    want = WANT_ANY;
  } else if (!(slots[h.slot].rights & ZX_RIGHT_DESTROY)) {
    want = ZX_ERR_ACCESS_DENIED;
  } else if (slots[h.slot].kind == K_JOB || slots[h.slot].kind == K_PROCESS) {
    want = ZX_OK;
  } else {
    want = slots[h.slot].kind == K_OTHER ? WANT_ANY : ZX_ERR_WRONG_TYPE;
  }
  CALL(SC_TASK_KILL, h.h);
  zx_status_t st = zx_task_kill(h.h);
  call_end(st, h.live);
  expect(st, want, "zx_task_kill");
  if (st == ZX_OK && h.slot >= 0) {
    int o = slots[h.slot].obj;
    kill_obj(o, 0);
    if (o == base_obj) {
      retire_base_job();
    }
  }
}

// An address in a process for read_memory: for a child, where its code is mapped or
// nothing is; for the fuzzer itself, its read-only page, its text, the hole.
static uint64_t pick_vaddr(int po, bool self, int* what) {
  *what = 0;
  uint64_t r = rnd(100);
  if (self && r < 35) {
    *what = 1;
    return mem.ro + rnd(FUZZ_PAGE);
  }
  if (self && r < 55) {
    *what = 2;
    return (uint64_t)(uintptr_t)fuzz_text + rnd(sizeof fuzz_text);
  }
  if (self && r < 70) {
    *what = 3;
    return mem.hole + rnd(HOLE_PAGES * FUZZ_PAGE);
  }
  (void)po;
  if (r < 85) {
    return hostile_ptr(8, false);
  }
  return 0x200000 + FUZZ_PAGE * rnd(1 << 20);
}

static void op_process_read_memory(void) {
  harg_t h = pick_handle_with(K_PROCESS, false, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  bool self = h.slot >= 0 && (slots[h.slot].flags & S_SELF);
  int what;
  uint64_t vaddr = pick_vaddr(obj_of(&h), self, &what);
  uint64_t size = chance(800) ? 1 + rnd(2 * FUZZ_PAGE) : pick_size(64u << 20);
  ptr_t buf = out_ptr(size < 4096 ? size : 4096, -1, false);
  if (chance(30)) {
    buf = (ptr_t){0, PV_INVALID};
  }
  if (buf.validity == PV_VALID) {
    memset((void*)(uintptr_t)buf.p, 0x5a, size < 64 ? size : 64);
  }
  ptr_t actual = chance(100) ? (ptr_t){0, PV_INVALID} : out_ptr(8, -1, false);
  if (actual.validity == PV_VALID && buf.validity == PV_VALID &&
      ranges_overlap(actual.p, actual.p + 8, buf.p, buf.p + (size < 4096 ? size : 4096))) {
    actual = (ptr_t){tail_at(TAIL_BYTES) + 32, PV_VALID};
  }
  // What the kernel copies: up to the end of the mapping (known for the read-only page).
  uint64_t expect_len = 0;
  zx_status_t want = WANT_ANY;
  zx_status_t lk = want_lookup(&h, K_PROCESS, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  if (buf.p == 0 || size == 0 || size > (64u << 20)) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (lk != ZX_OK) {
    want = lk;
  } else if (self && what == 3) {
    want = ZX_ERR_NOT_FOUND;  // the hole: nothing is ever mapped there
  } else if (self && what == 1) {
    uint64_t room = mem.ro + FUZZ_PAGE - vaddr;
    expect_len = size < room ? size : room;
    int bv = classify_ptr(buf.p, expect_len, true);
    want = bv == PV_INVALID                  ? ZX_ERR_INVALID_ARGS
           : bv == PV_UNKNOWN                ? WANT_ANY
           : actual.validity == PV_INVALID   ? ZX_ERR_INVALID_ARGS
           : actual.validity == PV_UNKNOWN   ? WANT_ANY
                                             : ZX_OK;
  }
  CALL(SC_PROCESS_READ_MEMORY, h.h, vaddr, buf.p, size, actual.p);
  zx_status_t st =
      zx_process_read_memory(h.h, vaddr, (void*)(uintptr_t)buf.p, size, (size_t*)(uintptr_t)actual.p);
  call_end(st, (buf.p == 0 || size == 0 || size > (64u << 20)) ? -1 : h.live);
  expect(st, want, "zx_process_read_memory");
  if (st != ZX_OK || buf.validity != PV_VALID || actual.validity != PV_VALID || !self) {
    return;
  }
  uint64_t got = load_u64(actual.p);
  if (got == 0 || got > size) {
    violation(V_OUTPUT, "zx_process_read_memory: actual %" PRIu64 " for a %" PRIu64 "-byte read",
              got, size);
    return;
  }
  if (what == 1 && got != expect_len) {
    violation(V_OUTPUT,
              "zx_process_read_memory: %" PRIu64 " bytes of the read-only page, not %" PRIu64, got,
              expect_len);
  }
  // What it read is what is there: the read-only page, or the image's text of dots.
  uint64_t check = got < 64 ? got : 64;
  for (uint64_t i = 0; i < check; i++) {
    uint8_t b = *(const uint8_t*)(uintptr_t)(buf.p + i);
    uint64_t at = vaddr + i;
    uint8_t want_b;
    if (what == 1) {
      want_b = *(const uint8_t*)(uintptr_t)at;
    } else if (what == 2 && at < (uintptr_t)fuzz_text + sizeof fuzz_text) {
      want_b = (uint8_t)fuzz_text[at - (uintptr_t)fuzz_text];
    } else {
      break;
    }
    if (b != want_b) {
      violation(V_OUTPUT, "zx_process_read_memory: byte %" PRIu64 " is %#x, memory has %#x", i, b,
                want_b);
      break;
    }
  }
}

static void op_process_write_memory(void) {
  harg_t h = pick_handle_with(K_PROCESS, false, ZX_RIGHT_WRITE);
  if (h.slot >= 0 && (slots[h.slot].flags & S_SELF)) {
    h = classify_handle(ZX_HANDLE_INVALID);  // never the fuzzer's own memory
  }
  uint64_t vaddr = chance(500) ? hostile_ptr(8, false) : 0x200000 + FUZZ_PAGE * rnd(1 << 20);
  uint64_t size = chance(800) ? 1 + rnd(FUZZ_PAGE) : pick_size(64u << 20);
  char local[64];
  memset(local, 'm', sizeof local);
  ptr_t buf = in_ptr(size < 64 ? size : 64, -1, local, sizeof local);
  ptr_t actual = out_ptr(8, -1, false);
  CALL(SC_PROCESS_WRITE_MEMORY, h.h, vaddr, buf.p, size, actual.p);
  zx_status_t st = zx_process_write_memory(h.h, vaddr, (const void*)(uintptr_t)buf.p, size,
                                           (size_t*)(uintptr_t)actual.p);
  call_end(st, -1);
  // The kernel runs without debugging_syscalls (scripts/run passes no such option).
  expect(st, ZX_ERR_NOT_SUPPORTED, "zx_process_write_memory");
}

static void op_object_get_child(void) {
  uint64_t r = rnd(100);
  harg_t h = pick_handle(r < 55 ? K_JOB : r < 90 ? K_PROCESS : K_NONE, false);
  // The koid: of an object the model knows (a child or not), the fuzzer's own, a
  // random one (no object has it: koids are small), or 0.
  int ko = -1;
  zx_koid_t koid;
  r = rnd(100);
  int ho0 = obj_of(&h);
  if (r < 40 && ho0 >= 0) {
    int kids[FUZZ_MAX_OBJS], nk = 0;
    for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
      if (objs[i].used && objs[i].parent == ho0 && objs[i].koid != 0) {
        kids[nk++] = i;
      }
    }
    ko = nk > 0 ? kids[rnd((uint64_t)nk)] : -1;
    koid = ko >= 0 ? objs[ko].koid : 0;
  } else if (r < 70) {
    int tries = 0;
    do {
      ko = (int)rnd(FUZZ_MAX_OBJS);
    } while ((!objs[ko].used || objs[ko].koid == 0) && ++tries < 40);
    if (!objs[ko].used || objs[ko].koid == 0) {
      ko = -1;
    }
    koid = ko >= 0 ? objs[ko].koid : 0;
  } else if (r < 80) {
    koid = self_koid;
  } else if (r < 95) {
    koid = (rnd64() | ((uint64_t)1 << 62));
  } else {
    koid = 0;
  }
  zx_rights_t have = h.slot >= 0 ? slots[h.slot].rights : 0;
  zx_rights_t rights = chance(700) ? ZX_RIGHT_SAME_RIGHTS : pick_rights(have);
  ptr_t out = out_ptr(4, -1, false);
  clear_out(&out, 4);
  int ho = obj_of(&h);
  zx_status_t want;
  if (h.live != 1) {
    want = ZX_ERR_BAD_HANDLE;
  } else if (h.slot < 0) {
    want = WANT_ANY;
  } else if (!(have & ZX_RIGHT_ENUMERATE)) {
    want = ZX_ERR_ACCESS_DENIED;
  } else if (rights != ZX_RIGHT_SAME_RIGHTS && (rights & ~have) != 0) {
    want = ZX_ERR_ACCESS_DENIED;
  } else if (slots[h.slot].kind != K_JOB && slots[h.slot].kind != K_PROCESS) {
    want = slots[h.slot].kind == K_OTHER ? WANT_ANY : ZX_ERR_WRONG_TYPE;
  } else if (slots[h.slot].flags & S_SELF) {
    want = WANT_ANY;  // the fuzzer's threads
  } else {
    // A child only if the model says it is (or cannot say).
    bool maybe = ko >= 0 && (objs[ko].parent == ho || objs[ko].parent < 0 || objs[ko].escaped) &&
                 (slots[h.slot].kind == K_JOB ? (objs[ko].kind == K_JOB || objs[ko].kind == K_PROCESS)
                                              : objs[ko].kind == K_THREAD);
    if (ko < 0 && koid != 0 && koid != self_koid && koid < ((uint64_t)1 << 62)) {
      maybe = true;  // (not reached: random koids have bit 62)
    }
    if (maybe) {
      want = WANT_ANY;
    } else {
      want = ZX_ERR_NOT_FOUND;
    }
  }
  CALL(SC_OBJECT_GET_CHILD, h.h, koid, rights, out.p);
  zx_status_t st = zx_object_get_child(h.h, koid, rights, (zx_handle_t*)(uintptr_t)out.p);
  call_end(st, h.live);
  expect(st, want, "zx_object_get_child");
  if (st == ZX_OK && out.validity == PV_VALID && h.slot >= 0) {
    zx_handle_t got = load_u32(out.p);
    int s = adopt_unknown(got, S_OWNED, false);
    if (s >= 0) {
      zx_rights_t expect_rights = rights == ZX_RIGHT_SAME_RIGHTS ? have : rights;
      if (slots[s].rights != expect_rights) {
        violation(V_OUTPUT, "zx_object_get_child gave rights %#x, not %#x", slots[s].rights,
                  expect_rights);
      }
      uint8_t k = slots[s].kind;
      bool fits = slots[h.slot].kind == K_JOB ? (k == K_JOB || k == K_PROCESS) : k == K_THREAD;
      if (!fits || objs[slots[s].obj].koid != koid) {
        violation(V_OUTPUT, "zx_object_get_child gave kind %u koid %" PRIu64 " for koid %" PRIu64,
                  k, objs[slots[s].obj].koid, koid);
      }
      if (k == K_PROCESS && objs[slots[s].obj].koid == self_koid) {
        slots[s].flags |= S_SELF;  // (cannot happen: the fuzzer is in no job of the pool)
      }
      if (objs[slots[s].obj].parent < 0 && ho >= 0) {
        objs[slots[s].obj].parent = ho;
      }
    }
  }
}

static void op_job_set_policy(void) {
  harg_t h = pick_handle_with(K_JOB, false, ZX_RIGHT_SET_POLICY);
  static const uint32_t topics[] = {ZX_JOB_POL_BASIC_V1, ZX_JOB_POL_BASIC_V2,
                                    ZX_JOB_POL_BASIC_V2, ZX_JOB_POL_TIMER_SLACK};
  uint32_t topic = chance(950) ? topics[rnd(4)] : (uint32_t)rnd64();
  uint32_t options = chance(900) ? (chance(500) ? ZX_JOB_POL_RELATIVE : ZX_JOB_POL_ABSOLUTE)
                                 : random_bit_or_word();
  uint32_t count = chance(850) ? 1 + (uint32_t)rnd(3) : chance(500) ? (uint32_t)rnd(40)
                                                                     : (uint32_t)rnd64();
  static const uint32_t conditions[] = {ZX_POL_BAD_HANDLE,     ZX_POL_WRONG_OBJECT,
                                        ZX_POL_VMAR_WX,        ZX_POL_NEW_ANY,
                                        ZX_POL_NEW_VMO,        ZX_POL_NEW_CHANNEL,
                                        ZX_POL_NEW_EVENT,      ZX_POL_NEW_EVENTPAIR,
                                        ZX_POL_NEW_PORT,       ZX_POL_NEW_PROCESS,
                                        ZX_POL_NEW_TIMER,      ZX_POL_AMBIENT_MARK_VMO_EXEC};
  size_t entry = topic == ZX_JOB_POL_BASIC_V1 ? 8 : topic == ZX_JOB_POL_TIMER_SLACK ? 16 : 12;
  uint64_t room = SCRATCH_PAGES * FUZZ_PAGE - TAIL_BYTES;
  uint64_t n_fill = count < 32 ? count : 32;
  uint64_t p = scratch_ptr(n_fill * entry);
  p &= ~(uint64_t)3;
  bool readable = true;
  if (topic == ZX_JOB_POL_TIMER_SLACK) {
    zx_policy_timer_slack_t t = {chance(900) ? (zx_duration_t)rnd(1000000) : (zx_duration_t)rnd64(),
                                 chance(900) ? (uint32_t)rnd(3) : (uint32_t)rnd64(), {0}};
    memcpy((void*)(uintptr_t)p, &t, 16);
  } else {
    for (uint64_t i = 0; i < n_fill && (i + 1) * entry <= room; i++) {
      uint32_t e[3] = {chance(900) ? conditions[rnd(sizeof conditions / sizeof conditions[0])]
                                   : (uint32_t)rnd64(),
                       chance(900) ? (uint32_t)rnd(5) : (uint32_t)rnd64(),
                       chance(800) ? ZX_POL_OVERRIDE_DENY
                       : chance(500) ? ZX_POL_OVERRIDE_ALLOW
                                     : (uint32_t)rnd64()};
      memcpy((void*)(uintptr_t)(p + i * entry), e, entry);
    }
  }
  if (chance(40)) {
    p = chance(500) ? 0 : hostile_ptr(entry, false);
    readable = false;
  }
  int pv = readable ? PV_VALID : (p == 0 ? PV_INVALID : classify_ptr(p, entry, false));
  int jo = obj_of(&h);
  zx_status_t want;
  zx_status_t lk = want_lookup(&h, K_JOB, ZX_RIGHT_SET_POLICY);
  bool basic = topic == ZX_JOB_POL_BASIC_V1 || topic == ZX_JOB_POL_BASIC_V2;
  if (!basic && topic != ZX_JOB_POL_TIMER_SLACK) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (basic ? (options != ZX_JOB_POL_RELATIVE && options != ZX_JOB_POL_ABSOLUTE)
                   : options != ZX_JOB_POL_RELATIVE) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (p == 0 || (basic ? (count == 0 || count > 32) : count != 1)) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (pv == PV_INVALID) {
    want = ZX_ERR_INVALID_ARGS;
  } else if (pv == PV_UNKNOWN || (readable && basic && count * entry > room)) {
    want = WANT_ANY;
  } else if (lk != ZX_OK) {
    want = lk;
  } else if (has_live_child(jo)) {
    want = ZX_ERR_BAD_STATE;
  } else {
    want = WANT_ANY;  // (the policy's own rules; or children the model does not know)
  }
  CALL(SC_JOB_SET_POLICY, h.h, options, topic, p, count);
  zx_status_t st = zx_job_set_policy(h.h, options, topic, (const void*)(uintptr_t)p, count);
  call_end(st, want == ZX_ERR_INVALID_ARGS ? -1 : h.live);
  expect(st, want, "zx_job_set_policy");
  if (st == ZX_OK) {
    policies_set = true;
    if (jo >= 0) {
      objs[jo].policy_set = true;
    }
  }
}

// --- Mini-process commands ----------------------------------------------------------------

// Waits (briefly) for a mini-process's oldest unread reply, reads it and checks it
// against the command it answers. False if there was none to read.
static bool minip_read_reply(obj_t* p, zx_handle_t ctrl) {
  zx_status_t st;
  // Wait (briefly) for the oldest reply and read it.
  uint64_t rb = tail_at(TAIL_BYTES) + 64;
  uint64_t rh = tail_at(TAIL_BYTES) + 80;
  uint64_t seen_p = tail_at(TAIL_BYTES) + 84;
  uint64_t ab_p = tail_at(TAIL_BYTES) + 88, ah_p = tail_at(TAIL_BYTES) + 92;
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(100));
  memset((void*)(uintptr_t)rh, 0, 12);
  CALL(SC_OBJECT_WAIT_ONE, ctrl, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, (uint64_t)deadline,
       seen_p);
  st = zx_object_wait_one(ctrl, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, deadline,
                          (zx_signals_t*)(uintptr_t)seen_p);
  call_end(st, 1);
  if (!(load_u32(seen_p) & ZX_CHANNEL_READABLE)) {
    return false;  // died, or slow: the reply (if any) stays queued
  }
  CALL(SC_CHANNEL_READ, ctrl, 0, rb, rh, 8, 1, ab_p, ah_p);
  st = zx_channel_read(ctrl, 0, (void*)(uintptr_t)rb, (zx_handle_t*)(uintptr_t)rh, 8, 1,
                       (uint32_t*)(uintptr_t)ab_p, (uint32_t*)(uintptr_t)ah_p);
  call_end(st, 1);
  uint32_t ah = load_u32(ah_p);
  if (st != ZX_OK) {
    if (!p->desync && st != ZX_ERR_BUFFER_TOO_SMALL) {
      violation(V_MODEL, "reading a mini-process's reply said %s", zx_status_get_string(st));
    }
    p->desync = true;
    return false;
  }
  uint32_t reply[2];
  memcpy(reply, (const void*)(uintptr_t)rb, 8);
  zx_handle_t got = ah == 1 ? load_u32(rh) : ZX_HANDLE_INVALID;
  int gs = -1;
  if (got != ZX_HANDLE_INVALID) {
    COUNT(handles_from_children);
    gs = adopt_unknown(got, S_OWNED, false);
    if (gs >= 0 && slots[gs].kind == K_CHANNEL) {
      objs[slots[gs].obj].exact = true;  // the child keeps the other end, not this one
    } else if (gs >= 0) {
      objs[slots[gs].obj].exact = true;  // the child closed its own
    }
  }
  uint32_t sent = p->pending[0];
  memmove(p->pending, p->pending + 1, sizeof p->pending[0] * (size_t)(p->npending - 1));
  p->npending--;
  if (p->desync) {
    return true;
  }
  if (sent == MINIP_ACK) {
    uint32_t handles = p->transfer_kind != K_NONE ? 1 : 0;
    if (reply[0] != sizeof(fuzz_minip_ctx_t) || reply[1] != handles || got != ZX_HANDLE_INVALID) {
      violation(V_MODEL, "a mini-process acknowledged {%u bytes, %u handles}, not {%zu, %u}",
                reply[0], reply[1], sizeof(fuzz_minip_ctx_t), handles);
    }
    return true;
  }
  // What each command answers (mini-process.h; child.S), the child's job policies aside.
  zx_status_t want = WANT_ANY;
  uint8_t want_kind = K_NONE;
  switch (sent) {
    case MINIP_CMD_ECHO_MSG:
    case MINIP_CMD_BACKTRACE_REQUEST:
      want = ZX_OK;
      break;
    case MINIP_CMD_CREATE_EVENT:
      want = policies_set ? WANT_ANY : ZX_OK;
      want_kind = K_EVENT;
      break;
    case MINIP_CMD_CREATE_CHANNEL:
      want = policies_set ? WANT_ANY : ZX_OK;
      want_kind = K_CHANNEL;
      break;
    case MINIP_CMD_USE_BAD_HANDLE_CLOSED:
    case MINIP_CMD_VALIDATE_CLOSED_HANDLE:
    case MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED:
      want = policies_set ? WANT_ANY : ZX_ERR_BAD_HANDLE;
      break;
    case MINIP_CMD_CREATE_PROFILE:
    case MINIP_CMD_CREATE_PAGER_VMO:
      want = ZX_ERR_NOT_SUPPORTED;
      break;
    case MINIP_CMD_VMO_READ:
      want = ZX_ERR_WRONG_TYPE;  // a command this child does not serve
      break;
    case MINIP_CMD_CHANNEL_WRITE:
      want = p->transfer_kind == K_NONE                                      ? ZX_ERR_BAD_HANDLE
             : p->transfer_kind == K_CHANNEL || p->transfer_kind == K_OTHER ? WANT_ANY
                                                                             : ZX_ERR_WRONG_TYPE;
      break;
    default:
      break;
  }
  COUNT(replies_checked);
  if (reply[0] != sent) {
    violation(V_MODEL, "a mini-process answered command %#x, the oldest sent was %#x", reply[0],
              sent);
    p->desync = true;
    return false;
  }
  if (want != WANT_ANY && (zx_status_t)reply[1] != want) {
    violation(V_MODEL, "a mini-process answered command %#x with %s, not %s", sent,
              zx_status_get_string((zx_status_t)reply[1]), zx_status_get_string(want));
  }
  if ((zx_status_t)reply[1] == ZX_OK && want_kind != K_NONE &&
      (gs < 0 || slots[gs].kind != want_kind)) {
    violation(V_MODEL, "a mini-process's reply to command %#x carries no handle of kind %u", sent,
              want_kind);
  }
  if (want_kind == K_NONE && got != ZX_HANDLE_INVALID) {
    violation(V_MODEL, "a mini-process's reply to command %#x carries a handle", sent);
  }
  return true;
}

// Sends a running mini-process a command on its control channel: a reply may carry a new
// event or channel (the child's), some commands make it trap or exit, and sometimes the
// fuzzer kills it right after sending, while it works on the command, or lets a command
// that loops in the kernel run a moment first.
static void op_minip_command(void) {
  int cands[FUZZ_MAX_OBJS];
  int nc = 0;
  for (int i = 0; i < FUZZ_MAX_OBJS; i++) {
    if (objs[i].used && objs[i].kind == K_PROCESS && objs[i].mini &&
        objs[i].pstate == P_RUNNING) {
      cands[nc++] = i;
    }
  }
  if (nc == 0) {
    return;
  }
  int po = cands[rnd((uint64_t)nc)];
  int cs = -1;
  for (int i = 0; i < nslots && cs < 0; i++) {
    if (slots[i].kind == K_CHANNEL && objs[slots[i].obj].ctrl_of == po &&
        (slots[i].rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) == (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) {
      cs = i;
    }
  }
  if (cs < 0) {
    return;
  }
  obj_t* p = &objs[po];
  static const uint32_t commands[] = {
      MINIP_CMD_ECHO_MSG,        MINIP_CMD_ECHO_MSG,
      MINIP_CMD_CREATE_EVENT,    MINIP_CMD_CREATE_EVENT,
      MINIP_CMD_CREATE_CHANNEL,  MINIP_CMD_CREATE_CHANNEL,
      MINIP_CMD_USE_BAD_HANDLE_CLOSED, MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED,
      MINIP_CMD_VALIDATE_CLOSED_HANDLE, MINIP_CMD_CHANNEL_WRITE,
      MINIP_CMD_BACKTRACE_REQUEST, MINIP_CMD_ATTEMPT_AMBIENT_EXECUTABLE,
      MINIP_CMD_CREATE_PROFILE,  MINIP_CMD_CREATE_PAGER_VMO,
      MINIP_CMD_VMO_READ,        MINIP_CMD_BUILTIN_TRAP,
      MINIP_CMD_EXIT_NORMAL,     MINIP_CMD_THREAD_EXIT,
  };
  uint32_t what = commands[rnd(sizeof commands / sizeof commands[0])];
  bool looping = false;
  if (chance(20)) {
    // Commands that stay in the kernel until killed (registering or cancelling async
    // waits on the transferred handle, when it is waitable): always killed below.
    what = chance(500) ? MINIP_CMD_WAIT_ASYNC_CANCEL : MINIP_CMD_WAIT_ASYNC;
    looping = true;
  }
  uint32_t cmd[2] = {what, 0};
  uint64_t buf = scratch_ptr(8) & ~(uint64_t)3;
  memcpy((void*)(uintptr_t)buf, cmd, 8);
  zx_handle_t ctrl = slots[cs].h;
  CALL(SC_CHANNEL_WRITE, ctrl, 0, buf, 8, 0, 0);
  zx_status_t st = zx_channel_write(ctrl, 0, (const void*)(uintptr_t)buf, 8, NULL, 0);
  call_end(st, 1);
  if (st != ZX_OK && st != ZX_ERR_PEER_CLOSED) {
    violation(V_MODEL, "a command to a mini-process: zx_channel_write said %s",
              zx_status_get_string(st));
  }
  if (st != ZX_OK) {
    return;  // (it died: trapped, exited, or its job was killed)
  }
  blind_writes++;
  COUNT(commands_sent);
  bool replies = what != MINIP_CMD_BUILTIN_TRAP && what != MINIP_CMD_EXIT_NORMAL &&
                 what != MINIP_CMD_THREAD_EXIT && !looping;
  if (replies && p->npending < 8) {
    p->pending[p->npending++] = what;
  } else if (replies) {
    p->desync = true;
  }
  if (!replies) {
    p->mini = false;  // it will not answer again
  }
  int ps = slot_naming(po, ZX_RIGHT_DESTROY);
  if (looping || (ps >= 0 && chance(150))) {
    if (looping) {
      zx_nanosleep(zx_clock_get_monotonic() + (zx_time_t)rnd(2000000));
    }
    if (ps < 0) {
      return;  // no handle to kill it with: the end of the epoch does
    }
    CALL(SC_TASK_KILL, slots[ps].h);
    st = zx_task_kill(slots[ps].h);
    call_end(st, 1);
    expect(st, ZX_OK, "zx_task_kill of a mini-process in the middle of a command");
    COUNT(kills_mid_command);
    kill_obj(po, 0);
    p->mini = false;
    return;
  }
  if (!chance(750) || p->npending == 0) {
    return;
  }
  // Read the replies there are (the acknowledgement first, after a start); once
  // something else read or wrote the control channel, which reply is whose is unknown.
  if (p->desync) {
    p->npending = 0;
  }
  while (p->npending > 0 && minip_read_reply(p, ctrl)) {
  }
}

#endif  // ZRK_FUZZ_IPC_H_
