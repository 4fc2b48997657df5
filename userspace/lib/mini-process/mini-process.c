// mini-process's parent side (see <mini-process/mini-process.h>). The child program
// is child.S, copied from this program's own text into the child's VMO.

#include <mini-process/mini-process.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/zrk-syscall-numbers.h>

// child.S: the child's whole program, position-independent.
extern const char minipr_child_start[];
extern const char minipr_child_end[];

// The context message: what Fuchsia sends as minip_ctx_t (syscall addresses in its
// vDSO), reduced to a check that both sides speak the same protocol, since our child
// enters the kernel itself.
typedef struct {
    uint64_t magic;
    uint32_t version;
    uint32_t reserved;
} minip_ctx_t;

#define MINIP_CTX_MAGIC 0x50494e494d4b525aull  // "ZRKMINIP"
#define MINIP_CTX_VERSION 1u
// The child's arg2: which of its two programs to run.
#define MINIP_MODE_SPIN 0u
#define MINIP_MODE_COMMANDS 1u

typedef struct {
    uint32_t what;
    zx_status_t status;
} minip_cmd_t;

// The exit stub mini_process_load_vdso maps: zx_process_exit(x0), then a trap.
static const uint32_t exit_stub[] = {
    0xd2800010u | (ZRK_SYS_process_exit << 5),  // mov x16, #ZRK_SYS_process_exit
    0xd4000001u,  // svc #0
    0xd4207d00u,  // brk #0x3e8
};
_Static_assert(sizeof(exit_stub) == 12, "three instructions");

zx_status_t mini_process_load_stack(zx_handle_t vmar, bool with_code, zx_vaddr_t* stack_base,
                                    zx_vaddr_t* sp) {
    size_t code_size = with_code ? (size_t)(minipr_child_end - minipr_child_start) : 0;
    uint64_t page = zx_system_get_page_size();
    uint64_t size = ((16u << 10) + code_size + page - 1) & ~(page - 1);

    zx_handle_t vmo = ZX_HANDLE_INVALID;
    zx_status_t status = zx_vmo_create(size, 0, &vmo);
    if (status != ZX_OK) {
        return status;
    }
    static const char name[] = "mini-process:stack";
    zx_object_set_property(vmo, ZX_PROP_NAME, name, sizeof(name));

    zx_vm_option_t perms = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
    if (with_code) {
        status = zx_vmo_write(vmo, minipr_child_start, 0, code_size);
        if (status != ZX_OK) {
            goto exit;
        }
        // As Fuchsia's: code and stack share one VMO, so the mapping is R|W|X.
        status = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo);
        if (status != ZX_OK) {
            goto exit;
        }
        perms |= ZX_VM_PERM_EXECUTE;
    }
    status = zx_vmar_map(vmar, perms, 0, vmo, 0, size, stack_base);
    if (status == ZX_OK) {
        *sp = (*stack_base + size) & ~(zx_vaddr_t)15;
    }
exit:
    // The mapping keeps the VMO alive.
    zx_handle_close(vmo);
    return status;
}

zx_status_t mini_process_load_vdso(zx_handle_t process, zx_handle_t vmar, uintptr_t* base,
                                   uintptr_t* entry) {
    (void)process;
    uint64_t page = zx_system_get_page_size();
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    zx_status_t status = zx_vmo_create(page, 0, &vmo);
    if (status != ZX_OK) {
        return status;
    }
    static const char name[] = "mini-process:exit";
    zx_object_set_property(vmo, ZX_PROP_NAME, name, sizeof(name));
    status = zx_vmo_write(vmo, exit_stub, 0, sizeof(exit_stub));
    if (status == ZX_OK) {
        status = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo);
    }
    zx_vaddr_t addr = 0;
    if (status == ZX_OK) {
        status = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vmo, 0, page, &addr);
    }
    zx_handle_close(vmo);
    if (status == ZX_OK) {
        if (base) {
            *base = addr;
        }
        if (entry) {
            *entry = addr;
        }
    }
    return status;
}

zx_status_t mini_process_wait_for_ack(zx_handle_t cntrl_channel) {
    zx_signals_t observed = 0;
    zx_status_t status =
        zx_object_wait_one(cntrl_channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                           ZX_TIME_INFINITE, &observed);
    if (status != ZX_OK) {
        return status;
    }
    if (!(observed & ZX_CHANNEL_READABLE)) {
        // The child died before it answered.
        return (observed & ZX_CHANNEL_PEER_CLOSED) ? ZX_ERR_UNAVAILABLE : ZX_ERR_BAD_STATE;
    }
    uint32_t ack[2];
    uint32_t actual_bytes = 0;
    uint32_t actual_handles = 0;
    return zx_channel_read(cntrl_channel, 0, ack, NULL, sizeof(ack), 0, &actual_bytes,
                           &actual_handles);
}

