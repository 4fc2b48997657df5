//! The system-call table: every syscall's name, number, parameters and return type,
//! written once, in [`zx_syscall_table!`](crate::zx_syscall_table).
//!
//! Adding a syscall is adding one entry there. Three things are expanded from it:
//! [`SYSCALLS`] (the table as data, which the C header generator prints), the `svc`
//! stubs in `libzircon/stubs`, and the kernel's [`dispatch`](crate::dispatch).

/// The syscall table, handed to a macro of the caller's choosing.
///
/// `zx_syscall_table!(my_macro)` expands to `my_macro! { kernel { ... } user { ... } }`
/// with the entries below, so each consumer writes one `macro_rules!` that turns the
/// list into what it needs (a const table, stubs, a dispatch `match`). The entries name
/// types by their C names, so the caller needs `use libzircon::prelude::*;` in scope.
///
/// Grammar, one entry per syscall (doc comments allowed before each):
///
/// ```text
/// kernel { NUMBER KIND NAME(PARAM: TYPE, ...) -> RET; ... }   KIND: call | blocking | noreturn
/// user   { KIND NAME(PARAM: TYPE, ...) -> RET; ... }          KIND: call | constant
/// TYPE: NAME | *const NAME | *mut NAME         RET: NAME | void
/// ```
///
/// - `kernel` entries enter the kernel: `svc #0` with the number in `x16` and the
///   arguments in `x0`-`x7`. Numbers are ours (Fuchsia's are not a stable ABI either),
///   dense from 0 in the order syscalls were added: append, never renumber.
/// - `blocking` calls may be interrupted: the kernel returns
///   `ZX_ERR_INTERNAL_INTR_RETRY` and the stub issues the call again, so programs
///   never see that code. `noreturn` calls never come back.
/// - `user` entries are answered at user level, in the stubs library, without
///   entering the kernel (Zircon's vDSO does the same); `constant` means the answer
///   never changes (`__CONST` in C).
///
/// Parameter names and types follow Fuchsia's synopses exactly.
#[macro_export]
macro_rules! zx_syscall_table {
    ($callback:ident) => {
        $callback! {
            kernel {
                /// Writes `buffer` to the kernel's debug console, at most 256 bytes a call.
                0 call debug_write(buffer: *const c_char, buffer_size: size_t) -> zx_status_t;
                /// Ends the calling process with `retcode`.
                1 noreturn process_exit(retcode: int64_t) -> void;
                /// Closes a handle; closing `ZX_HANDLE_INVALID` does nothing.
                2 call handle_close(handle: zx_handle_t) -> zx_status_t;
                /// Closes several handles.
                3 call handle_close_many(handles: *const zx_handle_t, num_handles: size_t)
                    -> zx_status_t;
                /// Makes a second handle to the same object, with `rights` (or the same).
                4 call handle_duplicate(handle: zx_handle_t, rights: zx_rights_t,
                    out: *mut zx_handle_t) -> zx_status_t;
                /// Swaps a handle for a new one with `rights`; the old one is gone either way.
                5 call handle_replace(handle: zx_handle_t, rights: zx_rights_t,
                    out: *mut zx_handle_t) -> zx_status_t;
                /// Reads the record `topic` names about an object.
                6 call object_get_info(handle: zx_handle_t, topic: uint32_t, buffer: *mut c_void,
                    buffer_size: size_t, actual: *mut size_t, avail: *mut size_t) -> zx_status_t;
                /// Reads a property (`ZX_PROP_*`) of an object.
                7 call object_get_property(handle: zx_handle_t, property: uint32_t,
                    value: *mut c_void, value_size: size_t) -> zx_status_t;
                /// Sets a property (`ZX_PROP_*`) of an object.
                8 call object_set_property(handle: zx_handle_t, property: uint32_t,
                    value: *const c_void, value_size: size_t) -> zx_status_t;
                /// Waits until one of `signals` is asserted on the object, or `deadline`.
                9 blocking object_wait_one(handle: zx_handle_t, signals: zx_signals_t,
                    deadline: zx_time_t, observed: *mut zx_signals_t) -> zx_status_t;
                /// Sleeps until `deadline` (monotonic nanoseconds).
                10 blocking nanosleep(deadline: zx_time_t) -> zx_status_t;
                /// Creates a VMO of `size` bytes (rounded up to pages).
                11 call vmo_create(size: uint64_t, options: uint32_t, out: *mut zx_handle_t)
                    -> zx_status_t;
                /// Copies bytes out of a VMO.
                12 blocking vmo_read(handle: zx_handle_t, buffer: *mut c_void, offset: uint64_t,
                    buffer_size: size_t) -> zx_status_t;
                /// Copies bytes into a VMO.
                13 blocking vmo_write(handle: zx_handle_t, buffer: *const c_void, offset: uint64_t,
                    buffer_size: size_t) -> zx_status_t;
                /// Reads a VMO's size (page-rounded).
                14 call vmo_get_size(handle: zx_handle_t, size: *mut uint64_t) -> zx_status_t;
                /// Resizes a resizable VMO.
                15 call vmo_set_size(handle: zx_handle_t, size: uint64_t) -> zx_status_t;
                /// Commits, decommits, zeroes, locks or cache-maintains a range of a VMO.
                16 blocking vmo_op_range(handle: zx_handle_t, op: uint32_t, offset: uint64_t,
                    size: uint64_t, buffer: *mut c_void, buffer_size: size_t) -> zx_status_t;
                /// Creates a child VMO: a copy-on-write snapshot, a slice, or a reference.
                17 call vmo_create_child(handle: zx_handle_t, options: uint32_t, offset: uint64_t,
                    size: uint64_t, out: *mut zx_handle_t) -> zx_status_t;
                /// Sets how a VMO's pages are cached when mapped.
                18 call vmo_set_cache_policy(handle: zx_handle_t, cache_policy: uint32_t)
                    -> zx_status_t;
                /// Swaps a VMO handle for one that also has `ZX_RIGHT_EXECUTE`.
                19 call vmo_replace_as_executable(handle: zx_handle_t, vmex: zx_handle_t,
                    out: *mut zx_handle_t) -> zx_status_t;
                /// Maps a VMO into a VMAR.
                20 call vmar_map(handle: zx_handle_t, options: zx_vm_option_t, vmar_offset: size_t,
                    vmo: zx_handle_t, vmo_offset: uint64_t, len: size_t,
                    mapped_addr: *mut zx_vaddr_t) -> zx_status_t;
                /// Unmaps a range of a VMAR.
                21 call vmar_unmap(handle: zx_handle_t, addr: zx_vaddr_t, len: size_t)
                    -> zx_status_t;
                /// Changes the protection of a mapped range.
                22 call vmar_protect(handle: zx_handle_t, options: zx_vm_option_t,
                    addr: zx_vaddr_t, len: size_t) -> zx_status_t;
                /// Reserves a sub-VMAR.
                23 call vmar_allocate(parent_vmar: zx_handle_t, options: zx_vm_option_t,
                    offset: size_t, size: size_t, child_vmar: *mut zx_handle_t,
                    child_addr: *mut zx_vaddr_t) -> zx_status_t;
                /// Unmaps everything in a VMAR and stops it from being used.
                24 call vmar_destroy(handle: zx_handle_t) -> zx_status_t;
                /// Sleeps while `*value_ptr == current_value`, until woken or `deadline`.
                25 blocking futex_wait(value_ptr: *const zx_futex_t, current_value: zx_futex_t,
                    new_futex_owner: zx_handle_t, deadline: zx_time_t) -> zx_status_t;
                /// Wakes up to `wake_count` waiters of a futex.
                26 call futex_wake(value_ptr: *const zx_futex_t, wake_count: uint32_t)
                    -> zx_status_t;
                /// Creates a thread in a process (not yet running).
                27 call thread_create(process: zx_handle_t, name: *const c_char, name_size: size_t,
                    options: uint32_t, out: *mut zx_handle_t) -> zx_status_t;
                /// Starts a thread at `thread_entry` with `arg1`/`arg2` in x0/x1.
                28 call thread_start(handle: zx_handle_t, thread_entry: zx_vaddr_t,
                    stack: zx_vaddr_t, arg1: uintptr_t, arg2: uintptr_t) -> zx_status_t;
                /// Ends the calling thread.
                29 noreturn thread_exit() -> void;
                /// Kills a process or a job (and everything in it); a thread is WRONG_TYPE.
                30 call task_kill(handle: zx_handle_t) -> zx_status_t;
                /// Suspends a thread or a process until the returned token is closed.
                31 call task_suspend(handle: zx_handle_t, token: *mut zx_handle_t) -> zx_status_t;
                /// The old name of `task_suspend`, the same call.
                32 call task_suspend_token(handle: zx_handle_t, token: *mut zx_handle_t)
                    -> zx_status_t;
                /// Reads a suspended (or excepting) thread's registers of one `kind`.
                33 call thread_read_state(handle: zx_handle_t, kind: uint32_t, buffer: *mut c_void,
                    buffer_size: size_t) -> zx_status_t;
                /// Writes a suspended (or excepting) thread's registers of one `kind`.
                34 call thread_write_state(handle: zx_handle_t, kind: uint32_t,
                    buffer: *const c_void, buffer_size: size_t) -> zx_status_t;
                /// Wakes `wake_count` waiters of a futex and moves up to `requeue_count` of
                /// the rest to another, if `*value_ptr == current_value`.
                35 call futex_requeue(value_ptr: *const zx_futex_t, wake_count: uint32_t,
                    current_value: zx_futex_t, requeue_ptr: *const zx_futex_t,
                    requeue_count: uint32_t, new_requeue_owner: zx_handle_t) -> zx_status_t;
                /// Wakes one waiter of a futex and makes it the futex's owner.
                36 call futex_wake_single_owner(value_ptr: *const zx_futex_t) -> zx_status_t;
                /// As `futex_requeue`, waking one waiter and making it the owner.
                37 call futex_requeue_single_owner(value_ptr: *const zx_futex_t,
                    current_value: zx_futex_t, requeue_ptr: *const zx_futex_t,
                    requeue_count: uint32_t, new_requeue_owner: zx_handle_t) -> zx_status_t;
                /// Reads the koid of a futex's owner (`ZX_KOID_INVALID` for none).
                38 call futex_get_owner(value_ptr: *const zx_futex_t, koid: *mut zx_koid_t)
                    -> zx_status_t;
                /// Waits until one of several objects asserts one of its signals, or
                /// `deadline`; writes each item's `pending` signals back.
                39 blocking object_wait_many(items: *mut zx_wait_item_t, num_items: size_t,
                    deadline: zx_time_t) -> zx_status_t;
                /// Clears, then sets, user signals (and a few others) on an object.
                40 call object_signal(handle: zx_handle_t, clear_mask: uint32_t, set_mask: uint32_t)
                    -> zx_status_t;
                /// As `object_signal`, on the object's peer (a channel's or eventpair's
                /// other end).
                41 call object_signal_peer(handle: zx_handle_t, clear_mask: uint32_t,
                    set_mask: uint32_t) -> zx_status_t;
                /// Creates an event: an object with signals and nothing else.
                42 call event_create(options: uint32_t, out: *mut zx_handle_t) -> zx_status_t;
                /// Creates a pair of events, each able to signal the other.
                43 call eventpair_create(options: uint32_t, out0: *mut zx_handle_t,
                    out1: *mut zx_handle_t) -> zx_status_t;
                /// Creates a timer on `clock_id` (`ZX_CLOCK_MONOTONIC`); `options` is a
                /// `ZX_TIMER_SLACK_*` mode.
                44 call timer_create(options: uint32_t, clock_id: zx_clock_t, out: *mut zx_handle_t)
                    -> zx_status_t;
                /// Arms a timer: it asserts `ZX_TIMER_SIGNALED` at `deadline` (give or take
                /// `slack`).
                45 call timer_set(handle: zx_handle_t, deadline: zx_time_t, slack: zx_duration_t)
                    -> zx_status_t;
                /// Disarms a timer and clears `ZX_TIMER_SIGNALED`.
                46 call timer_cancel(handle: zx_handle_t) -> zx_status_t;
                /// The number of CPUs. Zircon answers it in the vDSO (a `__CONST` call);
                /// here it is a kernel call, so the kernel can count only the CPUs it
                /// brought up (the answer never changes while the system runs).
                47 call system_get_num_cpus() -> uint32_t;
                /// The bytes of physical memory the system uses. A kernel call here (the
                /// vDSO's in Zircon).
                48 call system_get_physmem() -> uint64_t;
                /// Fills `buffer` with at most `ZX_CPRNG_DRAW_MAX_LEN` bytes from the kernel
                /// CPRNG: the kernel half of `zx_cprng_draw`, which loops over it (private
                /// to Zircon's vDSO; callable here).
                49 call cprng_draw_once(buffer: *mut c_void, buffer_size: size_t) -> zx_status_t;
                /// Mixes at most `ZX_CPRNG_ADD_ENTROPY_MAX_LEN` bytes into the kernel CPRNG.
                50 call cprng_add_entropy(buffer: *const c_void, buffer_size: size_t)
                    -> zx_status_t;
                /// Creates a channel: two connected endpoints.
                51 call channel_create(options: uint32_t, out0: *mut zx_handle_t,
                    out1: *mut zx_handle_t) -> zx_status_t;
                /// Writes a message (bytes and handles, which leave the caller) to a channel.
                52 call channel_write(handle: zx_handle_t, options: uint32_t, bytes: *const c_void,
                    num_bytes: uint32_t, handles: *const zx_handle_t, num_handles: uint32_t)
                    -> zx_status_t;
                /// As `channel_write`, each handle with a disposition (move or duplicate,
                /// expected type, rights).
                53 call channel_write_etc(handle: zx_handle_t, options: uint32_t,
                    bytes: *const c_void, num_bytes: uint32_t,
                    handles: *mut zx_handle_disposition_t, num_handles: uint32_t) -> zx_status_t;
                /// Reads the next message of a channel.
                54 call channel_read(handle: zx_handle_t, options: uint32_t, bytes: *mut c_void,
                    handles: *mut zx_handle_t, num_bytes: uint32_t, num_handles: uint32_t,
                    actual_bytes: *mut uint32_t, actual_handles: *mut uint32_t) -> zx_status_t;
                /// As `channel_read`, with each handle's type and rights.
                55 call channel_read_etc(handle: zx_handle_t, options: uint32_t, bytes: *mut c_void,
                    handles: *mut zx_handle_info_t, num_bytes: uint32_t, num_handles: uint32_t,
                    actual_bytes: *mut uint32_t, actual_handles: *mut uint32_t) -> zx_status_t;
                /// The first half of `zx_channel_call`: writes the request and waits for the
                /// reply; `ZX_ERR_INTERNAL_INTR_RETRY` means "finish with
                /// `channel_call_finish`" (Zircon's private vDSO protocol).
                56 call channel_call_noretry(handle: zx_handle_t, options: uint32_t,
                    deadline: zx_time_t, args: *const zx_channel_call_args_t,
                    actual_bytes: *mut uint32_t, actual_handles: *mut uint32_t) -> zx_status_t;
                /// The second half of `zx_channel_call`: waits again for the reply.
                57 blocking channel_call_finish(deadline: zx_time_t,
                    args: *const zx_channel_call_args_t, actual_bytes: *mut uint32_t,
                    actual_handles: *mut uint32_t) -> zx_status_t;
                /// The first half of `zx_channel_call_etc`.
                58 call channel_call_etc_noretry(handle: zx_handle_t, options: uint32_t,
                    deadline: zx_time_t, args: *mut zx_channel_call_etc_args_t,
                    actual_bytes: *mut uint32_t, actual_handles: *mut uint32_t) -> zx_status_t;
                /// The second half of `zx_channel_call_etc`.
                59 blocking channel_call_etc_finish(deadline: zx_time_t,
                    args: *mut zx_channel_call_etc_args_t, actual_bytes: *mut uint32_t,
                    actual_handles: *mut uint32_t) -> zx_status_t;
                /// Creates a port: a queue of packets.
                60 call port_create(options: uint32_t, out: *mut zx_handle_t) -> zx_status_t;
                /// Queues a user packet on a port.
                61 call port_queue(handle: zx_handle_t, packet: *const zx_port_packet_t)
                    -> zx_status_t;
                /// Takes the oldest packet of a port, waiting until `deadline` for one.
                62 blocking port_wait(handle: zx_handle_t, deadline: zx_time_t,
                    packet: *mut zx_port_packet_t) -> zx_status_t;
                /// Cancels the waits registered through `source` with `key`, and their
                /// queued packets.
                63 call port_cancel(handle: zx_handle_t, source: zx_handle_t, key: uint64_t)
                    -> zx_status_t;
                /// Asks for a packet on `port` when one of `signals` is asserted on the object.
                64 call object_wait_async(handle: zx_handle_t, port: zx_handle_t, key: uint64_t,
                    signals: zx_signals_t, options: uint32_t) -> zx_status_t;
                /// Creates a process (with no threads) in a job, and its root VMAR.
                65 call process_create(job: zx_handle_t, name: *const c_char, name_size: size_t,
                    options: uint32_t, proc_handle: *mut zx_handle_t,
                    vmar_handle: *mut zx_handle_t) -> zx_status_t;
                /// Starts a new process's first thread at `entry`, handing it `arg1` (a
                /// handle, moved into the process) and `arg2`.
                66 call process_start(handle: zx_handle_t, thread: zx_handle_t, entry: zx_vaddr_t,
                    stack: zx_vaddr_t, arg1: zx_handle_t, arg2: uintptr_t) -> zx_status_t;
                /// Creates a child job.
                67 call job_create(parent_job: zx_handle_t, options: uint32_t,
                    out: *mut zx_handle_t) -> zx_status_t;
                /// Reads another process's memory.
                68 call process_read_memory(handle: zx_handle_t, vaddr: zx_vaddr_t,
                    buffer: *mut c_void, buffer_size: size_t, actual: *mut size_t) -> zx_status_t;
                /// Writes another process's memory (a debugging call).
                69 call process_write_memory(handle: zx_handle_t, vaddr: zx_vaddr_t,
                    buffer: *const c_void, buffer_size: size_t, actual: *mut size_t)
                    -> zx_status_t;
                /// Finds a child of a job (a job or process) or a thread of a process by koid.
                70 call object_get_child(handle: zx_handle_t, koid: uint64_t, rights: zx_rights_t,
                    out: *mut zx_handle_t) -> zx_status_t;
                /// Creates a channel on which a task's exceptions arrive.
                71 call task_create_exception_channel(handle: zx_handle_t, options: uint32_t,
                    out: *mut zx_handle_t) -> zx_status_t;
                /// The thread an exception object is about.
                72 call exception_get_thread(handle: zx_handle_t, out: *mut zx_handle_t)
                    -> zx_status_t;
                /// The process an exception object is about.
                73 call exception_get_process(handle: zx_handle_t, out: *mut zx_handle_t)
                    -> zx_status_t;
                /// Sets a job's policy for the processes it will hold.
                74 call job_set_policy(handle: zx_handle_t, options: uint32_t, topic: uint32_t,
                    policy: *const c_void, policy_size: uint32_t) -> zx_status_t;
                /// Marks a process as critical to a job: the job dies with it.
                75 call job_set_critical(job: zx_handle_t, options: uint32_t,
                    process: zx_handle_t) -> zx_status_t;
            }
            user {
                /// The page size in bytes.
                constant system_get_page_size() -> uint32_t;
                /// The hardware counter (arm64: the virtual counter, CNTVCT_EL0).
                call ticks_get() -> zx_ticks_t;
                /// How fast the counter ticks (arm64: CNTFRQ_EL0).
                constant ticks_per_second() -> zx_ticks_t;
                /// Nanoseconds since boot, from the counter.
                call clock_get_monotonic() -> zx_time_t;
                /// The monotonic time `nanoseconds` from now, saturating at the ends of time.
                call deadline_after(nanoseconds: zx_duration_t) -> zx_time_t;
                /// Nanoseconds on the boot timeline. The machine never suspends, so this is
                /// the monotonic clock (digest decision 13).
                call clock_get_boot() -> zx_instant_boot_t;
                /// The smallest data cache line, in bytes (arm64: from CTR_EL0.DminLine).
                constant system_get_dcache_line_size() -> uint32_t;
                /// A string naming the running kernel and its version ("zrk-0.1.0").
                constant system_get_version_string() -> zx_string_view_t;
                /// Fills `buffer` from the kernel CPRNG, in `ZX_CPRNG_DRAW_MAX_LEN` pieces
                /// (`zx_cprng_draw_once`). Cannot fail: a bad buffer kills the process.
                call cprng_draw(buffer: *mut c_void, buffer_size: size_t) -> void;
                /// Writes a request to a channel and waits for the reply with the same
                /// transaction id (`channel_call_noretry`, then `channel_call_finish` while
                /// the thread is interrupted).
                call channel_call(handle: zx_handle_t, options: uint32_t, deadline: zx_time_t,
                    args: *const zx_channel_call_args_t, actual_bytes: *mut uint32_t,
                    actual_handles: *mut uint32_t) -> zx_status_t;
                /// As `channel_call`, with handle dispositions and handle infos.
                call channel_call_etc(handle: zx_handle_t, options: uint32_t, deadline: zx_time_t,
                    args: *mut zx_channel_call_etc_args_t, actual_bytes: *mut uint32_t,
                    actual_handles: *mut uint32_t) -> zx_status_t;
            }
        }
    };
}

