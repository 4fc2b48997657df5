// The syscalls the fuzzer issues: their names and argument names (for reproduction
// lines), the statuses each one documents, the counts by syscall and status, the ring
// of recent calls, tracing, and how an invariant violation is reported. Part of the
// fuzzer (userspace/fuzz/fuzz.c includes it; it is one translation unit).
//
// Allowed statuses. Each syscall may return only what Fuchsia's page for it
// (docs/reference/syscalls/NAME.md) and the digest (/work/shared/zircon-abi.md section 3)
// document, with the digest's decisions applied: a bad pointer outside vmo_read/vmo_write
// is ZX_ERR_INVALID_ARGS (decision 7), so every call with a pointer argument may return
// it; a call that allocates may return ZX_ERR_NO_MEMORY. Where the page and the kernel
// code the digest cites disagree, both are allowed and the line says why.
#ifndef ZRK_FUZZ_CALLS_H_
#define ZRK_FUZZ_CALLS_H_

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/errors.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

#include "fuzz_model.h"

enum {
  SC_DEBUG_WRITE,
  SC_HANDLE_CLOSE,
  SC_HANDLE_CLOSE_MANY,
  SC_HANDLE_DUPLICATE,
  SC_HANDLE_REPLACE,
  SC_OBJECT_GET_INFO,
  SC_OBJECT_GET_PROPERTY,
  SC_OBJECT_SET_PROPERTY,
  SC_OBJECT_WAIT_ONE,
  SC_NANOSLEEP,
  SC_VMO_CREATE,
  SC_VMO_READ,
  SC_VMO_WRITE,
  SC_VMO_GET_SIZE,
  SC_VMO_SET_SIZE,
  SC_VMO_OP_RANGE,
  SC_VMO_CREATE_CHILD,
  SC_VMO_SET_CACHE_POLICY,
  SC_VMO_REPLACE_AS_EXECUTABLE,
  SC_VMAR_MAP,
  SC_VMAR_UNMAP,
  SC_VMAR_PROTECT,
  SC_VMAR_ALLOCATE,
  SC_VMAR_DESTROY,
  SC_FUTEX_WAIT,
  SC_FUTEX_WAKE,
  SC_THREAD_CREATE,
  SC_EVENT_CREATE,
  SC_CHANNEL_CREATE,
  SC_CHANNEL_WRITE,
  SC_CHANNEL_WRITE_ETC,
  SC_CHANNEL_READ,
  SC_CHANNEL_READ_ETC,
  SC_CHANNEL_CALL,
  SC_CHANNEL_CALL_ETC,
  SC_PORT_CREATE,
  SC_PORT_QUEUE,
  SC_PORT_WAIT,
  SC_PORT_CANCEL,
  SC_OBJECT_WAIT_ASYNC,
  SC_PROCESS_CREATE,
  SC_PROCESS_START,
  SC_JOB_CREATE,
  SC_TASK_KILL,
  SC_PROCESS_READ_MEMORY,
  SC_PROCESS_WRITE_MEMORY,
  SC_OBJECT_GET_CHILD,
  SC_JOB_SET_POLICY,
  SC_COUNT
};

#define FUZZ_MAX_STATUSES 14

typedef struct {
  const char* name;
  const char* args;  // comma-separated argument names, in prototype order
  // What the syscall documents (ZX_OK included), ends at the first 1 (not a status).
  zx_status_t allowed[FUZZ_MAX_STATUSES];
  // What it may answer for a handle that is not in the table, besides BAD_HANDLE: the
  // checks Zircon makes before the handle lookup (digest: "pre-lookup").
  zx_status_t pre_lookup[4];
} fuzz_syscall_t;

#define FUZZ_END 1  // ends a status list (no status is positive)
#define OK ZX_OK
#define E(name) ZX_ERR_##name

