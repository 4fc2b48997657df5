//! Virtual-memory options: `zx_vmo_create` and `zx_vmo_create_child` options,
//! `zx_vmo_op_range` and `zx_vmar_op_range` ops, cache policies, and the `ZX_VM_*`
//! options of `zx_vmar_map`, `zx_vmar_protect` and `zx_vmar_allocate`.

use crate::ctypes::*;

c_consts! {
    /// `zx_vmo_create` options. Bit 0 is not an option.
    pub const VMO_CREATE_CONSTS: hex = {
        /// The VMO can change size; its handle also gets `ZX_RIGHT_RESIZE`.
        ZX_VMO_RESIZABLE: uint32_t = bit(1);
        /// The kernel may drop the pages while the VMO is unlocked.
        ZX_VMO_DISCARDABLE: uint32_t = bit(2);
        /// Pager VMOs: writes to clean pages go through the pager first.
        ZX_VMO_TRAP_DIRTY: uint32_t = bit(3);
    }
}

c_consts! {
    /// `zx_vmo_op_range` ops. 5 (the old LOOKUP) is retired.
    pub const VMO_OP_CONSTS: dec = {
        ZX_VMO_OP_COMMIT: uint32_t = 1;
        ZX_VMO_OP_DECOMMIT: uint32_t = 2;
        ZX_VMO_OP_LOCK: uint32_t = 3;
        ZX_VMO_OP_UNLOCK: uint32_t = 4;
        ZX_VMO_OP_CACHE_SYNC: uint32_t = 6;
        ZX_VMO_OP_CACHE_INVALIDATE: uint32_t = 7;
        ZX_VMO_OP_CACHE_CLEAN: uint32_t = 8;
        ZX_VMO_OP_CACHE_CLEAN_INVALIDATE: uint32_t = 9;
        ZX_VMO_OP_ZERO: uint32_t = 10;
        ZX_VMO_OP_TRY_LOCK: uint32_t = 11;
        ZX_VMO_OP_DONT_NEED: uint32_t = 12;
        ZX_VMO_OP_ALWAYS_NEED: uint32_t = 13;
    }
}

c_struct! {
    /// What `ZX_VMO_OP_LOCK` reports through `zx_vmo_op_range`'s buffer.
    pub struct zx_vmo_lock_state_t (zx_vmo_lock_state) {
        /// The locked range.
        pub offset: uint64_t,
        pub size: uint64_t,
        /// The part of the locked range whose pages had been discarded (both 0 if none).
        pub discarded_offset: uint64_t,
        pub discarded_size: uint64_t,
    }
}

c_consts! {
    /// `zx_vmar_op_range` ops; the shared ones have the `ZX_VMO_OP_*` values.
    pub const VMAR_OP_CONSTS: dec = {
        ZX_VMAR_OP_COMMIT: uint32_t = 1;
        ZX_VMAR_OP_DECOMMIT: uint32_t = 2;
        ZX_VMAR_OP_MAP_RANGE: uint32_t = 3;
        ZX_VMAR_OP_DONT_NEED: uint32_t = 12;
        ZX_VMAR_OP_ALWAYS_NEED: uint32_t = 13;
    }
}

c_consts! {
    /// `zx_vmo_create_child` options.
    pub const VMO_CHILD_CONSTS: hex = {
        /// A copy-on-write snapshot of the parent's pages at creation.
        ZX_VMO_CHILD_SNAPSHOT: uint32_t = bit(0);
        /// Copy-on-write where the parent's later writes may still show until the child
        /// writes a page.
        ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE: uint32_t = bit(4);
        ZX_VMO_CHILD_RESIZABLE: uint32_t = bit(2);
        /// A window onto the parent's pages: writes go both ways.
        ZX_VMO_CHILD_SLICE: uint32_t = bit(3);
        /// The child's handle lacks `ZX_RIGHT_WRITE`.
        ZX_VMO_CHILD_NO_WRITE: uint32_t = bit(5);
        /// Shares the parent's pages and size.
        ZX_VMO_CHILD_REFERENCE: uint32_t = bit(6);
    }
}

c_typedefs! {
    /// Mapping options.
    pub const VM_OPTION_TYPEDEFS = {
        /// `ZX_VM_*` bits, with an alignment request in bits 24 and up.
        zx_vm_option_t = uint32_t;
    }
}