zx_status_t start_mini_process_etc(zx_handle_t process, zx_handle_t thread, zx_handle_t vmar,
                                   zx_handle_t transferred_handle, bool wait_for_ack,
                                   zx_handle_t* cntrl_channel) {
    zx_vaddr_t stack_base = 0;
    zx_vaddr_t sp = 0;
    zx_handle_t chn[2] = {ZX_HANDLE_INVALID, ZX_HANDLE_INVALID};
    zx_status_t status = mini_process_load_stack(vmar, true, &stack_base, &sp);
    if (status != ZX_OK) {
        goto exit;
    }

    if (!cntrl_channel) {
        // Simple mode: the child spins; the handle is its arg1.
        status = zx_process_start(process, thread, stack_base, sp, transferred_handle,
                                  MINIP_MODE_SPIN);
        transferred_handle = ZX_HANDLE_INVALID;
        goto exit;
    }

    status = zx_channel_create(0, &chn[0], &chn[1]);
    if (status != ZX_OK) {
        goto exit;
    }
    minip_ctx_t ctx = {.magic = MINIP_CTX_MAGIC, .version = MINIP_CTX_VERSION, .reserved = 0};
    uint32_t num_handles = transferred_handle == ZX_HANDLE_INVALID ? 0 : 1;
    status = zx_channel_write(chn[0], 0, &ctx, sizeof(ctx), &transferred_handle, num_handles);
    transferred_handle = ZX_HANDLE_INVALID;
    if (status != ZX_OK) {
        goto exit;
    }
    status = zx_process_start(process, thread, stack_base, sp, chn[1], MINIP_MODE_COMMANDS);
    chn[1] = ZX_HANDLE_INVALID;
    if (status != ZX_OK) {
        goto exit;
    }
    if (wait_for_ack) {
        status = mini_process_wait_for_ack(chn[0]);
        if (status != ZX_OK) {
            goto exit;
        }
    }
    *cntrl_channel = chn[0];
    chn[0] = ZX_HANDLE_INVALID;

exit:
    if (transferred_handle != ZX_HANDLE_INVALID) {
        zx_handle_close(transferred_handle);
    }
    zx_handle_close(chn[0]);
    zx_handle_close(chn[1]);
    return status;
}

zx_status_t mini_process_cmd_send(zx_handle_t cntrl_channel, uint32_t what) {
    minip_cmd_t cmd = {.what = what, .status = ZX_OK};
    return zx_channel_write(cntrl_channel, 0, &cmd, sizeof(cmd), NULL, 0);
}

zx_status_t mini_process_cmd_read_reply(zx_handle_t cntrl_channel, zx_handle_t* handle) {
    zx_status_t status = zx_object_wait_one(
        cntrl_channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL);
    if (status != ZX_OK) {
        return status;
    }
    minip_cmd_t reply;
    uint32_t actual_bytes = 0;
    uint32_t actual_handles = 0;
    status = zx_channel_read(cntrl_channel, 0, &reply, handle, sizeof(reply), handle ? 1 : 0,
                             &actual_bytes, &actual_handles);
    if (status != ZX_OK) {
        return status;
    }
    return reply.status;
}

zx_status_t mini_process_cmd(zx_handle_t cntrl_channel, uint32_t what, zx_handle_t* handle) {
    zx_status_t status = mini_process_cmd_send(cntrl_channel, what);
    if (status != ZX_OK) {
        return status;
    }
    return mini_process_cmd_read_reply(cntrl_channel, handle);
}

zx_status_t start_mini_process(zx_handle_t job, zx_handle_t transferred_handle,
                               zx_handle_t* process, zx_handle_t* thread) {
    zx_handle_t vmar = ZX_HANDLE_INVALID;
    zx_handle_t channel = ZX_HANDLE_INVALID;
    *process = ZX_HANDLE_INVALID;
    *thread = ZX_HANDLE_INVALID;

    zx_status_t status = zx_process_create(job, "minipr", 6, 0, process, &vmar);
    if (status == ZX_OK) {
        status = zx_thread_create(*process, "minith", 6, 0, thread);
    }
    if (status == ZX_OK) {
        status = start_mini_process_etc(*process, *thread, vmar, transferred_handle, true,
                                        &channel);
        transferred_handle = ZX_HANDLE_INVALID;
    }
    if (status != ZX_OK) {
        zx_handle_close(transferred_handle);
        zx_handle_close(*process);
        zx_handle_close(*thread);
        *process = ZX_HANDLE_INVALID;
        *thread = ZX_HANDLE_INVALID;
    }
    // The child keeps running, blocked on a channel whose other end is gone.
    zx_handle_close(channel);
    zx_handle_close(vmar);
    return status;
}

zx_status_t start_mini_process_thread(zx_handle_t thread, zx_handle_t vmar) {
    zx_vaddr_t stack_base = 0;
    zx_vaddr_t sp = 0;
    zx_status_t status = mini_process_load_stack(vmar, true, &stack_base, &sp);
    if (status != ZX_OK) {
        return status;
    }
    return zx_thread_start(thread, stack_base, sp, 0, MINIP_MODE_SPIN);
}
