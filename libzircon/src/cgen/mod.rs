//! The C header generator: prints `libzircon/include/zircon/*.h` from the Rust
//! definitions of the ABI, and the `_Static_assert` file that checks the C view
//! against the Rust values.
//!
//! The headers are checked in, so C programs build without running Rust; a test
//! regenerates them in memory and fails on any difference. Regenerate with
//! [`REGENERATE`].

mod c_text;
pub mod check;
pub mod layout;
pub mod render;

#[cfg(test)]
mod tests;

use std::io;
use std::path::Path;

/// The command that rewrites the checked-in headers.
pub const REGENERATE: &str = "cargo run -p libzircon --features gen --bin zircon-headers";

/// A generated file: where it goes under `include/`, and its text.
pub struct GeneratedFile {
    pub path: &'static str,
    pub text: String,
}

/// Every header, generated in memory.
pub fn headers() -> Vec<GeneratedFile> {
    layout::HEADERS.iter().map(render::header).collect()
}

/// Writes every header under `include_dir` (e.g. `libzircon/include`).
pub fn write_headers(include_dir: &Path) -> io::Result<()> {
    for file in headers() {
        let path = include_dir.join(file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, file.text)?;
    }
    Ok(())
}
