//! The `ZX_VM_*` option word of `zx_vmar_map`, `zx_vmar_allocate` and `zx_vmar_protect`,
//! split the way Zircon splits it (`split_syscall_flags` in
//! `vm_address_region_dispatcher.cc`): permission bits, region bits, and an alignment
//! exponent in the bits from `ZX_VM_ALIGN_BASE` up.

use libzircon::prelude::*;
use libzircon::Status;

/// Permissions of a mapping: `ZX_VM_PERM_READ`, `ZX_VM_PERM_WRITE`, `ZX_VM_PERM_EXECUTE`.
pub type Perms = u32;

/// Every permission bit.
pub const PERM_RWX: Perms = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE;

/// The `ZX_VM_CAN_MAP_*` bits that bound permissions.
pub const CAN_MAP_RWX: u32 = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE;

/// The bits below the alignment field that the split knows. `ZX_VM_MAP_RANGE` is not
/// among them: `zx_vmar_map` takes it out first, and anywhere else it is unknown.
const KNOWN_BITS: u32 = PERM_RWX
    | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED
    | ZX_VM_COMPACT
    | ZX_VM_SPECIFIC
    | ZX_VM_SPECIFIC_OVERWRITE
    | ZX_VM_CAN_MAP_SPECIFIC
    | CAN_MAP_RWX
    | ZX_VM_REQUIRE_NON_RESIZABLE
    | ZX_VM_ALLOW_FAULTS
    | ZX_VM_OFFSET_IS_UPPER_LIMIT;

/// The smallest and largest alignment exponents a caller may ask for (1 KiB, 4 GiB).
const MIN_ALIGN_POW2: u32 = 10;
const MAX_ALIGN_POW2: u32 = 32;

/// An option word, split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmOptions {
    /// `ZX_VM_PERM_*` bits.
    pub perms: Perms,
    /// The region bits (`COMPACT`, `SPECIFIC`, `SPECIFIC_OVERWRITE`, `CAN_MAP_*`,
    /// `REQUIRE_NON_RESIZABLE`, `ALLOW_FAULTS`, `OFFSET_IS_UPPER_LIMIT`) at their `ZX_VM_*`
    /// positions. `PERM_READ_IF_XOM_UNSUPPORTED` is dropped: the syscall acts on it
    /// before the split.
    pub flags: u32,
    /// log2 of the requested alignment: 0 for none, else 10..=32.
    pub align_pow2: u8,
}

impl VmOptions {
    /// Zircon's split: an unknown bit below the alignment field, or an alignment
    /// exponent other than 0 or 10..=32, is INVALID_ARGS.
    pub fn split(options: u32) -> Result<VmOptions, Status> {
        let low = options & ((1 << ZX_VM_ALIGN_BASE) - 1);
        if low & !KNOWN_BITS != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let align = options >> ZX_VM_ALIGN_BASE;
        if (align != 0 && align < MIN_ALIGN_POW2) || align > MAX_ALIGN_POW2 {
            return Err(Status::INVALID_ARGS);
        }
        Ok(VmOptions {
            perms: low & PERM_RWX,
            flags: low & !(PERM_RWX | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED),
            align_pow2: align as u8,
        })
    }

    /// The split as `zx_vmar_map` does it (step 9 of digest 3.13), `ZX_VM_MAP_RANGE`
    /// taken out first.
    pub fn for_map(options: u32) -> Result<VmOptions, Status> {
        VmOptions::split(options & !ZX_VM_MAP_RANGE)
    }
}

/// The option word of one `zx_vmar_map`, checked once: steps 5–9 of digest 3.13, which
/// come before the VMO's own checks (steps 10–11, the caller's) and the VMAR's
/// ([`AddressRegionTree::create_mapping`](super::AddressRegionTree::create_mapping)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapOptions {
    /// `ZX_VM_PERM_*` asked for.
    pub perms: Perms,
    /// The most a later protect may grant: what the handles allow.
    pub max_perms: Perms,
    /// The region bits, as [`VmOptions::flags`].
    pub flags: u32,
    /// log2 of the requested alignment, as [`VmOptions::align_pow2`].
    pub align_pow2: u8,
    /// `ZX_VM_MAP_RANGE`: the pages the VMO holds go into the page tables at once.
    pub map_range: bool,
}