/// How a syscall behaves beyond its prototype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An ordinary call.
    Call,
    /// May be interrupted; the stub retries on `ZX_ERR_INTERNAL_INTR_RETRY`.
    Blocking,
    /// Never returns (`__NO_RETURN`).
    NoReturn,
    /// Answered at user level, and the answer never changes (`__CONST`).
    Constant,
}

/// A parameter: its C type (`const void*`) and name.
#[derive(Debug)]
pub struct Param {
    pub c_type: &'static str,
    pub name: &'static str,
}

/// One syscall of the table.
#[derive(Debug)]
pub struct Syscall {
    /// The name without the `zx_` prefix, e.g. `vmo_write`.
    pub name: &'static str,
    /// The number in `x16`; `None` for calls answered at user level (no kernel entry).
    pub number: Option<u32>,
    pub kind: Kind,
    /// The C return type (`zx_status_t`, `void`, ...).
    pub ret: &'static str,
    pub params: &'static [Param],
    pub doc: &'static str,
}

impl Syscall {
    /// Answered in user space, without entering the kernel.
    pub const fn is_user_level(&self) -> bool {
        self.number.is_none()
    }
}

/// The C spelling of a table type: `*const c_void` is `const void*`.
#[macro_export]
#[doc(hidden)]
macro_rules! __zx_c_param_type {
    (* const $t:ident) => {
        concat!("const ", $crate::__zx_c_type_name!($t), "*")
    };
    (* mut $t:ident) => {
        concat!($crate::__zx_c_type_name!($t), "*")
    };
    ($t:ident) => {
        $crate::__zx_c_type_name!($t)
    };
}