static const fuzz_syscall_t fuzz_syscalls[SC_COUNT] = {
    // Fuchsia gates it behind a boot option (NOT_SUPPORTED); we never do (decision 6).
    [SC_DEBUG_WRITE] = {"zx_debug_write",
                        "buffer,buffer_size",
                        {OK, E(INVALID_ARGS), E(NOT_SUPPORTED), FUZZ_END},
                        {FUZZ_END}},
    [SC_HANDLE_CLOSE] = {"zx_handle_close", "handle", {OK, E(BAD_HANDLE), FUZZ_END}, {FUZZ_END}},
    [SC_HANDLE_CLOSE_MANY] = {"zx_handle_close_many",
                              "handles,num_handles",
                              {OK, E(BAD_HANDLE), E(INVALID_ARGS), FUZZ_END},
                              {FUZZ_END}},
    [SC_HANDLE_DUPLICATE] = {"zx_handle_duplicate",
                             "handle,rights,out",
                             {OK, E(BAD_HANDLE), E(ACCESS_DENIED), E(INVALID_ARGS), E(NO_MEMORY),
                              FUZZ_END},
                             {FUZZ_END}},
    [SC_HANDLE_REPLACE] = {"zx_handle_replace",
                           "handle,rights,out",
                           {OK, E(BAD_HANDLE), E(INVALID_ARGS), E(NO_MEMORY), FUZZ_END},
                           {FUZZ_END}},
    // NOT_SUPPORTED: an unknown topic, checked before the lookup (digest 3.11);
    // BAD_STATE: ZX_INFO_THREAD_STATS of a dead thread (digest part 2, 1.7).
    [SC_OBJECT_GET_INFO] = {"zx_object_get_info",
                            "handle,topic,buffer,buffer_size,actual,avail",
                            {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                             E(NO_MEMORY), E(BUFFER_TOO_SMALL), E(NOT_SUPPORTED), E(BAD_STATE),
                             FUZZ_END},
                            {E(NOT_SUPPORTED), FUZZ_END}},
    [SC_OBJECT_GET_PROPERTY] = {"zx_object_get_property",
                                "handle,property,value,value_size",
                                {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED),
                                 E(INVALID_ARGS), E(NO_MEMORY), E(BUFFER_TOO_SMALL),
                                 E(NOT_SUPPORTED), FUZZ_END},
                                {E(INVALID_ARGS), FUZZ_END}},
    // BAD_STATE: ZX_PROP_EXCEPTION_STRATEGY on the wrong channel (the page lists it).
    [SC_OBJECT_SET_PROPERTY] = {"zx_object_set_property",
                                "handle,property,value,value_size",
                                {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED),
                                 E(INVALID_ARGS), E(NO_MEMORY), E(BUFFER_TOO_SMALL),
                                 E(NOT_SUPPORTED), E(BAD_STATE), FUZZ_END},
                                {E(INVALID_ARGS), FUZZ_END}},
    [SC_OBJECT_WAIT_ONE] = {"zx_object_wait_one",
                            "handle,signals,deadline,observed",
                            {OK, E(TIMED_OUT), E(BAD_HANDLE), E(ACCESS_DENIED), E(INVALID_ARGS),
                             E(CANCELED), E(NOT_SUPPORTED), FUZZ_END},
                            {FUZZ_END}},
    [SC_NANOSLEEP] = {"zx_nanosleep", "deadline", {OK, FUZZ_END}, {FUZZ_END}},
    [SC_VMO_CREATE] = {"zx_vmo_create",
                       "size,options,out",
                       {OK, E(INVALID_ARGS), E(NO_MEMORY), E(OUT_OF_RANGE), FUZZ_END},
                       {FUZZ_END}},
    [SC_VMO_READ] = {"zx_vmo_read",
                     "handle,buffer,offset,buffer_size",
                     {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                      E(NOT_FOUND), E(OUT_OF_RANGE), E(BAD_STATE), E(NO_MEMORY), FUZZ_END},
                     {FUZZ_END}},
    [SC_VMO_WRITE] = {"zx_vmo_write",
                      "handle,buffer,offset,buffer_size",
                      {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                       E(NOT_FOUND), E(OUT_OF_RANGE), E(BAD_STATE), E(NO_MEMORY), FUZZ_END},
                      {FUZZ_END}},
    [SC_VMO_GET_SIZE] = {"zx_vmo_get_size",
                         "handle,size",
                         {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(INVALID_ARGS), FUZZ_END},
                         {FUZZ_END}},
    // INVALID_ARGS: a snapshot's offset plus its new size overflows (digest 3.4 step 7).
    [SC_VMO_SET_SIZE] = {"zx_vmo_set_size",
                         "handle,size",
                         {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(UNAVAILABLE),
                          E(OUT_OF_RANGE), E(NO_MEMORY), E(BAD_STATE), E(INVALID_ARGS), FUZZ_END},
                         {FUZZ_END}},
    [SC_VMO_OP_RANGE] = {"zx_vmo_op_range",
                         "handle,op,offset,size,buffer,buffer_size",
                         {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                          E(OUT_OF_RANGE), E(NO_MEMORY), E(NOT_SUPPORTED), E(BAD_STATE),
                          E(UNAVAILABLE), FUZZ_END},
                         {FUZZ_END}},
    // INVALID_ARGS before the lookup: NO_WRITE with RESIZABLE (digest 3.6 step 1).
    [SC_VMO_CREATE_CHILD] = {"zx_vmo_create_child",
                             "handle,options,offset,size,out",
                             {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                              E(OUT_OF_RANGE), E(NO_MEMORY), E(NOT_SUPPORTED), E(BAD_STATE),
                              FUZZ_END},
                             {E(INVALID_ARGS), FUZZ_END}},
    [SC_VMO_SET_CACHE_POLICY] = {"zx_vmo_set_cache_policy",
                                 "handle,cache_policy",
                                 {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED),
                                  E(INVALID_ARGS), E(NOT_SUPPORTED), E(BAD_STATE), FUZZ_END},
                                 {E(INVALID_ARGS), FUZZ_END}},
    // BAD_HANDLE also for a handle that is not a VMO (the page); WRONG_TYPE and
    // ACCESS_DENIED for a vmex that is not a resource, or not the VMEX one (Zircon's
    // validate_resource_kind_base; the page says BAD_HANDLE for both).
    [SC_VMO_REPLACE_AS_EXECUTABLE] = {"zx_vmo_replace_as_executable",
                                      "handle,vmex,out",
                                      {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED),
                                       E(NO_MEMORY), E(INVALID_ARGS), FUZZ_END},
                                      {FUZZ_END}},
    // BUFFER_TOO_SMALL: the page's rule for a non-resizable VMO mapped past its end
    // without ALLOW_FAULTS (the tests we follow allow such mappings, decision 4).
    [SC_VMAR_MAP] = {"zx_vmar_map",
                     "handle,options,vmar_offset,vmo,vmo_offset,len,mapped_addr",
                     {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(BAD_STATE), E(INVALID_ARGS),
                      E(ALREADY_EXISTS), E(NO_RESOURCES), E(ACCESS_DENIED), E(NOT_SUPPORTED),
                      E(BUFFER_TOO_SMALL), E(NO_MEMORY), E(OUT_OF_RANGE), FUZZ_END},
                     {FUZZ_END}},
    // ACCESS_DENIED: a range over the vDSO (digest 3.14); NO_MEMORY: splitting a mapping.
    [SC_VMAR_UNMAP] = {"zx_vmar_unmap",
                       "handle,addr,len",
                       {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(INVALID_ARGS), E(BAD_STATE),
                        E(NOT_FOUND), E(ACCESS_DENIED), E(NO_MEMORY), FUZZ_END},
                       {FUZZ_END}},
    // BAD_STATE: a destroyed VMAR (as unmap's page says; Zircon's Protect checks it too).
    [SC_VMAR_PROTECT] = {"zx_vmar_protect",
                         "handle,options,addr,len",
                         {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(INVALID_ARGS), E(NOT_FOUND),
                          E(ACCESS_DENIED), E(BAD_STATE), E(NO_MEMORY), FUZZ_END},
                         {FUZZ_END}},
    // ALREADY_EXISTS and NO_RESOURCES: the placement code allocate shares with map
    // (vmar_map's page); the allocate page says NO_MEMORY for "no room".
    [SC_VMAR_ALLOCATE] = {"zx_vmar_allocate",
                          "parent_vmar,options,offset,size,child_vmar,child_addr",
                          {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(BAD_STATE), E(INVALID_ARGS),
                           E(NO_MEMORY), E(ACCESS_DENIED), E(NO_RESOURCES), E(ALREADY_EXISTS),
                           FUZZ_END},
                          {FUZZ_END}},
    [SC_VMAR_DESTROY] = {"zx_vmar_destroy",
                         "handle",
                         {OK, E(ACCESS_DENIED), E(BAD_HANDLE), E(WRONG_TYPE), E(BAD_STATE),
                          E(NOT_SUPPORTED), FUZZ_END},
                         {FUZZ_END}},
    // Futexes and threads answer NOT_SUPPORTED until the scheduler lands (README); the
    // rest is their pages' list. The pointer and option checks come before any lookup.
    [SC_FUTEX_WAIT] = {"zx_futex_wait",
                       "value_ptr,current_value,new_futex_owner,deadline",
                       {OK, E(INVALID_ARGS), E(BAD_HANDLE), E(WRONG_TYPE), E(BAD_STATE),
                        E(TIMED_OUT), E(NOT_SUPPORTED), FUZZ_END},
                       {E(INVALID_ARGS), E(BAD_STATE), E(NOT_SUPPORTED), FUZZ_END}},
    [SC_FUTEX_WAKE] = {"zx_futex_wake",
                       "value_ptr,wake_count",
                       {OK, E(INVALID_ARGS), E(NOT_SUPPORTED), FUZZ_END},
                       {FUZZ_END}},
    [SC_THREAD_CREATE] = {"zx_thread_create",
                          "process,name,name_size,options,out",
                          {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(BAD_STATE),
                           E(INVALID_ARGS), E(NO_MEMORY), E(NOT_SUPPORTED), FUZZ_END},
                          {E(INVALID_ARGS), E(NOT_SUPPORTED), FUZZ_END}},
    // The fuzzer's own job has no policies: no ACCESS_DENIED for the creations below.
    [SC_EVENT_CREATE] = {"zx_event_create",
                         "options,out",
                         {OK, E(INVALID_ARGS), E(NO_MEMORY), FUZZ_END},
                         {FUZZ_END}},
    [SC_CHANNEL_CREATE] = {"zx_channel_create",
                           "options,out0,out1",
                           {OK, E(INVALID_ARGS), E(NO_MEMORY), FUZZ_END},
                           {FUZZ_END}},
    // SHOULD_WAIT is not allowed: the fuzzer never lets a queue reach the policy limit.
    // INVALID_ARGS before the lookup: the options.
    [SC_CHANNEL_WRITE] = {"zx_channel_write",
                          "handle,options,bytes,num_bytes,handles,num_handles",
                          {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(INVALID_ARGS), E(OUT_OF_RANGE),
                           E(ACCESS_DENIED), E(PEER_CLOSED), E(NO_MEMORY), E(NOT_SUPPORTED),
                           FUZZ_END},
                          {E(INVALID_ARGS), FUZZ_END}},
    [SC_CHANNEL_WRITE_ETC] = {"zx_channel_write_etc",
                              "handle,options,bytes,num_bytes,handles,num_handles",
                              {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(INVALID_ARGS), E(OUT_OF_RANGE),
                               E(ACCESS_DENIED), E(PEER_CLOSED), E(NO_MEMORY), E(NOT_SUPPORTED),
                               FUZZ_END},
                              {E(INVALID_ARGS), FUZZ_END}},
    [SC_CHANNEL_READ] = {"zx_channel_read",
                         "handle,options,bytes,handles,num_bytes,num_handles,actual_bytes,"
                         "actual_handles",
                         {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(SHOULD_WAIT),
                          E(PEER_CLOSED), E(NO_MEMORY), E(BUFFER_TOO_SMALL), E(INVALID_ARGS),
                          E(NOT_SUPPORTED), FUZZ_END},
                         {FUZZ_END}},
    [SC_CHANNEL_READ_ETC] = {"zx_channel_read_etc",
                             "handle,options,bytes,handles,num_bytes,num_handles,actual_bytes,"
                             "actual_handles",
                             {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(SHOULD_WAIT),
                              E(PEER_CLOSED), E(NO_MEMORY), E(BUFFER_TOO_SMALL), E(INVALID_ARGS),
                              E(NOT_SUPPORTED), FUZZ_END},
                             {FUZZ_END}},
    // INVALID_ARGS before the lookup: args unreadable, the options.
    [SC_CHANNEL_CALL] = {"zx_channel_call",
                         "handle,options,deadline,args,actual_bytes,actual_handles",
                         {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                          E(TIMED_OUT), E(PEER_CLOSED), E(CANCELED), E(NO_MEMORY),
                          E(OUT_OF_RANGE), E(BUFFER_TOO_SMALL), E(NOT_SUPPORTED), FUZZ_END},
                         {E(INVALID_ARGS), FUZZ_END}},
    [SC_CHANNEL_CALL_ETC] = {"zx_channel_call_etc",
                             "handle,options,deadline,args,actual_bytes,actual_handles",
                             {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                              E(TIMED_OUT), E(PEER_CLOSED), E(CANCELED), E(NO_MEMORY),
                              E(OUT_OF_RANGE), E(BUFFER_TOO_SMALL), E(NOT_SUPPORTED), FUZZ_END},
                             {E(INVALID_ARGS), FUZZ_END}},
    [SC_PORT_CREATE] = {"zx_port_create",
                        "options,out",
                        {OK, E(INVALID_ARGS), E(NO_MEMORY), FUZZ_END},
                        {FUZZ_END}},
    // SHOULD_WAIT (too many packets) is not allowed: the fuzzer stays below the limit.
    [SC_PORT_QUEUE] = {"zx_port_queue",
                       "handle,packet",
                       {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                        E(NO_MEMORY), FUZZ_END},
                       {FUZZ_END}},
    [SC_PORT_WAIT] = {"zx_port_wait",
                      "handle,deadline,packet",
                      {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                       E(TIMED_OUT), FUZZ_END},
                      {FUZZ_END}},
    [SC_PORT_CANCEL] = {"zx_port_cancel",
                        "handle,source,key",
                        {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(NOT_SUPPORTED),
                         E(NOT_FOUND), FUZZ_END},
                        {FUZZ_END}},
    // INVALID_ARGS before the lookups: the options (decision 12).
    [SC_OBJECT_WAIT_ASYNC] = {"zx_object_wait_async",
                              "handle,port,key,signals,options",
                              {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED),
                               E(INVALID_ARGS), E(NO_MEMORY), E(NOT_SUPPORTED), FUZZ_END},
                              {E(INVALID_ARGS), FUZZ_END}},
    // NOT_SUPPORTED: ZX_PROCESS_SHARED (digest 12.9). INVALID_ARGS before the lookup:
    // the options and the name.
    [SC_PROCESS_CREATE] = {"zx_process_create",
                           "job,name,name_size,options,proc_handle,vmar_handle",
                           {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                            E(NO_MEMORY), E(BAD_STATE), E(NOT_SUPPORTED), FUZZ_END},
                           {E(INVALID_ARGS), FUZZ_END}},
    [SC_PROCESS_START] = {"zx_process_start",
                          "handle,thread,entry,stack,arg1,arg2",
                          {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(BAD_STATE),
                           E(INVALID_ARGS), E(NO_MEMORY), FUZZ_END},
                          {FUZZ_END}},
    [SC_JOB_CREATE] = {"zx_job_create",
                       "parent_job,options,out",
                       {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                        E(NO_MEMORY), E(OUT_OF_RANGE), E(BAD_STATE), FUZZ_END},
                       {E(INVALID_ARGS), FUZZ_END}},
    [SC_TASK_KILL] = {"zx_task_kill",
                      "handle",
                      {OK, E(BAD_HANDLE), E(ACCESS_DENIED), E(WRONG_TYPE), FUZZ_END},
                      {FUZZ_END}},
    // NOT_FOUND where no mapping covers vaddr (decision 15). INVALID_ARGS before the
    // lookup: NULL buffer, size 0 or over 64 MiB.
    [SC_PROCESS_READ_MEMORY] = {"zx_process_read_memory",
                                "handle,vaddr,buffer,buffer_size,actual",
                                {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED),
                                 E(INVALID_ARGS), E(BAD_STATE), E(NOT_FOUND), E(OUT_OF_RANGE),
                                 E(NO_MEMORY), FUZZ_END},
                                {E(INVALID_ARGS), FUZZ_END}},
    // NOT_SUPPORTED before everything unless the kernel has debugging_syscalls.
    [SC_PROCESS_WRITE_MEMORY] = {"zx_process_write_memory",
                                 "handle,vaddr,buffer,buffer_size,actual",
                                 {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED),
                                  E(INVALID_ARGS), E(BAD_STATE), E(NOT_FOUND), E(OUT_OF_RANGE),
                                  E(NO_MEMORY), E(NOT_SUPPORTED), FUZZ_END},
                                 {E(NOT_SUPPORTED), E(INVALID_ARGS), FUZZ_END}},
    [SC_OBJECT_GET_CHILD] = {"zx_object_get_child",
                             "handle,koid,rights,out",
                             {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(NOT_FOUND),
                              E(NO_MEMORY), E(INVALID_ARGS), FUZZ_END},
                             {FUZZ_END}},
    // INVALID_ARGS before the lookup: topic, options, count and the policy array.
    // ALREADY_EXISTS: an ABSOLUTE policy that conflicts; NOT_SUPPORTED: an invalid entry;
    // OUT_OF_RANGE: a condition past ZX_POL_MAX (the page).
    [SC_JOB_SET_POLICY] = {"zx_job_set_policy",
                           "handle,options,topic,policy,count",
                           {OK, E(BAD_HANDLE), E(WRONG_TYPE), E(ACCESS_DENIED), E(INVALID_ARGS),
                            E(BAD_STATE), E(ALREADY_EXISTS), E(NOT_SUPPORTED), E(OUT_OF_RANGE),
                            E(NO_MEMORY), FUZZ_END},
                           {E(INVALID_ARGS), FUZZ_END}},
};

