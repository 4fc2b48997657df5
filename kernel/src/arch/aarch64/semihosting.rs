//! Arm semihosting, used only in test mode under QEMU (`-semihosting-config
//! enable=on,target=native`): leave QEMU with an exit status, and print when there is
//! no console. Without a debugger or emulator attached, `hlt` would trap, so nothing
//! here runs unless the command line asked for test mode.

use qemu_exit::QEMUExit;

const SYS_WRITE0: u64 = 0x04;

/// Leaves QEMU with `code` as its exit status.
pub fn exit(code: u32) -> ! {
    qemu_exit::AArch64::new().exit(code)
}

/// Writes text to QEMU's standard error through the semihosting SYS_WRITE0 call.
pub fn write(text: &[u8]) {
    let mut buf = [0u8; 128];
    for chunk in text.chunks(buf.len() - 1) {
        buf[..chunk.len()].copy_from_slice(chunk);
        buf[chunk.len()] = 0;
        // SAFETY: SYS_WRITE0 reads the NUL-terminated string at x1 and changes only x0.
        unsafe {
            core::arch::asm!(
                "hlt #0xf000",
                inout("x0") SYS_WRITE0 => _,
                in("x1") buf.as_ptr(),
                options(nostack)
            )
        };
    }
}