macro_rules! define_table {
    (
        kernel { $(
            $(#[doc = $kdoc:literal])*
            $num:literal $kkind:ident $kname:ident (
                $( $kp:ident : $(* $kq:ident)? $kt:ident ),*
            ) -> $kret:ident;
        )* }
        user { $(
            $(#[doc = $udoc:literal])*
            $ukind:ident $uname:ident ( $( $up:ident : $(* $uq:ident)? $ut:ident ),* ) -> $uret:ident;
        )* }
    ) => {
        /// Every syscall: the kernel ones in number order, then the user-level ones.
        pub const SYSCALLS: &[Syscall] = &[
            $( Syscall {
                name: stringify!($kname),
                number: Some($num),
                kind: define_table!(@kind $kkind),
                ret: stringify!($kret),
                params: &[ $( Param {
                    c_type: $crate::__zx_c_param_type!($(* $kq)? $kt),
                    name: stringify!($kp),
                } ),* ],
                doc: concat!($($kdoc, "\n"),*),
            }, )*
            $( Syscall {
                name: stringify!($uname),
                number: None,
                kind: define_table!(@kind $ukind),
                ret: stringify!($uret),
                params: &[ $( Param {
                    c_type: $crate::__zx_c_param_type!($(* $uq)? $ut),
                    name: stringify!($up),
                } ),* ],
                doc: concat!($($udoc, "\n"),*),
            }, )*
        ];

        /// The number of kernel syscalls: valid numbers are `0..SYSCALL_COUNT`.
        pub const SYSCALL_COUNT: u32 = [$($num),*].len() as u32;

        /// Syscall numbers by name, e.g. `nr::vmo_write`.
        #[allow(non_upper_case_globals)]
        pub mod nr {
            $( pub const $kname: u32 = $num; )*
        }
    };
    (@kind call) => { Kind::Call };
    (@kind blocking) => { Kind::Blocking };
    (@kind noreturn) => { Kind::NoReturn };
    (@kind constant) => { Kind::Constant };
}

crate::zx_syscall_table!(define_table);

/// The kernel syscall with this number, if any.
pub fn kernel_syscall(number: u64) -> Option<&'static Syscall> {
    let index = usize::try_from(number).ok()?;
    SYSCALLS[..SYSCALL_COUNT as usize].get(index)
}

// The arm64 convention passes at most eight arguments in registers.
const _: () = {
    let mut i = 0;
    while i < SYSCALLS.len() {
        assert!(SYSCALLS[i].params.len() <= 8);
        i += 1;
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_numbers_are_dense_and_in_order() {
        let kernel: Vec<&Syscall> = SYSCALLS.iter().filter(|s| !s.is_user_level()).collect();
        assert_eq!(kernel.len(), SYSCALL_COUNT as usize);
        for (i, syscall) in kernel.iter().enumerate() {
            assert_eq!(syscall.number, Some(i as u32), "{}", syscall.name);
            assert_eq!(kernel_syscall(i as u64).map(|s| s.name), Some(syscall.name));
        }
        assert!(kernel_syscall(SYSCALL_COUNT as u64).is_none());
        assert!(kernel_syscall(u64::MAX).is_none());
        // User-level entries come after every kernel entry.
        assert!(SYSCALLS[SYSCALL_COUNT as usize..]
            .iter()
            .all(Syscall::is_user_level));
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in SYSCALLS.iter().enumerate() {
            assert!(
                SYSCALLS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }

    #[test]
    fn table_holds_the_syscalls_of_this_round() {
        let kernel = [
            "debug_write",
            "process_exit",
            "handle_close",
            "handle_close_many",
            "handle_duplicate",
            "handle_replace",
            "object_get_info",
            "object_get_property",
            "object_set_property",
            "object_wait_one",
            "nanosleep",
            "vmo_create",
            "vmo_read",
            "vmo_write",
            "vmo_get_size",
            "vmo_set_size",
            "vmo_op_range",
            "vmo_create_child",
            "vmo_set_cache_policy",
            "vmo_replace_as_executable",
            "vmar_map",
            "vmar_unmap",
            "vmar_protect",
            "vmar_allocate",
            "vmar_destroy",
            "futex_wait",
            "futex_wake",
            "thread_create",
            "thread_start",
            "thread_exit",
            "task_kill",
            "task_suspend",
            "task_suspend_token",
            "thread_read_state",
            "thread_write_state",
            "futex_requeue",
            "futex_wake_single_owner",
            "futex_requeue_single_owner",
            "futex_get_owner",
            "object_wait_many",
            "object_signal",
            "object_signal_peer",
            "event_create",
            "eventpair_create",
            "timer_create",
            "timer_set",
            "timer_cancel",
            "system_get_num_cpus",
            "system_get_physmem",
            "cprng_draw_once",
            "cprng_add_entropy",
            "channel_create",
            "channel_write",
            "channel_write_etc",
            "channel_read",
            "channel_read_etc",
            "channel_call_noretry",
            "channel_call_finish",
            "channel_call_etc_noretry",
            "channel_call_etc_finish",
            "port_create",
            "port_queue",
            "port_wait",
            "port_cancel",
            "object_wait_async",
            "process_create",
            "process_start",
            "job_create",
            "process_read_memory",
            "process_write_memory",
            "object_get_child",
            "task_create_exception_channel",
            "exception_get_thread",
            "exception_get_process",
            "job_set_policy",
            "job_set_critical",
        ];
        let user = [
            "system_get_page_size",
            "ticks_get",
            "ticks_per_second",
            "clock_get_monotonic",
            "deadline_after",
            "clock_get_boot",
            "system_get_dcache_line_size",
            "system_get_version_string",
            "cprng_draw",
            "channel_call",
            "channel_call_etc",
        ];
        let names = |user_level: bool| -> Vec<&str> {
            SYSCALLS
                .iter()
                .filter(|s| s.is_user_level() == user_level)
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names(false), kernel);
        assert_eq!(names(true), user);
        assert_eq!(nr::vmo_write, 13);
        // Appended after the first round; earlier numbers never move.
        assert_eq!(nr::thread_exit, 29);
        assert_eq!(nr::task_kill, 30);
        assert_eq!(nr::object_wait_many, 39);
        assert_eq!(nr::cprng_add_entropy, 50);
        assert_eq!(nr::channel_create, 51);
        assert_eq!(nr::job_set_critical, 75);
    }

    #[test]
    fn vmo_write_matches_its_synopsis() {
        let s = SYSCALLS.iter().find(|s| s.name == "vmo_write").unwrap();
        let params: Vec<(&str, &str)> = s.params.iter().map(|p| (p.c_type, p.name)).collect();
        assert_eq!(s.ret, "zx_status_t");
        assert_eq!(
            params,
            [
                ("zx_handle_t", "handle"),
                ("const void*", "buffer"),
                ("uint64_t", "offset"),
                ("size_t", "buffer_size")
            ]
        );
        assert_eq!(s.kind, Kind::Blocking);
    }

    #[test]
    fn kinds_follow_fuchsia_categories() {
        let kind = |name: &str| SYSCALLS.iter().find(|s| s.name == name).unwrap().kind;
        for name in ["process_exit", "thread_exit"] {
            assert_eq!(kind(name), Kind::NoReturn);
        }
        // Fuchsia's "blocking" category (category.inc), for the calls in the table.
        for name in [
            "nanosleep",
            "futex_wait",
            "object_wait_one",
            "object_wait_many",
            "vmo_read",
            "vmo_write",
            "vmo_op_range",
            "port_wait",
            "channel_call_finish",
            "channel_call_etc_finish",
        ] {
            assert_eq!(kind(name), Kind::Blocking, "{name}");
        }
        // Its "const" category, for the calls answered at user level.
        for name in [
            "system_get_page_size",
            "ticks_per_second",
            "system_get_dcache_line_size",
            "system_get_version_string",
        ] {
            assert_eq!(kind(name), Kind::Constant, "{name}");
        }
        // Every other call is an ordinary one: no other entry blocks or never returns.
        // (`system_get_num_cpus` is const in Fuchsia's vDSO, but a kernel call here.)
        let special = [
            "process_exit",
            "thread_exit",
            "nanosleep",
            "futex_wait",
            "object_wait_one",
            "object_wait_many",
            "vmo_read",
            "vmo_write",
            "vmo_op_range",
            "port_wait",
            "channel_call_finish",
            "channel_call_etc_finish",
            "system_get_page_size",
            "ticks_per_second",
            "system_get_dcache_line_size",
            "system_get_version_string",
        ];
        for syscall in SYSCALLS.iter().filter(|s| !special.contains(&s.name)) {
            assert_eq!(syscall.kind, Kind::Call, "{}", syscall.name);
        }
        assert_eq!(kind("system_get_num_cpus"), Kind::Call);
    }

    #[test]
    fn new_calls_match_their_synopses() {
        let find = |name: &str| SYSCALLS.iter().find(|s| s.name == name).unwrap();
        let params = |name: &str| -> Vec<(&str, &str)> {
            find(name)
                .params
                .iter()
                .map(|p| (p.c_type, p.name))
                .collect()
        };
        assert_eq!(
            params("futex_requeue"),
            [
                ("const zx_futex_t*", "value_ptr"),
                ("uint32_t", "wake_count"),
                ("zx_futex_t", "current_value"),
                ("const zx_futex_t*", "requeue_ptr"),
                ("uint32_t", "requeue_count"),
                ("zx_handle_t", "new_requeue_owner"),
            ]
        );
        assert_eq!(
            params("object_wait_many"),
            [
                ("zx_wait_item_t*", "items"),
                ("size_t", "num_items"),
                ("zx_time_t", "deadline"),
            ]
        );
        assert_eq!(
            params("timer_create"),
            [
                ("uint32_t", "options"),
                ("zx_clock_t", "clock_id"),
                ("zx_handle_t*", "out"),
            ]
        );
        assert_eq!(
            params("cprng_draw"),
            [("void*", "buffer"), ("size_t", "buffer_size")]
        );
        assert_eq!(find("cprng_draw").ret, "void");
        assert_eq!(find("system_get_version_string").ret, "zx_string_view_t");
        assert_eq!(find("system_get_physmem").ret, "uint64_t");
        assert_eq!(find("clock_get_boot").ret, "zx_instant_boot_t");
    }
}