#undef OK
#undef E

static bool status_in(const zx_status_t* list, zx_status_t status) {
  for (int i = 0; list[i] != FUZZ_END; i++) {
    if (list[i] == status) {
      return true;
    }
  }
  return false;
}

// zx_debug_write's output has no newline of its own: the fuzzer's next line starts a
// fresh one.
static FUZZ_TLS bool console_dirty;
static void fresh_line(void) {
  if (console_dirty) {
    printf("\n");
    console_dirty = false;
  }
}

// --- Counts ------------------------------------------------------------------------------

// Statuses 0 down to -79 are counted by value; anything else (undocumented by every
// syscall) lands in the last column.
#define FUZZ_STATUS_COLUMNS 81
static FUZZ_TLS uint64_t fuzz_counts[SC_COUNT][FUZZ_STATUS_COLUMNS];
// Shared: every thread's counts, added up as each finishes (merge_counts).
static uint64_t fuzz_counts_total[SC_COUNT][FUZZ_STATUS_COLUMNS];

static void merge_counts(void) {
  for (int sc = 0; sc < SC_COUNT; sc++) {
    for (int c = 0; c < FUZZ_STATUS_COLUMNS; c++) {
      __atomic_fetch_add(&fuzz_counts_total[sc][c], fuzz_counts[sc][c], __ATOMIC_RELAXED);
    }
  }
}

