//! Links the kernel with our linker script when building for the bare-metal target.
use std::env;

fn main() {
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "none" {
        let dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        println!("cargo:rustc-link-arg-bins=-T{dir}/../linker/kernel.ld");
        println!("cargo:rerun-if-changed={dir}/../linker/kernel.ld");
    }
}