impl MapOptions {
    /// `max_perms` is what both the VMO handle and the VMAR handle allow (Zircon's
    /// can_read/can_write/can_exec). Errors, in Zircon's order:
    /// - INVALID_ARGS: write or execute without read; MAP_RANGE with
    ///   SPECIFIC_OVERWRITE; any `CAN_MAP_*` (those are for `zx_vmar_allocate`);
    /// - ACCESS_DENIED: permissions beyond `max_perms`;
    /// - INVALID_ARGS: unknown option bits or alignment.
    pub fn check(options: u32, max_perms: Perms) -> Result<MapOptions, Status> {
        let perms = options & PERM_RWX;
        if !is_valid_protection(options)
            || (options & ZX_VM_MAP_RANGE != 0 && options & ZX_VM_SPECIFIC_OVERWRITE != 0)
            || options & CAN_MAP_RWX != 0
        {
            return Err(Status::INVALID_ARGS);
        }
        if perms & !max_perms != 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let split = VmOptions::for_map(options)?;
        Ok(MapOptions {
            perms,
            max_perms,
            flags: split.flags,
            align_pow2: split.align_pow2,
            map_range: options & ZX_VM_MAP_RANGE != 0,
        })
    }
}

/// Zircon's `is_valid_mapping_protection`: no write or execute without read.
pub fn is_valid_protection(options: u32) -> bool {
    options & ZX_VM_PERM_READ != 0 || options & (ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE) == 0
}

/// The permissions the `ZX_VM_CAN_MAP_*` bits of `flags` allow.
pub fn perms_allowed_by(flags: u32) -> Perms {
    let mut perms = 0;
    if flags & ZX_VM_CAN_MAP_READ != 0 {
        perms |= ZX_VM_PERM_READ;
    }
    if flags & ZX_VM_CAN_MAP_WRITE != 0 {
        perms |= ZX_VM_PERM_WRITE;
    }
    if flags & ZX_VM_CAN_MAP_EXECUTE != 0 {
        perms |= ZX_VM_PERM_EXECUTE;
    }
    perms
}

/// The `ZX_VM_CAN_MAP_*` bits that allow `perms`.
pub fn can_map_bits(perms: Perms) -> u32 {
    let mut flags = 0;
    if perms & ZX_VM_PERM_READ != 0 {
        flags |= ZX_VM_CAN_MAP_READ;
    }
    if perms & ZX_VM_PERM_WRITE != 0 {
        flags |= ZX_VM_CAN_MAP_WRITE;
    }
    if perms & ZX_VM_PERM_EXECUTE != 0 {
        flags |= ZX_VM_CAN_MAP_EXECUTE;
    }
    flags
}

/// The handle rights that reach `perms`: `ZX_RIGHT_READ`, `_WRITE`, `_EXECUTE`.
pub fn rights_for_perms(perms: Perms) -> zx_rights_t {
    let mut rights = 0;
    if perms & ZX_VM_PERM_READ != 0 {
        rights |= ZX_RIGHT_READ;
    }
    if perms & ZX_VM_PERM_WRITE != 0 {
        rights |= ZX_RIGHT_WRITE;
    }
    if perms & ZX_VM_PERM_EXECUTE != 0 {
        rights |= ZX_RIGHT_EXECUTE;
    }
    rights
}

/// The permissions `rights` (of a VMO or VMAR handle) allow.
pub fn perms_for_rights(rights: zx_rights_t) -> Perms {
    let mut perms = 0;
    if rights & ZX_RIGHT_READ != 0 {
        perms |= ZX_VM_PERM_READ;
    }
    if rights & ZX_RIGHT_WRITE != 0 {
        perms |= ZX_VM_PERM_WRITE;
    }
    if rights & ZX_RIGHT_EXECUTE != 0 {
        perms |= ZX_VM_PERM_EXECUTE;
    }
    perms
}