static int status_column(zx_status_t status) {
  return (status <= 0 && status > -(FUZZ_STATUS_COLUMNS - 1)) ? -status : FUZZ_STATUS_COLUMNS - 1;
}

// "OK", "BAD_HANDLE", ... (zx_status_get_string without the ZX_ERR_ prefix).
static const char* short_status(zx_status_t status) {
  const char* s = zx_status_get_string(status);
  if (strncmp(s, "ZX_ERR_", 7) == 0) {
    return s + 7;
  }
  if (strcmp(s, "ZX_OK") == 0) {
    return "OK";
  }
  return s;
}

// One line per syscall: the total, then every status it returned with its count,
// the most frequent first (all threads', once merged).
static void print_counts(void) {
  uint64_t(*fuzz_counts)[FUZZ_STATUS_COLUMNS] = fuzz_counts_total;
  printf("# %-29s %9s  statuses (count)\n", "syscall", "calls");
  uint64_t total = 0;
  for (int sc = 0; sc < SC_COUNT; sc++) {
    uint64_t n = 0;
    for (int c = 0; c < FUZZ_STATUS_COLUMNS; c++) {
      n += fuzz_counts[sc][c];
    }
    total += n;
    char line[400];
    int len = snprintf(line, sizeof line, "# %-29s %9" PRIu64 " ", fuzz_syscalls[sc].name, n);
    bool shown[FUZZ_STATUS_COLUMNS] = {false};
    for (;;) {
      int best = -1;
      for (int c = 0; c < FUZZ_STATUS_COLUMNS; c++) {
        if (!shown[c] && fuzz_counts[sc][c] != 0 &&
            (best < 0 || fuzz_counts[sc][c] > fuzz_counts[sc][best])) {
          best = c;
        }
      }
      if (best < 0 || len >= (int)sizeof line - 40) {
        break;
      }
      shown[best] = true;
      const char* name = best == FUZZ_STATUS_COLUMNS - 1 ? "OTHER" : short_status(-best);
      len += snprintf(line + len, sizeof line - (size_t)len, " %s %" PRIu64, name,
                      fuzz_counts[sc][best]);
    }
    printf("%s\n", line);
  }
  printf("# %-29s %9" PRIu64 "\n", "all", total);
}