c_consts! {
    /// `zx_vmar_map`, `zx_vmar_protect` and `zx_vmar_allocate` options.
    pub const VM_OPTION_CONSTS: hex = {
        ZX_VM_PERM_READ: zx_vm_option_t = bit(0);
        ZX_VM_PERM_WRITE: zx_vm_option_t = bit(1);
        ZX_VM_PERM_EXECUTE: zx_vm_option_t = bit(2);
        ZX_VM_COMPACT: zx_vm_option_t = bit(3);
        ZX_VM_SPECIFIC: zx_vm_option_t = bit(4);
        ZX_VM_SPECIFIC_OVERWRITE: zx_vm_option_t = bit(5);
        ZX_VM_CAN_MAP_SPECIFIC: zx_vm_option_t = bit(6);
        ZX_VM_CAN_MAP_READ: zx_vm_option_t = bit(7);
        ZX_VM_CAN_MAP_WRITE: zx_vm_option_t = bit(8);
        ZX_VM_CAN_MAP_EXECUTE: zx_vm_option_t = bit(9);
        ZX_VM_MAP_RANGE: zx_vm_option_t = bit(10);
        ZX_VM_REQUIRE_NON_RESIZABLE: zx_vm_option_t = bit(11);
        ZX_VM_ALLOW_FAULTS: zx_vm_option_t = bit(12);
        ZX_VM_OFFSET_IS_UPPER_LIMIT: zx_vm_option_t = bit(13);
        ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED: zx_vm_option_t = bit(14);
    }
}

c_consts! {
    /// Alignment requests: log2 of the alignment, in the option bits from here up.
    pub const VM_ALIGN_BASE_CONSTS: dec = {
        ZX_VM_ALIGN_BASE: uint32_t = 24;
    }
}

c_consts! {
    /// Alignments a mapping may ask for: 2^10 to 2^32 bytes.
    pub const VM_ALIGN_CONSTS: hex = {
        ZX_VM_ALIGN_1KB: zx_vm_option_t = 10 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_2KB: zx_vm_option_t = 11 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_4KB: zx_vm_option_t = 12 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_8KB: zx_vm_option_t = 13 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_16KB: zx_vm_option_t = 14 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_32KB: zx_vm_option_t = 15 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_64KB: zx_vm_option_t = 16 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_128KB: zx_vm_option_t = 17 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_256KB: zx_vm_option_t = 18 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_512KB: zx_vm_option_t = 19 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_1MB: zx_vm_option_t = 20 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_2MB: zx_vm_option_t = 21 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_4MB: zx_vm_option_t = 22 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_8MB: zx_vm_option_t = 23 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_16MB: zx_vm_option_t = 24 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_32MB: zx_vm_option_t = 25 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_64MB: zx_vm_option_t = 26 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_128MB: zx_vm_option_t = 27 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_256MB: zx_vm_option_t = 28 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_512MB: zx_vm_option_t = 29 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_1GB: zx_vm_option_t = 30 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_2GB: zx_vm_option_t = 31 << ZX_VM_ALIGN_BASE;
        ZX_VM_ALIGN_4GB: zx_vm_option_t = 32 << ZX_VM_ALIGN_BASE;
    }
}

c_consts! {
    /// Cache policies, for `zx_vmo_set_cache_policy`.
    pub const CACHE_POLICY_CONSTS: dec = {
        ZX_CACHE_POLICY_CACHED: uint32_t = 0;
        ZX_CACHE_POLICY_UNCACHED: uint32_t = 1;
        ZX_CACHE_POLICY_UNCACHED_DEVICE: uint32_t = 2;
        ZX_CACHE_POLICY_WRITE_COMBINING: uint32_t = 3;
        /// Every valid policy fits in these bits.
        ZX_CACHE_POLICY_MASK: uint32_t = 3;
    }
}

c_consts! {
    /// `zx_cache_flush` options.
    pub const CACHE_FLUSH_CONSTS: hex = {
        ZX_CACHE_FLUSH_INSN: uint32_t = bit(0);
        ZX_CACHE_FLUSH_DATA: uint32_t = bit(1);
        ZX_CACHE_FLUSH_INVALIDATE: uint32_t = bit(2);
    }
}

/// The bytes of the smallest data cache line an arm64 CPU has, from its cache type
/// register (CTR_EL0): DminLine, bits 16-19, is log2 of the line's size in 4-byte words.
/// What `zx_system_get_dcache_line_size` answers.
pub const fn dcache_line_size(ctr_el0: u64) -> u32 {
    4 << ((ctr_el0 >> 16) & 0xf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dcache_line_size_reads_dminline() {
        // Cortex-A72 (QEMU and the Pi 4): CTR_EL0 = 0x8444c004, 64-byte lines.
        assert_eq!(dcache_line_size(0x8444_c004), 64);
        // QEMU's "max" CPU: 0xb444c004, also 64.
        assert_eq!(dcache_line_size(0xb444_c004), 64);
        assert_eq!(dcache_line_size(0), 4);
        assert_eq!(dcache_line_size(0xf << 16), 4 << 15);
        // Other fields do not leak in.
        assert_eq!(dcache_line_size(!(0xf << 16)), 4);
    }
}