// --- The call being made, and the recent ones ---------------------------------------------

typedef struct {
  uint64_t iteration;
  int sc;
  int nargs;
  uint64_t args[8];
  zx_status_t status;
  bool done;
  zx_time_t started;     // when tracing
  zx_time_t elapsed_us;  // when tracing, else -1
} fuzz_call_t;

#define FUZZ_RING 16
static FUZZ_TLS fuzz_call_t fuzz_ring[FUZZ_RING];
static FUZZ_TLS uint64_t fuzz_ring_next;
static FUZZ_TLS fuzz_call_t fuzz_current;
static FUZZ_TLS uint64_t fuzz_iteration;  // this thread's
static uint64_t fuzz_trace_from = UINT64_MAX;  // (shared, set before the threads start)
// Shared: each thread's fuzz_current, so a violation can say what the others were doing.
static const fuzz_call_t* fuzz_current_of[FUZZ_THREADS];

// "zx_vmo_read(handle=0x..., buffer=0x..., ...)" into out.
static void format_call(const fuzz_call_t* call, char* out, size_t size) {
  const fuzz_syscall_t* s = &fuzz_syscalls[call->sc];
  int len = snprintf(out, size, "%s(", s->name);
  const char* names = s->args;
  for (int i = 0; i < call->nargs && len < (int)size; i++) {
    const char* comma = strchr(names, ',');
    int name_len = comma ? (int)(comma - names) : (int)strlen(names);
    len += snprintf(out + len, size - (size_t)len, "%s%.*s=%#" PRIx64, i ? ", " : "", name_len,
                    names, call->args[i]);
    names = comma ? comma + 1 : names + name_len;
  }
  if (len < (int)size) {
    snprintf(out + len, size - (size_t)len, ")");
  }
}

static void print_call(const char* prefix, const fuzz_call_t* call) {
  fresh_line();
  char text[400];
  format_call(call, text, sizeof text);
  char who[16] = "";
  if (FUZZ_THREADS > 1) {
    snprintf(who, sizeof who, "t%d/", fuzz_thread);
  }
  if (call->done && call->elapsed_us >= 0) {
    printf("%s%s%" PRIu64 ": %s -> %s (%d) in %lld us\n", prefix, who, call->iteration, text,
           short_status(call->status), (int)call->status, (long long)call->elapsed_us);
  } else if (call->done) {
    printf("%s%s%" PRIu64 ": %s -> %s (%d)\n", prefix, who, call->iteration, text,
           short_status(call->status), (int)call->status);
  } else {
    printf("%s%s%" PRIu64 ": %s\n", prefix, who, call->iteration, text);
  }
}

static void print_ring(void) {
  printf("# the last calls, oldest first:\n");
  uint64_t first = fuzz_ring_next > FUZZ_RING ? fuzz_ring_next - FUZZ_RING : 0;
  for (uint64_t i = first; i < fuzz_ring_next; i++) {
    print_call("#   ", &fuzz_ring[i % FUZZ_RING]);
  }
}

// Records the call about to be made (and prints it when tracing, before the kernel
// sees it, so a panic inside the call still shows which one).
static void call_begin(int sc, int nargs, const uint64_t* args) {
  fuzz_current.iteration = fuzz_iteration;
  fuzz_current.sc = sc;
  fuzz_current.nargs = nargs;
  memcpy(fuzz_current.args, args, (size_t)nargs * sizeof args[0]);
  fuzz_current.done = false;
  fuzz_current.elapsed_us = -1;
  if (fuzz_iteration >= fuzz_trace_from) {
    print_call("# call ", &fuzz_current);
    fuzz_current.started = zx_clock_get_monotonic();
  }
}

// --- Violations ---------------------------------------------------------------------------

enum {
  V_STATUS,   // a status the syscall does not document
  V_HANDLES,  // the kernel and the model of the handle table disagree
  V_OUTPUT,   // what the kernel wrote (or claimed to) is wrong
  V_CLEANUP,  // closing or unmapping what the fuzzer holds failed
  V_LEAK,     // the kernel's free memory did not come back
  V_MODEL,    // a status (or a child's answer) other than the one the model predicts
  V_KINDS
};
// Shared by the threads (atomic).
static uint64_t fuzz_violations[V_KINDS];
static uint64_t fuzz_violations_total;
#define FUZZ_MAX_PRINTED_VIOLATIONS 8  // of each kind; the rest are counted

static uint64_t fuzz_seed_for_report;

static __attribute__((format(printf, 2, 3))) void violation(int kind, const char* format, ...) {
  __atomic_fetch_add(&fuzz_violations_total, 1, __ATOMIC_RELAXED);
  uint64_t seen = __atomic_fetch_add(&fuzz_violations[kind], 1, __ATOMIC_RELAXED);
  if (seen >= FUZZ_MAX_PRINTED_VIOLATIONS) {
    return;
  }
  char reason[300];
  va_list args;
  va_start(args, format);
  vsnprintf(reason, sizeof reason, format, args);
  va_end(args);
  fresh_line();
  if (FUZZ_THREADS > 1) {
    printf("# VIOLATION (seed %#" PRIx64 ", thread %d, its iteration %" PRIu64 "): %s\n",
           fuzz_seed_for_report, fuzz_thread, fuzz_iteration, reason);
  } else {
    printf("# VIOLATION (seed %#" PRIx64 ", iteration %" PRIu64 "): %s\n", fuzz_seed_for_report,
           fuzz_iteration, reason);
  }
  if (fuzz_current.nargs > 0 || fuzz_current.done) {
    print_call("#   in ", &fuzz_current);
  }
  print_ring();
  // What the other threads were doing (read on the fly: a call may be half recorded).
  for (int t = 0; t < FUZZ_THREADS && FUZZ_THREADS > 1; t++) {
    const fuzz_call_t* other = fuzz_current_of[t];
    if (t != fuzz_thread && other != NULL && other->nargs > 0) {
      fuzz_call_t copy = *other;
      char text[400];
      format_call(&copy, text, sizeof text);
      printf("#   meanwhile thread %d, its iteration %" PRIu64 ": %s%s\n", t, copy.iteration, text,
             copy.done ? " (returned)" : "");
    }
  }
  if (seen + 1 == FUZZ_MAX_PRINTED_VIOLATIONS) {
    printf("# (further violations of this kind are counted, not printed)\n");
  }
}

// Records the status, counts it, checks it against the syscall's documented list and
// the handle model's expectation (`handle_live`: 1 the call's handle is in the table,
// 0 it is not, -1 no single handle decides), and files the call in the ring.
static void call_end(zx_status_t status, int handle_live) {
  fuzz_current.status = status;
  fuzz_current.done = true;
  if (fuzz_iteration >= fuzz_trace_from) {
    fuzz_current.elapsed_us = (zx_clock_get_monotonic() - fuzz_current.started) / 1000;
  }
  const fuzz_syscall_t* s = &fuzz_syscalls[fuzz_current.sc];
  fuzz_counts[fuzz_current.sc][status_column(status)]++;
  fuzz_ring[fuzz_ring_next++ % FUZZ_RING] = fuzz_current;
  if (fuzz_iteration >= fuzz_trace_from) {
    print_call("# done ", &fuzz_current);
  }
  if (!status_in(s->allowed, status)) {
    violation(V_STATUS, "%s returned %s (%d), which it does not document", s->name,
              zx_status_get_string(status), (int)status);
  }
  if (handle_live == 1 && status == ZX_ERR_BAD_HANDLE) {
    violation(V_HANDLES, "%s said BAD_HANDLE for a handle the process holds", s->name);
  }
  if (handle_live == 0 && status != ZX_ERR_BAD_HANDLE && !status_in(s->pre_lookup, status)) {
    violation(V_HANDLES, "%s returned %s for a handle the process does not hold", s->name,
              zx_status_get_string(status));
  }
}

#endif  // ZRK_FUZZ_CALLS_H_
